package domain

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
)

// Workshop groups: an event has parallel groups (the four of #KNmeetsHN
// 2023). The facilitator adds them to the event; each participant (a Lotse
// or a guest of the event) picks one. The pick is its own small aggregate
// per (event, participant), so that a room full of people picking at once
// never contends on the event.

type (
	// AddWorkshopGroup adds a group to an event.
	AddWorkshopGroup struct {
		Name string `json:"name"`
	}
	// WorkshopGroupAdded: the event has a new group. ID is short and
	// stable ("1", "2", …), in the order the groups were added.
	WorkshopGroupAdded struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	}
	// ChooseWorkshopGroup is a participant's pick.
	ChooseWorkshopGroup struct {
		Group string `json:"group"`
		Event string `json:"-"` // the event of the page
	}
	// WorkshopGroupChosen: the participant (the envelope's actor) joined
	// a group of the event.
	WorkshopGroupChosen struct {
		Event string `json:"event"`
		Group string `json:"group"`
	}
)

func (WorkshopGroupAdded) EventType() string  { return "WorkshopGroupAdded" }
func (WorkshopGroupChosen) EventType() string { return "WorkshopGroupChosen" }

func init() {
	register[WorkshopGroupAdded](1)
	register[WorkshopGroupChosen](1)
}

// Limits of groups.
const (
	MaxGroups          = 12
	MaxGroupNameLength = 80
)

func decideAddGroup(s Veranstaltung, c AddWorkshopGroup) ([]Data, error) {
	if !s.Exists {
		return nil, Errorf(ENOTFOUND, "err.event.not_found")
	}
	if s.Cancelled {
		return nil, Errorf(ECONFLICT, "err.event.cancelled")
	}
	if len(s.Groups) >= MaxGroups {
		return nil, Errorf(ECONFLICT, "err.workshop.too_many_groups", MaxGroups)
	}
	name, err := cleanText("name", "field.name", c.Name, MaxGroupNameLength, true, false)
	if err != nil {
		return nil, err
	}
	for _, g := range s.Groups {
		if strings.EqualFold(g, name) {
			return nil, FieldError("name", "err.workshop.group_exists")
		}
	}
	return []Data{WorkshopGroupAdded{ID: strconv.Itoa(len(s.Groups) + 1), Name: name}}, nil
}

// Participation is a participant's pick of a group in one event.
type Participation struct {
	Event string
	Group string
}

// Participations is the decider of one participant's pick.
var Participations = Decider[Participation, any]{
	Kind:    "teilnahme",
	Initial: Participation{},
	Decide: func(s Participation, cmd any) ([]Data, error) {
		c, ok := cmd.(ChooseWorkshopGroup)
		if !ok {
			return nil, Errorf(EINVALID, "err.unknown_action")
		}
		if !validToken(c.Event) {
			return nil, Errorf(ENOTFOUND, "err.event.not_found")
		}
		if c.Group == "" || !validToken(c.Group) {
			return nil, FieldError("group", "err.workshop.choose_group")
		}
		if s.Event != "" && s.Event != c.Event {
			return nil, Errorf(ECONFLICT, "err.workshop.other_event")
		}
		if s.Group == c.Group {
			return nil, nil // already there: nothing to record
		}
		return []Data{WorkshopGroupChosen{Event: c.Event, Group: c.Group}}, nil
	},
	Evolve: func(s Participation, e Event) Participation {
		if d, ok := e.Data.(WorkshopGroupChosen); ok {
			s.Event, s.Group = d.Event, d.Group
		}
		return s
	},
}

// ParticipationID is the aggregate id of a participant's pick in an event.
func ParticipationID(event, actor string) string {
	sum := sha256.Sum256([]byte(event + "\x00" + actor))
	return hex.EncodeToString(sum[:16])
}
