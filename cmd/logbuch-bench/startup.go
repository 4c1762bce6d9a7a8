package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime/pprof"
	"time"

	"logbuch/embed"
	"logbuch/projections"
)

// snapshotEvery is serve's setting: a snapshot after every 10,000 messages.
const snapshotEvery = 10000

type startupResult struct {
	open, ready time.Duration // embed.Open; then the runner until Ready
	restored    uint64
}

func (r startupResult) total() time.Duration { return r.open + r.ready }

func (r startupResult) summary() string {
	return fmt.Sprintf("%s (open %s + projections %s)", fmtDur(r.total()), fmtDur(r.open), fmtDur(r.ready))
}

// startLogbuch opens the log on dir and starts the projections, timing
// both until Ready. snapshotEvery < 0: no snapshot store (a plain runner);
// otherwise the runner uses the log's snapshot store as serve does, saving
// one after every snapshotEvery messages (0: never on its own). save writes
// a snapshot once Ready, outside the measurement, as serve's Close does.
func startLogbuch(ctx context.Context, dir string, snapshotEvery int, save bool) (startupResult, error) {
	var res startupResult
	start := time.Now()
	log, err := embed.Open(ctx, embed.Config{DataDir: dir, Logger: quiet})
	if err != nil {
		return res, err
	}
	defer log.Close()
	res.open = time.Since(start)
	bg, stop := context.WithCancel(ctx)
	defer stop()
	start = time.Now()
	runner := projections.NewRunner(log, quiet)
	if snapshotEvery >= 0 {
		runner.UseSnapshots(log, log, uint64(snapshotEvery))
	}
	done := make(chan struct{})
	phase := "startup-plain"
	if snapshotEvery >= 0 {
		phase = fmt.Sprintf("startup-snapshots-%d", snapshotEvery)
	}
	go pprof.Do(bg, pprof.Labels("phase", phase), func(bg context.Context) {
		defer close(done)
		runner.Run(bg)
	})
	defer func() { stop(); <-done }()
	if err := waitReady(ctx, runner, 15*time.Minute); err != nil {
		return res, err
	}
	res.ready = time.Since(start)
	res.restored = runner.RestoredFrom()
	if save {
		if err := runner.SaveSnapshot(ctx); err != nil {
			return res, err
		}
	}
	return res, nil
}

// bareRestart starts a bare server on the store and waits until the stream
// answers with its last sequence; readAll then also reads every message.
func bareRestart(ctx context.Context, dir string, wantLast uint64) (restart, read time.Duration, err error) {
	start := time.Now()
	b, err := startBareNATS(ctx, filepath.Join(dir, "nats"), true)
	if err != nil {
		return 0, 0, err
	}
	defer b.close()
	info, err := b.stream.Info(ctx)
	if err != nil {
		return 0, 0, err
	}
	if info.State.LastSeq != wantLast {
		return 0, 0, fmt.Errorf("bare server sees last sequence %d, want %d", info.State.LastSeq, wantLast)
	}
	restart = time.Since(start)
	n, took, err := rawRead(ctx, b.js, wantLast)
	if err != nil {
		return 0, 0, fmt.Errorf("raw read after restart: %d messages: %w", n, err)
	}
	return restart, restart + took, nil
}

// benchStartup: a restart of Logbuch over a log of startupEvents events,
// from a snapshot (as serve does it) and without one, next to restarting
// the bare embedded server on the same store.
func benchStartup(ctx context.Context, s settings, t *table) error {
	lotsen := 20000
	if s.quick {
		lotsen = 2000
	}
	progress("startup: generating and importing %s events", thousands(float64(s.startupEvents)))
	dir, nMsgs, nEvents, importTook, err := importLog(ctx, planByEvents(lotsen, s.startupEvents))
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	progress("startup: imported %s messages (%s events) in %s", thousands(float64(nMsgs)), thousands(float64(nEvents)), fmtDur(importTook))

	// Without a snapshot: the projections fold the whole log; then they
	// save the snapshot a graceful shutdown leaves (serve saves one in
	// Close), outside the measurement.
	progress("startup: Logbuch without a snapshot; then taking one")
	cold, err := startLogbuch(ctx, dir, 0, true)
	if err != nil {
		return err
	}
	if cold.restored != 0 {
		return fmt.Errorf("the first start found a snapshot at %d", cold.restored)
	}
	progress("startup: bare server restart")
	restart, restartRead, err := bareRestart(ctx, dir, uint64(nMsgs))
	if err != nil {
		return err
	}
	progress("startup: Logbuch from the snapshot")
	warm, err := startLogbuch(ctx, dir, snapshotEvery, false)
	if err != nil {
		return err
	}
	if warm.restored != uint64(nMsgs) {
		return fmt.Errorf("started from snapshot at %d, want %d", warm.restored, nMsgs)
	}
	group := fmt.Sprintf("5. Startup over %s events (%s messages, %s Lotsen; imported in %s)",
		thousands(float64(nEvents)), thousands(float64(nMsgs)), thousands(float64(lotsen)), fmtDur(importTook))
	rawCell := fmt.Sprintf("bare server restart %s; restart + ordered read of all %s", fmtDur(restart), fmtDur(restartRead))
	t.add(row{group: group, scenario: "from a snapshot at the last sequence (graceful restart): open → Ready()",
		logbuch: warm.summary(), raw: rawCell, ratio: fmtRatio(warm.total().Seconds()/restart.Seconds()) + " of restart", goal: "— (none set)"})
	t.add(row{group: group, scenario: "without snapshot: open → Ready()", logbuch: cold.summary(), raw: rawCell,
		ratio: fmt.Sprintf("%s of restart, %s of restart + read", fmtRatio(cold.total().Seconds()/restart.Seconds()), fmtRatio(cold.total().Seconds()/restartRead.Seconds())),
		goal:  "— (none set)"})
	return nil
}
