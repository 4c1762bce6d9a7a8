package main

import (
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"logbuch/domain"
)

// TestBrowserAnswersTheSurveyByKeyboard: a Lotsin answers this year's
// survey with the keyboard only: Space checks the first choice of a group,
// arrow keys move within it, Tab goes to the next question and at last to
// the button, Enter sends. Afterwards the page says she took part and
// offers the questionnaire no more.
func TestBrowserAnswersTheSurveyByKeyboard(t *testing.T) {
	m := startLogbuch(t, "--demo", "--rating-flush", "0")
	year := openSurveyAsSystem(t, m)
	tab := newBrowser(t)
	within(t, tab, 20*time.Second, chromedp.Navigate(m.DemoLinks["Lotsin"]), chromedp.Navigate(m.URL()+"/umfrage"))
	waitFor(t, tab, `!!document.getElementById("umfrage-rolle/s1-1")`)
	if n := eval[int](t, tab, `document.querySelectorAll("#umfrage fieldset > legend").length`); n != len(domain.DefaultSurveyStatements)+1 {
		t.Fatalf("%d questions with a legend, want the statements and satisfaction", n)
	}
	artifact(t, tab, "survey-form.png")
	within(t, tab, 20*time.Second, chromedp.Focus(chromedp.CSS(`[id="umfrage-rolle/s1-1"]`)))
	steps := []struct {
		arrows int
		want   string
	}{{2, "umfrage-rolle/s1-3"}, {1, "umfrage-rolle/s2-2"}, {3, "umfrage-rolle/s3-4"}, {3, "umfrage-zufriedenheit-4"}}
	for i, s := range steps {
		if i > 0 {
			within(t, tab, 20*time.Second, chromedp.KeyEvent(kb.Tab))
		}
		within(t, tab, 20*time.Second, chromedp.KeyEvent(" "))
		for range s.arrows {
			within(t, tab, 20*time.Second, chromedp.KeyEvent(kb.ArrowRight))
		}
		if got := eval[string](t, tab, `document.activeElement.checked ? document.activeElement.id : "nothing checked at " + document.activeElement.id`); got != s.want {
			t.Fatalf("question %d: %s, want %s checked and focused", i+1, got, s.want)
		}
	}
	within(t, tab, 20*time.Second, chromedp.KeyEvent(kb.Tab))
	if got := eval[string](t, tab, `document.activeElement.textContent`); got != "Antworten abschicken" {
		t.Fatalf("Tab from the last question goes to %q, not the button", got)
	}
	within(t, tab, 20*time.Second, chromedp.KeyEvent(kb.Enter))
	waitFor(t, tab, `location.search === "?hinweis=umfrage-beantwortet" && document.body.textContent.includes("schon teilgenommen") && !document.getElementById("umfrage")`)
	if res, _ := m.Runner.SurveyResults(year); res.Participants != 1 {
		t.Fatalf("participants: %d, want 1", res.Participants)
	}
	// The demo year's results: a chart per item.
	within(t, tab, 20*time.Second, chromedp.Navigate(m.URL()+"/umfrage/2023/auswertung"))
	if n := eval[int](t, tab, `document.querySelectorAll("#umfrage-live svg.chart").length`); n != 10 {
		t.Fatalf("%d charts in the 2023 results, want 10", n)
	}
	artifact(t, tab, "survey-results.png")
}
