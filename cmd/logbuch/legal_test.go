package main

import (
	"strings"
	"testing"

	"github.com/google/uuid"

	"logbuch/domain"
)

// The accessibility statement and the Leichte-Sprache page are public; a
// report about a barrier is an event the admins see and answer.
func TestBarrierReportReachesTheAdmins(t *testing.T) {
	m := startLogbuch(t)
	lotse := newActor(t, m, domain.RoleLotse)
	admin := newActor(t, m, domain.RoleAdmin)

	for _, path := range []string{"/barrierefreiheit", "/leichte-sprache"} {
		status, body := getBody(t, nil, m.URL()+path)
		if status != 200 || !strings.Contains(body, "<h1>") {
			t.Fatalf("%s for everyone: %d", path, status)
		}
	}
	before := lastSeq(t, m)
	status, out, _ := postJSON(t, lotse, m.URL()+"/barrierefreiheit", uuid.NewString(), `{"page":"Wand","text":"   "}`)
	if status != 422 || !strings.Contains(out["error"].(map[string]any)["message"].(string), "Nachricht") {
		t.Fatalf("an empty report: %d %v", status, out)
	}
	if lastSeq(t, m) != before {
		t.Fatal("a refused report appended something")
	}
	status, out, _ = postJSON(t, lotse, m.URL()+"/barrierefreiheit", uuid.NewString(), `{"page":"Wand","text":"Der +1-Knopf <b>ist</b> mit der Tastatur nicht erreichbar."}`)
	if status != 200 {
		t.Fatalf("report: %d %v", status, out)
	}
	id := out["id"].(string)

	if status, _ := getBody(t, lotse, m.URL()+"/barrierefreiheit/rueckmeldungen"); status != 403 {
		t.Fatalf("a Lotse reads the reports: %d", status)
	}
	status, body := getBody(t, admin, m.URL()+"/barrierefreiheit/rueckmeldungen")
	if status != 200 || !strings.Contains(body, "mit der Tastatur nicht erreichbar") || !strings.Contains(body, "Test lotse") {
		t.Fatalf("the admin's list: %d %s", status, body)
	}
	if strings.Contains(body, "<b>ist</b>") {
		t.Fatal("the report's text was not escaped")
	}
	if status, out, _ := postJSON(t, lotse, m.URL()+"/barrierefreiheit/rueckmeldungen/"+id+"/erledigt", uuid.NewString(), `{"note":""}`); status != 403 {
		t.Fatalf("a Lotse answers: %d %v", status, out)
	}
	if status, out, _ := postJSON(t, admin, m.URL()+"/barrierefreiheit/rueckmeldungen/"+id+"/erledigt", uuid.NewString(), `{"note":"Behoben in der nächsten Fassung."}`); status != 200 {
		t.Fatalf("answer: %d %v", status, out)
	}
	if _, body := getBody(t, admin, m.URL()+"/barrierefreiheit/rueckmeldungen"); !strings.Contains(body, "Behoben in der nächsten Fassung.") {
		t.Fatal("the answered report does not show its note")
	}
	if status, _, _ := postJSON(t, admin, m.URL()+"/barrierefreiheit/rueckmeldungen/"+id+"/erledigt", uuid.NewString(), `{"note":""}`); status != 409 {
		t.Fatalf("answered twice: %d", status)
	}
}
