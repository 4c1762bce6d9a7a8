package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"logbuch/domain"
)

// TestWallInBrowser: a guest in Chromium picks a group, posts with
// formatting, sees another participant's post arrive live and gives it a
// "+1" from the live-rendered wall (whose forms carry no personal tokens
// until wall.js fills them in), and finds the edit link on their own post.
func TestWallInBrowser(t *testing.T) {
	m := startLogbuch(t)
	admin := newActor(t, m, domain.RoleAdmin)
	anna := newActor(t, m, domain.RoleLotse)
	event, code := wallEvent(t, m, admin)
	tab := newBrowser(t)
	joinInBrowser(t, tab, m, code, event, "Kim aus Heilbronn")
	waitFor(t, tab, liveOnline)
	within(t, tab, 20*time.Second,
		chromedp.SetValue(chromedp.CSS("#gruppe-wahl-group"), "2"),
		chromedp.Click(chromedp.CSS(`#gruppe-wahl button[type="submit"]`)),
	)
	waitFor(t, tab, `location.search === "?hinweis=gruppe-gewaehlt" && document.getElementById("post-group").value === "2" && document.getElementById("live-status").dataset.state === "online"`)
	within(t, tab, 20*time.Second,
		chromedp.SendKeys(chromedp.CSS("#post-text"), "Unser Ergebnis: **mutig sein**"),
		chromedp.Click(chromedp.CSS(`#post button[type="submit"]`)),
	)
	waitFor(t, tab, `location.search === "?hinweis=gepostet" && !!document.querySelector('#wand-live [data-group="2"] li.post strong') && document.getElementById("live-status").dataset.state === "online"`)

	// Anna posts in group 1: the wall is re-rendered as shared bytes.
	theirs := wallPost(t, m, anna, event, "1", "Annas Ergebnis")
	waitFor(t, tab, `!!document.querySelector('li[data-post="`+theirs+`"]')`)
	if got := eval[string](t, tab, `document.querySelector('li[data-post="`+theirs+`"] .plus-give input[name="csrf"]').value`); got != "" {
		t.Fatalf("the shared live bytes carry a CSRF token: %q", got)
	}
	// The own post, re-rendered live, still offers the edit link; Anna's does not.
	if !eval[bool](t, tab, `!document.querySelector('[data-group="2"] li.post .post-edit').hidden && document.querySelector('li[data-post="`+theirs+`"] .post-edit').hidden`) {
		t.Fatal("wall.js does not mark the own post")
	}
	within(t, tab, 20*time.Second, chromedp.Click(chromedp.CSS(`li[data-post="`+theirs+`"] .plus-give button`)))
	waitFor(t, tab, `(function(){var li=document.querySelector('li[data-post="`+theirs+`"]');return !!li && li.querySelector(".plus-count").textContent.trim()==="+1: 1" && getComputedStyle(li.querySelector(".plus-take")).display !== "none" && getComputedStyle(li.querySelector(".plus-give")).display === "none"})()`)
	p, _, _ := m.Runner.WallPost(theirs)
	if len(p.PlusOnes) != 1 || !strings.HasPrefix(p.PlusOnes[0], "guest:") {
		t.Fatalf("+1 of %v", p.PlusOnes)
	}
	artifact(t, tab, "wall-guest.png")
}

// joinInBrowser joins an event as a guest with its code, in the browser.
func joinInBrowser(t *testing.T, tab context.Context, m *Main, code, event, name string) {
	t.Helper()
	within(t, tab, 20*time.Second,
		chromedp.Navigate(m.URL()+"/gast?code="+code),
		chromedp.SendKeys(chromedp.CSS("#gast-name"), name),
		chromedp.Click(chromedp.CSS(`#gast button[type="submit"]`)),
	)
	waitFor(t, tab, `location.pathname === "/veranstaltungen/`+event+`"`)
}
