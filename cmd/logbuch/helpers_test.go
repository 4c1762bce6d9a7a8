package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// startLogbuch starts the whole program in-process on a free port with its
// own data dir, as `logbuch serve` would.
func startLogbuch(t *testing.T, args ...string) *Main {
	t.Helper()
	return startLogbuchIn(t, t.TempDir(), args...)
}

func startLogbuchIn(t *testing.T, dir string, args ...string) *Main {
	t.Helper()
	m := NewMain(io.Discard, testLogWriter{t})
	all := append([]string{"--http", "127.0.0.1:0", "--data-dir", dir, "--log-level", "warn"}, args...)
	if err := m.ParseFlags("serve", all, func(string) string { return "" }); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := m.Run(ctx); err != nil {
		m.Close()
		t.Fatalf("start logbuch: %v", err)
	}
	if err := m.waitReady(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return m
}

type testLogWriter struct{ t *testing.T }

func (w testLogWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// postJSON sends a JSON command with an idempotency key.
func postJSON(t *testing.T, url, key, body string) (int, map[string]any, http.Header) {
	t.Helper()
	req, _ := http.NewRequest("POST", url, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	var out map[string]any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatalf("answer to %s is not JSON: %s", url, b)
	}
	return res.StatusCode, out, res.Header
}

func lastSeq(t *testing.T, m *Main) uint64 {
	t.Helper()
	n, err := m.Log.LastSeq(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

type liveMsg struct {
	T    string `json:"t"`
	View string `json:"view"`
	ID   string `json:"id"`
	Seq  uint64 `json:"seq"`
	HTML string `json:"html"`
}

// dialLive opens the live socket as a page of this server would.
func dialLive(t *testing.T, ctx context.Context, m *Main) *websocket.Conn {
	t.Helper()
	c, _, err := websocket.Dial(ctx, strings.Replace(m.URL(), "http", "ws", 1)+"/live", &websocket.DialOptions{
		HTTPHeader: http.Header{"Origin": []string{m.URL()}},
	})
	if err != nil {
		t.Fatalf("dial live: %v", err)
	}
	t.Cleanup(func() { c.CloseNow() })
	return c
}

func subscribe(t *testing.T, ctx context.Context, c *websocket.Conn, view string, since uint64) {
	t.Helper()
	b, _ := json.Marshal(map[string]any{"t": "sub", "views": []string{view}, "since": since})
	if err := c.Write(ctx, websocket.MessageText, b); err != nil {
		t.Fatal(err)
	}
}

// readLive reads one live message, failing after the timeout.
func readLive(t *testing.T, ctx context.Context, c *websocket.Conn, timeout time.Duration) (liveMsg, bool) {
	t.Helper()
	rctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	_, b, err := c.Read(rctx)
	if err != nil {
		return liveMsg{}, false
	}
	var m liveMsg
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("live message is not JSON: %s", b)
	}
	return m, true
}

func getBody(t *testing.T, url string) (int, string) {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var buf bytes.Buffer
	io.Copy(&buf, res.Body)
	return res.StatusCode, buf.String()
}
