package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// serveDemo builds the real binary and runs `logbuch serve --demo` in a
// fresh data dir until it says it serves (the demo year is loaded by then),
// then stops it gracefully. The data dir holds the demo's log.
func serveDemo(ctx context.Context) (dir string, err error) {
	tmp, err := os.MkdirTemp("", "logbuch-bench-demo-")
	if err != nil {
		return "", err
	}
	defer func() {
		if err != nil {
			os.RemoveAll(tmp)
		}
	}()
	bin := filepath.Join(tmp, "logbuch")
	progress("dashboard: building cmd/logbuch for the demo year")
	if out, err := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/logbuch").CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build ./cmd/logbuch: %w: %s", err, out)
	}
	dir = filepath.Join(tmp, "data")
	cmd := exec.CommandContext(ctx, bin, "serve", "--http", "127.0.0.1:0", "--data-dir", dir, "--demo", "--log-level", "warn")
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return "", err
	}
	if err := cmd.Start(); err != nil {
		return "", err
	}
	serving := make(chan bool, 1)
	go func() {
		sc := bufio.NewScanner(out)
		found := false
		for sc.Scan() {
			if !found && strings.HasPrefix(sc.Text(), "Logbuch läuft auf") {
				found = true
				serving <- true
			}
		}
		if !found {
			serving <- false
		}
	}()
	select {
	case ok := <-serving:
		if !ok {
			cmd.Wait()
			return "", fmt.Errorf("logbuch serve --demo stopped before serving")
		}
	case <-time.After(2 * time.Minute):
		cmd.Process.Kill()
		cmd.Wait()
		return "", fmt.Errorf("logbuch serve --demo did not serve within 2 minutes")
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		return "", err
	}
	if err := cmd.Wait(); err != nil {
		return "", fmt.Errorf("logbuch serve --demo on SIGTERM: %w", err)
	}
	return dir, nil
}
