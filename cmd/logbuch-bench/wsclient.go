package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
	"github.com/google/uuid"

	"logbuch/domain"
	"logbuch/embed"
	"logbuch/web"
)

// webEnv is the real Logbuch web server over a fresh log, with a roster of
// some Lotsen and a session cookie of an admin for the live socket.
type webEnv struct {
	*lbEnv
	srv     *web.Server
	http    *httptest.Server
	cookie  string // "lb_sitzung=…"
	people  []string
	stopHub context.CancelFunc
}

func openWebEnv(ctx context.Context, lotsen int) (*webEnv, error) {
	return openWebEnvOn(ctx, embed.Config{}, lotsen)
}

// openWebEnvOn is openWebEnv on a log with the given settings (e.g. a
// NATS cluster).
func openWebEnvOn(ctx context.Context, cfg embed.Config, lotsen int) (*webEnv, error) {
	w := &webEnv{}
	env, err := openLogbuch(ctx, cfg, func(e *lbEnv) {
		w.srv = web.NewServer(web.Config{Logger: quiet, Demo: true, CommandRate: 1e9, CommandBurst: 1 << 30, MaxConnsPerPerson: 100000}, e.handler, e.runner, e.log)
	})
	if err != nil {
		return nil, err
	}
	w.lbEnv = env
	hubCtx, stop := context.WithCancel(ctx)
	w.stopHub = stop
	go w.srv.Run(hubCtx)
	w.http = httptest.NewServer(w.srv)
	fail := func(err error) (*webEnv, error) {
		w.close()
		return nil, err
	}
	admin := uuid.Must(uuid.NewV7()).String()
	if _, err := joinLotse(ctx, env.handler, admin, domain.RoleAdmin, "Bench Admin", domain.Aemter[0]); err != nil {
		return fail(err)
	}
	w.people = make([]string, lotsen)
	if _, err := measure(8, lotsen, func(i int) error {
		w.people[i] = uuid.Must(uuid.NewV7()).String()
		_, err := joinLotse(ctx, env.handler, w.people[i], domain.RoleLotse, fmt.Sprintf("Lotsin %03d Beispiel", i), domain.Aemter[i%len(domain.Aemter)])
		return err
	}); err != nil {
		return fail(err)
	}
	last, err := env.log.LastSeq(ctx)
	if err != nil {
		return fail(err)
	}
	if err := env.runner.WaitFor(ctx, last); err != nil {
		return fail(err)
	}
	link, err := web.CreateDemoLogin(ctx, env.log, w.http.URL, admin)
	if err != nil {
		return fail(err)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.Get(link)
	if err != nil {
		return fail(err)
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	for _, c := range res.Cookies() {
		if c.Name == "lb_sitzung" {
			w.cookie = c.Name + "=" + c.Value
		}
	}
	if w.cookie == "" {
		return fail(fmt.Errorf("demo login gave no session cookie (status %d)", res.StatusCode))
	}
	return w, nil
}

func (w *webEnv) liveURL() string { return "ws" + strings.TrimPrefix(w.http.URL, "http") + "/live" }

func (w *webEnv) close() {
	w.srv.CloseLive()
	w.http.Close()
	w.stopHub()
	w.lbEnv.close()
}

// subMessage subscribes to the roster from sequence 0, so that the server
// answers with the full view: the connection's initial state.
var subMessage = []byte(`{"t":"sub","views":["roster"],"since":0}`)

// dialOptions of every client: the session cookie (for Logbuch) and no
// compression, as the server has it.
func dialOptions(cookie string) *websocket.DialOptions {
	o := &websocket.DialOptions{CompressionMode: websocket.CompressionDisabled, HTTPHeader: http.Header{}}
	if cookie != "" {
		o.HTTPHeader.Set("Cookie", cookie)
	}
	return o
}

// dialAll opens n connections, a few at a time (the listen backlog is
// finite), sends sub on each if set, and returns them.
func dialAll(ctx context.Context, url, cookie string, n int, sub []byte) ([]*websocket.Conn, error) {
	conns := make([]*websocket.Conn, n)
	_, err := measure(32, n, func(i int) error {
		var c *websocket.Conn
		var err error
		for attempt := 0; ; attempt++ {
			dctx, cancel := context.WithTimeout(ctx, 30*time.Second)
			c, _, err = websocket.Dial(dctx, url, dialOptions(cookie))
			cancel()
			if err == nil || attempt == 3 {
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
		if err != nil {
			return fmt.Errorf("dial %d: %w", i, err)
		}
		c.SetReadLimit(8 << 20)
		conns[i] = c
		if sub != nil {
			wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
			defer cancel()
			return c.Write(wctx, websocket.MessageText, sub)
		}
		return nil
	})
	if err != nil {
		closeAll(conns)
		return nil, err
	}
	return conns, nil
}

func closeAll(conns []*websocket.Conn) {
	for _, c := range conns {
		if c != nil {
			c.CloseNow()
		}
	}
}

// subscribers reads every connection in a goroutine of its own and records
// when each message arrives: the first is the initial state, the next ones
// are rounds 0, 1, ….
type subscribers struct {
	conns    []*websocket.Conn
	initial  sync.WaitGroup
	arrivals [][]time.Time  // [round][connection]
	got      []atomic.Int64 // arrivals per round
	done     []chan struct{}
	first    [][]byte // the bytes connection 0 received: initial, then each round
	firstMu  sync.Mutex
	lost     atomic.Int64 // connections that ended early
	lostErr  atomic.Value // the first error of a connection that ended before its initial state
}

func readAll(ctx context.Context, conns []*websocket.Conn, rounds int) *subscribers {
	s := &subscribers{conns: conns, arrivals: make([][]time.Time, rounds), got: make([]atomic.Int64, rounds), done: make([]chan struct{}, rounds)}
	for r := range rounds {
		s.arrivals[r] = make([]time.Time, len(conns))
		s.done[r] = make(chan struct{})
	}
	s.initial.Add(len(conns))
	for i, c := range conns {
		go func() {
			msg := -1
			for {
				_, data, err := c.Read(ctx)
				now := time.Now()
				if err != nil {
					if msg < 0 {
						s.lostErr.CompareAndSwap(nil, err)
						s.initial.Done()
					}
					s.lost.Add(1)
					return
				}
				if i == 0 {
					s.firstMu.Lock()
					s.first = append(s.first, data)
					s.firstMu.Unlock()
				}
				if msg < 0 {
					s.initial.Done()
				} else if msg < rounds {
					s.arrivals[msg][i] = now
					if s.got[msg].Add(1) == int64(len(conns)) {
						close(s.done[msg])
					}
				}
				msg++
			}
		}()
	}
	return s
}

// waitInitial waits until every connection has its initial state.
func (s *subscribers) waitInitial(limit time.Duration) error {
	ok := make(chan struct{})
	go func() { s.initial.Wait(); close(ok) }()
	select {
	case <-ok:
	case <-time.After(limit):
		return fmt.Errorf("initial state not received by every connection within %s", limit)
	}
	if n := s.lost.Load(); n > 0 {
		return fmt.Errorf("%d connections closed before their initial state (first: %v)", n, s.lostErr.Load())
	}
	return nil
}

// latencies waits for round r and returns each connection's delay after
// t0; connections that got nothing within limit are counted as missing.
func (s *subscribers) latencies(r int, t0 time.Time, limit time.Duration) ([]time.Duration, int) {
	select {
	case <-s.done[r]:
	case <-time.After(limit):
	}
	var out []time.Duration
	missing := 0
	for _, at := range s.arrivals[r] {
		if at.IsZero() {
			missing++
			continue
		}
		out = append(out, max(0, at.Sub(t0)))
	}
	return out, missing
}

func (s *subscribers) firstBytes(i int) []byte {
	s.firstMu.Lock()
	defer s.firstMu.Unlock()
	if i < len(s.first) {
		return s.first[i]
	}
	return nil
}

// The client process of the memory rows: it holds the client side of the
// connections, so that the server's process measures only its own side.

const clientModeArg = "ws-client-process"

func runClientProcess(args []string) error {
	fs := flag.NewFlagSet(clientModeArg, flag.ContinueOnError)
	url := fs.String("url", "", "WebSocket URL")
	n := fs.Int("n", 0, "connections")
	cookie := fs.String("cookie", "", "Cookie header")
	sub := fs.Bool("sub", false, "subscribe to the roster")
	if err := fs.Parse(args); err != nil {
		return err
	}
	raiseFileLimit()
	ctx := context.Background()
	var msg []byte
	if *sub {
		msg = subMessage
	}
	conns, err := dialAll(ctx, *url, *cookie, *n, msg)
	if err != nil {
		return err
	}
	subs := readAll(ctx, conns, 0)
	if err := subs.waitInitial(2 * time.Minute); err != nil {
		return err
	}
	fmt.Printf("ready %d\n", len(conns))
	// Hold the connections until the parent closes stdin.
	io.Copy(io.Discard, bufio.NewReader(os.Stdin))
	closeAll(conns)
	return nil
}
