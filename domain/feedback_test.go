package domain_test

import (
	"strings"
	"testing"

	"logbuch/domain"
)

func TestBarrierReports(t *testing.T) {
	given := func(data ...domain.Data) domain.BarrierReport {
		var events []domain.Event
		for _, d := range data {
			events = append(events, domain.Event{Data: d})
		}
		return domain.Feedback.Fold(events)
	}
	t.Run("a report is recorded once, trimmed", func(t *testing.T) {
		got, err := domain.Feedback.Decide(given(), domain.ReportBarrier{Page: " Wand ", Text: " Der Knopf ist mit der Tastatur nicht erreichbar. "})
		if err != nil || len(got) != 1 || got[0] != (domain.BarrierReported{Page: "Wand", Text: "Der Knopf ist mit der Tastatur nicht erreichbar."}) {
			t.Fatalf("got %v %v", got, err)
		}
		if _, err := domain.Feedback.Decide(given(got...), domain.ReportBarrier{Text: "noch einmal"}); domain.ErrorCode(err) != domain.ECONFLICT {
			t.Fatalf("second report on the same id: %v", err)
		}
	})
	t.Run("an empty or oversized message is refused with its field", func(t *testing.T) {
		if _, err := domain.Feedback.Decide(given(), domain.ReportBarrier{Text: "  "}); domain.ErrorField(err) != "text" {
			t.Fatalf("empty: %v", err)
		}
		if _, err := domain.Feedback.Decide(given(), domain.ReportBarrier{Text: strings.Repeat("x", domain.MaxBarrierText+1)}); domain.ErrorField(err) != "text" {
			t.Fatalf("oversized: %v", err)
		}
		if _, err := domain.Feedback.Decide(given(), domain.ReportBarrier{Text: "ok", Page: "a\x00b"}); domain.ErrorField(err) != "page" {
			t.Fatalf("control character: %v", err)
		}
	})
	t.Run("answered once, only when reported", func(t *testing.T) {
		if _, err := domain.Feedback.Decide(given(), domain.AnswerBarrierReport{}); domain.ErrorCode(err) != domain.ENOTFOUND {
			t.Fatalf("answer of nothing: %v", err)
		}
		reported := domain.BarrierReported{Text: "x"}
		got, err := domain.Feedback.Decide(given(reported), domain.AnswerBarrierReport{Note: "behoben"})
		if err != nil || got[0] != (domain.BarrierReportAnswered{Note: "behoben"}) {
			t.Fatalf("answer: %v %v", got, err)
		}
		if _, err := domain.Feedback.Decide(given(reported, got[0]), domain.AnswerBarrierReport{}); domain.ErrorCode(err) != domain.ECONFLICT {
			t.Fatalf("answered twice: %v", err)
		}
	})
}
