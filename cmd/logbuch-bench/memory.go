package main

import (
	"bufio"
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"time"

	"github.com/coder/websocket"
)

type memStats struct {
	heapInuse, stackInuse, heapAlloc uint64
	goroutines                       int
}

// readMem collects garbage until the heap and the stacks stop shrinking
// (each collection halves the stacks of goroutines that use less than a
// quarter of theirs, as a long-idle server's would be) and reads the
// figures.
func readMem() memStats {
	var m runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&m)
	for range 10 {
		prev := m.HeapInuse + m.StackInuse
		runtime.GC()
		runtime.ReadMemStats(&m)
		if m.HeapInuse+m.StackInuse >= prev {
			break
		}
	}
	return memStats{heapInuse: m.HeapInuse, stackInuse: m.StackInuse, heapAlloc: m.HeapAlloc, goroutines: runtime.NumGoroutine()}
}

// memResult is the server's growth per connection.
type memResult struct {
	heap, stack, live, goroutines float64
}

func (m memResult) total() float64 { return m.heap + m.stack }

func (m memResult) summary() string {
	return fmt.Sprintf("%s (heap %s + stacks %s; %.1f goroutines/conn; live objects %s)", kib(m.total()), kib(m.heap), kib(m.stack), m.goroutines, kib(m.live))
}

// memPerConn opens n idle connections from a client subprocess and returns
// how much this process's heap in use and goroutine stacks grew, per
// connection. The client side lives in the other process, so nothing of it
// is counted here.
func memPerConn(ctx context.Context, url, cookie string, n int, sub bool, count func() int, profile string) (memResult, error) {
	exe, err := os.Executable()
	if err != nil {
		return memResult{}, err
	}
	before := readMem()
	cmd := exec.CommandContext(ctx, exe, clientModeArg, "-url", url, "-n", strconv.Itoa(n), "-cookie", cookie, "-sub="+strconv.FormatBool(sub))
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return memResult{}, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return memResult{}, err
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return memResult{}, err
	}
	defer func() {
		stdin.Close()
		cmd.Wait()
	}()
	ready := make(chan error, 1)
	go func() {
		line, err := bufio.NewReader(stdout).ReadString('\n')
		if err != nil {
			ready <- fmt.Errorf("client process: %w", err)
			return
		}
		if !strings.HasPrefix(line, "ready ") {
			ready <- fmt.Errorf("client process said %q", line)
			return
		}
		ready <- nil
	}()
	select {
	case err := <-ready:
		if err != nil {
			return memResult{}, err
		}
	case <-time.After(5 * time.Minute):
		return memResult{}, fmt.Errorf("client process not ready within 5 minutes")
	}
	if err := waitCount(count, n, time.Minute); err != nil {
		return memResult{}, err
	}
	time.Sleep(2 * time.Second) // handshakes and initial states are done; let the dust settle
	after := readMem()
	if profile != "" {
		if f, err := os.Create(profile); err == nil {
			pprof.Lookup("heap").WriteTo(f, 0)
			f.Close()
			progress("memory: heap profile with %d connections open written to %s", n, profile)
		}
	}
	stdin.Close()
	if err := cmd.Wait(); err != nil {
		return memResult{}, fmt.Errorf("client process: %w", err)
	}
	if err := waitCount(count, 0, time.Minute); err != nil {
		return memResult{}, err
	}
	per := func(a, b uint64) float64 { return (float64(b) - float64(a)) / float64(n) }
	return memResult{heap: per(before.heapInuse, after.heapInuse), stack: per(before.stackInuse, after.stackInuse),
		live:       per(before.heapAlloc, after.heapAlloc),
		goroutines: float64(after.goroutines-before.goroutines) / float64(n)}, nil
}

// benchMemory: memory per idle live connection in the server's process, for
// the real web server (each connection subscribed to the roster and holding
// its initial state) and for the bare chat pattern (each connection holding
// the same initial bytes).
func benchMemory(ctx context.Context, s settings, t *table) error {
	if s.memProfile != "" {
		runtime.MemProfileRate = 4096
	}
	progress("memory: starting the web server")
	w, err := openWebEnv(ctx, s.fanoutLotsen)
	if err != nil {
		return err
	}
	defer w.close()
	// The initial state one connection gets, for the bare server to send.
	c, _, err := websocket.Dial(ctx, w.liveURL(), dialOptions(w.cookie))
	if err != nil {
		return err
	}
	c.SetReadLimit(8 << 20)
	if err := c.Write(ctx, websocket.MessageText, subMessage); err != nil {
		return err
	}
	_, initial, err := c.Read(ctx)
	c.CloseNow()
	if err != nil {
		return err
	}
	if err := waitCount(w.srv.LiveConnections, 0, time.Minute); err != nil {
		return err
	}

	progress("memory: %d idle Logbuch connections from a client process", s.memConns)
	lb, err := memPerConn(ctx, w.liveURL(), w.cookie, s.memConns, true, w.srv.LiveConnections, s.memProfile)
	if err != nil {
		return fmt.Errorf("logbuch: %w", err)
	}
	progress("memory: %d idle bare connections from a client process", s.memConns)
	hub := newBareHub(initial)
	srv := httptest.NewServer(hub)
	defer srv.Close()
	bareProfile := ""
	if s.memProfile != "" {
		bareProfile = s.memProfile + ".bare"
	}
	bare, err := memPerConn(ctx, "ws"+strings.TrimPrefix(srv.URL, "http"), "", s.memConns, false, hub.count, bareProfile)
	if err != nil {
		return fmt.Errorf("bare: %w", err)
	}
	group := fmt.Sprintf("4. Memory per idle WebSocket connection, %s connections (server process only)", thousands(float64(s.memConns)))
	t.add(row{group: group, scenario: "heap in use + goroutine stacks, per connection",
		logbuch: lb.summary(), raw: "bare chat pattern: " + bare.summary(),
		ratio: fmtRatio(lb.total() / bare.total()), goal: yesNo(lb.total() <= 16*1024, "≤ 16 KiB")})
	return nil
}
