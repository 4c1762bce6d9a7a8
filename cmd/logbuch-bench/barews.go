package main

import (
	"context"
	"net/http"
	"sync"
	"time"

	"github.com/coder/websocket"
)

// bareHub is the raw engine of the live rows: the broadcast pattern of
// coder/websocket's chat example, nothing else. Each connection has a
// buffered channel and one goroutine that writes from it (plus the
// library's CloseRead reader); a broadcast puts the same []byte in every
// channel and never waits for a slow one. A new connection first gets
// initial, standing in for Logbuch's initial state of a view.
type bareHub struct {
	initial []byte

	mu   sync.Mutex
	subs map[*bareSub]struct{}
}

type bareSub struct {
	msgs      chan []byte
	closeSlow func()
}

func newBareHub(initial []byte) *bareHub {
	return &bareHub{initial: initial, subs: map[*bareSub]struct{}{}}
}

func (h *bareHub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c, err := websocket.Accept(w, r, &websocket.AcceptOptions{CompressionMode: websocket.CompressionDisabled})
	if err != nil {
		return
	}
	defer c.CloseNow()
	ctx := c.CloseRead(r.Context())
	s := &bareSub{msgs: make(chan []byte, 64), closeSlow: func() { c.Close(websocket.StatusPolicyViolation, "too slow") }}
	if h.initial != nil {
		s.msgs <- h.initial
	}
	h.mu.Lock()
	h.subs[s] = struct{}{}
	h.mu.Unlock()
	defer func() {
		h.mu.Lock()
		delete(h.subs, s)
		h.mu.Unlock()
	}()
	for {
		select {
		case msg := <-s.msgs:
			wctx, cancel := context.WithTimeout(ctx, 5*time.Second)
			err := c.Write(wctx, websocket.MessageText, msg)
			cancel()
			if err != nil {
				return
			}
		case <-ctx.Done():
			return
		}
	}
}

// broadcast queues msg for every connection.
func (h *bareHub) broadcast(msg []byte) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for s := range h.subs {
		select {
		case s.msgs <- msg:
		default:
			delete(h.subs, s)
			go s.closeSlow()
		}
	}
}

func (h *bareHub) count() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.subs)
}
