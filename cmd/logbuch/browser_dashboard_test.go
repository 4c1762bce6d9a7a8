package main

import (
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/google/uuid"

	"logbuch/domain"
)

// The Lenkungsgruppe watches the year: a vote cast on a board shows up on
// a dashboard open in Chromium, without a reload; the key figures move
// with it (a new topic proposed counts at once).
func TestBrowserDashboardSeesAVoteLive(t *testing.T) {
	m := startLogbuch(t)
	admin := newActor(t, m, domain.RoleAdmin)
	lotsin := newActor(t, m, domain.RoleLotse)
	steering := newActor(t, m, domain.RoleLenkungsgruppe)
	year := time.Now().In(berlin).Year()
	status, out, _ := postJSON(t, admin, m.URL()+"/knowhow", uuid.NewString(), fmt.Sprintf(`{"title":"KNowHow %d","year":%d,"facilitator":%q,"budget":3}`, year, year, lotsin.Person))
	if status != 200 {
		t.Fatalf("create board: %d %v", status, out)
	}
	board := out["id"].(string)
	topic := proposeTopic(t, m, lotsin, board, "Barrierefreie PDF-Formulare")

	tab := newBrowser(t)
	within(t, tab, 20*time.Second, chromedp.Navigate(m.URL()+"/anmelden"),
		chromedp.SendKeys(chromedp.CSS("#login-email"), steering.Email),
		chromedp.SendKeys(chromedp.CSS("#login-password"), steering.Password),
		chromedp.Click(chromedp.CSS(`#login button[type=submit]`)))
	waitFor(t, tab, `location.pathname !== "/anmelden"`)
	within(t, tab, 20*time.Second, chromedp.Navigate(fmt.Sprintf("%s/dashboard?jahr=%d", m.URL(), year)))
	waitFor(t, tab, liveOnline)
	eval[bool](t, tab, `window.__noReload = true`)
	topicsBefore := eval[string](t, tab, `document.querySelector('a[href="/dashboard/glossar#themen"]').closest(".figure").querySelector("dd").textContent`)
	if topicsBefore != "1" {
		t.Fatalf("the dashboard counts %s topics, want 1", topicsBefore)
	}

	if s, out := boardPost(t, m, lotsin, board, "/praeferenz", fmt.Sprintf(`{"topic":%q,"dots":2}`, topic)); s != 200 {
		t.Fatalf("vote: %d %v", s, out)
	}
	waitFor(t, tab, `window.__noReload === true && document.querySelector("#dashboard-live .feed").textContent.includes("hat das Thema „Barrierefreie PDF-Formulare“ bewertet")`)

	proposeTopic(t, m, lotsin, board, "E-Akte für Einsteiger")
	waitFor(t, tab, `window.__noReload === true && document.querySelector('a[href="/dashboard/glossar#themen"]').closest(".figure").querySelector("dd").textContent === "2"`)
	artifact(t, tab, "dashboard-live.png")
}
