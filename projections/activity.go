package projections

import (
	"encoding/json"
	"slices"
	"strings"
	"time"

	"logbuch/domain"
)

// Activity is the read model behind the Lenkungsgruppe's dashboard and the
// annual report's figures: a compact timeline of the facts the key figures
// count. Every figure is computed from it for a year and a moment (see
// figures.go), so the dashboard, its CSV files and the report agree, and
// "Stand am …" needs no second pass over the log: a fact counts when it was
// recorded at or before the moment.
type Activity struct {
	People map[string]*Membership `json:"people"`
	Events map[string]*EventTrack `json:"events"`
	Boards map[string]*BoardTrack `json:"boards"`
	Topics map[string]*TopicTrack `json:"topics"`
	Posts  map[string]string      `json:"posts"` // wall post → its event
	// Rated holds the released batches of anonymous ratings per event: the
	// values and the (hour-coarse) time of their release, never a person.
	Rated   map[string][]RatingBatch `json:"rated"`
	Actions []Action                 `json:"actions"` // in log order
	// YearsSeen are the years with an action or an event, kept as they
	// come so that the dashboard's year choice does not scan the actions.
	YearsSeen map[int]bool `json:"years_seen"`
}

// RatingBatch is one released batch of an event's ratings.
type RatingBatch struct {
	At     time.Time             `json:"at"`
	Counts [domain.MaxRating]int `json:"counts"`
}

// BoardTrack is what the figures need of a KNowHow board.
type BoardTrack struct {
	Title string `json:"title"`
	Year  int    `json:"year"`
}

// TopicTrack is one topic's way through the stages.
type TopicTrack struct {
	Board   string        `json:"board"`
	Title   string        `json:"title"`
	Changes []TopicChange `json:"changes"`
}

// TopicChange is the topic's lane from At on.
type TopicChange struct {
	At       time.Time    `json:"at"`
	Stage    domain.Stage `json:"stage"`
	Archived bool         `json:"archived,omitempty"`
}

// Membership is one person's history on the roster: never names, only
// what the figures count.
type Membership struct {
	Changes []MembershipChange `json:"changes"`
}

// MembershipChange is the person's state from At on.
type MembershipChange struct {
	At     time.Time   `json:"at"`
	Active bool        `json:"active"`
	Amt    string      `json:"amt"`
	Role   domain.Role `json:"role"`
	Join   bool        `json:"join,omitempty"`  // this change is a join or rejoin
	Leave  bool        `json:"leave,omitempty"` // this change is a departure
}

// EventTrack is one event's history.
type EventTrack struct {
	Title   string        `json:"title"`
	Format  string        `json:"format"`
	Changes []EventChange `json:"changes"`
}

// EventChange is the event's state from At on.
type EventChange struct {
	At         time.Time `json:"at"`
	Start      time.Time `json:"start"`
	Status     string    `json:"status"`
	Attendance int       `json:"attendance,omitempty"`
}

// Action is one recorded action, as the activity feed tells it: who in
// which role and Amt did what to which object. Names are never kept; the
// feed speaks of roles and Ämter.
type Action struct {
	Seq    uint64      `json:"seq"`
	At     time.Time   `json:"at"`
	Kind   string      `json:"kind"` // the event type
	Actor  string      `json:"actor"`
	Role   domain.Role `json:"role,omitempty"` // the actor's role then
	Amt    string      `json:"amt,omitempty"`  // the actor's Amt then
	Object string      `json:"object,omitempty"`
	Detail string      `json:"detail,omitempty"` // e.g. the stage a topic moved to
}

// The live views of the dashboard.
const DashboardViewName = "dashboard"

// NewActivity returns an empty activity model.
func NewActivity() *Activity {
	return &Activity{People: map[string]*Membership{}, Events: map[string]*EventTrack{}, Boards: map[string]*BoardTrack{}, Topics: map[string]*TopicTrack{}, Posts: map[string]string{}, Rated: map[string][]RatingBatch{}, YearsSeen: map[int]bool{}}
}

// Apply implements ReadModel.
func (a *Activity) Apply(rec domain.Recorded) []string {
	var changed []string
	for _, e := range rec.Events {
		if a.applyRoster(rec.Subject, e) {
			changed = append(changed, DashboardView(e.At.In(domain.Berlin).Year()))
		}
		if year, ok := a.applyKnowHow(rec.Subject, e); ok {
			changed = append(changed, DashboardView(year))
		}
		if start, ok := a.applyEvent(rec.Subject, e); ok {
			a.YearsSeen[start.In(domain.Berlin).Year()] = true
			changed = append(changed, DashboardView(e.At.In(domain.Berlin).Year()), DashboardView(start.In(domain.Berlin).Year()))
		}
		if d, ok := e.Data.(domain.RatingsReleased); ok {
			if event, ok := aggregateOf(rec.Subject, domain.RatingResults.Kind); ok {
				var b RatingBatch
				b.At = e.At
				for _, v := range d.Values {
					if v >= 1 && v <= domain.MaxRating {
						b.Counts[v-1]++
					}
				}
				a.Rated[event] = append(a.Rated[event], b)
				if t := a.Events[event]; t != nil && len(t.Changes) > 0 {
					changed = append(changed, DashboardView(t.Changes[len(t.Changes)-1].Start.In(domain.Berlin).Year()))
				}
			}
		}
		if anonymous(e) {
			continue
		}
		act := Action{Seq: rec.Seq, At: e.At, Kind: e.Type, Actor: e.Actor, Object: a.objectOf(rec.Subject)}
		if m := a.People[e.Actor]; m != nil {
			st := m.At(e.At)
			act.Role, act.Amt = st.Role, st.Amt
		} else if strings.HasPrefix(e.Actor, "guest:") {
			act.Role = domain.RoleGuest
		}
		switch d := e.Data.(type) {
		case domain.WallPostAdded:
			if post, ok := aggregateOf(rec.Subject, domain.Wall.Kind); ok {
				a.Posts[post] = d.Event
			}
			act.Object = a.eventTitle(d.Event)
		case domain.WorkshopGroupChosen:
			act.Object = a.eventTitle(d.Event)
		case domain.RatingGiven:
			if t := a.Events[d.Event]; t != nil {
				act.Object = t.Title
			}
		case domain.PreferenceSet:
			act.Object = a.topicTitle(d.Topic)
		case domain.NeedSet:
			act.Object = a.topicTitle(d.Topic)
		case domain.TopicMoved:
			act.Detail = string(d.To)
		}
		a.Actions = append(a.Actions, act)
		a.YearsSeen[e.At.In(domain.Berlin).Year()] = true
		changed = append(changed, DashboardView(e.At.In(domain.Berlin).Year()))
	}
	return changed
}

// anonymous events are never attributed or told in the feed: released
// rating values (and survey answers) stand for nobody.
func anonymous(e domain.Event) bool {
	if e.Actor == "" {
		return true
	}
	switch e.Data.(type) {
	case domain.RatingsReleased, domain.SurveyAnswersReleased:
		return true
	}
	return false
}

func (a *Activity) applyRoster(subject string, e domain.Event) bool {
	id, ok := aggregateOf(subject, domain.Roster.Kind)
	if !ok {
		return false
	}
	m := a.People[id]
	if m == nil {
		m = &Membership{}
		a.People[id] = m
	}
	next := m.last()
	next.At, next.Join, next.Leave = e.At, false, false
	switch d := e.Data.(type) {
	case domain.LotseJoined:
		next.Active, next.Amt, next.Role, next.Join = true, d.Amt, d.Role, true
	case domain.LotseRejoined:
		next.Active, next.Amt, next.Join = true, d.Amt, true
	case domain.LotseLeft:
		next.Active, next.Leave = false, true
	case domain.LotseAmtChanged:
		next.Amt = d.To
	case domain.LotseRoleChanged:
		next.Role = d.To
	case domain.LotseErased:
		// Erased people were members until then; their departure (if they
		// were still active) happens with the erasure.
		if next.Active {
			next.Active, next.Leave = false, true
		}
	default:
		return false
	}
	m.Changes = append(m.Changes, next)
	return true
}

// applyEvent folds an event's change; it returns the event's start.
func (a *Activity) applyEvent(subject string, e domain.Event) (time.Time, bool) {
	id, ok := aggregateOf(subject, domain.Events.Kind)
	if !ok {
		return time.Time{}, false
	}
	t := a.Events[id]
	if d, ok := e.Data.(domain.VeranstaltungPlanned); ok {
		a.Events[id] = &EventTrack{Title: d.Title, Format: d.Format, Changes: []EventChange{{At: e.At, Start: d.Start, Status: domain.StatusPlanned}}}
		return d.Start, true
	}
	if t == nil {
		return time.Time{}, false
	}
	next := t.Changes[len(t.Changes)-1]
	next.At = e.At
	switch d := e.Data.(type) {
	case domain.VeranstaltungRescheduled:
		next.Start = d.Start
	case domain.VeranstaltungCancelled:
		next.Status = domain.StatusCancelled
	case domain.VeranstaltungHeld:
		next.Status, next.Attendance = domain.StatusHeld, d.Attendance
	default:
		return time.Time{}, false
	}
	t.Changes = append(t.Changes, next)
	return next.Start, true
}

// objectOf names what an action was about, for the feed: the title of an
// event (or of the event whose wall it is).
func (a *Activity) objectOf(subject string) string {
	if id, ok := aggregateOf(subject, domain.Events.Kind); ok {
		if t := a.Events[id]; t != nil {
			return t.Title
		}
	}
	if id, ok := aggregateOf(subject, domain.Topics.Kind); ok {
		return a.topicTitle(id)
	}
	if id, ok := aggregateOf(subject, domain.Wall.Kind); ok {
		return a.eventTitle(a.Posts[id])
	}
	if id, ok := aggregateOf(subject, domain.Boards.Kind); ok {
		if b := a.Boards[id]; b != nil {
			return b.Title
		}
	}
	return ""
}

func (a *Activity) eventTitle(id string) string {
	if t := a.Events[id]; t != nil {
		return t.Title
	}
	return ""
}

func (a *Activity) topicTitle(id string) string {
	if t := a.Topics[id]; t != nil {
		return t.Title
	}
	return ""
}

// applyKnowHow folds boards and topics; it returns the board's year.
func (a *Activity) applyKnowHow(subject string, e domain.Event) (int, bool) {
	if id, ok := aggregateOf(subject, domain.Boards.Kind); ok {
		if d, ok := e.Data.(domain.BoardCreated); ok {
			a.Boards[id] = &BoardTrack{Title: d.Title, Year: d.Year}
			return d.Year, true
		}
		return 0, false
	}
	id, ok := aggregateOf(subject, domain.Topics.Kind)
	if !ok {
		return 0, false
	}
	if d, ok := e.Data.(domain.TopicProposed); ok {
		a.Topics[id] = &TopicTrack{Board: d.Board, Title: d.Title, Changes: []TopicChange{{At: e.At, Stage: domain.StageProposed}}}
		return a.boardYear(d.Board, e.At), true
	}
	t := a.Topics[id]
	if t == nil {
		return 0, false
	}
	next := t.Changes[len(t.Changes)-1]
	next.At = e.At
	switch d := e.Data.(type) {
	case domain.TopicFieldEdited:
		if d.Field == "title" {
			t.Title = d.Text
		}
		return 0, false
	case domain.TopicMoved:
		next.Stage = d.To
	case domain.TopicArchived:
		next.Archived = true
	case domain.TopicRestored:
		next.Archived = false
	default:
		return 0, false
	}
	t.Changes = append(t.Changes, next)
	return a.boardYear(t.Board, e.At), true
}

func (a *Activity) boardYear(board string, at time.Time) int {
	if b := a.Boards[board]; b != nil && b.Year != 0 {
		return b.Year
	}
	return at.In(domain.Berlin).Year()
}

// At is the topic's lane at t; ok is false before it was proposed.
func (t *TopicTrack) At(at time.Time) (TopicChange, bool) {
	return stateAt(t.Changes, at, func(c TopicChange) time.Time { return c.At })
}

// stateAt is the last of changes (in time order) made at or before at;
// ok is false before the first.
func stateAt[C any](changes []C, at time.Time, when func(C) time.Time) (C, bool) {
	i, _ := slices.BinarySearchFunc(changes, at, func(c C, at time.Time) int {
		if when(c).After(at) {
			return 1
		}
		return -1
	})
	if i == 0 {
		var zero C
		return zero, false
	}
	return changes[i-1], true
}

func (m *Membership) last() MembershipChange {
	if len(m.Changes) == 0 {
		return MembershipChange{}
	}
	return m.Changes[len(m.Changes)-1]
}

// At is the person's state at t (the zero value before they joined).
func (m *Membership) At(t time.Time) MembershipChange {
	st, _ := stateAt(m.Changes, t, func(c MembershipChange) time.Time { return c.At })
	return st
}

// At is the event's state at t; ok is false before it was planned.
func (t *EventTrack) At(at time.Time) (EventChange, bool) {
	return stateAt(t.Changes, at, func(c EventChange) time.Time { return c.At })
}

// snapshot support: the model holds no personal data (ids, Ämter, roles,
// titles), so it is saved as it is.
func (a *Activity) snapshotKey() string { return "activity" }

func (a *Activity) marshalSnapshot() (json.RawMessage, error) { return json.Marshal(a) }

func (a *Activity) restoreSnapshot(data json.RawMessage) (snapshotModel, error) {
	fresh := NewActivity()
	if err := json.Unmarshal(data, fresh); err != nil {
		return nil, err
	}
	if fresh.People == nil || fresh.Events == nil || fresh.Boards == nil || fresh.Topics == nil || fresh.Posts == nil || fresh.Rated == nil || fresh.YearsSeen == nil {
		return nil, ErrSnapshotInvalid
	}
	return fresh, nil
}
