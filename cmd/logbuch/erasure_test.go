package main

import (
	"bytes"
	"context"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"logbuch/domain"
	"logbuch/embed"
	"logbuch/projections"
	"logbuch/web"
)

func TestErasureLeavesNoTraceAndProjectionsAgreeWithRebuild(t *testing.T) {
	dir := t.TempDir()
	m := startLogbuchIn(t, dir)
	admin := newActor(t, m, domain.RoleAdmin)
	// Hiltrud is an admin with an account who does things.
	h := newActor(t, m, domain.RoleAdmin)
	const name = "Hiltrud Löschmich"
	if s, out, _ := postJSON(t, admin, m.URL()+"/lotsen/"+h.Person+"/email", uuid.NewString(), `{"email":"hiltrud.loeschmich@konstanz.example"}`); s != 200 {
		t.Fatal(out)
	}
	// Her name arrives by a rename through erasure-safe paths only: join a
	// second entry with her name, which she then manages herself.
	s, out, _ := postJSON(t, h, m.URL()+"/lotsen", uuid.NewString(), `{"name":"`+name+`","email":"hiltrud.privat@konstanz.example","amt":"Kulturamt","city":"Konstanz","role":"admin"}`)
	if s != 200 {
		t.Fatal(out)
	}
	hid := out["id"].(string)
	if s, out, _ := postJSON(t, h, m.URL()+"/lotsen/"+hid+"/amt", uuid.NewString(), `{"amt":"Archiv"}`); s != 200 {
		t.Fatal(out)
	}
	// She posts to an event's wall under the name of her second entry.
	now := time.Now()
	event, _ := planEvent(t, m, admin, "Meet & Learn", now.Add(-time.Hour), now.Add(time.Hour))
	hh := &actor{Token: mustToken(t, m, hid)}
	if s, out, _ := postJSON(t, hh, m.URL()+"/veranstaltungen/"+event+"/wand", uuid.NewString(), `{"text":"Mein Beitrag"}`); s != 200 {
		t.Fatal(out)
	}
	if _, page := getBody(t, admin, m.URL()+"/veranstaltungen/"+event); !strings.Contains(page, name) {
		t.Fatal("the wall does not name her before the erasure")
	}
	secrets := []string{"Hiltrud", "Löschmich", "hiltrud.privat@", "hiltrud.loeschmich@"}
	if _, page := getBody(t, admin, m.URL()+"/lotsen"); !strings.Contains(page, name) {
		t.Fatal("the name is not shown before the erasure")
	}

	// Erase both entries through the page's form and the API.
	for _, id := range []string{hid, h.Person} {
		if res := postForm(t, m, admin, "/lotsen/"+id+"/loeschen", url.Values{"command_id": {uuid.NewString()}, "confirm": {"ja"}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("erase %s: %d", id, res.StatusCode)
		}
	}
	// Her session, token and password are gone.
	if status, _ := getBody(t, h, m.URL()+"/konto"); status != http.StatusSeeOther {
		t.Fatalf("erased person's session: %d", status)
	}
	if s, _, _ := postJSON(t, h, m.URL()+"/lotsen", uuid.NewString(), `{"name":"X","amt":"Archiv","city":"Konstanz"}`); s != http.StatusUnauthorized {
		t.Fatalf("erased person's token: %d", s)
	}
	// No page shows her.
	for _, path := range []string{"/lotsen", "/lotsen/" + hid, "/lotsen/" + h.Person, "/konto", "/veranstaltungen/" + event} {
		status, page := getBody(t, admin, m.URL()+path)
		if status != 200 {
			t.Fatalf("%s: %d", path, status)
		}
		for _, s := range secrets {
			if strings.Contains(page, s) {
				t.Fatalf("%s still shows %q", path, s)
			}
		}
		if path != "/konto" && path != "/lotsen" && !strings.Contains(page, domain.ErasedName) && !strings.HasPrefix(path, "/veranstaltungen") {
			t.Fatalf("%s does not say %q", path, domain.ErasedName)
		}
	}
	// What she did stays: the entry she created still moved to the Archiv.
	if p, _, _ := m.Runner.Person(hid); p.Amt != "Archiv" || !p.Erased {
		t.Fatalf("history after erasure: %+v", p)
	}
	live := m.Runner.Roster()
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}

	// The export has none of it.
	var exported bytes.Buffer
	if err := run(context.Background(), []string{"export", "--data-dir", dir}, func(string) string { return "" }, nil, &exported, &bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
	for _, s := range secrets {
		if strings.Contains(exported.String(), s) {
			t.Fatalf("the export still holds %q", s)
		}
	}
	// Nor does any file in the data dir: the name was never stored in clear.
	filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, _ := os.ReadFile(path)
		for _, s := range secrets {
			if bytes.Contains(b, []byte(s)) {
				t.Errorf("%s holds %q in clear", path, s)
			}
		}
		return nil
	})

	// A rebuild from scratch agrees with the live read model, and with a
	// fold of the export.
	m2 := startLogbuchIn(t, dir)
	rebuilt := m2.Runner.Roster()
	msgs, err := embed.ReadExport(&exported)
	if err != nil {
		t.Fatal(err)
	}
	folded := projections.FoldRoster(msgs)
	if !reflect.DeepEqual(rebuilt, live) || !reflect.DeepEqual(rebuilt, folded) {
		t.Fatalf("after erasure the rebuilt roster differs:\nlive    %+v\nrebuilt %+v\nfolded  %+v", live, rebuilt, folded)
	}
	// Her login is gone for good.
	if found, _ := m2.Log.GetSecret(context.Background(), "LB_CREDENTIALS", h.Person, &map[string]any{}); found {
		t.Fatal("the erased person's password hash is still stored")
	}
}

// mustToken gives a person an API token directly (for acting as them).
func mustToken(t *testing.T, m *Main, person string) string {
	t.Helper()
	tok, _, err := web.CreateAPIToken(testCtx(t), m.Log, person, "test")
	if err != nil {
		t.Fatal(err)
	}
	return tok
}
