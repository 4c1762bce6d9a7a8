package main

import (
	"context"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/google/uuid"

	"logbuch/domain"
)

// Two colleagues follow the roster, one in German, one in English; a third
// adds a Lotsin. Both see it at once, each page in its own language (the
// hub renders the change once per language).
func TestBrowserLiveUpdatesInEachLanguage(t *testing.T) {
	m := startLogbuch(t, "--demo")
	chromiumPath(t)
	open := func(lang string) context.Context {
		tab := newBrowser(t)
		within(t, tab, 20*time.Second, chromedp.Navigate(m.DemoLinks["Lenkungsgruppe"]), chromedp.Navigate(m.URL()+"/lotsen"))
		if lang == "en" {
			// Choose English the way a person does: the button in the header.
			within(t, tab, 20*time.Second, chromedp.Click(chromedp.CSS(`form.language-switch button[value="en"]`)))
			waitFor(t, tab, `document.documentElement.lang === "en" && location.pathname === "/lotsen"`)
		}
		waitFor(t, tab, liveOnline)
		return tab
	}
	de, en := open("de"), open("en")
	if got := eval[string](t, en, `document.getElementById("live-status").textContent`); got != "Live: changes appear automatically." {
		t.Fatalf("English live status %q", got)
	}
	admin := newActor(t, m, domain.RoleAdmin)
	if status, body, _ := postJSON(t, admin, m.URL()+"/lotsen", uuid.NewString(), `{"name":"Vera Sprachwechsel","amt":"Archiv","city":"Konstanz","role":"lotse"}`); status/100 != 2 {
		t.Fatalf("join: %d %v", status, body)
	}
	for _, tab := range []context.Context{de, en} {
		waitFor(t, tab, `document.getElementById("roster-live").textContent.includes("Vera Sprachwechsel")`)
	}
	if eval[string](t, de, `document.documentElement.lang`) != "de" || eval[string](t, en, `document.documentElement.lang`) != "en" {
		t.Fatal("a page changed its language")
	}
	// The English page's live part is English: its hidden heading came
	// with the update.
	if got := eval[string](t, en, `document.querySelector("#roster-live h2").textContent`); got == eval[string](t, de, `document.querySelector("#roster-live h2").textContent`) {
		t.Fatalf("both pages show the live part's heading as %q", got)
	}
}
