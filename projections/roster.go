package projections

import (
	"slices"
	"strings"
	"time"

	"logbuch/domain"
)

// Roster is the read model of the Lotsen: who is active in which Amt, who
// left, and which Ämter have nobody.
type Roster struct {
	people  map[string]*Person
	byEmail map[string]string // e-mail → person id, for login
}

// Person is one entry of the roster with its history.
type Person struct {
	ID       string
	Name     string
	Email    string
	Erased   bool
	Amt      string
	City     string
	Role     domain.Role
	Active   bool
	JoinedAt time.Time // the latest join or rejoin
	LeftAt   time.Time // the latest departure, if not active
	History  []Step
}

// Step is one change of a person, for the history on their page.
type Step struct {
	Seq uint64
	domain.Event
}

// AmtGroup lists the active Lotsen of one Amt.
type AmtGroup struct {
	Amt    string
	People []Person
}

// RosterView is an immutable copy of the roster for a page, taken at Seq.
type RosterView struct {
	Seq           uint64
	ByAmt         []AmtGroup // Ämter with at least one active person, in the order of domain.Aemter
	Former        []Person   // sorted by departure, newest first
	AemterWithout []string   // Ämter of domain.Aemter without an active person
	Active        int
	ActiveByCity  map[string]int
	ActiveByRole  map[domain.Role]int
}

// NewRoster returns an empty roster.
func NewRoster() *Roster { return &Roster{people: map[string]*Person{}, byEmail: map[string]string{}} }

// RosterView is the name of the live view of the whole roster.
const RosterViewName = "roster"

// PersonViewName is the live view of one person's page.
func PersonViewName(id string) string { return "lotse/" + id }

// Apply implements ReadModel.
func (r *Roster) Apply(rec domain.Recorded) []string {
	id, ok := aggregateOf(rec.Subject, domain.Roster.Kind)
	if !ok {
		return nil
	}
	p := r.people[id]
	for _, e := range rec.Events {
		switch d := e.Data.(type) {
		case domain.LotseJoined:
			p = &Person{ID: id, Name: d.Name, Email: d.Email, Amt: d.Amt, City: d.City, Role: d.Role, Active: true, JoinedAt: e.At}
			r.people[id] = p
			r.setEmail(p, d.Email)
		case domain.LotseEmailChanged:
			r.setEmail(p, d.Email)
		case domain.LotseErased:
			r.setEmail(p, "")
			p.Name, p.Erased, p.Active = domain.ErasedName, true, false
			if p.LeftAt.IsZero() {
				p.LeftAt = e.At
			}
			// Earlier steps may carry the name: keep what happened, not who.
			for i, st := range p.History {
				if pd, ok := st.Data.(domain.Personal); ok {
					p.History[i].Data = pd.MapPersonal(func(f, _ string) string { return domain.Erased(f) })
				}
			}
		case domain.LotseAmtChanged:
			p.Amt = d.To
		case domain.LotseRoleChanged:
			p.Role = d.To
		case domain.LotseLeft:
			p.Active, p.LeftAt = false, e.At
		case domain.LotseRejoined:
			p.Active, p.Amt, p.JoinedAt, p.LeftAt = true, d.Amt, e.At, time.Time{}
		default:
			continue
		}
		p.History = append(p.History, Step{Seq: rec.Seq, Event: e})
	}
	if p == nil {
		return nil
	}
	return []string{RosterViewName, PersonViewName(id)}
}

func (r *Roster) setEmail(p *Person, email string) {
	if p.Email != "" && r.byEmail[p.Email] == p.ID {
		delete(r.byEmail, p.Email)
	}
	p.Email = email
	if email != "" {
		r.byEmail[email] = p.ID
	}
}

// PersonByEmail finds the person who logs in with an address.
func (r *Runner) PersonByEmail(email string) (Person, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	id, ok := r.roster.byEmail[strings.ToLower(strings.TrimSpace(email))]
	if !ok {
		return Person{}, false
	}
	return r.roster.Person(id)
}

// aggregateOf returns the id of subject lb.<tenant>.<kind>.<id>.
func aggregateOf(subject, kind string) (string, bool) {
	parts := strings.Split(subject, ".")
	if len(parts) != 4 || parts[0] != "lb" || parts[2] != kind {
		return "", false
	}
	return parts[3], true
}

// View copies the roster for a page.
func (r *Roster) View(seq uint64) RosterView {
	v := RosterView{Seq: seq, ActiveByCity: map[string]int{}, ActiveByRole: map[domain.Role]int{}}
	byAmt := map[string][]Person{}
	for _, p := range r.people {
		cp := *p
		cp.History = nil
		if p.Active {
			byAmt[p.Amt] = append(byAmt[p.Amt], cp)
			v.Active++
			v.ActiveByCity[p.City]++
			v.ActiveByRole[p.Role]++
		} else {
			v.Former = append(v.Former, cp)
		}
	}
	for _, amt := range domain.Aemter {
		people := byAmt[amt]
		if len(people) == 0 {
			v.AemterWithout = append(v.AemterWithout, amt)
			continue
		}
		slices.SortFunc(people, byName)
		v.ByAmt = append(v.ByAmt, AmtGroup{Amt: amt, People: people})
	}
	slices.SortFunc(v.Former, func(a, b Person) int {
		if c := b.LeftAt.Compare(a.LeftAt); c != 0 {
			return c
		}
		return byName(a, b)
	})
	return v
}

func byName(a, b Person) int {
	if c := strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)); c != 0 {
		return c
	}
	return strings.Compare(a.ID, b.ID)
}

// Person returns a copy of one person with their history.
func (r *Roster) Person(id string) (Person, bool) {
	p, ok := r.people[id]
	if !ok {
		return Person{}, false
	}
	cp := *p
	cp.History = slices.Clone(p.History)
	return cp, true
}

// Roster returns the roster as of the last applied message.
func (r *Runner) Roster() RosterView {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.roster.View(r.applied)
}

// Person returns one person as of the last applied message.
func (r *Runner) Person(id string) (Person, uint64, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	p, ok := r.roster.Person(id)
	return p, r.applied, ok
}

// FoldRoster builds a roster from messages, e.g. those of an export: the
// reference a live read model must equal.
func FoldRoster(msgs []domain.Recorded) RosterView {
	r := NewRoster()
	var seq uint64
	for _, m := range msgs {
		r.Apply(m)
		seq = m.Seq
	}
	return r.View(seq)
}
