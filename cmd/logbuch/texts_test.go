package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"logbuch/domain"
	"logbuch/web"
	"logbuch/web/i18n"
)

// Every text a page shows comes from the catalogues. The tour of every page
// (the accessibility test's) runs in the probe language: German with every
// catalogue text between ⟦ and ⟧. Whatever a page shows outside the marks —
// in its text, its title, its labels for screen readers, what its scripts
// wrote after the live connection came up — must be data from the log
// (names, titles, posts, the Ämter): anything else is a text written into
// code. A page showing a key that no catalogue has fails too.
func TestEveryShownTextComesFromTheCatalogues(t *testing.T) {
	t.Cleanup(i18n.EnableProbe())
	m := startLogbuch(t, "--demo")
	chromiumPath(t)
	data := &logData{m: m}
	prepare := func(t *testing.T, tab context.Context) {
		t.Helper()
		if _, err := chromedp.Call(tab, network.SetCookie, network.SetCookieParams{Name: "lb_sprache", Value: i18n.ProbeCode, URL: m.URL() + "/"}); err != nil {
			t.Fatal(err)
		}
	}
	pages := 0
	check := func(t *testing.T, tab context.Context, what string) {
		t.Helper()
		pages++
		// Live pages: wait for the connection, so that what the scripts
		// write (status, presence) is read too.
		if eval[bool](t, tab, `document.body.hasAttribute("data-live-views") && document.body.getAttribute("data-live-views") !== ""`) {
			waitFor(t, tab, liveOnline)
		}
		if lang := eval[string](t, tab, `document.documentElement.lang`); lang != "de" {
			t.Errorf("%s: the probe page says lang=%q", what, lang)
		}
		// A catalogue text may hold markup (a link, emphasis): its marks
		// then open in one text node and close in a later one, so the
		// depth of marks carries from node to node in document order.
		depth := 0
		for _, s := range eval[[]shownText](t, tab, shownTextsJS) {
			d := 0
			if s.Node {
				d = depth
			}
			var outside []string
			outside, d = unmarkedPieces(s.Text, d)
			if s.Node {
				depth = d
			}
			if bad := notData(outside, data); bad != "" {
				t.Errorf("%s: %s shows %q, which is neither a catalogue text nor data (in %q)", what, s.Where, bad, s.Text)
			}
		}
	}
	tourEveryPage(t, m, prepare, check)

	t.Run("Fehlermeldungen", func(t *testing.T) {
		// A refused form shows the domain's messages, tied to their fields.
		tab := newBrowser(t)
		prepare(t, tab)
		within(t, tab, 20*time.Second, chromedp.Navigate(m.DemoLinks["Admin"]), chromedp.Navigate(m.URL()+"/lotsen"),
			chromedp.Click(chromedp.CSS(`#join button[type=submit]`)))
		waitFor(t, tab, `document.querySelector(".error-summary") !== null`)
		check(t, tab, "/lotsen (leeres Formular)")
	})

	t.Run("Weitere Seiten", func(t *testing.T) {
		// Pages off the tour: refused logins and guest codes, an
		// invitation, a post of the wall on its own page, the wall as of
		// a date.
		tab := newBrowser(t)
		prepare(t, tab)
		within(t, tab, 20*time.Second, chromedp.Navigate(m.URL()+"/anmelden"),
			chromedp.SendKeys(chromedp.CSS("#login-email"), "niemand@konstanz.example"),
			chromedp.SendKeys(chromedp.CSS("#login-password"), "ein falsches Passwort"),
			chromedp.Click(chromedp.CSS(`#login button[type=submit]`)))
		waitFor(t, tab, `document.querySelector(".error-summary") !== null`)
		check(t, tab, "/anmelden (falsches Passwort)")
		within(t, tab, 20*time.Second, chromedp.Navigate(m.URL()+"/gast"),
			chromedp.SendKeys(chromedp.CSS("#gast-code"), "ZZZZZZ"),
			chromedp.SendKeys(chromedp.CSS("#gast-name"), "Gast aus Heilbronn"),
			chromedp.Click(chromedp.CSS(`#gast button[type=submit]`)))
		waitFor(t, tab, `document.querySelector(".error-summary") !== null`)
		check(t, tab, "/gast (falscher Code)")
		link, _, err := web.CreateInviteLink(testCtx(t), m.Log, m.URL(), newPerson(t, m, domain.RoleLotse))
		if err != nil {
			t.Fatal(err)
		}
		within(t, tab, 20*time.Second, chromedp.Navigate(link))
		check(t, tab, "/einladung/…")

		within(t, tab, 20*time.Second, chromedp.Navigate(m.DemoLinks["Admin"]), chromedp.Navigate(m.URL()+"/veranstaltungen"))
		wall := eval[string](t, tab, `(Array.from(document.querySelectorAll('main a[href^="/veranstaltungen/"]')).find(a => a.textContent.includes("KNmeetsHN")) || {}).pathname || ""`)
		within(t, tab, 20*time.Second, chromedp.Navigate(m.URL()+wall))
		post := eval[string](t, tab, `(Array.from(document.querySelectorAll('main a[href*="/wand/"]')).find(a => /\/wand\/[0-9a-f-]{36}$/.test(a.pathname)) || {}).pathname || ""`)
		if wall == "" || post == "" {
			t.Fatalf("no #KNmeetsHN wall (%q) or no post on it (%q)", wall, post)
		}
		within(t, tab, 20*time.Second, chromedp.Navigate(m.URL()+post))
		check(t, tab, "Beitrag der Wand")
		within(t, tab, 20*time.Second, chromedp.Navigate(m.URL()+wall+"/wand/stand?stand=2023-10-17T18:00"))
		check(t, tab, "Wand am 17.10.2023")
	})

	if pages < 60 {
		t.Errorf("only %d pages checked", pages)
	}
	if missing := i18n.Missing(); len(missing) > 0 {
		t.Errorf("keys shown that a catalogue lacks: %v", missing)
	}
}

type shownText struct {
	Where string `json:"where"`
	Text  string `json:"text"`
	Node  bool   `json:"node"` // a text node (in document order), not a title or attribute
}

// shownTextsJS collects what a person reads or hears on the page: the
// title, every text node (hidden ones too: screen readers read them), and
// the attributes that name or describe elements.
const shownTextsJS = `(() => {
	const out = [{where: "title", text: document.title}];
	const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
	for (let n = walker.nextNode(); n; n = walker.nextNode()) {
		const p = n.parentElement;
		if (!p || p.closest("script, style, template")) continue;
		out.push({where: "<" + p.tagName.toLowerCase() + (p.id ? "#" + p.id : "") + ">", text: n.textContent, node: true});
	}
	for (const el of document.body.querySelectorAll("*")) {
		for (const a of ["aria-label", "title", "placeholder", "alt", "aria-description", "aria-roledescription", "aria-valuetext", "label"]) {
			const v = el.getAttribute(a);
			if (v && v.trim()) out.push({where: el.tagName.toLowerCase() + "[" + a + "]", text: v});
		}
		if (el.matches('input[type=submit], input[type=button], input[type=reset]') && el.value) out.push({where: "input[value]", text: el.value});
	}
	return out;
})()`

// unmarkedPieces returns the runs of s outside probe marks, starting at a
// depth of marks opened before s, and the depth at its end.
func unmarkedPieces(s string, depth int) ([]string, int) {
	var out []string
	var cur strings.Builder
	flush := func() {
		if cur.Len() > 0 {
			out = append(out, cur.String())
			cur.Reset()
		}
	}
	for _, r := range s {
		switch string(r) {
		case i18n.ProbeOpen:
			flush()
			depth++
		case i18n.ProbeClose:
			if depth > 0 {
				depth--
			}
		default:
			if depth == 0 {
				cur.WriteRune(r)
			}
		}
	}
	flush()
	return out, depth
}

// notData returns the first piece that has words and is not data of the
// log, or "".
func notData(pieces []string, data *logData) string {
	for _, piece := range pieces {
		piece = strings.TrimFunc(piece, notWord)
		if !hasLetter(piece) || data.has(piece) || link.MatchString(piece) {
			continue
		}
		// A list of data joined by punctuation: each part is data.
		for _, part := range dataSeparators.Split(piece, -1) {
			if part = strings.TrimFunc(part, notWord); hasLetter(part) && !data.has(part) {
				return piece
			}
		}
	}
	return ""
}

// link is an address shown to be copied (the calendar feed): not words.
var link = regexp.MustCompile(`^https?://\S+$`)

var dataSeparators = regexp.MustCompile(` · |, | / | – |; | \(|\)|\n`)

func notWord(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }

func hasLetter(s string) bool { return strings.IndexFunc(s, unicode.IsLetter) >= 0 }

// logData is every string the log holds (event data, decrypted names and
// e-mail addresses, guests' names) and the lists of the domain: what pages
// may show without a catalogue. It is read again when a page shows
// something new (the tour writes as it goes).
type logData struct {
	m    *Main
	all  string
	seen uint64
}

func (d *logData) has(s string) bool {
	if strings.Contains(d.all, s) {
		return true
	}
	if seq, err := d.m.Log.LastSeq(context.Background()); err == nil && seq != d.seen {
		d.load(seq)
		return strings.Contains(d.all, s)
	}
	return false
}

func (d *logData) load(seq uint64) {
	var b strings.Builder
	add := func(s string) {
		// The read models carry an erased person's name as a marker that
		// pages must say from the catalogue: it is not data to show.
		if s != "" && s != domain.ErasedName {
			b.WriteString(s)
			b.WriteByte(0)
		}
	}
	for _, list := range [][]string{domain.Aemter, domain.Cities, domain.Formats} {
		for _, s := range list {
			add(s)
		}
	}
	var exp bytes.Buffer
	if _, err := d.m.Log.Export(context.Background(), &exp); err == nil {
		sc := bufio.NewScanner(&exp)
		sc.Buffer(make([]byte, 1<<20), 16<<20)
		for sc.Scan() {
			var v any
			if json.Unmarshal(sc.Bytes(), &v) == nil {
				for _, s := range collectStrings(v, nil) {
					add(s)
				}
			}
		}
	}
	roster := d.m.Runner.Roster()
	for _, g := range roster.ByAmt {
		for _, p := range g.People {
			add(p.Name)
			add(p.Email)
		}
	}
	for _, p := range roster.Former {
		add(p.Name)
		add(p.Email)
	}
	events, _ := d.m.Runner.Events()
	for _, e := range events {
		_, posts, _, _ := d.m.Runner.Event(e.ID)
		for _, p := range posts {
			add(p.GuestName)
		}
	}
	add("Gast aus Heilbronn") // typed by the tour
	d.all, d.seen = b.String(), seq
}

func collectStrings(v any, out []string) []string {
	switch v := v.(type) {
	case string:
		out = append(out, v)
	case []any:
		for _, x := range v {
			out = collectStrings(x, out)
		}
	case map[string]any:
		for _, x := range v {
			out = collectStrings(x, out)
		}
	}
	return out
}
