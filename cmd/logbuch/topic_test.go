package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"logbuch/domain"
)

// knowhowTopic puts a board and one topic on it through the command path
// and returns their ids.
func knowhowTopic(t *testing.T, m *Main, facilitator, title, description string) (board, topic string) {
	t.Helper()
	ctx := testCtx(t)
	board, topic = uuid.Must(uuid.NewV7()).String(), uuid.Must(uuid.NewV7()).String()
	meta := func() domain.Meta {
		return domain.Meta{CommandID: uuid.NewString(), Actor: domain.SystemActor, NewAggregate: true}
	}
	if _, err := domain.Execute(ctx, m.Commands, domain.Boards, board, meta(), "CreateBoard",
		any(domain.CreateBoard{Title: "KNowHow Test", Year: "2024", Facilitator: facilitator})); err != nil {
		t.Fatal(err)
	}
	res, err := domain.Execute(ctx, m.Commands, domain.Topics, topic, meta(), "ProposeTopic",
		any(domain.ProposeTopic{Board: board, Title: title, Description: description, Amt: "Hauptamt", Source: domain.SourceSurvey}))
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Runner.WaitFor(ctx, res.Seq); err != nil {
		t.Fatal(err)
	}
	return board, topic
}

// moveTopic moves a topic one lane on (the board page's command) as a.
func moveTopic(t *testing.T, m *Main, a *actor, topic string, to domain.Stage) {
	t.Helper()
	ctx := testCtx(t)
	res, err := domain.Execute(ctx, m.Commands, domain.Topics, topic, domain.Meta{CommandID: uuid.NewString(), Actor: a.Person}, "MoveTopic", any(domain.MoveTopic{To: to}))
	if err != nil {
		t.Fatalf("move to %s: %v", to, err)
	}
	if err := m.Runner.WaitFor(ctx, res.Seq); err != nil {
		t.Fatal(err)
	}
}

func mustJSON(t *testing.T, a *actor, url, body string) map[string]any {
	t.Helper()
	status, out, _ := postJSON(t, a, url, uuid.NewString(), body)
	if status != 200 {
		t.Fatalf("%s %s: %d %v", url, body, status, out)
	}
	return out
}

func readBody(t *testing.T, res *http.Response) string {
	t.Helper()
	var b strings.Builder
	buf := make([]byte, 4096)
	for {
		n, err := res.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			return b.String()
		}
	}
}

// Two Lotsen change the same description at once: changes in different
// places are merged (and the second writer is told with whom); changes in
// the same place are refused with both versions, nothing is written and
// nothing is lost, and the writer decides by sending again.
func TestTopicCoEditingMergesOrShowsBothVersions(t *testing.T) {
	m := startLogbuch(t)
	admin := newActor(t, m, domain.RoleAdmin)
	anna, ben := newActor(t, m, domain.RoleLotse), newActor(t, m, domain.RoleLotse)
	board, topic := knowhowTopic(t, m, admin.Person, "Urlaub beantragen", "Wie beantrage ich Urlaub im Personalportal? Die Anleitung fehlt.")
	page := "/knowhow/" + board + "/themen/" + topic
	base := m.URL() + page

	// Anna changes the first sentence (JSON), Ben the second (form), both on revision 1.
	mustJSON(t, anna, base+"/feld", `{"field":"description","base_rev":1,"text":"Wie beantrage ich Sonderurlaub im Personalportal? Die Anleitung fehlt."}`)
	res := postForm(t, m, ben, page+"/feld", url.Values{"command_id": {uuid.NewString()}, "field": {"description"}, "base_rev": {"1"},
		"text": {"Wie beantrage ich Urlaub im Personalportal? Die Anleitung ist veraltet."}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("merged edit: %d %s", res.StatusCode, readBody(t, res))
	}
	loc := res.Header.Get("Location")
	if !strings.Contains(loc, "hinweis=zusammengefuehrt-") {
		t.Fatalf("the merged edit should say so, went to %q", loc)
	}
	merged := "Wie beantrage ich Sonderurlaub im Personalportal? Die Anleitung ist veraltet."
	if v, _ := m.Runner.Topic(topic); v.Description.Text != merged || v.Description.Rev != 3 {
		t.Fatalf("description = %q (rev %d), want both changes: %q", v.Description.Text, v.Description.Rev, merged)
	}
	_, body := getBody(t, ben, m.URL()+loc)
	if !strings.Contains(body, "Ihre Änderung wurde mit der von Test lotse zusammengeführt.") {
		t.Fatalf("no merge notice naming the other writer on %s", loc)
	}

	// Overlapping: both change the same word on revision 3.
	mustJSON(t, anna, base+"/feld", `{"field":"description","base_rev":3,"text":"Wie beantrage ich Bildungsurlaub im Personalportal? Die Anleitung ist veraltet."}`)
	before := lastSeq(t, m)
	bens := "Wie beantrage ich Elternzeit im Personalportal? Die Anleitung ist veraltet."
	res = postForm(t, m, ben, page+"/feld", url.Values{"command_id": {uuid.NewString()}, "field": {"description"}, "base_rev": {"3"}, "text": {bens}})
	html := readBody(t, res)
	if res.StatusCode != http.StatusConflict {
		t.Fatalf("overlapping edit: %d, want 409", res.StatusCode)
	}
	if lastSeq(t, m) != before {
		t.Fatal("a conflicting edit wrote to the log")
	}
	for _, want := range []string{"Gleichzeitig geändert", "Ihre Fassung", "Aktuelle Fassung", "Elternzeit", "Bildungsurlaub", `name="base_rev" value="4"`} {
		if !strings.Contains(html, want) {
			t.Errorf("the conflict page lacks %q", want)
		}
	}
	// The textarea keeps Ben's text: he decides by sending it again on revision 4.
	if !strings.Contains(html, ">"+bens+"</textarea>") {
		t.Error("the form does not keep the writer's text")
	}
	res = postForm(t, m, ben, page+"/feld", url.Values{"command_id": {uuid.NewString()}, "field": {"description"}, "base_rev": {"4"}, "text": {bens}})
	if res.StatusCode != http.StatusSeeOther || !strings.Contains(res.Header.Get("Location"), "hinweis=thema-beschreibung") {
		t.Fatalf("deciding: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	if v, _ := m.Runner.Topic(topic); v.Description.Text != bens {
		t.Fatalf("description = %q after deciding", v.Description.Text)
	}

	// An API client gets both versions as JSON.
	status, out, _ := postJSON(t, anna, base+"/feld", uuid.NewString(), `{"field":"description","base_rev":5,"text":"Wie beantrage ich Kurzarbeit im Personalportal? Die Anleitung ist veraltet."}`)
	if status != 200 {
		t.Fatalf("edit on the current revision: %d %v", status, out)
	}
	status, out, _ = postJSON(t, ben, base+"/feld", uuid.NewString(), `{"field":"description","base_rev":5,"text":"Wie beantrage ich Teilzeit im Personalportal? Die Anleitung ist veraltet."}`)
	e, _ := out["error"].(map[string]any)
	if status != http.StatusConflict || e["current_rev"] != float64(6) || !strings.Contains(fmt.Sprint(e["current"]), "Kurzarbeit") || !strings.Contains(fmt.Sprint(e["yours"]), "Teilzeit") {
		t.Fatalf("JSON conflict: %d %v", status, out)
	}

	// The history shows who changed what, with the word diff.
	_, body = getBody(t, anna, base)
	for _, want := range []string{"hat die Beschreibung geändert", "<ins>Elternzeit</ins>", "<del>Bildungsurlaub</del>", "mit einer gleichzeitigen Änderung zusammengeführt"} {
		if !strings.Contains(body, want) {
			t.Errorf("the history lacks %q", want)
		}
	}
	// Presence markers sit on the editable fields.
	for _, want := range []string{`data-presence-field="beschreibung"`, `data-presence-note="beschreibung"`, `data-presence="thema/` + topic + `"`} {
		if !strings.Contains(body, want) {
			t.Errorf("the page lacks %s", want)
		}
	}
}

// A team writes the Drehbuch (insert anywhere, edit under the merge rules,
// reorder, delete, total length), records the video and publishes it; the
// Videothek shows it live and finds it by title and topic; who may only
// read sees no forms and may not write.
func TestTopicTeamDrehbuchVideoAndVideothek(t *testing.T) {
	m := startLogbuch(t)
	admin := newActor(t, m, domain.RoleAdmin)
	anna, ben, carla := newActor(t, m, domain.RoleLotse), newActor(t, m, domain.RoleLotse), newActor(t, m, domain.RoleLotse)
	lenkung := newActor(t, m, domain.RoleLenkungsgruppe)
	board, topic := knowhowTopic(t, m, admin.Person, "E-Akte: Dokument ablegen", "Wo lege ich eingehende Post in der E-Akte ab?")
	page := "/knowhow/" + board + "/themen/" + topic
	base := m.URL() + page

	ctx := testCtx(t)
	watcher := dialLive(t, ctx, m, lenkung)
	subscribe(t, ctx, watcher, "videothek", lastSeq(t, m))

	mustJSON(t, anna, base+"/team/beitreten", `{}`)
	mustJSON(t, ben, base+"/team/beitreten", `{}`)
	moveTopic(t, m, anna, topic, domain.StageSelected)
	moveTopic(t, m, anna, topic, domain.StageScript)

	mustJSON(t, anna, base+"/szenen", `{"shown":"Posteingang mit neuem Brief","said":"Ein Brief kommt an.","seconds":"20"}`)
	mustJSON(t, ben, base+"/szenen", `{"shown":"Die Akte öffnen","said":"Wir öffnen die passende Akte.","seconds":30}`)
	mustJSON(t, anna, base+"/szenen", `{"after":"anfang","shown":"Titelbild","said":"Willkommen!","seconds":"5"}`)
	order := func() []string {
		v, _ := m.Runner.Topic(topic)
		var ids []string
		for _, sc := range v.Scenes {
			ids = append(ids, sc.ID)
		}
		return ids
	}
	if got := order(); !slices.Equal(got, []string{"s3", "s1", "s2"}) {
		t.Fatalf("scenes %v, want s3 s1 s2", got)
	}
	// Both change what scene 1 says at once, in different places: merged.
	mustJSON(t, anna, base+"/szenen/s1/feld", `{"field":"said","base_rev":1,"text":"Ein neuer Brief kommt an."}`)
	mustJSON(t, ben, base+"/szenen/s1/feld", `{"field":"said","base_rev":1,"text":"Ein Brief kommt heute an."}`)
	if v, _ := m.Runner.Topic(topic); v.Scenes[1].Said.Text != "Ein neuer Brief kommt heute an." {
		t.Fatalf("scene text %q, want both changes", v.Scenes[1].Said.Text)
	}
	// … and in the same place: Ben's form shows both versions of the scene's text.
	mustJSON(t, anna, base+"/szenen/s1/feld", `{"field":"said","base_rev":3,"text":"Ein neuer Brief kommt morgen an."}`)
	res0 := postForm(t, m, ben, page+"/szenen/s1/feld", url.Values{"command_id": {uuid.NewString()}, "field": {"said"}, "base_rev": {"3"}, "text": {"Ein neuer Brief kommt gleich an."}})
	if html := readBody(t, res0); res0.StatusCode != http.StatusConflict || !strings.Contains(html, `id="szene-s1-said-konflikt"`) ||
		!strings.Contains(html, "kommt morgen an.") || !strings.Contains(html, ">Ein neuer Brief kommt gleich an.</textarea>") {
		t.Fatalf("overlapping scene edit: %d, want both versions in the scene's form", res0.StatusCode)
	}
	mustJSON(t, anna, base+"/szenen/s1/dauer", `{"seconds":"25"}`)
	// Move the title scene down twice by form, as the buttons do, then delete s2.
	res := postForm(t, m, anna, page+"/szenen/s3/verschieben", url.Values{"command_id": {uuid.NewString()}, "after": {"s1"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("move scene: %d %s", res.StatusCode, readBody(t, res))
	}
	if got := order(); !slices.Equal(got, []string{"s1", "s3", "s2"}) {
		t.Fatalf("scenes %v after moving down, want s1 s3 s2", got)
	}
	mustJSON(t, ben, base+"/szenen/s2/loeschen", `{}`)
	if v, _ := m.Runner.Topic(topic); len(v.Scenes) != 2 || v.TotalSeconds != 30 {
		t.Fatalf("after deleting: %d scenes, %d s", len(v.Scenes), v.TotalSeconds)
	}
	// Someone outside the team cannot write the Drehbuch; the page says why.
	res = postForm(t, m, carla, page+"/szenen", url.Values{"command_id": {uuid.NewString()}, "shown": {"Meine Szene"}, "seconds": {"10"}})
	if html := readBody(t, res); res.StatusCode != http.StatusConflict || !strings.Contains(html, "Treten Sie dem Team bei") {
		t.Fatalf("a non-member adding a scene: %d", res.StatusCode)
	}
	_, html := getBody(t, anna, base)
	for _, want := range []string{"Drehbuch bearbeiten", "Gesamtlänge 30 Sek.", "Szene 2 nach oben", "Szene 1 nach unten", `data-presence-field="szene-s1-said"`} {
		if !strings.Contains(html, want) {
			t.Errorf("the team's page lacks %q", want)
		}
	}

	moveTopic(t, m, anna, topic, domain.StageProduced)
	res = postForm(t, m, ben, page+"/video", url.Values{"command_id": {uuid.NewString()}, "url": {"kein link"}, "duration": {"1:35"}, "tool": {"Camtasia"}})
	if html := readBody(t, res); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(html, `id="video-url"`) || !strings.Contains(html, `aria-invalid="true"`) {
		t.Fatalf("a bad link: %d, want the form with the field marked", res.StatusCode)
	}
	mustJSON(t, ben, base+"/video", `{"url":"https://intranet.konstanz.example/videos/e-akte","duration":"1:35","tool":"Camtasia"}`)
	mustJSON(t, anna, base+"/veroeffentlichen", `{}`)
	if v, _ := m.Runner.Topic(topic); v.Stage != domain.StagePublished {
		t.Fatalf("stage %s after publishing", v.Stage)
	}

	// The library's live view brings the video to everyone watching.
	deadline := time.Now().Add(10 * time.Second)
	for {
		msg, ok := readLive(t, ctx, watcher, time.Until(deadline))
		if !ok {
			t.Fatal("the Videothek did not show the published video live")
		}
		if msg.View == "videothek" && strings.Contains(msg.HTML, "E-Akte: Dokument ablegen") {
			break
		}
	}
	for q, want := range map[string]bool{"e-akte": true, "eingehende Post": true, "hauptamt": true, "Urlaub": false} {
		status, html := getBody(t, lenkung, m.URL()+"/videothek?q="+url.QueryEscape(q))
		if status != 200 || strings.Contains(html, "https://intranet.konstanz.example/videos/e-akte") != want {
			t.Errorf("search %q: %d, found=%v, want %v", q, status, !want, want)
		}
	}

	// The Lenkungsgruppe reads the topic but gets no forms and may not write.
	status, html := getBody(t, lenkung, base)
	if status != 200 || strings.Contains(html, "Beschreibung speichern") || !strings.Contains(html, "1:35") {
		t.Fatalf("Lenkungsgruppe on the topic: %d, forms shown or video missing", status)
	}
	if status, _, _ := postJSON(t, lenkung, base+"/kommentar", uuid.NewString(), `{"text":"Darf ich nicht"}`); status != http.StatusForbidden {
		t.Fatalf("Lenkungsgruppe commenting: %d, want 403", status)
	}
	// A topic is only found on its own board.
	if status, _ := getBody(t, anna, m.URL()+"/knowhow/"+uuid.NewString()+"/themen/"+topic); status != http.StatusNotFound {
		t.Fatalf("topic on another board: %d, want 404", status)
	}
}

// Every topic endpoint and view asks the one matrix: roles it does not
// list get 401 or 403 and write nothing; the others get past it.
func TestTopicAuthorization(t *testing.T) {
	m := startLogbuch(t)
	admin := newActor(t, m, domain.RoleAdmin)
	board, topic := knowhowTopic(t, m, admin.Person, "Matrix-Thema", "Für die Matrix")
	base := "/knowhow/" + board + "/themen/" + topic
	endpoints := []endpoint{
		{"EditTopicField", func(string) string { return base + "/feld" }, `{"field":"title","base_rev":1,"text":"Matrix-Thema"}`},
		{"CommentTopic", func(string) string { return base + "/kommentar" }, `{"text":"Matrix"}`},
		{"JoinTeam", func(string) string { return base + "/team/beitreten" }, `{}`},
		{"LeaveTeam", func(string) string { return base + "/team/verlassen" }, `{}`},
		{"AddScene", func(string) string { return base + "/szenen" }, `{"shown":"Matrix","seconds":"5"}`},
		{"EditScene", func(string) string { return base + "/szenen/s1/feld" }, `{"field":"shown","base_rev":1,"text":"Matrix"}`},
		{"SetSceneSeconds", func(string) string { return base + "/szenen/s1/dauer" }, `{"seconds":"5"}`},
		{"MoveScene", func(string) string { return base + "/szenen/s1/verschieben" }, `{"after":"anfang"}`},
		{"DeleteScene", func(string) string { return base + "/szenen/s1/loeschen" }, `{}`},
		{"RecordVideo", func(string) string { return base + "/video" }, `{"url":"https://intranet.example/v","duration":"60","tool":"X"}`},
		{"PublishVideo", func(string) string { return base + "/veroeffentlichen" }, `{}`},
	}
	lotse := newActor(t, m, domain.RoleLotse)
	publishVideo(t, m, admin, lotse, "Ein veröffentlichtes Video")
	actors := map[domain.Role]*actor{
		domain.RoleAnonymous:      nil,
		domain.RoleLotse:          lotse,
		domain.RoleLenkungsgruppe: newActor(t, m, domain.RoleLenkungsgruppe),
		domain.RoleAdmin:          admin,
	}
	for role, a := range actors {
		for _, e := range endpoints {
			t.Run(roleName(role)+"/"+e.command, func(t *testing.T) {
				if !domain.Can(domain.RoleLotse, e.command) && !domain.Can(domain.RoleAdmin, e.command) {
					t.Fatalf("the matrix does not list %s", e.command)
				}
				before := lastSeq(t, m)
				status, out, _ := postJSON(t, a, m.URL()+e.path(""), uuid.NewString(), e.body)
				allowed := domain.Can(role, e.command)
				switch {
				case allowed && (status == http.StatusUnauthorized || status == http.StatusForbidden):
					t.Fatalf("%s may %s but got %d %v", roleName(role), e.command, status, out)
				case !allowed && a == nil && status != http.StatusUnauthorized:
					t.Fatalf("anonymous %s: %d, want 401", e.command, status)
				case !allowed && a != nil && status != http.StatusForbidden:
					t.Fatalf("%s must not %s: got %d %v", roleName(role), e.command, status, out)
				}
				if grew := lastSeq(t, m) - before; !allowed && grew != 0 {
					t.Fatalf("a refused command appended %d messages", grew)
				}
			})
		}
		for _, v := range []struct{ action, path, live string }{
			{domain.ViewBoards, base, "thema/" + topic},
			{domain.ViewBoards, base + "/verlauf", "thema/" + topic},
			{domain.ViewVideos, "/videothek", "videothek"},
		} {
			t.Run(roleName(role)+"/"+v.action, func(t *testing.T) {
				status, _ := getBody(t, a, m.URL()+v.path)
				allowed := domain.Can(role, v.action)
				switch {
				case allowed && status != 200:
					t.Fatalf("%s may see %s: got %d", roleName(role), v.path, status)
				case !allowed && a == nil && status != http.StatusSeeOther:
					t.Fatalf("anonymous %s: %d, want a redirect to the login", v.path, status)
				case !allowed && a != nil && status != http.StatusForbidden:
					t.Fatalf("%s must not see %s: got %d", roleName(role), v.path, status)
				}
				if a == nil {
					return
				}
				ctx := testCtx(t)
				c := dialLive(t, ctx, m, a)
				subscribe(t, ctx, c, v.live, 0)
				msg, ok := readLive(t, ctx, c, 5*time.Second)
				if allowed && (!ok || msg.T != "reset" || msg.View != v.live) {
					t.Fatalf("%s may follow %s: got %+v", roleName(role), v.live, msg)
				}
				if !allowed && ok {
					t.Fatalf("%s must not follow %s: got %+v", roleName(role), v.live, msg)
				}
			})
		}
	}
}

// publishVideo takes a new topic from proposal to a published video, with
// a and b as its team, and returns its board and topic.
func publishVideo(t *testing.T, m *Main, a, b *actor, title string) (string, string) {
	t.Helper()
	board, topic := knowhowTopic(t, m, a.Person, title, "")
	base := m.URL() + "/knowhow/" + board + "/themen/" + topic
	mustJSON(t, a, base+"/team/beitreten", `{}`)
	mustJSON(t, b, base+"/team/beitreten", `{}`)
	moveTopic(t, m, a, topic, domain.StageSelected)
	moveTopic(t, m, a, topic, domain.StageScript)
	mustJSON(t, a, base+"/szenen", `{"shown":"Eine Szene","seconds":"10"}`)
	moveTopic(t, m, a, topic, domain.StageProduced)
	mustJSON(t, b, base+"/video", `{"url":"https://intranet.konstanz.example/videos/`+topic+`","duration":"45","tool":"Powerpoint"}`)
	mustJSON(t, a, base+"/veroeffentlichen", `{}`)
	return board, topic
}

// a11yTopicPages prepares KNowHow topics with everything their pages can
// show (a Drehbuch being written, comments, a history with diffs, a
// published video) and returns the pages to check: the topic pages and the
// Videothek with and without a search.
func a11yTopicPages(t *testing.T, m *Main) []string {
	t.Helper()
	admin := newActor(t, m, domain.RoleAdmin)
	anna, ben := newActor(t, m, domain.RoleLotse), newActor(t, m, domain.RoleLotse)
	board, topic := knowhowTopic(t, m, admin.Person, "Barrierefreie PDF erstellen", "Wie mache ich ein PDF barrierefrei?")
	base := m.URL() + "/knowhow/" + board + "/themen/" + topic
	mustJSON(t, anna, base+"/feld", `{"field":"description","base_rev":1,"text":"Wie mache ich ein Word-Dokument und ein PDF barrierefrei?"}`)
	mustJSON(t, ben, base+"/kommentar", `{"text":"Das fragen viele im Bürgeramt."}`)
	mustJSON(t, anna, base+"/team/beitreten", `{}`)
	mustJSON(t, ben, base+"/team/beitreten", `{}`)
	moveTopic(t, m, anna, topic, domain.StageSelected)
	moveTopic(t, m, anna, topic, domain.StageScript)
	mustJSON(t, anna, base+"/szenen", `{"shown":"Word mit einem Bericht","said":"Wir prüfen die Barrierefreiheit.","seconds":"30"}`)
	mustJSON(t, ben, base+"/szenen", `{"shown":"Export als PDF","said":"Beim Speichern die Tags mitnehmen.","seconds":"25"}`)
	vb, vt := publishVideo(t, m, anna, ben, "Digitale Signatur im Workflow")
	return []string{"/knowhow/" + board + "/themen/" + topic, "/knowhow/" + board + "/themen/" + topic + "/verlauf",
		"/knowhow/" + vb + "/themen/" + vt, "/videothek", "/videothek?q=Signatur"}
}

// The topic page shows the newest changes; the whole history has a page
// of its own, oldest change included.
func TestTopicHistoryPage(t *testing.T) {
	m := startLogbuch(t)
	admin := newActor(t, m, domain.RoleAdmin)
	anna := newActor(t, m, domain.RoleLotse)
	board, topic := knowhowTopic(t, m, admin.Person, "Drucker einrichten", "Wie richte ich einen Drucker ein?")
	base := m.URL() + "/knowhow/" + board + "/themen/" + topic
	for i := range 25 {
		mustJSON(t, anna, base+"/kommentar", fmt.Sprintf(`{"text":"Kommentar Nummer %d"}`, i+1))
	}
	_, html := getBody(t, anna, base)
	if !strings.Contains(html, "Ganzen Verlauf ansehen (26 Änderungen)") || strings.Contains(html, "hat das Thema vorgeschlagen") {
		t.Fatal("the topic page should show the newest changes and link to the whole history")
	}
	status, html := getBody(t, anna, base+"/verlauf")
	if status != 200 || !strings.Contains(html, "hat das Thema vorgeschlagen") || !strings.Contains(html, "Kommentar Nummer 25") || strings.Count(html, `<li class="card">`) != 26 {
		t.Fatalf("the history page: %d, want all 26 changes", status)
	}
	if status, _ := getBody(t, nil, base+"/verlauf"); status != http.StatusSeeOther {
		t.Fatalf("the history logged out: %d, want the login", status)
	}
}

// Ten Lotsen change ten different sentences of one description at the
// same moment, all on the revision they loaded: every change is kept (the
// server retries on the log's optimistic concurrency and merges each edit
// with those that came first), and the read model equals a fold of the log.
func TestTopicConcurrentEditsAllSurvive(t *testing.T) {
	m := startLogbuch(t)
	admin := newActor(t, m, domain.RoleAdmin)
	const n = 10
	var sentences []string
	for i := range n {
		sentences = append(sentences, fmt.Sprintf("Satz %d ist alt.", i))
	}
	board, topic := knowhowTopic(t, m, admin.Person, "Viele Hände", strings.Join(sentences, " "))
	writers := make([]*actor, n)
	for i := range writers {
		writers[i] = newActor(t, m, domain.RoleLotse)
	}
	url := m.URL() + "/knowhow/" + board + "/themen/" + topic + "/feld"
	statuses := make([]int, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i, a := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			mine := slices.Clone(sentences)
			mine[i] = fmt.Sprintf("Satz %d ist neu.", i)
			body, _ := json.Marshal(map[string]any{"field": "description", "base_rev": 1, "text": strings.Join(mine, " ")})
			key := uuid.NewString()
			<-start
			// As forms.js does: a busy answer (503: the bounded retries on
			// the log's concurrency ran out) is sent again with the same
			// command id, which the server applies at most once.
			for try := 0; try < 20; try++ {
				req, _ := http.NewRequest("POST", url, bytes.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Accept", "application/json")
				req.Header.Set("Cookie", "lb_sitzung="+a.Cookie)
				req.Header.Set("X-CSRF-Token", a.CSRF)
				req.Header.Set("Origin", m.URL())
				req.Header.Set("Idempotency-Key", key)
				res, err := http.DefaultClient.Do(req)
				if err != nil {
					return
				}
				io.Copy(io.Discard, res.Body)
				res.Body.Close()
				statuses[i] = res.StatusCode
				if res.StatusCode != http.StatusServiceUnavailable {
					return
				}
				time.Sleep(time.Duration(10+rand.IntN(40)) * time.Millisecond)
			}
		}()
	}
	close(start)
	wg.Wait()
	for i, s := range statuses {
		if s != 200 {
			t.Errorf("writer %d: %d, want every non-overlapping edit accepted", i, s)
		}
	}
	v, _ := m.Runner.Topic(topic)
	for i := range n {
		if want := fmt.Sprintf("Satz %d ist neu.", i); !strings.Contains(v.Description.Text, want) {
			t.Errorf("lost the change of writer %d: %q", i, v.Description.Text)
		}
	}
	if v.Description.Rev != n+1 {
		t.Errorf("revision %d, want %d (one per writer)", v.Description.Rev, n+1)
	}
	// The read model is what a fold of the log gives.
	msgs, err := m.Log.Load(testCtx(t), domain.Subject(m.Commands.Tenant(), domain.Topics.Kind, topic))
	if err != nil {
		t.Fatal(err)
	}
	var events []domain.Event
	for _, rec := range msgs {
		events = append(events, rec.Events...)
	}
	folded := domain.Topics.Fold(events)
	if folded.Description.Text != v.Description.Text || folded.Description.Rev != v.Description.Rev {
		t.Fatalf("fold of the log: %q (rev %d), read model: %q (rev %d)", folded.Description.Text, folded.Description.Rev, v.Description.Text, v.Description.Rev)
	}
}
