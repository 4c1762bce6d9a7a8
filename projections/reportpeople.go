package projections

import (
	"slices"
	"strings"
	"time"

	"logbuch/domain"
)

// The people of the annual report: who was an active Lotse at a moment, by
// Amt, and who joined and who left in the year. The same membership
// timeline and the same rules as the figures (FigActiveLotsen, FigJoined,
// FigLeft), so the names always add up to the figures; the names come from
// the roster, and an erased person is never named.

// LotseAt is one person of the report.
type LotseAt struct {
	ID     string
	Name   string // empty when the person's data was erased
	Amt    string
	At     time.Time // for joins and departures: when
	Rejoin bool      // the join was a rejoin
}

// ReportPeople are the Lotsen of a year as of a moment.
type ReportPeople struct {
	ByAmt  []AmtGroupAt // Ämter with active Lotsen, in the order of domain.Aemter
	Joined []LotseAt    // by date
	Left   []LotseAt    // by date
}

// AmtGroupAt is the active Lotsen of one Amt.
type AmtGroupAt struct {
	Amt    string
	People []LotseAt // named first, by name
}

// ReportPeople returns the Lotsen of year as of asOf.
func (r *Runner) ReportPeople(year int, asOf time.Time) ReportPeople {
	r.mu.RLock()
	defer r.mu.RUnlock()
	name := func(id string) string {
		p := r.roster.people[id]
		if p == nil || p.Erased {
			return ""
		}
		return p.Name
	}
	var out ReportPeople
	byAmt := map[string][]LotseAt{}
	for id, m := range r.activity.People {
		if st := m.At(asOf); st.Active && st.Role == domain.RoleLotse {
			byAmt[st.Amt] = append(byAmt[st.Amt], LotseAt{ID: id, Name: name(id), Amt: st.Amt})
		}
		for i, c := range m.Changes {
			if c.At.After(asOf) || !inYear(c.At, year) || c.Role != domain.RoleLotse {
				continue
			}
			l := LotseAt{ID: id, Name: name(id), Amt: c.Amt, At: c.At, Rejoin: c.Join && i > 0}
			if c.Join {
				out.Joined = append(out.Joined, l)
			}
			if c.Leave { // a departure keeps the Amt left
				out.Left = append(out.Left, l)
			}
		}
	}
	for _, amt := range domain.Aemter {
		people := byAmt[amt]
		if len(people) == 0 {
			continue
		}
		slices.SortFunc(people, func(a, b LotseAt) int {
			if (a.Name == "") != (b.Name == "") {
				if a.Name == "" {
					return 1
				}
				return -1
			}
			if c := strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)); c != 0 {
				return c
			}
			return strings.Compare(a.ID, b.ID)
		})
		out.ByAmt = append(out.ByAmt, AmtGroupAt{Amt: amt, People: people})
	}
	byDate := func(a, b LotseAt) int {
		if c := a.At.Compare(b.At); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	}
	slices.SortFunc(out.Joined, byDate)
	slices.SortFunc(out.Left, byDate)
	return out
}
