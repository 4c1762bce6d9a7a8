package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"logbuch/domain"
	"logbuch/embed"
	"logbuch/projections"
	"logbuch/web"
)

// benchDashboard: the Lenkungsgruppe's dashboard and the annual report on
// the demo year (as `logbuch serve --demo` writes it) and on a generated
// city of about 100 × its size (100 Ämter, ten years), decided command by
// command through the real deciders (dashgen.go) and written with Import;
// both read by the real projections after catch-up.
func benchDashboard(ctx context.Context, s settings, t *table) error {
	renders := 200
	if s.quick {
		renders = 40
	}
	small, err := openDemo(ctx)
	if err != nil {
		return err
	}
	smallRender, err := small.renders(ctx, renders, small.lastYear, time.Now())
	small.close()
	if err != nil {
		return err
	}
	widenAemter(bigSize.aemter)
	big, err := openGenerated(ctx, bigSize)
	if err != nil {
		return err
	}
	defer big.close()
	bigRender, err := big.renders(ctx, renders, big.lastYear, time.Now())
	if err != nil {
		return err
	}
	mid := bigSize.firstYear + bigSize.years/2
	asOf := time.Date(mid, 6, 30, 23, 59, 0, 0, domain.Berlin)
	bigAsOf, err := big.renders(ctx, renders, mid, asOf)
	if err != nil {
		return err
	}
	// The report of the last year as the CLI writes it: replay up to the
	// moment, then the self-contained HTML (no PDF).
	reports := 5
	if s.quick {
		reports = 2
	}
	var replayTook, writeTook []time.Duration
	size := 0
	year := big.lastYear
	for range reports {
		start := time.Now()
		src, err := projections.ReplayUntil(ctx, big.log, time.Now())
		if err != nil {
			return err
		}
		mid := time.Now()
		var buf bytes.Buffer
		if err := web.WriteReport(ctx, &buf, src, year, time.Now(), web.ReportOptions{City: "Konstanz", MinRatings: 5}); err != nil {
			return err
		}
		replayTook, writeTook = append(replayTook, mid.Sub(start)), append(writeTook, time.Since(mid))
		size = buf.Len()
	}

	group := fmt.Sprintf("9. Dashboard and report: the demo year of logbuch serve --demo (%s msgs; %s) and a generated city of about 100 × its size (%s msgs, %d Ämter, %d years; %s)",
		thousands(float64(small.msgs)), small.figures, thousands(float64(big.msgs)), bigSize.aemter, bigSize.years, big.figures)
	ratio := func(a, b time.Duration) string { return fmt.Sprintf("%.1f×", float64(a)/float64(b)) }
	t.add(row{group: group, scenario: fmt.Sprintf("dashboard %d, demo size: figures + feed + render (%d renders, %s bytes)", small.lastYear, renders, thousands(float64(smallRender.bytes))),
		logbuch: smallRender.summary(), raw: "—", ratio: "—", goal: "—"})
	t.add(row{group: group, scenario: fmt.Sprintf("dashboard %d, 100 × demo size (%s bytes)", big.lastYear, thousands(float64(bigRender.bytes))),
		logbuch: bigRender.summary(), raw: "demo size p50 " + fmtDur(percentile(smallRender.lat, 0.5)), ratio: ratio(percentile(bigRender.lat, 0.5), percentile(smallRender.lat, 0.5)) + " (p50)",
		goal: "— (no goal set)"})
	t.add(row{group: group, scenario: fmt.Sprintf("dashboard %d „Stand am“ %s, 100 × demo size", mid, asOf.Format("2006-01-02")),
		logbuch: bigAsOf.summary(), raw: "demo size p50 " + fmtDur(percentile(smallRender.lat, 0.5)), ratio: ratio(percentile(bigAsOf.lat, 0.5), percentile(smallRender.lat, 0.5)) + " (p50)",
		goal: "— (no goal set)"})
	best := func(d []time.Duration) time.Duration { return percentile(d, 0) }
	t.add(row{group: group, scenario: fmt.Sprintf("report %d as the CLI writes it (HTML, %s bytes), 100 × demo size, best of %d: replay + write", year, thousands(float64(size)), reports),
		logbuch: fmtDur(best(replayTook)+best(writeTook)) + fmt.Sprintf(" (replay %s, write %s)", fmtDur(best(replayTook)), fmtDur(best(writeTook))),
		raw:     "—", ratio: "—", goal: "— (no goal set)"})
	t.add(row{group: group, scenario: "for context: projections over the 100 × log until Ready()",
		logbuch: fmtDur(big.rebuild), raw: "demo size " + fmtDur(small.rebuild), ratio: ratio(big.rebuild, small.rebuild), goal: "—"})
	return nil
}

// generated is a generated log, imported and read by a runner.
type generated struct {
	size     dashSize
	lastYear int // the year the dashboard rows show
	dir      string
	log      *embed.Log
	srv      *web.Server
	runner   *projections.Runner
	msgs     int
	figures  string // what the dashboard of the last year shows
	rebuild  time.Duration
	stop     func()
}

func openGenerated(ctx context.Context, z dashSize) (*generated, error) {
	progress("dashboard: generating %d Ämter × %d years", z.aemter, z.years)
	msgs, err := generateCity(ctx, z)
	if err != nil {
		return nil, err
	}
	g := &generated{size: z, msgs: len(msgs), lastYear: z.firstYear + z.years - 1}
	if g.dir, err = os.MkdirTemp("", "logbuch-bench-dash-"); err != nil {
		return nil, err
	}
	if g.log, err = embed.Open(ctx, embed.Config{DataDir: g.dir, Logger: quiet}); err != nil {
		os.RemoveAll(g.dir)
		return nil, err
	}
	progress("dashboard: importing %s messages", thousands(float64(len(msgs))))
	if err := g.log.Import(ctx, msgs); err != nil {
		g.close()
		return nil, err
	}
	if err := g.readModels(ctx, z.aemter/2); err != nil {
		g.close()
		return nil, err
	}
	return g, nil
}

// openDemo is the real demo year, as `logbuch serve --demo` writes it.
func openDemo(ctx context.Context) (*generated, error) {
	dir, err := serveDemo(ctx)
	if err != nil {
		return nil, err
	}
	g := &generated{dir: filepath.Dir(dir), lastYear: 2023}
	if g.log, err = embed.Open(ctx, embed.Config{DataDir: dir, Logger: quiet}); err != nil {
		os.RemoveAll(g.dir)
		return nil, err
	}
	last, err := g.log.LastSeq(ctx)
	if err != nil {
		g.close()
		return nil, err
	}
	g.msgs = int(last)
	if err := g.readModels(ctx, len(domain.Aemter)/2); err != nil {
		g.close()
		return nil, err
	}
	return g, nil
}

// readModels runs the projections over the log until Ready and checks that
// the last year's dashboard shows a full city, not an empty one.
func (g *generated) readModels(ctx context.Context, minAemter int) error {
	took, runner, stop, err := rebuild(ctx, g.log)
	if err != nil {
		return err
	}
	g.rebuild, g.stop, g.runner = took, stop, runner
	f, _ := runner.Figures(g.lastYear, time.Now())
	if f.ActiveLotsen == 0 || f.EventsHeld == 0 || f.Topics == 0 || len(f.AemterWith) < minAemter {
		return fmt.Errorf("the log reads as nearly empty: %d active Lotsen, %d Ämter with Lotse, %d events held, %d topics", f.ActiveLotsen, len(f.AemterWith), f.EventsHeld, f.Topics)
	}
	g.figures = fmt.Sprintf("%d: %d active Lotsen, %d Ämter with Lotse, %d events held, %d topics", g.lastYear, f.ActiveLotsen, len(f.AemterWith), f.EventsHeld, f.Topics)
	g.srv = web.NewServer(web.Config{Logger: quiet}, domain.NewHandler(g.log, runner, tenant), runner, g.log)
	return nil
}

// renders times n renders of one year's dashboard as of asOf.
func (g *generated) renders(ctx context.Context, n, year int, asOf time.Time) (fanoutResult, error) {
	var res fanoutResult
	var buf bytes.Buffer
	for range n {
		buf.Reset()
		start := time.Now()
		if err := g.srv.RenderDashboardForBench(ctx, &buf, year, asOf); err != nil {
			return res, err
		}
		res.lat = append(res.lat, time.Since(start))
		res.bytes = buf.Len()
	}
	return res, nil
}

func (g *generated) close() {
	if g.stop != nil {
		g.stop()
	}
	if g.log != nil {
		g.log.Close()
	}
	os.RemoveAll(g.dir)
}
