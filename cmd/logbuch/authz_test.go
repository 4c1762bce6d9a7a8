package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/google/uuid"

	"logbuch/domain"
	"logbuch/web"
)

// Every command endpoint with a body that is valid for it, so that a
// refusal can only come from the authorization.
type endpoint struct {
	command string // the action in the matrix
	path    func(target string) string
	body    string
}

// ownEvent lists the commands that change what an event is (held,
// cancelled): staff act on a fresh event each, a guest still on theirs.
var ownEvent = map[string]bool{"RescheduleVeranstaltung": true, "CancelVeranstaltung": true, "MarkHeld": true, "AddTalk": true, "RateVeranstaltung": true}

// heldFirst lists the commands that need a held event: the admin marks
// the target held before the case (the guest's own event only once).
var heldFirst = map[string]bool{"RateVeranstaltung": true}

var rosterEndpoints = []endpoint{
	{"JoinLotse", func(string) string { return "/lotsen" }, `{"name":"Neu","amt":"Archiv","city":"Konstanz"}`},
	{"ChangeAmt", func(id string) string { return "/lotsen/" + id + "/amt" }, `{"amt":"Kulturamt"}`},
	{"ChangeRole", func(id string) string { return "/lotsen/" + id + "/rolle" }, `{"role":"lenkungsgruppe"}`},
	{"ChangeEmail", func(id string) string { return "/lotsen/" + id + "/email" }, `{"email":"neu@konstanz.example"}`},
	{"LeaveRoster", func(id string) string { return "/lotsen/" + id + "/austritt" }, `{}`},
	{"RejoinRoster", func(id string) string { return "/lotsen/" + id + "/wiedereintritt" }, `{}`},
	{"EraseLotse", func(id string) string { return "/lotsen/" + id + "/loeschen" }, `{"confirm":"ja"}`},
}

// eventEndpoints act on an event; the target is the event the guest joined.
var eventEndpoints = []endpoint{
	{"PlanVeranstaltung", func(string) string { return "/veranstaltungen" }, `{"title":"Neu","format":"Meet & Learn","start":"2030-01-10T10:00","end":"2030-01-10T11:00","host_city":"Konstanz"}`},
	{"PostToWall", func(event string) string { return "/veranstaltungen/" + event + "/wand" }, `{"text":"Hallo Wand","group":"1"}`},
	{"RescheduleVeranstaltung", func(event string) string { return "/veranstaltungen/" + event + "/verschieben" }, `{"start":"2030-01-11T10:00","end":"2030-01-11T11:00"}`},
	{"CancelVeranstaltung", func(event string) string { return "/veranstaltungen/" + event + "/absagen" }, `{"reason":"Matrix"}`},
	{"MarkHeld", func(event string) string { return "/veranstaltungen/" + event + "/durchgefuehrt" }, `{"attendance":12}`},
	{"AddTalk", func(event string) string { return "/veranstaltungen/" + event + "/vortrag" }, `{"speaker":"Gabi Gast","topic":"Matrix"}`},
	{"RateVeranstaltung", func(event string) string { return "/veranstaltungen/" + event + "/bewertung" }, `{"value":4}`},
	{"AddWorkshopGroup", func(event string) string { return "/veranstaltungen/" + event + "/gruppen" }, `{"name":"Matrix-Gruppe 2"}`},
	{"ChooseWorkshopGroup", func(event string) string { return "/veranstaltungen/" + event + "/gruppe" }, `{"group":"1"}`},
}

// postEndpoints act on one post of the matrix's event: the target is a
// fresh post per case, written by the acting person where they may post.
var postEndpoints = []endpoint{
	{"EditWallPost", func(p string) string { return p + "/bearbeiten" }, `{"text":"geändert"}`},
	{"DeleteWallPost", func(p string) string { return p + "/loeschen" }, `{}`},
	{"PlusOneWallPost", func(p string) string { return p + "/plus" }, `{}`},
	{"WithdrawPlusOne", func(p string) string { return p + "/plus-zuruecknehmen" }, `{}`},
	{"HideWallPost", func(p string) string { return p + "/ausblenden" }, `{}`},
	{"UnhideWallPost", func(p string) string { return p + "/einblenden" }, `{}`},
}

// TestAuthorizationMatrix checks every role against every command and
// every view, on the real server, against the one matrix in domain.
func TestAuthorizationMatrix(t *testing.T) {
	// The matrix sends a few hundred commands per API key in seconds; the
	// per-key limit has its own test (TestCommandsAreRateLimitedPerClient).
	m := startLogbuch(t, "--command-rate", "1000", "--command-burst", "1000")
	admin := newActor(t, m, domain.RoleAdmin)
	now := time.Now()
	event, code := planEvent(t, m, admin, "Matrix-Workshop", now.Add(-time.Hour), now.Add(time.Hour))
	guest, _ := joinAsGuest(t, m, code, "Gabi Gast")
	guest.CSRF = guest.csrfFrom(t, m, "/veranstaltungen/"+event)
	// The wall's setup goes through the admin's browser session or the
	// command handler: the admin's API key has enough to do under the
	// command rate limit.
	adminSession := *admin
	adminSession.Token = ""
	if status, out, _ := postJSON(t, &adminSession, m.URL()+"/veranstaltungen/"+event+"/gruppen", uuid.NewString(), `{"name":"Matrix-Gruppe 1"}`); status != 200 {
		t.Fatalf("group: %d %v", status, out)
	}
	ctx0 := testCtx(t)
	// A Fazit, so that the report's live view has something to show.
	if res, err := domain.Execute(ctx0, m.Commands, domain.Reports, "2023", domain.Meta{CommandID: uuid.NewString(), Actor: admin.Person}, "EditConclusion", any(domain.EditConclusion{BaseRev: "1", Text: "Matrix-Fazit"})); err != nil || m.Runner.WaitFor(ctx0, res.Seq) != nil {
		t.Fatalf("fazit: %v", err)
	}
	guestID, _, _ := strings.Cut(guest.Cookie, ".") // the session cookie is <guest id>.<secret>
	actors := map[domain.Role]*actor{
		domain.RoleAnonymous:      nil,
		domain.RoleGuest:          guest,
		domain.RoleLotse:          newActor(t, m, domain.RoleLotse),
		domain.RoleLenkungsgruppe: newActor(t, m, domain.RoleLenkungsgruppe),
		domain.RoleAdmin:          admin,
	}
	if len(actors) != len(domain.AllRoles) {
		t.Fatal("the test does not cover every role")
	}
	openSurveyDirectly(t, m, 2049, admin.Person) // for the survey's result pages
	// The matrix must say something about every endpoint and view we test.
	for _, e := range rosterEndpoints {
		if !domain.Can(domain.RoleAdmin, e.command) {
			t.Fatalf("matrix does not list %s", e.command)
		}
	}
	for role, a := range actors {
		for _, e := range rosterEndpoints {
			t.Run(fmt.Sprintf("%s/%s", roleName(role), e.command), func(t *testing.T) {
				// A fresh target per case, so that each allowed command is valid.
				target := newPerson(t, m, domain.RoleLotse)
				if e.command == "RejoinRoster" {
					if s, out, _ := postJSON(t, admin, m.URL()+"/lotsen/"+target+"/austritt", uuid.NewString(), `{}`); s != 200 {
						t.Fatal(out)
					}
				}
				before := lastSeq(t, m)
				status, out, _ := postJSON(t, a, m.URL()+e.path(target), uuid.NewString(), e.body)
				allowed := domain.Can(role, e.command)
				switch {
				case allowed && status != 200:
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
		for _, e := range eventEndpoints {
			t.Run(fmt.Sprintf("%s/%s", roleName(role), e.command), func(t *testing.T) {
				target := event
				if ownEvent[e.command] && role != domain.RoleGuest {
					target, _ = planEvent(t, m, admin, "Matrix "+e.command, now.Add(-time.Hour), now.Add(time.Hour))
				}
				if heldFirst[e.command] {
					// Already held (the shared event, a second time) answers 409: fine.
					postJSON(t, admin, m.URL()+"/veranstaltungen/"+target+"/durchgefuehrt", uuid.NewString(), `{"attendance":12}`)
				}
				before := lastSeq(t, m)
				status, out, _ := postJSON(t, a, m.URL()+e.path(target), uuid.NewString(), e.body)
				allowed := domain.CanIn(role, e.command, guestEvent(a, role, event), target)
				switch {
				case allowed && status != 200:
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
		for _, e := range postEndpoints {
			t.Run(fmt.Sprintf("%s/%s", roleName(role), e.command), func(t *testing.T) {
				// The setup goes straight through the command handler: the
				// matrix's API keys have enough to do under the rate limit.
				author := "guest:" + guestID
				switch {
				case role == domain.RoleGuest:
				case domain.CanIn(role, "PostToWall", "", event):
					author = a.Person
				default:
					author = admin.Person
				}
				post := uuid.NewString()
				run := func(actor, name string, cmd any) {
					t.Helper()
					res, err := domain.Execute(ctx0, m.Commands, domain.Wall, post, domain.Meta{CommandID: uuid.NewString(), Actor: actor}, name, cmd)
					if err != nil {
						t.Fatalf("%s: %v", name, err)
					}
					if err := m.Runner.WaitFor(ctx0, res.Seq); err != nil {
						t.Fatal(err)
					}
				}
				run(author, "PostToWall", domain.PostToWall{Event: event, Text: "Matrix-Beitrag", Group: "1"})
				switch e.command {
				case "UnhideWallPost":
					run(admin.Person, "HideWallPost", domain.HideWallPost{Event: event})
				case "WithdrawPlusOne":
					run(author, "PlusOneWallPost", domain.PlusOneWallPost{Event: event, Actor: author})
				}
				actingAs := a
				if role == domain.RoleAdmin {
					actingAs = &adminSession
				}
				expectAuthz(t, m, role, e.command, domain.CanIn(role, e.command, guestEvent(a, role, event), event), func() (int, map[string]any) {
					status, out, _ := postJSON(t, actingAs, e.path(m.URL()+"/veranstaltungen/"+event+"/wand/"+post), uuid.NewString(), e.body)
					return status, out
				})
			})
		}
		// The annual report's Fazit: a year of its own per role, so that
		// each allowed edit is valid.
		t.Run(roleName(role)+"/EditConclusion", func(t *testing.T) {
			year := 2001 + slices.Index(domain.AllRoles, role)
			expectAuthz(t, m, role, "EditConclusion", domain.Can(role, "EditConclusion"), func() (int, map[string]any) {
				status, out, _ := postJSON(t, a, fmt.Sprintf("%s/bericht/%d/fazit", m.URL(), year), uuid.NewString(), `{"base_rev":"1","text":"Matrix"}`)
				return status, out
			})
		})
		for _, e := range surveyEndpoints {
			t.Run(fmt.Sprintf("%s/%s", roleName(role), e.command), func(t *testing.T) {
				checkSurveyEndpoint(t, m, admin, role, a, e)
			})
		}
		// Views: the pages and their live subscriptions.
		for _, v := range []struct{ action, path, live string }{
			{domain.ViewReport, "/bericht/2023", "bericht/2023"},
			{domain.ViewReport, "/bericht/2023?stand=2023-06-30", ""},
			{domain.ViewWall, "/veranstaltungen/" + event + "/wand/stand?stand=2023-06-30", ""},
			{domain.ViewRoster, "/lotsen", "roster"},
			{domain.ViewPerson, "/lotsen/" + admin.Person, "lotse/" + admin.Person},
			{domain.ViewOwnAccount, "/konto", ""},
			{domain.ViewEvents, "/veranstaltungen", ""},
			{domain.ViewEvents, "/roadmap", ""},
			{domain.ViewWall, "/veranstaltungen/" + event, "veranstaltung/" + event + "/wand"},
			{domain.ViewDashboard, "/dashboard", "dashboard/" + strconv.Itoa(now.In(berlin).Year())},
			{domain.ViewDashboard, "/dashboard/glossar", ""},
			{domain.ViewDashboard, "/dashboard/aemter.csv", ""},
			{domain.ViewBarrierReports, "/barrierefreiheit/rueckmeldungen", ""},
			{domain.ViewWall, "/veranstaltungen/" + event + "/bewertung", "veranstaltung/" + event + "/bewertung"},
			{domain.ViewEvents, "/veranstaltungen", "bewertungen"},
			{domain.ViewEvents, "/roadmap", fmt.Sprintf("bewertungen/%d", now.In(domain.Berlin).Year())},
			{domain.ViewWall, "/veranstaltungen/" + event + "/wand/beamer", "veranstaltung/" + event + "/wand/beamer"},
			{domain.ViewWall, "/veranstaltungen/" + event + "/wand/export.md", ""},
			{domain.ViewWall, "/veranstaltungen/" + event + "/wand/export.html", ""},
			{"HideWallPost", "", "veranstaltung/" + event + "/wand/moderation"},
			{domain.ViewSurvey, "/umfrage", ""},
			{domain.ViewSurvey, "/umfrage/2049/auswertung", "umfrage/2049"},
			{domain.ViewSurvey, "/umfrage/2049/auswertung.csv", ""},
		} {
			t.Run(fmt.Sprintf("%s/%s", roleName(role), v.action), func(t *testing.T) {
				allowed := domain.CanIn(role, v.action, guestEvent(a, role, event), event)
				status := 0
				if v.path != "" {
					status, _ = getBody(t, a, m.URL()+v.path)
				}
				switch {
				case v.path == "":
				case allowed && status != 200:
					t.Fatalf("%s may see %s: got %d", roleName(role), v.path, status)
				case !allowed && a == nil && status != http.StatusSeeOther:
					t.Fatalf("anonymous %s: %d, want a redirect to the login", v.path, status)
				case !allowed && a != nil && status != http.StatusForbidden:
					t.Fatalf("%s must not see %s: got %d", roleName(role), v.path, status)
				}
				if v.live == "" {
					return
				}
				ctx := testCtx(t)
				if a == nil {
					_, res, err := websocket.Dial(ctx, strings.Replace(m.URL(), "http", "ws", 1)+"/live", &websocket.DialOptions{HTTPHeader: http.Header{"Origin": []string{m.URL()}}})
					if err == nil || res == nil || res.StatusCode != http.StatusUnauthorized {
						t.Fatalf("anonymous live socket: %v %v, want 401", err, res)
					}
					return
				}
				c := dialLive(t, ctx, m, a)
				subscribe(t, ctx, c, v.live, 0)
				msg, ok := readLive(t, ctx, c, 10*time.Second)
				if allowed && (!ok || msg.T != "reset") {
					t.Fatalf("%s may follow %s: got %+v", roleName(role), v.live, msg)
				}
				if !allowed && ok {
					t.Fatalf("%s must not follow %s but got %+v", roleName(role), v.live, msg)
				}
			})
		}
	}
}

// expectAuthz sends a command and checks the answer against the matrix:
// 200 when allowed, else 401 for the anonymous and 403 for others, and
// nothing appended.
func expectAuthz(t *testing.T, m *Main, role domain.Role, command string, allowed bool, send func() (int, map[string]any)) {
	t.Helper()
	before := lastSeq(t, m)
	status, out := send()
	switch {
	case allowed && status != 200:
		t.Fatalf("%s may %s but got %d %v", roleName(role), command, status, out)
	case !allowed && role == domain.RoleAnonymous && status != http.StatusUnauthorized:
		t.Fatalf("anonymous %s: %d, want 401", command, status)
	case !allowed && role != domain.RoleAnonymous && status != http.StatusForbidden:
		t.Fatalf("%s must not %s: got %d %v", roleName(role), command, status, out)
	}
	if grew := lastSeq(t, m) - before; !allowed && grew != 0 {
		t.Fatalf("a refused command appended %d messages", grew)
	}
}

// guestEvent is the event a guest joined (the matrix's guest joined event).
func guestEvent(a *actor, role domain.Role, event string) string {
	if role == domain.RoleGuest && a != nil {
		return event
	}
	return ""
}

func roleName(r domain.Role) string {
	if r == domain.RoleAnonymous {
		return "anonym"
	}
	return string(r)
}

// TestMatrixCoversEveryRoleAndAction is the table of the matrix itself:
// who may do what, written out, so a change to the matrix is a visible
// change to this table.
func TestMatrixCoversEveryRoleAndAction(t *testing.T) {
	lotsen := []domain.Role{domain.RoleLotse, domain.RoleAdmin}
	want := map[string][]domain.Role{
		"JoinLotse": {domain.RoleAdmin}, "ChangeAmt": {domain.RoleAdmin}, "ChangeRole": {domain.RoleAdmin},
		"ChangeEmail": {domain.RoleAdmin}, "LeaveRoster": {domain.RoleAdmin}, "RejoinRoster": {domain.RoleAdmin},
		domain.ErasePerson: {domain.RoleAdmin}, domain.InvitePerson: {domain.RoleAdmin}, domain.ManagePeople: {domain.RoleAdmin},
		domain.ViewRoster:     {domain.RoleLotse, domain.RoleLenkungsgruppe, domain.RoleAdmin},
		domain.ViewPerson:     {domain.RoleLotse, domain.RoleLenkungsgruppe, domain.RoleAdmin},
		domain.ViewOwnAccount: {domain.RoleLotse, domain.RoleLenkungsgruppe, domain.RoleAdmin},
		domain.ManageOwnToken: {domain.RoleLotse, domain.RoleLenkungsgruppe, domain.RoleAdmin},
		domain.ReadAllRecords: {domain.RoleLenkungsgruppe, domain.RoleAdmin},
		"PlanVeranstaltung":   {domain.RoleAdmin},
		domain.ViewEvents:     {domain.RoleLotse, domain.RoleLenkungsgruppe, domain.RoleAdmin},
		domain.ViewWall:       {domain.RoleLotse, domain.RoleLenkungsgruppe, domain.RoleAdmin, domain.RoleGuest},
		"PostToWall":          {domain.RoleLotse, domain.RoleAdmin, domain.RoleGuest},

		// What becomes of an event.
		"RescheduleVeranstaltung": {domain.RoleAdmin}, "CancelVeranstaltung": {domain.RoleAdmin},
		"MarkHeld": {domain.RoleAdmin}, "AddTalk": {domain.RoleAdmin},

		// The Lenkungsgruppe's overview; reports about barriers.
		domain.ViewDashboard:      {domain.RoleLenkungsgruppe, domain.RoleAdmin},
		"ReportBarrier":           {domain.RoleLotse, domain.RoleLenkungsgruppe, domain.RoleAdmin},
		domain.ViewBarrierReports: {domain.RoleAdmin},
		"AnswerBarrierReport":     {domain.RoleAdmin},
		// KNowHow boards (the facilitator and team checks are the deciders').
		"CreateBoard":   {domain.RoleAdmin},
		"SetVoteBudget": lotsen, "CloseVoting": lotsen, "ReopenVoting": lotsen, "RevealVotes": lotsen,
		"ChangeFacilitator": lotsen, "ArchiveBoard": lotsen, "RestoreBoard": lotsen, domain.ImportTopics: lotsen,
		"SetPreference": lotsen, "SetNeed": lotsen,
		"ProposeTopic": lotsen, "EditTopicField": lotsen, "CommentTopic": lotsen, "ArchiveTopic": lotsen, "RestoreTopic": lotsen,
		"JoinTeam": lotsen, "LeaveTeam": lotsen, "MoveTopic": lotsen,
		"AddScene": lotsen, "EditScene": lotsen, "SetSceneSeconds": lotsen, "MoveScene": lotsen, "DeleteScene": lotsen,
		"RecordVideo": lotsen, "PublishVideo": lotsen,
		domain.ViewBoards: {domain.RoleLotse, domain.RoleLenkungsgruppe, domain.RoleAdmin},
		domain.ViewVideos: {domain.RoleLotse, domain.RoleLenkungsgruppe, domain.RoleAdmin},
		// Participants rate a held event.
		"RateVeranstaltung": {domain.RoleLotse, domain.RoleAdmin, domain.RoleGuest},
		// The workshop wall: the facilitator plans, participants take part.
		"AddWorkshopGroup": {domain.RoleAdmin}, "HideWallPost": {domain.RoleAdmin}, "UnhideWallPost": {domain.RoleAdmin},
		"ChooseWorkshopGroup": {domain.RoleLotse, domain.RoleAdmin, domain.RoleGuest},
		"EditWallPost":        {domain.RoleLotse, domain.RoleAdmin, domain.RoleGuest},
		"DeleteWallPost":      {domain.RoleLotse, domain.RoleAdmin, domain.RoleGuest},
		"PlusOneWallPost":     {domain.RoleLotse, domain.RoleAdmin, domain.RoleGuest},
		"WithdrawPlusOne":     {domain.RoleLotse, domain.RoleAdmin, domain.RoleGuest},
		// The annual report: staff read it; the Fazit is written by the
		// Lenkungsgruppe and the digital office.
		domain.ViewReport: {domain.RoleLotse, domain.RoleLenkungsgruppe, domain.RoleAdmin},
		"EditConclusion":  {domain.RoleLenkungsgruppe, domain.RoleAdmin},
		// The annual survey: the digital office runs it, Lotsen answer.
		"OpenSurvey": {domain.RoleAdmin}, "EditSurveyStatements": {domain.RoleAdmin}, "CloseSurvey": {domain.RoleAdmin},
		"AnswerSurvey":    {domain.RoleLotse},
		domain.ViewSurvey: {domain.RoleLotse, domain.RoleLenkungsgruppe, domain.RoleAdmin},
	}
	if len(domain.Actions()) != len(want) {
		t.Fatalf("the matrix has %d actions, this table %d: add the new ones here", len(domain.Actions()), len(want))
	}
	for action, roles := range want {
		for _, r := range domain.AllRoles {
			if got, w := domain.Can(r, action), contains(roles, r); got != w {
				t.Errorf("%s × %s: got %v, want %v", roleName(r), action, got, w)
			}
		}
	}
	if domain.Can(domain.RoleAdmin, "something unlisted") {
		t.Error("an unlisted action is allowed")
	}
	// A guest acts only within the event they joined; others are not bound.
	for _, c := range []struct {
		role               domain.Role
		guestEvent, target string
		want               bool
	}{
		{domain.RoleGuest, "a", "a", true},
		{domain.RoleGuest, "a", "b", false},
		{domain.RoleGuest, "", "", false},
		{domain.RoleLotse, "", "b", true},
		{domain.RoleLenkungsgruppe, "", "b", false}, // may see, not post
	} {
		if got := domain.CanIn(c.role, "PostToWall", c.guestEvent, c.target); got != c.want {
			t.Errorf("CanIn(%s, PostToWall, %q, %q) = %v", roleName(c.role), c.guestEvent, c.target, got)
		}
	}
}

func contains(roles []domain.Role, r domain.Role) bool {
	for _, x := range roles {
		if x == r {
			return true
		}
	}
	return false
}

func TestUnauthenticatedRequests(t *testing.T) {
	m := startLogbuch(t)
	status, _ := getBody(t, nil, m.URL()+"/lotsen")
	if status != http.StatusSeeOther {
		t.Fatalf("page: %d, want redirect", status)
	}
	res, _ := noRedirect.Get(m.URL() + "/lotsen/abc")
	if loc := res.Header.Get("Location"); loc != "/anmelden?weiter=%2Flotsen%2Fabc" {
		t.Fatalf("redirect to %q", loc)
	}
	s, out, _ := postJSON(t, nil, m.URL()+"/lotsen", uuid.NewString(), `{"name":"X","amt":"Archiv","city":"Konstanz"}`)
	if s != http.StatusUnauthorized || !strings.Contains(fmt.Sprint(out), "Bitte melden Sie sich an") {
		t.Fatalf("JSON without token: %d %v", s, out)
	}
	// A made-up or revoked token is no token.
	bogus := &actor{Token: "lbt_" + uuid.NewString() + "_abc_def"}
	if s, _, _ := postJSON(t, bogus, m.URL()+"/lotsen", uuid.NewString(), `{"name":"X","amt":"Archiv","city":"Konstanz"}`); s != http.StatusUnauthorized {
		t.Fatalf("bogus token: %d", s)
	}
}

func TestLoginLogoutAndRateLimit(t *testing.T) {
	m := startLogbuch(t)
	a := newActor(t, m, domain.RoleLotse)
	login := func(email, pw string) *http.Response {
		form := url.Values{"email": {email}, "password": {pw}, "weiter": {"/konto"}}
		req, _ := http.NewRequest("POST", m.URL()+"/anmelden", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		res, err := noRedirect.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		res.Body = io.NopCloser(strings.NewReader(string(b)))
		return res
	}
	res := login(a.Email, a.Password)
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/konto" {
		t.Fatalf("login: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	var cookie *http.Cookie
	for _, c := range res.Cookies() {
		if c.Name == "lb_sitzung" {
			cookie = c
		}
	}
	if cookie == nil || !cookie.HttpOnly || cookie.SameSite != http.SameSiteLaxMode {
		t.Fatalf("session cookie: %+v", cookie)
	}
	// An open redirect is not possible.
	form := url.Values{"email": {a.Email}, "password": {a.Password}, "weiter": {"//evil.example/x"}}
	req, _ := http.NewRequest("POST", m.URL()+"/anmelden", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if res, _ := noRedirect.Do(req); res.Header.Get("Location") != "/lotsen" {
		t.Fatalf("login redirected to %q", res.Header.Get("Location"))
	}
	// Wrong passwords: a clear message, then the account is locked for a while.
	for i := 0; i < 5; i++ {
		res := login(a.Email, "falsches Passwort!!")
		b, _ := io.ReadAll(res.Body)
		if res.StatusCode != http.StatusUnauthorized || !strings.Contains(string(b), "E-Mail-Adresse oder Passwort stimmen nicht.") {
			t.Fatalf("wrong password %d: %d", i, res.StatusCode)
		}
	}
	res = login(a.Email, a.Password)
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusTooManyRequests || !strings.Contains(string(b), "Zu viele fehlgeschlagene Anmeldeversuche") {
		t.Fatalf("after 5 failures: %d", res.StatusCode)
	}
	// Guessing across many accounts from one address is slowed down too.
	b2 := newActor(t, m, domain.RoleLotse)
	for i := 0; i < 20; i++ {
		login(fmt.Sprintf("unbekannt%d@konstanz.example", i), "egal-welches-Passwort")
	}
	if res := login(b2.Email, b2.Password); res.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("after 20 failures from one address: %d", res.StatusCode)
	}
	// Logout ends the session.
	other := &actor{Cookie: cookie.Value}
	other.CSRF = other.csrfFrom(t, m, "/konto")
	if res := postForm(t, m, other, "/abmelden", url.Values{}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("logout: %d", res.StatusCode)
	}
	if status, _ := getBody(t, other, m.URL()+"/konto"); status != http.StatusSeeOther {
		t.Fatalf("after logout the session still works: %d", status)
	}
}

func TestRevokedSessionClosesItsLiveSocket(t *testing.T) {
	m := startLogbuch(t)
	a := newActor(t, m, domain.RoleLotse)
	ctx := testCtx(t)
	c := dialLive(t, ctx, m, a)
	subscribe(t, ctx, c, "roster", 0)
	if msg, ok := readLive(t, ctx, c, 10*time.Second); !ok || msg.T != "reset" {
		t.Fatalf("no initial view: %+v", msg)
	}
	// "Überall abmelden" from another device.
	if res := postForm(t, m, a, "/konto/ueberall-abmelden", url.Values{}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("logout everywhere: %d", res.StatusCode)
	}
	_, _, err := c.Read(ctx)
	var ce websocket.CloseError
	if !errors.As(err, &ce) || ce.Code != websocket.StatusPolicyViolation || !strings.Contains(ce.Reason, "session ended") {
		t.Fatalf("socket after logout everywhere: %v", err)
	}
	// The API token is not a session: it still works until it is revoked.
	if s, _ := getTokenStatus(t, m, a); s != http.StatusForbidden {
		t.Fatalf("token of a Lotse on an admin command: %d, want 403", s)
	}
}

func getTokenStatus(t *testing.T, m *Main, a *actor) (int, map[string]any) {
	s, out, _ := postJSON(t, a, m.URL()+"/lotsen", uuid.NewString(), `{"name":"X","amt":"Archiv","city":"Konstanz"}`)
	return s, out
}

func TestAPITokensAreShownOnceStoredHashedAndRevocable(t *testing.T) {
	m := startLogbuch(t)
	admin := newActor(t, m, domain.RoleAdmin)
	req, _ := http.NewRequest("POST", m.URL()+"/konto/schluessel", strings.NewReader(url.Values{"label": {"Auswertung"}, "csrf": {admin.CSRF}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Cookie", "lb_sitzung="+admin.Cookie)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var made struct{ Token, ID string }
	json.NewDecoder(res.Body).Decode(&made)
	res.Body.Close()
	if !strings.HasPrefix(made.Token, "lbt_"+admin.Person+"_") {
		t.Fatalf("token: %+v", made)
	}
	tok := &actor{Token: made.Token}
	if s, out, _ := postJSON(t, tok, m.URL()+"/lotsen", uuid.NewString(), `{"name":"Per Token","amt":"Archiv","city":"Konstanz"}`); s != 200 {
		t.Fatalf("admin token: %d %v", s, out)
	}
	// Only a hash is stored: the secret part is nowhere in the bucket.
	var stored map[string]any
	if found, err := m.Log.GetSecret(context.Background(), "LB_TOKENS", admin.Person+"."+made.ID, &stored); err != nil || !found {
		t.Fatalf("stored token: %v %v", found, err)
	}
	// The secret is what follows lbt_<person>_<id>_ (it may contain '_').
	secret := strings.TrimPrefix(made.Token, "lbt_"+admin.Person+"_"+made.ID+"_")
	if len(secret) < 40 {
		t.Fatalf("secret part of %q is too short", made.Token)
	}
	if strings.Contains(fmt.Sprint(stored), secret) {
		t.Fatal("the token is stored in clear")
	}
	// The account page lists it by label, never the token.
	_, page := getBody(t, admin, m.URL()+"/konto")
	if !strings.Contains(page, "Auswertung") || strings.Contains(page, secret) {
		t.Fatal("the account page shows the token again or not its label")
	}
	if res := postForm(t, m, admin, "/konto/schluessel/"+made.ID+"/widerrufen", url.Values{}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("revoke: %d", res.StatusCode)
	}
	if s, _, _ := postJSON(t, tok, m.URL()+"/lotsen", uuid.NewString(), `{"name":"Nach Widerruf","amt":"Archiv","city":"Konstanz"}`); s != http.StatusUnauthorized {
		t.Fatalf("revoked token: %d", s)
	}
}

func TestInvitationIsOneTimeAndExpires(t *testing.T) {
	m := startLogbuch(t)
	admin := newActor(t, m, domain.RoleAdmin)
	target := newActor(t, m, domain.RoleLotse)
	req, _ := http.NewRequest("POST", m.URL()+"/lotsen/"+target.Person+"/einladen", strings.NewReader(url.Values{"csrf": {admin.CSRF}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Cookie", "lb_sitzung="+admin.Cookie)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var inv struct{ Link string }
	json.NewDecoder(res.Body).Decode(&inv)
	res.Body.Close()
	if !strings.HasPrefix(inv.Link, m.URL()+"/einladung/") {
		t.Fatalf("invite: %+v", inv)
	}
	pw := url.Values{"email": {target.Email}, "password": {"noch ein langes Passwort"}, "password2": {"noch ein langes Passwort"}}
	// A mismatch or a short password does not use the link up.
	bad := url.Values{"email": {target.Email}, "password": {"kurz"}, "password2": {"kurz"}}
	r2, _ := http.NewRequest("POST", inv.Link, strings.NewReader(bad.Encode()))
	r2.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	res, _ = noRedirect.Do(r2)
	if b, _ := io.ReadAll(res.Body); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(string(b), "mindestens 12 Zeichen") {
		t.Fatalf("short password: %d", res.StatusCode)
	}
	acceptInvite(t, m, inv.Link, pw)
	if status, body := getBody(t, nil, inv.Link); status != http.StatusGone || !strings.Contains(body, "abgelaufen oder wurde schon benutzt") {
		t.Fatalf("used link: %d", status)
	}
	r3, _ := http.NewRequest("POST", inv.Link, strings.NewReader(pw.Encode()))
	r3.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if res, _ := noRedirect.Do(r3); res.StatusCode != http.StatusGone {
		t.Fatalf("second use: %d", res.StatusCode)
	}
}

func TestInvitationOfSomeoneWhoLeftIsRefused(t *testing.T) {
	m := startLogbuch(t)
	admin := newActor(t, m, domain.RoleAdmin)
	person := newPerson(t, m, domain.RoleLotse)
	link, _, err := web.CreateInviteLink(testCtx(t), m.Log, m.URL(), person)
	if err != nil {
		t.Fatal(err)
	}
	if s, out, _ := postJSON(t, admin, m.URL()+"/lotsen/"+person+"/austritt", uuid.NewString(), `{}`); s != 200 {
		t.Fatal(out)
	}
	if status, body := getBody(t, nil, link); status != http.StatusGone || !strings.Contains(body, "nicht mehr") {
		t.Fatalf("invitation page after leaving: %d", status)
	}
	form := url.Values{"email": {"weg@konstanz.example"}, "password": {"ein sehr langes Passwort"}, "password2": {"ein sehr langes Passwort"}}
	req, _ := http.NewRequest("POST", link, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	res, err := noRedirect.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusGone || len(res.Cookies()) != 0 {
		t.Fatalf("accepting after leaving: %d", res.StatusCode)
	}
	if found, _ := m.Log.GetSecret(testCtx(t), "LB_CREDENTIALS", person, &map[string]any{}); found {
		t.Fatal("a password was stored for someone who left")
	}
}

func TestAdminInviteCommandPrintsAWorkingSetupLink(t *testing.T) {
	dir := t.TempDir()
	m := startLogbuchIn(t, dir)
	port := m.listener.Addr().(*net.TCPAddr).Port
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	if err := run(testCtx(t), []string{"admin", "invite", "--data-dir", dir, "--http", addr}, func(string) string { return "" }, nil, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	link := strings.TrimSpace(out.String()[strings.LastIndex(out.String(), " ")+1:])
	if !strings.HasPrefix(link, "http://"+addr+"/einladung/") {
		t.Fatalf("printed %q", out.String())
	}
	m2 := startLogbuchIn(t, dir, "--http", addr)
	cookie := acceptInvite(t, m2, link, url.Values{"name": {"Erste Admin"}, "amt": {"Amt für Digitalisierung und IT"}, "email": {"erste@konstanz.example"}, "password": {"ein langes Passwort!"}, "password2": {"ein langes Passwort!"}})
	if status, page := getBody(t, &actor{Cookie: cookie}, m2.URL()+"/lotsen"); status != 200 || !strings.Contains(page, "Erste Admin") || !strings.Contains(page, "Lotsin oder Lotsen aufnehmen") {
		t.Fatalf("the new admin's roster: %d", status)
	}
	// While the server runs, the command explains why it cannot work.
	err := run(testCtx(t), []string{"admin", "invite", "--data-dir", dir}, func(string) string { return "" }, nil, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "in use by another Logbuch process") {
		t.Fatalf("admin invite while serving: %v", err)
	}
}

func TestPasswordsAreNeverStoredInClear(t *testing.T) {
	dir := t.TempDir()
	var logs bytes.Buffer
	m := NewMain(io.Discard, &logs)
	if err := m.ParseFlags("serve", []string{"--http", "127.0.0.1:0", "--data-dir", dir, "--log-level", "debug"}, func(string) string { return "" }); err != nil {
		t.Fatal(err)
	}
	if err := m.Run(testCtx(t)); err != nil {
		t.Fatal(err)
	}
	if err := m.waitReady(testCtx(t)); err != nil {
		t.Fatal(err)
	}
	a := newActor(t, m, domain.RoleLotse)
	// A failed login with another password, too.
	form := url.Values{"email": {a.Email}, "password": {"Falsches-Passwort-1234"}}
	req, _ := http.NewRequest("POST", m.URL()+"/anmelden", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if res, err := noRedirect.Do(req); err == nil {
		res.Body.Close()
	}
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	var exported bytes.Buffer
	if err := run(testCtx(t), []string{"export", "--data-dir", dir}, func(string) string { return "" }, nil, &exported, io.Discard); err != nil {
		t.Fatal(err)
	}
	for _, pw := range []string{a.Password, "Falsches-Passwort-1234"} {
		for what, text := range map[string]string{"logs": logs.String(), "export": exported.String()} {
			if strings.Contains(text, pw) {
				t.Fatalf("the %s contain a password", what)
			}
		}
		filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				if b, _ := os.ReadFile(path); bytes.Contains(b, []byte(pw)) {
					t.Errorf("%s holds a password in clear", path)
				}
			}
			return err
		})
	}
	if !strings.Contains(logs.String(), "login failed") {
		t.Fatal("the failed login was not logged at all")
	}
}

// wantPageAnswer fails unless a page was answered as the matrix says: 200
// when allowed, else a redirect to the login (anonymous) or 403.
func wantPageAnswer(t *testing.T, role domain.Role, a *actor, path string, allowed bool, status int) {
	t.Helper()
	switch {
	case allowed && status != 200:
		t.Fatalf("%s may see %s: got %d", roleName(role), path, status)
	case !allowed && a == nil && status != http.StatusSeeOther:
		t.Fatalf("anonymous %s: %d, want a redirect to the login", path, status)
	case !allowed && a != nil && status != http.StatusForbidden:
		t.Fatalf("%s must not see %s: got %d", roleName(role), path, status)
	}
}

// wantLiveAnswer subscribes to a live view as a (logged in) and fails
// unless a fresh view arrives exactly when the matrix allows it.
func wantLiveAnswer(t *testing.T, m *Main, role domain.Role, a *actor, view string, allowed bool) {
	t.Helper()
	ctx := testCtx(t)
	c := dialLive(t, ctx, m, a)
	subscribe(t, ctx, c, view, 0)
	msg, ok := readLive(t, ctx, c, 10*time.Second)
	// The answer to a subscription is a fresh view ("reset"), unless a
	// change of the view overtook it ("update"): both show it is followed.
	if allowed && (!ok || (msg.T != "reset" && msg.T != "update")) {
		t.Fatalf("%s may follow %s: got %+v", roleName(role), view, msg)
	}
	if !allowed && ok {
		t.Fatalf("%s must not follow %s but got %+v", roleName(role), view, msg)
	}
}

// boardEndpoint is a command endpoint of the KNowHow boards: setup makes a
// fresh target on which the command is valid for the facilitator (the
// matrix's Lotse) and for an admin, and returns the path and the body.
//
// JoinTeam and LeaveTeam are the topic page's endpoints (the cards post to
// them too); its own matrix test covers them.
type boardEndpoint struct {
	command string
	setup   func(t *testing.T, f *boardFixture, a *actor, allowed bool) (path, body string)
}

type boardFixture struct {
	m            *Main
	admin, lotse *actor
}

// exec runs a command of the fixture directly (not over HTTP, whose rate
// limit is not what this test is about).
func (f *boardFixture) exec(t *testing.T, d any, id, actor, name string, cmd any) {
	t.Helper()
	ctx := testCtx(t)
	meta := domain.Meta{CommandID: uuid.NewString(), Actor: actor}
	var res domain.Result
	var err error
	switch d := d.(type) {
	case domain.Decider[domain.Board, any]:
		res, err = domain.Execute(ctx, f.m.Commands, d, id, meta, name, cmd)
	case domain.Decider[domain.Topic, any]:
		res, err = domain.Execute(ctx, f.m.Commands, d, id, meta, name, cmd)
	}
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if err := f.m.Runner.WaitFor(ctx, res.Seq); err != nil {
		t.Fatal(err)
	}
}

// board makes a board run by the matrix's Lotse, after the given steps
// of its admin ("schliessen", "archivieren").
func (f *boardFixture) board(t *testing.T, steps ...string) string {
	t.Helper()
	b := uuid.NewString()
	by := domain.Caller{Person: f.admin.Person, Role: domain.RoleAdmin}
	f.exec(t, domain.Boards, b, f.admin.Person, "CreateBoard", domain.CreateBoard{Title: "Matrix-Tafel", Year: "2030", Facilitator: f.lotse.Person})
	for _, s := range steps {
		switch s {
		case "/schliessen":
			f.exec(t, domain.Boards, b, f.admin.Person, "CloseVoting", domain.CloseVoting{By: by})
		case "/archivieren":
			f.exec(t, domain.Boards, b, f.admin.Person, "ArchiveBoard", domain.ArchiveBoard{By: by})
		}
	}
	return b
}

// topic makes a topic on a fresh board, archived if asked.
func (f *boardFixture) topic(t *testing.T, steps ...string) (string, string) {
	t.Helper()
	b, topic := f.board(t), uuid.NewString()
	f.exec(t, domain.Topics, topic, f.lotse.Person, "ProposeTopic", domain.ProposeTopic{Board: b, Title: "Matrix-Thema"})
	for _, s := range steps {
		if s == "/archivieren" {
			f.exec(t, domain.Topics, topic, f.admin.Person, "ArchiveTopic", domain.ArchiveTopic{})
		}
	}
	return b, topic
}

var boardEndpoints = []boardEndpoint{
	{"CreateBoard", func(t *testing.T, f *boardFixture, _ *actor, _ bool) (string, string) {
		return "/knowhow", fmt.Sprintf(`{"title":"Neu","year":2030,"facilitator":%q}`, f.lotse.Person)
	}},
	{"SetVoteBudget", func(t *testing.T, f *boardFixture, _ *actor, _ bool) (string, string) {
		return "/knowhow/" + f.board(t) + "/budget", `{"budget":9}`
	}},
	{"CloseVoting", func(t *testing.T, f *boardFixture, _ *actor, _ bool) (string, string) {
		return "/knowhow/" + f.board(t) + "/schliessen", `{}`
	}},
	{"ReopenVoting", func(t *testing.T, f *boardFixture, _ *actor, _ bool) (string, string) {
		return "/knowhow/" + f.board(t, "/schliessen") + "/oeffnen", `{}`
	}},
	{"RevealVotes", func(t *testing.T, f *boardFixture, _ *actor, _ bool) (string, string) {
		return "/knowhow/" + f.board(t, "/schliessen") + "/aufdecken", `{}`
	}},
	{"ChangeFacilitator", func(t *testing.T, f *boardFixture, _ *actor, _ bool) (string, string) {
		return "/knowhow/" + f.board(t) + "/moderation", fmt.Sprintf(`{"facilitator":%q}`, f.admin.Person)
	}},
	{"ArchiveBoard", func(t *testing.T, f *boardFixture, _ *actor, _ bool) (string, string) {
		return "/knowhow/" + f.board(t) + "/archivieren", `{}`
	}},
	{"RestoreBoard", func(t *testing.T, f *boardFixture, _ *actor, _ bool) (string, string) {
		return "/knowhow/" + f.board(t, "/archivieren") + "/wiederherstellen", `{}`
	}},
	{domain.ImportTopics, func(t *testing.T, f *boardFixture, _ *actor, _ bool) (string, string) {
		return "/knowhow/" + f.board(t) + "/import", `{"csv":"Titel\nAus der Umfrage\n","confirm":true}`
	}},
	{"ProposeTopic", func(t *testing.T, f *boardFixture, _ *actor, _ bool) (string, string) {
		return "/knowhow/" + f.board(t) + "/themen", `{"title":"Neues Thema"}`
	}},
	{"SetPreference", func(t *testing.T, f *boardFixture, _ *actor, _ bool) (string, string) {
		b, topic := f.topic(t)
		return "/knowhow/" + b + "/praeferenz", fmt.Sprintf(`{"topic":%q,"dots":1}`, topic)
	}},
	{"SetNeed", func(t *testing.T, f *boardFixture, _ *actor, _ bool) (string, string) {
		b, topic := f.topic(t)
		return "/knowhow/" + b + "/bedarf", fmt.Sprintf(`{"topic":%q,"need":4}`, topic)
	}},
	{"MoveTopic", func(t *testing.T, f *boardFixture, _ *actor, _ bool) (string, string) {
		b, topic := f.topic(t)
		return "/knowhow/" + b + "/themen/" + topic + "/verschieben", `{"to":"ausgewaehlt"}`
	}},
	{"ArchiveTopic", func(t *testing.T, f *boardFixture, _ *actor, _ bool) (string, string) {
		b, topic := f.topic(t)
		return "/knowhow/" + b + "/themen/" + topic + "/archivieren", `{}`
	}},
	{"RestoreTopic", func(t *testing.T, f *boardFixture, _ *actor, _ bool) (string, string) {
		b, topic := f.topic(t, "/archivieren")
		return "/knowhow/" + b + "/themen/" + topic + "/wiederherstellen", `{}`
	}},
}

// TestAuthorizationMatrixKnowhow checks every role against the board
// commands and views, on the real server, against the matrix in domain.
func TestAuthorizationMatrixKnowhow(t *testing.T) {
	m := startLogbuch(t)
	f := &boardFixture{m: m, admin: newActor(t, m, domain.RoleAdmin), lotse: newActor(t, m, domain.RoleLotse)}
	now := time.Now()
	event, code := planEvent(t, m, f.admin, "Matrix-Workshop", now.Add(-time.Hour), now.Add(time.Hour))
	guest, _ := joinAsGuest(t, m, code, "Gabi Gast")
	guest.CSRF = guest.csrfFrom(t, m, "/veranstaltungen/"+event)
	actors := map[domain.Role]*actor{
		domain.RoleAnonymous:      nil,
		domain.RoleGuest:          guest,
		domain.RoleLotse:          f.lotse,
		domain.RoleLenkungsgruppe: newActor(t, m, domain.RoleLenkungsgruppe),
		domain.RoleAdmin:          f.admin,
	}
	board, topic := f.topic(t)
	for role, a := range actors {
		for _, e := range boardEndpoints {
			t.Run(fmt.Sprintf("%s/%s", roleName(role), e.command), func(t *testing.T) {
				allowed := domain.Can(role, e.command)
				path, body := e.setup(t, f, a, allowed)
				expectAuthz(t, m, role, e.command, allowed, func() (int, map[string]any) {
					status, out, _ := postJSON(t, a, m.URL()+path, uuid.NewString(), body)
					return status, out
				})
			})
		}
		person := f.lotse.Person
		if a != nil {
			person = a.Person
		}
		for _, v := range []struct{ action, path, live string }{
			{domain.ViewBoards, "/knowhow", "tafeln"},
			{domain.ViewBoards, "/knowhow/" + board, "tafel/" + board},
			{domain.ImportTopics, "/knowhow/" + board + "/import", ""},
			{"SetPreference", "", "tafel/" + board + "/stimmzettel/" + person},
		} {
			t.Run(fmt.Sprintf("%s/%s%s", roleName(role), v.action, v.path), func(t *testing.T) {
				allowed := domain.Can(role, v.action)
				if v.path != "" {
					status, _ := getBody(t, a, m.URL()+v.path)
					wantPageAnswer(t, role, a, v.path, allowed, status)
				}
				if v.live == "" || a == nil {
					return
				}
				if v.action == "SetPreference" && allowed { // a ballot that changed
					if st, out := boardPost(t, m, a, board, "/bedarf", fmt.Sprintf(`{"topic":%q,"need":3}`, topic)); st != 200 {
						t.Fatalf("vote: %d %v", st, out)
					}
				}
				wantLiveAnswer(t, m, role, a, v.live, allowed)
			})
		}
	}
}
