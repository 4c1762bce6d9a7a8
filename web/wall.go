package web

import (
	"bytes"
	"context"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/a-h/templ"
	"github.com/google/uuid"

	"logbuch/domain"
	"logbuch/projections"
)

// The workshop wall: groups side by side, posts in safe Markdown with an
// optional photo, "+1", edits and deletions by the author, hiding by the
// facilitator, a projector mode and an export of the results. Each wall is
// rendered once per audience (projections.WallAudiences) and fanned out;
// what is personal (my posts, my "+1") is marked by the page itself
// (static/wall.js) from the authors named on each post.

// wallColumn is one workshop group with its posts.
type wallColumn struct {
	ID      string // "" for posts without a group
	Name    string
	Members int
	Posts   []projections.WallPostView
}

// wallRender is what one rendering of a wall needs.
type wallRender struct {
	Event    projections.EventInfo
	Columns  []wallColumn
	Count    int
	Seq      uint64
	Audience string
	Names    func(string) string
	// Personal parts, set only when a page is rendered for one person;
	// empty in the shared live bytes (wall.js fills them in).
	Me   string
	CSRF string
	// ReadOnly leaves the controls out for one who may see but not take
	// part (the Lenkungsgruppe); wall.js hides them in live updates.
	ReadOnly bool
}

// wallColumns sorts a wall's posts into its groups, in log order; hidden
// posts only for the facilitator's audience. The column of posts without a
// group is named in the language of ctx.
func wallColumns(ctx context.Context, ev projections.EventInfo, posts []projections.WallPostView, sizes map[string]int, withHidden bool) ([]wallColumn, int) {
	cols := make([]wallColumn, 0, len(ev.Groups)+1)
	index := map[string]int{}
	for _, g := range ev.Groups {
		index[g.ID] = len(cols)
		cols = append(cols, wallColumn{ID: g.ID, Name: g.Name, Members: sizes[g.ID]})
	}
	var loose []projections.WallPostView
	n := 0
	for _, p := range posts {
		if p.Hidden && !withHidden {
			continue
		}
		n++
		if i, ok := index[p.Group]; ok {
			cols[i].Posts = append(cols[i].Posts, p)
		} else {
			loose = append(loose, p)
		}
	}
	if len(loose) > 0 || len(cols) == 0 {
		name := tr(ctx, "wall.column.posts")
		if len(cols) > 0 {
			name = tr(ctx, "wall.column.no_group")
		}
		cols = append(cols, wallColumn{Name: name, Posts: loose})
	}
	return cols, n
}

func (s *Server) wallRender(ctx context.Context, event, audience string) (wallRender, bool) {
	ev, posts, seq, ok := s.models.Event(event)
	if !ok {
		return wallRender{}, false
	}
	cols, n := wallColumns(ctx, ev, posts, s.models.GroupSizes(event), audience == projections.WallModeration)
	return wallRender{Event: ev, Columns: cols, Count: n, Seq: seq, Audience: audience, Names: s.authorNames(ctx)}, true
}

// wallAudienceOf picks the audience of a page viewer.
func wallAudienceOf(p principal) string {
	if domain.Can(p.Role, "HideWallPost") {
		return projections.WallModeration
	}
	return projections.WallParticipants
}

// wallOf returns the event of a wall view name (any audience).
func wallOf(view string) (string, bool) {
	id, _, ok := wallView(view)
	return id, ok
}

// wallView splits a wall view name into its event and audience.
func wallView(view string) (string, string, bool) {
	rest, ok := strings.CutPrefix(view, "veranstaltung/")
	if !ok {
		return "", "", false
	}
	id, after, ok := strings.Cut(rest, "/wand")
	if !ok || !domain.ValidCommandID(id) || !slices.Contains(projections.WallAudiences, after) {
		return "", "", false
	}
	return id, after, true
}

func (s *Server) renderWall(ctx context.Context, event, audience string) (string, []byte, uint64, bool) {
	w, ok := s.wallRender(ctx, event, audience)
	if !ok {
		return "", nil, 0, false
	}
	var buf bytes.Buffer
	comp := wallLive(w)
	id := "wand-live"
	if audience == projections.WallProjector {
		comp, id = projectorLive(w), "beamer-live"
	}
	if err := comp.Render(ctx, &buf); err != nil {
		s.log.Error("render wall", "event", event, "err", err)
		return "", nil, 0, false
	}
	return id, buf.Bytes(), w.Seq, true
}

// handleProjector is the wall for the room's projector.
func (s *Server) handleProjector() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		wr, ok := s.wallRender(r.Context(), r.PathValue("id"), projections.WallProjector)
		if !ok {
			s.writeError(w, r, http.StatusNotFound, domain.ENOTFOUND, "", tr(r.Context(), "err.event.not_found"))
			return
		}
		s.html(w, http.StatusOK)
		projectorPage(principalOf(r), wr, s.cfg.PublicURL).Render(r.Context(), w)
	})
}

func (s *Server) handleAddGroup() http.Handler {
	return s.eventLifecycle("AddWorkshopGroup", "gruppe-neu", "gruppe", func() any { return &domain.AddWorkshopGroup{} }, nil, nil)
}

func participationCommand(ctx context.Context, h *domain.Handler, id string, meta domain.Meta, name string, cmd any) (domain.Result, error) {
	return domain.Execute(ctx, h, domain.Participations, id, meta, name, cmd)
}

func (s *Server) handleChooseGroup() http.Handler {
	return s.command(commandRoute{
		name: "ChooseWorkshopGroup", form: "gruppe-wahl", execute: participationCommand,
		newCommand: func() any { return &domain.ChooseWorkshopGroup{} },
		aggregate:  func(r *http.Request) string { return domain.ParticipationID(r.PathValue("id"), principalOf(r).Actor()) },
		prepare: func(r *http.Request, p principal, cmd any) error {
			c := cmd.(*domain.ChooseWorkshopGroup)
			c.Event = r.PathValue("id")
			ev, _, _, ok := s.models.Event(c.Event)
			if !ok {
				return domain.Errorf(domain.ENOTFOUND, "err.event.not_found")
			}
			if !slices.ContainsFunc(ev.Groups, func(g projections.WorkshopGroup) bool { return g.ID == c.Group }) {
				return domain.FieldError("group", "err.workshop.choose_group")
			}
			return nil
		},
		done: func(r *http.Request, res domain.Result) (string, string) {
			return "/veranstaltungen/" + r.PathValue("id"), "gruppe-gewaehlt"
		},
		page: s.renderEvent,
	})
}

// postCommand is the endpoint of one command on an existing post of the
// event in the path; the post must belong to that event.
func (s *Server) postCommand(name, notice string, newCommand func() any, page func(http.ResponseWriter, *http.Request, formState, int)) http.Handler {
	return s.command(commandRoute{
		name: name, form: "beitrag", execute: wallCommand,
		newCommand: newCommand,
		aggregate:  func(r *http.Request) string { return r.PathValue("post") },
		prepare: func(r *http.Request, p principal, cmd any) error {
			event := r.PathValue("id")
			post, of, ok := s.models.WallPost(r.PathValue("post"))
			if !ok || of != event || (post.Hidden && !domain.Can(p.Role, "HideWallPost") && post.Actor != p.Actor()) {
				return domain.Errorf(domain.ENOTFOUND, "err.wall.not_on_this_wall")
			}
			if p.Role == domain.RoleGuest {
				if ev, _, _, _ := s.models.Event(event); ev.Over(time.Now()) {
					return domain.Errorf(domain.ECONFLICT, "err.event.over")
				}
			}
			switch c := cmd.(type) {
			case *domain.EditWallPost:
				c.Event, c.Actor = event, p.Actor()
			case *domain.DeleteWallPost:
				c.Event, c.Actor = event, p.Actor()
			case *domain.PlusOneWallPost:
				c.Event, c.Actor = event, p.Actor()
			case *domain.WithdrawPlusOne:
				c.Event, c.Actor = event, p.Actor()
			case *domain.HideWallPost:
				c.Event = event
			case *domain.UnhideWallPost:
				c.Event = event
			}
			return nil
		},
		done: func(r *http.Request, res domain.Result) (string, string) {
			return "/veranstaltungen/" + r.PathValue("id"), notice
		},
		page: page,
	})
}

func (s *Server) handleEditPost() http.Handler {
	return s.postCommand("EditWallPost", "bearbeitet", func() any { return &domain.EditWallPost{} }, s.renderPostPage)
}

func (s *Server) handleDeletePost() http.Handler {
	return s.postCommand("DeleteWallPost", "geloescht", func() any { return &domain.DeleteWallPost{} }, s.renderPostPage)
}

func (s *Server) handlePlusOne() http.Handler {
	return s.postCommand("PlusOneWallPost", "", func() any { return &domain.PlusOneWallPost{} }, s.renderEvent)
}

func (s *Server) handleWithdrawPlusOne() http.Handler {
	return s.postCommand("WithdrawPlusOne", "", func() any { return &domain.WithdrawPlusOne{} }, s.renderEvent)
}

func (s *Server) handleHidePost() http.Handler {
	return s.postCommand("HideWallPost", "ausgeblendet", func() any { return &domain.HideWallPost{} }, s.renderEvent)
}

func (s *Server) handleUnhidePost() http.Handler {
	return s.postCommand("UnhideWallPost", "eingeblendet", func() any { return &domain.UnhideWallPost{} }, s.renderEvent)
}

// handlePostPage shows one post; its author edits or deletes it here.
func (s *Server) handlePostPage() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.renderPostPage(w, r, s.newForm(r, "beitrag"), http.StatusOK)
	})
}

func (s *Server) renderPostPage(w http.ResponseWriter, r *http.Request, f formState, status int) {
	p := principalOf(r)
	post, event, ok := s.models.WallPost(r.PathValue("post"))
	if !ok || event != r.PathValue("id") || (post.Hidden && !domain.Can(p.Role, "HideWallPost") && post.Actor != p.Actor()) {
		s.writeError(w, r, http.StatusNotFound, domain.ENOTFOUND, "", tr(r.Context(), "err.wall.post_gone_here"))
		return
	}
	ev, _, seq, _ := s.models.Event(event)
	if _, sent := f.Values["text"]; !sent {
		f.Values["text"] = post.Text
	}
	s.html(w, status)
	postPageView(p, ev, post, seq, f, s.authorNames(r.Context())).Render(r.Context(), w)
}

// newPostForm is a fresh form of the wall with the viewer's group chosen.
func (s *Server) myGroup(event string, p principal) string {
	if !p.LoggedIn() {
		return ""
	}
	return s.models.GroupOf(event, p.Actor())
}

// freshID is a command id for a form rendered for one person.
func freshID() string { return uuid.Must(uuid.NewV7()).String() }

func wallURL(event, rest string) templ.SafeURL {
	return templ.SafeURL("/veranstaltungen/" + event + "/wand" + rest)
}

func postAction(event, post, action string) templ.SafeURL {
	u := "/veranstaltungen/" + event + "/wand/" + post
	if action != "" {
		u += "/" + action
	}
	return templ.SafeURL(u)
}

func photoURL(event, name string) templ.SafeURL {
	return templ.SafeURL("/veranstaltungen/" + event + "/wand/fotos/" + name)
}

func columnKey(c wallColumn) string {
	if c.ID == "" {
		return "ohne"
	}
	return c.ID
}

func plusLabel(ctx context.Context, n int) string { return tr(ctx, "wall.plus_count", n) }

func personalCommandID(me string) string {
	if me == "" {
		return ""
	}
	return freshID()
}

func groupOptions(ev projections.EventInfo, prompt string) []option {
	out := []option{{"", prompt}}
	for _, g := range ev.Groups {
		out = append(out, option{g.ID, g.Name})
	}
	return out
}
