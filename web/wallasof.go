package web

import (
	"net/http"
	"time"

	"logbuch/domain"
	"logbuch/projections"
)

// The wall as it was ("Stand am …"): a read-only page of an event's wall,
// built from the log up to a date (projections.ReplayUntil), by workshop
// group, hidden posts left out. Names come from today's roster, so an
// erasure holds for the past too.

type wallAsOfPage struct {
	User   principal
	Event  projections.EventInfo
	Groups []reportGroup
	Stand  string
	AsOf   time.Time
	Error  string
	Names  func(string) string
}

func (s *Server) handleWallAsOf() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.PathValue("id")
		now := time.Now()
		p := wallAsOfPage{User: principalOf(r), Names: s.authorNames(r.Context())}
		status := http.StatusOK
		asOf, stand, err := ParseStand(r.URL.Query().Get("stand"), now)
		p.AsOf, p.Stand = asOf, stand
		var src interface {
			Event(string) (projections.EventInfo, []projections.WallPostView, uint64, bool)
		} = s.models
		if err != nil {
			p.Error, status = errText(r.Context(), err), http.StatusBadRequest
		} else if stand != "" && s.cfg.Replay != nil {
			then, err := s.cfg.Replay(r.Context(), asOf)
			if err != nil {
				s.internalError(w, r, "replay the wall as of a date", err)
				return
			}
			src = then
		}
		ev, posts, _, ok := src.Event(id)
		if !ok {
			if _, _, _, exists := s.models.Event(id); !exists {
				s.writeError(w, r, http.StatusNotFound, domain.ENOTFOUND, "", tr(r.Context(), "err.event.not_found"))
				return
			}
			ev, _, _, _ = s.models.Event(id) // planned only later: an empty wall
		}
		p.Event, p.Groups = ev, reportWallGroups(r.Context(), ev, posts)
		s.html(w, status)
		wallAsOfView(p).Render(r.Context(), w)
	})
}
