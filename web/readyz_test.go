package web

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"

	"logbuch/domain"
	"logbuch/projections"
)

// readinessStub stands in for the projections' readiness only: the test
// sets how far they are. Nothing is appended in these tests, so any sign of
// an executed command (WaitFor is called only after one) fails the test.
type readinessStub struct {
	t *testing.T

	mu              sync.Mutex
	applied, target uint64
	ready           bool
}

func (s *readinessStub) set(applied, target uint64, ready bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.applied, s.target, s.ready = applied, target, ready
}

func (s *readinessStub) Roster() projections.RosterView { return projections.RosterView{} }

func (s *readinessStub) Person(string) (projections.Person, uint64, bool) {
	return projections.Person{}, 0, false
}

func (s *readinessStub) PersonByEmail(string) (projections.Person, bool) {
	return projections.Person{}, false
}

func (s *readinessStub) WaitFor(_ context.Context, seq uint64) error {
	s.t.Errorf("WaitFor(%d): a command was executed, but none may be while not ready", seq)
	return nil
}

func (s *readinessStub) Progress() (uint64, uint64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.applied, s.target
}

func (s *readinessStub) Ready() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ready
}

func (s *readinessStub) OnChange(func(projections.Change)) {}

func (s *readinessStub) Events() ([]projections.EventInfo, uint64) { return nil, 0 }

func (s *readinessStub) Event(string) (projections.EventInfo, []projections.WallPostView, uint64, bool) {
	return projections.EventInfo{}, nil, 0, false
}

func (s *readinessStub) EventByCode(string) (projections.EventInfo, bool) {
	return projections.EventInfo{}, false
}
func (s *readinessStub) WallPost(string) (projections.WallPostView, string, bool) {
	return projections.WallPostView{}, "", false
}
func (s *readinessStub) GroupOf(string, string) string    { return "" }
func (s *readinessStub) GroupSizes(string) map[string]int { return nil }

func (s *readinessStub) Rating(string) (projections.RatingSummary, uint64) {
	return projections.RatingSummary{}, 0
}

func (s *readinessStub) RatingsOf([]string) (map[string]projections.RatingSummary, uint64) {
	return nil, 0
}

func (s *readinessStub) HasRated(string, string) bool { return false }

// newNotReadyServer returns a server whose command handler has no log (any
// executed command would panic) and whose read models are still catching up.
// It has no secrets either: readiness is decided before anyone is
// authenticated, so nothing here may need them.
func newNotReadyServer(t *testing.T) (*Server, *readinessStub) {
	stub := &readinessStub{t: t, applied: 3, target: 7}
	return NewServer(Config{}, domain.NewHandler(nil, nil, "konstanz"), stub, nil), stub
}

// checkRetryAfter asserts a Retry-After of a positive number of seconds.
func checkRetryAfter(t *testing.T, w *httptest.ResponseRecorder) {
	t.Helper()
	if n, err := strconv.Atoi(w.Header().Get("Retry-After")); err != nil || n <= 0 {
		t.Errorf("Retry-After %q, want a positive number of seconds", w.Header().Get("Retry-After"))
	}
}

type readyzBody struct {
	Ready   *bool   `json:"ready"`
	Applied *uint64 `json:"applied"`
	Target  *uint64 `json:"target"`
}

func getReadyz(t *testing.T, s *Server) (int, readyzBody) {
	t.Helper()
	w := httptest.NewRecorder()
	s.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/readyz", nil))
	if ct := w.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("/readyz Content-Type %q, want JSON", ct)
	}
	var b readyzBody
	dec := json.NewDecoder(w.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&b); err != nil {
		t.Fatalf("/readyz body: %v", err)
	}
	if b.Ready == nil || b.Applied == nil || b.Target == nil {
		t.Fatalf("/readyz body lacks ready, applied or target: %+v", b)
	}
	return w.Code, b
}

func TestReadyz(t *testing.T) {
	s, stub := newNotReadyServer(t)

	status, b := getReadyz(t, s)
	if status != http.StatusServiceUnavailable || *b.Ready || *b.Applied != 3 || *b.Target != 7 {
		t.Errorf("while catching up: %d ready=%v applied=%d target=%d, want 503 false 3 7", status, *b.Ready, *b.Applied, *b.Target)
	}

	stub.set(6, 9, false)
	status, b = getReadyz(t, s)
	if status != http.StatusServiceUnavailable || *b.Ready || *b.Applied != 6 || *b.Target != 9 {
		t.Errorf("still catching up: %d ready=%v applied=%d target=%d, want 503 false 6 9", status, *b.Ready, *b.Applied, *b.Target)
	}

	stub.set(9, 9, true)
	status, b = getReadyz(t, s)
	if status != http.StatusOK || !*b.Ready || *b.Applied != 9 || *b.Target != 9 {
		t.Errorf("caught up: %d ready=%v applied=%d target=%d, want 200 true 9 9", status, *b.Ready, *b.Applied, *b.Target)
	}

	w := httptest.NewRecorder()
	s.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/healthz", nil))
	if w.Code != http.StatusOK {
		t.Errorf("/healthz: %d, want 200", w.Code)
	}
}

func TestCommandWhileNotReady(t *testing.T) {
	const id = "01936f0e-0000-7000-8000-000000000001"
	routes := []struct{ path, json, form string }{
		{"/lotsen", `{"name":"Mara Feld","amt":"Kulturamt","city":"Konstanz","role":"lotse"}`, "name=Mara+Feld&amt=Kulturamt&city=Konstanz&role=lotse"},
		{"/lotsen/" + id + "/amt", `{"amt":"Kulturamt"}`, "amt=Kulturamt"},
		{"/lotsen/" + id + "/rolle", `{"role":"admin"}`, "role=admin"},
		{"/lotsen/" + id + "/austritt", `{"reason":"Ruhestand"}`, "reason=Ruhestand"},
		{"/lotsen/" + id + "/wiedereintritt", `{}`, ""},
	}
	s, _ := newNotReadyServer(t)
	for _, rt := range routes {
		t.Run("JSON "+rt.path, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodPost, rt.path, strings.NewReader(rt.json))
			r.Header.Set("Content-Type", "application/json")
			r.Header.Set("Idempotency-Key", "not-ready-1")
			w := httptest.NewRecorder()
			s.ServeHTTP(w, r)
			if w.Code != http.StatusServiceUnavailable {
				t.Fatalf("status %d, want 503: %s", w.Code, w.Body)
			}
			checkRetryAfter(t, w)
			if w.Header().Get("Idempotent-Replayed") != "" {
				t.Errorf("Idempotent-Replayed set on a refused command")
			}
			var b struct {
				Error struct{ Code, Message, Field string }
			}
			if err := json.NewDecoder(w.Body).Decode(&b); err != nil {
				t.Fatalf("body: %v", err)
			}
			if b.Error.Code != "starting" || !strings.Contains(b.Error.Message, "Logbuch startet gerade") {
				t.Errorf("error %+v, want code starting and a German message", b.Error)
			}
		})
		t.Run("form "+rt.path, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodPost, rt.path, strings.NewReader(rt.form))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			r.Header.Set("Accept", "text/html")
			w := httptest.NewRecorder()
			s.ServeHTTP(w, r)
			if w.Code != http.StatusServiceUnavailable {
				t.Fatalf("status %d, want 503", w.Code)
			}
			checkRetryAfter(t, w)
			if ct := w.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
				t.Errorf("Content-Type %q, want the German error page", ct)
			}
			body, _ := io.ReadAll(w.Body)
			if !strings.Contains(string(body), "Logbuch startet gerade") {
				t.Errorf("page lacks the German message: %s", body)
			}
		})
	}
}
