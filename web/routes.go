package web

import (
	"net/http"

	"logbuch/domain"
)

// routes lists every endpoint in one place.
func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /{$}", http.RedirectHandler("/lotsen", http.StatusSeeOther))
	mux.Handle("/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.writeError(w, r, http.StatusNotFound, domain.ENOTFOUND, "", tr(r.Context(), "request.page_not_found"))
	}))
	mux.Handle("GET /healthz", s.handleHealthz())
	mux.Handle("GET /readyz", s.handleReadyz())
	mux.Handle("GET /metrics", s.handleMetrics())
	mux.Handle("GET /static/{version}/", s.handleStatic())
	mux.Handle("GET /live", s.handleLive())

	mux.Handle("GET /anmelden", s.whenReady(s.handleLoginPage()))
	mux.Handle("POST /anmelden", s.whenReady(s.handleLogin()))
	mux.Handle("POST /abmelden", s.handleLogout())
	mux.Handle("GET /einladung/{token}", s.whenReady(s.handleInvitePage()))
	mux.Handle("POST /einladung/{token}", s.whenReady(s.handleInviteAccept()))
	mux.Handle("GET /demo/{token}", s.whenReady(s.handleDemoLogin()))
	mux.Handle("POST /sprache", s.handleChooseLanguage())

	mux.Handle("GET /konto", s.whenReady(s.handleAccount()))
	mux.Handle("GET /konto/daten", s.whenReady(s.handleMyData()))
	mux.Handle("POST /konto/ueberall-abmelden", s.handleLogoutEverywhere())
	mux.Handle("POST /konto/schluessel", s.handleCreateToken())
	mux.Handle("POST /konto/schluessel/{id}/widerrufen", s.handleRevokeToken())

	mux.Handle("GET /lotsen", s.whenReady(s.requireView(domain.ViewRoster, s.handleRosterPage())))
	mux.Handle("POST /lotsen", s.handleJoin())
	mux.Handle("GET /lotsen/{id}", s.whenReady(s.requireView(domain.ViewPerson, s.handlePersonPage())))
	mux.Handle("POST /lotsen/{id}/amt", s.handleChangeAmt())
	mux.Handle("POST /lotsen/{id}/rolle", s.handleChangeRole())
	mux.Handle("POST /lotsen/{id}/email", s.handleChangeEmail())
	mux.Handle("POST /lotsen/{id}/austritt", s.handleLeave())
	mux.Handle("POST /lotsen/{id}/wiedereintritt", s.handleRejoin())
	mux.Handle("POST /lotsen/{id}/loeschen", s.handleErase())
	mux.Handle("POST /lotsen/{id}/einladen", s.handleInviteCreate())

	mux.Handle("GET /veranstaltungen", s.whenReady(s.requireView(domain.ViewEvents, s.handleEventsPage())))
	mux.Handle("POST /veranstaltungen", s.handlePlanEvent())
	mux.Handle("GET /veranstaltungen/{id}", s.whenReady(s.requireEvent(s.handleEventPage())))
	mux.Handle("POST /veranstaltungen/{id}/wand", s.handlePost())
	mux.Handle("POST /veranstaltungen/{id}/verschieben", s.handleRescheduleEvent())
	mux.Handle("POST /veranstaltungen/{id}/absagen", s.handleCancelEvent())
	mux.Handle("POST /veranstaltungen/{id}/durchgefuehrt", s.handleMarkHeld())
	mux.Handle("POST /veranstaltungen/{id}/vortrag", s.handleAddTalk())
	mux.Handle("POST /veranstaltungen/{id}/bewertung", s.handleRate())
	mux.Handle("GET /veranstaltungen/{id}/bewertung", s.whenReady(s.requireEvent(s.handleRatingJSON())))
	// The workshop wall (web/wall.go, web/uploads.go, web/export.go).
	mux.Handle("POST /veranstaltungen/{id}/gruppen", s.handleAddGroup())
	mux.Handle("POST /veranstaltungen/{id}/gruppe", s.handleChooseGroup())
	mux.Handle("GET /veranstaltungen/{id}/wand/beamer", s.whenReady(s.requireEvent(s.handleProjector())))
	mux.Handle("GET /veranstaltungen/{id}/wand/export.md", s.whenReady(s.requireEvent(s.handleExportMarkdown())))
	mux.Handle("GET /veranstaltungen/{id}/wand/export.html", s.whenReady(s.requireEvent(s.handleExportHTML())))
	mux.Handle("GET /veranstaltungen/{id}/wand/fotos/{name}", s.whenReady(s.requireEvent(s.handlePhoto())))
	mux.Handle("GET /veranstaltungen/{id}/wand/{post}", s.whenReady(s.requireEvent(s.handlePostPage())))
	mux.Handle("POST /veranstaltungen/{id}/wand/{post}/bearbeiten", s.handleEditPost())
	mux.Handle("POST /veranstaltungen/{id}/wand/{post}/loeschen", s.handleDeletePost())
	mux.Handle("POST /veranstaltungen/{id}/wand/{post}/plus", s.handlePlusOne())
	mux.Handle("POST /veranstaltungen/{id}/wand/{post}/plus-zuruecknehmen", s.handleWithdrawPlusOne())
	mux.Handle("POST /veranstaltungen/{id}/wand/{post}/ausblenden", s.handleHidePost())
	mux.Handle("POST /veranstaltungen/{id}/wand/{post}/einblenden", s.handleUnhidePost())
	mux.Handle("GET /roadmap", s.whenReady(s.requireView(domain.ViewEvents, s.handleRoadmap())))
	mux.Handle("GET /kalender.ics", s.whenReady(s.handleCalendar()))
	mux.Handle("GET /gast", s.whenReady(s.handleGuestPage()))

	mux.Handle("GET /barrierefreiheit", s.whenReady(s.handleAccessibility()))
	mux.Handle("POST /barrierefreiheit", s.handleReportBarrier())
	mux.Handle("GET /barrierefreiheit/rueckmeldungen", s.whenReady(s.requireView(domain.ViewBarrierReports, s.handleBarrierReports())))
	mux.Handle("POST /barrierefreiheit/rueckmeldungen/{id}/erledigt", s.handleAnswerBarrierReport())
	mux.Handle("GET /leichte-sprache", s.handleEasyLanguage())

	if s.dash != nil {
		mux.Handle("GET /dashboard", s.whenReady(s.requireView(domain.ViewDashboard, s.handleDashboard())))
		mux.Handle("GET /dashboard/glossar", s.whenReady(s.requireView(domain.ViewDashboard, s.handleGlossary())))
		mux.Handle("GET /dashboard/{table}", s.whenReady(s.requireView(domain.ViewDashboard, s.handleDashboardCSV())))
	}
	mux.Handle("POST /gast", s.whenReady(s.handleGuestJoin()))
	mux.Handle("GET /veranstaltungen/{id}/wand/stand", s.whenReady(s.requireEvent(s.handleWallAsOf())))
	mux.Handle("GET /bericht/{year}", s.whenReady(s.requireView(domain.ViewReport, s.handleReport())))
	mux.Handle("POST /bericht/{year}/fazit", s.handleEditConclusion())
	s.surveyRoutes(mux)

	// KNowHow boards (web/boards.go).
	mux.Handle("GET /knowhow", s.whenReady(s.requireView(domain.ViewBoards, s.handleBoardsPage())))
	mux.Handle("POST /knowhow", s.handleCreateBoard())
	mux.Handle("GET /knowhow/{board}", s.whenReady(s.requireView(domain.ViewBoards, s.handleBoardPage())))
	mux.Handle("POST /knowhow/{board}/budget", s.handleSetVoteBudget())
	mux.Handle("POST /knowhow/{board}/schliessen", s.handleCloseVoting())
	mux.Handle("POST /knowhow/{board}/oeffnen", s.handleReopenVoting())
	mux.Handle("POST /knowhow/{board}/aufdecken", s.handleRevealVotes())
	mux.Handle("POST /knowhow/{board}/moderation", s.handleChangeFacilitator())
	mux.Handle("POST /knowhow/{board}/archivieren", s.handleArchiveBoard())
	mux.Handle("POST /knowhow/{board}/wiederherstellen", s.handleRestoreBoard())
	mux.Handle("POST /knowhow/{board}/praeferenz", s.handleSetPreference())
	mux.Handle("POST /knowhow/{board}/bedarf", s.handleSetNeed())
	mux.Handle("POST /knowhow/{board}/themen", s.handleProposeTopic())
	mux.Handle("GET /knowhow/{board}/import", s.whenReady(s.requireView(domain.ImportTopics, s.handleImportPage())))
	mux.Handle("POST /knowhow/{board}/import", s.handleImport())
	mux.Handle("POST /knowhow/{board}/themen/{topic}/verschieben", s.handleMoveTopic())
	mux.Handle("POST /knowhow/{board}/themen/{topic}/archivieren", s.handleArchiveTopic())
	mux.Handle("POST /knowhow/{board}/themen/{topic}/wiederherstellen", s.handleRestoreTopic())

	// KNowHow topics and the Videothek (web/topic.go).
	s.topicRoutes(mux)

	csrf := http.NewCrossOriginProtection()
	for _, o := range s.cfg.ExtraOrigins {
		if err := csrf.AddTrustedOrigin("https://" + o); err != nil {
			s.log.Warn("ignoring extra origin", "origin", o, "err", err)
		}
	}
	csrf.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.writeError(w, r, http.StatusForbidden, "forbidden", "", tr(r.Context(), "request.cross_origin"))
	}))
	return s.accessLog(securityHeaders(s.withLanguage(csrf.Handler(s.identify(mux)))))
}
