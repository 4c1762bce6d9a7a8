// Command logbuch-bench measures Logbuch against the raw engines it is built
// on, every figure next to the engine's own figure from the same run:
//
//  1. durable append: commands through the decider and the log (with and
//     without group commit) vs raw JetStream publishes with fsync, and vs raw
//     publishes without fsync as the ceiling;
//  2. rebuild: the projections over an imported log vs a raw ordered-consumer
//     read of the same stream;
//  3. fan-out: one change to 1,000 and 5,000 live WebSocket subscribers vs a
//     bare coder/websocket broadcast of the same bytes;
//  4. memory per idle WebSocket connection vs the bare chat pattern;
//  5. startup over 1,000,000 events vs restarting the bare server;
//  6. the workshop wall: 40 posters and 100 viewers, post → shown;
//  7. a KNowHow board: 22 writers and 50 viewers, move → shown;
//  8. durable append and fan-out on a three-node NATS cluster (R3) next to
//     one node;
//  9. the dashboard and the annual report at demo size and at 100 × it.
//
// It prints one table and writes it, with the machine's conditions, to
// BENCHMARKS.md.
//
//	go run ./cmd/logbuch-bench            # full run, ~10 minutes, writes BENCHMARKS.md
//	go run ./cmd/logbuch-bench -quick     # scaled down, ~1-2 minutes, writes nothing
//	go run ./cmd/logbuch-bench -only append,fanout
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"runtime/pprof"
	"strconv"
	"strings"
	"time"
)

// settings are the sizes of one run.
type settings struct {
	quick         bool
	writers       []int
	ops           int // commands per append row
	rebuildLotsen int // the rebuild log: Lotsen × msgsPerLotse messages
	msgsPerLotse  int
	fanout        []int // subscriber counts
	fanoutRounds  int   // changes per subscriber count
	fanoutLotsen  int   // size of the roster that is fanned out
	memConns      int
	startupEvents int
	memProfile    string
}

func main() {
	if len(os.Args) > 1 && os.Args[1] == clientModeArg {
		// The subprocess that holds the client side of the memory benchmark.
		if err := runClientProcess(os.Args[2:]); err != nil {
			fmt.Fprintln(os.Stderr, "bench client:", err)
			os.Exit(1)
		}
		return
	}
	quick := flag.Bool("quick", false, "scaled-down run for development (writes no BENCHMARKS.md unless -out is given)")
	out := flag.String("out", "", "where to write the report (default BENCHMARKS.md on a full run, nothing with -quick)")
	only := flag.String("only", "", "comma-separated subset of: append,rebuild,fanout,memory,startup,wall,board,cluster,dashboard")
	ops := flag.Int("ops", 0, "commands per append row (default 4000, -quick 300)")
	writers := flag.String("writers", "1,22,200", "concurrent writers of the append rows")
	rebuildMsgs := flag.Int("rebuild-msgs", 0, "messages in the rebuild log (default 200000, -quick 20000)")
	fanout := flag.String("fanout", "", "subscriber counts of the fan-out rows (default 1000,5000; -quick 200,1000)")
	memConns := flag.Int("mem-conns", 0, "idle connections of the memory rows (default 10000, -quick 1000)")
	startupEvents := flag.Int("startup-events", 0, "events in the startup log (default 1000000, -quick 100000)")
	roster := flag.Int("roster", 60, "Lotsen on the roster that the fan-out and memory rows show")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the whole run (for analysis)")
	memProfile := flag.String("memprofile", "", "write a heap profile of the server with the Logbuch connections open (for analysis)")
	flag.Parse()

	s := settings{quick: *quick, ops: 4000, rebuildLotsen: 20000, msgsPerLotse: 10, fanout: []int{1000, 5000}, fanoutRounds: 5,
		fanoutLotsen: *roster, memConns: 10000, startupEvents: 1000000, memProfile: *memProfile}
	if s.quick {
		s.ops, s.rebuildLotsen, s.fanout, s.fanoutRounds, s.memConns, s.startupEvents = 300, 2000, []int{200, 1000}, 2, 1000, 100000
	}
	var err error
	if s.writers, err = intList(*writers); err != nil {
		fail(fmt.Errorf("-writers: %w", err))
	}
	if *fanout != "" {
		if s.fanout, err = intList(*fanout); err != nil {
			fail(fmt.Errorf("-fanout: %w", err))
		}
	}
	if *ops > 0 {
		s.ops = *ops
	}
	if *rebuildMsgs > 0 {
		s.rebuildLotsen = max(1, *rebuildMsgs/s.msgsPerLotse)
	}
	if *memConns > 0 {
		s.memConns = *memConns
	}
	if *startupEvents > 0 {
		s.startupEvents = *startupEvents
	}
	report := *out
	if report == "" && !s.quick {
		report = "BENCHMARKS.md"
	}
	sections := map[string]bool{"append": true, "rebuild": true, "fanout": true, "memory": true, "startup": true, "wall": true, "board": true, "cluster": true, "dashboard": true}
	if *only != "" {
		sections = map[string]bool{}
		for _, name := range strings.Split(*only, ",") {
			sections[strings.TrimSpace(name)] = true
		}
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			fail(err)
		}
		pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
	}
	if err := run(s, sections, report); err != nil {
		fail(err)
	}
}

func fail(err error) {
	pprof.StopCPUProfile()
	fmt.Fprintln(os.Stderr, "bench:", err)
	os.Exit(1)
}

func intList(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			return nil, fmt.Errorf("bad number %q", f)
		}
		out = append(out, n)
	}
	return out, nil
}

// quiet logs problems only: the benchmark's output is the table.
var quiet = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))

// progress tells the person waiting what runs now.
func progress(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "%s  "+format+"\n", append([]any{time.Now().Format("15:04:05")}, args...)...)
}

func run(s settings, sections map[string]bool, report string) error {
	raiseFileLimit()
	cond := startConditions(s)
	progress("1-minute load average before the start: %.2f on %d cores", cond.load1Before, cond.cores)
	ctx := context.Background()
	var t table
	type section struct {
		name string
		fn   func(context.Context, settings, *table) error
	}
	for _, sec := range []section{
		{"append", benchAppend},
		{"rebuild", benchRebuild},
		{"fanout", benchFanout},
		{"memory", benchMemory},
		{"startup", benchStartup},
		{"wall", benchWall},
		{"board", benchBoard},
		{"cluster", benchCluster},
		{"dashboard", benchDashboard},
	} {
		if !sections[sec.name] {
			continue
		}
		mark := cond.mark()
		start := time.Now()
		if err := sec.fn(ctx, s, &t); err != nil {
			return fmt.Errorf("%s: %w", sec.name, err)
		}
		cond.section(sec.name, time.Since(start), mark)
	}
	cond.finish()
	fmt.Println()
	fmt.Print(cond.text())
	fmt.Println()
	fmt.Print(t.text())
	fmt.Println()
	fmt.Print(notesText)
	if report != "" {
		if err := os.WriteFile(report, []byte(markdown(cond, &t)), 0o644); err != nil {
			return err
		}
		progress("wrote %s", report)
	}
	return nil
}
