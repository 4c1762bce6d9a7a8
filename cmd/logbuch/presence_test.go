package main

import (
	"context"
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/coder/websocket"

	"logbuch/domain"
)

type presencePerson struct {
	Person string   `json:"p"`
	Name   string   `json:"n"`
	Fields []string `json:"f"`
}

// sendHere tells the server where this page is and which field it edits.
func sendHere(t *testing.T, ctx context.Context, c *websocket.Conn, space, field string) {
	t.Helper()
	b, _ := json.Marshal(map[string]any{"t": "here", "space": space, "field": field})
	if err := c.Write(ctx, websocket.MessageText, b); err != nil {
		t.Fatal(err)
	}
}

// awaitPresence reads a live socket until a presence message of the space
// satisfies ok; other messages are skipped.
func awaitPresence(t *testing.T, ctx context.Context, c *websocket.Conn, space string, what string, ok func([]presencePerson) bool) {
	t.Helper()
	rctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	var last []presencePerson
	for {
		_, b, err := c.Read(rctx)
		if err != nil {
			t.Fatalf("waiting for presence (%s): %v; last seen %+v", what, err, last)
		}
		var m struct {
			T      string           `json:"t"`
			Space  string           `json:"space"`
			People []presencePerson `json:"people"`
		}
		if json.Unmarshal(b, &m) != nil || m.T != "presence" || m.Space != space {
			continue
		}
		last = m.People
		if ok(m.People) {
			return
		}
	}
}

func findPerson(people []presencePerson, id string) (presencePerson, bool) {
	i := slices.IndexFunc(people, func(p presencePerson) bool { return p.Person == id })
	if i < 0 {
		return presencePerson{}, false
	}
	return people[i], true
}

// Presence travels between replicas on plain NATS: someone on replica B is
// seen on replica A, with the field they edit, and vanishes when the tab
// closes.
func TestPresenceAcrossReplicas(t *testing.T) {
	natsURL, token := startSharedNATS(t)
	a := startLogbuch(t, "--nats-url", natsURL, "--nats-token", token)
	b := startLogbuch(t, "--nats-url", natsURL, "--nats-token", token)
	ctx := testCtx(t)

	anna := newActor(t, a, domain.RoleLotse)
	ben := newActor(t, b, domain.RoleLotse)
	last, _ := a.Log.LastSeq(ctx)
	for _, m := range []*Main{a, b} {
		if err := m.Runner.WaitFor(ctx, last); err != nil {
			t.Fatal(err)
		}
	}

	onA := dialLive(t, ctx, a, anna)
	subscribe(t, ctx, onA, "roster", last)
	sendHere(t, ctx, onA, "roster", "")
	awaitPresence(t, ctx, onA, "roster", "Anna sees herself", func(p []presencePerson) bool {
		_, ok := findPerson(p, anna.Person)
		return ok
	})

	onB := dialLive(t, ctx, b, ben)
	subscribe(t, ctx, onB, "roster", last)
	sendHere(t, ctx, onB, "roster", "beschreibung")
	awaitPresence(t, ctx, onA, "roster", "Ben on replica B appears on A, editing", func(p []presencePerson) bool {
		ben, ok := findPerson(p, ben.Person)
		return ok && ben.Name != "" && slices.Equal(ben.Fields, []string{"beschreibung"})
	})
	awaitPresence(t, ctx, onB, "roster", "Anna on replica A appears on B", func(p []presencePerson) bool {
		_, ok := findPerson(p, anna.Person)
		return ok
	})

	sendHere(t, ctx, onB, "roster", "")
	awaitPresence(t, ctx, onA, "roster", "Ben stopped editing", func(p []presencePerson) bool {
		ben, ok := findPerson(p, ben.Person)
		return ok && len(ben.Fields) == 0
	})

	onB.Close(websocket.StatusNormalClosure, "Tab geschlossen")
	awaitPresence(t, ctx, onA, "roster", "Ben's closed tab vanishes", func(p []presencePerson) bool {
		_, ok := findPerson(p, ben.Person)
		return !ok
	})
}

// Presence is shown only where the connection may look: a space it does
// not follow is ignored, and a malformed field closes the socket.
func TestPresenceOnlyForFollowedViews(t *testing.T) {
	m := startLogbuch(t)
	ctx := testCtx(t)
	anna := newActor(t, m, domain.RoleLotse)
	ben := newActor(t, m, domain.RoleLotse)
	last, _ := m.Log.LastSeq(ctx)

	watcher := dialLive(t, ctx, m, anna)
	subscribe(t, ctx, watcher, "roster", last)
	sendHere(t, ctx, watcher, "roster", "")

	// Ben claims to be on the roster without following it, then follows
	// his own person page and says so: only the latter counts, so the
	// watcher on the roster never sees Ben.
	other := dialLive(t, ctx, m, ben)
	sendHere(t, ctx, other, "roster", "titel")
	subscribe(t, ctx, other, "lotse/"+ben.Person, last)
	sendHere(t, ctx, other, "lotse/"+ben.Person, "")
	// Then the same connection follows the roster and says so: messages of
	// one connection are handled in order, so once the watcher sees this
	// marker, the report for the unfollowed roster was handled (ignored).
	subscribe(t, ctx, other, "roster", last)
	sendHere(t, ctx, other, "roster", "marke")
	awaitPresence(t, ctx, watcher, "roster", "Ben only with the marker's field", func(p []presencePerson) bool {
		b, ok := findPerson(p, ben.Person)
		if ok && slices.Contains(b.Fields, "titel") {
			t.Fatalf("presence shown for a view the connection does not follow: %+v", p)
		}
		return ok && slices.Equal(b.Fields, []string{"marke"})
	})

	bad := dialLive(t, ctx, m, ben)
	subscribe(t, ctx, bad, "roster", last)
	sendHere(t, ctx, bad, "roster", "<script>")
	rctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	var err error
	for err == nil {
		_, _, err = bad.Read(rctx)
	}
	if !isPolicyClose(err) {
		t.Fatalf("a malformed presence field should close the socket, got %v", err)
	}
}

// A connection that floods presence reports is closed: each report fans
// out to every replica and every viewer of the page.
func TestPresenceFloodClosesTheConnection(t *testing.T) {
	m := startLogbuch(t)
	ctx := testCtx(t)
	anna := newActor(t, m, domain.RoleLotse)
	last, _ := m.Log.LastSeq(ctx)
	c := dialLive(t, ctx, m, anna)
	subscribe(t, ctx, c, "roster", last)
	fields := []string{"titel", "beschreibung"}
	for i := range 200 {
		b, _ := json.Marshal(map[string]any{"t": "here", "space": "roster", "field": fields[i%2]})
		if err := c.Write(ctx, websocket.MessageText, b); err != nil {
			break // closed already
		}
	}
	rctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	var err error
	for err == nil {
		_, _, err = c.Read(rctx)
	}
	if !isPolicyClose(err) {
		t.Fatalf("a flood of presence reports should close the socket, got %v", err)
	}
}
