package projections_test

import (
	"context"
	"testing"
	"time"

	"logbuch/domain"
	"logbuch/projections"
)

// TestRatingsSurviveASnapshot: the ratings read model from a snapshot plus
// the tail equals a rebuild from the log: who rated (for the form) and the
// released values.
func TestRatingsSurviveASnapshot(t *testing.T) {
	ctx := context.Background()
	l := openLog(t, t.TempDir())
	h := domain.NewHandler(l, nil, "konstanz")
	event := newID()
	if _, err := domain.Execute(ctx, h, domain.Events, event, domain.Meta{CommandID: newID()}, "PlanVeranstaltung", any(domain.PlanVeranstaltung{Title: "Meet & Learn", Format: "Meet & Learn", Start: "2024-03-01T10:00", End: "2024-03-01T11:00", HostCity: "Konstanz", GuestCode: "RTG234"})); err != nil {
		t.Fatal(err)
	}
	if _, err := domain.Execute(ctx, h, domain.Events, event, domain.Meta{CommandID: newID()}, "MarkHeld", any(domain.MarkHeld{Attendance: "12", Now: time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)})); err != nil {
		t.Fatal(err)
	}
	rate := func(person string) {
		t.Helper()
		cmd := domain.RateVeranstaltung{Value: "4", Event: event, Status: domain.StatusHeld, Role: domain.RoleLotse}
		if _, err := domain.Execute(ctx, h, domain.Ratings, domain.RaterID(event, person), domain.Meta{CommandID: newID(), Actor: person}, "RateVeranstaltung", any(cmd)); err != nil {
			t.Fatal(err)
		}
	}
	release := func(values ...int) {
		t.Helper()
		meta := domain.Meta{CommandID: newID(), Actor: domain.SystemActor, At: domain.AnonymousTime(time.Now())}
		if _, err := domain.Execute(ctx, h, domain.RatingResults, event, meta, "ReleaseRatings", any(domain.ReleaseRatings{Values: values})); err != nil {
			t.Fatal(err)
		}
	}
	people := []string{newID(), newID(), newID(), newID(), newID(), newID()}
	for _, p := range people[:3] {
		rate(p)
	}
	release(5, 3, 4)
	first := runUntilReady(t, l, true)
	if err := first.SaveSnapshot(ctx); err != nil {
		t.Fatal(err)
	}
	for _, p := range people[3:] {
		rate(p)
	}
	release(1, 2, 2)

	second := runUntilReady(t, l, true)
	rebuilt := runUntilReady(t, l, false)
	if second.RestoredFrom() == 0 {
		t.Fatal("not started from the snapshot")
	}
	a, _ := second.Rating(event)
	b, _ := rebuilt.Rating(event)
	want := projections.RatingSummary{Event: event, Participants: 6, Counts: [5]int{1, 2, 1, 1, 1}}
	if a != want || b != want {
		t.Fatalf("from snapshot %+v, rebuilt %+v, want %+v", a, b, want)
	}
	for _, p := range people {
		if !second.HasRated(event, domain.RaterID(event, p)) || !rebuilt.HasRated(event, domain.RaterID(event, p)) {
			t.Fatalf("%s rated, but the read model does not know", p)
		}
	}
	if second.HasRated(event, domain.RaterID(event, newID())) {
		t.Fatal("someone who did not rate counts as rated")
	}
	if avg := a.Average(); avg < 2.83 || avg > 2.84 {
		t.Fatalf("average %v, want 17/6", avg)
	}
}
