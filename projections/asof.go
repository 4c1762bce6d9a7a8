package projections

import (
	"context"
	"fmt"
	"time"

	"logbuch/domain"
)

// As-of views ("Stand am …"): fresh read models, folded from the log up to
// a moment, with every read accessor of a Runner (Board, Topic, Roster,
// Events, …). The live runner is not touched. Used by the board's "Stand
// am …" and reusable by any page that shows the record as it was.
//
// The moment is compared with the events' time (the envelope's At), not
// with the order of the log: the demo writes a past year through the real
// command path, and an import keeps the original times. A command's events
// share one time, so a message is taken whole or not at all.
//
// Each call reads the log from the start (a few thousand messages a year:
// milliseconds); starting from a snapshot is left for when logs grow.

// ReplayUntil returns read models folded from every message of the log,
// as it is now, whose events happened at or before t.
func ReplayUntil(ctx context.Context, src domain.Source, t time.Time) (*Runner, error) {
	return replay(ctx, src, func(rec domain.Recorded) bool {
		return len(rec.Events) > 0 && !rec.Events[0].At.After(t)
	})
}

// ReplayToSeq returns read models folded from the log up to and including
// sequence seq.
func ReplayToSeq(ctx context.Context, src domain.Source, seq uint64) (*Runner, error) {
	return replay(ctx, src, func(rec domain.Recorded) bool { return rec.Seq <= seq })
}

// replay folds the log as it is now into a fresh runner, keeping the
// messages keep accepts. The runner is not following the log; its
// accessors answer as of the last message read.
func replay(ctx context.Context, src domain.Source, keep func(domain.Recorded) bool) (*Runner, error) {
	r := NewRunner(src, nil)
	last, err := src.LastSeq(ctx)
	if err != nil {
		return nil, fmt.Errorf("replay: last sequence: %w", err)
	}
	r.knowTarget, r.target = true, last
	if last == 0 {
		return r, nil
	}
	feed, err := src.Follow(ctx, 1)
	if err != nil {
		return nil, fmt.Errorf("replay: %w", err)
	}
	defer feed.Stop()
	r.mu.Lock()
	defer r.mu.Unlock()
	for r.applied < last {
		rec, _, err := feed.Next(ctx)
		if err != nil && rec.Seq == 0 {
			return nil, fmt.Errorf("replay at %d of %d: %w", r.applied, last, err)
		}
		if err == nil && !keep(rec) {
			r.applied = rec.Seq
			continue
		}
		r.apply(rec, err)
	}
	return r, nil
}

// FoldUntil is ReplayUntil over messages already read (e.g. an export).
func FoldUntil(msgs []domain.Recorded, t time.Time) *Runner {
	r := NewRunner(nil, nil)
	r.knowTarget = true
	for _, rec := range msgs {
		if len(rec.Events) > 0 && !rec.Events[0].At.After(t) {
			r.apply(rec, nil)
		} else if rec.Seq > r.applied {
			r.applied = rec.Seq
		}
	}
	r.target = r.applied
	return r
}
