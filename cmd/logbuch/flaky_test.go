package main

import (
	"bytes"
	"context"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// freeAddr finds a port that is free now, so that a server can be stopped
// and started again at the same URL (the browser's cookie is per host and
// port, and its pending form posts to that URL).
func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// exportLines counts the events in a stopped server's data dir.
func exportLines(t *testing.T, dir string) int {
	t.Helper()
	var out, errs bytes.Buffer
	if err := run(context.Background(), []string{"export", "--data-dir", dir}, func(string) string { return "" }, nil, &out, &errs); err != nil {
		t.Fatalf("export: %v (%s)", err, errs.String())
	}
	return strings.Count(out.String(), "\n")
}

// artifactOf saves a screenshot of one element (a form is hard to see on a
// full page of a narrow browser), next to those of artifact.
func artifactOf(t *testing.T, tab context.Context, sel, name string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(tab, 10*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.Screenshot(chromedp.CSS(sel)))
	if err != nil {
		t.Logf("screenshot %s: %v", name, err)
		return
	}
	dir := filepath.Join("..", "..", "test-artifacts")
	os.MkdirAll(dir, 0o755)
	os.WriteFile(filepath.Join(dir, name), png, 0o644)
}

// TestBrowserFormSubmittedOfflineIsSentOnceWhenBack: at a workshop the
// Wi-Fi (here: the whole server) is gone when the admin clicks "Aufnehmen".
// The form stays on the page, marked as pending, and is sent again with the
// same command id once Logbuch answers; the Lotse is taken in once. (That a
// second post of the same command id appends nothing, for the case where the
// first post arrived but its answer was lost, is
// TestSameCommandTwiceAppendsOnceAndAnswersAlike.)
func TestBrowserFormSubmittedOfflineIsSentOnceWhenBack(t *testing.T) {
	start := time.Now()
	dir := t.TempDir()
	addr := freeAddr(t)
	// A later --http overrides the one startLogbuchIn passes first.
	m := startLogbuchIn(t, dir, "--demo", "--http", addr)
	if m.URL() != "http://"+addr {
		t.Fatalf("Logbuch listens on %s, want http://%s", m.URL(), addr)
	}
	tab := newBrowser(t)
	within(t, tab, 20*time.Second, chromedp.Navigate(m.DemoLinks["Admin"]), chromedp.Navigate(m.URL()+"/lotsen"))
	waitFor(t, tab, liveOnline)
	const name = "Wanda Wackelnetz"
	within(t, tab, 20*time.Second,
		chromedp.SendKeys(chromedp.CSS("#join-name"), name),
		chromedp.SetValue(chromedp.CSS("#join-amt"), "Kulturamt"),
	)
	commandID := eval[string](t, tab, `document.querySelector('#join input[name="command_id"]').value`)
	if commandID == "" {
		t.Fatal("the join form carries no command id")
	}
	before := lastSeq(t, m)

	// The connection goes; the admin clicks anyway.
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	within(t, tab, 20*time.Second, chromedp.Click(chromedp.CSS(`#join button[type="submit"]`)))
	waitFor(t, tab, `(document.querySelector("#join .form-status") || {}).textContent?.includes("Keine Verbindung") === true`)
	if got := eval[string](t, tab, `location.pathname + location.search`); got != "/lotsen" {
		t.Errorf("the page left the form: %s", got)
	}
	if !eval[bool](t, tab, `document.getElementById("join").classList.contains("form-pending") && document.querySelector('#join button[type="submit"]').disabled`) {
		t.Error("the pending form is not marked, or its button can still be clicked")
	}
	if got := eval[string](t, tab, `document.querySelector("#join .form-status").getAttribute("role")`); got != "status" {
		t.Errorf("the pending note has role %q, want status", got)
	}
	if got := eval[string](t, tab, `document.getElementById("join-name").value`); got != name {
		t.Errorf("the pending form shows name %q, want what was typed", got)
	}
	// The submission is kept for a reload, with the form's own command id.
	stored := eval[string](t, tab, `JSON.stringify(Object.keys(sessionStorage).filter(k => k.startsWith("logbuch-pending:")).map(k => JSON.parse(sessionStorage.getItem(k))))`)
	if !strings.Contains(stored, "command_id="+commandID) || strings.Count(stored, `"action"`) != 1 {
		t.Errorf("stored pending submissions %s, want one with command_id=%s", stored, commandID)
	}
	artifact(t, tab, "pending.png")
	artifactOf(t, tab, "#join", "pending-form.png")
	// Nothing reached the log.
	if got := exportLines(t, dir); uint64(got) != before {
		t.Fatalf("the log holds %d events while the server was down, want %d", got, before)
	}

	// The connection is back: same data dir, same URL. The retry (with
	// backoff, no reload and no click) arrives and the next page shows it.
	back := time.Now()
	m2 := startLogbuchIn(t, dir, "--demo", "--http", addr)
	waitFor(t, tab, `location.pathname === "/lotsen" && location.search === "?hinweis=aufgenommen" && document.getElementById("roster-live").textContent.includes(`+jsText(name)+`)`)
	t.Logf("sent %v after the server was back", time.Since(back).Round(time.Millisecond))
	if got := eval[int](t, tab, `Object.keys(sessionStorage).filter(k => k.startsWith("logbuch-pending:")).length`); got != 0 {
		t.Errorf("%d pending submissions are still stored after the answer", got)
	}
	if eval[bool](t, tab, `document.querySelector(".form-status") !== null && document.querySelector(".form-status").textContent !== ""`) {
		t.Error("the next page still shows a form status")
	}

	// Exactly once in the log and on the roster.
	if got := lastSeq(t, m2); got != before+1 {
		t.Errorf("the log grew by %d events, want 1", got-before)
	}
	found := 0
	for _, g := range m2.Runner.Roster().ByAmt {
		for _, p := range g.People {
			if p.Name == name {
				found++
				if g.Amt != "Kulturamt" {
					t.Errorf("%s is listed under %s, want Kulturamt", name, g.Amt)
				}
			}
		}
	}
	if found != 1 {
		t.Errorf("the roster lists %s %d times, want once", name, found)
	}
	t.Logf("took %v", time.Since(start).Round(time.Millisecond))
	// Close the browser before the server: Chromium keeps a spare socket
	// open to the server that came back, and http.Server.Shutdown waits 5 s
	// for a connection that never sent a request.
	ctx, cancel := context.WithTimeout(tab, 10*time.Second)
	defer cancel()
	chromedp.Cancel(ctx)
}

// TestBrowserRefusedFormShowsTheProblemPage: a form the server refuses
// (422) is answered with the page and the problem, shown as without
// JavaScript (forms.js writes it into the document); that page is live
// again and its form is sent by forms.js as well.
func TestBrowserRefusedFormShowsTheProblemPage(t *testing.T) {
	m := startLogbuch(t, "--demo")
	tab := newBrowser(t)
	guard := guardBrowser(t, tab)
	within(t, tab, 20*time.Second, chromedp.Navigate(m.DemoLinks["Admin"]), chromedp.Navigate(m.URL()+"/lotsen"))
	waitFor(t, tab, liveOnline)
	eval[bool](t, tab, `window.__noReload = true`)
	before := lastSeq(t, m)
	within(t, tab, 20*time.Second, chromedp.Click(chromedp.CSS(`#join button[type="submit"]`)))
	waitFor(t, tab, `document.getElementById("join-fehler") !== null`)
	waitFor(t, tab, liveOnline)
	guard.inert(t, tab, "the refused form's page")
	if got := lastSeq(t, m); got != before {
		t.Errorf("a refused form grew the log by %d", got-before)
	}
	if got := eval[string](t, tab, `location.pathname + location.search`); got != "/lotsen" {
		t.Errorf("the refused form's page is at %s, want /lotsen", got)
	}
	if got := eval[string](t, tab, `document.querySelector("#join-fehler a").getAttribute("href")`); got != "#join-name" {
		t.Errorf("the problem links to %q, want the name field", got)
	}
	// forms.js runs on the written page too and takes its next submission
	// (the browser dropped the listeners of the page before).
	eval[bool](t, tab, `document.body.dataset.before = "1", true`)
	if !eval[bool](t, tab, `!document.getElementById("join").dispatchEvent(new SubmitEvent("submit", {bubbles: true, cancelable: true}))`) {
		t.Error("forms.js does not take the form on the page it wrote")
	}
	waitFor(t, tab, `document.body.dataset.before === undefined && document.getElementById("join-fehler") !== null`)
	waitFor(t, tab, liveOnline)
	// The replaced page's live connection was closed: one tab, one socket.
	for deadline := time.Now().Add(5 * time.Second); m.Web.LiveConnections() != 1; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%d live connections for one tab after two refused forms", m.Web.LiveConnections())
		}
	}
	const name = "Rolf Rückfrage"
	within(t, tab, 20*time.Second,
		chromedp.SendKeys(chromedp.CSS("#join-name"), name),
		chromedp.SetValue(chromedp.CSS("#join-amt"), "Archiv"),
		chromedp.Click(chromedp.CSS(`#join button[type="submit"]`)),
	)
	waitFor(t, tab, `location.search === "?hinweis=aufgenommen" && document.getElementById("roster-live").textContent.includes(`+jsText(name)+`)`)
	if got := lastSeq(t, m); got != before+1 {
		t.Errorf("the corrected form grew the log by %d, want 1", got-before)
	}
}

// cutFetches makes the page's fetch requests fail as on a dead Wi-Fi while
// offline is true; page loads, scripts and the live socket still work.
func cutFetches(t *testing.T, tab context.Context, offline *atomic.Bool) {
	t.Helper()
	paused := chromedp.Events(tab, fetch.RequestPaused)
	go func() {
		for ev, err := range paused {
			if err != nil {
				return
			}
			ctx, cancel := context.WithTimeout(tab, 5*time.Second)
			if offline.Load() {
				chromedp.Call(ctx, fetch.FailRequest, fetch.FailRequestParams{RequestID: ev.RequestID, ErrorReason: network.ErrorReasonInternetDisconnected})
			} else {
				chromedp.Call(ctx, fetch.ContinueRequest, fetch.ContinueRequestParams{RequestID: ev.RequestID})
			}
			cancel()
		}
	}()
	ctx, cancel := context.WithTimeout(tab, 10*time.Second)
	defer cancel()
	if _, err := chromedp.Call(ctx, fetch.Enable, fetch.EnableParams{Patterns: []*fetch.RequestPattern{{ResourceType: network.ResourceTypeFetch}}}); err != nil {
		t.Fatalf("intercept fetches: %v", err)
	}
}

// TestBrowserPendingFormSurvivesAReload: a pending form is kept in the tab
// (sessionStorage); the reloaded page shows it pending with what was typed
// and its command id, and sends it when the browser reports that it is
// online again.
func TestBrowserPendingFormSurvivesAReload(t *testing.T) {
	m := startLogbuch(t, "--demo")
	tab := newBrowser(t)
	within(t, tab, 20*time.Second, chromedp.Navigate(m.DemoLinks["Admin"]), chromedp.Navigate(m.URL()+"/lotsen"))
	waitFor(t, tab, liveOnline)
	var offline atomic.Bool
	offline.Store(true)
	cutFetches(t, tab, &offline)
	const name = "Renate Neuladen"
	within(t, tab, 20*time.Second,
		chromedp.SendKeys(chromedp.CSS("#join-name"), name),
		chromedp.SetValue(chromedp.CSS("#join-amt"), "Archiv"),
	)
	commandID := eval[string](t, tab, `document.querySelector('#join input[name="command_id"]').value`)
	before := lastSeq(t, m)
	within(t, tab, 20*time.Second, chromedp.Click(chromedp.CSS(`#join button[type="submit"]`)))
	waitFor(t, tab, `(document.querySelector("#join .form-status") || {}).textContent?.includes("Keine Verbindung") === true`)

	eval[bool](t, tab, `window.__beforeReload = true`)
	within(t, tab, 20*time.Second, chromedp.Reload())
	waitFor(t, tab, `window.__beforeReload === undefined && (document.querySelector("#join .form-status") || {}).textContent?.includes("Keine Verbindung") === true`)
	if got := eval[string](t, tab, `document.getElementById("join-name").value`); got != name {
		t.Errorf("the reloaded pending form shows name %q, want %q", got, name)
	}
	if got := eval[string](t, tab, `document.querySelector('#join input[name="command_id"]').value`); got != commandID {
		t.Errorf("the reloaded pending form holds command id %q, want the one sent first, %q", got, commandID)
	}
	if got := lastSeq(t, m); got != before {
		t.Fatalf("the log grew by %d while offline", got-before)
	}

	offline.Store(false)
	eval[bool](t, tab, `window.dispatchEvent(new Event("online"))`)
	waitFor(t, tab, `location.search === "?hinweis=aufgenommen" && document.getElementById("roster-live").textContent.includes(`+jsText(name)+`)`)
	if got := eval[int](t, tab, `Object.keys(sessionStorage).filter(k => k.startsWith("logbuch-pending:")).length`); got != 0 {
		t.Errorf("%d pending submissions are still stored after the answer", got)
	}
	if got := lastSeq(t, m); got != before+1 {
		t.Errorf("the log grew by %d events, want 1", got-before)
	}
}
