package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"logbuch/domain"
	"logbuch/projections"
)

// openSurvey opens the survey of year as the admin.
func openSurvey(t *testing.T, m *Main, admin *actor, year int) {
	t.Helper()
	if s, out, _ := postJSON(t, admin, m.URL()+"/umfrage/"+strconv.Itoa(year)+"/oeffnen", uuid.NewString(), `{}`); s != 200 {
		t.Fatalf("open survey %d: %d %v", year, s, out)
	}
}

// answerSurvey answers as a, by JSON, with values per item key.
func answerSurvey(t *testing.T, m *Main, a *actor, year int, values map[string]int) (int, map[string]any) {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"answers": values})
	s, out, _ := postJSON(t, a, m.URL()+"/umfrage/"+strconv.Itoa(year)+"/antworten", uuid.NewString(), string(body))
	return s, out
}

// surveyEndpoints are the survey's commands for the authorization matrix;
// checkSurveyEndpoint runs one, each on a survey of its own.
var surveyEndpoints = []endpoint{
	{"OpenSurvey", func(year string) string { return "/umfrage/" + year + "/oeffnen" }, `{}`},
	{"EditSurveyStatements", func(year string) string { return "/umfrage/" + year + "/aussagen" }, `{"statements":"… etwas Neues ausprobieren."}`},
	{"CloseSurvey", func(year string) string { return "/umfrage/" + year + "/schliessen" }, `{}`},
	{"AnswerSurvey", func(year string) string { return "/umfrage/" + year + "/antworten" }, `{"answers":{"rolle/s1":3,"rolle/s2":2,"rolle/s3":4,"zufriedenheit":5}}`},
}

var (
	surveyMatrixYear  = 2050
	surveyMatrixAdmin = map[*Main]*actor{}
)

func checkSurveyEndpoint(t *testing.T, m *Main, admin *actor, role domain.Role, a *actor, e endpoint) {
	t.Helper()
	surveyMatrixYear++
	year := surveyMatrixYear
	if e.command != "OpenSurvey" {
		openSurveyDirectly(t, m, year, admin.Person)
	}
	if role == domain.RoleAdmin {
		// An admin of its own: requests are rate-limited per person, and
		// the matrix's admin makes many.
		if surveyMatrixAdmin[m] == nil {
			surveyMatrixAdmin[m] = newActor(t, m, domain.RoleAdmin)
		}
		a = surveyMatrixAdmin[m]
	}
	before := lastSeq(t, m)
	status, out, _ := postJSON(t, a, m.URL()+e.path(strconv.Itoa(year)), uuid.NewString(), e.body)
	allowed := domain.Can(role, e.command)
	switch {
	case allowed && status != 200:
		t.Fatalf("%s may %s but got %d %v", roleName(role), e.command, status, out)
	case !allowed && a == nil && status != http.StatusUnauthorized:
		t.Fatalf("anonymous %s: %d, want 401", e.command, status)
	case !allowed && a != nil && status != http.StatusForbidden:
		t.Fatalf("%s must not %s: got %d %v", roleName(role), e.command, status, out)
	}
	if grew := lastSeq(t, m) - before; !allowed && grew != 0 {
		t.Fatalf("a refused command appended %d messages", grew)
	}
}

// TestSurveyInTheRawLogNamesNobodyAndLinksNoAnswers: 16 Lotsen answer
// through the real endpoint; a plain NATS client reads the stream. Each
// participation names only the year; each item's values come in batches of
// their own (one message, one item, values only, no actor, hour-only
// time), so no message holds two answers of one person; and no batch keeps
// the order the values were given in.
func TestSurveyInTheRawLogNamesNobodyAndLinksNoAnswers(t *testing.T) {
	m := startLogbuch(t, "--rating-batch", "8", "--rating-flush", "0")
	admin := newActor(t, m, domain.RoleAdmin)
	event, _ := heldEvent(t, m, admin, "Meet & Learn: Umfrage")
	var lotsen []*actor
	for range 16 {
		lotsen = append(lotsen, newActor(t, m, domain.RoleLotse))
	}
	year := time.Now().In(domain.Berlin).Year()
	openSurvey(t, m, admin, year)

	// Per item a multiset given twice in non-decreasing order. A batch of
	// 8 keeps that order after a uniform shuffle with probability at most
	// 2!·2!·2!·2!/8! = 1/2520; all ten batches do with probability below
	// 10^-33: the assertion cannot flake.
	given := map[string][]int{
		domain.SurveyEventKey(event):    {1, 1, 2, 2, 3, 3, 4, 5},
		domain.SurveyStatementKey("s1"): {1, 1, 2, 2, 3, 3, 4, 4},
		domain.SurveyStatementKey("s2"): {1, 2, 2, 3, 3, 4, 4, 4},
		domain.SurveyStatementKey("s3"): {1, 1, 1, 2, 2, 3, 4, 4},
		domain.SurveyItemSatisfaction:   {2, 2, 3, 3, 4, 4, 5, 5},
	}
	var sessions []string
	for i, a := range lotsen {
		values := map[string]int{}
		for key, vs := range given {
			values[key] = vs[i%8]
		}
		if s, out := answerSurvey(t, m, a, year, values); s != 200 {
			t.Fatalf("answer %d: %d %v", i, s, out)
		}
		sessions = append(sessions, a.Cookie)
	}
	before := lastSeq(t, m)
	if s, out := answerSurvey(t, m, lotsen[0], year, map[string]int{"rolle/s1": 1, "rolle/s2": 1, "rolle/s3": 1, "zufriedenheit": 1}); s != http.StatusConflict || !strings.Contains(fmt.Sprint(out), "schon teilgenommen") {
		t.Fatalf("second answer: %d %v", s, out)
	}
	if lastSeq(t, m) != before {
		t.Fatal("a refused answer appended")
	}

	batches := map[string][][]int{}
	participations := 0
	for _, msg := range rawLog(t, m) {
		for _, e := range msg.Events {
			switch str(e["type"]) {
			case "SurveyAnswered":
				participations++
				var data map[string]any
				json.Unmarshal(e["data"], &data)
				if len(data) != 1 || data["year"] != float64(year) {
					t.Fatalf("a participation carries more than the year: %s", e["data"])
				}
			case "SurveyAnswersReleased":
				id, ok := strings.CutPrefix(msg.Subject, "lb.konstanz.umfrageantworten.")
				_, item, parsed := domain.ParseSurveyItemID(id)
				if !ok || !parsed || len(msg.Events) != 1 {
					t.Fatalf("batch on %s with %d events", msg.Subject, len(msg.Events))
				}
				batches[item] = append(batches[item], anonymousValues(t, msg, e, sessions))
			}
		}
	}
	if participations != 16 || len(batches) != len(given) {
		t.Fatalf("%d participations and batches of %d items, want 16 and %d", participations, len(batches), len(given))
	}
	shuffled := false
	for item, bs := range batches {
		if len(bs) != 2 {
			t.Fatalf("%s: %d batches, want 2", item, len(bs))
		}
		for _, b := range bs {
			if !slices.Equal(slices.Sorted(slices.Values(b)), given[item]) {
				t.Fatalf("%s: a batch lost or changed values: %v", item, b)
			}
			shuffled = shuffled || !slices.Equal(b, given[item])
		}
	}
	if !shuffled {
		t.Fatalf("every batch kept the order the values were given in: %v", batches)
	}
	caughtUp(t, m)
	res, ok := m.Runner.SurveyResults(year)
	if !ok || res.Participants != 16 || res.Eligible != 16 || len(res.Items) != len(given) {
		t.Fatalf("read model: %+v", res)
	}
	for _, it := range res.Items {
		if !it.Shown || it.Answers != 16 || len(it.Counts) != it.Scale {
			t.Fatalf("item %+v", it)
		}
	}
}

// TestSurveyResultsOnlyFromTheMinimum: below the minimum an item shows no
// result anywhere (page, CSV, dashboard CSV); from it on, the charts
// appear. Along the way: who may answer when, the questionnaire as a form,
// and statements versioned by their wording.
func TestSurveyResultsOnlyFromTheMinimum(t *testing.T) {
	m := startLogbuch(t, "--rating-batch", "3", "--min-ratings", "5", "--rating-flush", "0")
	admin := newActor(t, m, domain.RoleAdmin)
	lenkung := newActor(t, m, domain.RoleLenkungsgruppe)
	var lotsen []*actor
	for range 7 {
		lotsen = append(lotsen, newActor(t, m, domain.RoleLotse))
	}
	year := time.Now().In(domain.Berlin).Year()
	full := map[string]int{"rolle/s1": 4, "rolle/s2": 3, "rolle/s3": 2, "zufriedenheit": 5}
	if s, out := answerSurvey(t, m, lotsen[0], year, full); s != http.StatusConflict || !strings.Contains(fmt.Sprint(out), "nicht geöffnet") {
		t.Fatalf("answer before opening: %d %v", s, out)
	}
	if s, _ := getBody(t, lenkung, m.URL()+fmt.Sprintf("/umfrage/%d/auswertung", year)); s != http.StatusNotFound {
		t.Fatalf("results of a survey never opened: %d", s)
	}
	openSurvey(t, m, admin, year)
	if s, _ := answerSurvey(t, m, lenkung, year, full); s != http.StatusForbidden {
		t.Fatalf("the Lenkungsgruppe answers: %d", s)
	}

	// The questionnaire: a fieldset with a legend per item, labelled radios.
	_, page := getBody(t, lotsen[0], m.URL()+"/umfrage")
	for _, want := range []string{`<fieldset id="umfrage-rolle/s1"`, `<legend>In meiner Rolle als Digitallots:in konnte ich … Verbesserungsvorschläge`, `name="rolle/s1" id="umfrage-rolle/s1-4" value="4"`, `<label for="umfrage-rolle/s1-4">4 – trifft vollständig zu</label>`, `<label for="umfrage-zufriedenheit-5">5 – sehr zufrieden</label>`} {
		if !strings.Contains(page, want) {
			t.Fatalf("the questionnaire lacks %s", want)
		}
	}
	// By form: a missing answer is named and nothing is recorded.
	before := lastSeq(t, m)
	res := postForm(t, m, lotsen[0], fmt.Sprintf("/umfrage/%d/antworten", year), url.Values{"command_id": {uuid.NewString()}, "rolle/s1": {"4"}, "rolle/s2": {"3"}, "rolle/s3": {"2"}})
	if body := readAll(res); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `href="#umfrage-zufriedenheit"`) || !strings.Contains(body, `value="4" required checked`) || lastSeq(t, m) != before {
		t.Fatalf("form without satisfaction: %d", res.StatusCode)
	}
	res = postForm(t, m, lotsen[0], fmt.Sprintf("/umfrage/%d/antworten", year), url.Values{"command_id": {uuid.NewString()}, "rolle/s1": {"4"}, "rolle/s2": {"3"}, "rolle/s3": {"2"}, "zufriedenheit": {"5"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("form answer: %d %s", res.StatusCode, readAll(res))
	}
	if _, page := getBody(t, lotsen[0], m.URL()+"/umfrage"); !strings.Contains(page, "schon teilgenommen") || strings.Contains(page, `id="umfrage"`) {
		t.Fatal("the page still offers the questionnaire after answering")
	}
	for _, a := range lotsen[1:3] {
		if s, out := answerSurvey(t, m, a, year, full); s != 200 {
			t.Fatalf("answer: %d %v", s, out)
		}
	}
	caughtUp(t, m)
	results := fmt.Sprintf("/umfrage/%d/auswertung", year)
	hidden := func(when string) {
		t.Helper()
		s, page := getBody(t, lenkung, m.URL()+results)
		if s != 200 || strings.Count(page, "Noch zu wenige Antworten") != 4 || strings.Contains(page, "Durchschnitt") || strings.Contains(page, "<svg") {
			t.Fatalf("%s: the results page shows a result below the minimum (%d)", when, s)
		}
		_, csv := getBody(t, lenkung, m.URL()+results+".csv")
		if strings.Count(csv, "zu wenige Antworten") != 4 || strings.Count(csv, "\n") != 5 {
			t.Fatalf("%s: the CSV shows a result below the minimum:\n%s", when, csv)
		}
		r, _ := m.Runner.SurveyResults(year)
		for _, it := range r.Items {
			if it.Shown || it.Counts != nil {
				t.Fatalf("%s: the read model hands out counts below the minimum: %+v", when, it)
			}
		}
	}
	hidden("3 of 5")
	ctx := testCtx(t)
	live := dialLive(t, ctx, m, lenkung)
	subscribe(t, ctx, live, fmt.Sprintf("umfrage/%d", year), 0)
	if msg, ok := readLive(t, ctx, live, 10*time.Second); !ok || !strings.Contains(msg.HTML, "3 von 7 aktiven") || strings.Contains(msg.HTML, "Durchschnitt") {
		t.Fatalf("live results view: %+v", msg)
	}
	// The dashboard's CSV has the participation, and nothing of the answers.
	if _, csv := getBody(t, admin, m.URL()+fmt.Sprintf("/dashboard/kennzahlen.csv?jahr=%d", year)); !strings.Contains(csv, projections.FigSurveyParticipation+";43\n") {
		t.Fatalf("kennzahlen.csv without 3 of 7 (43 %%):\n%s", csv)
	}
	if _, page := getBody(t, admin, m.URL()+"/umfrage"); !strings.Contains(page, "3 von 7 aktiven Lotsinnen und Lotsen haben teilgenommen (43 %).") {
		t.Fatal("the admin does not see the participation")
	}

	// A changed statement is a new question; an answer to the old wording
	// is refused (the page was old), the new one is asked.
	if s, out, _ := postJSON(t, admin, m.URL()+fmt.Sprintf("/umfrage/%d/aussagen", year), uuid.NewString(),
		`{"statements":"… Verbesserungsvorschläge in meiner Organisationseinheit einbringen.\n… als Bindeglied zwischen Kolleg:innen und dem Amt für Digitalisierung wirken.\n… neue Werkzeuge ausprobieren."}`); s != 200 {
		t.Fatalf("edit statements: %d %v", s, out)
	}
	if s, out := answerSurvey(t, m, lotsen[3], year, full); s != http.StatusConflict || !strings.Contains(fmt.Sprint(out), "geändert") {
		t.Fatalf("answer to an old wording: %d %v", s, out)
	}
	now := map[string]int{"rolle/s1": 4, "rolle/s2": 3, "rolle/s4": 1, "zufriedenheit": 4}
	for _, a := range lotsen[3:6] {
		if s, out := answerSurvey(t, m, a, year, now); s != 200 {
			t.Fatalf("answer: %d %v", s, out)
		}
	}
	// The results appear, live, on the open page.
	deadline := time.After(10 * time.Second)
	for {
		msg, ok := readLive(t, ctx, live, 10*time.Second)
		if ok && strings.Contains(msg.HTML, "Durchschnitt <strong>4,5</strong> von 5 aus 6 Antworten") {
			break
		}
		select {
		case <-deadline:
			t.Fatalf("no live result: %+v", msg)
		default:
		}
	}
	caughtUp(t, m)
	s, page := getBody(t, lenkung, m.URL()+results)
	if s != 200 || !strings.Contains(page, "6 von 7 aktiven") || strings.Count(page, "<svg") != 3 || strings.Count(page, "Noch zu wenige Antworten") != 2 ||
		!strings.Contains(page, "Durchschnitt <strong>4,5</strong> von 5 aus 6 Antworten") || !strings.Contains(page, "neue Werkzeuge ausprobieren") || !strings.Contains(page, "(frühere Fassung)") {
		t.Fatalf("results from the minimum: %d\n%s", s, page)
	}
	_, csv := getBody(t, lenkung, m.URL()+results+".csv")
	if !strings.Contains(csv, "Insgesamt bin ich zufrieden in meiner Rolle.;zufriedenheit;6;5;3\n") || strings.Count(csv, "zu wenige Antworten") != 2 {
		t.Fatalf("CSV from the minimum:\n%s", csv)
	}

	// Closed: no more answers.
	if s, out, _ := postJSON(t, admin, m.URL()+fmt.Sprintf("/umfrage/%d/schliessen", year), uuid.NewString(), `{}`); s != 200 {
		t.Fatalf("close: %d %v", s, out)
	}
	if s, out := answerSurvey(t, m, lotsen[6], year, now); s != http.StatusConflict {
		t.Fatalf("answer after closing: %d %v", s, out)
	}
}

// TestDemoYearHasASurvey: the 2023 survey, answered by most Lotsen and
// closed, shows every item, and the dashboard has its participation.
func TestDemoYearHasASurvey(t *testing.T) {
	m := startLogbuch(t, "--demo")
	res, ok := m.Runner.SurveyResults(2023)
	if !ok || !res.Closed || res.Participants != 16 || res.Eligible != 20 {
		t.Fatalf("demo survey: %+v", res)
	}
	events := 0
	for _, it := range res.Items {
		if !it.Shown {
			t.Fatalf("demo item without results: %+v", it)
		}
		if it.Kind == domain.SurveyItemEvent {
			events++
		}
	}
	if events != 6 || len(res.Items) != 6+len(domain.DefaultSurveyStatements)+1 {
		t.Fatalf("%d event items of %d, want the 6 held events, the statements and satisfaction", events, len(res.Items))
	}
	f, _ := m.Runner.Figures(2023, time.Now())
	if !f.Survey || f.SurveyRate != 80 {
		t.Fatalf("dashboard figure: %+v", f)
	}
	lenkung := newActor(t, m, domain.RoleLenkungsgruppe)
	if s, page := getBody(t, lenkung, m.URL()+"/dashboard?jahr=2023"); s != 200 || !strings.Contains(page, "Umfrage-Beteiligung") || !strings.Contains(page, "80 %") {
		t.Fatalf("dashboard 2023: %d", s)
	}
}

// openSurveyAsSystem opens this year's survey straight through the command
// path (for tests that start from the demo, which has no admin actor).
func openSurveyAsSystem(t *testing.T, m *Main) int {
	t.Helper()
	year := time.Now().In(domain.Berlin).Year()
	openSurveyDirectly(t, m, year, domain.SystemActor)
	return year
}

// openSurveyDirectly opens a survey past the HTTP layer and its rate limit.
func openSurveyDirectly(t *testing.T, m *Main, year int, by string) {
	t.Helper()
	ctx := testCtx(t)
	res, err := domain.Execute(ctx, m.Commands, domain.Surveys, domain.SurveyID(year), domain.Meta{CommandID: uuid.NewString(), Actor: by}, "OpenSurvey", any(domain.OpenSurvey{Year: year}))
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Runner.WaitFor(ctx, res.Seq); err != nil {
		t.Fatal(err)
	}
}

// TestShutdownReleasesFullSurveyBatchesAndDropsTheRest: answers wait for
// the timer; a graceful stop releases every item that holds a batch and
// drops the smaller remainders (an optional event answered by two).
func TestShutdownReleasesFullSurveyBatchesAndDropsTheRest(t *testing.T) {
	dir := t.TempDir()
	m := startLogbuchIn(t, dir, "--rating-batch", "3", "--rating-flush", "1h")
	admin := newActor(t, m, domain.RoleAdmin)
	event, _ := heldEvent(t, m, admin, "Nur zwei waren da")
	var lotsen []*actor
	for range 3 {
		lotsen = append(lotsen, newActor(t, m, domain.RoleLotse))
	}
	year := time.Now().In(domain.Berlin).Year()
	openSurveyDirectly(t, m, year, admin.Person)
	for i, a := range lotsen {
		values := map[string]int{"rolle/s1": i + 1, "rolle/s2": 2, "rolle/s3": 3, "zufriedenheit": 5}
		if i < 2 {
			values[domain.SurveyEventKey(event)] = 4
		}
		if s, out := answerSurvey(t, m, a, year, values); s != 200 {
			t.Fatalf("answer: %d %v", s, out)
		}
	}
	caughtUp(t, m)
	if r, _ := m.Runner.SurveyResults(year); r.Participants != 3 || r.Items[1].Answers != 0 {
		t.Fatalf("released before the timer: %+v", r)
	}
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	again := startLogbuchIn(t, dir, "--rating-flush", "1h")
	r, _ := again.Runner.SurveyResults(year)
	if r.Participants != 3 || len(r.Items) != 5 || r.Items[0].Answers != 0 || !slices.Equal(r.Items[1].Counts, []int{1, 1, 1, 0}) || r.Items[4].Answers != 3 {
		t.Fatalf("after a graceful stop: %+v", r)
	}
}
