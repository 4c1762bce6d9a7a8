package domain

// The wall of an event: what participants post, live for everyone in the
// room. One aggregate per post, so that forty people posting at once never
// contend; the event a post belongs to is checked by the caller, which sees
// the events' read model.

type (
	// PostToWall posts a text to an event's wall.
	PostToWall struct {
		Event string `json:"event"`
		Text  string `json:"text"`
		// GuestName is the display name of a guest author (set by the
		// server from the guest's session, never from the request).
		GuestName string `json:"-"`
	}
	// WallPostAdded: someone posted to an event's wall. Staff authors are
	// named by the envelope's actor (so an erasure hides them); guests by
	// the display name they chose for this event.
	WallPostAdded struct {
		Event     string `json:"event"`
		Text      string `json:"text"`
		GuestName string `json:"guest_name,omitempty"`
	}
)

func (WallPostAdded) EventType() string { return "WallPostAdded" }

// MapPersonal implements Personal: a guest's display name is personal data,
// sealed with a key of that guest.
func (e WallPostAdded) MapPersonal(f func(field, value string) string) Data {
	e.GuestName = f("guest_name", e.GuestName)
	return e
}

func init() { register[WallPostAdded](1) }

// Limits of wall posts.
const (
	MaxPostLength      = 2000
	MaxGuestNameLength = 60
)

// WallPost is the state of one post.
type WallPost struct{ Exists bool }

// Wall is the decider of one post.
var Wall = Decider[WallPost, any]{
	Kind:    "beitrag",
	Initial: WallPost{},
	Decide: func(s WallPost, cmd any) ([]Data, error) {
		c, ok := cmd.(PostToWall)
		if !ok {
			return nil, Errorf(EINVALID, "Unbekannte Aktion.")
		}
		if s.Exists {
			return nil, Errorf(ECONFLICT, "Dieser Beitrag ist schon veröffentlicht.")
		}
		if !validToken(c.Event) {
			return nil, Errorf(ENOTFOUND, "Diese Veranstaltung gibt es nicht.")
		}
		text, err := cleanText("text", "Text", c.Text, MaxPostLength, true, true)
		if err != nil {
			return nil, err
		}
		name, err := cleanText("name", "Name", c.GuestName, MaxGuestNameLength, false, false)
		if err != nil {
			return nil, err
		}
		return []Data{WallPostAdded{Event: c.Event, Text: text, GuestName: name}}, nil
	},
	Evolve: func(s WallPost, e Event) WallPost {
		if _, ok := e.Data.(WallPostAdded); ok {
			s.Exists = true
		}
		return s
	},
}

// CleanGuestName checks the display name a guest chooses.
func CleanGuestName(s string) (string, error) {
	name, err := cleanText("name", "Name", s, MaxGuestNameLength, true, false)
	return name, err
}
