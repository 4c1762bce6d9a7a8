// Package web serves Logbuch's pages, its command endpoints and the live
// WebSocket. Pages are rendered on the server with templ; live views are
// rendered once per change and fanned out by the hub.
package web

import (
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"logbuch/domain"
	"logbuch/projections"
)

// ReadModels is what the web needs of the projections.
type ReadModels interface {
	Roster() projections.RosterView
	Person(id string) (projections.Person, uint64, bool)
	PersonByEmail(email string) (projections.Person, bool)
	Events() ([]projections.EventInfo, uint64)
	Event(id string) (projections.EventInfo, []projections.WallPostView, uint64, bool)
	EventByCode(code string) (projections.EventInfo, bool)
	WallPost(id string) (projections.WallPostView, string, bool)
	GroupOf(event, actor string) string
	GroupSizes(event string) map[string]int
	WaitFor(ctx context.Context, seq uint64) error
	Progress() (applied, target uint64)
	Ready() bool
	OnChange(func(projections.Change))
	boardModels
	ratingModels
}

// Config of the web server.
type Config struct {
	// ExtraOrigins are host patterns (e.g. "logbuch.konstanz.de") that may
	// open the live socket and post forms besides the server's own origin.
	ExtraOrigins []string
	Logger       *slog.Logger
	// WaitTimeout bounds how long a write waits for its own change to be
	// visible before it answers anyway.
	WaitTimeout time.Duration
	// PublicURL is where people reach Logbuch (links in invitations);
	// https:// also marks cookies Secure.
	PublicURL string
	// Demo enables one-click demo logins.
	Demo bool
	// CommandRate and CommandBurst limit commands per session or token.
	CommandRate  float64
	CommandBurst int
	// MaxConnsPerPerson bounds the live connections of one person (tabs,
	// devices); 0 means 20.
	MaxConnsPerPerson int
	// IdleLive closes a live connection that subscribes to nothing for this
	// long; 0 means 30 seconds.
	IdleLive time.Duration
	// MetricsToken, if set, is required as a bearer token on /metrics.
	MetricsToken string
	// LastSeq reads the log's newest sequence (for the lag figure).
	LastSeq func(context.Context) (uint64, error)
	// SnapshotAge reports the age of the newest projection snapshot.
	SnapshotAge func() (time.Duration, bool)
	// Presence carries who is looking at what between replicas; nil keeps
	// presence to this replica.
	Presence PresenceBus
	// Anonymous ratings (ratings.go): the batch size of a release, how
	// often ready batches are released (0: as soon as one is ready), and
	// the minimum number of ratings before results are shown.
	RatingBatch int
	RatingFlush time.Duration
	MinRatings  int
	// Uploads stores photos of the walls; nil: the secrets' store, if it
	// is one.
	Uploads Uploads
	// Replay builds read models as of a moment, for the annual report's
	// "Stand am …" (projections.ReplayUntil on the log); nil: no as-of.
	Replay func(ctx context.Context, t time.Time) (ReportSource, error)
	// City is named on the annual report's cover (default Konstanz).
	City string
}

// Server is Logbuch's HTTP side.
type Server struct {
	cfg      Config
	log      *slog.Logger
	commands *domain.Handler
	models   ReadModels
	secrets  Secrets
	hub      *Hub
	conns    sync.Map // *subscriber → *websocket.Conn
	handler  http.Handler
	logins   *loginLimiter
	limits   *commandLimits
	metrics  *metrics
	perUser  *connCounter
	presence *presence
	dash     Dashboard // nil when the read models have no figures

	ratingPool *domain.AnonymousPool
	surveyPool *domain.AnonymousPool // the annual survey's answers (survey.go)
}

// NewServer wires the routes. It registers the hub with the read models, so
// call it before the projections start.
func NewServer(cfg Config, commands *domain.Handler, models ReadModels, secrets Secrets) *Server {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.WaitTimeout <= 0 {
		cfg.WaitTimeout = 10 * time.Second
	}
	if cfg.PublicURL == "" {
		cfg.PublicURL = "http://localhost:8080"
	}
	if cfg.CommandRate <= 0 {
		cfg.CommandRate, cfg.CommandBurst = 10, 40
	}
	if cfg.City == "" {
		cfg.City = "Konstanz"
	}
	if cfg.MaxConnsPerPerson <= 0 {
		cfg.MaxConnsPerPerson = 20
	}
	if cfg.IdleLive <= 0 {
		cfg.IdleLive = 30 * time.Second
	}
	s := &Server{cfg: cfg, log: cfg.Logger, commands: commands, models: models, secrets: secrets,
		logins: newLoginLimiter(), limits: newCommandLimits(cfg.CommandRate, cfg.CommandBurst)}
	s.initRatings()
	if s.cfg.Uploads == nil {
		s.cfg.Uploads, _ = secrets.(Uploads)
	}
	s.initSurvey()
	s.hub = NewHub(s.renderView, cfg.Logger)
	s.perUser = &connCounter{n: map[string]int{}}
	s.metrics = newMetrics(s)
	s.hub.onSlow = s.metrics.slowClosed.Inc
	s.presence = newPresence(cfg.Presence, s.hub, cfg.Logger)
	s.dash, _ = models.(Dashboard)
	commands.SetObserver(s.metrics)
	models.OnChange(s.hub.Changed)
	s.handler = s.routes()
	return s
}

// Run processes live updates until ctx ends, and closes the live
// connections of sessions that end anywhere (logout, erasure, another
// replica).
func (s *Server) Run(ctx context.Context) {
	if err := s.secrets.WatchSecretDeletes(ctx, bucketSessions, s.closeSession); err != nil {
		s.log.Error("cannot watch sessions; ended sessions keep their live connections until they reconnect", "err", err)
	}
	go s.presence.Run(ctx)
	go s.runRatings(ctx)
	go s.runSurvey(ctx)
	s.hub.Run(ctx)
}

// displayName is how others see someone in presence; "" for someone
// without a name on the roster, whom each viewer's page calls "someone" in
// its own language.
func (s *Server) displayName(p principal) string {
	if p.Name != "" {
		return p.Name
	}
	if person, _, ok := s.models.Person(p.Person); ok {
		return person.Name
	}
	return ""
}

// CloseLive closes every live connection with a going-away status; part of
// a graceful shutdown, after the HTTP server stopped accepting.
func (s *Server) CloseLive() { s.closeAll() }

// LiveConnections counts open live connections.
func (s *Server) LiveConnections() int { return s.hub.Subscribers() }

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

//go:embed static
var staticFiles embed.FS

// staticVersion changes whenever a static file changes, so browsers may
// cache them forever under a versioned path.
var staticVersion = func() string {
	h := sha256.New()
	fs.WalkDir(staticFiles, "static", func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			b, _ := staticFiles.ReadFile(path)
			h.Write([]byte(path))
			h.Write(b)
		}
		return nil
	})
	return hex.EncodeToString(h.Sum(nil))[:12]
}()

func (s *Server) handleStatic() http.Handler {
	sub, _ := fs.Sub(staticFiles, "static")
	files := http.StripPrefix("/static/"+staticVersion+"/", http.FileServerFS(sub))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.PathValue("version") != staticVersion {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		files.ServeHTTP(w, r)
	})
}

// securityHeaders sets a strict policy on every answer: no inline script or
// style, nothing from elsewhere, no framing.
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
		next.ServeHTTP(w, r)
	})
}

// accessLog logs method, path, status and duration; never bodies or query
// strings, which may carry personal data.
func (s *Server) accessLog(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		s.log.Debug("http", "method", r.Method, "path", r.URL.Path, "status", rec.status, "dur", time.Since(start))
	})
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

// Unwrap lets the WebSocket upgrade reach the real connection.
func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }
