package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/google/uuid"

	"logbuch/domain"
)

func TestSameCommandTwiceAppendsOnceAndAnswersAlike(t *testing.T) {
	m := startLogbuch(t)
	admin := newActor(t, m, domain.RoleAdmin)
	before := lastSeq(t, m)
	key := uuid.NewString()
	body := `{"name":"Lea Lände","amt":"Hauptamt","city":"Konstanz"}`
	// Sequentially, as after a dropped connection.
	s1, a1, _ := postJSON(t, admin, m.URL()+"/lotsen", key, body)
	s2, a2, h2 := postJSON(t, admin, m.URL()+"/lotsen", key, body)
	if s1 != 200 || s2 != 200 || a1["id"] != a2["id"] || a1["seq"] != a2["seq"] {
		t.Fatalf("answers differ: %d %v / %d %v", s1, a1, s2, a2)
	}
	if h2.Get("Idempotent-Replayed") != "true" {
		t.Fatal("the replayed answer is not marked")
	}
	if got := lastSeq(t, m); got != before+1 {
		t.Fatalf("log grew by %d, want 1", got-before)
	}
	// Concurrently, as after a double click.
	key = uuid.NewString()
	var wg sync.WaitGroup
	answers := make([]map[string]any, 8)
	statuses := make([]int, 8)
	for i := range answers {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			statuses[i], answers[i], _ = postJSON(t, admin, m.URL()+"/lotsen", key, `{"name":"Mo Mole","amt":"Archiv","city":"Konstanz"}`)
		}(i)
	}
	wg.Wait()
	for i := range answers {
		if statuses[i] != 200 || answers[i]["id"] != answers[0]["id"] || answers[i]["seq"] != answers[0]["seq"] {
			t.Fatalf("concurrent answer %d: %d %v, first %v", i, statuses[i], answers[i], answers[0])
		}
	}
	if got := lastSeq(t, m); got != before+2 {
		t.Fatalf("log grew by %d, want 2", got-before)
	}
	// The same form posted twice (double click) lands once too.
	form := url.Values{"command_id": {uuid.NewString()}, "name": {"Nils Nehrung"}, "amt": {"Archiv"}, "city": {"Konstanz"}, "role": {"lotse"}}
	for i := 0; i < 2; i++ {
		res := postForm(t, m, admin, "/lotsen", form)
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("form post %d: %d", i, res.StatusCode)
		}
	}
	if got := lastSeq(t, m); got != before+3 {
		t.Fatalf("log grew by %d, want 3", got-before)
	}
}

// postForm posts like a browser on our own page would, without following
// the redirect.
func postForm(t *testing.T, m *Main, a *actor, path string, form url.Values) *http.Response {
	t.Helper()
	if form.Get("csrf") == "" && a != nil {
		form.Set("csrf", a.CSRF)
	}
	req, _ := http.NewRequest("POST", m.URL()+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if a != nil {
		req.Header.Set("Cookie", "lb_sitzung="+a.Cookie)
	}
	req.Header.Set("Origin", m.URL())
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	return sendForm(t, req)
}

// sendForm sends a form without following the redirect and returns the
// answer with its body read (and readable again).
func sendForm(t *testing.T, req *http.Request) *http.Response {
	t.Helper()
	res, err := noRedirect.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	res.Body = io.NopCloser(bytes.NewReader(b))
	return res
}

func TestBadInputIsRefusedAndAppendsNothing(t *testing.T) {
	m := startLogbuch(t)
	admin := newActor(t, m, domain.RoleAdmin)
	before := lastSeq(t, m)
	cases := []struct {
		name, contentType, body string
		status                  int
		message                 string
	}{
		{"oversized", "application/json", `{"name":"` + strings.Repeat("x", 70<<10) + `"}`, 413, "zu groß"},
		{"malformed", "application/json", `{"name":`, 400, "kein gültiges JSON"},
		{"unknown field", "application/json", `{"name":"A","amt":"Archiv","city":"Konstanz","admin":true}`, 400, "Unbekanntes Feld"},
		{"wrong type", "application/json", `{"name":5,"amt":"Archiv","city":"Konstanz"}`, 400, "falschen Typ"},
		{"two objects", "application/json", `{"name":"A","amt":"Archiv","city":"Konstanz"}{}`, 400, "kein gültiges JSON"},
		{"not json or form", "text/plain", `hello`, 415, "Formular oder JSON"},
		{"invalid utf-8", "application/json", "{\"name\":\"A\xff\",\"amt\":\"Archiv\",\"city\":\"Konstanz\"}", 400, "ungültige Zeichen"},
		{"over-long name", "application/json", `{"name":"` + strings.Repeat("ö", 101) + `","amt":"Archiv","city":"Konstanz"}`, 422, "zu lang"},
		{"unknown Amt", "application/json", `{"name":"A","amt":"<script>","city":"Konstanz"}`, 422, "Amt aus der Liste"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req, _ := http.NewRequest("POST", m.URL()+"/lotsen", strings.NewReader(c.body))
			req.Header.Set("Content-Type", c.contentType)
			req.Header.Set("Accept", "application/json")
			req.Header.Set("Idempotency-Key", uuid.NewString())
			req.Header.Set("Authorization", "Bearer "+admin.Token)
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode != c.status || !strings.Contains(string(b), c.message) {
				t.Fatalf("got %d %s, want %d with %q", res.StatusCode, b, c.status, c.message)
			}
		})
	}
	if got := lastSeq(t, m); got != before {
		t.Fatalf("bad input appended %d messages", got-before)
	}
	// Invalid UTF-8 in a form field gets a German message on the page.
	res := postForm(t, m, admin, "/lotsen", url.Values{"command_id": {uuid.NewString()}, "name": {"A\xff"}, "amt": {"Archiv"}, "city": {"Konstanz"}})
	if b, _ := io.ReadAll(res.Body); res.StatusCode != 422 || !strings.Contains(string(b), "Name enthält ungültige Zeichen") {
		t.Fatalf("invalid UTF-8 in a form: %d", res.StatusCode)
	}
	// Missing idempotency key.
	status, out, _ := postJSON(t, admin, m.URL()+"/lotsen", "", `{"name":"A","amt":"Archiv","city":"Konstanz"}`)
	if status != 422 || !strings.Contains(out["error"].(map[string]any)["message"].(string), "Befehlskennung") {
		t.Fatalf("missing key: %d %v", status, out)
	}
	// A form field that is no field of the command.
	res = postForm(t, m, admin, "/lotsen", url.Values{"command_id": {uuid.NewString()}, "name": {"A"}, "amt": {"Archiv"}, "city": {"Konstanz"}, "is_admin": {"1"}})
	if res.StatusCode != 400 {
		t.Fatalf("unknown form field: %d", res.StatusCode)
	}
	if got := lastSeq(t, m); got != before {
		t.Fatalf("bad input appended %d messages", got-before)
	}
}

func TestFormErrorShowsPageWithMessageAndValues(t *testing.T) {
	m := startLogbuch(t)
	admin := newActor(t, m, domain.RoleAdmin)
	res := postForm(t, m, admin, "/lotsen", url.Values{"command_id": {uuid.NewString()}, "name": {"<b>Olaf</b>"}, "amt": {""}, "city": {"Konstanz"}, "role": {"lotse"}})
	b, _ := io.ReadAll(res.Body)
	page := string(b)
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("status %d", res.StatusCode)
	}
	for _, want := range []string{`role="alert"`, "Bitte wählen Sie ein Amt aus der Liste.", `aria-invalid="true"`, `value="&lt;b&gt;Olaf&lt;/b&gt;"`, `href="#join-amt"`} {
		if !strings.Contains(page, want) {
			t.Errorf("error page lacks %s", want)
		}
	}
	if strings.Contains(page, "<b>Olaf</b>") {
		t.Error("the entered value is not escaped")
	}
}

func TestCrossOriginFormPostIsRefused(t *testing.T) {
	m := startLogbuch(t)
	admin := newActor(t, m, domain.RoleAdmin)
	before := lastSeq(t, m)
	// The victim is logged in; the attacker's page posts with their cookie,
	// even with the right CSRF token, from another origin.
	form := url.Values{"command_id": {uuid.NewString()}, "name": {"Eve"}, "amt": {"Archiv"}, "city": {"Konstanz"}, "csrf": {admin.CSRF}}
	req, _ := http.NewRequest("POST", m.URL()+"/lotsen", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Cookie", "lb_sitzung="+admin.Cookie)
	req.Header.Set("Origin", "https://evil.example")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusForbidden {
		t.Fatalf("cross-site form post: %d, want 403", res.StatusCode)
	}
	// Same origin (or a browser that sends no origin) without the token.
	for _, token := range []string{"", "falsch"} {
		f := url.Values{"command_id": {uuid.NewString()}, "name": {"Eve"}, "amt": {"Archiv"}, "city": {"Konstanz"}, "csrf": {token}}
		if token == "" {
			f.Del("csrf")
		}
		res := postForm(t, m, &actor{Cookie: admin.Cookie, CSRF: token}, "/lotsen", f)
		if res.StatusCode != http.StatusForbidden {
			t.Fatalf("post with CSRF token %q: %d, want 403", token, res.StatusCode)
		}
	}
	if got := lastSeq(t, m); got != before {
		t.Fatal("a forged post appended")
	}
}

func TestWriteIsVisibleOnTheNextPage(t *testing.T) {
	m := startLogbuch(t)
	admin := newActor(t, m, domain.RoleAdmin)
	form := url.Values{"command_id": {uuid.NewString()}, "name": {"Paula Pier"}, "amt": {"Kulturamt"}, "city": {"Heilbronn"}, "role": {"lotse"}}
	res := postForm(t, m, admin, "/lotsen", form)
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/lotsen?hinweis=aufgenommen" {
		t.Fatalf("post: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	// Read-your-writes: the very next page shows the change, without waiting.
	_, page := getBody(t, admin, m.URL()+res.Header.Get("Location"))
	if !strings.Contains(page, "Paula Pier") || !strings.Contains(page, "Die Person wurde aufgenommen.") {
		t.Fatal("the page after the write does not show it")
	}
}

func TestHealthAndReadiness(t *testing.T) {
	m := startLogbuch(t, "--demo")
	admin := newActor(t, m, domain.RoleAdmin)
	if status, body := getBody(t, nil, m.URL()+"/healthz"); status != 200 || body != "ok\n" {
		t.Fatalf("healthz: %d %q", status, body)
	}
	status, body := getBody(t, nil, m.URL()+"/readyz")
	if status != 200 || !strings.Contains(body, `"ready":true`) {
		t.Fatalf("readyz: %d %s", status, body)
	}
	// The demo year is there, through the command path.
	_, page := getBody(t, admin, m.URL()+"/lotsen")
	if !strings.Contains(page, "Ömer Aydın") || !strings.Contains(page, "Ehemalige Lotsen") {
		t.Fatal("the demo roster is not shown")
	}
	v := m.Runner.Roster()
	if v.Active < 20 || len(v.Former) < 2 {
		t.Fatalf("demo roster: %d active, %d former", v.Active, len(v.Former))
	}
}

func TestDemoIsNotLoadedTwice(t *testing.T) {
	dir := t.TempDir()
	m := startLogbuchIn(t, dir, "--demo")
	n := lastSeq(t, m)
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	m2 := startLogbuchIn(t, dir, "--demo")
	if got := lastSeq(t, m2); got != n {
		t.Fatalf("restart with --demo: %d messages, want %d", got, n)
	}
}

func TestExportThenImportReproducesTheLog(t *testing.T) {
	src := t.TempDir()
	m := startLogbuchIn(t, src, "--demo")
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	env := func(string) string { return "" }
	var exported, errs bytes.Buffer
	if err := run(context.Background(), []string{"export", "--data-dir", src}, env, nil, &exported, &errs); err != nil {
		t.Fatalf("export: %v (%s)", err, errs.String())
	}
	dst := t.TempDir()
	var out bytes.Buffer
	if err := run(context.Background(), []string{"import", "--data-dir", dst}, env, bytes.NewReader(exported.Bytes()), &out, &errs); err != nil {
		t.Fatalf("import: %v", err)
	}
	var again bytes.Buffer
	if err := run(context.Background(), []string{"export", "--data-dir", dst}, env, nil, &again, &errs); err != nil {
		t.Fatal(err)
	}
	if again.String() != exported.String() {
		t.Fatal("export of the imported log differs")
	}
	// Import refuses a log that is not empty, and a bad file imports nothing.
	err := run(context.Background(), []string{"import", "--data-dir", dst}, env, bytes.NewReader(exported.Bytes()), &out, &errs)
	if err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Fatalf("import into a full log: %v", err)
	}
	empty := t.TempDir()
	bad := strings.Replace(exported.String(), `"seq":3,`, `"seq":30,`, 1)
	err = run(context.Background(), []string{"import", "--data-dir", empty}, env, strings.NewReader(bad), &out, &errs)
	if err == nil || !strings.Contains(err.Error(), "Zeile") {
		t.Fatalf("bad import: %v", err)
	}
	m3 := startLogbuchIn(t, empty)
	if got := lastSeq(t, m3); got != 0 {
		t.Fatalf("a bad import wrote %d messages", got)
	}
}

func TestSecondServerOnSameDataDirIsRefused(t *testing.T) {
	dir := t.TempDir()
	startLogbuchIn(t, dir)
	err := run(testCtx(t), []string{"serve", "--data-dir", dir, "--http", "127.0.0.1:0"}, func(string) string { return "" }, nil, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "in use by another Logbuch process") {
		t.Fatalf("second server: %v", err)
	}
}

func TestFlagsFromEnvironment(t *testing.T) {
	m := NewMain(io.Discard, io.Discard)
	env := map[string]string{"LOGBUCH_HTTP": ":9999", "LOGBUCH_DATA_DIR": "/x", "LOGBUCH_NATS_URL": "nats://a", "LOGBUCH_DEMO": "true"}
	if err := m.ParseFlags("serve", nil, func(k string) string { return env[k] }); err != nil {
		t.Fatal(err)
	}
	if c := m.Config; c.HTTP != ":9999" || c.DataDir != "/x" || c.NatsURL != "nats://a" || !c.Demo {
		t.Fatalf("config from env: %+v", c)
	}
	// A flag wins over the environment.
	if err := m.ParseFlags("serve", []string{"--http", ":1"}, func(k string) string { return env[k] }); err != nil || m.Config.HTTP != ":1" {
		t.Fatalf("flag over env: %v %+v", err, m.Config)
	}
}

func TestReplicasNeedACluster(t *testing.T) {
	for args, want := range map[string]string{
		"--replicas 3":                          "needs a NATS cluster",
		"--replicas 2 --nats-url nats://x:4222": "use 1, 3 or 5",
	} {
		err := NewMain(io.Discard, io.Discard).ParseFlags("serve", strings.Fields(args), func(string) string { return "" })
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", args, err, want)
		}
	}
	m := NewMain(io.Discard, io.Discard)
	if err := m.ParseFlags("serve", []string{"--replicas", "3", "--nats-url", "nats://a:4222", "--nats-token", "t"}, func(string) string { return "" }); err != nil || m.Config.Replicas != 3 || m.Config.NatsToken != "t" {
		t.Fatalf("cluster flags: %v %+v", err, m.Config)
	}
}
