package projections

import (
	"encoding/json"
	"strconv"

	"logbuch/domain"
)

// Ratings is the read model of the events' anonymous ratings: how many
// people rated each event (from the raters' RatingGiven) and the released
// values (from RatingsReleased, which carry no person). It keeps the
// counts whatever their number; whether they may be shown (the minimum
// number of ratings) is decided where they are shown.
type Ratings struct {
	byEvent map[string]*eventRatings
	years   map[string]int // event → year of its start, for the roadmap's view
}

type eventRatings struct {
	Raters map[string]bool       `json:"raters"` // rater aggregate ids (domain.RaterID)
	Counts [domain.MaxRating]int `json:"counts"` // released values: Counts[v-1]
}

// RatingSummary is what is known of one event's ratings.
type RatingSummary struct {
	Event        string                `json:"event"`
	Participants int                   `json:"participants"` // people who rated
	Counts       [domain.MaxRating]int `json:"counts"`       // released values per value 1…5
}

// Released is the number of values in the log (the rest wait in the pool).
func (s RatingSummary) Released() int {
	n := 0
	for _, c := range s.Counts {
		n += c
	}
	return n
}

// Average of the released values (0 without any).
func (s RatingSummary) Average() float64 {
	n, sum := 0, 0
	for i, c := range s.Counts {
		n += c
		sum += c * (i + 1)
	}
	if n == 0 {
		return 0
	}
	return float64(sum) / float64(n)
}

// View names of ratings: one per event (on its page), the overview of all
// held events (events list) and of one year (roadmap).
const RatingsViewName = "bewertungen"

// RatingViewName is the live view of one event's ratings.
func RatingViewName(event string) string { return "veranstaltung/" + event + "/bewertung" }

// RatingsYearViewName is the live overview of one year's ratings.
func RatingsYearViewName(year int) string { return RatingsViewName + "/" + strconv.Itoa(year) }

// NewRatings returns an empty ratings model.
func NewRatings() *Ratings {
	return &Ratings{byEvent: map[string]*eventRatings{}, years: map[string]int{}}
}

func (m *Ratings) of(event string) *eventRatings {
	e := m.byEvent[event]
	if e == nil {
		e = &eventRatings{Raters: map[string]bool{}}
		m.byEvent[event] = e
	}
	return e
}

func (m *Ratings) views(event string, more ...string) []string {
	v := append(more, RatingViewName(event), RatingsViewName)
	if y, ok := m.years[event]; ok {
		v = append(v, RatingsYearViewName(y))
	}
	return v
}

// Apply implements ReadModel.
func (m *Ratings) Apply(rec domain.Recorded) []string {
	if id, ok := aggregateOf(rec.Subject, domain.Events.Kind); ok {
		// An event planned, moved, held or cancelled changes the overviews
		// (only held events are rated), in the year before and after.
		var changed []string
		for _, e := range rec.Events {
			var old []string
			if y, ok := m.years[id]; ok {
				old = append(old, RatingsYearViewName(y))
			}
			switch d := e.Data.(type) {
			case domain.VeranstaltungPlanned:
				m.years[id] = d.Start.In(domain.Berlin).Year()
			case domain.VeranstaltungRescheduled:
				m.years[id] = d.Start.In(domain.Berlin).Year()
			}
			changed = append(changed, m.views(id, old...)...)
		}
		return changed
	}
	if rater, ok := aggregateOf(rec.Subject, domain.Ratings.Kind); ok {
		var changed []string
		for _, e := range rec.Events {
			if d, ok := e.Data.(domain.RatingGiven); ok {
				m.of(d.Event).Raters[rater] = true
				changed = append(changed, m.views(d.Event)...)
			}
		}
		return changed
	}
	if event, ok := aggregateOf(rec.Subject, domain.RatingResults.Kind); ok {
		var changed []string
		for _, e := range rec.Events {
			if d, ok := e.Data.(domain.RatingsReleased); ok {
				r := m.of(event)
				for _, v := range d.Values {
					if v >= domain.MinRating && v <= domain.MaxRating {
						r.Counts[v-1]++
					}
				}
				changed = append(changed, m.views(event)...)
			}
		}
		return changed
	}
	return nil
}

func (m *Ratings) summary(event string) RatingSummary {
	s := RatingSummary{Event: event}
	if e := m.byEvent[event]; e != nil {
		s.Participants, s.Counts = len(e.Raters), e.Counts
	}
	return s
}

type ratingsJSON struct {
	Events map[string]*eventRatings `json:"events"`
	Years  map[string]int           `json:"years"`
}

// MarshalJSON writes the model into a snapshot.
func (m *Ratings) MarshalJSON() ([]byte, error) {
	return json.Marshal(ratingsJSON{Events: m.byEvent, Years: m.years})
}

// UnmarshalJSON reads the model from a snapshot.
func (m *Ratings) UnmarshalJSON(b []byte) error {
	var j ratingsJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*m = *NewRatings()
	for id, e := range j.Events {
		if e.Raters == nil {
			e.Raters = map[string]bool{}
		}
		m.byEvent[id] = e
	}
	for id, y := range j.Years {
		m.years[id] = y
	}
	return nil
}

// Rating returns what is known of one event's ratings.
func (r *Runner) Rating(event string) (RatingSummary, uint64) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.ratings.summary(event), r.applied
}

// RatingsOf returns the ratings of several events, by event id.
func (r *Runner) RatingsOf(events []string) (map[string]RatingSummary, uint64) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make(map[string]RatingSummary, len(events))
	for _, id := range events {
		out[id] = r.ratings.summary(id)
	}
	return out, r.applied
}

// HasRated reports whether the rater (domain.RaterID) rated the event.
func (r *Runner) HasRated(event, rater string) bool {
	r.mu.RLock()
	defer r.mu.RUnlock()
	e := r.ratings.byEvent[event]
	return e != nil && e.Raters[rater]
}
