package web

import (
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"sync"

	"logbuch/domain"
	"logbuch/projections"
	"logbuch/web/i18n"
)

// A live update as it travels to the browser. The same bytes go to every
// subscriber of the view.
type liveMessage struct {
	Type string `json:"t"`    // "update": the view changed; "reset": a fresh full view
	View string `json:"view"` // the view it belongs to
	ID   string `json:"id"`   // the element it replaces
	Seq  uint64 `json:"seq"`  // the log sequence it reflects
	HTML string `json:"html"`
}

// renderFunc renders one view once: the id of its element, its HTML and the
// log sequence the HTML reflects. ok is false for a view that does not exist.
type renderFunc func(ctx context.Context, view string) (id string, html []byte, seq uint64, ok bool)

const (
	// ringSize is how many recent updates of a view are kept so that a
	// reconnecting client gets exactly what it missed.
	ringSize = 32
	// subscriberBuffer is how many messages may wait for one connection. A
	// connection that falls further behind is closed, never waited for.
	subscriberBuffer = 64
)

// Hub renders each changed view once and fans the bytes out.
type Hub struct {
	render renderFunc
	log    *slog.Logger
	onSlow func() // counts slow subscribers closed

	mu      sync.Mutex // guards views, subs, closed
	views   map[viewKey]*viewState
	subs    map[*subscriber]struct{}
	closed  bool
	pending map[string]uint64 // view → newest sequence that changed it
	signal  chan struct{}
	done    chan struct{}
}

// viewKey is a view as one language shows it: each language's
// subscribers share the bytes rendered once for that language.
type viewKey struct {
	view string
	lang i18n.Lang
}

type viewState struct {
	subs        map[*subscriber]struct{}
	ring        []*cachedUpdate // oldest first
	floor       uint64          // changes up to floor are not in ring
	lastChanged uint64
	lastSent    uint64
}

type cachedUpdate struct {
	seq   uint64
	bytes []byte
}

type subscriber struct {
	msgs      chan []byte
	views     map[string]bool
	closeSlow func()
	session   string      // the session (or token) it belongs to
	role      domain.Role // checked for every view it subscribes to
	event     string      // a guest's event
	person    string      // the actor: a person id or guest:<id>
	name      string      // the name others see in presence
	lang      i18n.Lang   // the language its pages are in
}

// NewHub returns a hub; call Run to process changes.
func NewHub(render renderFunc, log *slog.Logger) *Hub {
	return &Hub{render: render, log: log, views: map[viewKey]*viewState{}, subs: map[*subscriber]struct{}{},
		pending: map[string]uint64{}, signal: make(chan struct{}, 1), done: make(chan struct{})}
}

// Changed is the runner's listener: it never blocks the runner; changes
// that arrive while the hub renders are coalesced.
func (h *Hub) Changed(c projections.Change) {
	h.mu.Lock()
	for _, v := range c.Views {
		h.pending[v] = c.Seq
	}
	h.mu.Unlock()
	select {
	case h.signal <- struct{}{}:
	default:
	}
}

// Run renders and sends changed views until ctx ends.
func (h *Hub) Run(ctx context.Context) {
	defer close(h.done)
	for {
		select {
		case <-ctx.Done():
			return
		case <-h.signal:
		}
		h.mu.Lock()
		pending := h.pending
		h.pending = map[string]uint64{}
		for view, seq := range pending {
			h.publishLocked(ctx, view, seq)
		}
		h.mu.Unlock()
	}
}

func (h *Hub) state(key viewKey) *viewState {
	vs := h.views[key]
	if vs == nil {
		vs = &viewState{subs: map[*subscriber]struct{}{}}
		h.views[key] = vs
	}
	return vs
}

// renderIn renders a view in a language.
func (h *Hub) renderIn(ctx context.Context, key viewKey) (string, []byte, uint64, bool) {
	return h.render(i18n.With(ctx, i18n.For(key.lang)), key.view)
}

// publishLocked renders a changed view once per language that someone
// follows it in, and sends each rendering to that language's subscribers.
func (h *Hub) publishLocked(ctx context.Context, view string, changedAt uint64) {
	for _, lang := range i18n.Offered() {
		h.publishKeyLocked(ctx, viewKey{view, lang}, changedAt)
	}
}

// publishKeyLocked renders one view in one language. The hub hears of
// every change from the first message on (it listens before the runner
// starts), so lastChanged is exact for every view.
func (h *Hub) publishKeyLocked(ctx context.Context, key viewKey, changedAt uint64) {
	vs := h.state(key)
	if len(vs.subs) == 0 {
		// Nobody watches: remember only that it changed, so a later
		// subscriber with an older sequence gets a fresh full view.
		vs.ring = nil
		vs.lastChanged = max(vs.lastChanged, changedAt)
		vs.floor = vs.lastChanged
		return
	}
	id, html, seq, ok := h.renderIn(ctx, key)
	if !ok || seq <= vs.lastSent {
		return // already sent at this sequence, or gone
	}
	msg, err := json.Marshal(liveMessage{Type: "update", View: key.view, ID: id, Seq: seq, HTML: string(html)})
	if err != nil {
		h.log.Error("encode live update", "view", key.view, "err", err)
		return
	}
	vs.ring = append(vs.ring, &cachedUpdate{seq: seq, bytes: msg})
	if len(vs.ring) > ringSize {
		vs.floor = vs.ring[0].seq
		vs.ring = vs.ring[1:]
	}
	vs.lastChanged, vs.lastSent = seq, seq
	for s := range vs.subs {
		h.sendLocked(s, msg)
	}
}

// sendLocked queues msg for s; a subscriber whose buffer is full is closed.
func (h *Hub) sendLocked(s *subscriber, msg []byte) {
	select {
	case s.msgs <- msg:
	default:
		h.removeLocked(s)
		if h.onSlow != nil {
			h.onSlow()
		}
		go s.closeSlow()
	}
}

// send queues a message that is not a view update (e.g. presence) for one
// connection, if it is still open.
func (h *Hub) send(s *subscriber, msg []byte) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, ok := h.subs[s]; ok {
		h.sendLocked(s, msg)
	}
}

// follows says whether a connection subscribed to a view (and so was
// allowed to see it).
func (h *Hub) follows(s *subscriber, view string) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return s.views[view]
}

func (h *Hub) add(s *subscriber) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return false
	}
	h.subs[s] = struct{}{}
	return true
}

func (h *Hub) removeLocked(s *subscriber) {
	delete(h.subs, s)
	for v := range s.views {
		if vs := h.views[viewKey{v, s.lang}]; vs != nil {
			delete(vs.subs, s)
		}
	}
}

func (h *Hub) remove(s *subscriber) {
	h.mu.Lock()
	h.removeLocked(s)
	h.mu.Unlock()
}

// subscribe adds s to a view and sends what it missed since the sequence
// its page showed: the updates after since, or a fresh full view when the
// hub no longer holds all of them.
func (h *Hub) subscribe(ctx context.Context, s *subscriber, view string, since uint64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, ok := h.subs[s]; !ok {
		return
	}
	key := viewKey{view, s.lang}
	vs := h.state(key)
	vs.subs[s] = struct{}{}
	s.views[view] = true
	switch {
	case since >= vs.lastChanged:
		// up to date
	case since >= vs.floor && len(vs.ring) > 0:
		for _, u := range vs.ring {
			if u.seq > since {
				h.sendLocked(s, u.bytes)
			}
		}
	default:
		h.sendReset(s, ctx, key)
	}
}

func (h *Hub) sendReset(s *subscriber, ctx context.Context, key viewKey) {
	id, html, seq, ok := h.renderIn(ctx, key)
	if !ok {
		return
	}
	msg, err := json.Marshal(liveMessage{Type: "reset", View: key.view, ID: id, Seq: seq, HTML: string(html)})
	if err != nil {
		return
	}
	h.sendLocked(s, msg)
}

// Close stops accepting subscribers and closes every connection with a
// going-away status, so that clients reconnect to the next server.
func (h *Hub) Close(closeConn func(*subscriber)) {
	h.mu.Lock()
	h.closed = true
	subs := make([]*subscriber, 0, len(h.subs))
	for s := range h.subs {
		subs = append(subs, s)
		h.removeLocked(s)
	}
	h.mu.Unlock()
	for _, s := range subs {
		closeConn(s)
	}
}

// Subscribers counts open connections.
func (h *Hub) Subscribers() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.subs)
}

// forgetAll drops every kept update: after an erasure they may show a name
// that must not be shown again. Clients that resume get fresh views.
func (h *Hub) forgetAll() {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, vs := range h.views {
		vs.ring = nil
		vs.floor = vs.lastChanged
	}
}

// subscriptionsByKind counts subscriptions per kind of view.
func (h *Hub) subscriptionsByKind() map[string]int {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := map[string]int{}
	for key, vs := range h.views {
		kind, _, _ := strings.Cut(key.view, "/")
		out[kind] += len(vs.subs)
	}
	return out
}

func (h *Hub) subscriptionCount(s *subscriber) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(s.views)
}
