package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/google/uuid"

	"logbuch/domain"
	"logbuch/web"
)

// jsText quotes s as a JavaScript string literal (JSON is valid JavaScript;
// <, > and & come out as \u escapes).
func jsText(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// browserGuard watches a tab for what an injected script would leave
// behind: JavaScript dialogs (recorded and dismissed, so the page never
// blocks) and, through a script that runs before every document, CSP
// violations (an injected inline script that the policy stopped).
type browserGuard struct {
	mu      sync.Mutex
	dialogs []string
}

func guardBrowser(t *testing.T, tab context.Context) *browserGuard {
	t.Helper()
	g := &browserGuard{}
	dialogs := chromedp.Events(tab, page.JavascriptDialogOpening)
	go func() {
		for ev, err := range dialogs {
			if err != nil {
				return
			}
			g.mu.Lock()
			g.dialogs = append(g.dialogs, string(ev.Type)+": "+ev.Message)
			g.mu.Unlock()
			ctx, cancel := context.WithTimeout(tab, 5*time.Second)
			chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: false})
			cancel()
		}
	}()
	ctx, cancel := context.WithTimeout(tab, 10*time.Second)
	defer cancel()
	if _, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{
		Source: `window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push(e.violatedDirective + " " + (e.sample || "") + " " + (e.sourceFile || "") + ":" + e.lineNumber);
});`,
	}); err != nil {
		t.Fatalf("install CSP watch: %v", err)
	}
	return g
}

func (g *browserGuard) seen() []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]string(nil), g.dialogs...)
}

// inert asserts that nothing of a payload ran on the page the tab shows.
func (g *browserGuard) inert(t *testing.T, tab context.Context, where string) {
	t.Helper()
	if got := eval[string](t, tab, `typeof window.__xss === "undefined" ? "" : String(window.__xss)`); got != "" {
		t.Errorf("%s: an injected script ran (window.__xss = %s)", where, got)
	}
	if got := eval[string](t, tab, `JSON.stringify(window.__csp || [])`); got != "[]" {
		t.Errorf("%s: the page broke its content security policy (an injected script or style?): %s", where, got)
	}
	if d := g.seen(); len(d) > 0 {
		t.Errorf("%s: a JavaScript dialog opened: %q", where, d)
	}
}

// browserCookie reads the session cookie the browser holds for Logbuch.
func browserCookie(t *testing.T, tab context.Context, m *Main) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(tab, 10*time.Second)
	defer cancel()
	res, err := chromedp.Call(ctx, network.GetCookies, network.GetCookiesParams{URLs: []string{m.URL() + "/"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range res.Cookies {
		if c.Name == "lb_sitzung" && c.Value != "" {
			return c.Value
		}
	}
	t.Fatal("the browser holds no session cookie")
	return ""
}

// rawPage loads a page with the session cookie, as the browser would, and
// returns the answer's headers and HTML.
func rawPage(t *testing.T, cookie, url string) (http.Header, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	req.Header.Set("Cookie", "lb_sitzung="+cookie)
	res, err := noRedirect.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %s", url, res.StatusCode, b)
	}
	return res.Header, string(b)
}

// xssPayloads are names, reasons and labels that would run script if they
// reached the page as markup.
var xssPayloads = []string{
	`<script>window.__xss=1</script>`,
	`<img src=x onerror="window.__xss=2">`,
	`"><svg onload=window.__xss=3>`,
	`javascript:window.__xss=4`,
	`</title><script>window.__xss=5</script>`,
	`' onmouseover='window.__xss=6' x='<svg/onload=alert("xss")>`,
}

func TestBrowserXSSPayloadsAreInert(t *testing.T) {
	start := time.Now()
	m := startLogbuch(t)
	admin := newActor(t, m, domain.RoleAdmin)

	joinAPI := func(name, email string, role domain.Role) string {
		t.Helper()
		body, _ := json.Marshal(map[string]string{"name": name, "email": email, "amt": "Kulturamt", "city": "Konstanz", "role": string(role)})
		status, out, _ := postJSON(t, admin, m.URL()+"/lotsen", uuid.NewString(), string(body))
		if status != http.StatusOK {
			t.Fatalf("join %q: %d %v", name, status, out)
		}
		return out["id"].(string)
	}
	leave := func(id, reason string) {
		t.Helper()
		body, _ := json.Marshal(map[string]string{"reason": reason})
		status, out, _ := postJSON(t, admin, m.URL()+"/lotsen/"+id+"/austritt", uuid.NewString(), string(body))
		if status != http.StatusOK {
			t.Fatalf("leave %s: %d %v", id, status, out)
		}
	}

	// cleanEmail refuses < > " ' ( ) ; : [ ] \ and blanks, so no tag and
	// no entity fits into an address; what remains is markup-like text
	// (&lt without its semicolon, =, /, {{ }}) that must come out as typed.
	const emailPayload = "eve+&lt&gt/onload=window.__xss=7{{7*7}}@konstanz.example"

	// The person the browser is logged in as: an admin (so person pages
	// show the management forms) whose own name and e-mail are payloads.
	eveName := `<b onclick="window.__xss=8">Eve</b><script>window.__xss=9</script>`
	eve := joinAPI(eveName, emailPayload, domain.RoleAdmin)

	people := map[string]string{} // id → name
	var ids []string
	for i, p := range xssPayloads {
		email := ""
		if i == 0 {
			// The same kind of address on a person without an account.
			email = "p0+&lt&gt=window.__xss=10@konstanz.example"
		}
		id := joinAPI(p, email, domain.RoleLotse)
		people[id] = p
		ids = append(ids, id)
	}
	// Two leave before anyone looks (server-rendered reason); one leaves
	// while her page is open (the reason arrives as a live fragment).
	reasons := map[string]string{
		ids[1]: `<script>window.__xss=11</script> & "wegen" <img src=x onerror=alert(11)>`,
		ids[3]: "Zeile 1\n</li><iframe src=javascript:alert(12)></iframe>",
	}
	for id, r := range reasons {
		leave(id, r)
	}
	liveReason := `<img src=x onerror="window.__xss=13"><script>alert(13)</script>`

	tab := newBrowser(t)
	guard := guardBrowser(t, tab)

	// Eve sets her password through her invitation: the page greets her by
	// her (payload) name.
	link, _, err := web.CreateInviteLink(testCtx(t), m.Log, m.URL(), eve)
	if err != nil {
		t.Fatal(err)
	}
	within(t, tab, 20*time.Second, chromedp.Navigate(link))
	waitFor(t, tab, `document.getElementById("invite") !== null`)
	guard.inert(t, tab, "invitation page")
	if got := eval[string](t, tab, `document.querySelector("h1").textContent`); got != "Willkommen, "+eveName {
		t.Errorf("invitation greets %q, want the name as text", got)
	}
	if got := eval[string](t, tab, `document.getElementById("invite-email").value`); got != emailPayload {
		t.Errorf("invitation e-mail field holds %q, want %q", got, emailPayload)
	}
	within(t, tab, 20*time.Second,
		chromedp.SendKeys(chromedp.CSS("#invite-password"), "ein sehr geheimes Passwort"),
		chromedp.SendKeys(chromedp.CSS("#invite-password2"), "ein sehr geheimes Passwort"),
		chromedp.Click(chromedp.CSS(`#invite button[type="submit"]`)),
	)
	waitFor(t, tab, `location.pathname === "/konto" && location.search === "?hinweis=willkommen"`)
	guard.inert(t, tab, "/konto")
	for _, want := range []string{eveName, emailPayload} {
		if !eval[bool](t, tab, `document.querySelector("dl.facts").textContent.includes(`+jsText(want)+`)`) {
			t.Errorf("/konto does not show %q as text", want)
		}
	}
	if got := eval[string](t, tab, `document.title`); got != "Mein Konto – Logbuch der Digitallotsen" {
		t.Errorf("/konto title %q", got)
	}

	// An API key with a payload label: in a table cell and in the
	// aria-label of its revoke button.
	label := `"><svg onload=window.__xss=14>`
	within(t, tab, 20*time.Second,
		chromedp.SendKeys(chromedp.CSS("#token-label"), label),
		chromedp.Click(chromedp.CSS(`#token button[type="submit"]`)),
	)
	waitFor(t, tab, `document.getElementById("new-token") !== null`)
	guard.inert(t, tab, "/konto after creating a key")
	if !eval[bool](t, tab, `[...document.querySelectorAll("#api-tokens ~ table td")].some(td => td.textContent === `+jsText(label)+`)`) {
		t.Error("the key's label is not shown as text in the table")
	}
	if !eval[bool](t, tab, `[...document.querySelectorAll("#api-tokens ~ table button")].some(b => b.getAttribute("aria-label") === `+jsText("Schlüssel „"+label+"“ widerrufen")+`)`) {
		t.Error("the revoke button's aria-label does not hold the label as text")
	}
	if got := eval[int](t, tab, `document.querySelectorAll("svg, iframe, script:not([src])").length`); got != 0 {
		t.Errorf("/konto has %d injected svg, iframe or inline script elements", got)
	}

	// The roster, server-rendered with every payload name.
	within(t, tab, 20*time.Second, chromedp.Navigate(m.URL()+"/lotsen"))
	waitFor(t, tab, liveOnline)
	guard.inert(t, tab, "/lotsen")
	for _, p := range append([]string{eveName}, xssPayloads...) {
		if !eval[bool](t, tab, `document.getElementById("roster-live").textContent.includes(`+jsText(p)+`)`) {
			t.Errorf("/lotsen does not show %q as text", p)
		}
	}
	// The live path: a fragment parsed by live.js through a <template>.
	eval[bool](t, tab, `window.__noReload = true`)
	liveName := `<img src=x onerror="window.__xss=15">Live<script>alert(15)</script>`
	liveID := joinAPI(liveName, "", domain.RoleLotse)
	people[liveID] = liveName
	waitFor(t, tab, `document.getElementById("roster-live").textContent.includes(`+jsText(liveName)+`)`)
	time.Sleep(200 * time.Millisecond) // let an onerror of a failed image fire, were there one
	guard.inert(t, tab, "/lotsen after a live update")
	if !eval[bool](t, tab, `window.__noReload === true`) {
		t.Error("the roster reloaded instead of applying the live update")
	}
	if got := eval[int](t, tab, `document.querySelectorAll("#roster-live img, #roster-live svg, #roster-live script, #roster-live iframe, #roster-live b").length`); got != 0 {
		t.Errorf("the roster holds %d elements made from payloads", got)
	}
	if got := eval[int](t, tab, `[...document.querySelectorAll("#roster-live a")].filter(a => !a.getAttribute("href").startsWith("/lotsen/")).length`); got != 0 {
		t.Errorf("the roster has %d links that do not lead to a person page", got)
	}

	// Every person page: the name in <h1> and <title>, the reason in the
	// history, the e-mail in the form.
	for _, id := range append([]string{eve}, append(ids, liveID)...) {
		name := people[id]
		if id == eve {
			name = eveName
		}
		within(t, tab, 20*time.Second, chromedp.Navigate(m.URL()+"/lotsen/"+id))
		waitFor(t, tab, liveOnline)
		where := "/lotsen/" + id
		guard.inert(t, tab, where)
		if got := eval[string](t, tab, `document.getElementById("person-name").textContent`); got != name {
			t.Errorf("%s: heading %q, want %q", where, got, name)
		}
		if got := eval[string](t, tab, `document.title`); got != name+" – Logbuch der Digitallotsen" {
			t.Errorf("%s: title %q, want the name as text", where, got)
		}
		if r, ok := reasons[id]; ok {
			if !eval[bool](t, tab, `document.querySelector("#person-live .history").textContent.includes(`+jsText("ausgeschieden ("+r+")")+`)`) {
				t.Errorf("%s: the reason %q is not in the history as text", where, r)
			}
		}
		if id == eve {
			if got := eval[string](t, tab, `document.getElementById("email-email").value`); got != emailPayload {
				t.Errorf("%s: e-mail field holds %q", where, got)
			}
		}
		if id == ids[0] {
			if got := eval[string](t, tab, `document.getElementById("email-email").value`); got != "p0+&lt&gt=window.__xss=10@konstanz.example" {
				t.Errorf("%s: e-mail field holds %q", where, got)
			}
		}
		if got := eval[int](t, tab, `document.querySelectorAll("main img, main svg, main iframe, main b, main script").length`); got != 0 {
			t.Errorf("%s: %d elements made from payloads", where, got)
		}
	}

	// A departure while the page is open: the reason comes as a live
	// fragment of the person view.
	target := ids[2]
	within(t, tab, 20*time.Second, chromedp.Navigate(m.URL()+"/lotsen/"+target))
	waitFor(t, tab, liveOnline)
	eval[bool](t, tab, `window.__noReload = true`)
	leave(target, liveReason)
	waitFor(t, tab, `document.getElementById("person-live").textContent.includes(`+jsText("ausgeschieden ("+liveReason+")")+`)`)
	time.Sleep(200 * time.Millisecond)
	guard.inert(t, tab, "/lotsen/"+target+" after a live update")
	if !eval[bool](t, tab, `window.__noReload === true`) {
		t.Error("the person page reloaded instead of applying the live update")
	}
	artifact(t, tab, "xss-person.png")
	within(t, tab, 20*time.Second, chromedp.Navigate(m.URL()+"/lotsen"))
	waitFor(t, tab, liveOnline)
	guard.inert(t, tab, "/lotsen at the end")
	artifact(t, tab, "xss-roster.png")

	// The same pages as the server sends them: escaped, under a strict CSP.
	cookie := browserCookie(t, tab, m)
	for _, path := range append([]string{"/lotsen", "/konto"}, func() []string {
		var out []string
		for id := range people {
			out = append(out, "/lotsen/"+id)
		}
		return append(out, "/lotsen/"+eve)
	}()...) {
		h, body := rawPage(t, cookie, m.URL()+path)
		csp := h.Get("Content-Security-Policy")
		if !strings.Contains(csp, "script-src 'self'") || !strings.Contains(csp, "default-src 'none'") || strings.Contains(csp, "unsafe-inline") {
			t.Errorf("%s: Content-Security-Policy %q", path, csp)
		}
		if h.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s: X-Content-Type-Options %q", path, h.Get("X-Content-Type-Options"))
		}
		for _, raw := range []string{"<script>window", "<img src=x", "<svg", "<iframe", "<b onclick", "onerror=\"window", "href=\"javascript:"} {
			if strings.Contains(body, raw) {
				t.Errorf("%s: the HTML holds %q unescaped", path, raw)
			}
		}
	}

	// The dialog watch works: a dialog the test opens itself is seen.
	eval[bool](t, tab, `setTimeout(() => alert("probe"), 0), true`)
	deadline := time.Now().Add(5 * time.Second)
	for len(guard.seen()) == 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if d := guard.seen(); len(d) != 1 || d[0] != "alert: probe" {
		t.Errorf("the dialog watch saw %q, want the probe alert only", d)
	}
	t.Logf("took %v", time.Since(start).Round(time.Millisecond))
}

func TestBrowserLoginFlowFromSetupToLiveRoster(t *testing.T) {
	start := time.Now()
	m := startLogbuch(t)
	if m.SetupLink == "" {
		t.Fatal("a fresh installation offers no setup link")
	}
	admin := newBrowser(t)  // Amt für Digitalisierung und IT
	lotsin := newBrowser(t) // a new colleague at another desk

	// The first admin sets up Logbuch through the printed link.
	within(t, admin, 20*time.Second, chromedp.Navigate(m.SetupLink))
	waitFor(t, admin, `document.getElementById("invite") !== null`)
	if got := eval[string](t, admin, `document.querySelector("h1").textContent`); got != "Logbuch einrichten" {
		t.Errorf("setup page heading %q", got)
	}
	if got := eval[string](t, admin, `document.getElementById("invite-amt").value`); got != "Amt für Digitalisierung und IT" {
		t.Errorf("the setup form preselects Amt %q", got)
	}
	artifact(t, admin, "setup.png")
	within(t, admin, 20*time.Second,
		chromedp.SendKeys(chromedp.CSS("#invite-name"), "Ada Admin"),
		chromedp.SetValue(chromedp.CSS("#invite-amt"), "Amt für Digitalisierung und IT"),
		chromedp.SendKeys(chromedp.CSS("#invite-email"), "ada.admin@konstanz.example"),
		chromedp.SendKeys(chromedp.CSS("#invite-password"), "Einrichtung ist geheim 2024"),
		chromedp.SendKeys(chromedp.CSS("#invite-password2"), "Einrichtung ist geheim 2024"),
		chromedp.Click(chromedp.CSS(`#invite button[type="submit"]`)),
	)
	waitFor(t, admin, `location.pathname === "/konto" && location.search === "?hinweis=willkommen"`)
	if got := eval[string](t, admin, `document.querySelector("main .notice").textContent`); got != "Willkommen! Ihr Zugang ist eingerichtet." {
		t.Errorf("welcome notice %q", got)
	}
	if got := eval[string](t, admin, `document.querySelector("dl.facts").innerText`); !strings.Contains(got, "Ada Admin") || !strings.Contains(got, "ada.admin@konstanz.example") || !strings.Contains(got, "Admin (Amt für Digitalisierung und IT)") {
		t.Errorf("the admin's account page shows %q", got)
	}
	// The link was for one use only.
	if res, err := http.Get(m.SetupLink); err != nil {
		t.Fatal(err)
	} else if res.Body.Close(); res.StatusCode != http.StatusGone {
		t.Errorf("the used setup link answers %d, want 410", res.StatusCode)
	}

	// The admin takes a new Lotsin in through the form …
	within(t, admin, 20*time.Second, chromedp.Navigate(m.URL()+"/lotsen"))
	waitFor(t, admin, liveOnline)
	within(t, admin, 20*time.Second,
		chromedp.SendKeys(chromedp.CSS("#join-name"), "Lina Lotsin"),
		chromedp.SendKeys(chromedp.CSS("#join-email"), "Lina.Lotsin@Konstanz.example"),
		chromedp.SetValue(chromedp.CSS("#join-amt"), "Stadtbibliothek"),
		chromedp.Click(chromedp.CSS(`#join button[type="submit"]`)),
	)
	waitFor(t, admin, `location.search === "?hinweis=aufgenommen" && document.getElementById("roster-live").textContent.includes("Lina Lotsin")`)
	// … opens her page and makes her an invitation link.
	href := eval[string](t, admin, `[...document.querySelectorAll("#roster-live a")].find(a => a.textContent === "Lina Lotsin").getAttribute("href")`)
	if !strings.HasPrefix(href, "/lotsen/") {
		t.Fatalf("link to Lina's page: %q", href)
	}
	within(t, admin, 20*time.Second, chromedp.Navigate(m.URL()+href))
	waitFor(t, admin, `document.getElementById("person-name") !== null && document.getElementById("person-name").textContent === "Lina Lotsin"`)
	within(t, admin, 20*time.Second, chromedp.Click(chromedp.CSS(`#einladen button[type="submit"]`)))
	waitFor(t, admin, `document.getElementById("invite-link") !== null`)
	link := strings.TrimSpace(eval[string](t, admin, `document.getElementById("invite-link").textContent`))
	if !strings.HasPrefix(link, m.URL()+"/einladung/") {
		t.Fatalf("invitation link %q", link)
	}

	// Lina opens the link at her desk and sets her password.
	within(t, lotsin, 20*time.Second, chromedp.Navigate(link))
	waitFor(t, lotsin, `document.getElementById("invite") !== null`)
	if got := eval[string](t, lotsin, `document.querySelector("h1").textContent`); got != "Willkommen, Lina Lotsin" {
		t.Errorf("invitation heading %q", got)
	}
	if got := eval[string](t, lotsin, `document.getElementById("invite-email").value`); got != "lina.lotsin@konstanz.example" {
		t.Errorf("the invitation prefills e-mail %q", got)
	}
	within(t, lotsin, 20*time.Second,
		chromedp.SendKeys(chromedp.CSS("#invite-password"), "Linas langes Passwort"),
		chromedp.SendKeys(chromedp.CSS("#invite-password2"), "Linas langes Passwort"),
		chromedp.Click(chromedp.CSS(`#invite button[type="submit"]`)),
	)
	waitFor(t, lotsin, `location.pathname === "/konto" && location.search === "?hinweis=willkommen"`)
	if got := eval[string](t, lotsin, `document.querySelector("dl.facts").innerText`); !strings.Contains(got, "Lina Lotsin") || !strings.Contains(got, "Stadtbibliothek") {
		t.Errorf("Lina's account page shows %q", got)
	}
	artifact(t, lotsin, "konto.png")

	// She logs out with the button in the header …
	within(t, lotsin, 20*time.Second, chromedp.Click(chromedp.CSS(`header form[action="/abmelden"] button`)))
	waitFor(t, lotsin, `location.pathname === "/anmelden" && location.search === "?hinweis=abgemeldet"`)
	if got := eval[string](t, lotsin, `document.querySelector("main .notice").textContent`); got != "Sie sind abgemeldet." {
		t.Errorf("logout notice %q", got)
	}
	if eval[bool](t, lotsin, `document.querySelector('header form[action="/abmelden"]') !== null`) {
		t.Error("the header still offers to log out after logging out")
	}
	// … the roster now asks her to log in, and sends her back after it.
	within(t, lotsin, 20*time.Second, chromedp.Navigate(m.URL()+"/lotsen"))
	waitFor(t, lotsin, `location.pathname === "/anmelden" && document.getElementById("login") !== null`)
	if got := eval[string](t, lotsin, `document.querySelector('#login input[name="weiter"]').value`); got != "/lotsen" {
		t.Errorf("the login form returns to %q, want /lotsen", got)
	}
	artifact(t, lotsin, "login.png")
	within(t, lotsin, 20*time.Second,
		chromedp.SendKeys(chromedp.CSS("#login-email"), "Lina.Lotsin@konstanz.example"),
		chromedp.SendKeys(chromedp.CSS("#login-password"), "Linas langes Passwort"),
		chromedp.Click(chromedp.CSS(`#login button[type="submit"]`)),
	)
	waitFor(t, lotsin, `location.pathname === "/lotsen" && document.getElementById("roster-live") !== null`)
	waitFor(t, lotsin, liveOnline)
	if eval[bool](t, lotsin, `document.getElementById("join") !== null`) {
		t.Error("a Lotsin sees the form to take people in")
	}
	eval[bool](t, lotsin, `window.__noReload = true`)

	// The admin takes in one more; Lina sees him without a reload.
	within(t, admin, 20*time.Second, chromedp.Navigate(m.URL()+"/lotsen"))
	waitFor(t, admin, liveOnline)
	within(t, admin, 20*time.Second,
		chromedp.SendKeys(chromedp.CSS("#join-name"), "Malte Mehrwert"),
		chromedp.SetValue(chromedp.CSS("#join-amt"), "Kulturamt"),
		chromedp.Click(chromedp.CSS(`#join button[type="submit"]`)),
	)
	waitFor(t, admin, `location.search === "?hinweis=aufgenommen" && document.getElementById("roster-live").textContent.includes("Malte Mehrwert")`)
	waitFor(t, lotsin, `document.getElementById("roster-live").textContent.includes("Malte Mehrwert")`)
	if !eval[bool](t, lotsin, `window.__noReload === true`) {
		t.Fatal("Lina's roster reloaded instead of applying the live update")
	}
	if got := eval[string](t, lotsin, `document.querySelector("#amt-kulturamt + ul").textContent`); !strings.Contains(got, "Malte Mehrwert") {
		t.Errorf("the new Lotse is not listed under Kulturamt: %q", got)
	}
	artifact(t, lotsin, "login-roster-live.png")
	t.Logf("took %v", time.Since(start).Round(time.Millisecond))
}
