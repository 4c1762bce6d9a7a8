package projections_test

import (
	"testing"
	"time"

	"logbuch/domain"
)

// The report's people add up to the figures, by Amt, with joins and
// departures of the year and their dates; an erased person is counted but
// never named; the Lenkungsgruppe is not counted as Lotsen.
func TestReportPeopleAddUpToTheFigures(t *testing.T) {
	l := openLog(t, t.TempDir())
	r, _ := startRunner(t, l)
	h := domain.NewHandler(l, r, "konstanz")
	at := func(month, day int) domain.Meta {
		return domain.Meta{At: time.Date(2023, time.Month(month), day, 10, 0, 0, 0, domain.Berlin)}
	}
	join := func(name, amt string, role domain.Role, m domain.Meta) string {
		id := newID()
		m.NewAggregate = true
		run(t, h, r, domain.Roster, id, m, domain.JoinLotse{Name: name, Amt: amt, City: "Konstanz", Role: role})
		return id
	}
	ada := join("Ada Archiv", "Archiv", domain.RoleLotse, at(1, 10))
	bea := join("Bea Bürgeramt", "Bürgeramt", domain.RoleLotse, at(2, 1))
	cem := join("Cem Kulturamt", "Kulturamt", domain.RoleLotse, at(3, 1))
	join("Lena Lenkung", "Hauptamt", domain.RoleLenkungsgruppe, at(1, 10))
	run(t, h, r, domain.Roster, bea, at(6, 30), domain.LeaveRoster{Reason: "Elternzeit"})
	run(t, h, r, domain.Roster, bea, at(9, 1), domain.RejoinRoster{Amt: "Kämmerei"})
	run(t, h, r, domain.Roster, cem, at(11, 1), domain.LeaveRoster{})
	run(t, h, r, domain.Roster, ada, domain.Meta{At: time.Date(2024, 2, 1, 10, 0, 0, 0, domain.Berlin)}, domain.EraseLotse{Confirm: "ja"})

	end := time.Date(2023, 12, 31, 23, 59, 59, 0, domain.Berlin)
	got := r.ReportPeople(2023, end)
	f, _ := r.Figures(2023, end)
	active := 0
	for _, g := range got.ByAmt {
		active += len(g.People)
	}
	if active != f.ActiveLotsen || len(got.Joined) != f.Joined || len(got.Left) != f.Left {
		t.Fatalf("people %d/%d/%d, figures %d/%d/%d", active, len(got.Joined), len(got.Left), f.ActiveLotsen, f.Joined, f.Left)
	}
	if len(got.ByAmt) != 2 || got.ByAmt[0].Amt != "Archiv" || got.ByAmt[1].Amt != "Kämmerei" || got.ByAmt[1].People[0].Name != "Bea Bürgeramt" {
		t.Fatalf("by Amt at the end of the year: %+v", got.ByAmt)
	}
	if got.ByAmt[0].People[0].Name != "" {
		t.Fatalf("an erased person is named: %+v", got.ByAmt[0].People[0])
	}
	if len(got.Joined) != 4 || !got.Joined[3].Rejoin || got.Joined[3].Amt != "Kämmerei" {
		t.Fatalf("joins: %+v", got.Joined)
	}
	if len(got.Left) != 2 || got.Left[0].Amt != "Bürgeramt" || got.Left[1].Name != "Cem Kulturamt" || !got.Left[1].At.Equal(at(11, 1).At) {
		t.Fatalf("departures: %+v", got.Left)
	}
	// As of 1 October: Cem is still active, Bea back in the Kämmerei.
	oct := r.ReportPeople(2023, time.Date(2023, 10, 1, 0, 0, 0, 0, domain.Berlin))
	if len(oct.ByAmt) != 3 || len(oct.Left) != 1 {
		t.Fatalf("as of 1 October: %+v", oct)
	}
}
