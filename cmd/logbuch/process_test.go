package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// buildBinary builds the real logbuch binary once per test run.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "logbuch")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

type process struct {
	cmd   *exec.Cmd
	url   string
	logs  *syncBuffer
	lines chan string // what it prints on stdout
}

type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

// startProcess starts the binary and returns once it serves.
func startProcess(t *testing.T, bin string, args ...string) *process {
	t.Helper()
	p := &process{cmd: exec.Command(bin, args...), logs: &syncBuffer{}, lines: make(chan string, 100)}
	stdout, _ := p.cmd.StdoutPipe()
	p.cmd.Stderr = p.logs
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.cmd.Process.Kill(); p.cmd.Wait() })
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			select {
			case p.lines <- sc.Text():
			default:
			}
		}
		io.Copy(io.Discard, stdout)
	}()
	if u := p.waitLine(t, "Logbuch läuft auf "); u != "" {
		p.url = u
	}
	return p
}

// waitLine returns the rest of the first stdout line with the prefix.
func (p *process) waitLine(t *testing.T, prefix string) string {
	t.Helper()
	deadline := time.After(60 * time.Second)
	for {
		select {
		case l := <-p.lines:
			if rest, ok := strings.CutPrefix(strings.TrimSpace(l), prefix); ok {
				return strings.TrimSpace(rest)
			}
		case <-deadline:
			t.Fatalf("logbuch never printed %q: %s", prefix, p.logs.String())
		}
	}
}

// demoLogin follows a printed demo link and returns the session cookie.
func demoLogin(t *testing.T, link string) *actor {
	t.Helper()
	res, err := noRedirect.Get(link)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	for _, c := range res.Cookies() {
		if c.Name == "lb_sitzung" {
			return &actor{Cookie: c.Value}
		}
	}
	t.Fatalf("demo link %s gave no session (%d)", link, res.StatusCode)
	return nil
}

func TestSIGTERMShutsDownGracefully(t *testing.T) {
	bin := buildBinary(t)
	dir := t.TempDir()
	p := startProcess(t, bin, "serve", "--http", "127.0.0.1:0", "--data-dir", dir, "--demo")
	cmd, url, logs := p.cmd, p.url, p.logs
	admin := demoLogin(t, p.waitLine(t, "Admin:"))
	ctx := testCtx(t)
	c, _, err := websocket.Dial(ctx, strings.Replace(url, "http", "ws", 1)+"/live", &websocket.DialOptions{HTTPHeader: http.Header{"Origin": []string{url}, "Cookie": []string{"lb_sitzung=" + admin.Cookie}}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.CloseNow()
	subscribe(t, ctx, c, "roster", 0)
	// A fresh full view arrives: the subscription is in place.
	if m, ok := readLive(t, ctx, c, 10*time.Second); !ok || m.T != "reset" {
		t.Fatalf("no initial view: %+v", m)
	}
	closed := make(chan error, 1)
	go func() { _, _, err := c.Read(context.Background()); closed <- err }()

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-closed:
		if websocket.CloseStatus(err) != websocket.StatusGoingAway {
			t.Fatalf("socket closed with %v, want going away", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("socket not closed after SIGTERM")
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("exit after SIGTERM: %v\n%s", err, logs.String())
		}
	case <-time.After(20 * time.Second):
		t.Fatal("process did not exit after SIGTERM")
	}
	if !strings.Contains(logs.String(), "msg=stopped") {
		t.Fatalf("no orderly stop in the logs:\n%s", logs.String())
	}
	// The data dir is released: the next start works and keeps the record.
	p2 := startProcess(t, bin, "serve", "--http", "127.0.0.1:0", "--data-dir", dir, "--demo")
	again := demoLogin(t, p2.waitLine(t, "Admin:"))
	if _, page := getBody(t, again, p2.url+"/lotsen"); !strings.Contains(page, "Ömer Aydın") {
		t.Fatal("the record is gone after a restart")
	}
}
