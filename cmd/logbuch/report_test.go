package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/google/uuid"

	"logbuch/domain"
)

// reportSections are the headings every annual report has, in order.
var reportSections = []string{
	"Jahresbericht 2023 – Digitallotsen", "Inhalt", "Einführung", "Unsere Digitallotsen", "Beteiligungsstruktur",
	"Roadmap 2023", "Veranstaltungen", "KNowHow", "Ergebnisse der Workshops (#KNmeetsHN)",
	"Umfrage unter den Lotsinnen und Lotsen", "Fazit und Ausblick", "Was die Kennzahlen zählen",
}

var headingText = regexp.MustCompile(`<h[12][^>]*>([^<]*)`)

// checkDemoReport checks that a report of the demo year has every section
// and the record's key content: a Lotsin by her Amt, a departure, a talk,
// a KNowHow video, a workshop group's result.
func checkDemoReport(t *testing.T, html string) {
	t.Helper()
	var headings []string
	for _, m := range headingText.FindAllStringSubmatch(html, -1) {
		headings = append(headings, strings.TrimSpace(m[1]))
	}
	i := 0
	for _, h := range headings {
		if i < len(reportSections) && h == reportSections[i] {
			i++
		}
	}
	if i != len(reportSections) {
		t.Fatalf("report misses the section %q (in order); headings: %q", reportSections[i], headings)
	}
	for _, want := range []string{
		"Stand am ",
		"<dt>Kulturamt</dt>", "Sophie Allmannsdorf", // active at year end, under her Amt
		"Jonas Falkenried (Technische Betriebe)",                           // left in March
		"Lukas Egg (Technische Betriebe)",                                  // joined in April
		"Unser Datenethik-Konzept: digitale Werkzeuge dienen den Menschen", // a talk
		"Dr. Miriam Falk", "Programm Smart Green City",
		`href="https://intranet.konstanz.example/knowhow/urlaub-beantragen"`, // a published video
		"<h4>Inkubator DigitallotsInnen</h4>",                                // a workshop group …
		"<strong>Patenschaften über Stadtgrenzen:</strong> neue Lotsen",      // … and its result, Markdown rendered
		`href="#kennzahl-aktive-lotsen"`, `id="kennzahl-aktive-lotsen"`,
		`href="#kennzahl-umfrage-beteiligung"`, `id="bericht-umfrage-0"`, // the survey's participation and charts
		`href="#kennzahl-bewertung-nach-format"`,                                               // ratings by format
		"Die Lenkungsgruppe unterstützt dabei, in den Ämtern ohne Lotse jemanden zu gewinnen.", // the Fazit
	} {
		if !strings.Contains(strings.ToLower(html), strings.ToLower(want)) {
			t.Errorf("the report does not contain %q", want)
		}
	}
	if strings.Contains(html, domain.ErasedName+" (") && strings.Contains(html, "Ehemals") {
		t.Error("an erased person appears by name")
	}
}

// TestReportOfTheDemoYear reads /bericht/2023 of the demo year: every
// section, names that add up to the figures, the report as of a date
// before #KNmeetsHN, and `logbuch report` on the stopped log writing the
// same report as one self-contained file.
func TestReportOfTheDemoYear(t *testing.T) {
	dir := t.TempDir()
	m := startLogbuchIn(t, dir, "--demo")
	lotse := newActor(t, m, domain.RoleLotse)
	admin := newActor(t, m, domain.RoleAdmin)

	// The facilitator hides one workshop result: the report leaves it out.
	events, _ := m.Runner.Events()
	hidden, knmeetshn := "", ""
	for _, e := range events {
		if e.Title == "#KNmeetsHN 2023" {
			knmeetshn = e.ID
		}
		_, posts, _, _ := m.Runner.Event(e.ID)
		for _, p := range posts {
			if strings.HasPrefix(p.Text, "Führungskräfte einbinden") {
				if s, out, _ := postJSON(t, admin, m.URL()+"/veranstaltungen/"+e.ID+"/wand/"+p.ID+"/ausblenden", uuid.NewString(), `{}`); s != http.StatusOK {
					t.Fatalf("hide: %d %v", s, out)
				}
				hidden = p.ID
			}
		}
	}
	if hidden == "" {
		t.Fatal("the demo wall has no post to hide")
	}

	// A Lotse is erased (DSGVO): the report never names him again, also
	// not as of a date before the erasure.
	erased := ""
	for _, g := range m.Runner.Roster().ByAmt {
		for _, p := range g.People {
			if p.Name == "Tim Wollmatinger" {
				erased = p.ID
			}
		}
	}
	if s, out, _ := postJSON(t, admin, m.URL()+"/lotsen/"+erased+"/loeschen", uuid.NewString(), `{"confirm":"ja"}`); s != http.StatusOK {
		t.Fatalf("erase: %d %v", s, out)
	}

	status, html := getBody(t, lotse, m.URL()+"/bericht/2023")
	if status != http.StatusOK {
		t.Fatalf("/bericht/2023: %d", status)
	}
	checkDemoReport(t, html)
	if strings.Contains(html, "Wollmatinger") || !strings.Contains(html, "<dt>Entsorgungsbetriebe</dt><dd>"+domain.ErasedName+"</dd>") {
		t.Error("the erased Lotse is named, or his Amt lost its (unnamed) Lotse")
	}
	if strings.Contains(html, "Führungskräfte einbinden") {
		t.Error("the report shows a hidden post")
	}
	if strings.Contains(html, `action="/bericht/2023/fazit"`) {
		t.Error("a Lotsin gets the Fazit's edit form")
	}

	// The names add up to the figures: one definition, two views.
	end := time.Date(2023, 12, 31, 23, 59, 59, 0, domain.Berlin)
	f, _ := m.Runner.Figures(2023, end)
	people := m.Runner.ReportPeople(2023, end)
	named := 0
	for _, g := range people.ByAmt {
		named += len(g.People)
	}
	if named != f.ActiveLotsen || len(people.Joined) != f.Joined || len(people.Left) != f.Left {
		t.Fatalf("names %d/%d/%d, figures %d/%d/%d (active/joined/left)", named, len(people.Joined), len(people.Left), f.ActiveLotsen, f.Joined, f.Left)
	}
	if f.ActiveLotsen == 0 || f.Joined == 0 || f.Left == 0 {
		t.Fatalf("the demo year should have active Lotsen, joins and departures: %+v", f)
	}

	// Stand am 1 October 2023: #KNmeetsHN (17 October) is planned, its
	// wall is empty; a Lotsin who left in November is still listed.
	status, before := getBody(t, lotse, m.URL()+"/bericht/2023?stand=2023-10-01")
	if status != http.StatusOK {
		t.Fatalf("as of: %d", status)
	}
	planned := regexp.MustCompile(`<strong>#KNmeetsHN 2023</strong>[^<]*<span class="report-status">geplant</span>`)
	if !planned.MatchString(before) {
		t.Error("as of 1 October, #KNmeetsHN is not shown as planned")
	}
	if strings.Contains(before, "Patin oder einen Paten") {
		t.Error("as of 1 October, the report shows workshop results of 17 October")
	}
	if !strings.Contains(before, "Bis zum Stichtag hat keine Workshop-Gruppe Ergebnisse festgehalten.") {
		t.Error("as of 1 October, the workshop section does not say that there are no results yet")
	}
	if strings.Contains(before, "Wollmatinger") {
		t.Error("as of 1 October, the report names a Lotse erased since")
	}
	if !strings.Contains(before, "Gabriele Dingelsdorf") || !strings.Contains(before, "Stand am 01.10.2023") {
		t.Error("as of 1 October, a Lotsin who left in November is missing, or the date is not on the cover")
	}
	if strings.Contains(before, `data-live-views="bericht/2023"`) {
		t.Error("a past report follows the live view")
	}
	// The wall itself as of a date: empty before, by group after.
	wall := m.URL() + "/veranstaltungen/" + knmeetshn + "/wand/stand?stand="
	if s, page := getBody(t, lotse, wall+"2023-10-01"); s != http.StatusOK || !strings.Contains(page, "Bis zu diesem Zeitpunkt stand nichts auf der Wand.") {
		t.Errorf("the wall as of 1 October: %d", s)
	}
	if s, page := getBody(t, lotse, wall+"2023-10-18"); s != http.StatusOK || !strings.Contains(page, "<h2>Inkubator DigitallotsInnen</h2>") || !strings.Contains(page, "Patenschaften über Stadtgrenzen") {
		t.Errorf("the wall as of 18 October: %d", s)
	}
	if !strings.Contains(html, "/veranstaltungen/"+knmeetshn+"/wand/stand?stand=") {
		t.Error("the report does not link to the wall as of its moment")
	}
	if s, _ := getBody(t, lotse, m.URL()+"/bericht/2023?stand=gestern"); s != http.StatusBadRequest {
		t.Errorf("a bad date: %d, want 400", s)
	}
	if s, _ := getBody(t, lotse, m.URL()+"/bericht/1999"); s != http.StatusNotFound {
		t.Errorf("a year without a report: %d, want 404", s)
	}

	// The command line, on the stopped log.
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "bericht.html")
	args := []string{"report", "--data-dir", dir, "--year", "2023", "--out", out}
	pdf := ""
	if _, err := chromium(); err == nil {
		pdf = filepath.Join(t.TempDir(), "bericht.pdf")
		args = append(args, "--pdf", pdf)
	}
	var stdout, stderr bytes.Buffer
	if err := run(context.Background(), args, func(string) string { return "" }, nil, &stdout, &stderr); err != nil {
		t.Fatalf("logbuch report: %v (%s)", err, stderr.String())
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	file := string(b)
	checkDemoReport(t, file)
	if !strings.Contains(file, "<style>") || !strings.Contains(file, "@page") {
		t.Error("the file has no inlined print stylesheet")
	}
	for _, bad := range []string{"<script", "<link", "<img", "<iframe", "src=", "url(", "@import", "/static/"} {
		if strings.Contains(file, bad) {
			t.Errorf("the file is not self-contained: it contains %q", bad)
		}
	}
	// Links: anchors in the file, or addresses from the record (videos,
	// links in workshop results) that a reader may follow; none into the
	// app, which a file cannot reach.
	for _, m := range regexp.MustCompile(`href="([^"]*)"`).FindAllStringSubmatch(file, -1) {
		if !strings.HasPrefix(m[1], "#") && !strings.HasPrefix(m[1], "https://") {
			t.Errorf("the file links to %q", m[1])
		}
	}
	if pdf != "" {
		p, err := os.ReadFile(pdf)
		if err != nil || !bytes.HasPrefix(p, []byte("%PDF-")) {
			t.Fatalf("--pdf wrote no PDF: %v", err)
		}
	}
	// Without Chromium, --pdf says what it needs (and writes nothing).
	t.Setenv("PATH", t.TempDir())
	err = run(context.Background(), []string{"report", "--data-dir", dir, "--year", "2023", "--out", out + ".2", "--pdf", pdf + ".2"}, func(string) string { return "" }, nil, &stdout, &stderr)
	if err == nil || !strings.Contains(err.Error(), "needs Chromium") {
		t.Fatalf("--pdf without Chromium: %v", err)
	}
	if _, err := os.Stat(out + ".2"); err == nil {
		t.Fatal("--pdf without Chromium wrote the HTML file anyway")
	}
	// Without a year it says what is missing.
	err = run(context.Background(), []string{"report", "--data-dir", dir}, func(string) string { return "" }, nil, &stdout, &stderr)
	if err == nil || !strings.Contains(err.Error(), "--year") {
		t.Fatalf("report without --year: %v", err)
	}
}

// TestReportFazitCoEditing: the Lenkungsgruppe and the digital office
// write the Fazit together over HTTP; edits in different places merge, an
// edit of the same place shows both versions side by side; readers follow
// the text live.
func TestReportFazitCoEditing(t *testing.T) {
	m := startLogbuch(t)
	admin := newActor(t, m, domain.RoleAdmin)
	lg := newActor(t, m, domain.RoleLenkungsgruppe)
	lotse := newActor(t, m, domain.RoleLotse)
	const page = "/bericht/2023"
	admin.CSRF = admin.csrfFrom(t, m, page)
	lg.CSRF = lg.csrfFrom(t, m, page)

	edit := func(a *actor, base, text string) *http.Response {
		t.Helper()
		return postForm(t, m, a, page+"/fazit", url.Values{"command_id": {uuid.NewString()}, "base_rev": {base}, "text": {text}})
	}
	first := "Das Jahr war gut.\n\nNächstes Jahr laden wir Heilbronn ein."
	if s, out, _ := postJSON(t, lotse, m.URL()+page+"/fazit", uuid.NewString(), `{"base_rev":"1","text":"x"}`); s != http.StatusForbidden {
		t.Fatalf("a Lotsin writes the Fazit: %d %v", s, out)
	}
	if res := edit(admin, "1", first); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("first version: %d", res.StatusCode)
	}
	// A reader follows the Fazit live.
	ctx := testCtx(t)
	c := dialLive(t, ctx, m, lotse)
	subscribe(t, ctx, c, "bericht/2023", 0)
	// (A reset, or the update itself when the hub sends it just after the
	// subscription.)
	if msg, ok := readLive(t, ctx, c, 10*time.Second); !ok || (msg.T != "reset" && msg.T != "update") || !strings.Contains(msg.HTML, "Nächstes Jahr laden wir Heilbronn ein.") {
		t.Fatalf("subscribe to the report: %+v", msg)
	}

	// Both start from version 2; the Lenkungsgruppe changes the first
	// paragraph, the admin the second: merged.
	if res := edit(lg, "2", "Das Jahr war sehr gut.\n\nNächstes Jahr laden wir Heilbronn ein."); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("second version: %d", res.StatusCode)
	}
	// The reader sees it without a reload.
	if msg, ok := readLive(t, ctx, c, 10*time.Second); !ok || msg.T != "update" || !strings.Contains(msg.HTML, "Das Jahr war sehr gut.") {
		t.Fatalf("the second version did not arrive live: %+v", msg)
	}
	if res := edit(admin, "2", "Das Jahr war gut.\n\nNächstes Jahr fahren wir nach Heilbronn."); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("merged version: %d", res.StatusCode)
	}
	merged := "Das Jahr war sehr gut.\n\nNächstes Jahr fahren wir nach Heilbronn."
	if got := m.Runner.Conclusion(2023); got.Text != merged || got.Rev != 4 || !got.Versions[len(got.Versions)-1].Merged {
		t.Fatalf("after the merge: rev %d %q", got.Rev, got.Text)
	}
	_, html := getBody(t, lotse, m.URL()+page)
	if !strings.Contains(html, "Das Jahr war sehr gut.") || !strings.Contains(html, "zusammengeführt") || !strings.Contains(html, "Alle Fassungen (3)") {
		t.Fatal("the page does not show the merged Fazit and its versions")
	}

	// Both change the same sentence of version 4: the later one is refused
	// with both versions side by side, and nothing is lost.
	if res := edit(admin, "4", "Das Jahr war ordentlich.\n\nNächstes Jahr fahren wir nach Heilbronn."); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("version 5: %d", res.StatusCode)
	}
	mine := "Das Jahr war großartig.\n\nNächstes Jahr fahren wir nach Heilbronn."
	res := edit(lg, "4", mine)
	if res.StatusCode != http.StatusConflict {
		t.Fatalf("overlapping edit: %d, want 409", res.StatusCode)
	}
	var body bytes.Buffer
	body.ReadFrom(res.Body)
	conflict := body.String()
	for _, want := range []string{"Ihre Fassung (wird gespeichert)", "Das Jahr war großartig.", "Aktuelle Fassung 5", "Das Jahr war ordentlich.", `name="base_rev" value="5"`} {
		if !strings.Contains(conflict, want) {
			t.Errorf("the conflict page does not show %q", want)
		}
	}
	if got := m.Runner.Conclusion(2023); got.Rev != 5 {
		t.Fatalf("a refused edit wrote a version: rev %d", got.Rev)
	}
	// The same as JSON: 409 with both versions.
	s, out, _ := postJSON(t, lg, m.URL()+page+"/fazit", uuid.NewString(), `{"base_rev":"4","text":"Das Jahr war famos.\n\nNächstes Jahr fahren wir nach Heilbronn."}`)
	e, _ := out["error"].(map[string]any)
	if s != http.StatusConflict || e["current_rev"] != float64(5) || !strings.Contains(fmt.Sprint(e["current"]), "ordentlich") || !strings.Contains(fmt.Sprint(e["yours"]), "famos") {
		t.Fatalf("JSON conflict: %d %v", s, out)
	}
	// Having seen both, the writer sends again on version 5.
	if res := edit(lg, "5", mine); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("after the conflict: %d", res.StatusCode)
	}
	if got := m.Runner.Conclusion(2023); got.Text != mine || got.Rev != 6 {
		t.Fatalf("final: rev %d %q", got.Rev, got.Text)
	}
}

// TestBrowserReport opens the demo year's report in real Chromium: no
// console error or uncaught exception, and a screenshot of its first
// pages (as printed) for the test artifacts.
func TestBrowserReport(t *testing.T) {
	m := startLogbuch(t, "--demo")
	tab := newBrowser(t)
	var mu sync.Mutex
	var problems []string
	note := func(s string) {
		mu.Lock()
		problems = append(problems, s)
		mu.Unlock()
	}
	listen, stop := context.WithCancel(tab)
	defer stop()
	collect := func(ev func(yield func(string) bool)) {
		go ev(func(s string) bool { note(s); return true })
	}
	exceptions := chromedp.Events(listen, runtime.ExceptionThrown)
	console := chromedp.Events(listen, runtime.ConsoleAPICalled)
	logs := chromedp.Events(listen, cdplog.EntryAdded)
	collect(func(yield func(string) bool) {
		for ev, err := range exceptions {
			if err != nil {
				return
			}
			yield("exception: " + ev.ExceptionDetails.Text)
		}
	})
	collect(func(yield func(string) bool) {
		for ev, err := range console {
			if err != nil {
				return
			}
			if ev.Type == runtime.ConsoleAPICalledTypeError {
				args, _ := json.Marshal(ev.Args)
				yield("console.error: " + string(args))
			}
		}
	})
	collect(func(yield func(string) bool) {
		for ev, err := range logs {
			if err != nil {
				return
			}
			if ev.Entry != nil && ev.Entry.Level == cdplog.EntryLevelError && !strings.HasSuffix(ev.Entry.URL, "/favicon.ico") {
				yield("log: " + ev.Entry.Text + " " + ev.Entry.URL)
			}
		}
	})
	within(t, tab, 20*time.Second, chromedp.Navigate(m.DemoLinks["Lenkungsgruppe"]), chromedp.Navigate(m.URL()+"/bericht/2023"))
	waitFor(t, tab, liveOnline)
	if got := eval[int](t, tab, `document.querySelectorAll("section.report-section").length`); got != len(reportSections)-2 {
		t.Errorf("%d report sections in the browser, want %d", got, len(reportSections)-2)
	}
	if !eval[bool](t, tab, `!!document.querySelector("#fazit-text") && !!document.querySelector("#bericht-aemter")`) {
		t.Error("the Lenkungsgruppe sees no Fazit form or no chart")
	}
	// The first pages as printed: A4 width, print styles.
	ctx, cancel := context.WithTimeout(tab, 10*time.Second)
	err := chromedp.Do(ctx, func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		if _, err := cdp.Call(ctx, tg, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"}); err != nil {
			return chromedp.Void{}, err
		}
		_, err := cdp.Call(ctx, tg, emulation.SetDeviceMetricsOverride, emulation.SetDeviceMetricsOverrideParams{Width: 794, Height: 3 * 1123, DeviceScaleFactor: 1})
		return chromedp.Void{}, err
	})
	cancel()
	if err != nil {
		t.Fatal(err)
	}
	if eval[bool](t, tab, `getComputedStyle(document.querySelector("header.site nav")).display !== "none"`) {
		t.Error("the navigation is printed")
	}
	artifact(t, tab, "bericht-2023.png")
	stop()
	mu.Lock()
	defer mu.Unlock()
	for _, p := range problems {
		t.Errorf("browser: %s", p)
	}
}
