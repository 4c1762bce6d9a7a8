package main

import (
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// A Lotsin posts to a workshop wall with the keyboard alone: Tab from the
// top of the page to the text field, type, Tab to "Veröffentlichen",
// Enter; the post appears on the wall, and the focus never needed a
// pointer.
func TestBrowserPostToWallByKeyboardOnly(t *testing.T) {
	m := startLogbuch(t, "--demo")
	link, ok := m.DemoLinks["Gast"]
	if !ok {
		t.Fatal("the demo has no running event")
	}
	tab := newBrowser(t)
	within(t, tab, 20*time.Second, chromedp.Navigate(m.DemoLinks["Lotsin"]), chromedp.Navigate(link))
	code := eval[string](t, tab, `document.querySelector("#gast-code").value`)
	var event string
	events, _ := m.Runner.Events()
	for _, e := range events {
		if e.GuestCode == code {
			event = e.ID
		}
	}
	within(t, tab, 20*time.Second, chromedp.Navigate(m.URL()+"/veranstaltungen/"+event))
	waitFor(t, tab, liveOnline)

	press := func(key string, times int) {
		for range times {
			within(t, tab, 5*time.Second, chromedp.KeyEvent(key))
		}
	}
	focused := func() string {
		return eval[string](t, tab, `document.activeElement ? document.activeElement.id || document.activeElement.textContent.trim() : ""`)
	}
	// From the top of the page, Tab until the post's text field has focus.
	eval[bool](t, tab, `document.activeElement && document.activeElement.blur(), window.scrollTo(0, 0), true`)
	for i := 0; focused() != "post-text"; i++ {
		if i > 120 {
			t.Fatalf("the wall's text field is not reachable by Tab (focus is on %q)", focused())
		}
		press(kb.Tab, 1)
	}
	const text = "Ohne Maus geschrieben: **Tastatur** genügt."
	within(t, tab, 10*time.Second, chromedp.KeyEvent(text))
	for i := 0; focused() != "Veröffentlichen"; i++ {
		if i > 10 {
			t.Fatalf("no Veröffentlichen button after the text field (focus is on %q)", focused())
		}
		press(kb.Tab, 1)
	}
	press(kb.Enter, 1)
	waitFor(t, tab, `Array.from(document.querySelectorAll(".wall strong")).some(e => e.textContent === "Tastatur")`)
	artifact(t, tab, "wall-keyboard.png")
}

// A Lotsin gives a topic her points with the keyboard alone: Tab to the
// points of the topic, arrow down to 2, Tab to "Punkte speichern", Enter;
// her remaining budget goes down.
func TestBrowserVoteByKeyboardOnly(t *testing.T) {
	m := startLogbuch(t, "--demo")
	board := openCampaign(t, m)
	tab := newBrowser(t)
	within(t, tab, 20*time.Second, chromedp.Navigate(m.DemoLinks["Lotsin"]), chromedp.Navigate(m.URL()+"/knowhow/"+board))
	waitFor(t, tab, liveOnline)
	topic := eval[string](t, tab, `(document.querySelector('select[id^="punkte-"]') || {}).id || ""`)
	if topic == "" {
		t.Fatal("no points to give on the open board")
	}
	before := eval[string](t, tab, `document.querySelector("#budget-rest").textContent`)

	focused := func() string { return eval[string](t, tab, `document.activeElement ? document.activeElement.id : ""`) }
	tabUntil := func(id string, max int) {
		t.Helper()
		for i := 0; focused() != id; i++ {
			if i > max {
				t.Fatalf("%s is not reachable by Tab (focus is on %q)", id, focused())
			}
			within(t, tab, 5*time.Second, chromedp.KeyEvent(kb.Tab))
		}
	}
	eval[bool](t, tab, `document.activeElement && document.activeElement.blur(), true`)
	tabUntil(topic, 200)
	within(t, tab, 5*time.Second, chromedp.KeyEvent(kb.ArrowDown), chromedp.KeyEvent(kb.ArrowDown))
	if v := eval[string](t, tab, `document.activeElement.value`); v != "2" {
		t.Fatalf("the arrow keys set %q points, want 2", v)
	}
	tabUntil(topic+"-speichern", 5)
	within(t, tab, 5*time.Second, chromedp.KeyEvent(kb.Enter))
	waitFor(t, tab, `document.querySelector("#budget-rest").textContent !== `+strconv.Quote(before)+` && document.querySelector("#budget-rest").textContent.includes("Noch 2 von 4")`)
}
