package main

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"logbuch/domain"
)

// The demo year's annual survey: opened by the digital office in December
// 2023, answered by most active Lotsen through the same path as the page
// (the participant's decider and the survey's pool), released per item in
// shuffled batches, then closed. The answers are invented, drawn from a
// fixed pattern so that every item has enough answers to show results.

// demoSurveyAbsent are the active Lotsen who do not answer.
var demoSurveyAbsent = map[string]bool{"p08": true, "p17": true, "p23": true, "p28": true}

func (m *Main) loadDemoSurvey(ctx context.Context, people map[string]string, nextID func() string) error {
	const year = 2023
	admin := people["p01"]
	exec := func(date, name string, cmd any) error {
		res, err := domain.Execute(ctx, m.Commands, domain.Surveys, domain.SurveyID(year), domain.Meta{CommandID: nextID(), Actor: admin, At: demoTime(date)}, name, cmd)
		if err != nil {
			return fmt.Errorf("demo survey %s: %w", name, err)
		}
		return m.Runner.WaitFor(ctx, res.Seq)
	}
	if err := exec("2023-12-04", "OpenSurvey", any(domain.OpenSurvey{Year: year})); err != nil {
		return err
	}
	answered := 0
	for i, p := range demoPeople {
		if p.role != domain.RoleLotse || demoSurveyAbsent[p.key] {
			continue
		}
		var cmd domain.AnswerSurvey
		m.Web.PrepareSurveyAnswer(&cmd, year, p.role, people[p.key])
		if !cmd.Active {
			continue // left during the year
		}
		cmd.Answers = map[string]domain.Number{}
		for j, q := range cmd.Questions {
			v := demoSurveyValue(i, j, q)
			if v > 0 {
				cmd.Answers[q.Key] = domain.Number(strconv.Itoa(v))
			}
		}
		at := demoTime("2023-12-05").Add(time.Duration(answered*13) * time.Hour)
		if _, err := m.Web.AnswerSurvey(ctx, domain.Meta{CommandID: nextID(), Actor: people[p.key], At: at}, cmd); err != nil {
			return fmt.Errorf("demo survey answer by %s: %w", p.key, err)
		}
		answered++
	}
	if err := m.Web.ReleaseSurveyAnswers(ctx, demoTime("2023-12-18")); err != nil {
		return err
	}
	return exec("2023-12-20", "CloseSurvey", any(domain.CloseSurvey{}))
}

// demoSurveyValue is person i's invented answer to question j (0: did not
// take part in that event): mostly good, with some spread.
func demoSurveyValue(i, j int, q domain.SurveyQuestion) int {
	if q.Optional && (i+j)%3 == 0 {
		return 0
	}
	top := q.Scale - 2 + (i*7+j*3)%3
	return max(1, min(q.Scale, top))
}
