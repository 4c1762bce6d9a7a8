package domain_test

import (
	"errors"
	"testing"

	"logbuch/domain"
)

func TestConclusionVersions(t *testing.T) {
	fold := func(data ...domain.Data) domain.AnnualReport {
		var events []domain.Event
		for _, d := range data {
			events = append(events, domain.Event{Data: d})
		}
		return domain.Reports.Fold(events)
	}
	first := domain.ConclusionEdited{Rev: 2, BaseRev: 1, Text: "Das Jahr war gut. Wir machen weiter."}
	t.Run("the first version is written on the empty text", func(t *testing.T) {
		got, err := domain.Reports.Decide(fold(), domain.EditConclusion{BaseRev: "1", Text: " " + first.Text + " "})
		if err != nil || len(got) != 1 || got[0] != first {
			t.Fatalf("got %v %v", got, err)
		}
	})
	t.Run("an unchanged text records nothing", func(t *testing.T) {
		got, err := domain.Reports.Decide(fold(first), domain.EditConclusion{BaseRev: "2", Text: first.Text})
		if err != nil || len(got) != 0 {
			t.Fatalf("got %v %v", got, err)
		}
	})
	t.Run("concurrent edits of different sentences merge", func(t *testing.T) {
		second := domain.ConclusionEdited{Rev: 3, BaseRev: 2, Text: "Das Jahr war sehr gut. Wir machen weiter."}
		got, err := domain.Reports.Decide(fold(first, second), domain.EditConclusion{BaseRev: "2", Text: "Das Jahr war gut. Wir machen 2024 weiter."})
		want := domain.ConclusionEdited{Rev: 4, BaseRev: 2, Text: "Das Jahr war sehr gut. Wir machen 2024 weiter.", Merged: true}
		if err != nil || len(got) != 1 || got[0] != want {
			t.Fatalf("got %v %v, want %v", got, err, want)
		}
	})
	t.Run("overlapping edits are refused with both versions", func(t *testing.T) {
		second := domain.ConclusionEdited{Rev: 3, BaseRev: 2, Text: "Das Jahr war schwierig. Wir machen weiter."}
		_, err := domain.Reports.Decide(fold(first, second), domain.EditConclusion{BaseRev: "2", Text: "Das Jahr war großartig. Wir machen weiter."})
		var conflict *domain.EditConflict
		if !errors.As(err, &conflict) || conflict.Current != second.Text || conflict.Yours != "Das Jahr war großartig. Wir machen weiter." || conflict.CurrentRev != 3 {
			t.Fatalf("got %v", err)
		}
		if domain.ErrorCode(err) != domain.ECONFLICT {
			t.Fatalf("code %s", domain.ErrorCode(err))
		}
	})
	t.Run("a missing base version is refused", func(t *testing.T) {
		if _, err := domain.Reports.Decide(fold(), domain.EditConclusion{Text: "x"}); domain.ErrorField(err) != "base_rev" {
			t.Fatalf("got %v", err)
		}
	})
}
