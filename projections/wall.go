package projections

import (
	"slices"

	"logbuch/domain"
)

// The wall of an event as a read model: posts in log order, per workshop
// group; what a post's later events change (text, hidden, "+1") is folded
// into the post where it stands, so every wall shows the same order.

// Audiences of a wall: each is rendered once for all who see it.
const (
	WallParticipants = ""            // Lotsen and guests: visible posts, their controls
	WallModeration   = "/moderation" // the facilitator: hidden posts too, to show them again
	WallProjector    = "/beamer"     // the room's projector: large, no controls
)

// WallAudiences lists every audience of a wall.
var WallAudiences = []string{WallParticipants, WallModeration, WallProjector}

// WallViewNames are the live views of one event's wall, one per audience.
func WallViewNames(event string) []string {
	out := make([]string, len(WallAudiences))
	for i, a := range WallAudiences {
		out[i] = WallViewName(event) + a
	}
	return out
}

// applyPost folds one event of a post's aggregate; it reports the wall
// that changed.
func (m *Events) applyPost(id string, seq uint64, e domain.Event) (string, bool) {
	if d, ok := e.Data.(domain.WallPostAdded); ok {
		m.walls[d.Event] = append(m.walls[d.Event], WallPostView{ID: id, Seq: seq, At: e.At, Actor: e.Actor, GuestName: d.GuestName, Text: d.Text, Group: d.Group, Photo: d.Photo})
		m.posts[id] = d.Event
		return d.Event, true
	}
	event, ok := m.posts[id]
	if !ok {
		return "", false
	}
	posts := m.walls[event]
	i := slices.IndexFunc(posts, func(p WallPostView) bool { return p.ID == id })
	if i < 0 {
		return "", false
	}
	p := &posts[i]
	switch d := e.Data.(type) {
	case domain.WallPostEdited:
		p.Text, p.Edited = d.Text, true
	case domain.WallPostDeleted:
		m.walls[event] = slices.Delete(slices.Clone(posts), i, i+1)
		delete(m.posts, id)
	case domain.WallPostPlusOned:
		p.PlusOnes = append(slices.Clip(p.PlusOnes), e.Actor)
	case domain.WallPostPlusOneWithdrawn:
		p.PlusOnes = slices.DeleteFunc(slices.Clone(p.PlusOnes), func(a string) bool { return a == e.Actor })
	case domain.WallPostHidden:
		p.Hidden = true
	case domain.WallPostUnhidden:
		p.Hidden = false
	default:
		return "", false
	}
	return event, true
}

// WallPost returns one post on a wall and its event.
func (r *Runner) WallPost(id string) (WallPostView, string, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	event, ok := r.events.posts[id]
	if !ok {
		return WallPostView{}, "", false
	}
	for _, p := range r.events.walls[event] {
		if p.ID == id {
			return p, event, true
		}
	}
	return WallPostView{}, "", false
}

// GroupOf returns the workshop group an actor picked in an event ("": none).
func (r *Runner) GroupOf(event, actor string) string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.events.picks[event][actor]
}

// GroupSizes counts the participants who picked each group of an event.
func (r *Runner) GroupSizes(event string) map[string]int {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := map[string]int{}
	for _, g := range r.events.picks[event] {
		out[g]++
	}
	return out
}
