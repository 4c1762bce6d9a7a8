package web

import (
	"net/http"
)

// routes lists every endpoint in one place.
func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /{$}", http.RedirectHandler("/lotsen", http.StatusSeeOther))
	mux.Handle("GET /healthz", s.handleHealthz())
	mux.Handle("GET /readyz", s.handleReadyz())
	mux.Handle("GET /static/{version}/", s.handleStatic())
	mux.Handle("GET /live", s.handleLive())

	mux.Handle("GET /lotsen", s.whenReady(s.handleRosterPage()))
	mux.Handle("POST /lotsen", s.handleJoin())
	mux.Handle("GET /lotsen/{id}", s.whenReady(s.handlePersonPage()))
	mux.Handle("POST /lotsen/{id}/amt", s.handleChangeAmt())
	mux.Handle("POST /lotsen/{id}/rolle", s.handleChangeRole())
	mux.Handle("POST /lotsen/{id}/austritt", s.handleLeave())
	mux.Handle("POST /lotsen/{id}/wiedereintritt", s.handleRejoin())

	csrf := http.NewCrossOriginProtection()
	for _, o := range s.cfg.ExtraOrigins {
		if err := csrf.AddTrustedOrigin("https://" + o); err != nil {
			s.log.Warn("ignoring extra origin", "origin", o, "err", err)
		}
	}
	csrf.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.writeError(w, r, http.StatusForbidden, "forbidden", "", "Diese Anfrage kam nicht von einer Seite des Logbuchs und wurde abgelehnt.")
	}))
	return s.accessLog(securityHeaders(csrf.Handler(mux)))
}
