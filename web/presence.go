package web

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
)

// PresenceBus carries presence reports between the replicas of one
// Logbuch: plain NATS messages, never the log (presence is not a fact of
// the record and must vanish when nobody looks).
type PresenceBus interface {
	PublishPresence(data []byte) error
	WatchPresence(ctx context.Context, fn func(data []byte)) error
}

// Timing of presence. A closed tab disappears at once (its connection
// ends and the replica reports); a replica that dies silently disappears
// after presenceExpiry.
const (
	presenceHeartbeat = 2 * time.Second
	presenceExpiry    = 7 * time.Second
	maxPresenceField  = 64
)

var presenceFieldPattern = regexp.MustCompile(`^[a-z0-9-]{1,64}$`)

// presenceEntry is one open page: who looks at which space, and the field
// they are editing, if any.
type presenceEntry struct {
	Space  string `json:"s"`
	Person string `json:"p"`
	Name   string `json:"n"`
	Field  string `json:"f,omitempty"`
}

// presenceReport is what a replica tells the others: everything open on it.
type presenceReport struct {
	Replica string          `json:"r"`
	Entries []presenceEntry `json:"e"`
}

// presenceMessage goes to the browser: everybody in one space.
type presenceMessage struct {
	Type   string           `json:"t"` // "presence"
	Space  string           `json:"space"`
	People []presencePerson `json:"people"`
}

type presencePerson struct {
	Person string   `json:"p"`
	Name   string   `json:"n"`
	Fields []string `json:"f"` // fields this person is editing now
}

type remotePresence struct {
	entries []presenceEntry
	seen    time.Time
}

// presence tracks who is where, across replicas.
type presence struct {
	replica string
	bus     PresenceBus // nil: this replica alone
	hub     *Hub
	log     *slog.Logger

	mu       sync.Mutex
	local    map[*subscriber]presenceEntry
	remote   map[string]remotePresence
	lastSent map[*subscriber][]byte
	publish  chan struct{} // local presence changed: report it
	update   chan struct{} // anything changed: tell the browsers
}

func newPresence(bus PresenceBus, hub *Hub, log *slog.Logger) *presence {
	return &presence{replica: uuid.NewString(), bus: bus, hub: hub, log: log,
		local: map[*subscriber]presenceEntry{}, remote: map[string]remotePresence{}, lastSent: map[*subscriber][]byte{},
		publish: make(chan struct{}, 1), update: make(chan struct{}, 1)}
}

func signal(c chan struct{}) {
	select {
	case c <- struct{}{}:
	default:
	}
}

// set records where a connection is and what it edits.
func (p *presence) set(sub *subscriber, e presenceEntry) {
	p.mu.Lock()
	old, had := p.local[sub]
	p.local[sub] = e
	p.mu.Unlock()
	if !had || old != e {
		signal(p.publish)
		signal(p.update)
	}
}

// leave forgets a connection that ended.
func (p *presence) leave(sub *subscriber) {
	p.mu.Lock()
	_, had := p.local[sub]
	delete(p.local, sub)
	delete(p.lastSent, sub)
	p.mu.Unlock()
	if had {
		signal(p.publish)
		signal(p.update)
	}
}

// Run reports this replica's presence, listens to the others and keeps the
// browsers informed, until ctx ends.
func (p *presence) Run(ctx context.Context) {
	if p.bus != nil {
		err := p.bus.WatchPresence(ctx, func(data []byte) {
			var r presenceReport
			if json.Unmarshal(data, &r) != nil || r.Replica == "" || r.Replica == p.replica {
				return
			}
			p.mu.Lock()
			p.remote[r.Replica] = remotePresence{entries: r.Entries, seen: time.Now()}
			p.mu.Unlock()
			signal(p.update)
		})
		if err != nil {
			p.log.Error("cannot watch presence of other replicas; presence shows this replica only", "err", err)
		}
	}
	tick := time.NewTicker(presenceHeartbeat)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			p.mu.Lock()
			clear(p.local)
			p.mu.Unlock()
			p.report() // the others forget this replica's people now
			return
		case <-p.publish:
			p.report()
		case <-p.update:
			p.send()
		case <-tick.C:
			p.report()
			p.expire()
			p.send()
		}
	}
}

func (p *presence) report() {
	if p.bus == nil {
		return
	}
	p.mu.Lock()
	r := presenceReport{Replica: p.replica, Entries: make([]presenceEntry, 0, len(p.local))}
	for _, e := range p.local {
		r.Entries = append(r.Entries, e)
	}
	p.mu.Unlock()
	data, err := json.Marshal(r)
	if err == nil {
		err = p.bus.PublishPresence(data)
	}
	if err != nil {
		p.log.Warn("cannot report presence", "err", err)
	}
}

func (p *presence) expire() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for id, r := range p.remote {
		if time.Since(r.seen) > presenceExpiry {
			delete(p.remote, id)
			signal(p.update)
		}
	}
}

// send tells every local connection who is in its space, when that changed
// for it.
func (p *presence) send() {
	p.mu.Lock()
	bySpace := map[string][]presenceEntry{}
	for _, e := range p.local {
		bySpace[e.Space] = append(bySpace[e.Space], e)
	}
	for _, r := range p.remote {
		for _, e := range r.entries {
			bySpace[e.Space] = append(bySpace[e.Space], e)
		}
	}
	rendered := map[string][]byte{}
	type delivery struct {
		sub *subscriber
		msg []byte
	}
	var out []delivery
	for sub, e := range p.local {
		msg, ok := rendered[e.Space]
		if !ok {
			msg = presenceBytes(e.Space, bySpace[e.Space])
			rendered[e.Space] = msg
		}
		if !bytes.Equal(p.lastSent[sub], msg) {
			p.lastSent[sub] = msg
			out = append(out, delivery{sub, msg})
		}
	}
	p.mu.Unlock()
	for _, d := range out {
		p.hub.send(d.sub, d.msg)
	}
}

// presenceBytes renders the people of one space the same way on every
// replica: one line per person, sorted by name, with the fields they edit.
func presenceBytes(space string, entries []presenceEntry) []byte {
	byPerson := map[string]*presencePerson{}
	for _, e := range entries {
		pp := byPerson[e.Person]
		if pp == nil {
			pp = &presencePerson{Person: e.Person, Name: e.Name, Fields: []string{}}
			byPerson[e.Person] = pp
		}
		if e.Field != "" && !slices.Contains(pp.Fields, e.Field) {
			pp.Fields = append(pp.Fields, e.Field)
		}
	}
	people := make([]presencePerson, 0, len(byPerson))
	for _, pp := range byPerson {
		slices.Sort(pp.Fields)
		people = append(people, *pp)
	}
	slices.SortFunc(people, func(a, b presencePerson) int {
		if c := strings.Compare(a.Name, b.Name); c != 0 {
			return c
		}
		return strings.Compare(a.Person, b.Person)
	})
	msg, _ := json.Marshal(presenceMessage{Type: "presence", Space: space, People: people})
	return msg
}
