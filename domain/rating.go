package domain

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
)

// Ratings of events: after an event is held, each participant (a Lotse, an
// admin of the digital office, or a guest of that event) rates it once from
// 1 ("hat mir nicht gut gefallen") to 5 ("hat mir sehr gut gefallen").
// Anonymously: see anonymous.go. Two aggregates:
//
//   - a rater (kind "bewertung", one per event and person, RaterID): it
//     records RatingGiven, that the person rated, never what, and refuses
//     a second rating;
//   - the results of an event (kind "bewertungen", id = the event): the
//     released batches of values, RatingsReleased, without a person.

// Rating scale.
const (
	MinRating = 1
	MaxRating = 5
)

// RatingLabels name the ends of the scale, as the printed survey did
// (rating.scale.1, rating.scale.5 in the catalogues).
var RatingLabels = map[int]Msg{MinRating: M("rating.scale.1"), MaxRating: M("rating.scale.5")}

type (
	// RateVeranstaltung rates an event. Only Value comes from the request;
	// the rest is set by the server from the read models and the session.
	RateVeranstaltung struct {
		Value      Number `json:"value"`
		Event      string `json:"-"`
		Status     string `json:"-"` // the event's status (Status…)
		Role       Role   `json:"-"` // the rater's role
		GuestEvent string `json:"-"` // the event a guest joined
	}
	// RatingGiven: someone rated an event. The value is not here: it is
	// released later, in a shuffled batch without a person (anonymous.go).
	RatingGiven struct {
		Event string `json:"event"`
	}
	// ReleaseRatings writes a batch of values from the pool, already
	// shuffled. Only the server's pool sends it.
	ReleaseRatings struct {
		Values []int
	}
	// RatingsReleased: a batch of anonymous ratings of the event the
	// aggregate is named after. No person, no session; the envelope's time
	// is the hour of the release and its actor is SystemActor.
	RatingsReleased struct {
		Values []int `json:"values"`
	}
)

func (RatingGiven) EventType() string     { return "RatingGiven" }
func (RatingsReleased) EventType() string { return "RatingsReleased" }

func init() {
	register[RatingGiven](1)
	register[RatingsReleased](1)
}

// RaterID is the id of the rater aggregate of one person and one event: a
// hash, because two ids do not fit into one subject token.
func RaterID(event, actor string) string {
	sum := sha256.Sum256([]byte(event + "\x00" + actor))
	return hex.EncodeToString(sum[:16])
}

// ParseRating reads a rating from 1 to 5.
func ParseRating(n Number) (int, error) {
	v, err := strconv.Atoi(strings.TrimSpace(string(n)))
	if err != nil || v < MinRating || v > MaxRating {
		return 0, FieldError("value", "err.rating.out_of_range", MinRating, MaxRating)
	}
	return v, nil
}

// Rater is the state of one person's rating of one event.
type Rater struct{ Rated bool }

// Ratings is the decider of one rater.
var Ratings = Decider[Rater, any]{
	Kind:    "bewertung",
	Initial: Rater{},
	Decide: func(s Rater, cmd any) ([]Data, error) {
		c, ok := cmd.(RateVeranstaltung)
		if !ok {
			return nil, Errorf(EINVALID, "err.unknown_action")
		}
		if !validToken(c.Event) || c.Status == "" {
			return nil, Errorf(ENOTFOUND, "err.event.not_found")
		}
		if !CanIn(c.Role, "RateVeranstaltung", c.GuestEvent, c.Event) {
			return nil, Errorf(ECONFLICT, "err.rating.participants_only")
		}
		switch c.Status {
		case StatusCancelled:
			return nil, Errorf(ECONFLICT, "err.rating.cancelled")
		case StatusPlanned:
			return nil, Errorf(ECONFLICT, "err.rating.not_held")
		}
		if s.Rated {
			return nil, Errorf(ECONFLICT, "err.rating.already_rated")
		}
		if _, err := ParseRating(c.Value); err != nil {
			return nil, err
		}
		return []Data{RatingGiven{Event: c.Event}}, nil
	},
	Evolve: func(s Rater, e Event) Rater {
		if _, ok := e.Data.(RatingGiven); ok {
			s.Rated = true
		}
		return s
	},
}

// RatingTally is the state of an event's released ratings.
type RatingTally struct{ Released int }

// RatingResults is the decider of an event's released ratings. It holds
// the anonymity rules a batch must keep: never fewer values than
// MinAnonymousBatch, each on the scale.
var RatingResults = Decider[RatingTally, any]{
	Kind:    "bewertungen",
	Initial: RatingTally{},
	Decide: func(s RatingTally, cmd any) ([]Data, error) {
		c, ok := cmd.(ReleaseRatings)
		if !ok {
			return nil, Errorf(EINVALID, "err.unknown_action")
		}
		if len(c.Values) < MinAnonymousBatch {
			return nil, Errorf(EINVALID, "err.rating.batch_too_small", MinAnonymousBatch)
		}
		for _, v := range c.Values {
			if v < MinRating || v > MaxRating {
				return nil, Errorf(EINVALID, "err.rating.value_range", MinRating, MaxRating)
			}
		}
		return []Data{RatingsReleased{Values: append([]int(nil), c.Values...)}}, nil
	},
	Evolve: func(s RatingTally, e Event) RatingTally {
		if d, ok := e.Data.(RatingsReleased); ok {
			s.Released += len(d.Values)
		}
		return s
	},
}
