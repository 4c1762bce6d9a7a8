package main

import (
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/nats-io/nats.go/jetstream"

	"logbuch/domain"
	"logbuch/embed"
	"logbuch/projections"
)

// city is one city's Logbuch in a federation test.
type city struct {
	name string
	m    *Main
	dir  string
	args []string
	// admin posts and plans through the HTTP API.
	admin *actor
}

func (c *city) stream(t *testing.T) jetstream.Stream {
	t.Helper()
	js, err := jetstream.New(c.m.Log.Conn())
	if err != nil {
		t.Fatal(err)
	}
	s, err := js.Stream(testCtx(t), "LOGBUCH")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// holds reports whether the city's stream has any message on subject.
func (c *city) holds(t *testing.T, subject string) bool {
	t.Helper()
	_, err := c.stream(t).GetLastMsgForSubject(testCtx(t), subject)
	if err != nil && !errors.Is(err, jetstream.ErrMsgNotFound) {
		t.Fatal(err)
	}
	return err == nil
}

func (c *city) post(t *testing.T, event, text string) string {
	t.Helper()
	status, out, _ := postJSON(t, c.admin, c.m.URL()+"/veranstaltungen/"+event+"/wand", uuid.NewString(), fmt.Sprintf(`{"text":%q}`, text))
	if status != 200 {
		t.Fatalf("post in %s: %d %v", c.name, status, out)
	}
	return out["id"].(string)
}

func (c *city) plan(t *testing.T, title, format string) string {
	t.Helper()
	body := fmt.Sprintf(`{"title":%q,"format":%q,"start":"2030-10-17T09:00","end":"2030-10-17T17:00","place":"Heilbronn","host_city":"Heilbronn"}`, title, format)
	status, out, _ := postJSON(t, c.admin, c.m.URL()+"/veranstaltungen", uuid.NewString(), body)
	if status != 200 {
		t.Fatalf("plan in %s: %d %v", c.name, status, out)
	}
	return out["id"].(string)
}

// wall returns the ids of the posts on an event's wall in this city.
func (c *city) wall(event string) []string {
	_, posts, _, ok := c.m.Runner.Event(event)
	if !ok {
		return nil
	}
	ids := make([]string, len(posts))
	for i, p := range posts {
		ids[i] = p.ID
	}
	return ids
}

// waitWall waits until the city's wall of event holds exactly want (in
// any order, each once).
func (c *city) waitWall(t *testing.T, event string, want []string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		got := c.wall(event)
		if sameSet(got, want) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the wall in %s holds %d posts %v, want %d %v", c.name, len(got), got, len(want), want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func sameSet(got, want []string) bool {
	if len(got) != len(want) {
		return false
	}
	seen := map[string]int{}
	for _, g := range got {
		seen[g]++
	}
	for _, w := range want {
		if seen[w] != 1 {
			return false
		}
	}
	return true
}

func freePort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
}

// startFederation starts Konstanz (domain kn, accepting the leaf link) and
// Heilbronn (domain hn, connecting to it), each with its own embedded NATS
// and log.
func startFederation(t *testing.T) (kn, hn *city) {
	t.Helper()
	port := freePort(t)
	kn = &city{name: "Konstanz", dir: t.TempDir(), args: []string{"--tenant", "konstanz", "--jetstream-domain", "kn",
		"--leaf-listen", "127.0.0.1:" + port, "--leaf-user", "heilbronn", "--leaf-password", "leaf-geheim",
		"--federation-partner", "heilbronn", "--federation-partner-domain", "hn"}}
	hn = &city{name: "Heilbronn", dir: t.TempDir(), args: []string{"--tenant", "heilbronn", "--jetstream-domain", "hn",
		"--leaf-remote", "nats-leaf://heilbronn:leaf-geheim@127.0.0.1:" + port,
		"--federation-partner", "konstanz", "--federation-partner-domain", "kn"}}
	for _, c := range []*city{kn, hn} {
		c.m = startLogbuchIn(t, c.dir, c.args...)
		c.admin = newActor(t, c.m, domain.RoleAdmin)
	}
	return kn, hn
}

// TestFederationSharesExactlyTheKNmeetsHNSpaces: two cities, each with its
// own NATS (JetStream domains kn and hn), a leaf-node link, and streams
// that source each other's shared subjects. Posts cross both ways and
// appear on both walls (live too); nothing private crosses; the partner's
// space is not writable here; after an outage of one city both walls
// converge without loss or duplicates.
func TestFederationSharesExactlyTheKNmeetsHNSpaces(t *testing.T) {
	kn, hn := startFederation(t)
	ctx := testCtx(t)

	// Konstanz plans the joint event (its home) and a private one.
	joint := kn.plan(t, "#KNmeetsHN 2030", domain.SharedFormat)
	private := kn.plan(t, "Meet & Learn intern", "Meet & Learn")
	deadline := time.Now().Add(30 * time.Second)
	for {
		if _, _, _, ok := hn.m.Runner.Event(joint); ok {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the joint event did not reach Heilbronn")
		}
		time.Sleep(20 * time.Millisecond)
	}

	// A Heilbronn browser follows the joint wall live.
	live := dialLive(t, ctx, hn.m, hn.admin)
	subscribe(t, ctx, live, projections.WallViewName(joint), lastSeq(t, hn.m))

	// Posts cross both ways.
	var posts []string
	posts = append(posts, kn.post(t, joint, "Gruppe 1: Inkubator DigitallotsInnen"))
	posts = append(posts, hn.post(t, joint, "Gruppe 2: Quo vadis, Verwaltungskultur"))
	kn.waitWall(t, joint, posts)
	hn.waitWall(t, joint, posts)
	arrived := false
	for !arrived {
		msg, ok := readLive(t, ctx, live, 20*time.Second)
		if !ok {
			t.Fatal("the Konstanz post did not arrive live in Heilbronn")
		}
		arrived = strings.Contains(msg.HTML, "Inkubator DigitallotsInnen")
	}

	// Nothing private crosses: not the roster, not the private event, not
	// the private event's wall; the joint space does.
	kn.post(t, private, "nur für Konstanz")
	for _, c := range []struct {
		from, to *city
		tenant   string
	}{{kn, hn, "konstanz"}, {hn, kn, "heilbronn"}} {
		if !c.from.holds(t, "lb."+c.tenant+".lotse.>") || !c.from.holds(t, "lb."+c.tenant+".>") {
			t.Fatalf("%s holds no private events of its own: the check would prove nothing", c.from.name)
		}
		if c.to.holds(t, "lb."+c.tenant+".>") {
			t.Errorf("private events of %s reached %s", c.from.name, c.to.name)
		}
		if !c.to.holds(t, "lb.geteilt."+c.tenant+".beitrag.>") {
			t.Errorf("the shared posts of %s did not reach %s", c.from.name, c.to.name)
		}
	}
	if _, _, _, ok := hn.m.Runner.Event(private); ok {
		t.Error("Heilbronn knows Konstanz's private event")
	}
	// Presence (who looks at which page, with names) stays in its city.
	presence, err := hn.m.Log.Conn().SubscribeSync(embed.PresenceSubject)
	if err != nil {
		t.Fatal(err)
	}
	defer presence.Unsubscribe()
	hn.m.Log.Conn().Flush()
	if err := kn.m.Log.PublishPresence([]byte(`{"r":"konstanz-test","e":[{"s":"roster","p":"x","n":"Konstanzer Name"}]}`)); err != nil {
		t.Fatal(err)
	}
	// A request to Heilbronn's JetStream API crosses the same link after
	// the presence report: once it is answered, a leaked report would be
	// there already.
	if _, err := kn.m.Log.Conn().Request("$JS.hn.API.INFO", nil, 10*time.Second); err != nil {
		t.Fatalf("no round trip over the leaf link: %v", err)
	}
	if msg, err := presence.NextMsg(200 * time.Millisecond); err == nil {
		t.Fatalf("Konstanz's presence reached Heilbronn: %s", msg.Data)
	}

	// The joint event is written in its home city only.
	status, out, _ := postJSON(t, hn.admin, hn.m.URL()+"/veranstaltungen/"+joint+"/vortrag", uuid.NewString(), `{"speaker":"Eva Example","topic":"Keynote"}`)
	if status != 409 || !strings.Contains(fmt.Sprint(out), "Konstanz") {
		t.Errorf("a change of Konstanz's event through Heilbronn: %d %v, want 409 naming Konstanz", status, out)
	}
	status, out, _ = postJSON(t, kn.admin, kn.m.URL()+"/veranstaltungen/"+joint+"/vortrag", uuid.NewString(), `{"speaker":"Eva Example","topic":"Keynote"}`)
	if status != 200 {
		t.Fatalf("a talk in the home city: %d %v", status, out)
	}

	// Konstanz goes down: Heilbronn keeps posting; Konstanz comes back,
	// posts too, and both sides catch up.
	kn.m.Close()
	for i := range 3 {
		posts = append(posts, hn.post(t, joint, fmt.Sprintf("Heilbronn während der Pause %d", i)))
	}
	kn.m = startLogbuchIn(t, kn.dir, kn.args...)
	for i := range 3 {
		posts = append(posts, kn.post(t, joint, fmt.Sprintf("Konstanz nach der Pause %d", i)))
	}
	kn.waitWall(t, joint, posts)
	hn.waitWall(t, joint, posts)

	// In the logs: each shared post once in each city.
	for _, c := range []*city{kn, hn} {
		for _, home := range []string{"konstanz", "heilbronn"} {
			msgs, err := c.m.Log.Load(ctx, "lb.geteilt."+home+".beitrag.>")
			if err != nil {
				t.Fatal(err)
			}
			seen := map[string]bool{}
			for _, m := range msgs {
				if seen[m.Subject] {
					t.Errorf("%s holds %s twice", c.name, m.Subject)
				}
				seen[m.Subject] = true
			}
			if len(seen) != 4 {
				t.Errorf("%s holds %d shared posts of %s", c.name, len(seen), home)
			}
		}
	}
}

func TestFederationFlagsThatCannotWorkAreRefused(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--federation-partner", "heilbronn"}, "go together"},
		{[]string{"--federation-partner", "konstanz", "--federation-partner-domain", "kn", "--jetstream-domain", "hn"}, "the partner city's --tenant"},
		{[]string{"--federation-partner", "heilbronn", "--federation-partner-domain", "hn"}, "--jetstream-domain"},
		{[]string{"--federation-partner", "heilbronn", "--federation-partner-domain", "hn", "--jetstream-domain", "hn"}, "each city needs its own"},
		{[]string{"--nats-url", "nats://127.0.0.1:4222", "--leaf-remote", "nats-leaf://x:y@127.0.0.1:7422"}, "configure them in the NATS server"},
	} {
		m := NewMain(io.Discard, io.Discard)
		err := m.ParseFlags("serve", c.args, func(string) string { return "" })
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: %v, want an error about %q", c.args, err, c.want)
		}
	}
	// A leaf port for the partner needs credentials.
	m := NewMain(io.Discard, io.Discard)
	if err := m.ParseFlags("serve", []string{"--http", "127.0.0.1:0", "--data-dir", t.TempDir(), "--leaf-listen", "127.0.0.1:0"}, func(string) string { return "" }); err != nil {
		t.Fatal(err)
	}
	if err := m.Run(testCtx(t)); err == nil || !strings.Contains(err.Error(), "--leaf-user") {
		m.Close()
		t.Fatalf("a leaf port without credentials: %v", err)
	}
}
