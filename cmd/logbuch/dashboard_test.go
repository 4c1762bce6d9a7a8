package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"logbuch/domain"
)

// exported is one line of `logbuch export`, read as plain JSON: the test
// computes the figures from these lines, not from the read models.
type exported struct {
	Subject string          `json:"subject"`
	Type    string          `json:"type"`
	At      time.Time       `json:"at"`
	Actor   string          `json:"actor"`
	Data    json.RawMessage `json:"data"`
}

func readExported(t *testing.T, m *Main) []exported {
	t.Helper()
	var buf bytes.Buffer
	if _, err := m.Log.Export(testCtx(t), &buf); err != nil {
		t.Fatal(err)
	}
	var out []exported
	for _, line := range bytes.Split(bytes.TrimSpace(buf.Bytes()), []byte("\n")) {
		var e exported
		if err := json.Unmarshal(line, &e); err != nil {
			t.Fatalf("export line %s: %v", line, err)
		}
		out = append(out, e)
	}
	return out
}

// kindOf reads lb.<city>.<kind>.<id>.
func kindOf(subject string) (kind, id string) {
	parts := strings.Split(subject, ".")
	if len(parts) != 4 {
		return "", ""
	}
	return parts[2], parts[3]
}

// independentFigures counts, from the export alone, what the glossary
// defines: active Lotsen at the moment, joins and departures of Lotsen in
// the year, the year's events by status, their attendance, and the year's
// non-anonymous actions.
type independentFigures struct {
	active                   map[string]bool
	joined, left             int
	held, planned, cancelled int
	attendance, actions      int
	topics, videos           int
	eventStatus              map[string]string // title → status
	ratingByFormat           map[string][2]int // format → released ratings, their sum
	// The survey of the year: opened by then, its eligible Lotsen (active
	// at the opening) and the participations by then.
	surveyOpen                     bool
	surveyEligible, surveyAnswered int
}

func computeFromExport(t *testing.T, lines []exported, year int, asOf time.Time) independentFigures {
	t.Helper()
	type person struct {
		active bool
		role   string
	}
	type event struct {
		title, format, status string
		start                 time.Time
		attendance            int
	}
	type topic struct {
		board, stage string
		archived     bool
	}
	people := map[string]*person{}
	events := map[string]*event{}
	boardYear := map[string]int{}
	topics := map[string]*topic{}
	f := independentFigures{active: map[string]bool{}, eventStatus: map[string]string{}, ratingByFormat: map[string][2]int{}}
	released := map[string][]int{} // event → released values
	inYear := func(t time.Time) bool { return t.In(berlin).Year() == year }
	for _, e := range lines {
		if e.At.After(asOf) {
			continue
		}
		if e.Actor != "" && e.Type != "RatingsReleased" && e.Type != "SurveyAnswersReleased" && inYear(e.At) {
			f.actions++
		}
		kind, id := kindOf(e.Subject)
		var d map[string]any
		json.Unmarshal(e.Data, &d)
		switch kind {
		case "lotse":
			p := people[id]
			if p == nil {
				p = &person{}
				people[id] = p
			}
			switch e.Type {
			case "LotseJoined":
				p.active, p.role = true, d["role"].(string)
				if inYear(e.At) && p.role == "lotse" {
					f.joined++
				}
			case "LotseRejoined":
				p.active = true
				if inYear(e.At) && p.role == "lotse" {
					f.joined++
				}
			case "LotseLeft", "LotseErased":
				if p.active && inYear(e.At) && p.role == "lotse" {
					f.left++
				}
				p.active = false
			case "LotseRoleChanged":
				p.role = d["to"].(string)
			}
		case "umfrage":
			if e.Type == "SurveyOpened" && id == strconv.Itoa(year) {
				f.surveyOpen = true
				for _, p := range people {
					if p.active && p.role == "lotse" {
						f.surveyEligible++
					}
				}
			}
		case "umfrageteilnahme":
			if e.Type == "SurveyAnswered" && int(d["year"].(float64)) == year {
				f.surveyAnswered++
			}
		case "board":
			if e.Type == "BoardCreated" {
				boardYear[id] = int(d["year"].(float64))
			}
		case "thema":
			switch e.Type {
			case "TopicProposed":
				topics[id] = &topic{board: d["board"].(string), stage: "vorschlag"}
			case "TopicMoved":
				topics[id].stage = d["to"].(string)
			case "TopicArchived":
				topics[id].archived = true
			case "TopicRestored":
				topics[id].archived = false
			}
		case "bewertungen":
			for _, v := range d["values"].([]any) {
				released[id] = append(released[id], int(v.(float64)))
			}
		case "veranstaltung":
			switch e.Type {
			case "VeranstaltungPlanned":
				start, _ := time.Parse(time.RFC3339, d["start"].(string))
				events[id] = &event{title: d["title"].(string), format: d["format"].(string), status: "geplant", start: start}
			case "VeranstaltungRescheduled":
				events[id].start, _ = time.Parse(time.RFC3339, d["start"].(string))
			case "VeranstaltungCancelled":
				events[id].status = "abgesagt"
			case "VeranstaltungHeld":
				events[id].status, events[id].attendance = "durchgefuehrt", int(d["attendance"].(float64))
			}
		}
	}
	for id, p := range people {
		if p.active && p.role == "lotse" {
			f.active[id] = true
		}
	}
	for _, tp := range topics {
		if boardYear[tp.board] == year && !tp.archived {
			f.topics++
			if tp.stage == string(domain.StagePublished) {
				f.videos++
			}
		}
	}
	for id, e := range events {
		if !inYear(e.start) {
			continue
		}
		// An event counts toward its format from the minimum (3) on.
		if len(released[id]) >= 3 {
			r := f.ratingByFormat[e.format]
			for _, v := range released[id] {
				r[0]++
				r[1] += v
			}
			f.ratingByFormat[e.format] = r
		}
		f.eventStatus[e.title] = e.status
		switch e.status {
		case "durchgefuehrt":
			f.held++
			f.attendance += e.attendance
		case "geplant":
			f.planned++
		case "abgesagt":
			f.cancelled++
		}
	}
	return f
}

// dashboardCSV downloads one table of the dashboard.
func dashboardCSV(t *testing.T, m *Main, a *actor, table, query string) [][]string {
	t.Helper()
	status, body := getBody(t, a, m.URL()+"/dashboard/"+table+".csv?"+query)
	if status != 200 {
		t.Fatalf("%s.csv?%s: %d %s", table, query, status, body)
	}
	r := csv.NewReader(strings.NewReader(strings.TrimPrefix(body, "\uFEFF")))
	r.Comma = ';'
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func keyFigures(t *testing.T, rows [][]string) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, row := range rows[1:] {
		n, err := strconv.Atoi(row[1])
		if err != nil {
			t.Fatalf("figure %v is not a number", row)
		}
		out[row[0]] = n
	}
	return out
}

// The dashboard's figures for the demo year equal those computed from the
// export, today and at earlier moments: an event before its day is
// planned, and a Lotse who leaves later still counts before leaving.
func TestDashboardFiguresEqualFiguresFromTheExport(t *testing.T) {
	m := startLogbuch(t, "--demo")
	steering := newActor(t, m, domain.RoleLenkungsgruppe)
	lines := readExported(t, m)

	// A Lotse who left during 2023, and the day before.
	var leaver string
	var leftAt time.Time
	for _, e := range lines {
		if kind, id := kindOf(e.Subject); kind == "lotse" && e.Type == "LotseLeft" && e.At.In(berlin).Year() == 2023 {
			leaver, leftAt = id, e.At
			break
		}
	}
	if leaver == "" {
		t.Fatal("the demo year has no departure in 2023")
	}
	dayBefore := leftAt.In(berlin).AddDate(0, 0, -1).Format("2006-01-02")
	knmeetshnEve := "2023-10-16"

	for _, stand := range []string{"", "2023-12-31", dayBefore, knmeetshnEve, "2023-03-01"} {
		asOf := time.Now()
		if stand != "" {
			d, _ := time.ParseInLocation("2006-01-02", stand, berlin)
			asOf = d.AddDate(0, 0, 1).Add(-time.Nanosecond)
		}
		want := computeFromExport(t, lines, 2023, asOf)
		query := "jahr=2023"
		if stand != "" {
			query += "&stand=" + stand
		}
		got := keyFigures(t, dashboardCSV(t, m, steering, "kennzahlen", query))
		for key, n := range map[string]int{
			"aktive-lotsen": len(want.active), "eintritte": want.joined, "austritte": want.left,
			"veranstaltungen-durchgefuehrt": want.held, "veranstaltungen-geplant": want.planned,
			"veranstaltungen-abgesagt": want.cancelled, "teilnahmen": want.attendance, "aktionen": want.actions,
			"themen": want.topics, "videos-veroeffentlicht": want.videos,
		} {
			if got[key] != n {
				t.Errorf("stand %q: %s is %d on the dashboard, %d from the export", stand, key, got[key], n)
			}
		}
		if rate, ok := got["umfrage-beteiligung"]; ok != want.surveyOpen || (ok && rate != (want.surveyAnswered*100+want.surveyEligible/2)/want.surveyEligible) {
			t.Errorf("stand %q: umfrage-beteiligung %d (%v) on the dashboard, %d of %d (%v) from the export", stand, rate, ok, want.surveyAnswered, want.surveyEligible, want.surveyOpen)
		}
		if stand == "" && (want.topics == 0 || want.videos == 0 || want.held == 0) {
			t.Errorf("the demo year should have KNowHow topics, a published video and held events: %+v", want)
		}
		if stand == dayBefore && !want.active[leaver] {
			t.Errorf("the Lotse who left on %s should be active the day before", leftAt)
		}
		// The average rating per format, only from the minimum (3) on.
		shown := 0
		for _, row := range dashboardCSV(t, m, steering, "formate", query)[1:] {
			if row[4] != "" {
				shown++
			}
			r := want.ratingByFormat[row[0]]
			wantCell := ""
			if r[0] >= 3 {
				wantCell = strconv.FormatFloat(float64(r[1])/float64(r[0]), 'f', 1, 64)
			}
			if row[4] != wantCell {
				t.Errorf("stand %q: the rating of %s is %q on the dashboard, %q from the export (%d ratings)", stand, row[0], row[4], wantCell, r[0])
			}
		}
		if stand == "" && shown == 0 {
			t.Error("the demo year shows no average rating for any format")
		}
		// The events table says the same per event.
		rows := dashboardCSV(t, m, steering, "veranstaltungen", query)
		if len(rows)-1 != len(want.eventStatus) {
			t.Errorf("stand %q: %d events in the CSV, %d from the export", stand, len(rows)-1, len(want.eventStatus))
		}
		for _, row := range rows[1:] {
			if want.eventStatus[row[1]] != row[3] {
				t.Errorf("stand %q: %s is %q on the dashboard, %q from the export", stand, row[1], row[3], want.eventStatus[row[1]])
			}
		}
	}
	// Before its day #KNmeetsHN is planned; at the end of the year, held.
	status := func(stand string) string {
		for _, row := range dashboardCSV(t, m, steering, "veranstaltungen", "jahr=2023&stand="+stand)[1:] {
			if strings.Contains(row[1], "KNmeetsHN") {
				return row[3]
			}
		}
		return "missing"
	}
	if got := status(knmeetshnEve); got != domain.StatusPlanned {
		t.Errorf("#KNmeetsHN on the eve: %s, want planned", got)
	}
	if got := status("2023-12-31"); got != domain.StatusHeld {
		t.Errorf("#KNmeetsHN at the end of the year: %s, want held", got)
	}
}

// The dashboard is for the Lenkungsgruppe and admins, its input is checked,
// and a CSV cell never starts a formula.
func TestDashboardAccessAndInput(t *testing.T) {
	m := startLogbuch(t)
	lotse := newActor(t, m, domain.RoleLotse)
	steering := newActor(t, m, domain.RoleLenkungsgruppe)
	if status, _ := getBody(t, lotse, m.URL()+"/dashboard"); status != 403 {
		t.Errorf("a Lotse on the dashboard: %d, want 403", status)
	}
	if status, _ := getBody(t, nil, m.URL()+"/dashboard/kennzahlen.csv"); status != 401 && status != 303 {
		t.Errorf("anonymous CSV: %d", status)
	}
	if status, body := getBody(t, steering, m.URL()+"/dashboard?jahr=2023&stand=gestern"); status != 400 || !strings.Contains(body, "Stichtag") {
		t.Errorf("a bad date: %d", status)
	}
	if status, _ := getBody(t, steering, m.URL()+"/dashboard/passwoerter.csv"); status != 404 {
		t.Errorf("an unknown table: %d", status)
	}
	admin := newActor(t, m, domain.RoleAdmin)
	status, out, _ := postJSON(t, admin, m.URL()+"/veranstaltungen", uuid.NewString(),
		`{"format":"Schulung","title":"=HYPERLINK(\"http://example.org\")","start":"2026-03-03T10:00","end":"2026-03-03T12:00","place":"Rathaus","host_city":"Konstanz"}`)
	if status != 200 {
		t.Fatalf("plan: %d %v", status, out)
	}
	for _, row := range dashboardCSV(t, m, steering, "veranstaltungen", "jahr=2026") {
		if strings.HasPrefix(row[1], "=") {
			t.Errorf("a CSV cell starts a formula: %q", row[1])
		}
	}
}

// An open dashboard follows the year live: an event held elsewhere shows
// up without a reload.
func TestDashboardIsLive(t *testing.T) {
	m := startLogbuch(t)
	ctx := testCtx(t)
	admin := newActor(t, m, domain.RoleAdmin)
	steering := newActor(t, m, domain.RoleLenkungsgruppe)
	year := time.Now().In(berlin).Year()
	last, _ := m.Log.LastSeq(ctx)
	live := dialLive(t, ctx, m, steering)
	subscribe(t, ctx, live, "dashboard/"+strconv.Itoa(year), last)

	start := time.Now().In(berlin).Add(-3 * time.Hour).Format("2006-01-02T15:04")
	end := time.Now().In(berlin).Add(-time.Hour).Format("2006-01-02T15:04")
	status, out, _ := postJSON(t, admin, m.URL()+"/veranstaltungen", uuid.NewString(),
		`{"format":"Meet & Learn","title":"Live gezählt","start":"`+start+`","end":"`+end+`","place":"online","host_city":"Konstanz"}`)
	if status != 200 {
		t.Fatalf("plan: %d %v", status, out)
	}
	id := out["id"].(string)
	status, out, _ = postJSON(t, admin, m.URL()+"/veranstaltungen/"+id+"/durchgefuehrt", uuid.NewString(), `{"attendance":"17"}`)
	if status != 200 {
		t.Fatalf("held: %d %v", status, out)
	}
	seq := uint64(out["seq"].(float64))
	rctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	for {
		msg, ok := readLive(t, rctx, live, 15*time.Second)
		if !ok {
			t.Fatal("no live update of the dashboard with the held event")
		}
		if msg.ID == "dashboard-live" && msg.Seq >= seq {
			if !strings.Contains(msg.HTML, "als durchgeführt eingetragen") || !strings.Contains(msg.HTML, "Live gezählt") {
				t.Fatalf("the live dashboard does not tell of the held event: %s", msg.HTML)
			}
			return
		}
	}
}
