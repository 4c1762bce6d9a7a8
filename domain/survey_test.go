package domain_test

import (
	"slices"
	"testing"

	"logbuch/domain"
)

func surveyGiven(events ...domain.Data) domain.Survey {
	var es []domain.Event
	for _, d := range events {
		es = append(es, domain.Event{Data: d})
	}
	return domain.Surveys.Fold(es)
}

func opened2023() domain.SurveyOpened {
	got, err := domain.Surveys.Decide(surveyGiven(), domain.OpenSurvey{Year: 2023})
	if err != nil {
		panic(err)
	}
	return got[0].(domain.SurveyOpened)
}

func TestSurveyIsOpenedWordedAndClosedOnce(t *testing.T) {
	t.Run("opening starts with the default statements", func(t *testing.T) {
		o := opened2023()
		if o.Year != 2023 || len(o.Statements) != len(domain.DefaultSurveyStatements) || o.Statements[0].Text != domain.DefaultSurveyStatements[0] || o.Statements[0].ID != "s1" {
			t.Fatalf("opened: %+v", o)
		}
	})
	t.Run("opening twice is refused", func(t *testing.T) {
		_, err := domain.Surveys.Decide(surveyGiven(opened2023()), domain.OpenSurvey{Year: 2023})
		if domain.ErrorCode(err) != domain.ECONFLICT {
			t.Fatalf("second open: %v", err)
		}
	})
	t.Run("a year out of range is refused", func(t *testing.T) {
		_, err := domain.Surveys.Decide(surveyGiven(), domain.OpenSurvey{Year: 1999})
		if domain.ErrorCode(err) != domain.EINVALID || domain.ErrorField(err) != "year" {
			t.Fatalf("year 1999: %v", err)
		}
	})
	t.Run("a changed statement gets a new id, unchanged ones keep theirs", func(t *testing.T) {
		s := surveyGiven(opened2023())
		got, err := domain.Surveys.Decide(s, domain.EditSurveyStatements{Statements: domain.DefaultSurveyStatements[0] + "\n\n  … neue Werkzeuge   ausprobieren.\n" + domain.DefaultSurveyStatements[2]})
		if err != nil {
			t.Fatal(err)
		}
		want := []domain.SurveyStatement{{ID: "s1", Text: domain.DefaultSurveyStatements[0]}, {ID: "s4", Text: "… neue Werkzeuge ausprobieren."}, {ID: "s3", Text: domain.DefaultSurveyStatements[2]}}
		if ch := got[0].(domain.SurveyStatementsChanged); !slices.Equal(ch.Statements, want) {
			t.Fatalf("got %+v, want %+v", ch.Statements, want)
		}
		// The next new statement never reuses an id, even one given up.
		s = surveyGiven(opened2023(), got[0])
		got, _ = domain.Surveys.Decide(s, domain.EditSurveyStatements{Statements: "Etwas anderes"})
		if ch := got[0].(domain.SurveyStatementsChanged); ch.Statements[0].ID != "s5" {
			t.Fatalf("new id: %+v", ch.Statements)
		}
	})
	t.Run("the same statements again change nothing", func(t *testing.T) {
		got, err := domain.Surveys.Decide(surveyGiven(opened2023()), domain.EditSurveyStatements{Statements: "\n" + statementsOf(domain.DefaultSurveyStatements) + "\n"})
		if err != nil || len(got) != 0 {
			t.Fatalf("got %v, %v", got, err)
		}
	})
	for name, text := range map[string]string{
		"no statement":  " \n ",
		"a double":      "A\nA",
		"too many":      "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n13",
		"control chars": "A\x00B",
	} {
		t.Run("refused: "+name, func(t *testing.T) {
			_, err := domain.Surveys.Decide(surveyGiven(opened2023()), domain.EditSurveyStatements{Statements: text})
			if domain.ErrorCode(err) != domain.EINVALID || domain.ErrorField(err) != "statements" {
				t.Fatalf("%q: %v", text, err)
			}
		})
	}
	t.Run("closed: no more edits, no second close", func(t *testing.T) {
		s := surveyGiven(opened2023())
		got, err := domain.Surveys.Decide(s, domain.CloseSurvey{})
		if err != nil || !slices.Equal(got, []domain.Data{domain.SurveyClosed{}}) {
			t.Fatalf("close: %v %v", got, err)
		}
		s = surveyGiven(opened2023(), domain.SurveyClosed{})
		if _, err := domain.Surveys.Decide(s, domain.EditSurveyStatements{Statements: "Neu"}); domain.ErrorCode(err) != domain.ECONFLICT {
			t.Fatalf("edit after close: %v", err)
		}
		if _, err := domain.Surveys.Decide(s, domain.CloseSurvey{}); domain.ErrorCode(err) != domain.ECONFLICT {
			t.Fatalf("second close: %v", err)
		}
	})
	t.Run("a survey never opened cannot be edited or closed", func(t *testing.T) {
		if _, err := domain.Surveys.Decide(surveyGiven(), domain.CloseSurvey{}); domain.ErrorCode(err) != domain.ENOTFOUND {
			t.Fatalf("close: %v", err)
		}
		if _, err := domain.Surveys.Decide(surveyGiven(), domain.EditSurveyStatements{Statements: "A"}); domain.ErrorCode(err) != domain.ENOTFOUND {
			t.Fatalf("edit: %v", err)
		}
	})
}

func statementsOf(st []string) string {
	out := ""
	for _, s := range st {
		out += s + "\n"
	}
	return out
}

const surveyEvent = "01936f00-0000-7000-8000-000000000009"

var surveyQuestions = []domain.SurveyQuestion{
	{Key: domain.SurveyEventKey(surveyEvent), Scale: 5, Optional: true},
	{Key: domain.SurveyStatementKey("s1"), Scale: 4},
	{Key: domain.SurveyItemSatisfaction, Scale: 5},
}

func answer(values map[string]string, change ...func(*domain.AnswerSurvey)) domain.AnswerSurvey {
	c := domain.AnswerSurvey{Answers: map[string]domain.Number{}, Year: 2023, Open: true, Role: domain.RoleLotse, Active: true, Questions: surveyQuestions}
	for k, v := range values {
		c.Answers[k] = domain.Number(v)
	}
	for _, f := range change {
		f(&c)
	}
	return c
}

var fullAnswer = map[string]string{"veranstaltung/" + surveyEvent: "5", "rolle/s1": "4", "zufriedenheit": "3"}

func TestSurveyIsAnsweredOnceByActiveLotsenWhileOpen(t *testing.T) {
	t.Run("the answer says that, not what", func(t *testing.T) {
		got, err := domain.SurveyParticipants.Decide(domain.Participant{}, answer(fullAnswer))
		if err != nil || !slices.Equal(got, []domain.Data{domain.SurveyAnswered{Year: 2023}}) {
			t.Fatalf("got %v, %v", got, err)
		}
	})
	t.Run("an event one did not attend may stay unanswered", func(t *testing.T) {
		for _, v := range []string{"", "0"} {
			if _, err := domain.SurveyParticipants.Decide(domain.Participant{}, answer(map[string]string{"veranstaltung/" + surveyEvent: v, "rolle/s1": "1", "zufriedenheit": "1"})); err != nil {
				t.Fatalf("event %q: %v", v, err)
			}
		}
	})
	for name, c := range map[string]struct {
		cmd         domain.AnswerSurvey
		code, field string
	}{
		"a second answer":      {answer(fullAnswer), domain.ECONFLICT, ""},
		"a closed survey":      {answer(fullAnswer, func(c *domain.AnswerSurvey) { c.Open = false }), domain.ECONFLICT, ""},
		"the Lenkungsgruppe":   {answer(fullAnswer, func(c *domain.AnswerSurvey) { c.Role = domain.RoleLenkungsgruppe }), domain.ECONFLICT, ""},
		"an admin":             {answer(fullAnswer, func(c *domain.AnswerSurvey) { c.Role = domain.RoleAdmin }), domain.ECONFLICT, ""},
		"a Lotse who left":     {answer(fullAnswer, func(c *domain.AnswerSurvey) { c.Active = false }), domain.ECONFLICT, ""},
		"a statement above 4":  {answer(map[string]string{"rolle/s1": "5", "zufriedenheit": "3"}), domain.EINVALID, "rolle/s1"},
		"an event above 5":     {answer(map[string]string{"veranstaltung/" + surveyEvent: "6", "rolle/s1": "2", "zufriedenheit": "3"}), domain.EINVALID, "veranstaltung/" + surveyEvent},
		"satisfaction 0":       {answer(map[string]string{"rolle/s1": "2", "zufriedenheit": "0"}), domain.EINVALID, "zufriedenheit"},
		"no number":            {answer(map[string]string{"rolle/s1": "viel", "zufriedenheit": "3"}), domain.EINVALID, "rolle/s1"},
		"a statement missing":  {answer(map[string]string{"zufriedenheit": "3"}), domain.EINVALID, "rolle/s1"},
		"a question not asked": {answer(map[string]string{"rolle/s1": "2", "zufriedenheit": "3", "rolle/s9": "2"}), domain.ECONFLICT, ""},
	} {
		t.Run("refused: "+name, func(t *testing.T) {
			state := domain.Participant{}
			if name == "a second answer" {
				state = domain.SurveyParticipants.Fold([]domain.Event{{Data: domain.SurveyAnswered{Year: 2023}}})
			}
			_, err := domain.SurveyParticipants.Decide(state, c.cmd)
			if domain.ErrorCode(err) != c.code || domain.ErrorField(err) != c.field {
				t.Fatalf("got %v (%s, field %q), want %s %q", err, domain.ErrorCode(err), domain.ErrorField(err), c.code, c.field)
			}
		})
	}
}

func TestSurveyAnswersAreReleasedPerItemInBatchesOfValuesOnly(t *testing.T) {
	item := domain.SurveyStatementKey("s2")
	got, err := domain.SurveyAnswerResults.Decide(domain.SurveyTally{}, domain.ReleaseSurveyAnswers{Year: 2023, Item: item, Values: []int{4, 1, 3}})
	if err != nil || !slices.Equal(got[0].(domain.SurveyAnswersReleased).Values, []int{4, 1, 3}) {
		t.Fatalf("release: %v %v", got, err)
	}
	for name, c := range map[string]domain.ReleaseSurveyAnswers{
		"a batch of two":          {Year: 2023, Item: item, Values: []int{4, 1}},
		"a statement's 5":         {Year: 2023, Item: item, Values: []int{4, 1, 5}},
		"a satisfaction of 0":     {Year: 2023, Item: domain.SurveyItemSatisfaction, Values: []int{0, 1, 5}},
		"an item that is no item": {Year: 2023, Item: "name/x", Values: []int{1, 1, 1}},
	} {
		if _, err := domain.SurveyAnswerResults.Decide(domain.SurveyTally{}, c); domain.ErrorCode(err) != domain.EINVALID {
			t.Fatalf("%s: %v", name, err)
		}
	}
	// The aggregate's id names year and item, so the batch needs nothing else.
	for _, it := range []string{item, domain.SurveyItemSatisfaction, domain.SurveyEventKey(surveyEvent)} {
		id := domain.SurveyItemID(2023, it)
		if y, back, ok := domain.ParseSurveyItemID(id); !ok || y != 2023 || back != it || !domain.ValidCommandID(id) {
			t.Fatalf("%s → %s → %d %s %v", it, id, y, back, ok)
		}
	}
}

// The survey's refusals say what is wrong, with the year as it is written.
func TestSurveyRefusalsSayWhy(t *testing.T) {
	state := domain.SurveyParticipants.Fold([]domain.Event{{Data: domain.SurveyAnswered{Year: 2023}}})
	_, err := domain.SurveyParticipants.Decide(state, answer(fullAnswer))
	if got := said(domain.ErrorMessage(err)); got != "Sie haben an der Umfrage 2023 schon teilgenommen. Jede Person antwortet nur einmal." {
		t.Errorf("a second answer: %q", got)
	}
	_, err = domain.Surveys.Decide(surveyGiven(opened2023()), domain.EditSurveyStatements{Statements: "A\nA"})
	if got := said(domain.ErrorMessage(err)); got != "Die Aussage „A“ steht zweimal da." {
		t.Errorf("a double: %q", got)
	}
	_, err = domain.SurveyParticipants.Decide(domain.Participant{}, answer(map[string]string{"rolle/s1": "2"}))
	if got := said(domain.ErrorMessage(err)); got != "Bitte geben Sie an, wie zufrieden Sie insgesamt in Ihrer Rolle sind." {
		t.Errorf("no satisfaction: %q", got)
	}
	if got := said(domain.SurveyScaleLabels[domain.SurveyItemStatement][4]); got != "trifft vollständig zu" {
		t.Errorf("the end of the statements' scale: %q", got)
	}
}
