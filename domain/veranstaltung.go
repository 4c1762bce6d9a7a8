package domain

import (
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
			return nil, Errorf(ECONFLICT, "Diese Veranstaltung ist schon geplant.")
		}
		title, err := cleanText("title", "Titel", c.Title, MaxTitleLength, true, false)
		if err != nil {
			return nil, err
		}
		if !contains(Formats, c.Format) {
			return nil, FieldError("format", "Bitte wählen Sie ein Format aus der Liste.")
		}
		start, err := time.ParseInLocation("2006-01-02T15:04", c.Start, Berlin)
		if err != nil {
			return nil, FieldError("start", "Bitte geben Sie Beginn als Datum und Uhrzeit an.")
		}
		end, err := time.ParseInLocation("2006-01-02T15:04", c.End, Berlin)
		if err != nil {
			return nil, FieldError("end", "Bitte geben Sie das Ende als Datum und Uhrzeit an.")
		}
		if !end.After(start) {
			return nil, FieldError("end", "Das Ende muss nach dem Beginn liegen.")
		}
		if end.Sub(start) > 7*24*time.Hour {
			return nil, FieldError("end", "Eine Veranstaltung dauert höchstens eine Woche.")
		}
		place, err := cleanText("place", "Ort", c.Place, MaxPlaceLength, false, false)
		if err != nil {
			return nil, err
		}
		if !KnownCity(c.HostCity) {
			return nil, FieldError("host_city", "Bitte wählen Sie Konstanz oder Heilbronn.")
		}
		if !ValidGuestCode(c.GuestCode) {
			return nil, Errorf(EINVALID, "Der Gastcode ist ungültig.")
		}
		return []Data{VeranstaltungPlanned{Title: title, Format: c.Format, Start: start.UTC(), End: end.UTC(), Place: place, HostCity: c.HostCity, GuestCode: c.GuestCode}}, nil
	}
	return nil, Errorf(EINVALID, "Unbekannte Aktion.")
}

func evolveVeranstaltung(s Veranstaltung, e Event) Veranstaltung {
	if d, ok := e.Data.(VeranstaltungPlanned); ok {
		return Veranstaltung{Exists: true, Title: d.Title, Format: d.Format, Start: d.Start, End: d.End, GuestCode: d.GuestCode}
	}
	return s
}
