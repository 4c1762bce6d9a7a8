package main

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// TestBrowserRatesByKeyboardAndResultsAppearLive: in the demo year the
// Corporate-Influencer session has two ratings, below the minimum. A
// Lotsin rates it with the keyboard only (arrow keys in the radio group,
// Tab to the button, Enter); the third rating completes a batch, and the
// Lenkungsgruppe's open page shows the results without a reload.
func TestBrowserRatesByKeyboardAndResultsAppearLive(t *testing.T) {
	m := startLogbuch(t, "--demo", "--rating-flush", "0")
	var event string
	events, _ := m.Runner.Events()
	for _, e := range events {
		if strings.Contains(e.Title, "Corporate Influencer") {
			event = e.ID
		}
	}
	if event == "" {
		t.Fatal("the demo has no Corporate-Influencer session")
	}
	page := m.URL() + "/veranstaltungen/" + event
	viewer := newBrowser(t)
	within(t, viewer, 20*time.Second, chromedp.Navigate(m.DemoLinks["Lenkungsgruppe"]), chromedp.Navigate(page))
	waitFor(t, viewer, liveOnline)
	if !eval[bool](t, viewer, `document.getElementById("bewertung-live").textContent.includes("Noch zu wenige Bewertungen") && !document.getElementById("bewerten")`) {
		t.Fatal("the Lenkungsgruppe sees results below the minimum, or a rating form")
	}
	eval[bool](t, viewer, `window.__noReload = true`)

	rater := newBrowser(t)
	within(t, rater, 20*time.Second, chromedp.Navigate(m.DemoLinks["Lotsin"]), chromedp.Navigate(page))
	waitFor(t, rater, `!!document.getElementById("bewerten-1")`)
	artifact(t, rater, "rating-form.png")
	within(t, rater, 20*time.Second,
		chromedp.Focus(chromedp.CSS("#bewerten-1")),
		chromedp.KeyEvent(kb.ArrowRight), // 2
		chromedp.KeyEvent(kb.ArrowRight), // 3
		chromedp.KeyEvent(kb.ArrowRight), // 4
	)
	if got := eval[string](t, rater, `document.querySelector('input[name="value"]:checked').value + "/" + document.activeElement.id`); got != "4/bewerten-4" {
		t.Fatalf("after three arrow keys: %s, want 4 checked and focused", got)
	}
	within(t, rater, 20*time.Second, chromedp.KeyEvent(kb.Tab))
	if got := eval[string](t, rater, `document.activeElement.textContent`); got != "Bewertung abgeben" {
		t.Fatalf("Tab from the scale goes to %q, not the button", got)
	}
	within(t, rater, 20*time.Second, chromedp.KeyEvent(kb.Enter))
	waitFor(t, rater, `location.search === "?hinweis=bewertet" && document.body.textContent.includes("Sie haben diese Veranstaltung bewertet") && !document.getElementById("bewerten")`)

	// 4 and 2 from the demo and this 4: average 3,3, on the open page.
	waitFor(t, viewer, `document.getElementById("bewertung-live").textContent.includes("Durchschnitt 3,3 von 5 aus 3 Bewertungen")`)
	if !eval[bool](t, viewer, `window.__noReload === true`) {
		t.Fatal("the viewer reloaded instead of applying the live update")
	}
	artifact(t, viewer, "rating-live.png")
}
