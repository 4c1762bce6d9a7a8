package embed

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"logbuch/domain"
)

const (
	followHeartbeat = 1 * time.Second
	followExpiry    = 10 * time.Second
)

// Follow reads the log from fromSeq on (1 or 0: from the start) and then
// follows it live, in order, through an ordered consumer.
func (l *Log) Follow(ctx context.Context, fromSeq uint64) (domain.Feed, error) {
	cfg := jetstream.OrderedConsumerConfig{DeliverPolicy: jetstream.DeliverAllPolicy}
	if fromSeq > 1 {
		cfg.DeliverPolicy = jetstream.DeliverByStartSequencePolicy
		cfg.OptStartSeq = fromSeq
	}
	cons, err := l.stream.OrderedConsumer(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("follow log from %d: %w", fromSeq, err)
	}
	// Short heartbeats: when the NATS node that serves the consumer goes
	// away (a cluster node dies), the feed notices within two of them and
	// goes on from another node, instead of after the default 10 s.
	it, err := cons.Messages(jetstream.PullMaxMessages(1000), jetstream.PullExpiry(followExpiry), jetstream.PullHeartbeat(followHeartbeat))
	if err != nil {
		return nil, fmt.Errorf("follow log from %d: %w", fromSeq, err)
	}
	return &feed{it: it, log: l}, nil
}

type feed struct {
	it  jetstream.MessagesContext
	log *Log
}

func (f *feed) Next(ctx context.Context) (domain.Recorded, uint64, error) {
	m, err := f.it.Next(jetstream.NextContext(ctx))
	if err != nil {
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			return domain.Recorded{}, 0, err
		}
		return domain.Recorded{}, 0, fmt.Errorf("next log message: %w", err)
	}
	meta, err := m.Metadata()
	if err != nil {
		return domain.Recorded{}, 0, fmt.Errorf("log message metadata: %w", err)
	}
	rec, err := f.log.decodeRecord(ctx, meta.Sequence.Stream, m.Subject(), m.Headers(), m.Data())
	return rec, meta.NumPending, err
}

func (f *feed) Stop() { f.it.Stop() }
