package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/google/uuid"
	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"logbuch/domain"
	"logbuch/embed"
	"logbuch/projections"
)

const tenant = "bench"

// lbEnv is a Logbuch log with its projections and command handler, in a
// data dir of its own that is removed on close. Nothing is kept between
// runs.
type lbEnv struct {
	dir     string
	log     *embed.Log
	runner  *projections.Runner
	handler *domain.Handler
	stop    context.CancelFunc
	done    chan struct{}
}

// openLogbuch opens a fresh log. beforeRun may register listeners (the web
// server) before the projections start.
func openLogbuch(ctx context.Context, cfg embed.Config, beforeRun func(*lbEnv)) (*lbEnv, error) {
	if cfg.DataDir == "" {
		dir, err := os.MkdirTemp("", "logbuch-bench-")
		if err != nil {
			return nil, err
		}
		cfg.DataDir = dir
	}
	cfg.Logger = quiet
	log, err := embed.Open(ctx, cfg)
	if err != nil {
		os.RemoveAll(cfg.DataDir)
		return nil, err
	}
	e := &lbEnv{dir: cfg.DataDir, log: log, done: make(chan struct{})}
	e.runner = projections.NewRunner(log, quiet)
	e.handler = domain.NewHandler(log, e.runner, tenant)
	if beforeRun != nil {
		beforeRun(e)
	}
	bg, stop := context.WithCancel(ctx)
	e.stop = stop
	go func() {
		defer close(e.done)
		e.runner.Run(bg)
	}()
	if err := waitReady(ctx, e.runner, time.Minute); err != nil {
		e.close()
		return nil, err
	}
	return e, nil
}

func (e *lbEnv) close() {
	e.stop()
	<-e.done
	e.log.Close()
	os.RemoveAll(e.dir)
}

// waitReady polls the runner until it has caught up with the log as it was
// at its start.
func waitReady(ctx context.Context, r *projections.Runner, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for !r.Ready() {
		if time.Now().After(deadline) {
			applied, target := r.Progress()
			return fmt.Errorf("projections not ready after %s (%d of %d)", limit, applied, target)
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		time.Sleep(time.Millisecond)
	}
	return nil
}

// joinLotse puts a new person on the roster through the decider and the log.
func joinLotse(ctx context.Context, h *domain.Handler, id string, role domain.Role, name, amt string) (domain.Result, error) {
	return domain.Execute(ctx, h, domain.Roster, id, domain.Meta{CommandID: uuid.NewString(), Actor: domain.SystemActor, NewAggregate: true}, "JoinLotse",
		any(domain.JoinLotse{Name: name, Amt: amt, City: "Konstanz", Role: role}))
}

// bareNATS is an embedded NATS server as a program that embeds it would
// start it by hand, in its own store, with the stream of Logbuch's config.
type bareNATS struct {
	dir    string
	server *server.Server
	nc     *nats.Conn
	js     jetstream.JetStream
	stream jetstream.Stream
}

// startBareNATS starts a server on storeDir (a fresh temporary one if
// empty) and makes sure the stream exists. syncAlways is the fsync setting.
func startBareNATS(ctx context.Context, storeDir string, syncAlways bool) (*bareNATS, error) {
	b := &bareNATS{}
	if storeDir == "" {
		dir, err := os.MkdirTemp("", "logbuch-bench-bare-")
		if err != nil {
			return nil, err
		}
		b.dir, storeDir = dir, filepath.Join(dir, "nats")
	}
	s, err := server.NewServer(&server.Options{JetStream: true, StoreDir: storeDir, DontListen: true, NoSigs: true,
		SyncAlways: syncAlways, MaxPayload: embed.MaxMessageSize + 4096})
	if err != nil {
		b.close()
		return nil, err
	}
	s.Start()
	b.server = s
	if !s.ReadyForConnections(time.Minute) {
		b.close()
		return nil, fmt.Errorf("bare NATS not ready within a minute")
	}
	if b.nc, err = nats.Connect("", nats.InProcessServer(s)); err != nil {
		b.close()
		return nil, err
	}
	if b.js, err = jetstream.New(b.nc); err != nil {
		b.close()
		return nil, err
	}
	if b.stream, err = b.js.CreateOrUpdateStream(ctx, logbuchStreamConfig()); err != nil {
		b.close()
		return nil, err
	}
	return b, nil
}

func (b *bareNATS) close() {
	if b.nc != nil {
		b.nc.Close()
	}
	if b.server != nil {
		b.server.Shutdown()
		b.server.WaitForShutdown()
	}
	if b.dir != "" {
		os.RemoveAll(b.dir)
	}
}

// logbuchStreamConfig is the stream as embed.Open creates it.
func logbuchStreamConfig() jetstream.StreamConfig {
	return jetstream.StreamConfig{
		Name:               embed.StreamName,
		Description:        "Logbuch: every action of the Digitallotsen, append-only",
		Subjects:           []string{"lb.>"},
		Storage:            jetstream.FileStorage,
		Retention:          jetstream.LimitsPolicy,
		Discard:            jetstream.DiscardNew,
		Duplicates:         embed.DuplicateWindow,
		MaxMsgSize:         embed.MaxMessageSize,
		Replicas:           1,
		DenyDelete:         true,
		DenyPurge:          true,
		AllowDirect:        true,
		AllowAtomicPublish: true,
	}
}

// rawRead reads the whole stream with an ordered consumer, the way the
// projections' feed does (same pull size), and counts messages until the
// last sequence.
func rawRead(ctx context.Context, js jetstream.JetStream, last uint64) (int, time.Duration, error) {
	start := time.Now()
	stream, err := js.Stream(ctx, embed.StreamName)
	if err != nil {
		return 0, 0, err
	}
	cons, err := stream.OrderedConsumer(ctx, jetstream.OrderedConsumerConfig{DeliverPolicy: jetstream.DeliverAllPolicy})
	if err != nil {
		return 0, 0, err
	}
	it, err := cons.Messages(jetstream.PullMaxMessages(1000))
	if err != nil {
		return 0, 0, err
	}
	defer it.Stop()
	n := 0
	for {
		m, err := it.Next(jetstream.NextContext(ctx))
		if err != nil {
			return n, 0, err
		}
		n++
		meta, err := m.Metadata()
		if err != nil {
			return n, 0, err
		}
		if meta.Sequence.Stream >= last {
			return n, time.Since(start), nil
		}
	}
}
