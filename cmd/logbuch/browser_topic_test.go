package main

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/google/uuid"

	"logbuch/domain"
)

// Two colleagues in two real browsers edit the same description at once.
// Changes in different places: both survive, merged, and the second writer
// is told. Changes in the same place: the second writer sees both versions
// side by side with their own text kept in the form, and decides; nothing
// is lost. Meanwhile each sees the other's presence on the field, and the
// saved change of the other arrives live without touching their typing.
func TestBrowserTopicCoEditing(t *testing.T) {
	m := startLogbuch(t, "--demo")
	chromiumPath(t)
	board, topic := knowhowTopic(t, m, uuid.NewString(), "Dienstreise abrechnen", "Wie rechne ich eine Dienstreise ab? Das Formular ist schwer zu finden.")
	page := m.URL() + "/knowhow/" + board + "/themen/" + topic

	anna, ben := newBrowser(t), newBrowser(t)
	for _, tab := range []context.Context{anna, ben} {
		// Two browsers side by side: each page behaves as the focused window
		// of its own desk (focus events, and with them presence).
		if _, err := chromedp.Call(tab, emulation.SetFocusEmulationEnabled, emulation.SetFocusEmulationEnabledParams{Enabled: true}); err != nil {
			t.Fatal(err)
		}
	}
	within(t, anna, 20*time.Second, chromedp.Navigate(m.DemoLinks["Lotsin"]), chromedp.Navigate(page))
	within(t, ben, 20*time.Second, chromedp.Navigate(m.DemoLinks["Admin"]), chromedp.Navigate(page))
	waitFor(t, anna, liveOnline)
	waitFor(t, ben, liveOnline)

	const field = `document.getElementById("beschreibung-description")`
	const current = `document.querySelector("#thema-live .current-text").textContent`
	typeInto := func(tab context.Context, text string) {
		t.Helper()
		within(t, tab, 10*time.Second, chromedp.Focus(chromedp.CSS("#beschreibung-description")))
		eval[bool](t, tab, field+`.value = `+strconv.Quote(text)+`; true`)
	}
	save := func(tab context.Context) {
		t.Helper()
		within(t, tab, 10*time.Second, chromedp.Click(chromedp.CSS(`#beschreibung button[type="submit"]`)))
	}

	// Non-overlapping: Anna the first sentence, Ben the second.
	typeInto(anna, "Wie rechne ich eine Dienstreise mit dem Zug ab? Das Formular ist schwer zu finden.")
	// Ben sees that Anna is editing the description.
	waitFor(t, ben, `document.querySelector('[data-presence-note="beschreibung"]').textContent.includes("bearbeitet gerade")`)
	typeInto(ben, "Wie rechne ich eine Dienstreise ab? Das Formular liegt im Intranet versteckt.")
	save(anna)
	waitFor(t, anna, `location.search.includes("hinweis=thema-beschreibung")`)
	// Anna's change reaches Ben live; his typing stays as it is.
	waitFor(t, ben, current+`.includes("mit dem Zug")`)
	if got := eval[string](t, ben, field+`.value`); got != "Wie rechne ich eine Dienstreise ab? Das Formular liegt im Intranet versteckt." {
		t.Fatalf("the live update changed what Ben typed: %q", got)
	}
	save(ben)
	waitFor(t, ben, `location.search.includes("hinweis=zusammengefuehrt-")`)
	merged := "Wie rechne ich eine Dienstreise mit dem Zug ab? Das Formular liegt im Intranet versteckt."
	waitFor(t, ben, `document.querySelector(".notice").textContent.includes("zusammengeführt") && `+current+`.includes(`+strconv.Quote(merged)+`)`)
	waitFor(t, anna, current+`.includes(`+strconv.Quote(merged)+`)`)
	if v, _ := m.Runner.Topic(topic); v.Description.Text != merged {
		t.Fatalf("description %q, want both changes %q", v.Description.Text, merged)
	}
	artifact(t, ben, "topic-merged.png")

	// Anna's form, untouched since her save, has followed the live view to
	// the merged text and its revision, so her next edit starts from it.
	waitFor(t, anna, field+`.value === `+strconv.Quote(merged)+` && document.querySelector('#beschreibung [name="base_rev"]').value === "3"`)

	// Overlapping: both rewrite the same words.
	annas := "Wie rechne ich eine Dienstreise mit dem Zug ab? Das Formular steht unter Personal > Reisen."
	bens := "Wie rechne ich eine Dienstreise mit dem Zug ab? Das Formular findet man über die Suche."
	typeInto(anna, annas)
	typeInto(ben, bens)
	save(anna)
	waitFor(t, anna, `location.search.includes("hinweis=thema-beschreibung")`)
	waitFor(t, ben, current+`.includes("Personal > Reisen")`)
	save(ben)
	// Ben sees both versions; his own text is in the form, based on Anna's revision.
	waitFor(t, ben, `document.querySelector("#beschreibung-konflikt") !== null`)
	if got := eval[string](t, ben, `document.querySelector("#beschreibung-konflikt .yours").textContent`); got != bens {
		t.Fatalf("Ben's version shown as %q", got)
	}
	if got := eval[string](t, ben, `document.querySelector("#beschreibung-konflikt .current").textContent`); got != annas {
		t.Fatalf("the current version shown as %q", got)
	}
	if got := eval[string](t, ben, field+`.value`); got != bens {
		t.Fatalf("the form lost Ben's text: %q", got)
	}
	if v, _ := m.Runner.Topic(topic); v.Description.Text != annas {
		t.Fatalf("a conflicting edit changed the description to %q", v.Description.Text)
	}
	artifact(t, ben, "topic-conflict.png")
	// Ben decides: both sentences' ideas together.
	decided := "Wie rechne ich eine Dienstreise mit dem Zug ab? Das Formular steht unter Personal > Reisen, oder man findet es über die Suche."
	eval[bool](t, ben, field+`.value = `+strconv.Quote(decided)+`; true`)
	save(ben)
	waitFor(t, ben, `location.search.includes("hinweis=thema-beschreibung")`)
	waitFor(t, anna, current+`.includes("oder man findet es über die Suche")`)
	if v, _ := m.Runner.Topic(topic); v.Description.Text != decided {
		t.Fatalf("description %q after deciding", v.Description.Text)
	}
}

// The Drehbuch by keyboard only: a team member moves a scene up with the
// keyboard; the other member's page shows the new order live, says that
// its Drehbuch forms need a reload, and its untouched scene form follows a
// text the first one saved.
func TestBrowserTopicDrehbuchByKeyboard(t *testing.T) {
	m := startLogbuch(t, "--demo")
	chromiumPath(t)
	ctx := testCtx(t)
	board, topic := knowhowTopic(t, m, uuid.NewString(), "Teams-Besprechung aufzeichnen", "")
	var seq uint64
	run := func(actor string, cmd string, c any) {
		t.Helper()
		res, err := domain.Execute(ctx, m.Commands, domain.Topics, topic, domain.Meta{CommandID: uuid.NewString(), Actor: actor}, cmd, c)
		if err != nil {
			t.Fatalf("%s: %v", cmd, err)
		}
		seq = res.Seq
	}
	var team []domain.Caller
	for _, name := range []string{"Sophie Allmannsdorf", "Anja Brenner"} {
		p, ok := m.Runner.PersonByEmail(demoEmail(name))
		if !ok {
			t.Fatalf("no demo person %s", name)
		}
		team = append(team, domain.Caller{Person: p.ID, Role: p.Role})
		run(p.ID, "JoinTeam", any(domain.JoinTeam{By: team[len(team)-1]}))
	}
	run(team[0].Person, "MoveTopic", any(domain.MoveTopic{To: domain.StageSelected}))
	run(team[0].Person, "MoveTopic", any(domain.MoveTopic{To: domain.StageScript}))
	run(team[0].Person, "AddScene", any(domain.AddScene{Shown: "Besprechung starten", Seconds: "20", By: team[0]}))
	run(team[0].Person, "AddScene", any(domain.AddScene{Shown: "Titelbild", Seconds: "5", By: team[0]}))
	if err := m.Runner.WaitFor(ctx, seq); err != nil {
		t.Fatal(err)
	}
	page := m.URL() + "/knowhow/" + board + "/themen/" + topic

	sophie, anja := newBrowser(t), newBrowser(t)
	within(t, sophie, 20*time.Second, chromedp.Navigate(m.DemoLinks["Lotsin"]), chromedp.Navigate(page))
	within(t, anja, 20*time.Second, chromedp.Navigate(m.DemoLinks["Admin"]), chromedp.Navigate(page))
	waitFor(t, sophie, liveOnline)
	waitFor(t, anja, liveOnline)
	eval[bool](t, anja, `window.__noReload = true`)

	// Sophie: Tab to the button "Szene 2 nach oben" and press Enter.
	within(t, sophie, 10*time.Second, chromedp.Focus(chromedp.CSS(`#szene-s2-ordnung button`)), chromedp.KeyEvent("\r"))
	waitFor(t, sophie, `location.search.includes("hinweis=thema-szene-bewegt")`)
	const order = `Array.from(document.querySelectorAll("#thema-live tr[data-scene]")).map(r => r.dataset.scene).join(" ")`
	if got := eval[string](t, sophie, order); got != "s2 s1" {
		t.Fatalf("Sophie's Drehbuch order %q, want s2 s1", got)
	}
	waitFor(t, anja, order+` === "s2 s1"`)
	waitFor(t, anja, `!document.querySelector("#drehbuch-bearbeiten .stale-note").hidden`)

	// Sophie changes what scene 1 (s1) shows, by keyboard: type, Tab to its button, Enter.
	within(t, sophie, 10*time.Second, chromedp.Focus(chromedp.CSS("#szene-s1-shown-shown")))
	eval[bool](t, sophie, `document.getElementById("szene-s1-shown-shown").value = "Besprechung in Teams starten"; true`)
	within(t, sophie, 10*time.Second, chromedp.Focus(chromedp.CSS(`#szene-s1-shown button[type="submit"]`)), chromedp.KeyEvent("\r"))
	waitFor(t, sophie, `location.search.includes("hinweis=thema-szene")`)
	// Anja's untouched form for that scene follows, with the new revision.
	waitFor(t, anja, `document.getElementById("szene-s1-shown-shown").value === "Besprechung in Teams starten" && document.querySelector('#szene-s1-shown [name="base_rev"]').value === "2"`)
	if !eval[bool](t, anja, `window.__noReload === true`) {
		t.Fatal("Anja's page reloaded instead of following live")
	}
	artifact(t, anja, "topic-drehbuch.png")
}
