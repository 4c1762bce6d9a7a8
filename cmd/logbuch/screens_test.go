package main

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// screenWidths are the screens Logbuch is used on: a phone (320 CSS pixels
// is also WCAG's reflow width: 1280 pixels at 400 % zoom), a desktop, and
// the projector in the room.
var screenWidths = []struct {
	name          string
	width, height int64
}{
	{"telefon", 320, 720},
	{"desktop", 1280, 800},
	{"beamer", 1920, 1080},
}

// mainPages are the pages the screenshots show, as an admin sees them.
func mainPages(m *Main) []string {
	return []string{"/lotsen", "/veranstaltungen", "/roadmap?jahr=2023", "/dashboard?jahr=2023", "/knowhow", "/videothek", "/umfrage", "/bericht/2023", "/barrierefreiheit"}
}

// Every main page fits each screen without sideways scrolling (tables
// may scroll inside their own box), and a screenshot of each is kept as
// a test artifact for people to look at.
func TestScreensPhoneDesktopProjector(t *testing.T) {
	m := startLogbuch(t, "--demo")
	tab := newBrowser(t)
	within(t, tab, 20*time.Second, chromedp.Navigate(m.DemoLinks["Admin"]), chromedp.Navigate(m.URL()+"/veranstaltungen"))
	wall := eval[string](t, tab, `(Array.from(document.querySelectorAll('main a[href^="/veranstaltungen/"]')).find(a => a.textContent.includes("KNmeetsHN")) || {}).pathname || ""`)
	if wall == "" {
		t.Fatal("no #KNmeetsHN on the events page")
	}
	within(t, tab, 20*time.Second, chromedp.Navigate(m.URL()+"/knowhow"))
	board := eval[string](t, tab, `(document.querySelector('main a[href^="/knowhow/"]') || {}).pathname || ""`)
	if board == "" {
		t.Fatal("no KNowHow board on /knowhow")
	}
	pages := append(mainPages(m), wall, wall+"/wand/beamer", board)
	// Screenshots are named by what they show, not by ids.
	names := map[string]string{wall: "knmeetshn-wand", wall + "/wand/beamer": "knmeetshn-beamer", board: "knowhow-tafel"}
	shoot := func(screen string, width int64, path, lang string) {
		t.Helper()
		within(t, tab, 20*time.Second, chromedp.Navigate(m.URL()+path))
		overflow := eval[int](t, tab, `document.documentElement.scrollWidth - document.documentElement.clientWidth`)
		if overflow > 1 { // one pixel is subpixel rounding, not scrolling
			wide := eval[string](t, tab, `Array.from(document.querySelectorAll("body *")).filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1 && !e.closest(".scroll-x")).slice(0, 3).map(e => e.tagName + "." + e.className).join(", ")`)
			t.Errorf("%s at %d px (%s): %d px of sideways scrolling (too wide: %s)", path, width, lang, overflow, wide)
		}
		name, ok := names[path]
		if !ok {
			name = strings.NewReplacer("/", "-", "?", "-", "=", "-").Replace(strings.TrimPrefix(path, "/"))
		}
		if lang != "de" {
			name = lang + "-" + name
		}
		artifact(t, tab, fmt.Sprintf("screen-%s-%s.png", screen, name))
	}
	for _, screen := range screenWidths {
		within(t, tab, 10*time.Second, chromedp.EmulateViewport(screen.width, screen.height))
		for _, path := range pages {
			shoot(screen.name, screen.width, path, "de")
		}
	}
	// English words are shorter or longer than German ones: the phone, the
	// narrowest screen, shows every main page in English too.
	within(t, tab, 20*time.Second, chromedp.Navigate(m.URL()+"/lotsen"), chromedp.Click(chromedp.CSS(`form.language-switch button[value="en"]`)))
	waitFor(t, tab, `document.documentElement.lang === "en"`)
	within(t, tab, 10*time.Second, chromedp.EmulateViewport(screenWidths[0].width, screenWidths[0].height))
	for _, path := range pages {
		shoot(screenWidths[0].name, screenWidths[0].width, path, "en")
	}
}
