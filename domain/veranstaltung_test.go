package domain_test

import (
	"encoding/json"
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

// Lifecycle rules, each as given (the event's history), when (a command),
// then (the new facts or the refusal).

var (
	planned    = domain.VeranstaltungPlanned{Title: "Meet & Learn: OZG", Format: "Meet & Learn", Start: time.Date(2024, 10, 15, 7, 30, 0, 0, time.UTC), End: time.Date(2024, 10, 15, 9, 0, 0, 0, time.UTC), Place: "online", HostCity: "Konstanz", GuestCode: "ABC234"}
	duringIt   = time.Date(2024, 10, 15, 8, 0, 0, 0, time.UTC)
	held       = domain.VeranstaltungHeld{Attendance: 25}
	cancelled  = domain.VeranstaltungCancelled{Reason: "Referentin erkrankt"}
	talk       = domain.TalkAdded{Speaker: "Dr. Lea Sommer", Organisation: "Stadt Heilbronn", Topic: "OZG 2.0"}
	reschedule = domain.RescheduleVeranstaltung{Start: "2024-11-05T14:00", End: "2024-11-05T15:30"}
)

// givenEvent folds a history into the event's state.
func givenEvent(facts ...domain.Data) domain.Veranstaltung {
	events := make([]domain.Event, len(facts))
	for i, f := range facts {
		events[i] = domain.Event{Data: f}
	}
	return domain.Events.Fold(events)
}

// thenEvent checks the outcome of a command: the facts wanted, or an error code
// (and field) wanted.
func thenEvent(t *testing.T, got []domain.Data, err error, want []domain.Data, code, field string) {
	t.Helper()
	if code != "" {
		if domain.ErrorCode(err) != code || domain.ErrorField(err) != field {
			t.Fatalf("got %v %v, want %s on %q", got, err, code, field)
		}
		if msg := said(domain.ErrorMessage(err)); msg == "" || strings.Contains(msg, "error") {
			t.Fatalf("message %q is not for people", msg)
		}
		return
	}
	if err != nil {
		t.Fatalf("refused: %v", err)
	}
	if len(got) != len(want) {
		t.Fatalf("got %+v, want %+v", got, want)
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("got %+v, want %+v", got[i], want[i])
		}
	}
}

func TestRescheduleVeranstaltung(t *testing.T) {
	t.Run("a planned event moves, in local time, keeping its place", func(t *testing.T) {
		got, err := domain.Events.Decide(givenEvent(planned), reschedule)
		thenEvent(t, got, err, []domain.Data{domain.VeranstaltungRescheduled{Start: time.Date(2024, 11, 5, 13, 0, 0, 0, time.UTC), End: time.Date(2024, 11, 5, 14, 30, 0, 0, time.UTC), Place: "online"}}, "", "")
	})
	t.Run("a new place", func(t *testing.T) {
		cmd := reschedule
		cmd.Place = "Ratssaal"
		got, err := domain.Events.Decide(givenEvent(planned), cmd)
		if err != nil || got[0].(domain.VeranstaltungRescheduled).Place != "Ratssaal" {
			t.Fatalf("%+v %v", got, err)
		}
	})
	t.Run("the state follows the move", func(t *testing.T) {
		got, _ := domain.Events.Decide(givenEvent(planned), reschedule)
		s := givenEvent(planned, got[0])
		if !s.Start.Equal(time.Date(2024, 11, 5, 13, 0, 0, 0, time.UTC)) || s.Status() != domain.StatusPlanned {
			t.Fatalf("state %+v", s)
		}
	})
	for name, c := range map[string]struct {
		change func(*domain.RescheduleVeranstaltung)
		field  string
	}{
		"no start":   {func(r *domain.RescheduleVeranstaltung) { r.Start = "bald" }, "start"},
		"no end":     {func(r *domain.RescheduleVeranstaltung) { r.End = "" }, "end"},
		"end before": {func(r *domain.RescheduleVeranstaltung) { r.End = "2024-11-05T13:00" }, "end"},
		"too long":   {func(r *domain.RescheduleVeranstaltung) { r.End = "2024-11-20T13:00" }, "end"},
		"bad place":  {func(r *domain.RescheduleVeranstaltung) { r.Place = "a\x00b" }, "place"},
	} {
		t.Run(name, func(t *testing.T) {
			cmd := reschedule
			c.change(&cmd)
			got, err := domain.Events.Decide(givenEvent(planned), cmd)
			thenEvent(t, got, err, nil, domain.EINVALID, c.field)
		})
	}
	t.Run("unchanged", func(t *testing.T) {
		got, err := domain.Events.Decide(givenEvent(planned), domain.RescheduleVeranstaltung{Start: "2024-10-15T09:30", End: "2024-10-15T11:00"})
		thenEvent(t, got, err, nil, domain.ECONFLICT, "")
	})
	t.Run("not after it was held", func(t *testing.T) {
		got, err := domain.Events.Decide(givenEvent(planned, held), reschedule)
		thenEvent(t, got, err, nil, domain.ECONFLICT, "")
	})
	t.Run("not after it was cancelled", func(t *testing.T) {
		got, err := domain.Events.Decide(givenEvent(planned, cancelled), reschedule)
		thenEvent(t, got, err, nil, domain.ECONFLICT, "")
	})
	t.Run("not an event that does not exist", func(t *testing.T) {
		got, err := domain.Events.Decide(givenEvent(), reschedule)
		thenEvent(t, got, err, nil, domain.ENOTFOUND, "")
	})
}

func TestCancelVeranstaltung(t *testing.T) {
	t.Run("a planned event is cancelled with a reason", func(t *testing.T) {
		got, err := domain.Events.Decide(givenEvent(planned), domain.CancelVeranstaltung{Reason: "  Referentin erkrankt "})
		thenEvent(t, got, err, []domain.Data{cancelled}, "", "")
		if givenEvent(planned, got[0]).Status() != domain.StatusCancelled {
			t.Fatal("state is not cancelled")
		}
	})
	t.Run("without a reason", func(t *testing.T) {
		got, err := domain.Events.Decide(givenEvent(planned), domain.CancelVeranstaltung{})
		thenEvent(t, got, err, []domain.Data{domain.VeranstaltungCancelled{}}, "", "")
	})
	t.Run("a moved event too", func(t *testing.T) {
		moved, _ := domain.Events.Decide(givenEvent(planned), reschedule)
		got, err := domain.Events.Decide(givenEvent(planned, moved[0]), domain.CancelVeranstaltung{})
		thenEvent(t, got, err, []domain.Data{domain.VeranstaltungCancelled{}}, "", "")
	})
	t.Run("reason too long", func(t *testing.T) {
		got, err := domain.Events.Decide(givenEvent(planned), domain.CancelVeranstaltung{Reason: strings.Repeat("x", domain.MaxCancelReason+1)})
		thenEvent(t, got, err, nil, domain.EINVALID, "reason")
	})
	t.Run("not after it was held", func(t *testing.T) {
		got, err := domain.Events.Decide(givenEvent(planned, held), domain.CancelVeranstaltung{})
		thenEvent(t, got, err, nil, domain.ECONFLICT, "")
	})
	t.Run("not twice", func(t *testing.T) {
		got, err := domain.Events.Decide(givenEvent(planned, cancelled), domain.CancelVeranstaltung{})
		thenEvent(t, got, err, nil, domain.ECONFLICT, "")
	})
}

func TestMarkHeld(t *testing.T) {
	t.Run("once started, with its attendance", func(t *testing.T) {
		got, err := domain.Events.Decide(givenEvent(planned), domain.MarkHeld{Attendance: " 25 ", Now: duringIt})
		thenEvent(t, got, err, []domain.Data{held}, "", "")
		if s := givenEvent(planned, got[0]); s.Status() != domain.StatusHeld {
			t.Fatalf("state %+v", s)
		}
	})
	t.Run("at its very start", func(t *testing.T) {
		got, err := domain.Events.Decide(givenEvent(planned), domain.MarkHeld{Attendance: "1", Now: planned.Start})
		thenEvent(t, got, err, []domain.Data{domain.VeranstaltungHeld{Attendance: 1}}, "", "")
	})
	t.Run("not before it started", func(t *testing.T) {
		got, err := domain.Events.Decide(givenEvent(planned), domain.MarkHeld{Attendance: "25", Now: planned.Start.Add(-time.Minute)})
		thenEvent(t, got, err, nil, domain.ECONFLICT, "")
	})
	t.Run("not without the server's clock", func(t *testing.T) {
		got, err := domain.Events.Decide(givenEvent(planned), domain.MarkHeld{Attendance: "25"})
		thenEvent(t, got, err, nil, domain.ECONFLICT, "")
	})
	t.Run("not when it was moved to later", func(t *testing.T) {
		moved, _ := domain.Events.Decide(givenEvent(planned), reschedule)
		got, err := domain.Events.Decide(givenEvent(planned, moved[0]), domain.MarkHeld{Attendance: "25", Now: duringIt})
		thenEvent(t, got, err, nil, domain.ECONFLICT, "")
	})
	for name, n := range map[string]domain.Number{"zero": "0", "negative": "-3", "too many": "10001", "no number": "dreißig", "empty": "", "fraction": "2.5"} {
		t.Run("attendance "+name, func(t *testing.T) {
			got, err := domain.Events.Decide(givenEvent(planned), domain.MarkHeld{Attendance: n, Now: duringIt})
			thenEvent(t, got, err, nil, domain.EINVALID, "attendance")
		})
	}
	t.Run("at most 10000", func(t *testing.T) {
		got, err := domain.Events.Decide(givenEvent(planned), domain.MarkHeld{Attendance: "10000", Now: duringIt})
		thenEvent(t, got, err, []domain.Data{domain.VeranstaltungHeld{Attendance: 10000}}, "", "")
	})
	t.Run("not when cancelled", func(t *testing.T) {
		got, err := domain.Events.Decide(givenEvent(planned, cancelled), domain.MarkHeld{Attendance: "25", Now: duringIt})
		thenEvent(t, got, err, nil, domain.ECONFLICT, "")
	})
	t.Run("not twice", func(t *testing.T) {
		got, err := domain.Events.Decide(givenEvent(planned, held), domain.MarkHeld{Attendance: "25", Now: duringIt})
		thenEvent(t, got, err, nil, domain.ECONFLICT, "")
	})
	t.Run("attendance as a JSON number or string", func(t *testing.T) {
		for _, body := range []string{`{"attendance":30}`, `{"attendance":"30"}`} {
			var c domain.MarkHeld
			if err := json.Unmarshal([]byte(body), &c); err != nil || c.Attendance != "30" {
				t.Fatalf("%s: %+v %v", body, c, err)
			}
		}
		var c domain.MarkHeld
		if err := json.Unmarshal([]byte(`{"attendance":true}`), &c); err == nil {
			t.Fatal("a boolean was taken as attendance")
		}
	})
}

func TestAddTalk(t *testing.T) {
	t.Run("a guest speaker needs no account", func(t *testing.T) {
		got, err := domain.Events.Decide(givenEvent(planned), domain.AddTalk{Speaker: " Dr. Lea Sommer ", Organisation: "Stadt Heilbronn", Topic: "OZG 2.0"})
		thenEvent(t, got, err, []domain.Data{talk}, "", "")
	})
	t.Run("also after it was held", func(t *testing.T) {
		got, err := domain.Events.Decide(givenEvent(planned, held), domain.AddTalk{Speaker: "Dr. Lea Sommer", Organisation: "Stadt Heilbronn", Topic: "OZG 2.0"})
		thenEvent(t, got, err, []domain.Data{talk}, "", "")
	})
	for name, c := range map[string]struct {
		cmd   domain.AddTalk
		field string
	}{
		"no speaker":       {domain.AddTalk{Topic: "OZG"}, "speaker"},
		"no topic":         {domain.AddTalk{Speaker: "Lea"}, "topic"},
		"topic too long":   {domain.AddTalk{Speaker: "Lea", Topic: strings.Repeat("x", domain.MaxTopicLength+1)}, "topic"},
		"speaker too long": {domain.AddTalk{Speaker: strings.Repeat("x", domain.MaxSpeakerLength+1), Topic: "OZG"}, "speaker"},
		"bad organisation": {domain.AddTalk{Speaker: "Lea", Organisation: "a\nb", Topic: "OZG"}, "organisation"},
	} {
		t.Run(name, func(t *testing.T) {
			got, err := domain.Events.Decide(givenEvent(planned), c.cmd)
			thenEvent(t, got, err, nil, domain.EINVALID, c.field)
		})
	}
	t.Run("at most 20 talks", func(t *testing.T) {
		history := []domain.Data{planned}
		for range domain.MaxTalks {
			history = append(history, talk)
		}
		got, err := domain.Events.Decide(givenEvent(history...), domain.AddTalk{Speaker: "Lea", Topic: "Noch einer"})
		thenEvent(t, got, err, nil, domain.ECONFLICT, "")
		got, err = domain.Events.Decide(givenEvent(history[:domain.MaxTalks]...), domain.AddTalk{Speaker: "Lea", Topic: "Der zwanzigste"})
		thenEvent(t, got, err, []domain.Data{domain.TalkAdded{Speaker: "Lea", Topic: "Der zwanzigste"}}, "", "")
	})
	t.Run("not when cancelled", func(t *testing.T) {
		got, err := domain.Events.Decide(givenEvent(planned, cancelled), domain.AddTalk{Speaker: "Lea", Topic: "OZG"})
		thenEvent(t, got, err, nil, domain.ECONFLICT, "")
	})
}
