package web

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"logbuch/projections"
	"logbuch/web/i18n"
)

// surveyOnly is a report source with nothing but a survey.
type surveyOnly struct{ survey projections.SurveyResults }

func (s surveyOnly) Figures(year int, asOf time.Time) (projections.Figures, uint64) {
	f := projections.Figures{Year: year, AsOf: asOf}
	if s.survey.Year != 0 {
		f.Survey, f.SurveyParticipants, f.SurveyEligible, f.SurveyRate = true, s.survey.Participants, s.survey.Eligible, s.survey.Rate()
	}
	return f, 0
}
func (surveyOnly) ReportPeople(int, time.Time) projections.ReportPeople {
	return projections.ReportPeople{}
}
func (surveyOnly) Person(string) (projections.Person, uint64, bool) {
	return projections.Person{}, 0, false
}
func (surveyOnly) Events() ([]projections.EventInfo, uint64) { return nil, 0 }
func (surveyOnly) Event(string) (projections.EventInfo, []projections.WallPostView, uint64, bool) {
	return projections.EventInfo{}, nil, 0, false
}
func (surveyOnly) RatingsOf([]string) (map[string]projections.RatingSummary, uint64) {
	return nil, 0
}
func (surveyOnly) Boards() projections.BoardsView             { return projections.BoardsView{} }
func (surveyOnly) Board(string) (projections.BoardView, bool) { return projections.BoardView{}, false }
func (surveyOnly) Topic(string) (projections.TopicView, bool) { return projections.TopicView{}, false }
func (surveyOnly) Conclusion(int) projections.ConclusionView {
	return projections.ConclusionView{Rev: 1}
}
func (s surveyOnly) SurveyResults(int) (projections.SurveyResults, bool) {
	return s.survey, s.survey.Year != 0
}

// The survey section draws one chart per item with enough answers, and
// says so for an item below the minimum, without any of its counts.
func TestReportSurveySection(t *testing.T) {
	src := surveyOnly{projections.SurveyResults{Year: 2023, Closed: true, Participants: 12, Eligible: 20, Items: []projections.SurveyItem{
		{Key: "zufriedenheit", Kind: "zufriedenheit", Scale: 5, Answers: 12, Shown: true, Counts: []int{0, 1, 2, 4, 5}},
		{Key: "rolle/1", Kind: "rolle", Label: "… Verbesserungen in meinem Amt anregen", Scale: 4, Answers: 2, Shown: false},
	}}}
	var buf bytes.Buffer
	if err := WriteReport(context.Background(), &buf, src, 2023, time.Date(2024, 2, 1, 0, 0, 0, 0, berlin), ReportOptions{City: "Konstanz", MinRatings: 3}); err != nil {
		t.Fatal(err)
	}
	html := buf.String()
	for _, want := range []string{
		`id="bericht-umfrage-0"`, "Verteilung der Antworten: Insgesamt bin ich zufrieden in meiner Rolle",
		"1 = gar nicht zufrieden, 5 = sehr zufrieden",
		"In meiner Rolle als Digitallots:in konnte ich … Verbesserungen in meinem Amt anregen", "Zu wenige Antworten für eine Auswertung.",
		"Stand am 01.02.2024", "Der Stichtag ist der 31.12.2023",
		`Die Umfrage ist anonym. <a href="#kennzahl-umfrage-beteiligung">12</a> von 20 Lotsinnen und Lotsen haben teilgenommen (60 %).`,
	} {
		if !strings.Contains(html, want) {
			t.Errorf("the report does not contain %q", want)
		}
	}
	if strings.Contains(html, `id="bericht-umfrage-1"`) {
		t.Error("an item below the minimum has a chart")
	}
	// The same report in English: the programme's texts are translated,
	// the statements (the admins' words) are not.
	buf.Reset()
	en := i18n.With(context.Background(), i18n.For(i18n.English))
	if err := WriteReport(en, &buf, src, 2023, time.Date(2024, 2, 1, 0, 0, 0, 0, berlin), ReportOptions{City: "Konstanz", MinRatings: 3}); err != nil {
		t.Fatal(err)
	}
	html = buf.String()
	for _, want := range []string{
		`<html lang="en">`, "Annual report 2023 – Digitallotsen", "Distribution of the answers: Overall, I am satisfied in my role.",
		"1 = not satisfied at all, 5 = very satisfied", "12 answers; ",
		"In my role as a Digitallotse, I was able to … Verbesserungen in meinem Amt anregen", "Too few answers for an evaluation.",
		"As of 1 Feb 2024", "The reference date is 31 Dec 2023", `<a href="#kennzahl-umfrage-beteiligung">12</a> of 20 Lotsen took part (60%).`,
	} {
		if !strings.Contains(html, want) {
			t.Errorf("the English report does not contain %q", want)
		}
	}
	if missing := i18n.Missing(); len(missing) > 0 {
		t.Errorf("texts missing from the catalogues: %v", missing)
	}
	// Without a survey the section says so.
	buf.Reset()
	if err := WriteReport(context.Background(), &buf, surveyOnly{}, 2023, time.Now(), ReportOptions{}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "Für dieses Jahr liegt keine Umfrage vor.") {
		t.Error("a report without a survey does not say so")
	}
}

func TestParseStand(t *testing.T) {
	now := time.Date(2024, 5, 5, 12, 0, 0, 0, berlin)
	for _, c := range []struct {
		in   string
		want time.Time
		ok   bool
	}{
		{"", now, true},
		{"2023-10-01", time.Date(2023, 10, 2, 0, 0, 0, 0, berlin).Add(-time.Nanosecond), true},
		{"2023-10-01T09:30", time.Date(2023, 10, 1, 9, 30, 0, 0, berlin), true},
		{"gestern", now, false},
	} {
		got, _, err := ParseStand(c.in, now)
		if (err == nil) != c.ok || !got.Equal(c.want) {
			t.Errorf("ParseStand(%q) = %v, %v; want %v (ok %v)", c.in, got, err, c.want, c.ok)
		}
	}
}
