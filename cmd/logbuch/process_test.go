package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"os/exec"
	"path/filepath"
	"strings"
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

// startProcess starts the binary and returns it with its URL once it serves.
func startProcess(t *testing.T, bin string, args ...string) (*exec.Cmd, string, *strings.Builder) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	stdout, _ := cmd.StdoutPipe()
	var logs strings.Builder
	cmd.Stderr = &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	lines := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if u, ok := strings.CutPrefix(sc.Text(), "Logbuch läuft auf "); ok {
				lines <- u
			}
		}
		io.Copy(io.Discard, stdout)
	}()
	select {
	case u := <-lines:
		return cmd, u, &logs
	case <-time.After(60 * time.Second):
		t.Fatalf("logbuch did not start: %s", logs.String())
	}
	return nil, "", nil
}

func TestSIGTERMShutsDownGracefully(t *testing.T) {
	bin := buildBinary(t)
	dir := t.TempDir()
	cmd, url, logs := startProcess(t, bin, "serve", "--http", "127.0.0.1:0", "--data-dir", dir, "--demo")
	ctx := testCtx(t)
	c, _, err := websocket.Dial(ctx, strings.Replace(url, "http", "ws", 1)+"/live", &websocket.DialOptions{HTTPHeader: http.Header{"Origin": []string{url}}})
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
	_, url2, _ := startProcess(t, bin, "serve", "--http", "127.0.0.1:0", "--data-dir", dir)
	if _, page := getBody(t, url2+"/lotsen"); !strings.Contains(page, "Ömer Aydın") {
		t.Fatal("the record is gone after a restart")
	}
}
