package projections

import (
	"slices"
	"time"

	"logbuch/domain"
)

// Events is the read model of the year's events and their walls.
type Events struct {
	byID   map[string]*EventInfo
	byCode map[string]string // guest code → event id
	walls  map[string][]WallPostView
	posts  map[string]string            // post id → event id (posts on a wall)
	picks  map[string]map[string]string // event → actor → workshop group
}

// EventInfo is one event as pages show it.
type EventInfo struct {
	ID        string    `json:"id"`
	Title     string    `json:"title"`
	Format    string    `json:"format"`
	Place     string    `json:"place"`
	HostCity  string    `json:"host_city"`
	GuestCode string    `json:"guest_code"`
	Start     time.Time `json:"start"`
	End       time.Time `json:"end"`
	// Status is geplant, durchgefuehrt or abgesagt (domain.Status…).
	Status       string `json:"status"`
	Attendance   int    `json:"attendance,omitempty"`    // when held
	CancelReason string `json:"cancel_reason,omitempty"` // when cancelled
	Talks        []Talk `json:"talks,omitempty"`
	// Sequence counts the changes of time or place (iCalendar SEQUENCE).
	Sequence int `json:"sequence"`
	// Changed is when the event last changed (iCalendar DTSTAMP).
	Changed time.Time `json:"changed"`
	// Groups are the parallel workshop groups, in the order added.
	Groups []WorkshopGroup `json:"groups,omitempty"`
}

// WorkshopGroup is one group of an event.
type WorkshopGroup struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// Talk is one talk of an event.
type Talk struct {
	Speaker      string `json:"speaker"`
	Organisation string `json:"organisation,omitempty"`
	Topic        string `json:"topic"`
}

// Held and Cancelled say what became of the event.
func (e EventInfo) Held() bool      { return e.Status == domain.StatusHeld }
func (e EventInfo) Cancelled() bool { return e.Status == domain.StatusCancelled }

// Over reports whether the event has ended at now.
func (e EventInfo) Over(now time.Time) bool { return !now.Before(e.End) }

// WallPostView is one post on a wall.
type WallPostView struct {
	ID        string    `json:"id"`
	Seq       uint64    `json:"seq"`
	At        time.Time `json:"at"`
	Actor     string    `json:"actor"`      // person id or guest:<id>
	GuestName string    `json:"guest_name"` // for guests
	Text      string    `json:"text"`
	Group     string    `json:"group,omitempty"`
	Photo     string    `json:"photo,omitempty"` // object name in the upload store
	Edited    bool      `json:"edited,omitempty"`
	Hidden    bool      `json:"hidden,omitempty"`
	PlusOnes  []string  `json:"plus_ones,omitempty"` // actors, in order given
}

// View names of events.
const EventsViewName = "veranstaltungen"

// WallViewName is the live view of one event's wall.
func WallViewName(event string) string { return "veranstaltung/" + event + "/wand" }

// NewEvents returns an empty events model.
func NewEvents() *Events {
	return &Events{byID: map[string]*EventInfo{}, byCode: map[string]string{}, walls: map[string][]WallPostView{}, posts: map[string]string{}, picks: map[string]map[string]string{}}
}

// Apply implements ReadModel.
func (m *Events) Apply(rec domain.Recorded) []string {
	if id, ok := aggregateOf(rec.Subject, domain.Events.Kind); ok {
		var changed []string
		for _, e := range rec.Events {
			if d, ok := e.Data.(domain.VeranstaltungPlanned); ok {
				m.byID[id] = &EventInfo{ID: id, Title: d.Title, Format: d.Format, Place: d.Place, HostCity: d.HostCity, GuestCode: d.GuestCode, Start: d.Start, End: d.End, Status: domain.StatusPlanned, Changed: e.At}
				m.byCode[d.GuestCode] = id
				changed = append(changed, EventsViewName)
				changed = append(changed, WallViewNames(id)...)
				continue
			}
			ev, ok := m.byID[id]
			if !ok {
				continue
			}
			switch d := e.Data.(type) {
			case domain.VeranstaltungRescheduled:
				ev.Start, ev.End, ev.Place = d.Start, d.End, d.Place
				ev.Sequence++
			case domain.VeranstaltungCancelled:
				ev.Status, ev.CancelReason = domain.StatusCancelled, d.Reason
			case domain.VeranstaltungHeld:
				ev.Status, ev.Attendance = domain.StatusHeld, d.Attendance
			case domain.TalkAdded:
				ev.Talks = append(slices.Clip(ev.Talks), Talk{Speaker: d.Speaker, Organisation: d.Organisation, Topic: d.Topic})
			case domain.WorkshopGroupAdded:
				ev.Groups = append(slices.Clip(ev.Groups), WorkshopGroup{ID: d.ID, Name: d.Name})
			default:
				continue
			}
			ev.Changed = e.At
			changed = append(changed, EventsViewName)
			changed = append(changed, WallViewNames(id)...)
		}
		return changed
	}
	if person, ok := aggregateOf(rec.Subject, domain.Roster.Kind); ok {
		// Walls name staff authors from the roster: an erasure changes them.
		var changed []string
		for _, e := range rec.Events {
			if _, erased := e.Data.(domain.LotseErased); !erased {
				continue
			}
			for event, posts := range m.walls {
				for _, p := range posts {
					if p.Actor == person {
						changed = append(changed, WallViewNames(event)...)
						break
					}
				}
			}
		}
		return changed
	}
	if id, ok := aggregateOf(rec.Subject, domain.Wall.Kind); ok {
		var changed []string
		for _, e := range rec.Events {
			if event, ok := m.applyPost(id, rec.Seq, e); ok {
				changed = append(changed, WallViewNames(event)...)
			}
		}
		return changed
	}
	if _, ok := aggregateOf(rec.Subject, domain.Participations.Kind); ok {
		var changed []string
		for _, e := range rec.Events {
			if d, ok := e.Data.(domain.WorkshopGroupChosen); ok {
				if m.picks[d.Event] == nil {
					m.picks[d.Event] = map[string]string{}
				}
				m.picks[d.Event][e.Actor] = d.Group
				changed = append(changed, WallViewNames(d.Event)...)
			}
		}
		return changed
	}
	return nil
}

// Events lists every event, by start.
func (r *Runner) Events() ([]EventInfo, uint64) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make([]EventInfo, 0, len(r.events.byID))
	for _, e := range r.events.byID {
		out = append(out, e.clone())
	}
	slices.SortFunc(out, func(a, b EventInfo) int { return a.Start.Compare(b.Start) })
	return out, r.applied
}

// Event returns one event and its wall.
func (r *Runner) Event(id string) (EventInfo, []WallPostView, uint64, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	e, ok := r.events.byID[id]
	if !ok {
		return EventInfo{}, nil, r.applied, false
	}
	return e.clone(), slices.Clone(r.events.walls[id]), r.applied, true
}

// EventByCode finds the event a guest code opens.
func (r *Runner) EventByCode(code string) (EventInfo, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	id, ok := r.events.byCode[code]
	if !ok {
		return EventInfo{}, false
	}
	return r.events.byID[id].clone(), true
}

// clone copies an event so that readers never share its talks.
func (e *EventInfo) clone() EventInfo {
	c := *e
	c.Talks = slices.Clone(e.Talks)
	c.Groups = slices.Clone(e.Groups)
	return c
}
