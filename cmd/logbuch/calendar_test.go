package main

import (
	"bytes"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-ical"
	"github.com/google/uuid"

	"logbuch/domain"
)

// planFormat plans an event of a format at local times (Europe/Berlin).
func planFormat(t *testing.T, m *Main, admin *actor, title, format, start, end string) string {
	t.Helper()
	body := fmt.Sprintf(`{"title":%q,"format":%q,"start":%q,"end":%q,"place":"Ratssaal, 2. OG","host_city":"Konstanz"}`, title, format, start, end)
	status, out, _ := postJSON(t, admin, m.URL()+"/veranstaltungen", uuid.NewString(), body)
	if status != 200 {
		t.Fatalf("plan %s: %d %v", title, status, out)
	}
	return out["id"].(string)
}

// eventCmd sends one lifecycle command as JSON and wants it applied.
func eventCmd(t *testing.T, m *Main, admin *actor, id, action, body string) {
	t.Helper()
	if status, out, _ := postJSON(t, admin, m.URL()+"/veranstaltungen/"+id+"/"+action, uuid.NewString(), body); status != 200 {
		t.Fatalf("%s %s: %d %v", action, id, status, out)
	}
}

var feedURL = regexp.MustCompile(`value="(http[^"]*/kalender\.ics\?token=[^"]+)"`)

// subscriptionURL reads the person's calendar address from /veranstaltungen.
func subscriptionURL(t *testing.T, m *Main, a *actor) string {
	t.Helper()
	status, body := getBody(t, a, m.URL()+"/veranstaltungen")
	match := feedURL.FindStringSubmatch(body)
	if status != 200 || match == nil {
		t.Fatalf("no subscription address on /veranstaltungen (%d)", status)
	}
	return html.UnescapeString(match[1])
}

// fetchFeed gets a feed like a calendar program: no cookie.
func fetchFeed(t *testing.T, u string, cookie string) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequest("GET", u, nil)
	if cookie != "" {
		req.Header.Set("Cookie", "lb_sitzung="+cookie)
	}
	res, err := noRedirect.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, b
}

// parseFeed checks the raw form (CRLF, folded at 75 octets) and parses the
// feed with go-ical; it returns the events by UID.
func parseFeed(t *testing.T, raw []byte) (*ical.Calendar, map[string]ical.Event) {
	t.Helper()
	if !bytes.HasSuffix(raw, []byte("\r\n")) {
		t.Fatal("the feed does not end with CRLF")
	}
	for i, line := range bytes.Split(bytes.TrimSuffix(raw, []byte("\r\n")), []byte("\r\n")) {
		if len(line) > 75 {
			t.Errorf("line %d has %d octets: %q", i+1, len(line), line)
		}
		if bytes.ContainsAny(line, "\r\n") {
			t.Errorf("line %d has a bare line break: %q", i+1, line)
		}
	}
	cal, err := ical.NewDecoder(bytes.NewReader(raw)).Decode()
	if err != nil {
		t.Fatalf("go-ical cannot read the feed: %v\n%s", err, raw)
	}
	for _, name := range []string{ical.PropProductID, ical.PropVersion, "X-WR-CALNAME"} {
		if cal.Props.Get(name) == nil {
			t.Errorf("calendar without %s", name)
		}
	}
	if v := cal.Props.Get(ical.PropVersion); v == nil || v.Value != "2.0" {
		t.Errorf("VERSION %v", v)
	}
	var tz bool
	for _, c := range cal.Children {
		if c.Name == ical.CompTimezone && c.Props.Get(ical.PropTimezoneID).Value == "Europe/Berlin" {
			tz = true
		}
	}
	if !tz {
		t.Error("no VTIMEZONE for Europe/Berlin")
	}
	byUID := map[string]ical.Event{}
	for _, e := range cal.Events() {
		uid, err := e.Props.Text(ical.PropUID)
		if err != nil {
			t.Fatal(err)
		}
		byUID[uid] = e
	}
	return cal, byUID
}

func text(t *testing.T, e ical.Event, name string) string {
	t.Helper()
	s, err := e.Props.Text(name)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return s
}

func sequence(t *testing.T, e ical.Event) int {
	t.Helper()
	p := e.Props.Get(ical.PropSequence)
	if p == nil {
		t.Fatal("no SEQUENCE")
	}
	n, err := p.Int()
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestCalendarFeedParsesWithARealLibrary(t *testing.T) {
	m := startLogbuch(t)
	admin := newActor(t, m, domain.RoleAdmin)
	lotse := newActor(t, m, domain.RoleLotse)
	title := `#KNmeetsHN 2030, Heilbronn; Teil 1 \ Ergebnisse`
	kn := planFormat(t, m, admin, title, "#KNmeetsHN", "2030-10-17T09:30", "2030-10-17T16:30")
	eventCmd(t, m, admin, kn, "vortrag", `{"speaker":"Dr. Lea Sommer","organisation":"Stadt Heilbronn","topic":"Größere Übergänge zwischen Ämtern: Nutzerzentrierung, Verwaltungskultur; und was wir daraus lernen"}`)
	ml := planFormat(t, m, admin, "Meet & Learn: KI in der Verwaltung", "Meet & Learn", "2030-03-15T10:00", "2030-03-15T11:00")
	cyber := planFormat(t, m, admin, "Risiko Cybercrime", "Informationsveranstaltung", "2030-11-23T14:00", "2030-11-23T15:30")
	eventCmd(t, m, admin, cyber, "absagen", `{"reason":"Referent erkrankt"}`)

	// A Lotse subscribes with the address from /veranstaltungen, without a session.
	feed := subscriptionURL(t, m, lotse)
	res, raw := fetchFeed(t, feed, "")
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "text/calendar; charset=utf-8" {
		t.Fatalf("feed: %d %s %s", res.StatusCode, res.Header.Get("Content-Type"), raw)
	}
	_, events := parseFeed(t, raw)
	if len(events) != 3 {
		t.Fatalf("%d events in the feed, want 3", len(events))
	}
	e, ok := events[kn+"@logbuch"]
	if !ok {
		t.Fatalf("UID %s@logbuch missing", kn)
	}
	start, err := e.DateTimeStart(nil)
	if err != nil || !start.Equal(time.Date(2030, 10, 17, 7, 30, 0, 0, time.UTC)) || start.Location().String() != "Europe/Berlin" {
		t.Fatalf("DTSTART %v %v: 09:30 in Konstanz in October is 07:30 UTC", start, err)
	}
	if end, err := e.DateTimeEnd(nil); err != nil || !end.Equal(time.Date(2030, 10, 17, 14, 30, 0, 0, time.UTC)) {
		t.Fatalf("DTEND %v %v", end, err)
	}
	if got := text(t, e, ical.PropSummary); got != title {
		t.Fatalf("SUMMARY %q, want %q (commas, semicolons, backslashes round-trip)", got, title)
	}
	if got := text(t, e, ical.PropLocation); got != "Ratssaal, 2. OG (Konstanz)" {
		t.Fatalf("LOCATION %q", got)
	}
	if d := text(t, e, ical.PropDescription); !strings.Contains(d, "Format: #KNmeetsHN\n") || !strings.Contains(d, "Verwaltungskultur; und was wir daraus lernen (Dr. Lea Sommer, Stadt Heilbronn)") {
		t.Fatalf("DESCRIPTION %q", d)
	}
	if s, err := e.Status(); err != nil || s != ical.EventConfirmed || sequence(t, e) != 0 {
		t.Fatalf("planned event: %v %v SEQUENCE %d", s, err, sequence(t, e))
	}
	if e.Props.Get(ical.PropDateTimeStamp) == nil {
		t.Fatal("no DTSTAMP")
	}
	mlEvent := events[ml+"@logbuch"]
	if start, _ := mlEvent.DateTimeStart(nil); !start.Equal(time.Date(2030, 3, 15, 9, 0, 0, 0, time.UTC)) {
		t.Fatalf("10:00 in March (winter time) is 09:00 UTC: %v", start)
	}
	cyberEvent := events[cyber+"@logbuch"]
	if s, err := cyberEvent.Status(); err != nil || s != ical.EventCancelled {
		t.Fatalf("the cancelled event: %v %v, want STATUS:CANCELLED", s, err)
	}

	// Moved: the same UID, a higher SEQUENCE, the new time.
	eventCmd(t, m, admin, kn, "verschieben", `{"start":"2030-10-18T10:00","end":"2030-10-18T17:00"}`)
	_, raw = fetchFeed(t, feed, "")
	_, events = parseFeed(t, raw)
	e, ok = events[kn+"@logbuch"]
	if !ok || sequence(t, e) != 1 {
		t.Fatalf("after the move: found %v, SEQUENCE %d, want the same UID with 1", ok, sequence(t, e))
	}
	if start, _ := e.DateTimeStart(nil); !start.Equal(time.Date(2030, 10, 18, 8, 0, 0, 0, time.UTC)) {
		t.Fatalf("moved DTSTART %v", start)
	}

	// One format only.
	q, _ := url.Parse(feed)
	v := q.Query()
	v.Set("format", "Meet & Learn")
	q.RawQuery = v.Encode()
	if !strings.Contains(q.String(), "format=Meet+%26+Learn") {
		t.Fatalf("format query %s", q)
	}
	res, raw = fetchFeed(t, q.String(), "")
	cal, events := parseFeed(t, raw)
	if _, ok := events[ml+"@logbuch"]; res.StatusCode != 200 || len(events) != 1 || !ok {
		t.Fatalf("Meet & Learn feed: %d, %d events", res.StatusCode, len(events))
	}
	if name, _ := cal.Props.Text("X-WR-CALNAME"); !strings.Contains(name, "Meet & Learn") {
		t.Fatalf("X-WR-CALNAME %q", name)
	}
	// The feed addresses per format are on the page too.
	if _, body := getBody(t, lotse, m.URL()+"/veranstaltungen"); !strings.Contains(body, "format=Meet+%26+Learn") {
		t.Fatal("no per-format address on /veranstaltungen")
	}
	if res, _ := fetchFeed(t, m.URL()+"/kalender.ics?format=Party&token="+url.QueryEscape(v.Get("token")), ""); res.StatusCode != http.StatusBadRequest {
		t.Fatalf("unknown format: %d", res.StatusCode)
	}

	// A staff session works too.
	if res, _ := fetchFeed(t, m.URL()+"/kalender.ics", admin.Cookie); res.StatusCode != 200 {
		t.Fatalf("with a session: %d", res.StatusCode)
	}

	// Refused: no session and no token, a forged or changed token, an API
	// key (it would give full rights, so it is not taken in a URL).
	token := v.Get("token")
	person, sealed, _ := strings.Cut(token, ".")
	for name, u := range map[string]string{
		"nothing":             m.URL() + "/kalender.ics",
		"empty token":         m.URL() + "/kalender.ics?token=",
		"plain word":          m.URL() + "/kalender.ics?token=" + url.QueryEscape(person+".kalender"),
		"other person's seal": m.URL() + "/kalender.ics?token=" + url.QueryEscape(admin.Person+"."+sealed),
		"changed seal":        m.URL() + "/kalender.ics?token=" + url.QueryEscape(token[:len(token)-3]+"AAA"),
		"api key":             m.URL() + "/kalender.ics?token=" + url.QueryEscape(lotse.Token),
		"garbage":             m.URL() + "/kalender.ics?token=%00%ff",
	} {
		if res, body := fetchFeed(t, u, ""); res.StatusCode != http.StatusUnauthorized || bytes.Contains(body, []byte("VCALENDAR")) {
			t.Errorf("%s: %d, want 401", name, res.StatusCode)
		}
	}
	// A guest's session is no staff session.
	now := time.Now()
	_, code := planEvent(t, m, admin, "Jetzt", now.Add(-time.Hour), now.Add(time.Hour))
	guest, _ := joinAsGuest(t, m, code, "Kim")
	if res, _ := fetchFeed(t, m.URL()+"/kalender.ics", guest.Cookie); res.StatusCode != http.StatusForbidden {
		t.Fatalf("guest: %d, want 403", res.StatusCode)
	}
	// Leaving the roster ends the subscription.
	if status, out, _ := postJSON(t, admin, m.URL()+"/lotsen/"+lotse.Person+"/austritt", uuid.NewString(), `{}`); status != 200 {
		t.Fatal(out)
	}
	if res, _ := fetchFeed(t, feed, ""); res.StatusCode != http.StatusUnauthorized {
		t.Fatalf("the feed of someone who left: %d, want 401", res.StatusCode)
	}
}

func TestEventLifecycleOnThePage(t *testing.T) {
	m := startLogbuch(t)
	admin := newActor(t, m, domain.RoleAdmin)
	lotse := newActor(t, m, domain.RoleLotse)
	now := time.Now()
	id, _ := planEvent(t, m, admin, "Meet & Learn jetzt", now.Add(-time.Hour), now.Add(time.Hour))
	later, _ := planEvent(t, m, admin, "Später", now.Add(48*time.Hour), now.Add(50*time.Hour))

	// The admin sees the forms; a Lotse does not.
	_, page := getBody(t, admin, m.URL()+"/veranstaltungen/"+id)
	for _, want := range []string{"geplant", `action="/veranstaltungen/` + id + `/vortrag"`, `action="/veranstaltungen/` + id + `/durchgefuehrt"`, `action="/veranstaltungen/` + id + `/verschieben"`, `action="/veranstaltungen/` + id + `/absagen"`} {
		if !strings.Contains(page, want) {
			t.Errorf("admin's event page without %s", want)
		}
	}
	if _, page := getBody(t, lotse, m.URL()+"/veranstaltungen/"+id); strings.Contains(page, "/durchgefuehrt\"") || !strings.Contains(page, "geplant") {
		t.Error("a Lotse sees the admin's forms, or no status")
	}

	// Forms: a talk, then held with 27 participants.
	admin.CSRF = admin.csrfFrom(t, m, "/veranstaltungen/"+id)
	res := postForm(t, m, admin, "/veranstaltungen/"+id+"/vortrag", url.Values{"command_id": {uuid.NewString()}, "speaker": {"Jonas Weber"}, "organisation": {"Coding-Schule Heilbronn"}, "topic": {"Programmieren lernen mit 50"}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/veranstaltungen/"+id+"?hinweis=vortrag" {
		t.Fatalf("talk form: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	// A wrong number shows the form again with the problem.
	res = postForm(t, m, admin, "/veranstaltungen/"+id+"/durchgefuehrt", url.Values{"command_id": {uuid.NewString()}, "attendance": {"viele"}})
	if body := readAll(res); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Zahl der Teilnehmenden") || !strings.Contains(body, `value="viele"`) {
		t.Fatalf("bad attendance: %d", res.StatusCode)
	}
	res = postForm(t, m, admin, "/veranstaltungen/"+id+"/durchgefuehrt", url.Values{"command_id": {uuid.NewString()}, "attendance": {"27"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("held form: %d %s", res.StatusCode, readAll(res))
	}
	_, page = getBody(t, lotse, m.URL()+"/veranstaltungen/"+id+"?hinweis=durchgefuehrt")
	for _, want := range []string{"durchgeführt mit 27 Teilnehmenden", "Programmieren lernen mit 50", "Jonas Weber", "Coding-Schule Heilbronn", "als durchgeführt erfasst"} {
		if !strings.Contains(page, want) {
			t.Errorf("event page without %q", want)
		}
	}
	// Held: no second time, no cancelling, no moving (409 as JSON).
	for action, body := range map[string]string{"durchgefuehrt": `{"attendance":"3"}`, "absagen": `{}`, "verschieben": `{"start":"2031-01-01T10:00","end":"2031-01-01T11:00"}`} {
		if status, out, _ := postJSON(t, admin, m.URL()+"/veranstaltungen/"+id+"/"+action, uuid.NewString(), body); status != http.StatusConflict {
			t.Errorf("%s after held: %d %v", action, status, out)
		}
	}
	// Not before it started.
	if status, out, _ := postJSON(t, admin, m.URL()+"/veranstaltungen/"+later+"/durchgefuehrt", uuid.NewString(), `{"attendance":5}`); status != http.StatusConflict || !strings.Contains(fmt.Sprint(out), "noch nicht begonnen") {
		t.Fatalf("held before the start: %d %v", status, out)
	}
	// The server's clock, never the client's.
	if status, _, _ := postJSON(t, admin, m.URL()+"/veranstaltungen/"+later+"/durchgefuehrt", uuid.NewString(), `{"attendance":5,"Now":"2099-01-01T00:00:00Z"}`); status != http.StatusBadRequest {
		t.Fatalf("a client-sent clock: %d", status)
	}
	// Cancelled with a reason; shown as such; an unknown event is 404.
	eventCmd(t, m, admin, later, "absagen", `{"reason":"Raum nicht verfügbar"}`)
	if _, page := getBody(t, lotse, m.URL()+"/veranstaltungen/"+later); !strings.Contains(page, "abgesagt: Raum nicht verfügbar") {
		t.Error("cancelled event page without its reason")
	}
	if status, _, _ := postJSON(t, admin, m.URL()+"/veranstaltungen/"+uuid.NewString()+"/absagen", uuid.NewString(), `{}`); status != http.StatusNotFound {
		t.Fatalf("cancel an unknown event: %d", status)
	}
}

func TestCancelledEventLetsNoGuestIn(t *testing.T) {
	m := startLogbuch(t)
	admin := newActor(t, m, domain.RoleAdmin)
	now := time.Now()
	id, code := planEvent(t, m, admin, "#KNmeetsHN heute", now.Add(-time.Hour), now.Add(3*time.Hour))
	early, _ := joinAsGuest(t, m, code, "Kim aus Heilbronn")
	if early == nil {
		t.Fatal("the guest did not get in before the cancellation")
	}
	early.CSRF = early.csrfFrom(t, m, "/veranstaltungen/"+id)
	ctx := testCtx(t)
	live := dialLive(t, ctx, m, early)
	subscribe(t, ctx, live, "veranstaltung/"+id+"/wand", 0)
	readLive(t, ctx, live, 10*time.Second)
	eventCmd(t, m, admin, id, "absagen", `{"reason":"Unwetter"}`)
	// The guest's open wall is disconnected at once.
	var err error
	for err == nil {
		_, _, err = live.Read(ctx) // the last update may come first
	}
	if !isPolicyClose(err) {
		t.Fatalf("guest's live wall after the cancellation: %v", err)
	}

	g, res := joinAsGuest(t, m, code, "Spät dran")
	if g != nil || res.StatusCode != http.StatusGone || !strings.Contains(readAll(res), "abgesagt") {
		t.Fatalf("code of a cancelled event: %d, guest %v", res.StatusCode, g != nil)
	}
	// A guest who was in already: their access ended with the cancellation.
	before := lastSeq(t, m)
	res = postForm(t, m, early, "/veranstaltungen/"+id+"/wand", url.Values{"command_id": {uuid.NewString()}, "text": {"Noch da?"}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/anmelden?hinweis=abgelaufen" || lastSeq(t, m) != before {
		t.Fatalf("post to a cancelled event: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	if status, _ := getBody(t, early, m.URL()+"/veranstaltungen/"+id); status != http.StatusSeeOther {
		t.Fatalf("the guest still sees the cancelled event's page: %d", status)
	}
}

func TestRoadmapShowsTheYearByMonth(t *testing.T) {
	m := startLogbuch(t)
	admin := newActor(t, m, domain.RoleAdmin)
	lenkung := newActor(t, m, domain.RoleLenkungsgruppe)
	held := planFormat(t, m, admin, "Team-Workshop im Kloster", "Team-Workshop", "2023-04-20T09:00", "2023-04-21T16:00")
	eventCmd(t, m, admin, held, "durchgefuehrt", `{"attendance":18}`)
	cancelled := planFormat(t, m, admin, "Lunch & Learn: Barrierefreiheit", "Lunch & Learn", "2023-07-05T12:00", "2023-07-05T12:45")
	eventCmd(t, m, admin, cancelled, "absagen", `{"reason":"Hitzefrei"}`)
	planFormat(t, m, admin, "Schulung: KI", "Schulung", fmt.Sprintf("%d-12-01T09:00", time.Now().Year()+1), fmt.Sprintf("%d-12-01T12:00", time.Now().Year()+1))

	status, body := getBody(t, lenkung, m.URL()+"/roadmap?jahr=2023")
	if status != 200 {
		t.Fatalf("roadmap: %d", status)
	}
	for _, want := range []string{
		"<h1>Roadmap 2023</h1>", ">April 2023</h2>", ">Juli 2023</h2>", ">Dezember 2023</h2>",
		"Team-Workshop im Kloster", "durchgeführt mit 18 Teilnehmenden",
		"Lunch &amp; Learn: Barrierefreiheit", "abgesagt: Hitzefrei",
		"1 durchgeführt", "1 abgesagt", "0 geplant",
		fmt.Sprintf(`href="/roadmap?jahr=%d"`, time.Now().Year()+1),
	} {
		if !strings.Contains(body, want) {
			t.Errorf("roadmap 2023 without %q", want)
		}
	}
	if strings.Contains(body, "Schulung: KI") {
		t.Error("an event of another year on the 2023 roadmap")
	}
	// April comes before July, in one list per month.
	if strings.Index(body, "Team-Workshop im Kloster") > strings.Index(body, "Barrierefreiheit") {
		t.Error("months out of order")
	}
	// Default: this year; the navigation links to the roadmap.
	if _, body := getBody(t, lenkung, m.URL()+"/roadmap"); !strings.Contains(body, fmt.Sprintf("Roadmap %d", time.Now().In(domain.Berlin).Year())) || !strings.Contains(body, `href="/roadmap"`) {
		t.Error("the roadmap does not default to this year, or is not in the navigation")
	}
	if status, _ := getBody(t, lenkung, m.URL()+"/roadmap?jahr=zwanzig"); status != http.StatusBadRequest {
		t.Errorf("a bad year: %d", status)
	}
}

func TestDemoYearRecordsWhatBecameOfItsEvents(t *testing.T) {
	m := startLogbuch(t, "--demo")
	events, _ := m.Runner.Events()
	var held, live int
	for _, e := range events {
		if e.Start.In(domain.Berlin).Year() != 2023 {
			if e.Status != domain.StatusPlanned {
				t.Errorf("the live demo event %q is %s, want planned", e.Title, e.Status)
			}
			live++
			continue
		}
		if !e.Held() || e.Attendance < 1 || len(e.Talks) == 0 {
			t.Errorf("2023 event %q: %s with %d, %d talks", e.Title, e.Status, e.Attendance, len(e.Talks))
		}
		if e.Format == "#KNmeetsHN" && e.Attendance != 30 {
			t.Errorf("#KNmeetsHN 2023 had about 30 participants, not %d", e.Attendance)
		}
		if e.Changed.Year() != 2023 {
			t.Errorf("%q last changed %v, want in 2023", e.Title, e.Changed)
		}
		held++
	}
	if held < 5 || live != 1 {
		t.Fatalf("%d held 2023 events, %d live ones", held, live)
	}
}

// A calendar program sends no cookie: the feed speaks German, and the
// English address the events page offers (?sprache=en) speaks English —
// the calendar's name, the formats and the description of each event.
func TestCalendarFeedInTheLanguageOfItsAddress(t *testing.T) {
	m := startLogbuch(t)
	admin := newActor(t, m, domain.RoleAdmin)
	lotse := newActor(t, m, domain.RoleLotse)
	planFormat(t, m, admin, "Schulung: KI im Amt", "Schulung", "2030-05-05T10:00", "2030-05-05T12:00")
	feed := subscriptionURL(t, m, lotse)
	english := feed + "&sprache=en"
	for _, c := range []struct {
		url       string
		want, not []string
	}{
		{feed, []string{"Veranstaltungen der Digitallotsen", "Schulung", "geplant"}, []string{"events of the Digitallotsen"}},
		{english, []string{"events of the Digitallotsen", "CATEGORIES:Training", "planned"}, []string{"Veranstaltungen der Digitallotsen", "Gastgeberstadt"}},
	} {
		res, raw := fetchFeed(t, c.url, "")
		if res.StatusCode != 200 {
			t.Fatalf("%s: %d %s", c.url, res.StatusCode, raw)
		}
		unfolded := strings.ReplaceAll(string(raw), "\r\n ", "")
		for _, w := range c.want {
			if !strings.Contains(unfolded, w) {
				t.Errorf("%s lacks %q", c.url, w)
			}
		}
		for _, n := range c.not {
			if strings.Contains(unfolded, n) {
				t.Errorf("%s says %q", c.url, n)
			}
		}
	}
}
