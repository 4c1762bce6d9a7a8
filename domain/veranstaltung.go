package domain

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // Europe/Berlin also where the system has no zoneinfo
)

// Veranstaltungen: the year's events (Meet & Learn, #KNmeetsHN, …). One
// aggregate per event. Guests join one event by its short code; what they
// may do is bounded by that event and ends with it.

// Formats of events (DOMAIN.md).
var Formats = []string{"Meet & Learn", "Lunch & Learn", "Team-Workshop", "#KNmeetsHN", "Informationsveranstaltung", "Schulung"}

// Veranstaltung is the state of one event.
type Veranstaltung struct {
	Exists    bool
	Title     string
	Format    string
	Start     time.Time
	End       time.Time
	GuestCode string
	Place     string
	Held      bool
	Cancelled bool
	Talks     int
	Groups    []string // names of the workshop groups, in order
}

type (
	// PlanVeranstaltung plans an event. Start and End are local times
	// (Europe/Berlin) as the form sends them: 2006-01-02T15:04.
	PlanVeranstaltung struct {
		Title     string `json:"title"`
		Format    string `json:"format"`
		Start     string `json:"start"`
		End       string `json:"end"`
		Place     string `json:"place"`
		HostCity  string `json:"host_city"`
		GuestCode string `json:"-"` // chosen by the server
	}
	// VeranstaltungPlanned: an event was planned.
	VeranstaltungPlanned struct {
		Title     string    `json:"title"`
		Format    string    `json:"format"`
		Start     time.Time `json:"start"`
		End       time.Time `json:"end"`
		Place     string    `json:"place,omitempty"`
		HostCity  string    `json:"host_city"`
		GuestCode string    `json:"guest_code"`
	}
)

func (VeranstaltungPlanned) EventType() string { return "VeranstaltungPlanned" }

func init() { register[VeranstaltungPlanned](1) }

// Limits of event fields.
const (
	MaxTitleLength = 150
	MaxPlaceLength = 300
	GuestCodeChars = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789" // no 0/O, 1/I: read from a projector
	GuestCodeLen   = 6
)

// ValidGuestCode reports whether s has the shape of a guest code.
func ValidGuestCode(s string) bool {
	if len(s) != GuestCodeLen {
		return false
	}
	for _, r := range s {
		if !strings.ContainsRune(GuestCodeChars, r) {
			return false
		}
	}
	return true
}

// Berlin is the city's time zone; forms speak local time.
var Berlin = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		panic(err) // time/tzdata is linked by the binary
	}
	return loc
}()

// Events is the decider of one event.
var Events = Decider[Veranstaltung, any]{
	Kind:    "veranstaltung",
	Initial: Veranstaltung{},
	Decide:  decideVeranstaltung,
	Evolve:  evolveVeranstaltung,
}

func decideVeranstaltung(s Veranstaltung, cmd any) ([]Data, error) {
	switch c := cmd.(type) {
	case PlanVeranstaltung:
		if s.Exists {
			return nil, Errorf(ECONFLICT, "err.event.already_planned")
		}
		title, err := cleanText("title", "field.title", c.Title, MaxTitleLength, true, false)
		if err != nil {
			return nil, err
		}
		if !contains(Formats, c.Format) {
			return nil, FieldError("format", "err.event.choose_format")
		}
		start, end, err := parseTimes(c.Start, c.End)
		if err != nil {
			return nil, err
		}
		place, err := cleanText("place", "field.place", c.Place, MaxPlaceLength, false, false)
		if err != nil {
			return nil, err
		}
		if !KnownCity(c.HostCity) {
			return nil, FieldError("host_city", "err.event.choose_host_city")
		}
		if !ValidGuestCode(c.GuestCode) {
			return nil, Errorf(EINVALID, "err.event.invalid_guest_code")
		}
		return []Data{VeranstaltungPlanned{Title: title, Format: c.Format, Start: start, End: end, Place: place, HostCity: c.HostCity, GuestCode: c.GuestCode}}, nil
	case RescheduleVeranstaltung, CancelVeranstaltung, MarkHeld, AddTalk:
		return decideLifecycle(s, c)
	case AddWorkshopGroup:
		return decideAddGroup(s, c)
	}
	return nil, Errorf(EINVALID, "err.unknown_action")
}

func evolveVeranstaltung(s Veranstaltung, e Event) Veranstaltung {
	switch d := e.Data.(type) {
	case VeranstaltungPlanned:
		return Veranstaltung{Exists: true, Title: d.Title, Format: d.Format, Start: d.Start, End: d.End, GuestCode: d.GuestCode, Place: d.Place}
	case VeranstaltungRescheduled:
		s.Start, s.End, s.Place = d.Start, d.End, d.Place
	case VeranstaltungCancelled:
		s.Cancelled = true
	case VeranstaltungHeld:
		s.Held = true
	case TalkAdded:
		s.Talks++
	case WorkshopGroupAdded:
		s.Groups = append(slices.Clip(s.Groups), d.Name)
	}
	return s
}

// Lifecycle of an event: it may be moved while planned, cancelled (not
// after it was held), marked held with its attendance once it has started,
// and its talks are recorded (speakers are free text: guests need no account).

// Statuses of an event.
const (
	StatusPlanned   = "geplant"
	StatusHeld      = "durchgefuehrt"
	StatusCancelled = "abgesagt"
)

// Limits of the lifecycle fields.
const (
	MaxTalks         = 20
	MaxAttendance    = 10000
	MaxSpeakerLength = 120
	MaxTopicLength   = 200
	MaxCancelReason  = 500
	localTimeLayout  = "2006-01-02T15:04"
	maxEventDuration = 7 * 24 * time.Hour
)

// Number is a whole number sent as a form field or as JSON (number or
// string).
type Number string

// UnmarshalJSON accepts 30 and "30".
func (n *Number) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		*n = Number(s)
		return nil
	}
	var i json.Number
	if err := json.Unmarshal(b, &i); err != nil {
		return err
	}
	*n = Number(i.String())
	return nil
}

type (
	// RescheduleVeranstaltung moves a planned event; an empty place keeps
	// the place.
	RescheduleVeranstaltung struct {
		Start string `json:"start"`
		End   string `json:"end"`
		Place string `json:"place"`
	}
	// VeranstaltungRescheduled: a planned event was moved.
	VeranstaltungRescheduled struct {
		Start time.Time `json:"start"`
		End   time.Time `json:"end"`
		Place string    `json:"place,omitempty"`
	}
	// CancelVeranstaltung cancels an event that was not held.
	CancelVeranstaltung struct {
		Reason string `json:"reason"`
	}
	// VeranstaltungCancelled: an event was cancelled.
	VeranstaltungCancelled struct {
		Reason string `json:"reason,omitempty"`
	}
	// MarkHeld records that an event took place, with its attendance. Now
	// is the server's clock (the decider cannot read one).
	MarkHeld struct {
		Attendance Number    `json:"attendance"`
		Now        time.Time `json:"-"`
	}
	// VeranstaltungHeld: an event took place.
	VeranstaltungHeld struct {
		Attendance int `json:"attendance"`
	}
	// AddTalk records a talk of an event.
	AddTalk struct {
		Speaker      string `json:"speaker"`
		Organisation string `json:"organisation"`
		Topic        string `json:"topic"`
	}
	// TalkAdded: a talk was recorded.
	TalkAdded struct {
		Speaker      string `json:"speaker"`
		Organisation string `json:"organisation,omitempty"`
		Topic        string `json:"topic"`
	}
)

func (VeranstaltungRescheduled) EventType() string { return "VeranstaltungRescheduled" }
func (VeranstaltungCancelled) EventType() string   { return "VeranstaltungCancelled" }
func (VeranstaltungHeld) EventType() string        { return "VeranstaltungHeld" }
func (TalkAdded) EventType() string                { return "TalkAdded" }

func init() {
	register[VeranstaltungRescheduled](1)
	register[VeranstaltungCancelled](1)
	register[VeranstaltungHeld](1)
	register[TalkAdded](1)
}

// parseTimes reads start and end as local times and checks them.
func parseTimes(startS, endS string) (time.Time, time.Time, error) {
	start, err := time.ParseInLocation(localTimeLayout, startS, Berlin)
	if err != nil {
		return time.Time{}, time.Time{}, FieldError("start", "err.event.start_required")
	}
	end, err := time.ParseInLocation(localTimeLayout, endS, Berlin)
	if err != nil {
		return time.Time{}, time.Time{}, FieldError("end", "err.event.end_required")
	}
	if !end.After(start) {
		return time.Time{}, time.Time{}, FieldError("end", "err.event.end_before_start")
	}
	if end.Sub(start) > maxEventDuration {
		return time.Time{}, time.Time{}, FieldError("end", "err.event.longer_than_a_week")
	}
	return start.UTC(), end.UTC(), nil
}

func decideLifecycle(s Veranstaltung, cmd any) ([]Data, error) {
	if !s.Exists {
		return nil, Errorf(ENOTFOUND, "err.event.not_found")
	}
	switch c := cmd.(type) {
	case RescheduleVeranstaltung:
		switch s.Status() {
		case StatusHeld:
			return nil, Errorf(ECONFLICT, "err.event.reschedule_held")
		case StatusCancelled:
			return nil, Errorf(ECONFLICT, "err.event.reschedule_cancelled")
		}
		start, end, err := parseTimes(c.Start, c.End)
		if err != nil {
			return nil, err
		}
		place, err := cleanText("place", "field.place", c.Place, MaxPlaceLength, false, false)
		if err != nil {
			return nil, err
		}
		if place == "" {
			place = s.Place
		}
		if start.Equal(s.Start) && end.Equal(s.End) && place == s.Place {
			return nil, Errorf(ECONFLICT, "err.event.unchanged")
		}
		return []Data{VeranstaltungRescheduled{Start: start, End: end, Place: place}}, nil
	case CancelVeranstaltung:
		switch s.Status() {
		case StatusHeld:
			return nil, Errorf(ECONFLICT, "err.event.cancel_held")
		case StatusCancelled:
			return nil, Errorf(ECONFLICT, "err.event.already_cancelled")
		}
		reason, err := cleanText("reason", "field.reason", c.Reason, MaxCancelReason, false, true)
		if err != nil {
			return nil, err
		}
		return []Data{VeranstaltungCancelled{Reason: reason}}, nil
	case MarkHeld:
		switch s.Status() {
		case StatusHeld:
			return nil, Errorf(ECONFLICT, "err.event.already_held")
		case StatusCancelled:
			return nil, Errorf(ECONFLICT, "err.event.held_cancelled")
		}
		if c.Now.IsZero() || c.Now.Before(s.Start) {
			return nil, Errorf(ECONFLICT, "err.event.not_started")
		}
		n, err := strconv.Atoi(strings.TrimSpace(string(c.Attendance)))
		if err != nil || n < 1 || n > MaxAttendance {
			return nil, FieldError("attendance", "err.event.attendance_range")
		}
		return []Data{VeranstaltungHeld{Attendance: n}}, nil
	case AddTalk:
		if s.Cancelled {
			return nil, Errorf(ECONFLICT, "err.event.cancelled")
		}
		if s.Talks >= MaxTalks {
			return nil, Errorf(ECONFLICT, "err.event.too_many_talks", MaxTalks)
		}
		speaker, err := cleanText("speaker", "field.speaker", c.Speaker, MaxSpeakerLength, true, false)
		if err != nil {
			return nil, err
		}
		org, err := cleanText("organisation", "field.organisation", c.Organisation, MaxSpeakerLength, false, false)
		if err != nil {
			return nil, err
		}
		topic, err := cleanText("topic", "field.topic", c.Topic, MaxTopicLength, true, false)
		if err != nil {
			return nil, err
		}
		return []Data{TalkAdded{Speaker: speaker, Organisation: org, Topic: topic}}, nil
	}
	return nil, Errorf(EINVALID, "err.unknown_action")
}

// Status is geplant, durchgefuehrt or abgesagt.
func (s Veranstaltung) Status() string {
	switch {
	case s.Cancelled:
		return StatusCancelled
	case s.Held:
		return StatusHeld
	}
	return StatusPlanned
}
