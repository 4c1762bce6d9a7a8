package main

import (
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// A card moved by keyboard alone in one browser moves in another browser
// live, without a reload, with the focus kept on the button that moved it;
// a card dragged moves everywhere too; and each sees the other on the board.
func TestBrowserBoardCardMovesLive(t *testing.T) {
	m := startLogbuch(t, "--demo")
	board := demoBoard(t, m, "KNowHow 2023")
	bv, _ := m.Runner.Board(board)
	var topic string
	for _, c := range bv.Lanes[0].Topics {
		if c.Title.Text == "Passwort zurücksetzen" {
			topic = c.ID
		}
	}
	if topic == "" {
		t.Fatalf("no demo topic in „Vorschlag“: %+v", bv.Lanes[0].Topics)
	}
	card := "#karte-" + topic
	in := func(lane string) string {
		return `document.querySelector("#spalte-` + lane + ` ` + card + `") !== null`
	}

	mover := newBrowser(t)
	viewer := newBrowser(t)
	within(t, mover, 20*time.Second, chromedp.EmulateViewport(1600, 1000), chromedp.Navigate(m.DemoLinks["Admin"]), chromedp.Navigate(m.URL()+"/knowhow/"+board))
	within(t, viewer, 20*time.Second, chromedp.EmulateViewport(1600, 1000), chromedp.Navigate(m.DemoLinks["Lotsin"]), chromedp.Navigate(m.URL()+"/knowhow/"+board))
	waitFor(t, mover, liveOnline)
	waitFor(t, viewer, liveOnline)
	eval[bool](t, viewer, `window.__noReload = true`)
	// Presence: each sees who else is on the board.
	waitFor(t, viewer, `document.getElementById("presence-list").textContent.includes("Anja Brenner")`)
	waitFor(t, mover, `document.getElementById("presence-list").textContent.includes("Sophie Allmannsdorf")`)
	waitFor(t, viewer, in("vorschlag"))

	// Keyboard only: the Lotsin focuses the card's button and presses Enter.
	within(t, viewer, 20*time.Second, chromedp.Focus(chromedp.CSS(card+"-vor")), chromedp.KeyEvent(kb.Enter))
	waitFor(t, viewer, in("ausgewaehlt"))
	waitFor(t, mover, in("ausgewaehlt"))
	waitFor(t, viewer, `document.getElementById("board-status").textContent.includes("Verschoben nach „Ausgewählt“")`)
	if !eval[bool](t, viewer, `window.__noReload === true`) {
		t.Fatal("the page reloaded instead of applying the live update")
	}
	// The focus stays on the button of the moved card, now in its new lane.
	if got := eval[string](t, viewer, `document.activeElement ? document.activeElement.id : ""`); got != "karte-"+topic+"-vor" {
		t.Fatalf("focus after the keyboard move: %q", got)
	}
	// A move the rules forbid (Drehbuch without a team) is explained.
	within(t, viewer, 20*time.Second, chromedp.KeyEvent(kb.Enter))
	waitFor(t, viewer, `document.getElementById("board-status").textContent.includes("Team von mindestens 2")`)
	if !eval[bool](t, mover, in("ausgewaehlt")) {
		t.Fatal("a refused move moved the card")
	}

	// Drag: the admin drags the card back to „Vorschlag“; the Lotsin sees it.
	within(t, mover, 20*time.Second, chromedp.DragAndDrop(chromedp.CSS(card+" .meta"), chromedp.CSS("#spalte-vorschlag h3")))
	waitFor(t, mover, in("vorschlag"))
	waitFor(t, viewer, in("vorschlag"))
	if !eval[bool](t, viewer, `window.__noReload === true`) {
		t.Fatal("the viewer reloaded instead of applying the live update")
	}
	artifact(t, viewer, "board-live.png")
}

// Voting in the browser: dots and need are saved in the background and the
// remaining budget follows live; the facilitator raises the budget, closes
// the vote and shows the results, which appear on the cards only then.
func TestBrowserBoardVoting(t *testing.T) {
	m := startLogbuch(t, "--demo")
	board := openCampaign(t, m) // run by the demo Lotsin, budget 4
	bv, _ := m.Runner.Board(board)
	topic := bv.Lanes[0].Topics[0].ID
	tab := newBrowser(t)
	within(t, tab, 20*time.Second, chromedp.EmulateViewport(1400, 1000), chromedp.Navigate(m.DemoLinks["Lotsin"]), chromedp.Navigate(m.URL()+"/knowhow/"+board))
	waitFor(t, tab, liveOnline)
	eval[bool](t, tab, `window.__noReload = true`)
	waitFor(t, tab, `document.getElementById("budget-rest").textContent.includes("Noch 4 von 4")`)

	within(t, tab, 20*time.Second,
		chromedp.SetValue(chromedp.CSS("#punkte-"+topic), "3"),
		chromedp.Click(chromedp.CSS("#punkte-"+topic+"-speichern")))
	waitFor(t, tab, `document.getElementById("budget-rest").textContent.includes("Noch 1 von 4")`)
	within(t, tab, 20*time.Second,
		chromedp.Click(chromedp.CSS(`#stimmzettel-live input[name="need"][value="5"]`)),
		chromedp.Click(chromedp.CSS("#bedarf-"+topic+"-speichern")))
	waitFor(t, tab, `document.getElementById("board-status").textContent.includes("Einschätzung des Bedarfs ist gespeichert")`)
	// Over the budget: explained, nothing changes.
	other := bv.Lanes[0].Topics[1].ID
	within(t, tab, 20*time.Second,
		chromedp.SetValue(chromedp.CSS("#punkte-"+other), "2"),
		chromedp.Click(chromedp.CSS("#punkte-"+other+"-speichern")))
	waitFor(t, tab, `document.getElementById("board-status").textContent.includes("Ihr Budget reicht nicht")`)
	if !eval[bool](t, tab, `window.__noReload === true && !document.getElementById("tafel-live").textContent.includes("Präferenz:")`) {
		t.Fatal("the page reloaded, or shows counts before the reveal")
	}

	// The facilitator raises the budget (a form of the page: it loads anew).
	within(t, tab, 20*time.Second,
		chromedp.SetValue(chromedp.CSS("#budget-budget"), "6"),
		chromedp.Click(chromedp.CSS(`#budget button[type="submit"]`)))
	waitFor(t, tab, `location.search === "?hinweis=budget" && document.getElementById("budget-rest").textContent.includes("Noch 3 von 6")`)
	for _, step := range []string{"schliessen", "aufdecken"} {
		waitFor(t, tab, `document.querySelector('#abstimmung button[type="submit"]') !== null && document.getElementById("abstimmung").action.endsWith("/`+step+`")`)
		within(t, tab, 20*time.Second, chromedp.Click(chromedp.CSS(`#abstimmung button[type="submit"]`)))
		waitFor(t, tab, `document.getElementById("abstimmung") === null || !document.getElementById("abstimmung").action.endsWith("/`+step+`")`)
	}
	waitFor(t, tab, `document.querySelector("#karte-`+topic+` .votes") !== null && document.querySelector("#karte-`+topic+` .votes").textContent.includes("3 Punkte")`)
	artifact(t, tab, "board-voting.png")
}
