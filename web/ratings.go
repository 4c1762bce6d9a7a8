package web

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/a-h/templ"

	"logbuch/domain"
	"logbuch/projections"
	"logbuch/web/i18n"
)

// Anonymous ratings of events (domain/rating.go, domain/anonymous.go):
// the endpoint, the pool the values wait in, the results on the event's
// page and in the overviews (events list, roadmap), all live.
//
// Nothing here logs, counts or traces a rating's value: the value goes from
// the decoded command into the pool and, shuffled in a batch, into the log.

// Defaults of the rating settings.
const (
	DefaultRatingBatch = domain.MinAnonymousBatch
	DefaultMinRatings  = 3
)

// ratingModels is what ratings need of the read models.
type ratingModels interface {
	Rating(event string) (projections.RatingSummary, uint64)
	RatingsOf(events []string) (map[string]projections.RatingSummary, uint64)
	HasRated(event, rater string) bool
}

func (s *Server) initRatings() {
	if s.cfg.RatingBatch < domain.MinAnonymousBatch {
		s.cfg.RatingBatch = DefaultRatingBatch
	}
	if s.cfg.MinRatings <= 0 {
		s.cfg.MinRatings = DefaultMinRatings
	}
	s.ratingPool = domain.NewAnonymousPool(s.cfg.RatingBatch, s.releaseRatings)
}

// runRatings releases ready batches on the timer until ctx ends (with a
// flush interval of 0, Rate releases at once instead).
func (s *Server) runRatings(ctx context.Context) {
	if s.cfg.RatingFlush > 0 {
		s.ratingPool.Run(ctx, s.cfg.RatingFlush, func(err error) { s.log.Error("release ratings", "err", err) })
	}
}

// ReleaseRatings writes every batch of ratings that is ready, as of at: on
// the timer, at shutdown, and for the demo year. A remainder smaller than
// a batch stays in memory (domain/anonymous.go says why).
func (s *Server) ReleaseRatings(ctx context.Context, at time.Time) error {
	return s.ratingPool.Flush(ctx, at)
}

// releaseRatings appends one shuffled batch: no person (SystemActor), no
// session, the batch's random id as command id (a retry is applied once),
// and the hour as its only time.
func (s *Server) releaseRatings(ctx context.Context, event, batch string, values []int, at time.Time) error {
	meta := anonymousMeta(batch, at)
	_, err := domain.Execute(ctx, s.commands, domain.RatingResults, event, meta, "ReleaseRatings", any(domain.ReleaseRatings{Values: values}))
	return err
}

// Rate records that someone rated an event and puts the value into the
// pool. meta.Actor is the rater; cmd has its server-side fields set.
func (s *Server) Rate(ctx context.Context, meta domain.Meta, cmd domain.RateVeranstaltung) (domain.Result, error) {
	res, err := domain.Execute(ctx, s.commands, domain.Ratings, domain.RaterID(cmd.Event, meta.Actor), meta, "RateVeranstaltung", any(cmd))
	if err != nil || res.Duplicate {
		return res, err // a retry adds no second value
	}
	v, err := domain.ParseRating(cmd.Value)
	if err != nil {
		return res, err // decided already; cannot happen
	}
	s.ratingPool.Add(cmd.Event, v)
	if s.cfg.RatingFlush <= 0 {
		if err := s.ReleaseRatings(context.WithoutCancel(ctx), time.Now()); err != nil {
			s.log.Error("release ratings", "err", err)
		}
	}
	return res, nil
}

func (s *Server) handleRate() http.Handler {
	return s.command(commandRoute{
		name: "RateVeranstaltung", form: "bewerten",
		execute: func(ctx context.Context, _ *domain.Handler, _ string, meta domain.Meta, _ string, cmd any) (domain.Result, error) {
			return s.Rate(ctx, meta, cmd.(domain.RateVeranstaltung))
		},
		newCommand: func() any { return &domain.RateVeranstaltung{} },
		aggregate:  func(r *http.Request) string { return domain.RaterID(r.PathValue("id"), principalOf(r).Actor()) },
		prepare: func(r *http.Request, p principal, cmd any) error {
			c := cmd.(*domain.RateVeranstaltung)
			c.Event = r.PathValue("id")
			ev, _, _, ok := s.models.Event(c.Event)
			if !ok {
				return domain.Errorf(domain.ENOTFOUND, "err.event.not_found")
			}
			c.Status, c.Role, c.GuestEvent = ev.Status, p.Role, p.Event
			return nil
		},
		done: func(r *http.Request, res domain.Result) (string, string) {
			return "/veranstaltungen/" + r.PathValue("id"), "bewertet"
		},
		page: s.renderEvent,
	})
}

// ratingResult is what may be shown of an event's ratings: the results
// only from the minimum number of ratings on.
type ratingResult struct {
	Event        string
	Held         bool
	Participants int
	Minimum      int
	Shown        bool
	Count        int                   // released ratings, when shown
	Average      float64               // when shown
	Counts       [domain.MaxRating]int // when shown
}

func (s *Server) ratingResultOf(ev projections.EventInfo, sum projections.RatingSummary) ratingResult {
	r := ratingResult{Event: ev.ID, Held: ev.Held(), Participants: sum.Participants, Minimum: s.cfg.MinRatings}
	if n := sum.Released(); n >= s.cfg.MinRatings {
		r.Shown, r.Count, r.Average, r.Counts = true, n, sum.Average(), sum.Counts
	}
	return r
}

// JSON is the answer of GET /veranstaltungen/<id>/bewertung.
func (r ratingResult) JSON() map[string]any {
	out := map[string]any{"event": r.Event, "held": r.Held, "participants": r.Participants, "minimum": r.Minimum, "shown": r.Shown}
	if r.Shown {
		dist := map[string]int{}
		for i, c := range r.Counts {
			dist[strconv.Itoa(i+1)] = c
		}
		out["ratings"], out["average"], out["distribution"] = r.Count, r.Average, dist
	}
	return out
}

// ratingSection is the rating part of an event's page: the shared live
// results and, for the viewer, the form or the note that they rated.
type ratingSection struct {
	Result   ratingResult
	Seq      uint64
	CanRate  bool // a participant who has not rated yet
	HasRated bool
	Form     formState
}

func (s *Server) ratingSectionFor(r *http.Request, ev projections.EventInfo, f formState) ratingSection {
	p := principalOf(r)
	sum, seq := s.models.Rating(ev.ID)
	sec := ratingSection{Result: s.ratingResultOf(ev, sum), Seq: seq, Form: f.For("bewerten")}
	if ev.Held() && domain.CanIn(p.Role, "RateVeranstaltung", p.Event, ev.ID) {
		sec.HasRated = s.models.HasRated(ev.ID, domain.RaterID(ev.ID, p.Actor()))
		sec.CanRate = !sec.HasRated
	}
	return sec
}

// handleRatingJSON answers an event's ratings as JSON, as its page shows
// them: below the minimum without any result.
func (s *Server) handleRatingJSON() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ev, _, _, ok := s.models.Event(r.PathValue("id"))
		if !ok {
			s.writeError(w, r, http.StatusNotFound, domain.ENOTFOUND, "", tr(r.Context(), "err.event.not_found"))
			return
		}
		sum, _ := s.models.Rating(ev.ID)
		w.Header().Set("Cache-Control", "no-store")
		writeJSON(w, http.StatusOK, s.ratingResultOf(ev, sum).JSON())
	})
}

// ratingsOverview is the table of held events with their results.
type ratingsOverview struct {
	Seq     uint64
	Year    int // 0: every year
	Rows    []ratingRow
	Minimum int
}

type ratingRow struct {
	Event  projections.EventInfo
	Result ratingResult
}

func (s *Server) ratingsOverviewOf(year int) ratingsOverview {
	events, _ := s.models.Events()
	var ids []string
	for _, e := range events {
		if e.Held() && (year == 0 || e.Start.In(domain.Berlin).Year() == year) {
			ids = append(ids, e.ID)
		}
	}
	sums, seq := s.models.RatingsOf(ids)
	o := ratingsOverview{Seq: seq, Year: year, Minimum: s.cfg.MinRatings}
	for _, e := range events {
		if sum, ok := sums[e.ID]; ok {
			o.Rows = append(o.Rows, ratingRow{Event: e, Result: s.ratingResultOf(e, sum)})
		}
	}
	return o
}

// Live views of ratings.

// ratingOf returns the event of a rating view name.
func ratingOf(view string) (string, bool) {
	rest, ok := strings.CutPrefix(view, "veranstaltung/")
	if !ok {
		return "", false
	}
	id, ok := strings.CutSuffix(rest, "/bewertung")
	return id, ok && domain.ValidCommandID(id)
}

// ratingsYearOf returns the year of an overview view name (0: all years).
func ratingsYearOf(view string) (int, bool) {
	if view == projections.RatingsViewName {
		return 0, true
	}
	y, ok := strings.CutPrefix(view, projections.RatingsViewName+"/")
	if !ok || len(y) != 4 {
		return 0, false
	}
	year, err := strconv.Atoi(y)
	return year, err == nil && year >= 2000 && year <= 2100
}

// ratingView says whether a view is one of the ratings, the action it
// needs, and the event it belongs to (for a guest's scope).
func ratingView(view string) (action, event string, ok bool) {
	if id, ok := ratingOf(view); ok {
		return domain.ViewWall, id, true
	}
	if _, ok := ratingsYearOf(view); ok {
		return domain.ViewEvents, "", true
	}
	return "", "", false
}

func (s *Server) ratingViewExists(view string) bool {
	if id, ok := ratingOf(view); ok {
		_, _, _, exists := s.models.Event(id)
		return exists
	}
	_, ok := ratingsYearOf(view)
	return ok
}

func (s *Server) renderRatingView(ctx context.Context, view string) (string, []byte, uint64, bool) {
	var buf strings.Builder
	var id string
	var seq uint64
	var c templ.Component
	if event, ok := ratingOf(view); ok {
		ev, _, _, exists := s.models.Event(event)
		if !exists {
			return "", nil, 0, false
		}
		sum, sq := s.models.Rating(event)
		id, seq, c = "bewertung-live", sq, ratingLive(s.ratingResultOf(ev, sum), sq)
	} else if year, ok := ratingsYearOf(view); ok {
		o := s.ratingsOverviewOf(year)
		id, seq, c = "bewertungen-live", o.Seq, ratingsOverviewLive(o)
	} else {
		return "", nil, 0, false
	}
	if err := c.Render(ctx, &buf); err != nil {
		s.log.Error("render view", "view", view, "err", err)
		return "", nil, 0, false
	}
	return id, []byte(buf.String()), seq, true
}

// averageLabel writes an average with one decimal, the reader's way.
func averageLabel(ctx context.Context, v float64) string { return i18n.From(ctx).Decimal(v, 1) }

func ratingCountLabel(ctx context.Context, n int) string { return trn(ctx, "rating.count", n) }

func ratedByLabel(ctx context.Context, n int) string {
	if n == 0 {
		return tr(ctx, "rating.rated_by.none")
	}
	return trn(ctx, "rating.rated_by", n)
}

// ratingChoiceLabel names one choice of the scale.
func ratingChoiceLabel(ctx context.Context, v int) string {
	if l, ok := domain.RatingLabels[v]; ok {
		return tr(ctx, "rating.choice_with_label", v, l)
	}
	return formatInt(ctx, v)
}

// ratedEvents lists, for "Meine Daten", the events a person rated: that
// they rated is stored with their id; what they rated is not stored with
// them anywhere. The note is in the language of ctx.
func (s *Server) ratedEvents(ctx context.Context, p principal) map[string]any {
	events, _ := s.models.Events()
	rated := []map[string]string{}
	for _, e := range events {
		if s.models.HasRated(e.ID, domain.RaterID(e.ID, p.Actor())) {
			rated = append(rated, map[string]string{"id": e.ID, "titel": e.Title})
		}
	}
	return map[string]any{
		"bewertete_veranstaltungen": rated,
		"hinweis":                   tr(ctx, "rating.my_data_note"),
	}
}

// anonymousMeta is the envelope of a released batch (ratings or survey
// answers): nobody's, the batch's id as command id, the hour as its time.
func anonymousMeta(batch string, at time.Time) domain.Meta {
	return domain.Meta{CommandID: "anon-" + batch, Actor: domain.SystemActor, At: domain.AnonymousTime(at)}
}
