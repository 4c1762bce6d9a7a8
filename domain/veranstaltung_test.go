package domain_test

import (
	"strings"
	"testing"
	"time"

	"logbuch/domain"
)

var plan = domain.PlanVeranstaltung{Title: "#KNmeetsHN 2024", Format: "#KNmeetsHN", Start: "2024-10-15T09:30", End: "2024-10-15T16:30", Place: "Konstanz", HostCity: "Konstanz", GuestCode: "ABC234"}

func TestPlanVeranstaltung(t *testing.T) {
	t.Run("an event is planned in local time", func(t *testing.T) {
		got, err := domain.Events.Decide(domain.Events.Initial, plan)
		if err != nil {
			t.Fatal(err)
		}
		p := got[0].(domain.VeranstaltungPlanned)
		if !p.Start.Equal(time.Date(2024, 10, 15, 7, 30, 0, 0, time.UTC)) || p.GuestCode != "ABC234" {
			t.Fatalf("planned %+v (09:30 in Konstanz is 07:30 UTC in October)", p)
		}
	})
	for name, c := range map[string]struct {
		change func(*domain.PlanVeranstaltung)
		field  string
	}{
		"empty title":    {func(p *domain.PlanVeranstaltung) { p.Title = " " }, "title"},
		"unknown format": {func(p *domain.PlanVeranstaltung) { p.Format = "Party" }, "format"},
		"no start":       {func(p *domain.PlanVeranstaltung) { p.Start = "morgen" }, "start"},
		"end before":     {func(p *domain.PlanVeranstaltung) { p.End = "2024-10-15T09:00" }, "end"},
		"too long":       {func(p *domain.PlanVeranstaltung) { p.End = "2024-10-30T09:00" }, "end"},
		"unknown city":   {func(p *domain.PlanVeranstaltung) { p.HostCity = "Ulm" }, "host_city"},
		"bad code":       {func(p *domain.PlanVeranstaltung) { p.GuestCode = "O0I1AB" }, ""},
	} {
		t.Run(name, func(t *testing.T) {
			cmd := plan
			c.change(&cmd)
			_, err := domain.Events.Decide(domain.Events.Initial, cmd)
			if domain.ErrorCode(err) != domain.EINVALID || domain.ErrorField(err) != c.field {
				t.Fatalf("got %v, want an invalid %q", err, c.field)
			}
		})
	}
	t.Run("planning twice", func(t *testing.T) {
		planned, _ := domain.Events.Decide(domain.Events.Initial, plan)
		state := domain.Events.Fold([]domain.Event{{Data: planned[0]}})
		if _, err := domain.Events.Decide(state, plan); domain.ErrorCode(err) != domain.ECONFLICT {
			t.Fatalf("got %v", err)
		}
	})
}

func TestPostToWall(t *testing.T) {
	got, err := domain.Wall.Decide(domain.Wall.Initial, domain.PostToWall{Event: "e1", Text: "  Ergebnis: mehr Mut  ", GuestName: "Kim aus Heilbronn"})
	if err != nil || got[0] != (domain.WallPostAdded{Event: "e1", Text: "Ergebnis: mehr Mut", GuestName: "Kim aus Heilbronn"}) {
		t.Fatalf("post: %+v %v", got, err)
	}
	for name, cmd := range map[string]domain.PostToWall{
		"empty":     {Event: "e1", Text: " "},
		"too long":  {Event: "e1", Text: strings.Repeat("x", domain.MaxPostLength+1)},
		"bad name":  {Event: "e1", Text: "x", GuestName: "a\nb"},
		"bad event": {Event: "a.b", Text: "x"},
		"control":   {Event: "e1", Text: "a\x00b"},
	} {
		if _, err := domain.Wall.Decide(domain.Wall.Initial, cmd); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	posted := domain.Wall.Fold([]domain.Event{{Data: got[0]}})
	if _, err := domain.Wall.Decide(posted, domain.PostToWall{Event: "e1", Text: "x"}); domain.ErrorCode(err) != domain.ECONFLICT {
		t.Fatalf("posting twice under one id: %v", err)
	}
	if !domain.ValidGuestCode("XYZ789") || domain.ValidGuestCode("xyz789") || domain.ValidGuestCode("ABCDE") {
		t.Fatal("guest code shapes")
	}
}
