package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// axeSource reads axe-core, which `make test` fetches from npm at a pinned
// version (never committed). Without it the accessibility test skips,
// unless CI is set.
func axeSource(t *testing.T) string {
	t.Helper()
	path := os.Getenv("LOGBUCH_AXE")
	if path == "" {
		path = filepath.Join("..", "..", ".cache", "axe", "node_modules", "axe-core", "axe.min.js")
	}
	b, err := os.ReadFile(path)
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("CI is set but axe-core is missing at %s: `make test` installs it with npm (%v)", path, err)
		}
		t.Skipf("axe-core not found at %s: run `make test` (it installs axe-core with npm) to run the accessibility test", path)
	}
	return string(b)
}

// axeViolation is what axe-core reports for one broken rule.
type axeViolation struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	Nodes  []struct {
		Target []any `json:"target"`
	} `json:"nodes"`
}

// checkA11y runs axe-core on the page the tab shows and fails on every
// serious or critical violation of WCAG 2.1 A/AA.
func checkA11y(t *testing.T, tab context.Context, axe, what string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(tab, 30*time.Second)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](axe+";true")); err != nil {
		t.Fatalf("%s: inject axe-core: %v", what, err)
	}
	violations, err := chromedp.Run(ctx, chromedp.Evaluate[[]axeViolation](`axe.run(document, {
		runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]},
		resultTypes: ["violations"]
	}).then(r => r.violations)`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("%s: run axe-core: %v", what, err)
	}
	for _, v := range violations {
		if v.Impact != "serious" && v.Impact != "critical" {
			continue
		}
		var targets []string
		for _, n := range v.Nodes {
			for _, s := range n.Target {
				if str, ok := s.(string); ok {
					targets = append(targets, str)
				}
			}
		}
		t.Errorf("%s: %s (%s): %s — at %s", what, v.ID, v.Impact, v.Help, strings.Join(targets, ", "))
	}
}

// Every page, as everyone who can see it, passes axe-core without a serious
// or critical violation.
func TestAccessibilityOfEveryPage(t *testing.T) {
	axe := axeSource(t)
	m := startLogbuch(t, "--demo")
	chromiumPath(t)

	visit := func(t *testing.T, tab context.Context, path string) {
		t.Helper()
		within(t, tab, 20*time.Second, chromedp.Navigate(m.URL()+path))
		checkA11y(t, tab, axe, path)
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
		tab := newBrowser(t)
		for _, p := range []string{"/anmelden", "/gast", "/gibt-es-nicht", "/barrierefreiheit", "/leichte-sprache"} {
			visit(t, tab, p)
		}
	})
	for _, who := range []string{"Lotsin", "Lenkungsgruppe", "Admin"} {
		t.Run(who, func(t *testing.T) {
			tab := newBrowser(t)
			within(t, tab, 20*time.Second, chromedp.Navigate(m.DemoLinks[who]))
			for _, p := range []string{"/lotsen", "/veranstaltungen", "/roadmap", "/konto"} {
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
		tab := newBrowser(t)
		within(t, tab, 20*time.Second, chromedp.Navigate(link))
		checkA11y(t, tab, axe, "/gast (mit Code)")
		within(t, tab, 20*time.Second, chromedp.SendKeys(chromedp.CSS("#gast-name"), "Gast aus Heilbronn"),
			chromedp.Click(chromedp.CSS(`#gast button[type=submit]`)))
		waitFor(t, tab, `location.pathname.startsWith("/veranstaltungen/")`)
		checkA11y(t, tab, axe, "Veranstaltung als Gast")
	})
}
