package main

import (
	"context"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// tourEveryPage visits every page of the demo year as everyone who can see
// it — logged out, as Lotsin, Lenkungsgruppe, Admin and guest — each in a
// fresh browser that prepare readies first (nil: nothing), and calls check
// on every page it shows. The accessibility test and the catalogue test
// take the same tour, so a page added here is checked by both.
func tourEveryPage(t *testing.T, m *Main, prepare func(t *testing.T, tab context.Context), check func(t *testing.T, tab context.Context, what string)) {
	t.Helper()
	newTour(t, m).take(t, prepare, check)
}

// tour is the tour of every page on a demo year readied for it: it may be
// taken more than once (in each language).
type tour struct {
	m          *Main
	topicPages []string
}

func newTour(t *testing.T, m *Main) *tour {
	t.Helper()
	openCampaign(t, m)       // a board with open voting besides the demo's of 2023
	openSurveyAsSystem(t, m) // so that the Lotsin sees the questionnaire
	return &tour{m: m, topicPages: a11yTopicPages(t, m)}
}

func (tr *tour) take(t *testing.T, prepare func(t *testing.T, tab context.Context), check func(t *testing.T, tab context.Context, what string)) {
	t.Helper()
	m, topicPages := tr.m, tr.topicPages

	browser := func(t *testing.T) context.Context {
		tab := newBrowser(t)
		if prepare != nil {
			prepare(t, tab)
		}
		return tab
	}
	visit := func(t *testing.T, tab context.Context, path string) {
		t.Helper()
		within(t, tab, 20*time.Second, chromedp.Navigate(m.URL()+path))
		check(t, tab, path)
	}
	// The first link on the current page that starts with prefix.
	firstLink := func(t *testing.T, tab context.Context, prefix string) string {
		t.Helper()
		href := eval[string](t, tab, `(document.querySelector('main a[href^="`+prefix+`"]') || {}).pathname || ""`)
		if href == "" {
			t.Fatalf("no link to %s… on the page", prefix)
		}
		return href
	}

	t.Run("abgemeldet", func(t *testing.T) {
		tab := browser(t)
		for _, p := range []string{"/anmelden", "/gast", "/gibt-es-nicht", "/barrierefreiheit", "/leichte-sprache"} {
			visit(t, tab, p)
		}
	})
	for _, who := range []string{"Lotsin", "Lenkungsgruppe", "Admin"} {
		t.Run(who, func(t *testing.T) {
			tab := browser(t)
			within(t, tab, 20*time.Second, chromedp.Navigate(m.DemoLinks[who]))
			for _, p := range []string{"/lotsen", "/veranstaltungen", "/roadmap", "/konto", "/bericht/2023", "/bericht/2023?stand=2023-10-01", "/umfrage", "/umfrage/2023/auswertung"} {
				visit(t, tab, p)
			}
			for _, p := range topicPages {
				visit(t, tab, p)
			}
			if who == "Admin" {
				visit(t, tab, "/barrierefreiheit")
				visit(t, tab, "/barrierefreiheit/rueckmeldungen")
			}
			if who != "Lotsin" {
				visit(t, tab, "/dashboard?jahr=2023")
				visit(t, tab, "/dashboard/glossar")
			}
			within(t, tab, 20*time.Second, chromedp.Navigate(m.URL()+"/lotsen"))
			visit(t, tab, firstLink(t, tab, "/lotsen/"))
			within(t, tab, 20*time.Second, chromedp.Navigate(m.URL()+"/veranstaltungen"))
			visit(t, tab, firstLink(t, tab, "/veranstaltungen/"))
			// KNowHow: the boards, one board, the board as it was, the import.
			visit(t, tab, "/knowhow")
			// The first board is the open campaign (votes and, for the
			// Lotsin, the facilitator's forms); the last one is 2023's.
			board := firstLink(t, tab, "/knowhow/")
			visit(t, tab, board)
			if who != "Lenkungsgruppe" {
				visit(t, tab, board+"/import")
			}
			within(t, tab, 20*time.Second, chromedp.Navigate(m.URL()+"/knowhow"))
			past := eval[string](t, tab, `[...document.querySelectorAll('main a[href^="/knowhow/"]')].pop().pathname`)
			visit(t, tab, past)
			visit(t, tab, past+"?stand=2023-03-05T12:00")
			// The workshop wall of #KNmeetsHN, and the room's projector view.
			within(t, tab, 20*time.Second, chromedp.Navigate(m.URL()+"/veranstaltungen"))
			wall := eval[string](t, tab, `(Array.from(document.querySelectorAll('main a[href^="/veranstaltungen/"]')).find(a => a.textContent.includes("KNmeetsHN")) || {}).pathname || ""`)
			if wall == "" {
				t.Fatal("no #KNmeetsHN on the events page")
			}
			visit(t, tab, wall)
			visit(t, tab, wall+"/wand/beamer")
		})
	}
	t.Run("Gast", func(t *testing.T) {
		link, ok := m.DemoLinks["Gast"]
		if !ok {
			t.Fatal("the demo has no running event with a guest code")
		}
		tab := browser(t)
		within(t, tab, 20*time.Second, chromedp.Navigate(link))
		check(t, tab, "/gast (mit Code)")
		within(t, tab, 20*time.Second, chromedp.SendKeys(chromedp.CSS("#gast-name"), "Gast aus Heilbronn"),
			chromedp.Click(chromedp.CSS(`#gast button[type=submit]`)))
		waitFor(t, tab, `location.pathname.startsWith("/veranstaltungen/")`)
		check(t, tab, "Veranstaltung als Gast")
	})
}
