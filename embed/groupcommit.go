package embed

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"

	"github.com/nats-io/nats.go"
	"github.com/synadia-io/orbit.go/jetstreamext"

	"logbuch/domain"
)

// Group commit: fsync before acknowledging is the rule, and one durable
// write per command is slow. Commands that arrive while a write is under way
// are gathered and written together as one JetStream atomic batch: one
// round trip and one commit for all of them. Each keeps its own expected
// sequence and gets its own answer: if any expectation in the batch fails,
// the batch writes nothing, and each of its commands is then written on its
// own, so that the winner lands and only the loser sees the conflict.

const maxGroup = 256

// groupAbove is how many appends must be under way before they are
// grouped: an atomic batch has a fixed cost (two round trips), so with few
// writers, concurrent single writes are faster (measured by make bench).
const groupAbove = 32

type groupCommit struct {
	log     *Log
	queue   chan *pendingAppend
	done    chan struct{}
	stopped sync.Once

	batches, grouped, fallbacks atomic.Int64
	inflight                    atomic.Int64
}

type pendingAppend struct {
	ctx    context.Context
	commit domain.Commit
	msg    *nats.Msg
	result chan appendResult
}

type appendResult struct {
	app domain.Appended
	err error
}

func newGroupCommit(l *Log) *groupCommit {
	g := &groupCommit{log: l, queue: make(chan *pendingAppend, 4*maxGroup), done: make(chan struct{})}
	go g.run()
	return g
}

// errLogClosed answers commands that arrive while the log shuts down.
var errLogClosed = errors.New("the log is closing")

func (g *groupCommit) append(ctx context.Context, c domain.Commit, msg *nats.Msg) (domain.Appended, error) {
	if g.inflight.Add(1) <= groupAbove {
		defer g.inflight.Add(-1)
		return g.log.publishOne(ctx, c, msg)
	}
	defer g.inflight.Add(-1)
	p := &pendingAppend{ctx: ctx, commit: c, msg: msg, result: make(chan appendResult, 1)}
	select {
	case g.queue <- p:
	case <-g.done:
		return domain.Appended{}, errLogClosed
	case <-ctx.Done():
		return domain.Appended{}, ctx.Err()
	}
	select {
	case r := <-p.result:
		return r.app, r.err
	case <-ctx.Done():
		// The write may still land; the command id makes a retry safe.
		return domain.Appended{}, ctx.Err()
	}
}

func (g *groupCommit) stop() {
	g.stopped.Do(func() { close(g.done) })
}

func (g *groupCommit) run() {
	var carry []*pendingAppend
	for {
		var first *pendingAppend
		if len(carry) > 0 {
			first, carry = carry[0], carry[1:]
		} else {
			select {
			case first = <-g.queue:
			case <-g.done:
				g.drain()
				return
			}
		}
		// One command per subject and per command id in a batch: a second
		// one on the same aggregate must see the first one's result.
		batch := []*pendingAppend{first}
		subjects := map[string]bool{first.commit.Subject: true}
		ids := map[string]bool{first.commit.CommandID: true}
		take := func(p *pendingAppend) {
			if subjects[p.commit.Subject] || ids[p.commit.CommandID] {
				carry = append(carry, p)
				return
			}
			subjects[p.commit.Subject], ids[p.commit.CommandID] = true, true
			batch = append(batch, p)
		}
		rest := carry
		carry = nil
		for _, p := range rest {
			if len(batch) < maxGroup {
				take(p)
			} else {
				carry = append(carry, p)
			}
		}
	gather:
		for len(batch) < maxGroup {
			select {
			case p := <-g.queue:
				take(p)
			default:
				break gather
			}
		}
		g.write(batch)
	}
}

// drain answers what is still queued when the log closes.
func (g *groupCommit) drain() {
	for {
		select {
		case p := <-g.queue:
			p.result <- appendResult{err: errLogClosed}
		default:
			return
		}
	}
}

func (g *groupCommit) write(batch []*pendingAppend) {
	live := batch[:0]
	for _, p := range batch {
		if p.ctx.Err() != nil {
			p.result <- appendResult{err: p.ctx.Err()}
			continue
		}
		live = append(live, p)
	}
	if len(live) == 0 {
		return
	}
	if len(live) == 1 {
		p := live[0]
		app, err := g.log.publishOne(p.ctx, p.commit, p.msg)
		p.result <- appendResult{app, err}
		return
	}
	g.batches.Add(1)
	msgs := make([]*nats.Msg, len(live))
	for i, p := range live {
		msgs[i] = p.msg
	}
	ctx, cancel := context.WithTimeout(context.Background(), g.log.js.Options().DefaultTimeout)
	ack, err := jetstreamext.PublishMsgBatch(ctx, g.log.js, msgs)
	cancel()
	if err == nil {
		// A batch lands in order, on consecutive sequences.
		first := ack.Sequence - uint64(len(live)) + 1
		for i, p := range live {
			p.result <- appendResult{app: domain.Appended{Seq: first + uint64(i)}}
		}
		g.grouped.Add(int64(len(live)))
		return
	}
	// An expectation failed, or a command id was seen before: nothing was
	// written. Each command now goes on its own and gets its own answer.
	g.fallbacks.Add(1)
	for _, p := range live {
		for _, h := range []string{jetstreamext.BatchIDHeader, jetstreamext.BatchSeqHeader, jetstreamext.BatchCommitHeader} {
			p.msg.Header.Del(h)
		}
		p.msg.Reply = ""
		app, err := g.log.publishOne(p.ctx, p.commit, p.msg)
		p.result <- appendResult{app, err}
	}
}

// GroupCommitStats says how many batches were written, how many commands
// went in them, and how many batches fell back to single writes.
func (l *Log) GroupCommitStats() (batches, commands, fallbacks int64) {
	if l.commits == nil {
		return 0, 0, 0
	}
	return l.commits.batches.Load(), l.commits.grouped.Load(), l.commits.fallbacks.Load()
}
