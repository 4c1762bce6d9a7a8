package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"logbuch/domain"
	"logbuch/embed"
	"logbuch/web"
)

// result is one measured row: ops operations spread over writers.
type result struct {
	writers int
	ops     int
	dur     time.Duration
	lat     []time.Duration
}

// merge adds another slice of the same row.
func (r *result) merge(o result) {
	r.writers, r.ops, r.dur, r.lat = o.writers, r.ops+o.ops, r.dur+o.dur, append(r.lat, o.lat...)
}

func (r result) rate() float64 { return float64(r.ops) / r.dur.Seconds() }

func (r result) summary(unit string) string {
	return fmt.Sprintf("%s, p50 %s, p99 %s", fmtRate(r.rate(), unit), fmtDur(percentile(r.lat, 0.50)), fmtDur(percentile(r.lat, 0.99)))
}

// measure runs op ops times spread over writers goroutines, each taking the
// next index until none is left.
func measure(writers, ops int, op func(i int) error) (result, error) {
	lat := make([]time.Duration, ops)
	var next atomic.Int64
	var firstErr atomic.Value
	var wg sync.WaitGroup
	start := time.Now()
	for range writers {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= ops {
					return
				}
				t0 := time.Now()
				if err := op(i); err != nil {
					firstErr.CompareAndSwap(nil, err)
					return
				}
				lat[i] = time.Since(t0)
			}
		})
	}
	wg.Wait()
	if err, ok := firstErr.Load().(error); ok {
		return result{}, err
	}
	return result{writers: writers, ops: ops, dur: time.Since(start), lat: lat}, nil
}

// benchAppend: commands through the decider and the log, with group commit
// (the default) and without, next to raw JetStream publishes with fsync on
// the same stream, and without fsync on a bare server as the ceiling. Each
// writer count gets fresh logs, so that every row starts from the same
// state (and the handler's cache of 10,000 aggregates holds every Lotse
// the row changes).
func benchAppend(ctx context.Context, s settings, t *table) error {
	ceiling, err := startBareNATS(ctx, "", false)
	if err != nil {
		return err
	}
	defer ceiling.close()
	for _, w := range s.writers {
		ops := s.ops
		if w == 1 {
			ops = max(100, s.ops/2) // one writer is slow; half the sample is plenty
		}
		if err := appendRows(ctx, t, ceiling, w, ops); err != nil {
			return fmt.Errorf("%d writers: %w", w, err)
		}
	}
	return nil
}

func appendRows(ctx context.Context, t *table, ceiling *bareNATS, w, ops int) error {
	progress("append: %d writers, %d commands per row: opening two logs (group commit on and off)", w, ops)
	// The HTTP row goes through the web server; it listens to the
	// projections from their start, as in the real program.
	var srv *web.Server
	grouped, err := openLogbuch(ctx, embed.Config{}, func(e *lbEnv) {
		srv = web.NewServer(web.Config{Logger: quiet, CommandRate: 1e9, CommandBurst: 1 << 30}, e.handler, e.runner, e.log)
	})
	if err != nil {
		return err
	}
	defer grouped.close()
	single, err := openLogbuch(ctx, embed.Config{NoGroupCommit: true}, nil)
	if err != nil {
		return err
	}
	defer single.close()
	if known, on := grouped.log.FsyncBeforeAck(); !known || !on {
		return fmt.Errorf("the embedded server does not fsync before acknowledging: the comparison would be meaningless")
	}
	js, err := jetstream.New(grouped.log.Conn())
	if err != nil {
		return err
	}

	// The HTTP row acts as an admin with an API token.
	httpSrv := httptest.NewServer(srv)
	defer httpSrv.Close()
	hubCtx, stopHub := context.WithCancel(ctx)
	defer stopHub()
	go srv.Run(hubCtx)
	admin := uuid.Must(uuid.NewV7()).String()
	res, err := joinLotse(ctx, grouped.handler, admin, domain.RoleAdmin, "Bench Admin", domain.Aemter[0])
	if err != nil {
		return err
	}
	if err := grouped.runner.WaitFor(ctx, res.Seq); err != nil {
		return err
	}
	token, _, err := web.CreateAPIToken(ctx, grouped.log, admin, "bench")
	if err != nil {
		return err
	}

	// A payload of the size of a real command: one LotseJoined event with
	// a sealed name.
	sample, _ := domain.EncodeEvents([]domain.Event{{ID: uuid.Must(uuid.NewV7()), Type: "LotseJoined", Version: 1, At: time.Now(), Actor: "system", Tenant: tenant,
		Data: domain.LotseJoined{Name: "enc1:" + strings.Repeat("x", 60), Amt: "Kulturamt", City: "Konstanz", Role: domain.RoleLotse}}})
	rawPublish := func(js jetstream.JetStream) func(int) error {
		return func(int) error {
			msg := nats.NewMsg(domain.Subject(tenant, "raw", uuid.NewString()))
			msg.Data = sample
			_, err := js.PublishMsg(ctx, msg, jetstream.WithMsgID(uuid.NewString()), jetstream.WithExpectLastSequencePerSubject(0))
			return err
		}
	}
	newLotse := func(env *lbEnv, ids []string) func(int) error {
		return func(i int) error {
			ids[i] = uuid.Must(uuid.NewV7()).String()
			_, err := joinLotse(ctx, env.handler, ids[i], domain.RoleLotse, "Mara Feld", "Kulturamt")
			return err
		}
	}
	changeLotse := func(env *lbEnv, ids []string) func(int) error {
		return func(i int) error {
			_, err := domain.Execute(ctx, env.handler, domain.Roster, ids[i], domain.Meta{CommandID: uuid.NewString(), Actor: "bench"}, "ChangeRole",
				any(domain.ChangeRole{Role: domain.RoleLenkungsgruppe}))
			return err
		}
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 256}}
	defer client.CloseIdleConnections()
	viaHTTP := func(ids []string) func(int) error {
		return func(i int) error {
			req, _ := http.NewRequest("POST", httpSrv.URL+"/lotsen/"+ids[i]+"/amt", strings.NewReader(`{"amt":"Hauptamt"}`))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Idempotency-Key", uuid.NewString())
			req.Header.Set("Authorization", "Bearer "+token)
			res, err := client.Do(req)
			if err != nil {
				return err
			}
			io.Copy(io.Discard, res.Body)
			res.Body.Close()
			if res.StatusCode != 200 {
				return fmt.Errorf("status %d", res.StatusCode)
			}
			return nil
		}
	}

	// Warm up both logs and both servers (connections, caches, the first
	// block files) outside the measurement.
	warm := make([]string, 100)
	for _, step := range []func(int) error{rawPublish(js), rawPublish(ceiling.js), newLotse(grouped, warm), changeLotse(grouped, warm), newLotse(single, warm)} {
		if _, err := measure(8, len(warm), step); err != nil {
			return fmt.Errorf("warm-up: %w", err)
		}
	}

	// The rows run interleaved, in slices, so that a burst of other load
	// (other processes share the disk and the cores) hits all of them
	// alike instead of one row.
	slices := 4
	if ops < 400 {
		slices = 1
	}
	per := ops / slices
	ops = per * slices
	group := fmt.Sprintf("1. Durable append, %d concurrent writer%s (%s commands per row)", w, plural(w), thousands(float64(ops)))
	if slices > 1 {
		group = fmt.Sprintf("1. Durable append, %d concurrent writer%s (%s commands per row, rows interleaved in %d slices)", w, plural(w), thousands(float64(ops)), slices)
	}
	ids, sids := make([]string, ops), make([]string, ops)
	var raw, ceil, gNew, gChange, gHTTP, sNew, sChange result
	var gcNew, gcChange [3]int64
	for k := range slices {
		off := k * per
		at := func(op func(int) error) func(int) error { return func(i int) error { return op(off + i) } }
		step := func(into *result, name string, op func(int) error) error {
			r, err := measure(w, per, at(op))
			if err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
			into.merge(r)
			return nil
		}
		stats := func(into *[3]int64, f func() error) error {
			b0, c0, f0 := grouped.log.GroupCommitStats()
			err := f()
			b1, c1, f1 := grouped.log.GroupCommitStats()
			into[0], into[1], into[2] = into[0]+b1-b0, into[1]+c1-c0, into[2]+f1-f0
			return err
		}
		for _, err := range []error{
			step(&raw, "raw publish", rawPublish(js)),
			step(&ceil, "raw publish without fsync", rawPublish(ceiling.js)),
			stats(&gcNew, func() error { return step(&gNew, "new Lotse", newLotse(grouped, ids)) }),
			stats(&gcChange, func() error { return step(&gChange, "change Lotse", changeLotse(grouped, ids)) }),
			step(&gHTTP, "HTTP", viaHTTP(ids)),
			step(&sNew, "new Lotse without group commit", newLotse(single, sids)),
			step(&sChange, "change Lotse without group commit", changeLotse(single, sids)),
		} {
			if err != nil {
				return err
			}
		}
	}

	rawCell := fmt.Sprintf("fsync %s; no fsync %s", fmtRate(raw.rate(), "msgs"), fmtRate(ceil.rate(), "msgs"))
	ratio := func(r result) string {
		return fmt.Sprintf("%s fsync, %s ceiling", fmtRatio(r.rate()/raw.rate()), fmtRatio(r.rate()/ceil.rate()))
	}
	goal := func(r result) string {
		return yesNo(r.rate() >= 10000, "≥ 10,000/s")
	}
	t.add(row{group: group, scenario: "raw publish, fsync per message (LOGBUCH stream)", logbuch: "—", raw: raw.summary("msgs"), ratio: "1.00×", goal: "—"})
	t.add(row{group: group, scenario: "raw publish, no fsync (bare server: ceiling)", logbuch: "—", raw: ceil.summary("msgs"), ratio: fmtRatio(ceil.rate()/raw.rate()) + " fsync", goal: "—"})
	t.add(row{group: group, scenario: "new Lotsen, group commit", logbuch: gNew.summary("cmds"), raw: rawCell, ratio: ratio(gNew), goal: goal(gNew)})
	t.add(row{group: group, scenario: "changes of existing Lotsen, group commit", logbuch: gChange.summary("cmds"), raw: rawCell, ratio: ratio(gChange), goal: goal(gChange)})
	t.add(row{group: group, scenario: "group commit statistics: new Lotsen", logbuch: gcStats(gcNew, ops), raw: "—", ratio: "—", goal: "—"})
	t.add(row{group: group, scenario: "group commit statistics: changes", logbuch: gcStats(gcChange, ops), raw: "—", ratio: "—", goal: "—"})
	t.add(row{group: group, scenario: "new Lotsen, group commit off", logbuch: sNew.summary("cmds"), raw: rawCell, ratio: ratio(sNew), goal: goal(sNew)})
	t.add(row{group: group, scenario: "changes of existing Lotsen, group commit off", logbuch: sChange.summary("cmds"), raw: rawCell, ratio: ratio(sChange), goal: goal(sChange)})
	t.add(row{group: group, scenario: "change via HTTP JSON, answered after read-your-writes (group commit)", logbuch: gHTTP.summary("cmds"), raw: rawCell, ratio: ratio(gHTTP), goal: "—"})
	return nil
}

func gcStats(st [3]int64, ops int) string {
	batches, cmds, fallbacks := st[0], st[1], st[2]
	avg := 0.0
	if batches > 0 {
		avg = float64(cmds) / float64(batches)
	}
	return fmt.Sprintf("%s batches, %s of %s cmds in batches (avg %.1f per batch), %d fallbacks", thousands(float64(batches)), thousands(float64(cmds)), thousands(float64(ops)), avg, fallbacks)
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
