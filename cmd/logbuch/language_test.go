package main

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/google/uuid"

	"logbuch/domain"
	"logbuch/web/i18n"
)

// chooseLanguage posts the language switch as the page's form does and
// returns the answer (not followed).
func chooseLanguage(t *testing.T, m *Main, origin string, form url.Values) *http.Response {
	t.Helper()
	req, _ := http.NewRequest("POST", m.URL()+"/sprache", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", origin)
	req.Header.Set("Sec-Fetch-Site", map[bool]string{true: "same-origin", false: "cross-site"}[origin == m.URL()])
	res, err := noRedirect.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res
}

func languageCookieOf(res *http.Response) *http.Cookie {
	for _, c := range res.Cookies() {
		if c.Name == "lb_sprache" {
			return c
		}
	}
	return nil
}

// German first: without a choice every page is German, whatever the
// browser prefers. The switch stores the choice for a year and leads back
// to the page; it refuses unknown languages, other sites' posts, and
// sending anyone elsewhere.
func TestLanguageChoice(t *testing.T) {
	m := startLogbuch(t)
	get := func(cookie, acceptLanguage string) string {
		t.Helper()
		req, _ := http.NewRequest("GET", m.URL()+"/anmelden", nil)
		if cookie != "" {
			req.Header.Set("Cookie", "lb_sprache="+cookie)
		}
		if acceptLanguage != "" {
			req.Header.Set("Accept-Language", acceptLanguage)
		}
		res, err := noRedirect.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return string(b)
	}
	if page := get("", "en-US,en;q=0.9"); !strings.Contains(page, `<html lang="de">`) || !strings.Contains(page, "Zum Inhalt springen") {
		t.Fatal("without a choice the page is not German")
	}

	res := chooseLanguage(t, m, m.URL(), url.Values{"sprache": {"en"}, "zurueck": {"/anmelden?weiter=%2Fknowhow"}})
	c := languageCookieOf(res)
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/anmelden?weiter=%2Fknowhow" || c == nil || c.Value != "en" || c.MaxAge < 300*24*3600 || !c.HttpOnly {
		t.Fatalf("choosing English: %d to %q, cookie %+v", res.StatusCode, res.Header.Get("Location"), c)
	}
	page := get("en", "")
	if !strings.Contains(page, `<html lang="en">`) || !strings.Contains(page, "Skip to content") || strings.Contains(page, "Zum Inhalt springen") {
		t.Fatal("with the choice the page is not English")
	}
	// The switch on an English page offers German, named in German.
	if !strings.Contains(page, `value="de"`) || !strings.Contains(page, `<span lang="de">Deutsch</span>`) {
		t.Fatal("the English page offers no way back to German")
	}

	for name, c := range map[string]struct {
		origin string
		form   url.Values
		status int
	}{
		"unknown language":  {m.URL(), url.Values{"sprache": {"fr"}}, http.StatusBadRequest},
		"no language":       {m.URL(), url.Values{}, http.StatusBadRequest},
		"another site":      {"https://evil.example", url.Values{"sprache": {"en"}}, http.StatusForbidden},
		"oversized request": {m.URL(), url.Values{"sprache": {"en"}, "zurueck": {strings.Repeat("x", 9000)}}, http.StatusRequestEntityTooLarge},
	} {
		t.Run(name, func(t *testing.T) {
			res := chooseLanguage(t, m, c.origin, c.form)
			if res.StatusCode != c.status || languageCookieOf(res) != nil {
				t.Fatalf("got %d (cookie %v), want %d and no cookie", res.StatusCode, languageCookieOf(res), c.status)
			}
		})
	}
	for _, back := range []string{"https://evil.example/", "//evil.example/x", "/\\evil.example", "/\t/evil.example", "/\n/evil.example"} {
		res := chooseLanguage(t, m, m.URL(), url.Values{"sprache": {"de"}, "zurueck": {back}})
		if loc := res.Header.Get("Location"); loc != "/" {
			t.Errorf("back to %q led to %q", back, loc)
		}
	}
	// An unknown stored value is German, not an error.
	if page := get("xx", ""); !strings.Contains(page, `<html lang="de">`) {
		t.Fatal("an unknown cookie value is not German")
	}
}

// An API client without a cookie gets its Accept-Language, German else;
// errors of the domain come in that language.
func TestAPIErrorsInTheClientsLanguage(t *testing.T) {
	m := startLogbuch(t)
	admin := newActor(t, m, domain.RoleAdmin)
	post := func(lang string) string {
		req := newJSONRequest(admin, m.URL()+"/lotsen", uuid.NewString(), `{"name":"","amt":"Archiv","city":"Konstanz","role":"lotse"}`)
		if lang != "" {
			req.Header.Set("Accept-Language", lang)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		if res.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("status %d: %s", res.StatusCode, b)
		}
		return string(b)
	}
	if got := post(""); !strings.Contains(got, "Bitte geben Sie einen Namen an.") {
		t.Errorf("German: %s", got)
	}
	if got := post("en-GB, de;q=0.5"); !strings.Contains(got, "Please enter a name.") {
		t.Errorf("English: %s", got)
	}
}

// A page's live connection asks for its own language: after another tab
// switched the cookie to German, an English page still gets English
// updates (and a German page German ones), whatever the cookie says.
func TestLiveUpdatesComeInThePagesLanguage(t *testing.T) {
	m := startLogbuch(t)
	a := newActor(t, m, domain.RoleAdmin)
	ctx := testCtx(t)
	dial := func(page, cookie string) *websocket.Conn {
		t.Helper()
		c, _, err := websocket.Dial(ctx, strings.Replace(m.URL(), "http", "ws", 1)+"/live?sprache="+page, &websocket.DialOptions{
			HTTPHeader: http.Header{"Origin": []string{m.URL()}, "Cookie": []string{"lb_sitzung=" + a.Cookie + "; lb_sprache=" + cookie}},
		})
		if err != nil {
			t.Fatalf("dial live: %v", err)
		}
		c.SetReadLimit(8 << 20)
		t.Cleanup(func() { c.CloseNow() })
		return c
	}
	for _, c := range []struct{ page, cookie, want, not string }{
		{"en", "de", i18n.For(i18n.English).T("roster.figures"), i18n.For(i18n.German).T("roster.figures")},
		{"de", "en", i18n.For(i18n.German).T("roster.figures"), i18n.For(i18n.English).T("roster.figures")},
		{"fr", "en", i18n.For(i18n.English).T("roster.figures"), i18n.For(i18n.German).T("roster.figures")}, // unknown: the cookie's
		{"x-probe", "de", i18n.For(i18n.German).T("roster.figures"), i18n.ProbeOpen},                        // the probe only in its test
	} {
		conn := dial(c.page, c.cookie)
		subscribe(t, ctx, conn, "roster", 0)
		msg, ok := readLive(t, ctx, conn, 5*time.Second)
		if !ok || !strings.Contains(msg.HTML, ">"+c.want+"<") || strings.Contains(msg.HTML, c.not) {
			t.Errorf("page %s, cookie %s: got %.200q, want %q", c.page, c.cookie, msg.HTML, c.want)
		}
	}
}
