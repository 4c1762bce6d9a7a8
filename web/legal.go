package web

import (
	"context"
	"net/http"

	"logbuch/domain"
	"logbuch/projections"
)

// BarrierReports is what the admins' list of reports needs.
type BarrierReports interface {
	BarrierReports() ([]projections.BarrierReportView, uint64)
}

func feedbackCommand(ctx context.Context, h *domain.Handler, id string, meta domain.Meta, name string, cmd any) (domain.Result, error) {
	return domain.Execute(ctx, h, domain.Feedback, id, meta, name, cmd)
}

// accessibilityPage is the Erklärung zur Barrierefreiheit with its form.
type accessibilityPage struct {
	User   principal
	Form   formState
	Notice string
}

func (s *Server) handleAccessibility() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.renderAccessibility(w, r, s.newForm(r, "barriere"), http.StatusOK)
	})
}

func (s *Server) renderAccessibility(w http.ResponseWriter, r *http.Request, f formState, status int) {
	s.html(w, status)
	accessibilityView(accessibilityPage{User: principalOf(r), Form: f, Notice: noticeIn(r, notices)}).Render(r.Context(), w)
}

func (s *Server) handleEasyLanguage() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.html(w, http.StatusOK)
		easyLanguageView(principalOf(r)).Render(r.Context(), w)
	})
}

func (s *Server) handleReportBarrier() http.Handler {
	return s.command(commandRoute{
		name: "ReportBarrier", form: "barriere", execute: feedbackCommand,
		newCommand:   func() any { return &domain.ReportBarrier{} },
		aggregate:    newAggregateID,
		newAggregate: true,
		done: func(r *http.Request, res domain.Result) (string, string) {
			return "/barrierefreiheit", "rueckmeldung"
		},
		page: s.renderAccessibility,
	})
}

// barrierReportsPage lists the reports for the digital office.
type barrierReportsPage struct {
	User    principal
	Seq     uint64
	Reports []projections.BarrierReportView
	Names   func(actor string) string
	Form    formState
	Notice  string
}

func (s *Server) handleBarrierReports() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.renderBarrierReports(w, r, s.newForm(r, "erledigt"), http.StatusOK)
	})
}

func (s *Server) renderBarrierReports(w http.ResponseWriter, r *http.Request, f formState, status int) {
	src, ok := s.models.(BarrierReports)
	if !ok {
		s.writeError(w, r, http.StatusNotFound, domain.ENOTFOUND, "", tr(r.Context(), "request.no_such_page"))
		return
	}
	reports, seq := src.BarrierReports()
	s.html(w, status)
	barrierReportsView(barrierReportsPage{User: principalOf(r), Seq: seq, Reports: reports, Names: s.authorNames(r.Context()), Form: f, Notice: noticeIn(r, notices)}).Render(r.Context(), w)
}

func (s *Server) handleAnswerBarrierReport() http.Handler {
	return s.command(commandRoute{
		name: "AnswerBarrierReport", form: "erledigt", execute: feedbackCommand,
		newCommand: func() any { return &domain.AnswerBarrierReport{} },
		aggregate:  pathID,
		done: func(r *http.Request, res domain.Result) (string, string) {
			return "/barrierefreiheit/rueckmeldungen", "erledigt"
		},
		page: s.renderBarrierReports,
	})
}

// reporterName says who sent a barrier report: a name from the roster
// (an erased person in the reader's language), or that nobody knows.
func reporterName(ctx context.Context, name string) string {
	if name == "" {
		return tr(ctx, "barrier.reports.unknown")
	}
	return shownName(ctx, name)
}
