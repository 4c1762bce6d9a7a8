package main

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// row is one line of the result table: Logbuch's figure, the raw engine's
// figure from the same run, their ratio and whether the goal is met.
type row struct {
	group    string // heading of the scenario group
	scenario string
	logbuch  string
	raw      string
	ratio    string
	goal     string
}

type table struct {
	rows []row
}

func (t *table) add(r row) {
	t.rows = append(t.rows, r)
	progress("%s: %s | raw %s | %s | %s", r.scenario, r.logbuch, r.raw, r.ratio, r.goal)
}

var header = row{scenario: "Scenario", logbuch: "Logbuch", raw: "Raw engine (same run)", ratio: "Ratio", goal: "Goal met?"}

func (r row) cells() []string { return []string{r.scenario, r.logbuch, r.raw, r.ratio, r.goal} }

// text renders the table for a terminal, one group after the other.
func (t *table) text() string {
	widths := make([]int, 5)
	for _, r := range append([]row{header}, t.rows...) {
		for i, c := range r.cells() {
			widths[i] = max(widths[i], utf8.RuneCountInString(c))
		}
	}
	var b strings.Builder
	line := func(cells []string) {
		for i, c := range cells {
			b.WriteString(c)
			if i < len(cells)-1 {
				b.WriteString(strings.Repeat(" ", widths[i]-utf8.RuneCountInString(c)+2))
			}
		}
		b.WriteString("\n")
	}
	line(header.cells())
	total := 0
	for _, w := range widths {
		total += w + 2
	}
	group := ""
	for _, r := range t.rows {
		if r.group != group {
			group = r.group
			b.WriteString(strings.Repeat("-", total-2) + "\n")
			b.WriteString(group + "\n")
		}
		line(r.cells())
	}
	return b.String()
}

// markdownTable renders the table as GitHub markdown.
func (t *table) markdownTable() string {
	var b strings.Builder
	esc := func(s string) string { return strings.ReplaceAll(s, "|", "\\|") }
	fmt.Fprintf(&b, "| %s |\n", strings.Join(header.cells(), " | "))
	b.WriteString("| --- | ---: | ---: | ---: | --- |\n")
	group := ""
	for _, r := range t.rows {
		if r.group != group {
			group = r.group
			fmt.Fprintf(&b, "| **%s** | | | | |\n", esc(group))
		}
		cells := r.cells()
		for i := range cells {
			cells[i] = esc(cells[i])
		}
		fmt.Fprintf(&b, "| %s |\n", strings.Join(cells, " | "))
	}
	return b.String()
}

// Formatting helpers.

func fmtRate(perSec float64, unit string) string {
	return thousands(perSec) + " " + unit + "/s"
}

func thousands(v float64) string {
	n := int64(math.Round(v))
	s := fmt.Sprint(n)
	if n < 0 {
		return "-" + thousands(-v)
	}
	var out []byte
	for i := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			out = append(out, ',')
		}
		out = append(out, s[i])
	}
	return string(out)
}

func fmtDur(d time.Duration) string {
	switch {
	case d >= 10*time.Second:
		return fmt.Sprintf("%.1f s", d.Seconds())
	case d >= time.Second:
		return fmt.Sprintf("%.2f s", d.Seconds())
	case d >= 10*time.Millisecond:
		return fmt.Sprintf("%.0f ms", float64(d)/1e6)
	case d >= time.Millisecond:
		return fmt.Sprintf("%.1f ms", float64(d)/1e6)
	default:
		return fmt.Sprintf("%.0f µs", float64(d)/1e3)
	}
}

func fmtRatio(r float64) string {
	if math.IsInf(r, 0) || math.IsNaN(r) {
		return "—"
	}
	if r >= 10 {
		return fmt.Sprintf("%.0f×", r)
	}
	return fmt.Sprintf("%.2f×", r)
}

func yesNo(ok bool, detail string) string {
	if ok {
		return "yes (" + detail + ")"
	}
	return "no (" + detail + ")"
}

// percentile of a sample (sorted in place); p in [0, 1].
func percentile(lat []time.Duration, p float64) time.Duration {
	if len(lat) == 0 {
		return 0
	}
	if !slices.IsSorted(lat) {
		slices.Sort(lat)
	}
	return lat[min(len(lat)-1, int(float64(len(lat))*p))]
}

func kib(bytes float64) string {
	return fmt.Sprintf("%.1f KiB", bytes/1024)
}
