// Package i18n holds Logbuch's language catalogues and says things in a
// language: every text a person sees is a key in the catalogue of each
// language (de.json, en.json beside this file), and dates, times and
// numbers are written the way that language writes them, always in
// Europe/Berlin.
//
// German is the first language: it is what everyone sees until they
// choose another one. A key missing from a catalogue is a defect; tests
// find it (Missing), and people see the key rather than a blank.
package i18n

import (
	"context"
	"embed"
	"encoding/json"
	"fmt"
	"html"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"logbuch/domain"
)

// Lang names a language by its BCP 47 tag.
type Lang string

// The languages of Logbuch. German comes first.
const (
	German  Lang = "de"
	English Lang = "en"
)

// Languages are the languages people may choose, in the order the choice
// shows them.
var Languages = []Lang{German, English}

//go:embed de.json en.json
var files embed.FS

// Catalogue is the texts of one language and the way it writes numbers
// and dates.
type Catalogue struct {
	lang     Lang // the language of the texts (the lang attribute of pages)
	code     Lang // the choice that gives this catalogue (For(code)); the cookie's value
	texts    map[string]string
	months   [12]string
	monthAbb [12]string
	weekdays [7]string
	decimal  string
	group    string
}

var (
	loadOnce   sync.Once
	catalogues map[Lang]*Catalogue
	loadErr    error
)

// Load reads and checks the embedded catalogues; it is called on first use
// and by the program at start, so a broken catalogue stops the start with
// a clear message instead of showing keys.
func Load() error {
	loadOnce.Do(func() {
		catalogues = map[Lang]*Catalogue{}
		for _, l := range Languages {
			texts, err := Parse(l)
			if err != nil {
				loadErr = err
				return
			}
			catalogues[l] = newCatalogue(l, l, texts)
		}
	})
	return loadErr
}

// Parse reads the catalogue file of a language as it is stored.
func Parse(l Lang) (map[string]string, error) {
	b, err := files.ReadFile(string(l) + ".json")
	if err != nil {
		return nil, fmt.Errorf("read catalogue %s: %w", l, err)
	}
	texts := map[string]string{}
	if err := json.Unmarshal(b, &texts); err != nil {
		return nil, fmt.Errorf("parse catalogue %s.json: %w", l, err)
	}
	return texts, nil
}

func newCatalogue(l Lang, code Lang, texts map[string]string) *Catalogue {
	c := &Catalogue{lang: l, code: code, texts: texts}
	for i := range 12 {
		c.months[i] = c.T("month." + strconv.Itoa(i+1))
		c.monthAbb[i] = c.T("month_short." + strconv.Itoa(i+1))
	}
	for i := range 7 {
		c.weekdays[i] = c.T("weekday." + strconv.Itoa(i))
	}
	c.decimal = c.T("format.decimal_separator")
	c.group = c.T("format.group_separator")
	return c
}

// For returns the catalogue of a language; German for an unknown one.
func For(l Lang) *Catalogue {
	if err := Load(); err != nil {
		panic(err) // the embedded files are checked by tests and at start
	}
	if c, ok := catalogues[l]; ok {
		return c
	}
	if l == probeCode && probeOn.Load() {
		return probe()
	}
	return catalogues[German]
}

// Choose returns the language a stored choice (a cookie's value) names.
func Choose(code string) (Lang, bool) {
	for _, l := range Languages {
		if code == string(l) {
			return l, true
		}
	}
	if code == string(probeCode) && probeOn.Load() {
		return probeCode, true
	}
	return German, false
}

// Offered are the languages rendered for live views: the ones people may
// choose (and the probe while a test has it on).
func Offered() []Lang {
	if probeOn.Load() {
		return append(slices.Clone(Languages), probeCode)
	}
	return Languages
}

// Lang is the language of the texts (for the lang attribute of a page).
func (c *Catalogue) Lang() Lang { return c.lang }

// Code is the choice that gives this catalogue, as it is stored.
func (c *Catalogue) Code() Lang { return c.code }

// Has reports whether the catalogue has a text for key.
func (c *Catalogue) Has(key string) bool {
	_, ok := c.texts[key]
	return ok
}

// T says the text of key, its placeholders (fmt verbs) filled with args.
// Numbers among the args are written the language's way; a domain.Msg
// among them is said in this language first.
func (c *Catalogue) T(key string, args ...any) string {
	text, ok := c.texts[key]
	if !ok {
		noteMissing(c.code, key)
		text = key
	}
	if len(args) == 0 {
		return text
	}
	return fmt.Sprintf(text, c.localArgs(args)...)
}

// PluralForm is the plural form of a count, as keys name it: "one" for 1,
// "other" for every other count (the rule of German and English).
func PluralForm(n int) string {
	if n == 1 {
		return "one"
	}
	return "other"
}

// N says the singular (key.one) or the plural (key.other) of a text by n;
// n is the text's first argument, args follow it.
func (c *Catalogue) N(key string, n int, args ...any) string {
	return c.T(key+"."+PluralForm(n), append([]any{n}, args...)...)
}

// Msg says a message of the domain.
func (c *Catalogue) Msg(m domain.Msg) string {
	if m.IsZero() {
		return ""
	}
	return c.T(m.Key, m.Args...)
}

// SafeHTML is markup that an HTML text takes as it is (a link the page
// builds), where every other argument is escaped.
type SafeHTML string

// HTML says a text as HTML. A text whose key ends in _html carries a little
// markup of its own (links, emphasis) and is taken as it is: the catalogue
// is trusted (compiled in, its markup checked by tests); any other text is
// escaped. The args are escaped, but for numbers (they keep their verbs,
// %d, %.1f) and SafeHTML.
func (c *Catalogue) HTML(key string, args ...any) string {
	local := c.localArgs(args)
	for i, a := range local {
		switch a.(type) {
		case number, SafeHTML:
		default:
			local[i] = html.EscapeString(fmt.Sprint(a))
		}
	}
	text, ok := c.texts[key]
	if !ok {
		noteMissing(c.code, key)
		return html.EscapeString(key)
	}
	if !strings.HasSuffix(key, "_html") {
		text = html.EscapeString(text)
	}
	if len(local) == 0 {
		return text
	}
	return fmt.Sprintf(text, local...)
}

func (c *Catalogue) localArgs(args []any) []any {
	out := make([]any, len(args))
	for i, a := range args {
		switch v := a.(type) {
		case domain.Msg:
			out[i] = c.Msg(v)
		case int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64, float32, float64:
			out[i] = number{c: c, v: v}
		default:
			out[i] = a
		}
	}
	return out
}

// number writes a number with the language's separators: a decimal comma
// in German, and digits grouped in threes from five digits on (a year
// such as 2023 stays as it is, as DIN 5008 and the SI brochure allow).
type number struct {
	c *Catalogue
	v any
}

func (n number) Format(f fmt.State, verb rune) {
	if verb == 's' {
		verb = 'v'
	}
	s := fmt.Sprintf(fmt.FormatString(f, verb), n.v)
	switch verb {
	case 'd', 'v', 'f', 'F', 'g', 'G':
		if _, hasWidth := f.Width(); !hasWidth {
			s = n.c.localNumber(s)
		}
	}
	fmt.Fprint(f, s)
}

// localNumber rewrites a number written by Go (1234567.5) in the
// language's way (1.234.567,5).
func (c *Catalogue) localNumber(s string) string {
	sign := ""
	if strings.HasPrefix(s, "-") {
		sign, s = "-", s[1:]
	}
	whole, frac, hasFrac := strings.Cut(s, ".")
	if strings.ContainsAny(whole, "eE+Inf") || whole == "" {
		return sign + s
	}
	if len(whole) >= 5 {
		var b strings.Builder
		for i, r := range whole {
			if i > 0 && (len(whole)-i)%3 == 0 {
				b.WriteString(c.group)
			}
			b.WriteRune(r)
		}
		whole = b.String()
	}
	if hasFrac {
		return sign + whole + c.decimal + frac
	}
	return sign + whole
}

// Int writes an integer the language's way.
func (c *Catalogue) Int(n int) string { return c.localNumber(strconv.Itoa(n)) }

// Decimal writes a number with a fixed count of decimal places.
func (c *Catalogue) Decimal(f float64, places int) string {
	return c.localNumber(strconv.FormatFloat(f, 'f', places, 64))
}

// The date and time layouts of a catalogue (format.*) are Go layouts
// ("02.01.2006"); English month and weekday names in them are replaced by
// the language's.
func (c *Catalogue) format(t time.Time, layoutKey string) string {
	if t.IsZero() {
		return c.T("date.none")
	}
	local := t.In(domain.Berlin) // every date and time Logbuch shows is Berlin's
	s := local.Format(c.T(layoutKey))
	// Long names before short ones: "January" contains "Jan".
	if m := local.Month(); strings.Contains(s, m.String()) {
		s = strings.Replace(s, m.String(), c.months[m-1], 1)
	} else if abb := m.String()[:3]; strings.Contains(s, abb) {
		s = strings.Replace(s, abb, c.monthAbb[m-1], 1)
	}
	if d := local.Weekday(); strings.Contains(s, d.String()) {
		s = strings.Replace(s, d.String(), c.weekdays[d], 1)
	}
	return s
}

// Date writes a day ("17.10.2023", "17 Oct 2023").
func (c *Catalogue) Date(t time.Time) string { return c.format(t, "format.date") }

// DateTime writes a day and a time of day.
func (c *Catalogue) DateTime(t time.Time) string { return c.format(t, "format.datetime") }

// Clock writes the time of day.
func (c *Catalogue) Clock(t time.Time) string { return c.format(t, "format.time") }

// LongDate writes a day with its weekday and month name.
func (c *Catalogue) LongDate(t time.Time) string { return c.format(t, "format.date_long") }

// MonthYear writes a month of a year ("Oktober 2023").
func (c *Catalogue) MonthYear(t time.Time) string { return c.format(t, "format.month_year") }

// Month names a month.
func (c *Catalogue) Month(m time.Month) string { return c.months[m-1] }

// MonthShort names a month briefly (for chart axes).
func (c *Catalogue) MonthShort(m time.Month) string { return c.monthAbb[m-1] }

// Weekday names a day of the week.
func (c *Catalogue) Weekday(d time.Weekday) string { return c.weekdays[d] }

// List joins items the language's way ("A, B und C").
func (c *Catalogue) List(items []string) string {
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	}
	return c.T("list.last", strings.Join(items[:len(items)-1], c.T("list.separator")), items[len(items)-1])
}

type ctxKey struct{}

// With returns a context that carries the catalogue.
func With(ctx context.Context, c *Catalogue) context.Context {
	return context.WithValue(ctx, ctxKey{}, c)
}

// From returns the catalogue the context carries; German without one.
func From(ctx context.Context) *Catalogue {
	if c, ok := ctx.Value(ctxKey{}).(*Catalogue); ok {
		return c
	}
	return For(German)
}

// Missing keys, noted as they are asked for: tests read them, so that a
// text shown without a catalogue entry fails a test.
var missing sync.Map // "code:key" → struct{}

func noteMissing(code Lang, key string) { missing.Store(string(code)+":"+key, struct{}{}) }

// Missing lists the keys asked for that a catalogue lacks, as
// "language:key", sorted.
func Missing() []string {
	var out []string
	missing.Range(func(k, _ any) bool {
		out = append(out, k.(string))
		return true
	})
	sort.Strings(out)
	return out
}

// The probe is a test's language: German, with every text of the
// catalogue between ⟦ and ⟧, so that a test can tell the texts that come
// from the catalogue from everything else on a page. It is off unless a
// test turns it on.
const (
	probeCode  Lang = "x-probe"
	ProbeOpen       = "⟦"
	ProbeClose      = "⟧"
)

var (
	probeOn      atomic.Bool
	probeOnce    sync.Once
	probeCatalog *Catalogue
)

// EnableProbe makes the probe language available (its code is ProbeCode)
// until the returned function is called; only tests call it.
func EnableProbe() (disable func()) {
	probeOn.Store(true)
	return func() { probeOn.Store(false) }
}

// ProbeCode is the stored choice of the probe language.
const ProbeCode = string(probeCode)

func probe() *Catalogue {
	probeOnce.Do(func() {
		base := For(German)
		texts := make(map[string]string, len(base.texts))
		for k, v := range base.texts {
			switch {
			case k == "format.decimal_separator" || k == "format.group_separator":
				texts[k] = v // parts of numbers, not texts
			default:
				// A text with markup is marked as a whole too: its marks
				// open in one text node of the page and close in a later
				// one, and the test follows them across.
				texts[k] = ProbeOpen + v + ProbeClose
			}
		}
		probeCatalog = newCatalogue(German, probeCode, texts)
	})
	return probeCatalog
}
