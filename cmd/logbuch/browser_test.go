package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// chromiumPath finds Debian's Chromium. Without it a browser test skips,
// unless CI is set: CI installs Chromium and requires the browser tests.
func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("CI is set but no Chromium is installed: browser tests are required (apt-get install -y chromium)")
	}
	t.Skip("no Chromium installed: apt-get install -y chromium to run the browser tests")
	return ""
}

// newBrowser starts headless Chromium and returns the context of its first
// tab. More tabs come from chromedp.NewContext(first).
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath(t)),
		chromedp.NoSandbox, // tests run as root in CI
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.UserDataDir(t.TempDir()),
	)
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(alloc)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil { // start the browser without a deadline
		t.Fatalf("start chromium: %v", err)
	}
	return ctx
}

// within runs actions in a tab with a deadline that ends only this call.
func within(t *testing.T, tab context.Context, d time.Duration, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	ctx, cancel := context.WithTimeout(tab, d)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		t.Fatal(err)
	}
}

func eval[T any](t *testing.T, tab context.Context, js string) T {
	t.Helper()
	ctx, cancel := context.WithTimeout(tab, 10*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js))
	if err != nil {
		t.Fatalf("evaluate %s: %v", js, err)
	}
	return v
}

// waitFor polls a JavaScript condition in the page; it keeps polling across
// a navigation (a form post loads the next page). The condition counts only
// once the page is parsed: a new page's address is there before its body,
// and a test that reads the body next must find all of it.
func waitFor(t *testing.T, tab context.Context, cond string) {
	t.Helper()
	cond = `document.readyState !== "loading" && (` + cond + `)`
	deadline := time.Now().Add(15 * time.Second)
	var lastErr error
	for time.Now().Before(deadline) {
		ctx, cancel := context.WithTimeout(tab, 2*time.Second)
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](cond))
		cancel()
		if err == nil && ok {
			return
		}
		lastErr = err
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("waiting for %s: still false after 15s (last error %v)", cond, lastErr)
}

const liveOnline = `document.getElementById("live-status").dataset.state === "online"`

// artifact saves a screenshot for people to look at (not committed).
func artifact(t *testing.T, tab context.Context, name string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(tab, 10*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Logf("screenshot %s: %v", name, err)
		return
	}
	dir := filepath.Join("..", "..", "test-artifacts")
	os.MkdirAll(dir, 0o755)
	os.WriteFile(filepath.Join(dir, name), png, 0o644)
}

func TestBrowserSeesAnotherBrowsersChangeLive(t *testing.T) {
	m := startLogbuch(t, "--demo")
	// Two browsers, as two colleagues at two desks.
	first := newBrowser(t)
	viewer := newBrowser(t)
	// The viewer is a Lotsin, the writer an admin; both log in by demo link.
	within(t, viewer, 20*time.Second, chromedp.Navigate(m.DemoLinks["Lotsin"]), chromedp.Navigate(m.URL()+"/lotsen"))
	waitFor(t, viewer, liveOnline)
	// A marker that a reload would wipe out.
	eval[bool](t, viewer, `window.__noReload = true`)

	within(t, first, 20*time.Second, chromedp.Navigate(m.DemoLinks["Admin"]), chromedp.Navigate(m.URL()+"/lotsen"))
	waitFor(t, first, liveOnline)
	within(t, first, 20*time.Second,
		chromedp.SendKeys(chromedp.CSS("#join-name"), "Quirin Quaimauer"),
		chromedp.SetValue(chromedp.CSS("#join-amt"), "Stadtbibliothek"),
		chromedp.Click(chromedp.CSS(`#join button[type="submit"]`)),
	)
	// The writer sees its own change on the next page (read-your-writes).
	waitFor(t, first, `location.search === "?hinweis=aufgenommen" && document.getElementById("roster-live").textContent.includes("Quirin Quaimauer")`)

	// The other tab shows it without a reload.
	waitFor(t, viewer, `document.getElementById("roster-live").textContent.includes("Quirin Quaimauer")`)
	if !eval[bool](t, viewer, `window.__noReload === true`) {
		t.Fatal("the viewer reloaded the page instead of applying the live update")
	}
	if got := eval[string](t, viewer, `document.querySelector("#amt-stadtbibliothek + ul").textContent`); !strings.Contains(got, "Quirin Quaimauer") {
		t.Fatalf("the new Lotse is not listed under Stadtbibliothek: %q", got)
	}
	artifact(t, viewer, "roster-live.png")
}
