package domain

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"math/big"
	"sort"
	"sync"
	"time"

	"github.com/google/uuid"
)

// Anonymous answers: event ratings now, the annual survey later. The
// promise (DOMAIN.md) is that nobody, admins included, learns who answered
// what, not even from the raw log. The mechanism has two halves:
//
//   - The answer command records only *that* someone answered, on an
//     aggregate of its own per (question, person), which refuses a second
//     answer. That participation event is an ordinary event: it names the
//     person and has a precise time, and carries no value.
//   - The value goes into an AnonymousPool, in the server's memory, never
//     into the log, a log line or a metric. A box of the pool (one per
//     question, e.g. one per event) is released to the log only once it
//     holds at least a batch of values (MinAnonymousBatch or more): in an
//     order drawn with crypto/rand, as ONE message without a person
//     (SystemActor), and whose only time is the release time truncated to
//     the hour (AnonymousTime), also inside the event ids (AnonymousEventID
//     via Meta.At).
//
// Why the participation events do not undo this: the log's order tells
// which participations came before a release, so a reader learns the set
// of people behind a batch and the set of their values, never who gave
// which, because the values are shuffled and carry no time finer than the
// batch's hour. A batch is never smaller than the batch size, so a batch of
// one (a value that belongs to exactly one participation) cannot exist;
// the remainder of a box waits for the next answers instead. The stream
// also stores when it received each message: for a batch that is the time
// of its release (a tick of the timer, or the shutdown), which says no more
// than the log's order does.
//
// The price: values still in the pool are lost if the server crashes
// (a graceful shutdown releases every box that holds a batch; a remainder
// smaller than a batch is dropped, as releasing it would make it linkable).
// The participation then stays without its value; writing the pending
// values anywhere durable would record them beside the time they came in,
// which is the very link this design avoids.

// MinAnonymousBatch is the smallest batch of anonymous values ever released.
const MinAnonymousBatch = 3

// AnonymousTime is the only time a released batch carries: the hour.
func AnonymousTime(t time.Time) time.Time { return t.UTC().Truncate(time.Hour) }

// AnonymousPool holds anonymous values in memory, per box, until a box can
// be released in a shuffled batch. It is safe for concurrent use.
type AnonymousPool struct {
	batch   int
	release ReleaseFunc

	mu      sync.Mutex
	pending map[string][]int
	failed  []heldBatch // batches whose release failed: retried exactly as they were
	flushMu sync.Mutex  // one release round at a time
}

// ReleaseFunc writes one batch to the log. id identifies the batch: a
// retry of a batch whose first attempt failed (perhaps after it landed)
// comes with the same id, values and time, so the log can apply it once
// (use it as the command id).
type ReleaseFunc func(ctx context.Context, box, id string, values []int, at time.Time) error

// heldBatch is a formed batch waiting for a successful release.
type heldBatch struct {
	box, id string
	values  []int
	at      time.Time
}

// NewAnonymousPool returns a pool that releases a box once it holds batch
// values (at least MinAnonymousBatch). release writes one batch to the log;
// the values it gets are already shuffled. When it fails, the values go
// back to their box.
func NewAnonymousPool(batch int, release ReleaseFunc) *AnonymousPool {
	return &AnonymousPool{batch: max(batch, MinAnonymousBatch), release: release, pending: map[string][]int{}}
}

// Add puts one value into a box. It never writes; Flush does.
func (p *AnonymousPool) Add(box string, value int) {
	p.mu.Lock()
	p.pending[box] = append(p.pending[box], value)
	p.mu.Unlock()
}

// Pending counts the values waiting in a box (for tests and figures; it
// says nothing about whose they are).
func (p *AnonymousPool) Pending(box string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := len(p.pending[box])
	for _, b := range p.failed {
		if b.box == box {
			n += len(b.values)
		}
	}
	return n
}

// Flush releases every box that holds at least a batch: all its values, in
// a shuffled order, as one batch at the time at (truncated to the hour by
// the caller's command). Smaller boxes keep waiting.
func (p *AnonymousPool) Flush(ctx context.Context, at time.Time) error {
	p.flushMu.Lock()
	defer p.flushMu.Unlock()
	p.mu.Lock()
	retry := p.failed
	p.failed = nil
	ready := map[string][]int{}
	for box, values := range p.pending {
		if len(values) >= p.batch {
			ready[box] = values
			delete(p.pending, box)
		}
	}
	p.mu.Unlock()
	boxes := make([]string, 0, len(ready))
	for box := range ready {
		boxes = append(boxes, box)
	}
	sort.Strings(boxes)
	var errs []error
	for _, box := range boxes {
		values := ready[box]
		if err := Shuffle(values); err != nil {
			// Without a shuffle nothing is released: back into the box.
			errs = append(errs, err)
			p.mu.Lock()
			p.pending[box] = append(p.pending[box], values...)
			p.mu.Unlock()
			continue
		}
		retry = append(retry, heldBatch{box: box, id: uuid.NewString(), values: values, at: at})
	}
	// A batch, once formed, keeps its id, order and time until it is in the
	// log: were its values put back into the box, a release that failed
	// after it landed (a timeout, a leader election) would write them again.
	var failed []heldBatch
	for _, b := range retry {
		if err := p.release(ctx, b.box, b.id, b.values, b.at); err != nil {
			errs = append(errs, err)
			failed = append(failed, b)
		}
	}
	p.mu.Lock()
	p.failed = append(p.failed, failed...)
	p.mu.Unlock()
	return errors.Join(errs...)
}

// Run releases what is ready every interval until ctx ends.
func (p *AnonymousPool) Run(ctx context.Context, every time.Duration, onError func(error)) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			if err := p.Flush(ctx, now); err != nil && onError != nil {
				onError(err)
			}
		}
	}
}

// Shuffle puts values into a uniformly random order drawn from crypto/rand
// (Fisher–Yates), so the order says nothing about the order they came in.
func Shuffle(values []int) error {
	for i := len(values) - 1; i > 0; i-- {
		j, err := rand.Int(rand.Reader, big.NewInt(int64(i+1)))
		if err != nil {
			return err
		}
		values[i], values[j.Int64()] = values[j.Int64()], values[i]
	}
	return nil
}

// eventIDAt returns a UUIDv7 whose time is at (to the millisecond) and
// whose other bits are random. A command with Meta.At gets ids of that
// time, so an anonymous batch's ids carry no time finer than its hour.
func eventIDAt(at time.Time) (uuid.UUID, error) {
	var u uuid.UUID
	if _, err := rand.Read(u[:]); err != nil {
		return u, err
	}
	var ms [8]byte
	binary.BigEndian.PutUint64(ms[:], uint64(at.UnixMilli()))
	copy(u[0:6], ms[2:8])
	u[6] = u[6]&0x0f | 0x70 // version 7
	u[8] = u[8]&0x3f | 0x80 // RFC 4122 variant
	return u, nil
}
