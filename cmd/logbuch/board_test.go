package main

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"logbuch/domain"
	"logbuch/projections"
)

// createBoard starts a board run by facilitator, as an admin would.
func createBoard(t *testing.T, m *Main, admin *actor, title, facilitator string) string {
	t.Helper()
	status, out, _ := postJSON(t, admin, m.URL()+"/knowhow", uuid.NewString(), fmt.Sprintf(`{"title":%q,"year":2024,"facilitator":%q,"budget":3}`, title, facilitator))
	if status != 200 {
		t.Fatalf("create board: %d %v", status, out)
	}
	return out["id"].(string)
}

// proposeTopic puts a topic on a board, as a Lotse would.
func proposeTopic(t *testing.T, m *Main, a *actor, board, title string) string {
	t.Helper()
	status, out, _ := postJSON(t, a, m.URL()+"/knowhow/"+board+"/themen", uuid.NewString(), fmt.Sprintf(`{"title":%q,"description":"Wie geht das?","amt":"Kämmerei"}`, title))
	if status != 200 {
		t.Fatalf("propose %s: %d %v", title, status, out)
	}
	return out["id"].(string)
}

func boardPost(t *testing.T, m *Main, a *actor, board, path, body string) (int, map[string]any) {
	t.Helper()
	status, out, _ := postJSON(t, a, m.URL()+"/knowhow/"+board+path, uuid.NewString(), body)
	return status, out
}

// boardScene starts Logbuch with an admin, two Lotsinnen and a board run
// by the first of them.
func boardScene(t *testing.T, title string) (m *Main, admin, facilitator, other *actor, board string) {
	t.Helper()
	m = startLogbuch(t)
	admin = newActor(t, m, domain.RoleAdmin)
	facilitator = newActor(t, m, domain.RoleLotse)
	other = newActor(t, m, domain.RoleLotse)
	return m, admin, facilitator, other, createBoard(t, m, admin, title, facilitator.Person)
}

func errorField(out map[string]any) string {
	e, _ := out["error"].(map[string]any)
	f, _ := e["field"].(string)
	return f
}

// The votes stay hidden (on the page and in the shared live view) until the
// facilitator closes and reveals; budgets hold; proxy votes only by the
// facilitator; a person's own ballot view only for that person.
func TestBoardVotingHiddenUntilRevealed(t *testing.T) {
	m, _, lotsin, other, board := boardScene(t, "KNowHow 2024")
	watcher := newActor(t, m, domain.RoleLenkungsgruppe)
	a := proposeTopic(t, m, other, board, "Urlaubsantrag im Portal")
	b := proposeTopic(t, m, other, board, "Dienstreise abrechnen")

	if s, out := boardPost(t, m, other, board, "/praeferenz", fmt.Sprintf(`{"topic":%q,"dots":2}`, a)); s != 200 {
		t.Fatalf("vote: %d %v", s, out)
	}
	if s, out := boardPost(t, m, other, board, "/bedarf", fmt.Sprintf(`{"topic":%q,"need":5}`, a)); s != 200 {
		t.Fatalf("need: %d %v", s, out)
	}
	// Over the budget of 3: refused, tied to the field.
	if s, out := boardPost(t, m, other, board, "/praeferenz", fmt.Sprintf(`{"topic":%q,"dots":2}`, b)); s != http.StatusUnprocessableEntity || errorField(out) != "dots" {
		t.Fatalf("over budget: %d %v", s, out)
	}
	// A proxy vote by someone who does not run the board is refused …
	if s, out := boardPost(t, m, other, board, "/praeferenz", fmt.Sprintf(`{"topic":%q,"dots":1,"voter":%q}`, b, lotsin.Person)); s != http.StatusConflict {
		t.Fatalf("proxy by a non-facilitator: %d %v", s, out)
	}
	// … and recorded for the facilitator.
	if s, out := boardPost(t, m, lotsin, board, "/praeferenz", fmt.Sprintf(`{"topic":%q,"dots":3,"voter":%q}`, b, other.Person)); s != http.StatusUnprocessableEntity {
		t.Fatalf("proxy over the voter's budget must be refused: %d %v", s, out)
	}
	if s, out := boardPost(t, m, lotsin, board, "/praeferenz", fmt.Sprintf(`{"topic":%q,"dots":1,"voter":%q}`, b, other.Person)); s != 200 {
		t.Fatalf("proxy by the facilitator: %d %v", s, out)
	}

	// Before the reveal: no counts on the page, nor in the shared live view.
	_, page := getBody(t, watcher, m.URL()+"/knowhow/"+board)
	if strings.Contains(page, "Rangfolge") || strings.Contains(page, "Präferenz: <strong>") {
		t.Fatal("the board page shows results before the reveal")
	}
	if !strings.Contains(page, "1 Person hat abgestimmt.") {
		t.Fatal("the board page does not show how many have voted")
	}
	ctx := testCtx(t)
	c := dialLive(t, ctx, m, watcher)
	subscribe(t, ctx, c, "tafel/"+board, 0)
	msg, ok := readLive(t, ctx, c, 10*time.Second)
	if !ok || msg.T != "reset" || strings.Contains(msg.HTML, `class="votes"`) || strings.Contains(msg.HTML, "Rangfolge") {
		t.Fatalf("shared live view before the reveal: %+v", msg)
	}
	// Her own ballot: the voter sees her dots and what is left.
	_, own := getBody(t, other, m.URL()+"/knowhow/"+board)
	if !strings.Contains(own, "Noch 0 von 3 Punkten frei.") {
		t.Fatal("the voter does not see her remaining budget")
	}
	// Nobody follows someone else's ballot.
	spy := dialLive(t, ctx, m, lotsin)
	subscribe(t, ctx, spy, "tafel/"+board+"/stimmzettel/"+other.Person, 0)
	if msg, ok := readLive(t, ctx, spy, 3*time.Second); ok {
		t.Fatalf("someone else's ballot was sent: %+v", msg)
	}

	// Only the facilitator reveals, and only after closing.
	if s, _ := boardPost(t, m, other, board, "/schliessen", `{}`); s != http.StatusConflict {
		t.Fatalf("close by a non-facilitator: %d", s)
	}
	if s, out := boardPost(t, m, lotsin, board, "/aufdecken", `{}`); s != http.StatusConflict {
		t.Fatalf("reveal while open: %d %v", s, out)
	}
	for _, step := range []string{"/schliessen", "/aufdecken"} {
		if s, out := boardPost(t, m, lotsin, board, step, `{}`); s != 200 {
			t.Fatalf("%s: %d %v", step, s, out)
		}
	}
	if s, _ := boardPost(t, m, other, board, "/praeferenz", fmt.Sprintf(`{"topic":%q,"dots":0}`, a)); s != http.StatusConflict {
		t.Fatalf("a vote after closing: %d", s)
	}
	// The live view now carries the counts.
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(msg.HTML, "Rangfolge nach Präferenz") {
		if time.Now().After(deadline) {
			t.Fatal("the reveal did not reach the live view")
		}
		if msg, ok = readLive(t, ctx, c, 10*time.Second); !ok {
			t.Fatal("no live update after the reveal")
		}
	}
	_, page = getBody(t, watcher, m.URL()+"/knowhow/"+board)
	if !strings.Contains(page, "Präferenz: <strong>2 Punkte</strong>") || !strings.Contains(page, "5,0 von 5 (1 Einschätzung)") {
		t.Fatal("the revealed counts are not on the page")
	}
}

// Cards move one lane at a time, by the same command from a button or a
// drop, and every viewer sees it live; the team gates the Drehbuch.
func TestBoardMovesAndTeamsLive(t *testing.T) {
	m, admin, lotsin, other, board := boardScene(t, "KNowHow 2025")
	topic := proposeTopic(t, m, lotsin, board, "E-Akte: Dokumente ablegen")

	ctx := testCtx(t)
	c := dialLive(t, ctx, m, other)
	subscribe(t, ctx, c, "tafel/"+board, lastSeq(t, m))

	move := func(a *actor, to string) (int, map[string]any) {
		return boardPost(t, m, a, board, "/themen/"+topic+"/verschieben", fmt.Sprintf(`{"to":%q}`, to))
	}
	if s, out := move(lotsin, "drehbuch"); s != http.StatusConflict {
		t.Fatalf("skipping a lane: %d %v", s, out)
	}
	s, out := move(lotsin, "ausgewaehlt")
	if s != 200 {
		t.Fatalf("move: %d %v", s, out)
	}
	// Updates of earlier changes (the proposal) may still be on their way:
	// read up to the move's own.
	var msg liveMsg
	for msg.Seq < uint64(out["seq"].(float64)) {
		var ok bool
		if msg, ok = readLive(t, ctx, c, 10*time.Second); !ok || msg.ID != "tafel-live" {
			t.Fatalf("no live update of the lanes: %+v", msg)
		}
	}
	lane := msg.HTML[strings.Index(msg.HTML, `id="spalte-ausgewaehlt"`):strings.Index(msg.HTML, `id="spalte-drehbuch"`)]
	if !strings.Contains(lane, "E-Akte: Dokumente ablegen") {
		t.Fatal("the card is not in the lane „Ausgewählt“ of the live update")
	}
	if strings.Contains(msg.HTML, `name="csrf" value="`+other.CSRF) || strings.Contains(msg.HTML, lotsin.CSRF) {
		t.Fatal("a session's CSRF token is in the shared view")
	}
	// Drehbuch needs a team of two.
	if s, _ := move(lotsin, "drehbuch"); s != http.StatusConflict {
		t.Fatalf("into Drehbuch without a team: %d", s)
	}
	for _, a := range []*actor{lotsin, other} {
		if s, out := boardPost(t, m, a, board, "/themen/"+topic+"/team/beitreten", `{}`); s != 200 {
			t.Fatalf("join: %d %v", s, out)
		}
	}
	if s, out := move(other, "drehbuch"); s != 200 {
		t.Fatalf("into Drehbuch with a team: %d %v", s, out)
	}
	if s, out := boardPost(t, m, other, board, "/themen/"+topic+"/team/verlassen", `{}`); s != 200 {
		t.Fatalf("leave: %d %v", s, out)
	}
	// A topic of another board is not reachable through this board.
	second := createBoard(t, m, admin, "Andere Tafel", lotsin.Person)
	if s, _ := boardPost(t, m, lotsin, second, "/themen/"+topic+"/verschieben", `{"to":"ausgewaehlt"}`); s != http.StatusNotFound {
		t.Fatalf("a topic through another board: %d", s)
	}
	// Archive and restore a topic; archive the board: read-only.
	if s, out := boardPost(t, m, lotsin, board, "/themen/"+topic+"/archivieren", `{}`); s != 200 {
		t.Fatalf("archive topic: %d %v", s, out)
	}
	if s, out := boardPost(t, m, lotsin, board, "/themen/"+topic+"/wiederherstellen", `{}`); s != 200 {
		t.Fatalf("restore topic: %d %v", s, out)
	}
	if s, out := boardPost(t, m, lotsin, board, "/archivieren", `{}`); s != 200 {
		t.Fatalf("archive board: %d %v", s, out)
	}
	if s, _ := boardPost(t, m, other, board, "/themen", `{"title":"Noch eins"}`); s != http.StatusConflict {
		t.Fatalf("propose on an archived board: %d", s)
	}
	_, page := getBody(t, other, m.URL()+"/knowhow/"+board)
	if !strings.Contains(page, "archiviert und kann nur gelesen werden") || strings.Contains(page, `id="karte-`+topic+`-vor"`) {
		t.Fatal("an archived board still offers to move cards")
	}
	if s, out := boardPost(t, m, lotsin, board, "/wiederherstellen", `{}`); s != 200 {
		t.Fatalf("restore board: %d %v", s, out)
	}
}

// The survey import: a preview, bad lines named and nothing imported, and a
// confirmed import that completes once even when sent twice.
func TestBoardImportPreviewErrorsAndRetry(t *testing.T) {
	m, _, lotsin, other, board := boardScene(t, "KNowHow 2026")
	good := "Titel;Beschreibung;Amt\nUrlaub beantragen;Wo finde ich das Formular?;Personal- und Organisationsamt\nRechnung freigeben;;Kämmerei\n"
	bad := "Titel;Beschreibung;Amt\nUrlaub beantragen;;\n;nur Beschreibung;\nRechnung;;Gibt es nicht\n"

	before := lastSeq(t, m)
	s, out, _ := postJSON(t, lotsin, m.URL()+"/knowhow/"+board+"/import", uuid.NewString(), fmt.Sprintf(`{"csv":%q}`, bad))
	if s != http.StatusUnprocessableEntity {
		t.Fatalf("bad file: %d %v", s, out)
	}
	errs, _ := out["errors"].([]any)
	if len(errs) != 2 || errs[0].(map[string]any)["line"].(float64) != 3 || errs[1].(map[string]any)["line"].(float64) != 4 {
		t.Fatalf("bad lines: %v", out)
	}
	if s, out, _ = postJSON(t, other, m.URL()+"/knowhow/"+board+"/import", uuid.NewString(), fmt.Sprintf(`{"csv":%q,"confirm":true}`, good)); s != http.StatusConflict {
		t.Fatalf("import by someone who does not run the board: %d %v", s, out)
	}
	// The preview alone imports nothing.
	s, out, _ = postJSON(t, lotsin, m.URL()+"/knowhow/"+board+"/import", "", fmt.Sprintf(`{"csv":%q}`, good))
	if rows, _ := out["rows"].([]any); s != 200 || len(rows) != 2 {
		t.Fatalf("preview: %d %v", s, out)
	}
	if lastSeq(t, m) != before {
		t.Fatal("a preview or a bad file appended to the log")
	}
	id := uuid.NewString()
	for range 2 {
		s, out, _ = postJSON(t, lotsin, m.URL()+"/knowhow/"+board+"/import", id, fmt.Sprintf(`{"csv":%q,"confirm":true}`, good))
		if s != 200 || out["imported"].(float64) != 2 {
			t.Fatalf("import: %d %v", s, out)
		}
	}
	if grew := lastSeq(t, m) - before; grew != 2 {
		t.Fatalf("the import twice appended %d messages, want 2", grew)
	}
	bv, _ := m.Runner.Board(board)
	if n := len(bv.Lanes[0].Topics); n != 2 || bv.Lanes[0].Topics[0].Source != domain.SourceSurvey {
		t.Fatalf("imported topics: %+v", bv.Lanes[0].Topics)
	}
	// The form way: a preview page with the rows and the lines.
	form := url.Values{"csrf": {lotsin.CSRF}, "csv": {bad}}
	req, _ := http.NewRequest("POST", m.URL()+"/knowhow/"+board+"/import", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Cookie", "lb_sitzung="+lotsin.Cookie)
	req.Header.Set("Origin", m.URL())
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	page, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(string(page), "Zeile 3: ") || !strings.Contains(string(page), "Zeile 4: unbekanntes Amt") {
		t.Fatalf("bad file by form: %d %s", res.StatusCode, page)
	}
}

// The board pages of the demo year, and "Stand am …": the whole board as it
// was at a moment, read-only.
func TestBoardPagesAndStandAm(t *testing.T) {
	m := startLogbuch(t, "--demo")
	admin := newActor(t, m, domain.RoleAdmin)
	board := demoBoard(t, m, "KNowHow 2023")
	status, page := getBody(t, admin, m.URL()+"/knowhow")
	if status != 200 || !strings.Contains(page, "KNowHow 2023") {
		t.Fatalf("boards page: %d", status)
	}
	status, page = getBody(t, admin, m.URL()+"/knowhow/"+board)
	published := page[strings.Index(page, `id="spalte-veroeffentlicht"`):]
	if status != 200 || !strings.Contains(published, "Urlaubsantrag im Personalportal") || !strings.Contains(page, "Rangfolge nach Bedarf") {
		t.Fatalf("board page: %d", status)
	}
	// Before the vote, on 20 February 2023: every topic in Vorschlag, no counts.
	status, page = getBody(t, admin, m.URL()+"/knowhow/"+board+"?stand=2023-02-20T12:00")
	if status != 200 || !strings.Contains(page, "Stand am 20.02.2023, 12:00 Uhr") || strings.Contains(page, "Rangfolge") {
		t.Fatalf("Stand am 20. Februar: %d", status)
	}
	lane := page[strings.Index(page, `id="spalte-vorschlag"`):strings.Index(page, `id="spalte-ausgewaehlt"`)]
	if !strings.Contains(lane, "Urlaubsantrag im Personalportal") || strings.Contains(page, "/verschieben") || strings.Contains(page, "Ihre Stimmen") {
		t.Fatal("the past board is not as it was, or not read-only")
	}
	_, page = getBody(t, admin, m.URL()+"/knowhow/"+board+"?stand=2023-01-01T12:00")
	if !strings.Contains(page, "gab es die Tafel noch nicht") {
		t.Fatal("a board before its creation")
	}
	if status, _ = getBody(t, admin, m.URL()+"/knowhow/"+board+"?stand=gestern"); status != http.StatusBadRequest {
		t.Fatalf("a bad moment: %d", status)
	}
}

// openCampaign starts a board with voting open, run by the demo Lotsin, so
// that the pages show the votes and the facilitator's forms.
func openCampaign(t *testing.T, m *Main) string {
	t.Helper()
	ctx := testCtx(t)
	lotsin, ok := m.Runner.PersonByEmail(demoEmail("Sophie Allmannsdorf"))
	if !ok {
		t.Fatal("no demo Lotsin")
	}
	board := uuid.NewString()
	res, err := domain.Execute(ctx, m.Commands, domain.Boards, board, domain.Meta{CommandID: uuid.NewString(), Actor: domain.SystemActor}, "CreateBoard",
		any(domain.CreateBoard{Title: "KNowHow 2024", Year: "2024", Facilitator: lotsin.ID, Budget: "4"}))
	if err != nil {
		t.Fatal(err)
	}
	for _, title := range []string{"Digitale Signatur im Dokumentenmanagement", "KI-Assistenten sicher nutzen"} {
		if res, err = domain.Execute(ctx, m.Commands, domain.Topics, uuid.NewString(), domain.Meta{CommandID: uuid.NewString(), Actor: lotsin.ID}, "ProposeTopic",
			any(domain.ProposeTopic{Board: board, Title: title})); err != nil {
			t.Fatal(err)
		}
	}
	if err := m.Runner.WaitFor(ctx, res.Seq); err != nil {
		t.Fatal(err)
	}
	return board
}

// demoBoard finds a board of the demo by its title.
func demoBoard(t *testing.T, m *Main, title string) string {
	t.Helper()
	for _, b := range m.Runner.Boards().Active {
		if b.Title == title {
			return b.ID
		}
	}
	t.Fatalf("the demo has no board %q", title)
	return ""
}

// 22 Lotsen vote and re-vote at once through the real server, each with
// their own API key; afterwards every budget holds, each person's last
// accepted vote is counted exactly once, and the read model equals a fold
// of the log.
func TestBoardConcurrentVotersOverHTTP(t *testing.T) {
	m := startLogbuch(t)
	admin := newActor(t, m, domain.RoleAdmin)
	voters := make([]*actor, 22)
	for i := range voters {
		voters[i] = newActor(t, m, domain.RoleLotse)
	}
	board := createBoard(t, m, admin, "KNowHow im Sturm", voters[0].Person) // budget 3
	topics := make([]string, 4)
	for i := range topics {
		topics[i] = proposeTopic(t, m, voters[i], board, fmt.Sprintf("Thema %d", i+1))
	}
	type final struct{ dots, need map[string]int }
	finals := make([]final, len(voters))
	done := make(chan struct{})
	stop := time.Now().Add(1500 * time.Millisecond)
	for i, v := range voters {
		go func() {
			defer func() { done <- struct{}{} }()
			f := final{dots: map[string]int{}, need: map[string]int{}}
			for n := 0; time.Now().Before(stop); n++ {
				topic := topics[(i+n)%len(topics)]
				path, field, value := "/praeferenz", "dots", (i*7+n)%4
				if n%3 == 2 {
					path, field, value = "/bedarf", "need", (i+n)%6
				}
				s, out, _ := postJSON(t, v, m.URL()+"/knowhow/"+board+path, uuid.NewString(), fmt.Sprintf(`{"topic":%q,%q:%d}`, topic, field, value))
				switch {
				case s == 200 && field == "dots":
					f.dots[topic] = value
				case s == 200:
					f.need[topic] = value
				case s == http.StatusUnprocessableEntity && errorField(out) == "dots", s == http.StatusTooManyRequests:
					// over the budget, or too fast: nothing changed
				default:
					t.Errorf("vote: %d %v", s, out)
					return
				}
			}
			finals[i] = f
		}()
	}
	for range voters {
		<-done
	}
	for _, step := range []string{"/schliessen", "/aufdecken"} {
		if s, out := boardPost(t, m, admin, board, step, `{}`); s != 200 { // an admin steps in for the facilitator
			t.Fatalf("%s: %d %v", step, s, out)
		}
	}
	want := map[string]projections.VoteTotals{}
	needSum := map[string]int{}
	for i, f := range finals {
		if b := m.Runner.Ballot(board, voters[i].Person); b.Used > 3 {
			t.Errorf("voter %d holds %d dots with a budget of 3", i, b.Used)
		}
		for topic, d := range f.dots {
			if d > 0 {
				w := want[topic]
				w.Dots, w.DotVoters = w.Dots+d, w.DotVoters+1
				want[topic] = w
			}
		}
		for topic, n := range f.need {
			if n > 0 {
				w := want[topic]
				w.NeedVotes++
				want[topic] = w
				needSum[topic] += n
			}
		}
	}
	live, _ := m.Runner.Board(board)
	ctx := testCtx(t)
	folded, err := projections.ReplayToSeq(ctx, m.Log, live.Seq)
	if err != nil {
		t.Fatal(err)
	}
	fromLog, _ := folded.Board(board)
	votes := 0
	for i, c := range live.Lanes[0].Topics {
		w := want[c.ID]
		if w.NeedVotes > 0 {
			w.NeedAverage = float64(needSum[c.ID]) / float64(w.NeedVotes)
		}
		if c.Votes == nil || *c.Votes != w {
			t.Errorf("%s: counted %+v, the voters' last accepted votes say %+v", c.Title.Text, c.Votes, w)
		}
		if o := fromLog.Lanes[0].Topics[i]; o.Votes == nil || *o.Votes != *c.Votes {
			t.Errorf("%s: read model %+v, fold of the log %+v", c.Title.Text, c.Votes, o.Votes)
		}
		votes += w.DotVoters + w.NeedVotes
	}
	if votes == 0 {
		t.Fatal("no vote was accepted")
	}
	t.Logf("%d final votes of 22 voters on %d topics", votes, len(topics))
}
