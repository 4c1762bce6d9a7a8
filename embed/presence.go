package embed

import (
	"context"
	"fmt"

	"github.com/nats-io/nats.go"
)

// PresenceSubject carries who is looking at what, on plain NATS: presence is
// ephemeral and must never enter the record, so it lives outside the
// stream's lb.> subjects.
const PresenceSubject = "logbuch.presence"

// PublishPresence sends one replica's presence report to every replica.
func (l *Log) PublishPresence(data []byte) error {
	if err := l.nc.Publish(PresenceSubject, data); err != nil {
		return fmt.Errorf("publish presence: %w", err)
	}
	return nil
}

// WatchPresence calls fn with every presence report (this replica's own
// included) until ctx ends.
func (l *Log) WatchPresence(ctx context.Context, fn func(data []byte)) error {
	sub, err := l.nc.Subscribe(PresenceSubject, func(m *nats.Msg) { fn(m.Data) })
	if err != nil {
		return fmt.Errorf("subscribe presence: %w", err)
	}
	go func() {
		<-ctx.Done()
		sub.Unsubscribe()
	}()
	return nil
}
