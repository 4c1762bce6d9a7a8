package projections_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"logbuch/domain"
)

// TestSurveySurvivesASnapshot: the survey read model from a snapshot plus
// the tail equals a rebuild from the log; eligibility counts the Lotsen
// active when the survey opened; an item shows counts only from the
// minimum; the dashboard's figure follows the "Stand am" moment.
func TestSurveySurvivesASnapshot(t *testing.T) {
	ctx := context.Background()
	l := openLog(t, t.TempDir())
	h := domain.NewHandler(l, nil, "konstanz")
	at := func(day int) time.Time { return time.Date(2024, 12, day, 10, 0, 0, 0, domain.Berlin) }
	exec := func(d domain.Decider[domain.Survey, any], id string, meta domain.Meta, name string, cmd any) {
		t.Helper()
		if _, err := domain.Execute(ctx, h, d, id, meta, name, cmd); err != nil {
			t.Fatal(err)
		}
	}
	var lotsen []string
	for i := range 4 {
		id := newID()
		lotsen = append(lotsen, id)
		if _, err := domain.Execute(ctx, h, domain.Roster, id, domain.Meta{CommandID: newID(), Actor: domain.SystemActor, At: at(1)}, "JoinLotse",
			any(domain.JoinLotse{Name: "Lotse " + string(rune('A'+i)), Amt: "Archiv", City: "Konstanz", Role: domain.RoleLotse})); err != nil {
			t.Fatal(err)
		}
	}
	exec(domain.Surveys, "2024", domain.Meta{CommandID: newID(), Actor: domain.SystemActor, At: at(2)}, "OpenSurvey", domain.OpenSurvey{Year: 2024})
	// Someone who joins after the opening answers no survey of theirs.
	if _, err := domain.Execute(ctx, h, domain.Roster, newID(), domain.Meta{CommandID: newID(), Actor: domain.SystemActor, At: at(3)}, "JoinLotse",
		any(domain.JoinLotse{Name: "Spät", Amt: "Archiv", City: "Konstanz", Role: domain.RoleLotse})); err != nil {
		t.Fatal(err)
	}
	answer := func(person string, day int) {
		t.Helper()
		cmd := domain.AnswerSurvey{Year: 2024, Open: true, Role: domain.RoleLotse, Active: true, Answers: map[string]domain.Number{"zufriedenheit": "4"},
			Questions: []domain.SurveyQuestion{{Key: "zufriedenheit", Scale: 5}}}
		if _, err := domain.Execute(ctx, h, domain.SurveyParticipants, domain.SurveyParticipantID(2024, person), domain.Meta{CommandID: newID(), Actor: person, At: at(day)}, "AnswerSurvey", any(cmd)); err != nil {
			t.Fatal(err)
		}
	}
	release := func(item string, values ...int) {
		t.Helper()
		meta := domain.Meta{CommandID: newID(), Actor: domain.SystemActor, At: domain.AnonymousTime(at(20))}
		if _, err := domain.Execute(ctx, h, domain.SurveyAnswerResults, domain.SurveyItemID(2024, item), meta, "ReleaseSurveyAnswers", any(domain.ReleaseSurveyAnswers{Year: 2024, Item: item, Values: values})); err != nil {
			t.Fatal(err)
		}
	}
	answer(lotsen[0], 4)
	answer(lotsen[1], 5)
	answer(lotsen[2], 6)
	release(domain.SurveyItemSatisfaction, 5, 3, 4)
	first := runUntilReady(t, l, true)
	if err := first.SaveSnapshot(ctx); err != nil {
		t.Fatal(err)
	}
	release(domain.SurveyStatementKey("s1"), 4, 4, 1)
	second := runUntilReady(t, l, true)
	rebuilt := runUntilReady(t, l, false)
	if second.RestoredFrom() == 0 {
		t.Fatal("not started from the snapshot")
	}
	a, okA := second.SurveyResults(2024)
	b, okB := rebuilt.SurveyResults(2024)
	if !okA || !okB || !reflect.DeepEqual(a, b) {
		t.Fatalf("from snapshot %+v, rebuilt %+v", a, b)
	}
	if !a.Open || a.Closed || a.Participants != 3 || a.Eligible != 4 || a.Rate() != 75 || len(a.Items) != 4 {
		t.Fatalf("results: %+v", a)
	}
	if got := a.Items[0]; got.Key != "rolle/s1" || got.Scale != 4 || !got.Shown || !reflect.DeepEqual(got.Counts, []int{1, 0, 0, 2}) {
		t.Fatalf("statement: %+v", got)
	}
	if got := a.Items[1]; got.Answers != 0 || got.Shown || got.Counts != nil {
		t.Fatalf("an item without answers: %+v", got)
	}
	if got := a.Items[3]; got.Key != "zufriedenheit" || !reflect.DeepEqual(got.Name(), domain.SurveySatisfactionText) || !reflect.DeepEqual(got.Counts, []int{0, 0, 1, 1, 1}) || got.Average() != 4 {
		t.Fatalf("satisfaction: %+v", got)
	}
	// A higher minimum hides both; nothing is handed out below it.
	rebuilt.SetSurveyMinimum(4)
	if r, _ := rebuilt.SurveyResults(2024); r.Items[0].Shown || r.Items[0].Counts != nil || r.Items[3].Shown || r.Items[3].Answers != 3 {
		t.Fatalf("below a minimum of 4: %+v", r.Items)
	}
	if _, ok := rebuilt.SurveyResults(2023); ok {
		t.Fatal("a survey that was never opened")
	}
	// The dashboard's figure as of a moment: before the opening there is
	// none; on the 5th two had answered.
	if f, _ := second.Figures(2024, at(1)); f.Survey {
		t.Fatalf("survey figure before the opening: %+v", f)
	}
	if f, _ := second.Figures(2024, at(5)); !f.Survey || f.SurveyParticipants != 2 || f.SurveyEligible != 4 || f.SurveyRate != 50 {
		t.Fatalf("survey figure on the 5th: %+v", f)
	}
}
