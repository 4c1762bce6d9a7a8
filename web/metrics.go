package web

import (
	"context"
	"crypto/subtle"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metrics are the operations figures at /metrics, on a registry of our own
// (no global state).
type metrics struct {
	registry      *prometheus.Registry
	commands      *prometheus.CounterVec
	conflicts     *prometheus.CounterVec
	appendSeconds prometheus.Histogram
	slowClosed    prometheus.Counter
	liveRefused   *prometheus.CounterVec
}

func newMetrics(s *Server) *metrics {
	m := &metrics{
		registry: prometheus.NewRegistry(),
		commands: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "logbuch_commands_total", Help: "Commands by type and outcome (ok, duplicate, or the error code).",
		}, []string{"type", "outcome"}),
		conflicts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "logbuch_command_conflicts_total", Help: "Appends that lost a race on their aggregate and were decided again.",
		}, []string{"type"}),
		appendSeconds: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "logbuch_append_seconds", Help: "Time of a successful append to the log, fsync included.",
			Buckets: prometheus.ExponentialBuckets(0.0001, 2, 16),
		}),
		slowClosed: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "logbuch_live_slow_subscribers_closed_total", Help: "Live connections closed because they could not keep up.",
		}),
		liveRefused: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "logbuch_live_refused_total", Help: "Live connections refused or closed by a limit.",
		}, []string{"reason"}),
	}
	m.registry.MustRegister(m.commands, m.conflicts, m.appendSeconds, m.slowClosed, m.liveRefused,
		prometheus.NewGoCollector(), prometheus.NewProcessCollector(prometheus.ProcessCollectorOpts{}),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "logbuch_projection_applied_seq", Help: "Last log sequence folded into the read models.",
		}, func() float64 { a, _ := s.models.Progress(); return float64(a) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "logbuch_projection_lag", Help: "Messages in the log not yet in the read models.",
		}, func() float64 { return float64(s.projectionLag()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "logbuch_live_connections", Help: "Open live connections.",
		}, func() float64 { return float64(s.hub.Subscribers()) }),
		&viewCollector{hub: s.hub, desc: prometheus.NewDesc("logbuch_live_subscriptions", "Live subscriptions per kind of view.", []string{"view"}, nil)},
	)
	if s.cfg.SnapshotAge != nil {
		m.registry.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "logbuch_snapshot_age_seconds", Help: "Age of the newest projection snapshot (-1: none yet).",
		}, func() float64 {
			age, ok := s.cfg.SnapshotAge()
			if !ok {
				return -1
			}
			return age.Seconds()
		}))
	}
	return m
}

// CommandDone implements domain.Observer.
func (m *metrics) CommandDone(commandType, outcome string, attempts int, appendTook time.Duration) {
	m.commands.WithLabelValues(commandType, outcome).Inc()
	if attempts > 1 {
		m.conflicts.WithLabelValues(commandType).Add(float64(attempts - 1))
	}
	if outcome == "ok" {
		m.appendSeconds.Observe(appendTook.Seconds())
	}
}

func (s *Server) projectionLag() uint64 {
	if s.cfg.LastSeq == nil {
		applied, target := s.models.Progress()
		return target - applied
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	last, err := s.cfg.LastSeq(ctx)
	applied, _ := s.models.Progress()
	if err != nil || last < applied {
		return 0
	}
	return last - applied
}

// viewCollector counts subscriptions per kind of view (roster, lotse, …),
// not per instance, so the number of series stays small.
type viewCollector struct {
	hub  *Hub
	desc *prometheus.Desc
}

func (c *viewCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

func (c *viewCollector) Collect(ch chan<- prometheus.Metric) {
	for kind, n := range c.hub.subscriptionsByKind() {
		ch <- prometheus.MustNewConstMetric(c.desc, prometheus.GaugeValue, float64(n), kind)
	}
}

func (s *Server) handleMetrics() http.Handler {
	h := promhttp.HandlerFor(s.metrics.registry, promhttp.HandlerOpts{})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.cfg.MetricsToken != "" {
			got := r.Header.Get("Authorization")
			if subtle.ConstantTimeCompare([]byte(got), []byte("Bearer "+s.cfg.MetricsToken)) != 1 {
				w.Header().Set("WWW-Authenticate", `Bearer realm="metrics"`)
				http.Error(w, "metrics need the token set with --metrics-token", http.StatusUnauthorized)
				return
			}
		}
		h.ServeHTTP(w, r)
	})
}
