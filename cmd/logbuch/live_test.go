package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/google/uuid"

	"logbuch/domain"
)

func join(t *testing.T, m *Main, a *actor, name string) uint64 {
	t.Helper()
	status, out, _ := postJSON(t, a, m.URL()+"/lotsen", uuid.NewString(), fmt.Sprintf(`{"name":%q,"amt":"Archiv","city":"Konstanz"}`, name))
	if status != http.StatusOK {
		t.Fatalf("join %s: %d %v", name, status, out)
	}
	return uint64(out["seq"].(float64))
}

// waitUntil reads messages until one reflects seq; it returns all read.
func readUntilSeq(t *testing.T, ctx context.Context, c *websocket.Conn, seq uint64) []liveMsg {
	t.Helper()
	var got []liveMsg
	for {
		m, ok := readLive(t, ctx, c, 10*time.Second)
		if !ok {
			t.Fatalf("no live update reached seq %d; got %+v", seq, got)
		}
		got = append(got, m)
		if m.Seq >= seq {
			return got
		}
	}
}

func TestChangeReachesEverySubscriberOnceWithIncreasingSeq(t *testing.T) {
	m := startLogbuch(t)
	admin := newActor(t, m, domain.RoleAdmin)
	ctx := testCtx(t)
	start := lastSeq(t, m)
	clients := make([]*websocket.Conn, 5)
	for i := range clients {
		clients[i] = dialLive(t, ctx, m, admin)
		subscribe(t, ctx, clients[i], "roster", start)
	}
	received := make([][]liveMsg, len(clients))
	names := []string{"Ada Ufer", "Bo Hafen", "Cem Steg"}
	for _, name := range names {
		seq := join(t, m, admin, name)
		for i, c := range clients {
			got := readUntilSeq(t, ctx, c, seq)
			received[i] = append(received[i], got...)
			last := got[len(got)-1]
			if last.Seq != seq || !strings.Contains(last.HTML, name) || last.ID != "roster-live" || last.T != "update" {
				t.Fatalf("client %d: update %+v does not show %s at seq %d", i, last, name, seq)
			}
		}
	}
	for i, msgs := range received {
		if len(msgs) != len(names) {
			t.Fatalf("client %d got %d updates for %d changes: each change must arrive once", i, len(msgs), len(names))
		}
		for j := 1; j < len(msgs); j++ {
			if msgs[j].Seq <= msgs[j-1].Seq {
				t.Fatalf("client %d: sequences not increasing: %d then %d", i, msgs[j-1].Seq, msgs[j].Seq)
			}
		}
		// Render once, fan out many: every client got the same bytes.
		for j := range msgs {
			if msgs[j].HTML != received[0][j].HTML {
				t.Fatalf("client %d got other HTML than client 0 for seq %d", i, msgs[j].Seq)
			}
		}
	}
}

func TestReconnectingClientGetsExactlyWhatItMissed(t *testing.T) {
	m := startLogbuch(t)
	admin := newActor(t, m, domain.RoleAdmin)
	ctx := testCtx(t)
	start := lastSeq(t, m)
	// A stays connected throughout, so the hub renders every change.
	a := dialLive(t, ctx, m, admin)
	subscribe(t, ctx, a, "roster", start)
	b := dialLive(t, ctx, m, admin)
	subscribe(t, ctx, b, "roster", start)
	seq := join(t, m, admin, "Dora Damm")
	readUntilSeq(t, ctx, a, seq)
	readUntilSeq(t, ctx, b, seq)
	bLast := seq
	b.Close(websocket.StatusNormalClosure, "")

	var missed []liveMsg
	for _, name := range []string{"Emil Eck", "Fee Furt", "Gus Graben"} {
		seq = join(t, m, admin, name)
		missed = append(missed, readUntilSeq(t, ctx, a, seq)...)
	}
	// B comes back and resumes from the last sequence it saw.
	b2 := dialLive(t, ctx, m, admin)
	subscribe(t, ctx, b2, "roster", bLast)
	resumed := readUntilSeq(t, ctx, b2, seq)
	if len(resumed) != len(missed) {
		t.Fatalf("resume got %d updates, want the %d it missed", len(resumed), len(missed))
	}
	for i := range missed {
		if resumed[i].Seq != missed[i].Seq || resumed[i].HTML != missed[i].HTML || resumed[i].T != "update" {
			t.Fatalf("resume %d: got seq %d (%s), want seq %d", i, resumed[i].Seq, resumed[i].T, missed[i].Seq)
		}
	}
	// A client that is up to date gets nothing on resume; prove it by the
	// next message being the next change.
	b3 := dialLive(t, ctx, m, admin)
	subscribe(t, ctx, b3, "roster", seq)
	next := join(t, m, admin, "Hanna Hang")
	got := readUntilSeq(t, ctx, b3, next)
	if len(got) != 1 {
		t.Fatalf("up-to-date client got %d messages, want only the next change", len(got))
	}
}

func TestClientTooFarBehindGetsFreshFullView(t *testing.T) {
	m := startLogbuch(t)
	admin := newActor(t, m, domain.RoleAdmin)
	ctx := testCtx(t)
	start := lastSeq(t, m)
	// Nobody watches while these happen, so no update is kept for them.
	for i := 0; i < 3; i++ {
		join(t, m, admin, fmt.Sprintf("Ilse %d", i))
	}
	c := dialLive(t, ctx, m, admin)
	subscribe(t, ctx, c, "roster", start)
	msg, ok := readLive(t, ctx, c, 10*time.Second)
	if !ok || msg.T != "reset" || msg.Seq != lastSeq(t, m) || !strings.Contains(msg.HTML, "Ilse 2") {
		t.Fatalf("got %+v, want a fresh full view at the latest sequence", msg)
	}
}

func TestPersonViewIsLive(t *testing.T) {
	m := startLogbuch(t)
	admin := newActor(t, m, domain.RoleAdmin)
	ctx := testCtx(t)
	status, out, _ := postJSON(t, admin, m.URL()+"/lotsen", uuid.NewString(), `{"name":"Jana Jetty","amt":"Archiv","city":"Heilbronn"}`)
	if status != 200 {
		t.Fatal(out)
	}
	id := out["id"].(string)
	c := dialLive(t, ctx, m, admin)
	subscribe(t, ctx, c, "lotse/"+id, lastSeq(t, m))
	status, out, _ = postJSON(t, admin, m.URL()+"/lotsen/"+id+"/amt", uuid.NewString(), `{"amt":"Kulturamt"}`)
	if status != 200 {
		t.Fatal(out)
	}
	got := readUntilSeq(t, ctx, c, uint64(out["seq"].(float64)))
	if last := got[len(got)-1]; last.ID != "person-live" || !strings.Contains(last.HTML, "Archiv → Kulturamt") {
		t.Fatalf("person update: %+v", last)
	}
}

func TestCrossOriginWebSocketIsRefused(t *testing.T) {
	m := startLogbuch(t)
	admin := newActor(t, m, domain.RoleAdmin)
	ctx := testCtx(t)
	_, res, err := websocket.Dial(ctx, strings.Replace(m.URL(), "http", "ws", 1)+"/live", &websocket.DialOptions{
		HTTPHeader: http.Header{"Origin": []string{"https://evil.example"}, "Cookie": []string{"lb_sitzung=" + admin.Cookie}},
	})
	if err == nil {
		t.Fatal("a cross-origin handshake was accepted")
	}
	if res == nil || res.StatusCode != http.StatusForbidden {
		t.Fatalf("cross-origin handshake: got %v, want 403", res)
	}
}

func TestBadLiveMessagesCloseTheSocket(t *testing.T) {
	m := startLogbuch(t)
	admin := newActor(t, m, domain.RoleAdmin)
	for name, msg := range map[string]string{
		"not json":      "{",
		"unknown field": `{"t":"sub","views":["roster"],"since":0,"x":1}`,
		"unknown type":  `{"t":"exec","views":[]}`,
		"bad view":      `{"t":"sub","views":["../etc"],"since":0}`,
		"oversized":     `{"t":"sub","views":["` + strings.Repeat("a", 5000) + `"]}`,
	} {
		t.Run(name, func(t *testing.T) {
			ctx := testCtx(t)
			c := dialLive(t, ctx, m, admin)
			if err := c.Write(ctx, websocket.MessageText, []byte(msg)); err != nil {
				t.Fatal(err)
			}
			_, _, err := c.Read(ctx)
			var ce websocket.CloseError
			if !errors.As(err, &ce) || (ce.Code != websocket.StatusPolicyViolation && ce.Code != websocket.StatusMessageTooBig) {
				t.Fatalf("got %v, want the socket closed as a policy violation or too big", err)
			}
		})
	}
}

func TestShutdownClosesSocketsWithGoingAway(t *testing.T) {
	m := startLogbuch(t)
	admin := newActor(t, m, domain.RoleAdmin)
	ctx := testCtx(t)
	c := dialLive(t, ctx, m, admin)
	subscribe(t, ctx, c, "roster", lastSeq(t, m))
	// The subscription is registered once an update can reach us.
	seq := join(t, m, admin, "Kai Kante")
	readUntilSeq(t, ctx, c, seq)
	closed := make(chan error, 1)
	go func() { _, _, err := c.Read(ctx); closed <- err }()
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-closed:
		if websocket.CloseStatus(err) != websocket.StatusGoingAway {
			t.Fatalf("got %v, want close status going away", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("socket not closed on shutdown")
	}
}
