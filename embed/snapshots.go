package embed

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"github.com/nats-io/nats.go/jetstream"
)

// Projection snapshots live in a JetStream object store beside the log.
const (
	bucketSnapshots = "LB_SNAPSHOTS"
	snapshotObject  = "projections"
)

func (l *Log) snapshotStore(ctx context.Context) (jetstream.ObjectStore, error) {
	l.snapMu.Lock()
	defer l.snapMu.Unlock()
	if l.snaps != nil {
		return l.snaps, nil
	}
	os, err := l.js.CreateOrUpdateObjectStore(ctx, jetstream.ObjectStoreConfig{
		Bucket: bucketSnapshots, Storage: jetstream.FileStorage, Replicas: l.cfg.Replicas,
		Description: "Logbuch projection snapshots: a cache of the read models, never the record",
	})
	if err != nil {
		return nil, fmt.Errorf("snapshot store: %w", err)
	}
	l.snaps = os
	return os, nil
}

// SaveSnapshot replaces the stored snapshot.
func (l *Log) SaveSnapshot(ctx context.Context, data []byte) error {
	os, err := l.snapshotStore(ctx)
	if err != nil {
		return err
	}
	_, err = os.Put(ctx, jetstream.ObjectMeta{Name: snapshotObject}, bytes.NewReader(data))
	return err
}

// LoadSnapshot returns the stored snapshot, or nil if there is none.
func (l *Log) LoadSnapshot(ctx context.Context) ([]byte, error) {
	os, err := l.snapshotStore(ctx)
	if err != nil {
		return nil, err
	}
	data, err := os.GetBytes(ctx, snapshotObject)
	if errors.Is(err, jetstream.ErrObjectNotFound) {
		return nil, nil
	}
	return data, err
}
