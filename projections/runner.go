// Package projections keeps the read models: it folds the log, in order, into
// in-memory views, tells which views changed after each batch, and lets
// writers wait until their own write is visible.
package projections

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"logbuch/domain"
)

// ReadModel folds log messages into a view of the record. Apply is called
// with the runner's write lock held, in log order, once per message.
type ReadModel interface {
	Apply(rec domain.Recorded) (changedViews []string)
}

// Change tells which views changed up to a sequence.
type Change struct {
	Seq   uint64
	Views []string
}

// Runner feeds the read models from the log and follows it live.
type Runner struct {
	src      domain.Source
	log      *slog.Logger
	roster   *Roster
	commands *Commands
	events   *Events
	activity *Activity
	feedback *BarrierReports
	boards   *Boards
	ratings  *Ratings
	// survey is the annual survey; surveyMin its minimum answers per item.
	survey    *Survey
	surveyMin int
	// conclusions are the reports' Fazit und Ausblick.
	conclusions *Conclusions
	models      []ReadModel

	mu      sync.RWMutex // guards the read models and applied
	applied uint64

	progressMu sync.Mutex
	target     uint64        // the log's last sequence when the runner started
	knowTarget bool          // target has been read from the log
	progress   chan struct{} // closed and replaced whenever applied grows
	listeners  []func(Change)
	skipped    uint64 // messages that could not be decoded

	snapSaving   sync.Mutex // held while a snapshot is written
	snapStore    SnapshotStore
	sealer       Sealer
	snapEvery    uint64
	lastSnapSeq  uint64
	lastSnapTime time.Time
	restoredFrom uint64
}

// NewRunner returns a runner over src with the read models of Logbuch.
func NewRunner(src domain.Source, log *slog.Logger) *Runner {
	if log == nil {
		log = slog.Default()
	}
	r := &Runner{src: src, log: log, roster: NewRoster(), commands: NewCommands(), events: NewEvents(), activity: NewActivity(), feedback: NewBarrierReports(), boards: NewBoards(), conclusions: NewConclusions(), ratings: NewRatings(), survey: NewSurvey(), progress: make(chan struct{})}
	r.models = []ReadModel{r.commands, r.roster, r.events, r.activity, r.feedback, r.boards, r.conclusions, r.ratings, r.survey}
	return r
}

// OnChange registers a listener called after every applied batch, outside
// the lock, from the runner's goroutine. Listeners must not block.
func (r *Runner) OnChange(f func(Change)) {
	r.progressMu.Lock()
	r.listeners = append(r.listeners, f)
	r.progressMu.Unlock()
}

// Run catches up with the log and follows it until ctx ends.
func (r *Runner) Run(ctx context.Context) error {
	if r.snapStore != nil && r.Applied() == 0 {
		r.restore(ctx)
	}
	backoff := 100 * time.Millisecond
	for {
		err := r.follow(ctx)
		if ctx.Err() != nil {
			return nil
		}
		r.log.Error("projection feed failed; restarting", "applied", r.Applied(), "err", err, "retry_in", backoff)
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(backoff):
		}
		backoff = min(backoff*2, 5*time.Second)
	}
}

func (r *Runner) follow(ctx context.Context) error {
	last, err := r.src.LastSeq(ctx)
	if err != nil {
		return err
	}
	r.progressMu.Lock()
	if last > r.target {
		r.target = last
	}
	r.knowTarget = true
	r.progressMu.Unlock()
	feed, err := r.src.Follow(ctx, r.Applied()+1)
	if err != nil {
		return err
	}
	defer feed.Stop()
	const maxBatch = 500
	for {
		rec, pending, err := feed.Next(ctx)
		if err != nil && rec.Seq == 0 {
			return err
		}
		var changed []string
		r.mu.Lock()
		n := 0
		for {
			changed = append(changed, r.apply(rec, err)...)
			n++
			if pending == 0 || n >= maxBatch {
				break
			}
			rec, pending, err = feed.Next(ctx)
			if err != nil && rec.Seq == 0 {
				r.mu.Unlock()
				r.published(changed)
				return err
			}
		}
		r.mu.Unlock()
		r.published(changed)
		r.maybeSnapshot(ctx)
	}
}

func (r *Runner) maybeSnapshot(ctx context.Context) {
	// Not while catching up: each snapshot encodes all read models, and
	// one every few thousand messages of a long catch-up costs more than
	// the catch-up itself. The first one comes when the runner is ready.
	if r.snapStore == nil || r.snapEvery == 0 || !r.Ready() {
		return
	}
	applied := r.Applied()
	r.progressMu.Lock()
	due := applied >= r.lastSnapSeq+r.snapEvery
	r.progressMu.Unlock()
	if due {
		if err := r.SaveSnapshot(ctx); err != nil {
			r.log.Error("projection snapshot failed", "err", err)
		}
	}
}

// apply folds one message into every read model; the write lock is held.
func (r *Runner) apply(rec domain.Recorded, decodeErr error) []string {
	if rec.Seq <= r.applied {
		return nil // delivered again after a feed restart
	}
	r.applied = rec.Seq
	if decodeErr != nil {
		r.skipped++
		r.log.Error("skipping log message this version cannot read", "seq", rec.Seq, "subject", rec.Subject, "err", decodeErr)
		return nil
	}
	// Shared spaces of a federation (lb.geteilt.<city>.…, from this city
	// or sourced from the partner's log) fold like the city's own.
	rec.Subject = domain.LocalSubject(rec.Subject)
	var changed []string
	for _, m := range r.models {
		changed = append(changed, m.Apply(rec)...)
	}
	return changed
}

func (r *Runner) published(changed []string) {
	seq := r.Applied()
	r.progressMu.Lock()
	close(r.progress)
	r.progress = make(chan struct{})
	listeners := r.listeners
	r.progressMu.Unlock()
	c := Change{Seq: seq, Views: dedupe(changed)}
	for _, f := range listeners {
		f(c)
	}
}

func dedupe(views []string) []string {
	seen := make(map[string]bool, len(views))
	out := views[:0]
	for _, v := range views {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}

// Applied is the sequence of the last message folded into the read models.
func (r *Runner) Applied() uint64 {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.applied
}

// Progress says how far the runner is: applied, and the log's last sequence
// when it started (or later, if it has seen more since).
func (r *Runner) Progress() (applied, target uint64) {
	applied = r.Applied()
	r.progressMu.Lock()
	target = r.target
	r.progressMu.Unlock()
	return applied, max(applied, target)
}

// Ready reports whether the runner has caught up with the log as it was at
// start: until then pages would show an old state.
func (r *Runner) Ready() bool {
	applied, target := r.Progress()
	r.progressMu.Lock()
	known := r.knowTarget
	r.progressMu.Unlock()
	return known && applied >= target
}

// ErrNotCaughtUp is returned by WaitFor when ctx ends first.
var ErrNotCaughtUp = errors.New("projections have not reached the sequence yet")

// WaitFor blocks until the read models include seq (read-your-writes).
func (r *Runner) WaitFor(ctx context.Context, seq uint64) error {
	for {
		r.progressMu.Lock()
		ch := r.progress
		r.progressMu.Unlock()
		if r.Applied() >= seq {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return errors.Join(ErrNotCaughtUp, ctx.Err())
		}
	}
}

// Skipped is the number of log messages this version could not read.
func (r *Runner) Skipped() uint64 {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.skipped
}

// LookupCommand implements domain.CommandIndex.
func (r *Runner) LookupCommand(id string) (domain.Result, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.commands.lookup(id)
}

var _ domain.CommandIndex = (*Runner)(nil)
