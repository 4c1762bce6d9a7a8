package web

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"time"

	"logbuch/domain"
	"logbuch/projections"
)

func rosterCommand(ctx context.Context, h *domain.Handler, id string, meta domain.Meta, name string, cmd any) (domain.Result, error) {
	return domain.Execute(ctx, h, domain.Roster, id, meta, name, cmd)
}

func (s *Server) handleRosterPage() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.renderRoster(w, r, s.newForm(r, "join"), http.StatusOK)
	})
}

func (s *Server) renderRoster(w http.ResponseWriter, r *http.Request, f formState, status int) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	rosterPageView(rosterPage{Roster: s.models.Roster(), Join: f, Notice: noticeIn(r, notices), User: principalOf(r)}).Render(r.Context(), w)
}

func (s *Server) handlePersonPage() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.renderPerson(w, r, s.newForm(r, ""), http.StatusOK)
	})
}

func (s *Server) renderPerson(w http.ResponseWriter, r *http.Request, f formState, status int) {
	p, seq, ok := s.models.Person(pathID(r))
	if !ok {
		s.writeError(w, r, http.StatusNotFound, domain.ENOTFOUND, "", tr(r.Context(), "person.not_on_roster"))
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	personPageView(personPage{Person: p, Seq: seq, Form: f, Notice: noticeIn(r, notices), User: principalOf(r)}).Render(r.Context(), w)
}

// notices are the messages the roster, a person's page and the
// accessibility statement show after a successful action, by the key the
// redirect carries (?hinweis=…): the URL names only the key, so nobody
// can make the page say something else. Each names its catalogue text.
// (The pages of events, the wall, the survey and the report keep their
// own lists.)
var notices = map[string]domain.Msg{
	"aufgenommen":    domain.M("person.notice.joined"),
	"amt":            domain.M("person.notice.amt_changed"),
	"rolle":          domain.M("person.notice.role_changed"),
	"austritt":       domain.M("person.notice.left"),
	"wiedereintritt": domain.M("person.notice.rejoined"),
	"rueckmeldung":   domain.M("barrier.notice.reported"),
	"erledigt":       domain.M("barrier.notice.answered"),
}

// noticeIn says the notice of a page's list (notices, boardNotices, …)
// that the request's URL names (?hinweis=…), in the reader's language; ""
// for none or one the list does not have.
func noticeIn(r *http.Request, list map[string]domain.Msg) string {
	return trm(r.Context(), list[r.URL.Query().Get("hinweis")])
}

// shownName says a name from the roster: the marker of an erased person
// (domain.ErasedName, which read models carry as the name) in the
// reader's language, every other name as it is.
func shownName(ctx context.Context, name string) string {
	if domain.IsErasedName(name) {
		return tr(ctx, domain.ErasedNameKey)
	}
	return name
}

func (s *Server) handleJoin() http.Handler {
	return s.command(commandRoute{
		name: "JoinLotse", form: "join", execute: rosterCommand,
		newCommand:   func() any { return &domain.JoinLotse{} },
		aggregate:    newAggregateID,
		newAggregate: true,
		done: func(r *http.Request, res domain.Result) (string, string) {
			return "/lotsen", "aufgenommen"
		},
		page: s.renderRoster,
	})
}

func (s *Server) personCommand(name, form string, newCommand func() any, after func(context.Context, domain.Result) error) http.Handler {
	return s.command(commandRoute{
		name: name, form: form, execute: rosterCommand,
		newCommand: newCommand,
		aggregate:  pathID,
		after:      after,
		done: func(r *http.Request, res domain.Result) (string, string) {
			return "/lotsen/" + res.AggregateID(), form
		},
		page: s.renderPerson,
	})
}

func (s *Server) handleChangeAmt() http.Handler {
	return s.personCommand("ChangeAmt", "amt", func() any { return &domain.ChangeAmt{} }, nil)
}

func (s *Server) handleChangeRole() http.Handler {
	return s.personCommand("ChangeRole", "rolle", func() any { return &domain.ChangeRole{} }, nil)
}

func (s *Server) handleChangeEmail() http.Handler {
	return s.personCommand("ChangeEmail", "email", func() any { return &domain.ChangeEmail{} }, nil)
}

// Someone who leaves can no longer log in; their sessions end now.
func (s *Server) handleLeave() http.Handler {
	return s.personCommand("LeaveRoster", "austritt", func() any { return &domain.LeaveRoster{} }, s.leaveAfter)
}

func (s *Server) handleRejoin() http.Handler {
	return s.personCommand("RejoinRoster", "wiedereintritt", func() any { return &domain.RejoinRoster{} }, nil)
}

func (s *Server) handleErase() http.Handler {
	return s.personCommand("EraseLotse", "loeschen", func() any { return &domain.EraseLotse{} }, s.eraseAfter)
}

// validViewName accepts the shapes of view names that exist.
func validViewName(v string) bool {
	if v == projections.RosterViewName {
		return true
	}
	if _, ok := topicViewAction(v); ok {
		return true
	}
	if _, ok := dashboardYearOf(v); ok {
		return true
	}
	if _, ok := reportYearOf(v); ok {
		return true
	}
	if _, ok := wallOf(v); ok {
		return true
	}
	if _, ok := knowhowView(v); ok {
		return true
	}
	if _, _, ok := ratingView(v); ok {
		return true
	}
	if _, ok := surveyViewYear(v); ok {
		return true
	}
	id, ok := strings.CutPrefix(v, "lotse/")
	return ok && domain.ValidCommandID(id)
}

func (s *Server) viewExists(v string) bool {
	if v == projections.RosterViewName {
		return true
	}
	if mine, exists := s.topicViewExists(v); mine {
		return exists
	}
	if _, ok := dashboardYearOf(v); ok {
		return s.dash != nil
	}
	if id, ok := wallOf(v); ok {
		_, _, _, exists := s.models.Event(id)
		return exists
	}
	if _, _, ok := ratingView(v); ok {
		return s.ratingViewExists(v)
	}
	if _, ok := reportYearOf(v); ok {
		_, exists := s.reportSource()
		return exists
	}
	if year, ok := surveyViewYear(v); ok {
		return s.surveyViewExists(year)
	}
	if id, ok := strings.CutPrefix(v, "lotse/"); ok {
		_, _, exists := s.models.Person(id)
		return exists
	}
	if _, ok := knowhowView(v); ok {
		return s.knowhowViewExists(v)
	}
	return false
}

// renderView renders one live view once, for every subscriber.
func (s *Server) renderView(ctx context.Context, view string) (string, []byte, uint64, bool) {
	var buf bytes.Buffer
	if id, audience, ok := wallView(view); ok {
		return s.renderWall(ctx, id, audience)
	}
	if handled, id, html, seq, ok := s.renderKnowhowView(ctx, view); handled {
		return id, html, seq, ok
	}
	if mine, id, html, seq, ok := s.renderTopicView(ctx, view); mine {
		return id, html, seq, ok
	}
	if year, ok := dashboardYearOf(view); ok && s.dash != nil {
		return s.renderDashboard(ctx, year)
	}
	if _, _, ok := ratingView(view); ok {
		return s.renderRatingView(ctx, view)
	}
	if year, ok := reportYearOf(view); ok {
		return s.renderReportConclusion(ctx, year)
	}
	if year, ok := surveyViewYear(view); ok {
		return s.renderSurveyView(ctx, year)
	}
	switch {
	case view == projections.RosterViewName:
		rv := s.models.Roster()
		if err := rosterLive(rv).Render(ctx, &buf); err != nil {
			s.log.Error("render view", "view", view, "err", err)
			return "", nil, 0, false
		}
		return "roster-live", buf.Bytes(), rv.Seq, true
	case strings.HasPrefix(view, "lotse/"):
		p, seq, ok := s.models.Person(strings.TrimPrefix(view, "lotse/"))
		if !ok {
			return "", nil, 0, false
		}
		if err := personLive(p, seq).Render(ctx, &buf); err != nil {
			s.log.Error("render view", "view", view, "err", err)
			return "", nil, 0, false
		}
		return "person-live", buf.Bytes(), seq, true
	}
	return "", nil, 0, false
}

// whenReady holds a page until the read models have caught up with the log
// (briefly, right after a start), so that nobody sees an old state; if that
// takes long, it says so instead of showing something incomplete.
func (s *Server) whenReady(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		deadline := time.Now().Add(5 * time.Second)
		for !s.models.Ready() {
			if time.Now().After(deadline) || r.Context().Err() != nil {
				applied, target := s.models.Progress()
				w.Header().Set("Retry-After", "5")
				s.writeError(w, r, http.StatusServiceUnavailable, "starting", "",
					tr(r.Context(), "request.starting_progress", applied, target))
				return
			}
			time.Sleep(20 * time.Millisecond)
		}
		next.ServeHTTP(w, r)
	})
}

func (s *Server) handleHealthz() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Write([]byte("ok\n"))
	})
}

func (s *Server) handleReadyz() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		applied, target := s.models.Progress()
		ready := s.models.Ready()
		status := http.StatusOK
		if !ready {
			status = http.StatusServiceUnavailable
		}
		writeJSON(w, status, map[string]any{"ready": ready, "applied": applied, "target": target})
	})
}
