package main

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/google/uuid"

	"logbuch/domain"
)

// A live update never takes what someone is working in: a Lotsin has the
// points of a topic open on her ballot when a colleague proposes a new
// topic. Her ballot is not replaced under her (same element, focus kept,
// marked as changed, the new topic not yet in it) until she leaves it;
// then the update comes in. The live regions speak politely.
func TestBrowserLiveUpdateWaitsForTheFieldInUse(t *testing.T) {
	m := startLogbuch(t, "--demo")
	board := openCampaign(t, m) // run by the demo Lotsin, open for votes
	bv, _ := m.Runner.Board(board)
	topic := bv.Lanes[0].Topics[0].ID
	tab := newBrowser(t)
	within(t, tab, 20*time.Second, chromedp.EmulateViewport(1400, 1000), chromedp.Navigate(m.DemoLinks["Lotsin"]), chromedp.Navigate(m.URL()+"/knowhow/"+board))
	waitFor(t, tab, liveOnline)
	for _, id := range []string{"live-status", "board-status"} {
		if got := eval[string](t, tab, `document.getElementById("`+id+`").getAttribute("aria-live")`); got != "polite" {
			t.Errorf("#%s is aria-live=%q, want polite", id, got)
		}
	}
	// She votes once (so her ballot follows the board), then opens the
	// points of the topic again.
	within(t, tab, 20*time.Second,
		chromedp.SetValue(chromedp.CSS("#punkte-"+topic), "1"),
		chromedp.Click(chromedp.CSS("#punkte-"+topic+"-speichern")))
	waitFor(t, tab, `document.getElementById("budget-rest").textContent.includes("Noch 3 von 4")`)
	within(t, tab, 10*time.Second, chromedp.Focus(chromedp.CSS("#punkte-"+topic)))
	eval[bool](t, tab, `document.activeElement.__mine = true`)

	colleague := newActor(t, m, domain.RoleLotse)
	const title = "Barrierefreie Formulare gestalten"
	if status, body, _ := postJSON(t, colleague, m.URL()+"/knowhow/"+board+"/themen", uuid.NewString(), `{"title":"`+title+`"}`); status/100 != 2 {
		t.Fatalf("propose: %d %v", status, body)
	}
	// The update arrived and waits: the ballot is marked, not replaced.
	waitFor(t, tab, `document.getElementById("stimmzettel-live").classList.contains("live-stale")`)
	if !eval[bool](t, tab, `document.activeElement.__mine === true && document.activeElement.id === "punkte-`+topic+`"`) {
		t.Fatal("the update took the field she was in")
	}
	if eval[bool](t, tab, `document.getElementById("stimmzettel-live").textContent.includes("`+title+`")`) {
		t.Fatal("the ballot was replaced while she was in it")
	}
	// The board around her follows at once: only her field waits.
	waitFor(t, tab, `document.getElementById("tafel-live").textContent.includes("`+title+`")`)
	// She leaves the field: the waiting update comes in.
	eval[bool](t, tab, `document.activeElement.blur(), true`)
	waitFor(t, tab, `document.getElementById("stimmzettel-live").textContent.includes("`+title+`") && !document.getElementById("stimmzettel-live").classList.contains("live-stale")`)
}

// Someone who asks for reduced motion gets no animation: a new post on the
// wall is marked without the fading highlight that others see.
func TestBrowserReducedMotion(t *testing.T) {
	m := startLogbuch(t, "--demo")
	events, _ := m.Runner.Events()
	var event string
	for _, e := range events {
		if !e.Over(time.Now()) && !e.Cancelled() && e.GuestCode != "" {
			event = e.ID
		}
	}
	if event == "" {
		t.Fatal("the demo has no running event")
	}
	open := func(reduce bool) context.Context {
		tab := newBrowser(t)
		if reduce {
			if _, err := chromedp.Call(tab, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
				Features: []*emulation.MediaFeature{{Name: "prefers-reduced-motion", Value: "reduce"}},
			}); err != nil {
				t.Fatal(err)
			}
		}
		within(t, tab, 20*time.Second, chromedp.Navigate(m.DemoLinks["Lenkungsgruppe"]), chromedp.Navigate(m.URL()+"/veranstaltungen/"+event))
		waitFor(t, tab, liveOnline)
		return tab
	}
	moving, calm := open(false), open(true)
	poster := newActor(t, m, domain.RoleLotse)
	const text = "Ergebnis aus der Gruppe: weniger Papier"
	status, body, _ := postJSON(t, poster, m.URL()+"/veranstaltungen/"+event+"/wand", uuid.NewString(), `{"text":"`+text+`"}`)
	if status != http.StatusOK && status != http.StatusCreated {
		t.Fatalf("post: %d %v", status, body)
	}
	animation := func(tab context.Context) string {
		t.Helper()
		find := `Array.from(document.querySelectorAll("#wand-live li.post")).find(li => li.textContent.includes("` + text + `"))`
		waitFor(t, tab, find+` !== undefined && `+find+`.classList.contains("post-new")`)
		return eval[string](t, tab, `getComputedStyle(`+find+`).animationName`)
	}
	if got := animation(moving); got != "post-new" {
		t.Errorf("without the wish for less motion the new post animates %q, want post-new", got)
	}
	if got := animation(calm); got != "none" {
		t.Errorf("with reduced motion the new post animates %q, want none", got)
	}
}

// Text set to twice its size (WCAG 1.4.4) still fits: on a desktop whose
// browser shows text at 200 % (the default size 16 px set to 32 px, as the
// browser's setting does), the main pages do not scroll sideways.
func TestTextAtTwiceItsSize(t *testing.T) {
	m := startLogbuch(t, "--demo")
	tab := newBrowser(t)
	if _, err := chromedp.Call(tab, page.SetFontSizes, page.SetFontSizesParams{FontSizes: &page.FontSizes{Standard: 32, Fixed: 26}}); err != nil {
		t.Fatal(err)
	}
	within(t, tab, 20*time.Second, chromedp.EmulateViewport(1280, 800), chromedp.Navigate(m.DemoLinks["Admin"]))
	for _, path := range mainPages(m) {
		within(t, tab, 20*time.Second, chromedp.Navigate(m.URL()+path))
		if got := eval[string](t, tab, `getComputedStyle(document.body).fontSize`); !strings.HasPrefix(got, "32") {
			t.Fatalf("%s: body text is %s at 200 %%, want 32px", path, got)
		}
		overflow := eval[int](t, tab, `document.documentElement.scrollWidth - document.documentElement.clientWidth`)
		if overflow > 1 {
			wide := eval[string](t, tab, `Array.from(document.querySelectorAll("body *")).filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1 && !e.closest(".scroll-x")).slice(0, 3).map(e => e.tagName + "." + e.className).join(", ")`)
			t.Errorf("%s with text at 200 %%: %d px of sideways scrolling (too wide: %s)", path, overflow, wide)
		}
	}
}
