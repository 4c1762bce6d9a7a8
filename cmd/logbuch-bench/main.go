// Command logbuch-bench measures the cost of Logbuch's command path against
// the raw engine in the same run: JetStream publishes with the same stream,
// the same fsync setting and the same headers, next to commands through the
// decider and the log, and commands through HTTP with read-your-writes.
//
//	go run ./cmd/logbuch-bench [-ops 2000] [-clients 1,16]
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"logbuch/domain"
	"logbuch/embed"
	"logbuch/projections"
	"logbuch/web"
)

func main() {
	ops := flag.Int("ops", 2000, "operations per scenario and client count")
	clientList := flag.String("clients", "1,16", "concurrent clients, comma-separated")
	flag.Parse()
	if err := run(*ops, *clientList); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

type result struct {
	name    string
	clients int
	ops     int
	dur     time.Duration
	lat     []time.Duration
}

func (r result) rate() float64 { return float64(r.ops) / r.dur.Seconds() }

func (r result) pct(p float64) time.Duration {
	slices.Sort(r.lat)
	return r.lat[min(len(r.lat)-1, int(float64(len(r.lat))*p))]
}

// measure runs op ops times spread over clients goroutines.
func measure(name string, clients, ops int, op func(client, i int) error) (result, error) {
	lat := make([]time.Duration, ops)
	var next atomic.Int64
	var firstErr atomic.Value
	var wg sync.WaitGroup
	start := time.Now()
	for c := 0; c < clients; c++ {
		wg.Add(1)
		go func(c int) {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= ops {
					return
				}
				t0 := time.Now()
				if err := op(c, i); err != nil {
					firstErr.CompareAndSwap(nil, err)
					return
				}
				lat[i] = time.Since(t0)
			}
		}(c)
	}
	wg.Wait()
	if err, ok := firstErr.Load().(error); ok {
		return result{}, fmt.Errorf("%s: %w", name, err)
	}
	return result{name: name, clients: clients, ops: ops, dur: time.Since(start), lat: lat}, nil
}

func run(ops int, clientList string) error {
	dir, err := os.MkdirTemp("", "logbuch-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	quiet := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})) // problems only
	ctx := context.Background()
	log, err := embed.Open(ctx, embed.Config{DataDir: dir, Logger: quiet})
	if err != nil {
		return err
	}
	defer log.Close()
	js, err := jetstream.New(log.Conn())
	if err != nil {
		return err
	}
	runner := projections.NewRunner(log, quiet)
	handler := domain.NewHandler(log, runner, "bench")
	srv := web.NewServer(web.Config{Logger: quiet, CommandRate: 1e9, CommandBurst: 1 << 30}, handler, runner, log)
	bg, stop := context.WithCancel(ctx)
	defer stop()
	go runner.Run(bg)
	go srv.Run(bg)
	httpSrv := httptest.NewServer(srv)
	defer httpSrv.Close()
	for !runner.Ready() {
		time.Sleep(10 * time.Millisecond)
	}
	// The HTTP client acts as an admin with an API token.
	admin := uuid.Must(uuid.NewV7()).String()
	res, err := domain.Execute(ctx, handler, domain.Roster, admin, domain.Meta{CommandID: uuid.NewString(), Actor: domain.SystemActor}, "JoinLotse",
		any(domain.JoinLotse{Name: "Bench Admin", Amt: "Amt für Digitalisierung und IT", City: "Konstanz", Role: domain.RoleAdmin}))
	if err != nil {
		return err
	}
	if err := runner.WaitFor(ctx, res.Seq); err != nil {
		return err
	}
	token, _, err := web.CreateAPIToken(ctx, log, admin, "bench")
	if err != nil {
		return err
	}

	// A payload of the size of a real command: one LotseJoined event.
	sample, _ := domain.EncodeEvents([]domain.Event{{ID: uuid.Must(uuid.NewV7()), Type: "LotseJoined", Version: 1, At: time.Now(), Actor: "system", Tenant: "bench",
		Data: domain.LotseJoined{Name: "Mara Feld", Amt: "Kulturamt", City: "Konstanz", Role: domain.RoleLotse}}})

	var results []result
	for _, cs := range strings.Split(clientList, ",") {
		clients, err := strconv.Atoi(strings.TrimSpace(cs))
		if err != nil || clients < 1 {
			return fmt.Errorf("bad -clients %q", clientList)
		}
		raw, err := measure("raw JetStream publish (same stream, fsync, msg id, expected seq)", clients, ops, func(c, i int) error {
			msg := nats.NewMsg(domain.Subject("bench", "raw", uuid.NewString()))
			msg.Data = sample
			_, err := js.PublishMsg(ctx, msg, jetstream.WithMsgID(uuid.NewString()), jetstream.WithExpectLastSequencePerSubject(0))
			return err
		})
		if err != nil {
			return err
		}
		ids := make([]string, ops)
		logged, err := measure("command through decider + log (new Lotse)", clients, ops, func(c, i int) error {
			ids[i] = uuid.Must(uuid.NewV7()).String()
			_, err := domain.Execute(ctx, handler, domain.Roster, ids[i], domain.Meta{CommandID: uuid.NewString(), Actor: "bench", NewAggregate: true}, "JoinLotse",
				any(domain.JoinLotse{Name: "Mara Feld", Amt: "Kulturamt", City: "Konstanz"}))
			return err
		})
		if err != nil {
			return err
		}
		roles := []domain.Role{domain.RoleAdmin, domain.RoleLotse}
		changed, err := measure("command through decider + log (existing Lotse)", clients, ops, func(c, i int) error {
			_, err := domain.Execute(ctx, handler, domain.Roster, ids[i], domain.Meta{CommandID: uuid.NewString(), Actor: "bench"}, "ChangeRole",
				any(domain.ChangeRole{Role: roles[0]}))
			return err
		})
		if err != nil {
			return err
		}
		client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients}}
		viaHTTP, err := measure("command via HTTP JSON, answered after read-your-writes", clients, ops, func(c, i int) error {
			req, _ := http.NewRequest("POST", httpSrv.URL+"/lotsen/"+ids[i]+"/rolle", strings.NewReader(`{"role":"lenkungsgruppe"}`))
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
		})
		if err != nil {
			return err
		}
		results = append(results, raw, logged, changed, viaHTTP)
	}

	fmt.Printf("Logbuch append benchmark — %s, %d CPUs, Go %s, embedded NATS, SyncAlways (fsync before ack), %d ops per row\n\n",
		runtime.GOARCH, runtime.NumCPU(), runtime.Version(), ops)
	fmt.Printf("%-64s %7s %10s %9s %9s %14s\n", "scenario", "clients", "ops/s", "p50", "p99", "ratio vs raw")
	var raw result
	for _, r := range results {
		if strings.HasPrefix(r.name, "raw") {
			raw = r
		}
		fmt.Printf("%-64s %7d %10.0f %9s %9s %13.2fx\n", r.name, r.clients, r.rate(), round(r.pct(0.50)), round(r.pct(0.99)), r.rate()/raw.rate())
	}
	fmt.Println("\nratio = ops/s of the row ÷ ops/s of the raw publish with the same client count (1.00x = no overhead).")
	return nil
}

func round(d time.Duration) time.Duration {
	if d > time.Millisecond {
		return d.Round(10 * time.Microsecond)
	}
	return d.Round(time.Microsecond)
}
