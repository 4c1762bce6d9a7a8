package main

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/nats-io/nats.go/jetstream"

	"logbuch/domain"
	"logbuch/embed"
)

// heldEvent plans an event that runs now and marks it held, so that its
// guests (whose access ends with the event) can still rate it.
func heldEvent(t *testing.T, m *Main, admin *actor, title string) (string, string) {
	t.Helper()
	now := time.Now()
	id, code := planEvent(t, m, admin, title, now.Add(-2*time.Hour), now.Add(2*time.Hour))
	if s, out, _ := postJSON(t, admin, m.URL()+"/veranstaltungen/"+id+"/durchgefuehrt", uuid.NewString(), `{"attendance":30}`); s != 200 {
		t.Fatalf("mark held: %d %v", s, out)
	}
	return id, code
}

// guests lets n guests into an event by its code.
func guests(t *testing.T, m *Main, event, code string, n int) []*actor {
	t.Helper()
	out := make([]*actor, n)
	for i := range out {
		g, res := joinAsGuest(t, m, code, fmt.Sprintf("Gast %d", i+1))
		if g == nil {
			t.Fatalf("guest %d: %d", i, res.StatusCode)
		}
		g.CSRF = g.csrfFrom(t, m, "/veranstaltungen/"+event)
		out[i] = g
	}
	return out
}

func rateAs(t *testing.T, m *Main, a *actor, event string, value int) (int, map[string]any) {
	t.Helper()
	s, out, _ := postJSON(t, a, m.URL()+"/veranstaltungen/"+event+"/bewertung", uuid.NewString(), fmt.Sprintf(`{"value":%d}`, value))
	return s, out
}

// caughtUp waits until the read models hold the whole log: a batch is
// released after the participation its rater's request waited for.
func caughtUp(t *testing.T, m *Main) {
	t.Helper()
	if err := m.Runner.WaitFor(testCtx(t), lastSeq(t, m)); err != nil {
		t.Fatal(err)
	}
}

// rawMessage is one message of the stream as NATS stores it.
type rawMessage struct {
	Subject string
	Header  map[string][]string
	Time    time.Time
	Events  []map[string]json.RawMessage
}

// rawLog reads the whole stream straight from NATS, past every Logbuch
// read path, as someone with access to the server would.
func rawLog(t *testing.T, m *Main) []rawMessage {
	t.Helper()
	ctx := testCtx(t)
	js, err := jetstream.New(m.Log.Conn())
	if err != nil {
		t.Fatal(err)
	}
	stream, err := js.Stream(ctx, embed.StreamName)
	if err != nil {
		t.Fatal(err)
	}
	var out []rawMessage
	for seq := uint64(1); seq <= lastSeq(t, m); seq++ {
		msg, err := stream.GetMsg(ctx, seq)
		if err != nil {
			t.Fatalf("raw message %d: %v", seq, err)
		}
		rm := rawMessage{Subject: msg.Subject, Header: msg.Header, Time: msg.Time}
		if err := json.Unmarshal(msg.Data, &rm.Events); err != nil {
			t.Fatalf("raw message %d: %v", seq, err)
		}
		out = append(out, rm)
	}
	return out
}

func str(raw json.RawMessage) string {
	var s string
	json.Unmarshal(raw, &s)
	return s
}

// TestRatingsInTheRawLogNameNobodyAndKeepNoOrder rates an event 24 times,
// by guests and Lotsen, through the real endpoint, and reads the stream
// with a plain NATS client afterwards: no rating value carries an actor, a
// session or a time finer than its batch's hour, and the values of a batch
// are not in the order they were given.
func TestRatingsInTheRawLogNameNobodyAndKeepNoOrder(t *testing.T) {
	m := startLogbuch(t, "--rating-batch", "8", "--rating-flush", "0")
	admin := newActor(t, m, domain.RoleAdmin)
	event, code := heldEvent(t, m, admin, "#KNmeetsHN: Bewertung")
	raters := append(guests(t, m, event, code, 22), newActor(t, m, domain.RoleLotse), admin)
	// Three batches of 8, each given in non-decreasing order. A batch keeps
	// that order after a uniform shuffle with probability
	// 2!·2!·2!/8! = 1/5040 (the multiset 1,1,2,2,3,3,4,5), so all three do
	// with probability (1/5040)^3 ≈ 8·10^-12: the assertion below cannot
	// flake in practice.
	given := []int{1, 1, 2, 2, 3, 3, 4, 5}
	var sessions []string
	for i, a := range raters {
		if s, out := rateAs(t, m, a, event, given[i%8]); s != 200 {
			t.Fatalf("rating %d: %d %v", i, s, out)
		}
		sessions = append(sessions, a.Cookie)
	}
	// Rating twice is refused, and adds nothing.
	before := lastSeq(t, m)
	if s, out := rateAs(t, m, raters[0], event, 5); s != http.StatusConflict || !strings.Contains(fmt.Sprint(out), "schon bewertet") {
		t.Fatalf("second rating: %d %v", s, out)
	}
	if lastSeq(t, m) != before {
		t.Fatal("a refused rating appended")
	}

	var batches [][]int
	participations := 0
	for _, msg := range rawLog(t, m) {
		for _, e := range msg.Events {
			switch str(e["type"]) {
			case "RatingGiven":
				participations++
				var data map[string]any
				json.Unmarshal(e["data"], &data)
				if len(data) != 1 || data["event"] != event {
					t.Fatalf("a participation carries more than the event: %s", e["data"])
				}
			case "RatingsReleased":
				if msg.Subject != "lb.konstanz.bewertungen."+event {
					t.Fatalf("batch on %s", msg.Subject)
				}
				batches = append(batches, anonymousValues(t, msg, e, sessions))
			}
		}
	}
	if participations != 24 || len(batches) != 3 {
		t.Fatalf("%d participations and %d batches, want 24 and 3", participations, len(batches))
	}
	shuffled := false
	for _, b := range batches {
		if !slices.Equal(slices.Sorted(slices.Values(b)), given) {
			t.Fatalf("a batch lost or changed values: %v", b)
		}
		shuffled = shuffled || !slices.Equal(b, given)
	}
	if !shuffled {
		t.Fatalf("every batch kept the order the values were given in: %v", batches)
	}
	caughtUp(t, m)
	sum, _ := m.Runner.Rating(event)
	if sum.Participants != 24 || sum.Released() != 24 {
		t.Fatalf("read model: %+v", sum)
	}
}

// anonymousValues checks one released batch of anonymous values (ratings
// now, survey answers later) as the raw log holds it, and returns its
// values: the actor is the system, the only time is the hour (in the
// envelope and inside the event id), the data holds nothing but the
// values, and no header names a session or person of those who answered.
func anonymousValues(t *testing.T, msg rawMessage, e map[string]json.RawMessage, sessions []string) []int {
	t.Helper()
	if a := str(e["actor"]); a != domain.SystemActor {
		t.Fatalf("a released batch names an actor: %q", a)
	}
	at, err := time.Parse(time.RFC3339Nano, str(e["at"]))
	if err != nil || !at.Equal(at.Truncate(time.Hour)) {
		t.Fatalf("a released batch has a time finer than the hour: %s", e["at"])
	}
	id := uuid.MustParse(str(e["id"]))
	if ms := int64(binary.BigEndian.Uint64(append([]byte{0, 0}, id[:6]...))); ms != at.UnixMilli() {
		t.Fatalf("the batch's event id tells another time (%d ms) than its hour (%d ms)", ms, at.UnixMilli())
	}
	var data struct {
		Values []int `json:"values"`
	}
	dec := json.NewDecoder(strings.NewReader(string(e["data"])))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&data); err != nil {
		t.Fatalf("a released batch carries more than values: %s (%v)", e["data"], err)
	}
	for k, vs := range msg.Header {
		for _, v := range vs {
			for i, sess := range sessions {
				person, _, _ := strings.Cut(sess, ".")
				if strings.Contains(v, person) || strings.Contains(v, sess) {
					t.Fatalf("header %s of a batch names answerer %d", k, i)
				}
			}
		}
	}
	return data.Values
}

// TestRatingResultsOnlyFromTheMinimum: below the minimum no result is
// shown anywhere (event page, events list, roadmap, JSON); from the
// minimum on it appears, live.
func TestRatingResultsOnlyFromTheMinimum(t *testing.T) {
	m := startLogbuch(t, "--rating-batch", "3", "--min-ratings", "5", "--rating-flush", "0")
	admin := newActor(t, m, domain.RoleAdmin)
	lotse := newActor(t, m, domain.RoleLotse)
	lenkung := newActor(t, m, domain.RoleLenkungsgruppe)
	now := time.Now()
	planned, _ := planEvent(t, m, admin, "Noch nicht gehalten", now.Add(-time.Hour), now.Add(time.Hour))
	if s, out := rateAs(t, m, lotse, planned, 4); s != http.StatusConflict || !strings.Contains(fmt.Sprint(out), "erst bewertet werden, wenn sie als durchgeführt erfasst ist") {
		t.Fatalf("rating a planned event: %d %v", s, out)
	}
	event, code := heldEvent(t, m, admin, "Meet & Learn: Ergebnisse")
	if s, _ := rateAs(t, m, lenkung, event, 4); s != http.StatusForbidden {
		t.Fatalf("the Lenkungsgruppe rates: %d", s)
	}
	ctx := testCtx(t)
	live := dialLive(t, ctx, m, lenkung)
	subscribe(t, ctx, live, "veranstaltung/"+event+"/bewertung", 0)
	if msg, ok := readLive(t, ctx, live, 10*time.Second); !ok || !strings.Contains(msg.HTML, "Noch niemand hat bewertet") {
		t.Fatalf("live rating view: %+v", msg)
	}

	// A Lotse rates from the page: a form with five labelled radio buttons.
	_, page := getBody(t, lotse, m.URL()+"/veranstaltungen/"+event)
	for v := 1; v <= 5; v++ {
		if !strings.Contains(page, fmt.Sprintf(`type="radio" name="value" id="bewerten-%d" value="%d"`, v, v)) || !strings.Contains(page, fmt.Sprintf(`<label for="bewerten-%d">`, v)) {
			t.Fatalf("no labelled radio button %d on the page", v)
		}
	}
	before := lastSeq(t, m)
	res := postForm(t, m, lotse, "/veranstaltungen/"+event+"/bewertung", map[string][]string{"command_id": {uuid.NewString()}})
	if body := readAll(res); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `href="#bewerten-value">Bitte wählen Sie eine Bewertung von 1 bis 5.`) || !strings.Contains(body, `id="bewerten-value"`) || lastSeq(t, m) != before {
		t.Fatalf("form without a choice: %d", res.StatusCode)
	}
	res = postForm(t, m, lotse, "/veranstaltungen/"+event+"/bewertung", map[string][]string{"command_id": {uuid.NewString()}, "value": {"5"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("form rating: %d %s", res.StatusCode, readAll(res))
	}
	if _, page := getBody(t, lotse, m.URL()+"/veranstaltungen/"+event); !strings.Contains(page, "Sie haben diese Veranstaltung bewertet") || strings.Contains(page, `id="bewerten"`) {
		t.Fatal("the page still offers the form after rating")
	}
	// "Meine Daten" says that the Lotse rated, not what.
	if _, data := getBody(t, lotse, m.URL()+"/konto/daten"); !strings.Contains(data, `"id": "`+event+`"`) || !strings.Contains(data, "Der Wert Ihrer Bewertung ist anonym") {
		t.Fatal("Meine Daten does not list the rated event")
	}
	gs := guests(t, m, event, code, 5)
	for _, g := range gs[:2] {
		if s, out := rateAs(t, m, g, event, 3); s != 200 {
			t.Fatalf("guest rates: %d %v", s, out)
		}
	}
	// Three ratings are in the log now (one batch), below the minimum of 5.
	caughtUp(t, m)
	if sum, _ := m.Runner.Rating(event); sum.Released() != 3 {
		t.Fatalf("released %d, want one batch of 3", sum.Released())
	}
	hidden := func(when string, participants int) {
		t.Helper()
		for _, path := range []string{"/veranstaltungen/" + event, "/veranstaltungen", fmt.Sprintf("/roadmap?jahr=%d", now.In(domain.Berlin).Year())} {
			s, page := getBody(t, lenkung, m.URL()+path)
			if s != 200 || !strings.Contains(page, "Noch zu wenige Bewertungen") || strings.Contains(page, "Durchschnitt") || strings.Contains(page, "Ø") || strings.Contains(page, "<meter") {
				t.Fatalf("%s: %s shows a result below the minimum (%d)", when, path, s)
			}
		}
		req, _ := http.NewRequest("GET", m.URL()+"/veranstaltungen/"+event+"/bewertung", nil)
		req.Header.Set("Authorization", "Bearer "+lenkung.Token)
		r, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var out map[string]any
		json.NewDecoder(r.Body).Decode(&out)
		r.Body.Close()
		if out["shown"] != false || out["average"] != nil || out["distribution"] != nil || out["ratings"] != nil || out["participants"] != float64(participants) {
			t.Fatalf("%s: JSON below the minimum: %v", when, out)
		}
	}
	caughtUp(t, m)
	hidden("3 of 5", 3)
	for _, g := range gs[2:4] {
		if s, out := rateAs(t, m, g, event, 4); s != 200 {
			t.Fatalf("guest rates: %d %v", s, out)
		}
	}
	caughtUp(t, m)
	hidden("5 given, 3 released", 5) // two wait in the pool for a batch
	if s, out := rateAs(t, m, gs[4], event, 2); s != 200 {
		t.Fatalf("guest rates: %d %v", s, out)
	}
	// Six released: the results appear, live, on the open page.
	deadline := time.After(10 * time.Second)
	for {
		msg, ok := readLive(t, ctx, live, 10*time.Second)
		if ok && strings.Contains(msg.HTML, "Durchschnitt <strong>3,5</strong> von 5 aus 6 Bewertungen") {
			break
		}
		select {
		case <-deadline:
			t.Fatalf("no live result: %+v", msg)
		default:
		}
	}
	if _, page := getBody(t, lenkung, m.URL()+"/veranstaltungen"); !strings.Contains(page, "Ø <strong>3,5</strong> (6 Bewertungen)") {
		t.Fatal("the events list shows no result from the minimum on")
	}
}

// TestDemoYearHasRatings: the held events of 2023 are rated through the
// command path; one event stays below the minimum.
func TestDemoYearHasRatings(t *testing.T) {
	m := startLogbuch(t, "--demo")
	events, _ := m.Runner.Events()
	shown, few := 0, 0
	for _, e := range events {
		if !e.Held() {
			continue
		}
		sum, _ := m.Runner.Rating(e.ID)
		switch {
		case sum.Released() >= 3:
			shown++
		case sum.Participants > 0:
			few++
		}
	}
	if shown != 5 || few != 1 {
		t.Fatalf("%d rated events with results, %d below the minimum; want 5 and 1", shown, few)
	}
	admin := newActor(t, m, domain.RoleLenkungsgruppe)
	s, page := getBody(t, admin, m.URL()+"/roadmap?jahr=2023")
	if s != 200 || strings.Count(page, "Noch zu wenige Bewertungen") != 1 || strings.Count(page, "Ø <strong>") != 5 {
		t.Fatalf("roadmap 2023: %d", s)
	}
}

// TestGuestRatesOnlyTheirEventWhileTheirAccessLasts: a guest's code opens
// one event; another event's rating (and every other page) stays closed,
// and once the event is over the access and the code end, with a clear
// message.
func TestGuestRatesOnlyTheirEventWhileTheirAccessLasts(t *testing.T) {
	m := startLogbuch(t, "--rating-flush", "0")
	admin := newActor(t, m, domain.RoleAdmin)
	now := time.Now()
	own, code := planEvent(t, m, admin, "Workshop der Gäste", now.Add(-time.Hour), now.Add(3*time.Hour))
	other, _ := heldEvent(t, m, admin, "Anderer Workshop")
	guest := guests(t, m, own, code, 1)[0]

	before := lastSeq(t, m)
	if s, _ := rateAs(t, m, guest, other, 5); s != http.StatusForbidden {
		t.Fatalf("a guest rates another event: %d", s)
	}
	for _, path := range []string{"/veranstaltungen/" + other + "/bewertung", "/veranstaltungen/" + other, "/roadmap", "/kalender.ics", "/veranstaltungen"} {
		if s, _ := getBody(t, guest, m.URL()+path); s != http.StatusForbidden && s != http.StatusUnauthorized {
			t.Errorf("guest GET %s: %d", path, s)
		}
	}
	if s, out := rateAs(t, m, guest, own, 5); s != http.StatusConflict || !strings.Contains(fmt.Sprint(out), "erst bewertet werden") {
		t.Fatalf("rating before the event is held: %d %v", s, out)
	}
	if lastSeq(t, m) != before {
		t.Fatal("a refused rating appended")
	}

	// The event is moved into the past: it is over, and so is the access.
	past := func(d time.Duration) string { return now.Add(d).In(domain.Berlin).Format("2006-01-02T15:04") }
	eventCmd(t, m, admin, own, "verschieben", fmt.Sprintf(`{"start":%q,"end":%q}`, past(-3*time.Hour), past(-2*time.Hour)))
	if s, _ := getBody(t, guest, m.URL()+"/veranstaltungen/"+own); s != http.StatusSeeOther {
		t.Fatalf("the guest still sees the event after it ended: %d", s)
	}
	res := postForm(t, m, guest, "/veranstaltungen/"+own+"/bewertung", map[string][]string{"command_id": {uuid.NewString()}, "value": {"4"}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/anmelden?hinweis=abgelaufen" {
		t.Fatalf("rating after the access ended: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	if g, res := joinAsGuest(t, m, code, "Zu spät"); g != nil || res.StatusCode != http.StatusGone || !strings.Contains(readAll(res), "Diese Veranstaltung ist vorbei. Der Gastzugang ist beendet.") {
		t.Fatalf("the code after the event: %d", res.StatusCode)
	}
}

// TestShutdownReleasesFullBatchesAndDropsTheRest: ratings wait for the
// timer; a graceful stop releases every full batch and drops a remainder
// smaller than a batch (releasing it alone would make it linkable).
func TestShutdownReleasesFullBatchesAndDropsTheRest(t *testing.T) {
	dir := t.TempDir()
	m := startLogbuchIn(t, dir, "--rating-batch", "3", "--rating-flush", "1h")
	admin := newActor(t, m, domain.RoleAdmin)
	full, fullCode := heldEvent(t, m, admin, "Volle Runde")
	rest, restCode := heldEvent(t, m, admin, "Halbe Runde")
	for i, g := range guests(t, m, full, fullCode, 3) {
		if s, out := rateAs(t, m, g, full, i+3); s != 200 {
			t.Fatalf("rating: %d %v", s, out)
		}
	}
	for _, g := range guests(t, m, rest, restCode, 2) {
		if s, out := rateAs(t, m, g, rest, 2); s != 200 {
			t.Fatalf("rating: %d %v", s, out)
		}
	}
	caughtUp(t, m)
	if a, _ := m.Runner.Rating(full); a.Released() != 0 {
		t.Fatalf("released before the timer: %+v", a)
	}
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	again := startLogbuchIn(t, dir, "--rating-flush", "1h")
	a, _ := again.Runner.Rating(full)
	b, _ := again.Runner.Rating(rest)
	if a.Participants != 3 || a.Counts != [5]int{0, 0, 1, 1, 1} || b.Participants != 2 || b.Released() != 0 {
		t.Fatalf("after a graceful stop: full %+v, rest %+v", a, b)
	}
}
