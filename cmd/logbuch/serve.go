package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"logbuch/domain"
	"logbuch/embed"
	"logbuch/projections"
	"logbuch/web"
	"logbuch/web/i18n"
)

// snapshotEvery is how many log messages pass between projection snapshots.
const snapshotEvery = 10000

// Config is everything serve can be told.
type Config struct {
	HTTP         string
	DataDir      string
	NatsURL      string
	Demo         bool
	Tenant       string
	LogLevel     string
	PublicURL    string
	MetricsToken string
	LiveIdle     time.Duration
	RatingBatch  int
	RatingFlush  time.Duration
	MinRatings   int
	// CommandRate and CommandBurst limit the commands of one session or
	// API key (per second, and at once).
	CommandRate  float64
	CommandBurst int

	NatsListen   string
	NatsUser     string
	NatsPassword string
	NatsTLSCert  string
	NatsTLSKey   string

	NatsToken string
	NatsCreds string
	NatsNKey  string
	NatsCA    string
	NatsCert  string
	NatsKey   string
	Replicas  int

	// Federation of two cities (docs/operations.md).
	JetStreamDomain string
	LeafListen      string
	LeafUser        string
	LeafPassword    string
	LeafRemote      string
	Partner         string
	PartnerDomain   string
}

// Main is the running program: the log, the projections, the web server.
// Tests use it to start the whole of Logbuch in-process.
type Main struct {
	getenv func(string) string // the environment ParseFlags read
	Config Config
	stdout io.Writer
	stderr io.Writer
	log    *slog.Logger

	Log      *embed.Log
	Runner   *projections.Runner
	Commands *domain.Handler
	Web      *web.Server

	listener net.Listener
	// SetupLink is the one-time link for the first admin, when the
	// installation has no accounts yet; DemoLinks log in demo people.
	SetupLink string
	DemoLinks map[string]string
	http      *http.Server
	cancel    context.CancelFunc
	done      chan struct{}
}

// NewMain returns a program that logs to stderr and talks to stdout.
func NewMain(stdout, stderr io.Writer) *Main {
	return &Main{stdout: stdout, stderr: stderr, log: slog.New(slog.NewTextHandler(stderr, nil))}
}

// flagSet declares the shared flags with defaults from the environment.
func flagSet(name string, c *Config, getenv func(string) string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	env := func(key, def string) string {
		if v := getenv("LOGBUCH_" + key); v != "" {
			return v
		}
		return def
	}
	fs.StringVar(&c.HTTP, "http", env("HTTP", ":8080"), "address to serve HTTP on")
	fs.StringVar(&c.DataDir, "data-dir", env("DATA_DIR", "./data"), "data dir of the embedded NATS server")
	fs.StringVar(&c.NatsURL, "nats-url", env("NATS_URL", ""), "external NATS server instead of the embedded one")
	demo, _ := strconv.ParseBool(env("DEMO", "false"))
	fs.BoolVar(&c.Demo, "demo", demo, "load the demo year into an empty log")
	fs.StringVar(&c.Tenant, "tenant", env("TENANT", "konstanz"), "the city whose record this is")
	fs.StringVar(&c.LogLevel, "log-level", env("LOG_LEVEL", "info"), "debug, info, warn or error")
	fs.StringVar(&c.PublicURL, "public-url", env("PUBLIC_URL", ""), "where people reach Logbuch, for links (default http://localhost:<port>)")
	idle, _ := time.ParseDuration(env("LIVE_IDLE", "30s"))
	fs.DurationVar(&c.LiveIdle, "live-idle", idle, "close live connections that follow no view for this long")
	ratingBatch, _ := strconv.Atoi(env("RATING_BATCH", strconv.Itoa(web.DefaultRatingBatch)))
	fs.IntVar(&c.RatingBatch, "rating-batch", ratingBatch, "release anonymous ratings in shuffled batches of at least this many (3 or more)")
	ratingFlush, _ := time.ParseDuration(env("RATING_FLUSH", "5m"))
	fs.DurationVar(&c.RatingFlush, "rating-flush", ratingFlush, "how often ready batches of ratings are released (0: as soon as one is ready)")
	minRatings, _ := strconv.Atoi(env("MIN_RATINGS", strconv.Itoa(web.DefaultMinRatings)))
	fs.IntVar(&c.MinRatings, "min-ratings", minRatings, "show an event's results only from this many ratings on")
	commandRate, _ := strconv.ParseFloat(env("COMMAND_RATE", "10"), 64)
	fs.Float64Var(&c.CommandRate, "command-rate", commandRate, "commands per second one session or API key may send")
	commandBurst, _ := strconv.Atoi(env("COMMAND_BURST", "40"))
	fs.IntVar(&c.CommandBurst, "command-burst", commandBurst, "commands one session or API key may send at once")
	fs.StringVar(&c.MetricsToken, "metrics-token", env("METRICS_TOKEN", ""), "require this bearer token on /metrics")
	fs.StringVar(&c.NatsListen, "nats-listen", env("NATS_LISTEN", ""), "open a TCP port on the embedded NATS server (needs --nats-user and --nats-password)")
	fs.StringVar(&c.NatsUser, "nats-user", env("NATS_USER", ""), "NATS user name")
	fs.StringVar(&c.NatsPassword, "nats-password", env("NATS_PASSWORD", ""), "NATS password (better: LOGBUCH_NATS_PASSWORD)")
	fs.StringVar(&c.NatsTLSCert, "nats-tls-cert", env("NATS_TLS_CERT", ""), "TLS certificate for the NATS port")
	fs.StringVar(&c.NatsTLSKey, "nats-tls-key", env("NATS_TLS_KEY", ""), "TLS key for the NATS port")
	fs.StringVar(&c.NatsToken, "nats-token", env("NATS_TOKEN", ""), "token for an external NATS (better: LOGBUCH_NATS_TOKEN)")
	fs.StringVar(&c.NatsCreds, "nats-creds", env("NATS_CREDS", ""), ".creds file for an external NATS")
	fs.StringVar(&c.NatsNKey, "nats-nkey", env("NATS_NKEY", ""), "NKey seed file for an external NATS")
	fs.StringVar(&c.NatsCA, "nats-ca", env("NATS_CA", ""), "CA file to trust for an external NATS with TLS")
	fs.StringVar(&c.NatsCert, "nats-cert", env("NATS_CERT", ""), "client certificate for an external NATS")
	fs.StringVar(&c.NatsKey, "nats-key", env("NATS_KEY", ""), "client key for an external NATS")
	replicas, _ := strconv.Atoi(env("REPLICAS", "1"))
	fs.IntVar(&c.Replicas, "replicas", replicas, "replicas of the stream and buckets on a NATS cluster (1, 3 or 5)")
	fs.StringVar(&c.JetStreamDomain, "jetstream-domain", env("JETSTREAM_DOMAIN", ""), "JetStream domain of the embedded NATS server (federation)")
	fs.StringVar(&c.LeafListen, "leaf-listen", env("LEAF_LISTEN", ""), "accept the partner city's leaf-node link on this address (needs --leaf-user and --leaf-password)")
	fs.StringVar(&c.LeafUser, "leaf-user", env("LEAF_USER", ""), "user of the leaf-node link")
	fs.StringVar(&c.LeafPassword, "leaf-password", env("LEAF_PASSWORD", ""), "password of the leaf-node link (better: LOGBUCH_LEAF_PASSWORD)")
	fs.StringVar(&c.LeafRemote, "leaf-remote", env("LEAF_REMOTE", ""), "connect to the partner city's leaf port, nats-leaf://user:password@host:7422")
	fs.StringVar(&c.Partner, "federation-partner", env("FEDERATION_PARTNER", ""), "the partner city (its --tenant) whose #KNmeetsHN spaces this log shares")
	fs.StringVar(&c.PartnerDomain, "federation-partner-domain", env("FEDERATION_PARTNER_DOMAIN", ""), "the JetStream domain of the partner city's NATS")
	return fs
}

// ParseFlags reads flags and LOGBUCH_* variables.
func (m *Main) ParseFlags(name string, args []string, getenv func(string) string) error {
	m.getenv = getenv
	fs := flagSet(name, &m.Config, getenv)
	fs.SetOutput(io.Discard)
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w\n%s", err, usage)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q\n%s", fs.Arg(0), usage)
	}
	if m.Config.RatingBatch < domain.MinAnonymousBatch {
		return fmt.Errorf("--rating-batch %d: at least %d, or a batch could be traced to a person", m.Config.RatingBatch, domain.MinAnonymousBatch)
	}
	if m.Config.MinRatings < 1 || m.Config.RatingFlush < 0 {
		return fmt.Errorf("--min-ratings must be 1 or more and --rating-flush 0 or more")
	}
	if m.Config.CommandRate <= 0 || m.Config.CommandBurst < 1 {
		return fmt.Errorf("--command-rate must be above 0 and --command-burst 1 or more")
	}
	if r := m.Config.Replicas; r != 1 && r != 3 && r != 5 {
		return fmt.Errorf("--replicas %d: use 1, 3 or 5", r)
	}
	if m.Config.Replicas > 1 && m.Config.NatsURL == "" {
		return fmt.Errorf("--replicas %d needs a NATS cluster (--nats-url); the embedded server is a single node", m.Config.Replicas)
	}
	if !domain.ValidCommandID(m.Config.Tenant) || strings.ToLower(m.Config.Tenant) != m.Config.Tenant {
		return fmt.Errorf("--tenant %q: use lower-case letters, digits and dashes", m.Config.Tenant)
	}
	if err := m.Config.checkFederation(); err != nil {
		return err
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(m.Config.LogLevel)); err != nil {
		return fmt.Errorf("--log-level: %w", err)
	}
	m.log = slog.New(slog.NewTextHandler(m.stderr, &slog.HandlerOptions{Level: level}))
	return nil
}

// Run starts everything and returns once Logbuch serves HTTP.
func (m *Main) Run(ctx context.Context) (err error) {
	c := m.Config
	// A broken catalogue stops the start with its reason, before any page
	// could show a key instead of a text.
	if err := i18n.Load(); err != nil {
		return err
	}
	openCtx, cancelOpen := context.WithTimeout(ctx, 60*time.Second)
	defer cancelOpen()
	m.Log, err = embed.Open(openCtx, c.logConfig(m.log))
	if err != nil {
		return err
	}
	m.listener, err = net.Listen("tcp", c.HTTP)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", c.HTTP, err)
	}
	publicURL := c.PublicURL
	if publicURL == "" {
		publicURL = m.URL()
	}
	m.Runner = projections.NewRunner(m.Log, m.log)
	m.Runner.UseSnapshots(m.Log, m.Log, snapshotEvery)
	m.Commands = domain.NewHandler(m.Log, m.Runner, c.Tenant)
	if p := m.Log.Placement(); p != nil {
		m.Commands.SetPlacement(p)
	}
	m.Web = web.NewServer(web.Config{Logger: m.log, PublicURL: publicURL, Demo: c.Demo, MetricsToken: c.MetricsToken, LastSeq: m.Log.LastSeq, SnapshotAge: m.Runner.SnapshotAge, IdleLive: c.LiveIdle, Presence: m.Log,
		RatingBatch: c.RatingBatch, RatingFlush: c.RatingFlush, MinRatings: c.MinRatings, CommandRate: c.CommandRate, CommandBurst: c.CommandBurst,
		Replay: m.replay, City: cityName(c.Tenant)}, m.Commands, m.Runner, m.Log)

	bg, cancel := context.WithCancel(context.Background())
	m.cancel = cancel
	m.done = make(chan struct{})
	go func() {
		defer close(m.done)
		done := make(chan struct{})
		go func() { m.Web.Run(bg); close(done) }()
		m.Runner.Run(bg)
		<-done
	}()

	if c.Demo {
		if err := m.loadDemo(ctx, publicURL); err != nil {
			return err
		}
	} else if err := m.offerSetup(ctx, publicURL); err != nil {
		return err
	}
	m.http = &http.Server{
		Handler:           m.Web,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(m.log.Handler(), slog.LevelWarn),
	}
	// Shutdown stops accepting; live sockets are hijacked, so close them
	// ourselves with a going-away status.
	m.http.RegisterOnShutdown(m.Web.CloseLive)
	go func() {
		if err := m.http.Serve(m.listener); err != nil && !errors.Is(err, http.ErrServerClosed) {
			m.log.Error("http server stopped", "err", err)
		}
	}()
	say := cliCatalogue(m.getenv)
	fmt.Fprintln(m.stdout, say.T("cli.serve.running", m.URL()))
	if m.SetupLink != "" {
		fmt.Fprintf(m.stdout, "\n%s\n  %s\n", say.T("cli.serve.setup_link"), m.SetupLink)
	}
	if len(m.DemoLinks) > 0 {
		fmt.Fprintf(m.stdout, "\n%s\n", say.T("cli.serve.demo_links"))
		for _, who := range demoLogins {
			if link, ok := m.DemoLinks[who]; ok {
				fmt.Fprintf(m.stdout, "  %-15s %s\n", say.T("cli.serve.demo."+strings.ToLower(who))+":", link)
			}
		}
	}
	m.log.Info("serving", "url", m.URL(), "data_dir", c.DataDir, "nats", natsLabel(c.NatsURL), "tenant", c.Tenant)
	return nil
}

func natsLabel(url string) string {
	if url == "" {
		return "embedded"
	}
	return url
}

// URL is where Logbuch answers, e.g. http://localhost:8080.
func (m *Main) URL() string {
	if m.listener == nil {
		return ""
	}
	addr := m.listener.Addr().(*net.TCPAddr)
	host := addr.IP.String()
	if addr.IP.IsUnspecified() {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, strconv.Itoa(addr.Port))
}

// Close shuts down gracefully: stop accepting, close live sockets with a
// going-away status, let requests in flight finish, stop the projections,
// flush and stop NATS.
func (m *Main) Close() error {
	var errs []error
	if m.http != nil {
		// Requests in flight get a few seconds; connections that never sent
		// a request (browsers open spare ones) would hold Shutdown for 5 s.
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		if err := m.http.Shutdown(ctx); err != nil {
			m.log.Warn("closing connections still open after 3 s", "err", err)
			m.http.Close()
		}
		cancel()
	}
	if m.Web != nil {
		// Ratings waiting for the timer go to the log now; a remainder
		// smaller than a batch is dropped (domain/anonymous.go).
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		if err := m.Web.ReleaseRatings(ctx, time.Now()); err != nil {
			m.log.Warn("ratings not released at shutdown", "err", err)
		}
		if err := m.Web.ReleaseSurveyAnswers(ctx, time.Now()); err != nil {
			m.log.Warn("survey answers not released at shutdown", "err", err)
		}
		cancel()
	}
	if m.Runner != nil && m.Runner.Ready() {
		// The next start then folds only what comes after.
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		if err := m.Runner.SaveSnapshot(ctx); err != nil {
			m.log.Warn("no snapshot at shutdown; the next start rebuilds more of the log", "err", err)
		}
		cancel()
	}
	if m.cancel != nil {
		m.cancel()
		<-m.done
	}
	if m.Log != nil {
		if err := m.Log.Close(); err != nil {
			errs = append(errs, err)
		}
	}
	m.log.Info("stopped")
	return errors.Join(errs...)
}

func (c Config) logConfig(log *slog.Logger) embed.Config {
	return embed.Config{DataDir: c.DataDir, NatsURL: c.NatsURL, Logger: log, Replicas: c.Replicas,
		Listen: c.NatsListen, User: c.NatsUser, Password: c.NatsPassword, TLSCert: c.NatsTLSCert, TLSKey: c.NatsTLSKey,
		Token: c.NatsToken, CredsFile: c.NatsCreds, NKeySeed: c.NatsNKey, CAFile: c.NatsCA, CertFile: c.NatsCert, KeyFile: c.NatsKey,
		JetStreamDomain: c.JetStreamDomain, LeafListen: c.LeafListen, LeafUser: c.LeafUser, LeafPassword: c.LeafPassword, LeafRemote: c.LeafRemote,
		Federation: c.federation()}
}

// offerSetup prints a one-time link for the first admin while nobody has
// an account.
func (m *Main) offerSetup(ctx context.Context, publicURL string) error {
	has, err := web.HasAccounts(ctx, m.Log)
	if err != nil || has {
		return err
	}
	m.SetupLink, err = web.CreateSetupLink(ctx, m.Log, publicURL)
	return err
}

// waitReady blocks until the projections caught up with the log.
func (m *Main) waitReady(ctx context.Context) error {
	for !m.Runner.Ready() {
		applied, target := m.Runner.Progress()
		select {
		case <-ctx.Done():
			return fmt.Errorf("projections not ready (%d of %d): %w", applied, target, ctx.Err())
		case <-time.After(20 * time.Millisecond):
		}
	}
	return nil
}

// demoLogins name the demo's one-click logins in DemoLinks, in the order
// they are printed.
// i18n:data: keys of DemoLinks (tests use them); printed as cli.serve.demo.<key>.
var demoLogins = []string{"Lotsin", "Lenkungsgruppe", "Admin", "Gast"}
