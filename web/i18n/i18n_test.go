package i18n_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"logbuch/domain"
	"logbuch/web/i18n"
)

var fix = flag.Bool("fix", false, "rewrite the catalogue files in their canonical form")

func catalogues(t *testing.T) map[i18n.Lang]map[string]string {
	t.Helper()
	out := map[i18n.Lang]map[string]string{}
	for _, l := range i18n.Languages {
		texts, err := i18n.Parse(l)
		if err != nil {
			t.Fatal(err)
		}
		out[l] = texts
	}
	return out
}

// Every language has a text for every key: a key only German knows would
// show English readers a key.
func TestCataloguesHaveTheSameKeys(t *testing.T) {
	all := catalogues(t)
	de := all[i18n.German]
	if len(de) < 50 {
		t.Fatalf("the German catalogue has only %d texts", len(de))
	}
	for _, l := range i18n.Languages[1:] {
		for k := range de {
			if _, ok := all[l][k]; !ok {
				t.Errorf("%s.json lacks %q (German: %q)", l, k, de[k])
			}
		}
		for k := range all[l] {
			if _, ok := de[k]; !ok {
				t.Errorf("%s.json has %q, which de.json lacks", l, k)
			}
		}
	}
}

var verb = regexp.MustCompile(`%(\[\d+\])?[-+# 0]*\d*(\.\d+)?[a-zA-Z%]`)

// placeholders lists the verbs of a text in argument order, so that a
// translation that moves an argument with %[2]s still matches.
func placeholders(s string) []string {
	var out []string
	next := 1
	for _, m := range verb.FindAllStringSubmatch(s, -1) {
		v := m[0]
		if strings.HasSuffix(v, "%%") || v == "%%" {
			continue
		}
		idx := next
		if m[1] != "" {
			idx = int(m[1][1] - '0')
			v = strings.Replace(v, m[1], "", 1)
		}
		next = idx + 1
		for len(out) < idx {
			out = append(out, "")
		}
		out[idx-1] = v[len(v)-1:]
	}
	return out
}

// A translation takes the same arguments as the German text: a missing or
// extra %s would print "%!s(MISSING)" or drop a name.
func TestPlaceholdersMatch(t *testing.T) {
	all := catalogues(t)
	for k, de := range all[i18n.German] {
		want := placeholders(de)
		for _, l := range i18n.Languages[1:] {
			if got := placeholders(all[l][k]); !slices.Equal(got, want) {
				t.Errorf("%s: %s has placeholders %v, German %v (%q / %q)", k, l, got, want, all[l][k], de)
			}
		}
	}
}

// Plural texts come in pairs, and the pair counts with its first argument.
func TestPluralsComplete(t *testing.T) {
	for l, texts := range catalogues(t) {
		for k := range texts {
			base, form, ok := cutLast(k)
			if !ok || (form != "one" && form != "other") {
				continue
			}
			other := base + ".other"
			if form == "other" {
				other = base + ".one"
			}
			if _, ok := texts[other]; !ok {
				t.Errorf("%s: %s has no %s", l, k, other)
			}
		}
	}
}

func cutLast(k string) (string, string, bool) {
	i := strings.LastIndexByte(k, '.')
	if i < 0 {
		return "", "", false
	}
	return k[:i], k[i+1:], true
}

var allowedTags = regexp.MustCompile(`^</?(a|strong|em|code|abbr|br)( href="(/[^"]*|https://[^"]+|mailto:[^"]+)")?( title="[^"<>]*")?/?>$`)

// Texts are plain: only keys ending in _html may carry markup, and only a
// few harmless tags, because those are written into pages unescaped.
func TestMarkupOnlyInHTMLTexts(t *testing.T) {
	tag := regexp.MustCompile(`<[^>]*>`)
	for l, texts := range catalogues(t) {
		for k, v := range texts {
			if !strings.HasSuffix(k, "_html") {
				if strings.ContainsAny(v, "<>") {
					t.Errorf("%s: %s has markup but its key does not end in _html: %q", l, k, v)
				}
				continue
			}
			for _, m := range tag.FindAllString(v, -1) {
				if !allowedTags.MatchString(m) {
					t.Errorf("%s: %s has a tag that is not allowed: %s", l, k, m)
				}
			}
		}
	}
}

// Texts have no blank around them (what a page puts between texts is the
// page's business) and none is empty.
func TestTextsAreTrimmed(t *testing.T) {
	for l, texts := range catalogues(t) {
		for k, v := range texts {
			if k == "list.separator" {
				continue
			}
			if v == "" || strings.TrimSpace(v) != v {
				t.Errorf("%s: %s = %q", l, k, v)
			}
		}
	}
}

// The files are sorted and indented one way, so that changes merge cleanly
// and a reviewer sees only what changed. go test ./web/i18n -run
// Canonical -fix rewrites them.
func TestCatalogueFilesAreCanonical(t *testing.T) {
	for l, texts := range catalogues(t) {
		path := string(l) + ".json"
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		if err := enc.Encode(texts); err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Equal(got, want.Bytes()) {
			continue
		}
		if *fix {
			if err := os.WriteFile(path, want.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		t.Errorf("%s is not in its canonical form (sorted keys, two spaces): run go test ./web/i18n -run Canonical -fix", path)
	}
}

func TestNumbersAndDatesPerLanguage(t *testing.T) {
	de, en := i18n.For(i18n.German), i18n.For(i18n.English)
	// 17 October 2023, 14:30 in Konstanz is 12:30 UTC (summer time).
	at := time.Date(2023, 10, 17, 12, 30, 0, 0, time.UTC)
	for _, c := range []struct{ got, want string }{
		{de.Date(at), "17.10.2023"},
		{en.Date(at), "17 Oct 2023"},
		{de.DateTime(at), "17.10.2023, 14:30 Uhr"},
		{en.DateTime(at), "17 Oct 2023, 14:30"},
		{de.Clock(at), "14:30 Uhr"},
		{en.Clock(at), "14:30"},
		{de.MonthYear(at), "Oktober 2023"},
		{en.MonthYear(at), "October 2023"},
		{de.LongDate(at), "Dienstag, 17. Oktober 2023"},
		{en.LongDate(at), "Tuesday, 17 October 2023"},
		{de.Date(time.Date(2023, 5, 2, 8, 0, 0, 0, time.UTC)), "02.05.2023"},
		{en.MonthYear(time.Date(2023, 5, 2, 8, 0, 0, 0, time.UTC)), "May 2023"},
		{de.MonthYear(time.Date(2023, 3, 2, 8, 0, 0, 0, time.UTC)), "März 2023"},
		{de.Date(time.Time{}), "–"},
		{de.Int(2023), "2023"},
		{de.Int(23449), "23.449"},
		{en.Int(23449), "23,449"},
		{de.Int(-1234567), "-1.234.567"},
		{de.Decimal(3.5, 1), "3,5"},
		{en.Decimal(3.5, 1), "3.5"},
		{de.Decimal(12345.678, 2), "12.345,68"},
		{de.T("error.title", 404), "Fehler 404"},
		{de.List([]string{"Anna", "Ben", "Cem"}), "Anna, Ben und Cem"},
		{en.List([]string{"Anna", "Ben"}), "Anna and Ben"},
		{de.N("wall.posts", 1), "1 Beitrag"},
		{de.N("wall.posts", 12000), "12.000 Beiträge"},
		{en.N("wall.posts", 2), "2 posts"},
		{de.Msg(domain.M("history.topic_moved", domain.StageSelected.Label())), "hat das Thema nach „Ausgewählt“ verschoben"},
		{en.Msg(domain.M("history.topic_moved", domain.StageSelected.Label())), "moved the topic to “Selected”"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
	// Numbers inside texts follow the language: a decimal comma in German.
	if got := de.T("%.1f von %d", 3.25, 12000); got != "3,2 von 12.000" && got != "3,3 von 12.000" {
		t.Errorf("German number in a text: %q", got)
	}
}

// An HTML text escapes its arguments: a name cannot become markup; numbers
// keep their verbs and the language's way.
func TestHTMLTextEscapesArguments(t *testing.T) {
	got := i18n.For(i18n.German).HTML("layout.title", `<script>alert(1)</script>`)
	if strings.Contains(got, "<script>") || !strings.Contains(got, "&lt;script&gt;") {
		t.Fatalf("argument not escaped: %s", got)
	}
	if got := i18n.For(i18n.German).HTML("error.title", 12000); got != "Fehler 12.000" {
		t.Fatalf("numbers in an HTML text: %s", got)
	}
}

// A key no catalogue has is noted (tests fail on it) and shown as itself.
func TestMissingKeysAreNoted(t *testing.T) {
	got := i18n.For(i18n.English).T("test.no-such-key")
	if got != "test.no-such-key" || !slices.Contains(i18n.Missing(), "en:test.no-such-key") {
		t.Fatalf("got %q, missing %v", got, i18n.Missing())
	}
}

// The probe marks every text, and only texts: separators stay as they are,
// so that numbers stay numbers.
func TestProbeMarksEveryText(t *testing.T) {
	if _, ok := i18n.Choose(i18n.ProbeCode); ok {
		t.Fatal("the probe is offered before a test enabled it")
	}
	t.Cleanup(i18n.EnableProbe())
	l, ok := i18n.Choose(i18n.ProbeCode)
	if !ok {
		t.Fatal("the probe is not offered after EnableProbe")
	}
	p := i18n.For(l)
	if got := p.T("nav.roster"); got != i18n.ProbeOpen+"Lotsen"+i18n.ProbeClose {
		t.Errorf("probe text %q", got)
	}
	if got := p.Int(23449); got != "23.449" {
		t.Errorf("probe number %q", got)
	}
	if p.Lang() != i18n.German {
		t.Errorf("the probe reads as German, got %s", p.Lang())
	}
}

// A stored choice names a language; anything else is German.
func TestChoose(t *testing.T) {
	for code, want := range map[string]i18n.Lang{"de": i18n.German, "en": i18n.English, "fr": i18n.German, "": i18n.German, "EN": i18n.German} {
		if got, _ := i18n.Choose(code); got != want {
			t.Errorf("Choose(%q) = %s, want %s", code, got, want)
		}
	}
}

// germanWords betray a text left German in the English catalogue.
var germanWords = regexp.MustCompile(`(?i)\b(und|oder|der|die|das|nicht|Sie|ist|sind|mit|für|von|bitte|noch|keine?|wird|werden|wurde|haben|hat|zum|zur|beim|eine?n?)\b|[äöüß]`)

// keepGerman are English texts that are German on purpose: the names of
// the programme, of places and of the German language itself.
func keepGerman(key, text string) bool {
	for _, amt := range domain.Aemter {
		text = strings.ReplaceAll(text, amt, "")
	}
	for _, name := range []string{"Digitallotse", "Digitallotsin", "Lotsen", "Lotse", "Lotsin", "Lenkungsgruppe", "KNowHow", "KNmeetsHN",
		"Amt", "Ämter", "Leichte Sprache", "Deutsch", "Konstanz", "Heilbronn", "Meet & Learn", "Lunch & Learn", "Barrierefreiheit",
		"Stand am", "Drehbuch", "Präferenz", "Baden-Württemberg", "Landes-Behindertenbeauftragte", "Bedarf", "Fazit und Ausblick", "Digitalisierung", "Kämmerei", "BITV", "Schwerbehindertenvertretung"} {
		text = strings.ReplaceAll(text, name, "")
	}
	return !germanWords.MatchString(text) || key == "language.name.de"
}

// The English catalogue is English: a text copied from German, or left
// German inside, fails (the programme's own words excepted).
func TestEnglishIsTranslated(t *testing.T) {
	all := catalogues(t)
	for k, en := range all[i18n.English] {
		if !keepGerman(k, en) {
			t.Errorf("en.json %s looks German: %q", k, en)
		}
	}
}

// A text without markup of its own is escaped when it goes into HTML;
// SafeHTML arguments (links the page builds) go in as they are.
func TestHTMLOfPlainTextsAndSafeArguments(t *testing.T) {
	de := i18n.For(i18n.German)
	if got := de.HTML("event_format.meet-learn"); got != "Meet &amp; Learn" {
		t.Errorf("plain text in HTML: %s", got)
	}
	if got := de.HTML("layout.title", i18n.SafeHTML(`<a href="#x">Lotsen</a>`)); got != `<a href="#x">Lotsen</a> – Logbuch der Digitallotsen` {
		t.Errorf("safe argument: %s", got)
	}
	if got, want := de.N("wall.posts", 1), de.T("wall.posts."+i18n.PluralForm(1), 1); got != want || i18n.PluralForm(2) != "other" {
		t.Errorf("plural forms: %q, %q", got, want)
	}
}
