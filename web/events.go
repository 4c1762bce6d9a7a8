package web

import (
	"context"
	"crypto/rand"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"logbuch/domain"
	"logbuch/projections"
)

func eventCommand(ctx context.Context, h *domain.Handler, id string, meta domain.Meta, name string, cmd any) (domain.Result, error) {
	return domain.Execute(ctx, h, domain.Events, id, meta, name, cmd)
}

func wallCommand(ctx context.Context, h *domain.Handler, id string, meta domain.Meta, name string, cmd any) (domain.Result, error) {
	return domain.Execute(ctx, h, domain.Wall, id, meta, name, cmd)
}

func (s *Server) handleEventsPage() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.renderEvents(w, r, s.newForm(r, "plan"), http.StatusOK)
	})
}

func (s *Server) renderEvents(w http.ResponseWriter, r *http.Request, f formState, status int) {
	events, seq := s.models.Events()
	p := principalOf(r)
	page := eventsPage{User: p, Events: events, Seq: seq, Plan: f, Notice: noticeIn(r, eventNotices), Ratings: s.ratingsOverviewOf(0)}
	if domain.Can(p.Role, domain.ViewEvents) && !p.Token {
		page.Feed, page.Feeds, page.FeedsOther = s.calendarURLs(r.Context(), p.Person)
	}
	s.html(w, status)
	eventsPageView(page).Render(r.Context(), w)
}

// NewGuestCode draws a code that is easy to read from a projector.
func NewGuestCode() string {
	b := make([]byte, domain.GuestCodeLen)
	rand.Read(b)
	for i := range b {
		b[i] = domain.GuestCodeChars[int(b[i])%len(domain.GuestCodeChars)]
	}
	return string(b)
}

func (s *Server) handlePlanEvent() http.Handler {
	return s.command(commandRoute{
		name: "PlanVeranstaltung", form: "plan", execute: eventCommand,
		newCommand:   func() any { return &domain.PlanVeranstaltung{} },
		aggregate:    newAggregateID,
		newAggregate: true,
		prepare: func(r *http.Request, p principal, cmd any) error {
			c := cmd.(*domain.PlanVeranstaltung)
			for {
				c.GuestCode = NewGuestCode()
				if _, taken := s.models.EventByCode(c.GuestCode); !taken {
					return nil
				}
			}
		},
		done: func(r *http.Request, res domain.Result) (string, string) {
			return "/veranstaltungen/" + res.AggregateID(), "geplant"
		},
		page: s.renderEvents,
	})
}

// eventLifecycle is the endpoint of one command on an existing event, by
// an admin, from the event's page or as JSON.
func (s *Server) eventLifecycle(name, form, notice string, newCommand func() any, prepare func(cmd any), after func(context.Context, domain.Result) error) http.Handler {
	return s.command(commandRoute{
		name: name, form: form, execute: eventCommand,
		after:      after,
		newCommand: newCommand,
		aggregate:  pathID,
		prepare: func(r *http.Request, p principal, cmd any) error {
			if _, _, _, ok := s.models.Event(r.PathValue("id")); !ok {
				return domain.Errorf(domain.ENOTFOUND, "err.event.not_found")
			}
			if prepare != nil {
				prepare(cmd)
			}
			return nil
		},
		done: func(r *http.Request, res domain.Result) (string, string) {
			return "/veranstaltungen/" + res.AggregateID(), notice
		},
		page: s.renderEvent,
	})
}

func (s *Server) handleRescheduleEvent() http.Handler {
	return s.eventLifecycle("RescheduleVeranstaltung", "verschieben", "verschoben", func() any { return &domain.RescheduleVeranstaltung{} }, nil, nil)
}

// Cancelling ends the guests' access at once: once the cancellation is in
// the log, their sessions go, and with them their open live connections.
func (s *Server) handleCancelEvent() http.Handler {
	return s.eventLifecycle("CancelVeranstaltung", "absagen", "abgesagt", func() any { return &domain.CancelVeranstaltung{} }, nil,
		func(ctx context.Context, res domain.Result) error { return s.endGuestSessions(ctx, res.AggregateID()) })
}

func (s *Server) endGuestSessions(ctx context.Context, event string) error {
	keys, err := s.secrets.SecretKeys(ctx, bucketSessions, "gast-")
	if err != nil {
		return err
	}
	for _, k := range keys {
		var sess session
		if ok, err := s.secrets.GetSecret(ctx, bucketSessions, k, &sess); err == nil && ok && sess.Event == event {
			if err := s.secrets.DeleteSecret(ctx, bucketSessions, k); err != nil {
				return err
			}
		}
	}
	return nil
}

func (s *Server) handleMarkHeld() http.Handler {
	return s.eventLifecycle("MarkHeld", "durchgefuehrt", "durchgefuehrt", func() any { return &domain.MarkHeld{} }, func(cmd any) {
		cmd.(*domain.MarkHeld).Now = time.Now() // the decider has no clock
	}, nil)
}

func (s *Server) handleAddTalk() http.Handler {
	return s.eventLifecycle("AddTalk", "vortrag", "vortrag", func() any { return &domain.AddTalk{} }, nil, nil)
}

// requireEvent lets a page through for roles that may see an event's wall,
// and for a guest only for their own event.
func (s *Server) requireEvent(next http.Handler) http.Handler {
	return s.requireView(domain.ViewWall, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := principalOf(r)
		if !domain.CanIn(p.Role, domain.ViewWall, p.Event, r.PathValue("id")) {
			s.forbidden(w, r)
			return
		}
		next.ServeHTTP(w, r)
	}))
}

func (s *Server) handleEventPage() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.renderEvent(w, r, s.newForm(r, "post"), http.StatusOK)
	})
}

func (s *Server) renderEvent(w http.ResponseWriter, r *http.Request, f formState, status int) {
	ev, wall, seq, ok := s.models.Event(r.PathValue("id"))
	if !ok {
		s.writeError(w, r, http.StatusNotFound, domain.ENOTFOUND, "", tr(r.Context(), "err.event.not_found"))
		return
	}
	p := principalOf(r)
	audience := wallAudienceOf(p)
	cols, n := wallColumns(r.Context(), ev, wall, s.models.GroupSizes(ev.ID), audience == projections.WallModeration)
	wr := wallRender{Event: ev, Columns: cols, Count: n, Seq: seq, Audience: audience, Names: s.authorNames(r.Context()), Me: p.Actor(), CSRF: p.CSRF,
		ReadOnly: !domain.CanIn(p.Role, "PlusOneWallPost", p.Event, ev.ID)}
	s.html(w, status)
	eventPageView(eventPage{User: p, Event: ev, Wall: wr, Seq: seq, Form: f, MyGroup: s.myGroup(ev.ID, p), Notice: noticeIn(r, eventNotices), Rating: s.ratingSectionFor(r, ev, f)}).Render(r.Context(), w)
}

// authorNames names authors of posts from the roster, so that an
// erasure hides it (guests are named by the post itself); who is not on
// the roster (the system) is Logbuch itself, in the language of ctx.
func (s *Server) authorNames(ctx context.Context) func(string) string {
	return func(actor string) string {
		if strings.HasPrefix(actor, "guest:") {
			return ""
		}
		if p, _, ok := s.models.Person(actor); ok {
			return shownName(ctx, p.Name)
		}
		return tr(ctx, "layout.brand")
	}
}

// eventNotices name the notice an events' page shows after a successful
// action (?hinweis=…, the value stays German: it is part of the address).
var eventNotices = map[string]domain.Msg{
	"verschoben":      domain.M("event.notice.rescheduled"),
	"abgesagt":        domain.M("event.notice.cancelled"),
	"durchgefuehrt":   domain.M("event.notice.held"),
	"vortrag":         domain.M("event.notice.talk_added"),
	"gruppe":          domain.M("event.notice.group_added"),
	"gruppe-gewaehlt": domain.M("event.notice.group_chosen"),
	"bearbeitet":      domain.M("wall.notice.edited"),
	"geloescht":       domain.M("wall.notice.deleted"),
	"ausgeblendet":    domain.M("wall.notice.hidden"),
	"eingeblendet":    domain.M("wall.notice.unhidden"),
	"bewertet":        domain.M("rating.notice.rated"),
}

func (s *Server) handlePost() http.Handler {
	return s.command(commandRoute{
		name: "PostToWall", form: "post", execute: wallCommand,
		newCommand:   func() any { return &domain.PostToWall{} },
		aggregate:    newAggregateID,
		newAggregate: true,
		maxBody:      maxPhotoBytes + maxCommandBody,
		prepare: func(r *http.Request, p principal, cmd any) error {
			c := cmd.(*domain.PostToWall)
			c.Event = r.PathValue("id") // the wall of the page, never the body's
			ev, _, _, ok := s.models.Event(c.Event)
			if !ok {
				return domain.Errorf(domain.ENOTFOUND, "err.event.not_found")
			}
			if ev.Cancelled() {
				return domain.Errorf(domain.ECONFLICT, "err.event.cancelled")
			}
			if p.Role == domain.RoleGuest {
				if ev.Over(time.Now()) {
					return domain.Errorf(domain.ECONFLICT, "err.event.over")
				}
				c.GuestName = p.Name
			}
			if len(ev.Groups) > 0 {
				if c.Group == "" {
					c.Group = s.myGroup(ev.ID, p)
				}
				if !slices.ContainsFunc(ev.Groups, func(g projections.WorkshopGroup) bool { return g.ID == c.Group }) {
					return domain.FieldError("group", "err.wall.choose_group")
				}
			} else if c.Group != "" {
				return domain.FieldError("group", "err.wall.no_groups")
			}
			return s.attachPhoto(r, c)
		},
		done: func(r *http.Request, res domain.Result) (string, string) {
			return "/veranstaltungen/" + r.PathValue("id"), "gepostet"
		},
		page: s.renderEvent,
	})
}

func (s *Server) handleGuestPage() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f := s.newForm(r, "gast")
		f.Values["code"] = strings.ToUpper(r.URL.Query().Get("code"))
		s.html(w, http.StatusOK)
		guestPage(f).Render(r.Context(), w)
	})
}

// handleGuestJoin lets a guest into one event by its code, with a display
// name and no account, until the event ends.
func (s *Server) handleGuestJoin() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !s.parseSmallForm(w, r) {
			return
		}
		code := strings.ToUpper(strings.TrimSpace(r.PostForm.Get("code")))
		f := s.newForm(r, "gast")
		f.Values["code"], f.Values["name"] = code, r.PostForm.Get("name")
		fail := func(status int, field, msg string) {
			f.Field, f.Message = field, msg
			s.html(w, status)
			guestPage(f).Render(r.Context(), w)
		}
		addr := clientAddr(r)
		if s.logins.blocked("gast-"+addr, addr) {
			w.Header().Set("Retry-After", "900")
			fail(http.StatusTooManyRequests, "code", tr(r.Context(), "err.event.guest_too_many_codes"))
			return
		}
		ev, ok := s.models.EventByCode(code)
		if !domain.ValidGuestCode(code) || !ok {
			s.logins.fail("gast-"+addr, addr)
			fail(http.StatusUnprocessableEntity, "code", tr(r.Context(), "err.event.guest_code_unknown"))
			return
		}
		if ev.Cancelled() {
			fail(http.StatusGone, "code", tr(r.Context(), "err.event.guest_cancelled"))
			return
		}
		now := time.Now()
		if ev.Over(now) {
			fail(http.StatusGone, "code", tr(r.Context(), "err.event.guest_over"))
			return
		}
		name, err := domain.CleanGuestName(r.PostForm.Get("name"))
		if err != nil {
			fail(http.StatusUnprocessableEntity, "name", errText(r.Context(), err))
			return
		}
		guest := "gast-" + strings.ReplaceAll(uuid.NewString(), "-", "")[:16]
		token := randomToken(32)
		sealedName, err := s.secrets.SealField(r.Context(), guest, "guest_name", name)
		if err != nil {
			s.internalError(w, r, "seal guest name", err)
			return
		}
		if err := s.secrets.PutSecret(r.Context(), bucketSessions, sessionKey(guest, token), session{
			Person: guest, CSRF: randomToken(24), Created: now, Expires: ev.End, Event: ev.ID, GuestName: sealedName,
		}); err != nil {
			s.internalError(w, r, "guest session", err)
			return
		}
		s.setSessionCookie(w, r, guest+"."+token, int(ev.End.Sub(now).Seconds())+1)
		http.Redirect(w, r, "/veranstaltungen/"+ev.ID, http.StatusSeeOther)
	})
}
