package domain

import (
	"slices"
)

// The wall of an event: what participants post, live for everyone in the
// room. One aggregate per post, so that forty people posting at once never
// contend; the event a post belongs to is checked by the caller, which sees
// the events' read model. A post belongs to a workshop group of its event
// (or to none, when the event has no groups), may carry a photo of a flip
// chart (the object's name in the upload store, never the bytes), is
// edited or deleted by its author only, collects one "+1" per person, and
// can be hidden by the facilitator.

type (
	// PostToWall posts a text to an event's wall.
	PostToWall struct {
		Event string `json:"event"`
		Text  string `json:"text"`
		// Group is the workshop group the post belongs to ("" when the
		// event has none).
		Group string `json:"group"`
		// GuestName is the display name of a guest author (set by the
		// server from the guest's session, never from the request).
		GuestName string `json:"-"`
		// Photo is the name of an uploaded, checked image (set by the
		// server after the upload passed its checks).
		Photo string `json:"-"`
	}
	// WallPostAdded: someone posted to an event's wall. Staff authors are
	// named by the envelope's actor (so an erasure hides them); guests by
	// the display name they chose for this event.
	WallPostAdded struct {
		Event     string `json:"event"`
		Text      string `json:"text"`
		GuestName string `json:"guest_name,omitempty"`
		Group     string `json:"group,omitempty"`
		Photo     string `json:"photo,omitempty"`
	}

	// EditWallPost changes the text of one's own post.
	EditWallPost struct {
		Text  string `json:"text"`
		Event string `json:"-"` // the wall of the page
		Actor string `json:"-"` // who asks
	}
	// WallPostEdited: the author changed the text.
	WallPostEdited struct {
		Text string `json:"text"`
	}
	// DeleteWallPost removes one's own post from the wall.
	DeleteWallPost struct {
		Event string `json:"-"`
		Actor string `json:"-"`
	}
	// WallPostDeleted: the author took the post down.
	WallPostDeleted struct{}
	// PlusOneWallPost gives a post one's "+1".
	PlusOneWallPost struct {
		Event string `json:"-"`
		Actor string `json:"-"`
	}
	// WallPostPlusOned: someone (the envelope's actor) gave a "+1".
	WallPostPlusOned struct{}
	// WithdrawPlusOne takes one's "+1" back.
	WithdrawPlusOne struct {
		Event string `json:"-"`
		Actor string `json:"-"`
	}
	// WallPostPlusOneWithdrawn: someone took their "+1" back.
	WallPostPlusOneWithdrawn struct{}
	// HideWallPost hides a post from the wall (the facilitator).
	HideWallPost struct {
		Event string `json:"-"`
	}
	// WallPostHidden: the facilitator hid a post.
	WallPostHidden struct{}
	// UnhideWallPost shows a hidden post again.
	UnhideWallPost struct {
		Event string `json:"-"`
	}
	// WallPostUnhidden: the facilitator showed a hidden post again.
	WallPostUnhidden struct{}
)

func (WallPostAdded) EventType() string            { return "WallPostAdded" }
func (WallPostEdited) EventType() string           { return "WallPostEdited" }
func (WallPostDeleted) EventType() string          { return "WallPostDeleted" }
func (WallPostPlusOned) EventType() string         { return "WallPostPlusOned" }
func (WallPostPlusOneWithdrawn) EventType() string { return "WallPostPlusOneWithdrawn" }
func (WallPostHidden) EventType() string           { return "WallPostHidden" }
func (WallPostUnhidden) EventType() string         { return "WallPostUnhidden" }

// MapPersonal implements Personal: a guest's display name is personal data,
// sealed with a key of that guest.
func (e WallPostAdded) MapPersonal(f func(field, value string) string) Data {
	e.GuestName = f("guest_name", e.GuestName)
	return e
}

func init() {
	register[WallPostAdded](1)
	register[WallPostEdited](1)
	register[WallPostDeleted](1)
	register[WallPostPlusOned](1)
	register[WallPostPlusOneWithdrawn](1)
	register[WallPostHidden](1)
	register[WallPostUnhidden](1)
}

// Limits of wall posts.
const (
	MaxPostLength      = 2000
	MaxGuestNameLength = 60
	MaxPhotoName       = 80
)

// WallPost is the state of one post.
type WallPost struct {
	Exists   bool
	Event    string
	Author   string // the actor who posted
	Deleted  bool
	Hidden   bool
	PlusOnes []string // actors, in the order they gave their "+1"
}

// Wall is the decider of one post.
var Wall = Decider[WallPost, any]{
	Kind:    "beitrag",
	Initial: WallPost{},
	Decide:  decideWallPost,
	Evolve:  evolveWallPost,
}

func decideWallPost(s WallPost, cmd any) ([]Data, error) {
	if c, ok := cmd.(PostToWall); ok {
		return decidePost(s, c)
	}
	if !s.Exists || s.Deleted {
		return nil, Errorf(ENOTFOUND, "err.wall.post_gone")
	}
	own := func(event, actor string) error {
		if event != s.Event {
			return Errorf(ENOTFOUND, "err.wall.not_on_this_wall")
		}
		if actor == "" || actor != s.Author {
			return Errorf(EFORBIDDEN, "err.wall.only_author")
		}
		return nil
	}
	here := func(event string) error {
		if event != s.Event {
			return Errorf(ENOTFOUND, "err.wall.not_on_this_wall")
		}
		return nil
	}
	switch c := cmd.(type) {
	case EditWallPost:
		if err := own(c.Event, c.Actor); err != nil {
			return nil, err
		}
		text, err := cleanText("text", "field.text", c.Text, MaxPostLength, true, true)
		if err != nil {
			return nil, err
		}
		return []Data{WallPostEdited{Text: text}}, nil
	case DeleteWallPost:
		if err := own(c.Event, c.Actor); err != nil {
			return nil, err
		}
		return []Data{WallPostDeleted{}}, nil
	case PlusOneWallPost:
		if err := here(c.Event); err != nil {
			return nil, err
		}
		if c.Actor == "" {
			return nil, Errorf(EFORBIDDEN, "err.session.login_required")
		}
		if slices.Contains(s.PlusOnes, c.Actor) {
			return nil, Errorf(ECONFLICT, "err.wall.already_plus_one")
		}
		return []Data{WallPostPlusOned{}}, nil
	case WithdrawPlusOne:
		if err := here(c.Event); err != nil {
			return nil, err
		}
		if !slices.Contains(s.PlusOnes, c.Actor) {
			return nil, Errorf(ECONFLICT, "err.wall.no_plus_one")
		}
		return []Data{WallPostPlusOneWithdrawn{}}, nil
	case HideWallPost:
		if err := here(c.Event); err != nil {
			return nil, err
		}
		if s.Hidden {
			return nil, Errorf(ECONFLICT, "err.wall.already_hidden")
		}
		return []Data{WallPostHidden{}}, nil
	case UnhideWallPost:
		if err := here(c.Event); err != nil {
			return nil, err
		}
		if !s.Hidden {
			return nil, Errorf(ECONFLICT, "err.wall.not_hidden")
		}
		return []Data{WallPostUnhidden{}}, nil
	}
	return nil, Errorf(EINVALID, "err.unknown_action")
}

func decidePost(s WallPost, c PostToWall) ([]Data, error) {
	if s.Exists {
		return nil, Errorf(ECONFLICT, "err.wall.already_posted")
	}
	if !validToken(c.Event) {
		return nil, Errorf(ENOTFOUND, "err.event.not_found")
	}
	if c.Group != "" && !validToken(c.Group) {
		return nil, FieldError("group", "err.workshop.choose_group")
	}
	if c.Photo != "" && (len(c.Photo) > MaxPhotoName || !validPhotoName(c.Photo)) {
		return nil, FieldError("photo", "err.wall.invalid_photo")
	}
	// A photo may speak for itself; otherwise a text is needed.
	text, err := cleanText("text", "field.text", c.Text, MaxPostLength, c.Photo == "", true)
	if err != nil {
		return nil, err
	}
	name, err := cleanText("name", "field.name", c.GuestName, MaxGuestNameLength, false, false)
	if err != nil {
		return nil, err
	}
	return []Data{WallPostAdded{Event: c.Event, Text: text, GuestName: name, Group: c.Group, Photo: c.Photo}}, nil
}

// validPhotoName accepts the names the upload store gives: lower-case hex
// digests with a file extension, e.g. "3fa9….jpg".
func validPhotoName(s string) bool {
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '.' || r == '-') {
			return false
		}
	}
	return s != "" && s[0] != '.'
}

func evolveWallPost(s WallPost, e Event) WallPost {
	switch d := e.Data.(type) {
	case WallPostAdded:
		s = WallPost{Exists: true, Event: d.Event, Author: e.Actor}
	case WallPostDeleted:
		s.Deleted = true
	case WallPostPlusOned:
		s.PlusOnes = append(slices.Clip(s.PlusOnes), e.Actor)
	case WallPostPlusOneWithdrawn:
		s.PlusOnes = slices.DeleteFunc(slices.Clone(s.PlusOnes), func(a string) bool { return a == e.Actor })
	case WallPostHidden:
		s.Hidden = true
	case WallPostUnhidden:
		s.Hidden = false
	}
	return s
}

// CleanGuestName checks the display name a guest chooses.
func CleanGuestName(s string) (string, error) {
	name, err := cleanText("name", "field.name", s, MaxGuestNameLength, true, false)
	return name, err
}
