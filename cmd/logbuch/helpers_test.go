package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/google/uuid"

	"logbuch/domain"
	"logbuch/web"
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

// actor is a person with a roster entry, a password, a browser session
// (cookie and CSRF token) and an API token.
type actor struct {
	Person   string
	Email    string
	Password string
	Cookie   string
	CSRF     string
	Token    string
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// newActor puts a person with the role on the roster and lets them set a
// password through a real invitation link, as a new colleague would.
func newActor(t *testing.T, m *Main, role domain.Role) *actor {
	t.Helper()
	ctx := testCtx(t)
	a := &actor{Person: uuid.Must(uuid.NewV7()).String(), Password: "ein sehr geheimes Passwort"}
	a.Email = "p" + strings.ReplaceAll(a.Person, "-", "")[16:] + "@konstanz.example"
	res, err := domain.Execute(ctx, m.Commands, domain.Roster, a.Person, domain.Meta{CommandID: uuid.NewString(), Actor: domain.SystemActor}, "JoinLotse",
		any(domain.JoinLotse{Name: "Test " + string(role), Email: a.Email, Amt: "Hauptamt", City: "Konstanz", Role: role}))
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Runner.WaitFor(ctx, res.Seq); err != nil {
		t.Fatal(err)
	}
	link, _, err := web.CreateInviteLink(ctx, m.Log, m.URL(), a.Person)
	if err != nil {
		t.Fatal(err)
	}
	a.Cookie = acceptInvite(t, m, link, url.Values{"email": {a.Email}, "password": {a.Password}, "password2": {a.Password}})
	a.CSRF = a.csrfFrom(t, m, "/konto")
	if a.Token, _, err = web.CreateAPIToken(ctx, m.Log, a.Person, "test"); err != nil {
		t.Fatal(err)
	}
	return a
}

// newPerson puts someone on the roster, without an account.
func newPerson(t *testing.T, m *Main, role domain.Role) string {
	t.Helper()
	ctx := testCtx(t)
	id := uuid.Must(uuid.NewV7()).String()
	res, err := domain.Execute(ctx, m.Commands, domain.Roster, id, domain.Meta{CommandID: uuid.NewString(), Actor: domain.SystemActor}, "JoinLotse",
		any(domain.JoinLotse{Name: "Ziel " + string(role), Amt: "Archiv", City: "Konstanz", Role: role}))
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Runner.WaitFor(ctx, res.Seq); err != nil {
		t.Fatal(err)
	}
	return id
}

// acceptInvite posts the invitation form and returns the session cookie.
func acceptInvite(t *testing.T, m *Main, link string, form url.Values) string {
	t.Helper()
	req, _ := http.NewRequest("POST", link, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", m.URL())
	res, err := noRedirect.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	for _, c := range res.Cookies() {
		if c.Name == "lb_sitzung" && c.Value != "" {
			return c.Value
		}
	}
	b, _ := io.ReadAll(res.Body)
	t.Fatalf("invitation gave no session: %d %s", res.StatusCode, b)
	return ""
}

var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

func (a *actor) csrfFrom(t *testing.T, m *Main, path string) string {
	t.Helper()
	status, page := getBody(t, a, m.URL()+path)
	match := csrfField.FindStringSubmatch(page)
	if status != 200 || match == nil {
		t.Fatalf("no CSRF token on %s (%d)", path, status)
	}
	return match[1]
}

// postJSON sends a JSON command with an idempotency key, as an API client
// with the actor's token.
func postJSON(t *testing.T, a *actor, url, key, body string) (int, map[string]any, http.Header) {
	t.Helper()
	req := newJSONRequest(a, url, key, body)
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

// newJSONRequest is a JSON command as an API client (with the actor's
// token) or as the actor's browser session (with its CSRF token) sends it.
func newJSONRequest(a *actor, url, key, body string) *http.Request {
	req, _ := http.NewRequest("POST", url, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	switch {
	case a != nil && a.Token != "":
		req.Header.Set("Authorization", "Bearer "+a.Token)
	case a != nil: // a browser session (guests have no API keys)
		req.Header.Set("Cookie", "lb_sitzung="+a.Cookie)
		req.Header.Set("X-CSRF-Token", a.CSRF)
		req.Header.Set("Origin", strings.SplitN(url, "/", 4)[0]+"//"+strings.SplitN(url, "/", 4)[2])
	}
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	return req
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

// dialLive opens the live socket as a page of this server would, with the
// actor's session cookie.
func dialLive(t *testing.T, ctx context.Context, m *Main, a *actor) *websocket.Conn {
	t.Helper()
	c, _, err := websocket.Dial(ctx, strings.Replace(m.URL(), "http", "ws", 1)+"/live", &websocket.DialOptions{
		HTTPHeader: http.Header{"Origin": []string{m.URL()}, "Cookie": []string{"lb_sitzung=" + a.Cookie}},
	})
	if err != nil {
		t.Fatalf("dial live: %v", err)
	}
	c.SetReadLimit(8 << 20) // browsers take views of any size
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

// getBody loads a page as the actor (nil: logged out), without following
// redirects.
func getBody(t *testing.T, a *actor, url string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	if a != nil {
		req.Header.Set("Cookie", "lb_sitzung="+a.Cookie)
	}
	res, err := noRedirect.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var buf bytes.Buffer
	io.Copy(&buf, res.Body)
	return res.StatusCode, buf.String()
}
