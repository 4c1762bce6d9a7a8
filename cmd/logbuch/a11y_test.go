package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
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

// Every page, as everyone who can see it, in German and in English, passes
// axe-core without a serious or critical violation.
func TestAccessibilityOfEveryPage(t *testing.T) {
	axe := axeSource(t)
	m := startLogbuch(t, "--demo")
	chromiumPath(t)
	tour := newTour(t, m)
	for _, lang := range []string{"de", "en"} {
		t.Run(lang, func(t *testing.T) {
			choose := func(t *testing.T, tab context.Context) {
				t.Helper()
				if _, err := chromedp.Call(tab, network.SetCookie, network.SetCookieParams{Name: "lb_sprache", Value: lang, URL: m.URL() + "/"}); err != nil {
					t.Fatal(err)
				}
			}
			tour.take(t, choose, func(t *testing.T, tab context.Context, what string) {
				if got := eval[string](t, tab, `document.documentElement.lang`); got != lang {
					t.Errorf("%s: lang=%q, want %q", what, got, lang)
				}
				checkA11y(t, tab, axe, what)
			})
		})
	}
}
