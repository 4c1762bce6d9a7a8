package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/google/uuid"

	"logbuch/domain"
)

// planEvent plans an event through the API and returns its id and code.
func planEvent(t *testing.T, m *Main, admin *actor, title string, start, end time.Time) (string, string) {
	t.Helper()
	body := fmt.Sprintf(`{"title":%q,"format":"#KNmeetsHN","start":%q,"end":%q,"place":"Heilbronn","host_city":"Heilbronn"}`,
		title, start.In(domain.Berlin).Format("2006-01-02T15:04"), end.In(domain.Berlin).Format("2006-01-02T15:04"))
	status, out, _ := postJSON(t, admin, m.URL()+"/veranstaltungen", uuid.NewString(), body)
	if status != 200 {
		t.Fatalf("plan %s: %d %v", title, status, out)
	}
	id := out["id"].(string)
	ev, _, _, ok := m.Runner.Event(id)
	if !ok {
		t.Fatal("planned event not in the read model")
	}
	return id, ev.GuestCode
}

// joinAsGuest uses a code like a guest at the projector would.
func joinAsGuest(t *testing.T, m *Main, code, name string) (*actor, *http.Response) {
	t.Helper()
	form := url.Values{"code": {code}, "name": {name}}
	req, _ := http.NewRequest("POST", m.URL()+"/gast", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	res, err := noRedirect.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	res.Body = io.NopCloser(strings.NewReader(string(b)))
	for _, c := range res.Cookies() {
		if c.Name == "lb_sitzung" && c.Value != "" {
			return &actor{Cookie: c.Value}, res
		}
	}
	return nil, res
}

func TestGuestSeesAndWritesOnlyTheirEventsWall(t *testing.T) {
	m := startLogbuch(t)
	admin := newActor(t, m, domain.RoleAdmin)
	now := time.Now()
	a, codeA := planEvent(t, m, admin, "#KNmeetsHN Workshop A", now.Add(-time.Hour), now.Add(3*time.Hour))
	b, _ := planEvent(t, m, admin, "#KNmeetsHN Workshop B", now.Add(-time.Hour), now.Add(3*time.Hour))
	_, codePast := planEvent(t, m, admin, "Vorbei", now.Add(-48*time.Hour), now.Add(-47*time.Hour))

	guest, res := joinAsGuest(t, m, strings.ToLower(codeA), "Kim aus Heilbronn")
	if guest == nil || res.Header.Get("Location") != "/veranstaltungen/"+a {
		t.Fatalf("guest join: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	guest.CSRF = guest.csrfFrom(t, m, "/veranstaltungen/"+a)

	// The own event's page and wall: yes. Anything else: no.
	for path, want := range map[string]int{
		"/veranstaltungen/" + a:   200,
		"/veranstaltungen/" + b:   403,
		"/veranstaltungen":        403,
		"/lotsen":                 403,
		"/lotsen/" + admin.Person: 403,
		"/konto":                  403,
	} {
		if status, _ := getBody(t, guest, m.URL()+path); status != want {
			t.Errorf("guest GET %s: %d, want %d", path, status, want)
		}
	}
	before := lastSeq(t, m)
	for _, c := range []struct {
		path string
		form url.Values
	}{
		{"/veranstaltungen/" + b + "/wand", url.Values{"command_id": {uuid.NewString()}, "text": {"falsche Wand"}}},
		{"/lotsen", url.Values{"command_id": {uuid.NewString()}, "name": {"Gast"}, "amt": {"Archiv"}, "city": {"Konstanz"}}},
		{"/veranstaltungen", url.Values{"command_id": {uuid.NewString()}, "title": {"Gastparty"}}},
	} {
		if res := postForm(t, m, guest, c.path, c.form); res.StatusCode != http.StatusForbidden {
			t.Errorf("guest POST %s: %d, want 403", c.path, res.StatusCode)
		}
	}
	if lastSeq(t, m) != before {
		t.Fatal("a refused guest command appended")
	}

	// Live: the guest may follow their wall, not another.
	ctx := testCtx(t)
	other := dialLive(t, ctx, m, guest)
	subscribe(t, ctx, other, "veranstaltung/"+b+"/wand", 0)
	if _, _, err := other.Read(ctx); !isPolicyClose(err) {
		t.Fatalf("guest on another wall's live view: %v", err)
	}
	staff := dialLive(t, ctx, m, admin)
	subscribe(t, ctx, staff, "veranstaltung/"+a+"/wand", 0)
	readLive(t, ctx, staff, 10*time.Second)

	// The guest posts; the admin's open wall shows it with the guest's name.
	res = postForm(t, m, guest, "/veranstaltungen/"+a+"/wand", url.Values{"command_id": {uuid.NewString()}, "text": {"Ergebnis Gruppe 3: mehr mobile Arbeit"}, "event": {b}})
	if res.StatusCode != http.StatusSeeOther {
		b, _ := io.ReadAll(res.Body)
		t.Fatalf("guest post: %d %s", res.StatusCode, b)
	}
	msg, ok := readLive(t, ctx, staff, 10*time.Second)
	if !ok || !strings.Contains(msg.HTML, "Ergebnis Gruppe 3") || !strings.Contains(msg.HTML, "Kim aus Heilbronn (Gast)") {
		t.Fatalf("admin's wall: %+v", msg)
	}
	// The post went to the wall of the page, whatever the body said.
	_, wallA, _, _ := m.Runner.Event(a)
	_, wallB, _, _ := m.Runner.Event(b)
	if len(wallA) != 1 || len(wallB) != 0 || !strings.HasPrefix(wallA[0].Actor, "guest:") {
		t.Fatalf("walls: A %+v, B %+v", wallA, wallB)
	}

	// An ended event's code is refused with a clear message; a wrong one too.
	if g, res := joinAsGuest(t, m, codePast, "Spät"); g != nil || res.StatusCode != http.StatusGone || !strings.Contains(readAll(res), "Diese Veranstaltung ist vorbei") {
		t.Fatalf("code of an ended event: %d", res.StatusCode)
	}
	if g, res := joinAsGuest(t, m, "ZZZZZZ", "Rate"); g != nil || res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(readAll(res), "Diesen Code gibt es nicht") {
		t.Fatalf("unknown code: %d", res.StatusCode)
	}
	if g, _ := joinAsGuest(t, m, codeA, " "); g != nil {
		t.Fatal("a guest without a name got in")
	}
	// The guest's name is personal data: nowhere in the data dir in clear.
	dir := m.Config.DataDir
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if b, _ := os.ReadFile(path); bytes.Contains(b, []byte("Kim aus Heilbronn")) {
				t.Errorf("%s holds the guest's name in clear", path)
			}
		}
		return err
	})
}

func isPolicyClose(err error) bool {
	var ce websocket.CloseError
	return errors.As(err, &ce) && ce.Code == websocket.StatusPolicyViolation
}

func readAll(res *http.Response) string {
	b, _ := io.ReadAll(res.Body)
	return string(b)
}

func TestStaffOnTheWall(t *testing.T) {
	m := startLogbuch(t)
	admin := newActor(t, m, domain.RoleAdmin)
	lotse := newActor(t, m, domain.RoleLotse)
	lenkung := newActor(t, m, domain.RoleLenkungsgruppe)
	now := time.Now()
	id, _ := planEvent(t, m, admin, "Meet & Learn", now, now.Add(time.Hour))
	if s, out, _ := postJSON(t, lotse, m.URL()+"/veranstaltungen/"+id+"/wand", uuid.NewString(), `{"text":"Danke für den Vortrag!"}`); s != 200 {
		t.Fatalf("Lotse posts: %d %v", s, out)
	}
	// The Lenkungsgruppe reads, but does not write.
	if s, _, _ := postJSON(t, lenkung, m.URL()+"/veranstaltungen/"+id+"/wand", uuid.NewString(), `{"text":"x"}`); s != http.StatusForbidden {
		t.Fatalf("Lenkungsgruppe posts: %d", s)
	}
	if s, page := getBody(t, lenkung, m.URL()+"/veranstaltungen/"+id); s != 200 || !strings.Contains(page, "Danke für den Vortrag!") || strings.Contains(page, `id="post"`) {
		t.Fatalf("Lenkungsgruppe reads the wall: %d", s)
	}
	if s, _, _ := postJSON(t, lotse, m.URL()+"/veranstaltungen", uuid.NewString(), `{"title":"x"}`); s != http.StatusForbidden {
		t.Fatalf("Lotse plans: %d", s)
	}
}
