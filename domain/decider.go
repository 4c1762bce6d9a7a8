package domain

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
)

// Decider is the functional core of one aggregate: Decide turns a command into
// new facts given the current state, Evolve folds a fact into the state. Both
// are pure; Initial is the state before the first event.
type Decider[S any, C any] struct {
	Kind    string // the subject token of this aggregate, e.g. "lotse"
	Initial S
	Decide  func(S, C) ([]Data, error)
	Evolve  func(S, Event) S
}

// Fold replays events onto the initial state.
func (d Decider[S, C]) Fold(events []Event) S {
	s := d.Initial
	for _, e := range events {
		s = d.Evolve(s, e)
	}
	return s
}

// Meta is what every command carries besides its own fields.
type Meta struct {
	CommandID string    // chosen by the client; a retry with the same id is applied once
	Actor     string    // who asks
	At        time.Time // when, also the time inside the event ids; the zero value means now
	// NewAggregate says the aggregate id was just made for this command, so
	// there is nothing to load; if it exists after all, the append conflicts
	// and the command is decided again on what is there.
	NewAggregate bool
}

// ErrStale is returned (wrapped) by a Log when the aggregate changed since
// it was loaded: the expected last sequence did not match.
var ErrStale = errors.New("aggregate changed since it was loaded")

// Recorded is one log message: the events of one command.
type Recorded struct {
	Seq         uint64
	Subject     string
	CommandID   string
	CommandType string
	Events      []Event
}

// Commit is what a command appends: all its events, atomically, to one
// aggregate subject, only if the subject's last sequence is still ExpectedSeq.
type Commit struct {
	Subject     string
	ExpectedSeq uint64
	CommandID   string
	CommandType string
	Events      []Event
}

// Appended is the log's answer to a commit.
type Appended struct {
	Seq       uint64
	Duplicate bool // the command id was already in the log; Seq is the earlier message
}

// Log is the event log as the command handler needs it.
type Log interface {
	// Load returns the messages of one aggregate subject in order.
	Load(ctx context.Context, subject string) ([]Recorded, error)
	// Append writes a commit or fails with an error wrapping ErrStale.
	Append(ctx context.Context, c Commit) (Appended, error)
	// Message returns the message stored at seq.
	Message(ctx context.Context, seq uint64) (Recorded, error)
}

// CommandIndex remembers which commands were applied, beyond the log's short
// de-duplication window. The projections keep it.
type CommandIndex interface {
	LookupCommand(id string) (Result, bool)
}

// Result is the answer to a command. A retried command gets the first answer.
type Result struct {
	Seq         uint64
	Subject     string
	CommandType string
	Duplicate   bool // answered from an earlier execution of the same command
}

// AggregateID returns the last token of the subject.
func (r Result) AggregateID() string {
	return r.Subject[strings.LastIndexByte(r.Subject, '.')+1:]
}

// Handler is the only place that loads, decides, appends and retries. It
// keeps the latest state of recently used aggregates, so a command normally
// costs one append; a stale cache only costs a conflict and a reload.
type Handler struct {
	log         Log
	index       CommandIndex
	tenant      string
	maxAttempts int
	now         func() time.Time

	mu    sync.Mutex
	cache map[string]cachedState

	observer  Observer
	placement Placement // federation: shared or own subjects (federation.go)
}

// Observer hears how commands went, for operations figures. It must not
// block.
type Observer interface {
	// CommandDone reports one command: its outcome (an error code, "ok" or
	// "duplicate"), how many appends it tried (more than one: conflicts),
	// and how long its successful append took.
	CommandDone(commandType, outcome string, attempts int, appendTook time.Duration)
}

// SetObserver installs an observer; call before the first command.
func (h *Handler) SetObserver(o Observer) { h.observer = o }

type cachedState struct {
	state any
	seq   uint64
}

const maxCachedAggregates = 10000

// NewHandler returns a command handler that writes to log for one tenant.
// index may be nil (then only the aggregate's own history detects retries).
func NewHandler(log Log, index CommandIndex, tenant string) *Handler {
	return &Handler{log: log, index: index, tenant: tenant, maxAttempts: 5, now: time.Now, cache: map[string]cachedState{}}
}

// Tenant returns the city this handler writes for.
func (h *Handler) Tenant() string { return h.tenant }

// Subject is the log subject of one aggregate instance.
func Subject(tenant, kind, id string) string {
	return "lb." + tenant + "." + kind + "." + id
}

// ValidCommandID reports whether a client-chosen command id is acceptable:
// short, and of characters that are safe in a message header.
func ValidCommandID(id string) bool {
	if len(id) == 0 || len(id) > 64 {
		return false
	}
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

// validToken reports whether s can be one token of a subject.
func validToken(s string) bool {
	return ValidCommandID(s)
}

// Execute runs one command against one aggregate: load, decide, append; on a
// conflict it decides again on fresh state, a bounded number of times.
func Execute[S, C any](ctx context.Context, h *Handler, d Decider[S, C], aggregateID string, meta Meta, commandType string, cmd C) (Result, error) {
	attempts := 0
	var took time.Duration
	res, err := execute(ctx, h, d, aggregateID, meta, commandType, cmd, &attempts, &took)
	if h.observer != nil {
		outcome := "ok"
		switch {
		case err != nil:
			outcome = ErrorCode(err)
		case res.Duplicate:
			outcome = "duplicate"
		}
		h.observer.CommandDone(commandType, outcome, attempts, took)
	}
	return res, err
}

func execute[S, C any](ctx context.Context, h *Handler, d Decider[S, C], aggregateID string, meta Meta, commandType string, cmd C, attempts *int, took *time.Duration) (Result, error) {
	if !ValidCommandID(meta.CommandID) {
		return Result{}, FieldError("command_id", "err.command.id_invalid")
	}
	if !validToken(aggregateID) {
		return Result{}, Errorf(ENOTFOUND, "err.command.not_found")
	}
	if h.index != nil {
		if r, ok := h.index.LookupCommand(meta.CommandID); ok {
			return sameCommand(r, commandType)
		}
	}
	subject, err := h.subjectOf(ctx, d.Kind, aggregateID, meta.NewAggregate, cmd)
	if err != nil {
		return Result{}, err
	}
	at := meta.At
	if at.IsZero() {
		at = h.now()
	}
	for attempt := 0; attempt < h.maxAttempts; attempt++ {
		var state S
		var seq uint64
		var earlier *Recorded
		var err error
		if meta.NewAggregate && attempt == 0 {
			state = d.Initial
		} else {
			state, seq, earlier, err = loadState(ctx, h, d, subject, attempt > 0, meta.CommandID)
		}
		if err != nil {
			return Result{}, err
		}
		if earlier != nil {
			return sameCommand(Result{Seq: earlier.Seq, Subject: subject, CommandType: earlier.CommandType}, commandType)
		}
		data, err := d.Decide(state, cmd)
		if err != nil {
			return Result{}, err
		}
		if len(data) == 0 {
			return Result{Seq: seq, Subject: subject, CommandType: commandType}, nil
		}
		events := make([]Event, len(data))
		for i, dt := range data {
			id, err := uuid.NewV7()
			if !meta.At.IsZero() {
				id, err = eventIDAt(meta.At) // the id tells no other time than At
			}
			if err != nil {
				return Result{}, fmt.Errorf("new event id: %w", err)
			}
			events[i] = Event{ID: id, Type: dt.EventType(), Version: eventTypes[dt.EventType()].version, At: at, Actor: meta.Actor, Tenant: h.tenant, Data: dt}
		}
		*attempts++
		start := time.Now()
		app, err := h.log.Append(ctx, Commit{Subject: subject, ExpectedSeq: seq, CommandID: meta.CommandID, CommandType: commandType, Events: events})
		*took = time.Since(start)
		if errors.Is(err, ErrStale) {
			h.forget(subject)
			continue
		}
		if err != nil {
			return Result{}, fmt.Errorf("append %s to %s: %w", commandType, subject, err)
		}
		if app.Duplicate {
			// The same command raced us to the log (a double click, a retry).
			h.forget(subject)
			rec, err := h.log.Message(ctx, app.Seq)
			if err != nil {
				return Result{}, fmt.Errorf("read earlier command %s at %d: %w", meta.CommandID, app.Seq, err)
			}
			return sameCommand(Result{Seq: rec.Seq, Subject: rec.Subject, CommandType: rec.CommandType}, commandType)
		}
		for _, e := range events {
			state = d.Evolve(state, e)
		}
		h.remember(subject, state, app.Seq)
		return Result{Seq: app.Seq, Subject: subject, CommandType: commandType}, nil
	}
	return Result{}, Errorf(EBUSY, "err.command.busy")
}

func sameCommand(r Result, commandType string) (Result, error) {
	if r.CommandType != commandType {
		return Result{}, FieldError("command_id", "err.command.id_reused")
	}
	r.Duplicate = true
	return r, nil
}

// loadState returns the aggregate's state and last sequence, from the cache
// unless fresh is set. If the history holds the command already, earlier is
// that message.
func loadState[S, C any](ctx context.Context, h *Handler, d Decider[S, C], subject string, fresh bool, commandID string) (S, uint64, *Recorded, error) {
	if !fresh {
		h.mu.Lock()
		c, ok := h.cache[subject]
		h.mu.Unlock()
		if s, typed := c.state.(S); ok && typed {
			return s, c.seq, nil, nil
		}
	}
	history, err := h.log.Load(ctx, subject)
	if err != nil {
		var zero S
		return zero, 0, nil, fmt.Errorf("load %s: %w", subject, err)
	}
	state, seq := d.Initial, uint64(0)
	for i := range history {
		if history[i].CommandID == commandID {
			return state, 0, &history[i], nil
		}
		for _, e := range history[i].Events {
			state = d.Evolve(state, e)
		}
		seq = history[i].Seq
	}
	h.remember(subject, state, seq)
	return state, seq, nil, nil
}

func (h *Handler) remember(subject string, state any, seq uint64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if c, ok := h.cache[subject]; ok && c.seq > seq {
		return
	}
	if len(h.cache) >= maxCachedAggregates {
		// Dropping arbitrary entries is fine: a miss only costs one load.
		n := 0
		for k := range h.cache {
			delete(h.cache, k)
			if n++; n >= maxCachedAggregates/2 {
				break
			}
		}
	}
	h.cache[subject] = cachedState{state: state, seq: seq}
}

func (h *Handler) forget(subject string) {
	h.mu.Lock()
	delete(h.cache, subject)
	h.mu.Unlock()
}
