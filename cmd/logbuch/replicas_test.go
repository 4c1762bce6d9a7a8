package main

import (
	"context"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/google/uuid"
	"github.com/nats-io/nats-server/v2/server"

	"logbuch/domain"
	"logbuch/web"
)

// startSharedNATS runs one NATS server (loopback, token) that several
// Logbuch replicas use.
func startSharedNATS(t *testing.T) (string, string) {
	t.Helper()
	const token = "replica-token"
	s, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: -1, JetStream: true, StoreDir: t.TempDir(),
		SyncAlways: true, Authorization: token, NoSigs: true, NoLog: true})
	if err != nil {
		t.Fatal(err)
	}
	s.Start()
	if !s.ReadyForConnections(10 * time.Second) {
		t.Fatal("NATS not ready")
	}
	t.Cleanup(s.Shutdown)
	return s.ClientURL(), token
}

func TestTwoReplicasOnOneNATS(t *testing.T) {
	natsURL, token := startSharedNATS(t)
	a := startLogbuch(t, "--nats-url", natsURL, "--nats-token", token)
	b := startLogbuch(t, "--nats-url", natsURL, "--nats-token", token)
	ctx := testCtx(t)

	// An admin whose account is made through replica A.
	admin := newActor(t, a, domain.RoleAdmin)
	last, _ := a.Log.LastSeq(ctx)
	if err := b.Runner.WaitFor(ctx, last); err != nil {
		t.Fatal(err)
	}
	// A browser on replica A follows the roster.
	live := dialLive(t, ctx, a, admin)
	subscribe(t, ctx, live, "roster", last)

	// A command through replica B (its own API key, same secret buckets).
	tokB, _, err := web.CreateAPIToken(ctx, b.Log, admin.Person, "B")
	if err != nil {
		t.Fatal(err)
	}
	status, out, _ := postJSON(t, &actor{Token: tokB}, b.URL()+"/lotsen", uuid.NewString(), `{"name":"Über Replik B","amt":"Archiv","city":"Konstanz"}`)
	if status != 200 {
		t.Fatalf("command through B: %d %v", status, out)
	}
	seq := uint64(out["seq"].(float64))
	// Read-your-writes on the replica that took the write.
	if p, _, ok := b.Runner.Person(out["id"].(string)); !ok || p.Name != "Über Replik B" {
		t.Fatal("replica B answered before its read model had the write")
	}
	// The browser on A sees it live.
	got := readUntilSeq(t, ctx, live, seq)
	if !strings.Contains(got[len(got)-1].HTML, "Über Replik B") {
		t.Fatal("the update on replica A does not show the change made through B")
	}

	// Both replicas race on one aggregate: one wins, the other decides again.
	id := out["id"].(string)
	for _, m := range []*Main{a, b} { // warm both caches
		if _, err := domain.Execute(ctx, m.Commands, domain.Roster, id, domain.Meta{CommandID: uuid.NewString()}, "ChangeRole", any(domain.ChangeRole{Role: pickRole(m == a)})); err != nil && domain.ErrorCode(err) != domain.EINVALID {
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i, m := range []*Main{a, b} {
		wg.Add(1)
		go func(i int, m *Main) {
			defer wg.Done()
			amt := []string{"Kulturamt", "Hauptamt"}[i]
			_, errs[i] = domain.Execute(ctx, m.Commands, domain.Roster, id, domain.Meta{CommandID: uuid.NewString()}, "ChangeAmt", any(domain.ChangeAmt{Amt: amt}))
		}(i, m)
	}
	wg.Wait()
	if errs[0] != nil || errs[1] != nil {
		t.Fatalf("racing replicas: %v / %v", errs[0], errs[1])
	}
	msgs, err := a.Log.Load(ctx, "lb.konstanz.lotse."+id)
	if err != nil {
		t.Fatal(err)
	}
	amt := "Archiv"
	for _, m := range msgs {
		if c, ok := m.Events[0].Data.(domain.LotseAmtChanged); ok {
			if c.From != amt {
				t.Fatalf("a replica decided on stale state: from %s, but it was %s", c.From, amt)
			}
			amt = c.To
		}
	}

	// Logging out everywhere through B closes the socket held by A.
	admin.CSRF = admin.csrfFrom(t, b, "/konto")
	if res := postForm(t, b, admin, "/konto/ueberall-abmelden", url.Values{}); res.StatusCode != 303 {
		t.Fatalf("logout through B: %d", res.StatusCode)
	}
	rctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	var readErr error
	for readErr == nil {
		_, _, readErr = live.Read(rctx)
	}
	if !isPolicyClose(readErr) {
		t.Fatalf("A's socket after logout through B: %v", readErr)
	}
}

func pickRole(first bool) domain.Role {
	if first {
		return domain.RoleAdmin
	}
	return domain.RoleLenkungsgruppe
}

func TestBrowserOnReplicaASeesCommandThroughReplicaB(t *testing.T) {
	natsURL, token := startSharedNATS(t)
	a := startLogbuch(t, "--demo", "--nats-url", natsURL, "--nats-token", token)
	b := startLogbuch(t, "--demo", "--nats-url", natsURL, "--nats-token", token)
	ctx := testCtx(t)
	browser := newBrowser(t)
	within(t, browser, 20*time.Second, chromedp.Navigate(a.DemoLinks["Lotsin"]), chromedp.Navigate(a.URL()+"/lotsen"))
	waitFor(t, browser, liveOnline)
	eval[bool](t, browser, `window.__noReload = true`)

	admin, ok := b.Runner.PersonByEmail(demoEmail("Anja Brenner"))
	if !ok {
		t.Fatal("no demo admin on replica B")
	}
	tok, _, err := web.CreateAPIToken(ctx, b.Log, admin.ID, "B")
	if err != nil {
		t.Fatal(err)
	}
	if status, out, _ := postJSON(t, &actor{Token: tok}, b.URL()+"/lotsen", uuid.NewString(), `{"name":"Replika Rita","amt":"Archiv","city":"Konstanz"}`); status != 200 {
		t.Fatalf("command through B: %d %v", status, out)
	}
	waitFor(t, browser, `document.getElementById("roster-live").textContent.includes("Replika Rita")`)
	if !eval[bool](t, browser, `window.__noReload === true`) {
		t.Fatal("the page on replica A reloaded instead of updating live")
	}
}
