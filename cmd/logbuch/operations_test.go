package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/google/uuid"

	"logbuch/domain"
	"logbuch/web"
)

func metricValue(t *testing.T, body, series string) float64 {
	t.Helper()
	re := regexp.MustCompile("(?m)^" + regexp.QuoteMeta(series) + ` ([0-9.e+-]+)$`)
	m := re.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no series %s in /metrics", series)
	}
	v, _ := strconv.ParseFloat(m[1], 64)
	return v
}

func TestMetricsReportCommandsConflictsLagAndConnections(t *testing.T) {
	m := startLogbuch(t, "--metrics-token", "geheim")
	admin := newActor(t, m, domain.RoleAdmin)
	ctx := testCtx(t)
	for i := 0; i < 3; i++ {
		join(t, m, admin, fmt.Sprintf("Metrik %d", i))
	}
	postJSON(t, admin, m.URL()+"/lotsen", uuid.NewString(), `{"name":"","amt":"Archiv","city":"Konstanz"}`)
	// A conflict: another writer changes the person behind the server's
	// back, so its cached state is stale and it must decide again.
	target := newPerson(t, m, domain.RoleLotse)
	if s, out, _ := postJSON(t, admin, m.URL()+"/lotsen/"+target+"/amt", uuid.NewString(), `{"amt":"Kulturamt"}`); s != 200 {
		t.Fatal(out)
	}
	other := domain.NewHandler(m.Log, nil, "konstanz")
	if _, err := domain.Execute(ctx, other, domain.Roster, target, domain.Meta{CommandID: uuid.NewString()}, "ChangeRole", any(domain.ChangeRole{Role: domain.RoleAdmin})); err != nil {
		t.Fatal(err)
	}
	if s, out, _ := postJSON(t, admin, m.URL()+"/lotsen/"+target+"/amt", uuid.NewString(), `{"amt":"Archiv"}`); s != 200 {
		t.Fatal(out)
	}
	c := dialLive(t, ctx, m, admin)
	subscribe(t, ctx, c, "roster", 0)
	readLive(t, ctx, c, 10*time.Second)

	if res, _ := http.Get(m.URL() + "/metrics"); res.StatusCode != http.StatusUnauthorized {
		t.Fatalf("metrics without token: %d", res.StatusCode)
	}
	req, _ := http.NewRequest("GET", m.URL()+"/metrics", nil)
	req.Header.Set("Authorization", "Bearer geheim")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	bodyBytes := make([]byte, 1<<20)
	for {
		n, err := res.Body.Read(bodyBytes)
		b.Write(bodyBytes[:n])
		if err != nil {
			break
		}
	}
	res.Body.Close()
	body := b.String()
	if got := metricValue(t, body, `logbuch_commands_total{outcome="ok",type="JoinLotse"}`); got < 3 {
		t.Errorf("joins counted: %v", got)
	}
	if got := metricValue(t, body, `logbuch_commands_total{outcome="invalid",type="JoinLotse"}`); got != 1 {
		t.Errorf("invalid joins counted: %v", got)
	}
	if got := metricValue(t, body, `logbuch_append_seconds_count`); got < 3 {
		t.Errorf("append latency observations: %v", got)
	}
	if got := metricValue(t, body, `logbuch_projection_lag`); got != 0 {
		t.Errorf("lag after read-your-writes: %v", got)
	}
	if got := metricValue(t, body, `logbuch_live_connections`); got != 1 {
		t.Errorf("live connections: %v", got)
	}
	if got := metricValue(t, body, `logbuch_live_subscriptions{view="roster"}`); got != 1 {
		t.Errorf("roster subscriptions: %v", got)
	}
	metricValue(t, body, `logbuch_live_slow_subscribers_closed_total`)
	if got := metricValue(t, body, `logbuch_command_conflicts_total{type="ChangeAmt"}`); got != 1 {
		t.Errorf("conflicts: %v", got)
	}
}

// dialStalled opens a live connection whose client never reads, with a tiny
// receive buffer, so that the server's writes back up quickly.
func dialStalled(t *testing.T, ctx context.Context, m *Main, a *actor) *websocket.Conn {
	t.Helper()
	// The receive buffer is set before connecting, so the window it
	// announces stays small.
	dialer := &net.Dialer{Control: func(network, address string, rc syscall.RawConn) error {
		var serr error
		rc.Control(func(fd uintptr) { serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096) })
		return serr
	}}
	transport := &http.Transport{DialContext: dialer.DialContext}
	c, _, err := websocket.Dial(ctx, strings.Replace(m.URL(), "http", "ws", 1)+"/live", &websocket.DialOptions{
		HTTPClient: &http.Client{Transport: transport},
		HTTPHeader: http.Header{"Origin": []string{m.URL()}, "Cookie": []string{"lb_sitzung=" + a.Cookie}},
	})
	if err != nil {
		t.Fatal(err)
	}
	c.SetReadLimit(8 << 20)
	t.Cleanup(func() { c.CloseNow() })
	return c
}

func TestSlowSubscriberIsClosedOthersKeepReceiving(t *testing.T) {
	m := startLogbuch(t)
	admin := newActor(t, m, domain.RoleAdmin)
	ctx := testCtx(t)
	target := newPerson(t, m, domain.RoleLotse)
	// A person's page grows with every change, so the stalled connection's
	// socket buffers fill after a few hundred updates.
	view := "lotse/" + target
	start := lastSeq(t, m)

	// 200 readers, each as its own person (20 connections per person at most).
	readers := make([]*websocket.Conn, 200)
	people := make([]*actor, 10)
	for i := range people {
		people[i] = newActor(t, m, domain.RoleLotse)
	}
	for i := range readers {
		readers[i] = dialLive(t, ctx, m, people[i%len(people)])
		subscribe(t, ctx, readers[i], view, start)
	}
	slow := dialStalled(t, ctx, m, admin)
	subscribe(t, ctx, slow, view, start)

	var before runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)

	// Every reader keeps reading in the background and remembers the last sequence.
	lastSeen := make([]uint64, len(readers))
	var mu sync.Mutex
	var wg sync.WaitGroup
	readCtx, stopReading := context.WithCancel(ctx)
	defer stopReading()
	for i, c := range readers {
		wg.Add(1)
		go func(i int, c *websocket.Conn) {
			defer wg.Done()
			for {
				_, b, err := c.Read(readCtx)
				if err != nil {
					if readCtx.Err() == nil {
						t.Logf("reader %d: %v", i, err)
					}
					return
				}
				if at := strings.Index(string(b), `"seq":`); at >= 0 {
					var seq uint64
					fmt.Sscanf(string(b[at+6:]), "%d", &seq)
					mu.Lock()
					lastSeen[i] = max(lastSeen[i], seq)
					mu.Unlock()
				}
			}
		}(i, c)
	}
	// Changes until the slow one is closed (its buffer holds 64 updates
	// beyond what the socket buffers take), and a few more.
	role := domain.RoleLotse
	var seq uint64
	change := func() {
		if role == domain.RoleLotse {
			role = domain.RoleAdmin
		} else {
			role = domain.RoleLotse
		}
		res, err := domain.Execute(ctx, m.Commands, domain.Roster, target, domain.Meta{CommandID: uuid.NewString()}, "ChangeRole", any(domain.ChangeRole{Role: role}))
		if err != nil {
			t.Fatal(err)
		}
		seq = res.Seq
	}
	// Each change waits until all 200 readers have it: they keep receiving
	// however loaded the machine is, while the stalled one falls behind
	// until the server closes it.
	allHave := func(seq uint64) bool {
		mu.Lock()
		defer mu.Unlock()
		for _, s := range lastSeen {
			if s < seq {
				return false
			}
		}
		return true
	}
	step := func() {
		change()
		for deadline := time.Now().Add(20 * time.Second); !allHave(seq); time.Sleep(time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("readers stopped receiving at seq %d (%d connections open)", seq, m.Web.LiveConnections())
			}
		}
	}
	slowClosed := func() bool { return m.Web.LiveConnections() <= len(readers) }
	for i := 0; i < 3000 && !slowClosed(); i++ {
		step()
	}
	if !slowClosed() {
		t.Fatal("the stalled subscriber was never closed")
	}
	for i := 0; i < 5; i++ {
		step()
	}
	if got := m.Web.LiveConnections(); got != len(readers) {
		t.Fatalf("%d live connections, want the %d readers", got, len(readers))
	}
	// The slow one's connection has ended: when it reads again it gets what
	// was in flight, then the end (with the reason "too slow" if the close
	// frame still fit into its socket, else a plain end of connection).
	drainCtx, cancelDrain := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancelDrain()
	var closeErr error
	for {
		if _, _, err := slow.Read(drainCtx); err != nil {
			closeErr = err
			break
		}
	}
	var ce websocket.CloseError
	if drainCtx.Err() != nil || (errors.As(closeErr, &ce) && (ce.Code != websocket.StatusPolicyViolation || !strings.Contains(ce.Reason, "too slow"))) {
		t.Fatalf("slow subscriber: %v", closeErr)
	}
	t.Logf("the slow subscriber saw: %v", closeErr)
	var after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&after)
	growth := int64(after.HeapInuse) - int64(before.HeapInuse)
	t.Logf("heap in use grew by %d KiB with 201 connections over %d changes", growth>>10, seq-start)
	if growth > 64<<20 {
		t.Fatalf("heap grew by %d MiB: memory is not bounded", growth>>20)
	}
	stopReading()
	wg.Wait()
}

func TestLiveConnectionsPerPersonAreLimited(t *testing.T) {
	m := startLogbuch(t)
	a := newActor(t, m, domain.RoleLotse)
	ctx := testCtx(t)
	for i := 0; i < 20; i++ {
		dialLive(t, ctx, m, a)
	}
	_, res, err := websocket.Dial(ctx, strings.Replace(m.URL(), "http", "ws", 1)+"/live", &websocket.DialOptions{
		HTTPHeader: http.Header{"Origin": []string{m.URL()}, "Cookie": []string{"lb_sitzung=" + a.Cookie}},
	})
	if err == nil || res == nil || res.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("21st connection of one person: %v %v, want 429", err, res)
	}
	// Someone else is not affected.
	dialLive(t, ctx, m, newActor(t, m, domain.RoleLotse))
}

func TestIdleLiveConnectionIsClosed(t *testing.T) {
	m := startLogbuch(t, "--live-idle", "300ms")
	a := newActor(t, m, domain.RoleLotse)
	ctx := testCtx(t)
	idle := dialLive(t, ctx, m, a)
	busy := dialLive(t, ctx, m, a)
	subscribe(t, ctx, busy, "roster", 0)
	readLive(t, ctx, busy, 5*time.Second)
	_, _, err := idle.Read(ctx)
	var ce websocket.CloseError
	if !errors.As(err, &ce) || !strings.Contains(ce.Reason, "no view subscribed") {
		t.Fatalf("idle connection: %v", err)
	}
	// The server forgets the closed one right after closing it.
	for deadline := time.Now().Add(5 * time.Second); m.Web.LiveConnections() != 1; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%d connections open, want the busy one", m.Web.LiveConnections())
		}
	}
}

// Commands are limited per session or key (10 a second, bursts of 40): a
// runaway client gets 429 with a German message, others are not slowed.
func TestCommandsAreRateLimitedPerClient(t *testing.T) {
	m := startLogbuch(t)
	busy := newActor(t, m, domain.RoleAdmin)
	calm := newActor(t, m, domain.RoleAdmin)
	// 100 at once; invalid on purpose: the limit applies before anything
	// is decided, so this appends nothing either way.
	var mu sync.Mutex
	var wg sync.WaitGroup
	limited := 0
	for i := 0; i < 100; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			status, out, headers := postJSON(t, busy, m.URL()+"/lotsen", uuid.NewString(), `{"name":"","amt":"Archiv","city":"Konstanz"}`)
			if status == http.StatusTooManyRequests {
				mu.Lock()
				defer mu.Unlock()
				limited++
				if headers.Get("Retry-After") == "" || !strings.Contains(fmt.Sprint(out), "Zu viele Aktionen") {
					t.Errorf("429 without Retry-After or German message: %v", out)
				}
			}
		}()
	}
	wg.Wait()
	if limited == 0 {
		t.Fatal("100 commands at once were never limited")
	}
	if status, out, _ := postJSON(t, calm, m.URL()+"/lotsen", uuid.NewString(), `{"name":"Ruhig","amt":"Archiv","city":"Konstanz"}`); status != 200 {
		t.Fatalf("another client was slowed down: %d %v", status, out)
	}
}

func TestSessionCookieIsSecureBehindHTTPS(t *testing.T) {
	m := startLogbuch(t, "--public-url", "https://logbuch.example.de")
	person := newPerson(t, m, domain.RoleLotse)
	link, _, err := web.CreateInviteLink(testCtx(t), m.Log, m.URL(), person)
	if err != nil {
		t.Fatal(err)
	}
	form := url.Values{"email": {"sicher@konstanz.example"}, "password": {"ein sehr langes Passwort"}, "password2": {"ein sehr langes Passwort"}}
	req, _ := http.NewRequest("POST", link, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	res, err := noRedirect.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	for _, c := range res.Cookies() {
		if c.Name == "lb_sitzung" {
			if !c.Secure || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode {
				t.Fatalf("session cookie behind https: %+v", c)
			}
			return
		}
	}
	t.Fatalf("no session cookie (%d)", res.StatusCode)
}

func TestSnapshotAgeIsReported(t *testing.T) {
	m := startLogbuch(t)
	admin := newActor(t, m, domain.RoleAdmin)
	join(t, m, admin, "Schnappschuss")
	if err := m.Runner.SaveSnapshot(testCtx(t)); err != nil {
		t.Fatal(err)
	}
	_, body := getBody(t, nil, m.URL()+"/metrics")
	if age := metricValue(t, body, "logbuch_snapshot_age_seconds"); age < 0 || age > 60 {
		t.Fatalf("snapshot age %v right after a snapshot", age)
	}
}
