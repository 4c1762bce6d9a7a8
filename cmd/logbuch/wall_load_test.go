package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/coder/websocket"
	"github.com/google/uuid"

	"logbuch/domain"
)

var wallColumnRE = regexp.MustCompile(`data-group="([^"]*)"|data-post="([^"]+)"`)

// wallOrder reads a rendered wall as "group:post,post|group:…", in the
// order of the page.
func wallOrder(html string) string {
	var cols []string
	for _, m := range wallColumnRE.FindAllStringSubmatch(html, -1) {
		switch {
		case m[2] != "" && len(cols) > 0:
			last := &cols[len(cols)-1]
			if !strings.HasSuffix(*last, ":") {
				*last += ","
			}
			*last += m[2]
		case m[2] == "":
			cols = append(cols, m[1]+":")
		}
	}
	return strings.Join(cols, "|")
}

// foldedWall folds the log itself, read from the stream message by message
// with the post decider, into the wall every view must show: visible posts
// per group, in the order they were written.
func foldedWall(t *testing.T, m *Main, event string, groups []string) string {
	t.Helper()
	ctx := testCtx(t)
	last := lastSeq(t, m)
	feed, err := m.Log.Follow(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer feed.Stop()
	type folded struct {
		seq   uint64
		group string
		state domain.WallPost
	}
	posts := map[string]*folded{}
	for {
		rec, _, err := feed.Next(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if id, ok := strings.CutPrefix(rec.Subject, "lb.konstanz."+domain.Wall.Kind+"."); ok {
			p := posts[id]
			for _, e := range rec.Events {
				if d, ok := e.Data.(domain.WallPostAdded); ok {
					p = &folded{seq: rec.Seq, group: d.Group}
					posts[id] = p
				}
				if p != nil {
					p.state = domain.Wall.Evolve(p.state, e)
				}
			}
		}
		if rec.Seq >= last {
			break
		}
	}
	var cols []string
	for _, g := range groups {
		var ids []string
		var seqs []uint64
		for id, p := range posts {
			if p.state.Event == event && p.group == g && !p.state.Hidden && !p.state.Deleted {
				ids, seqs = append(ids, id), append(seqs, p.seq)
			}
		}
		idx := make([]int, len(ids))
		for i := range idx {
			idx[i] = i
		}
		slices.SortFunc(idx, func(a, b int) int { return int(seqs[a]) - int(seqs[b]) })
		sorted := make([]string, len(ids))
		for i, j := range idx {
			sorted[i] = ids[j]
		}
		cols = append(cols, g+":"+strings.Join(sorted, ","))
	}
	return strings.Join(cols, "|")
}

// liveWall follows one wall view over the live socket and keeps the last
// rendered view.
type liveWall struct {
	mu   sync.Mutex
	seq  uint64
	html string
	err  error
}

func (w *liveWall) follow(ctx context.Context, c *websocket.Conn) {
	for {
		_, b, err := c.Read(ctx)
		if err != nil {
			w.mu.Lock()
			w.err = err
			w.mu.Unlock()
			return
		}
		var msg liveMsg
		if json.Unmarshal(b, &msg) != nil {
			continue
		}
		w.mu.Lock()
		if msg.Seq >= w.seq {
			w.seq, w.html = msg.Seq, msg.HTML
		}
		w.mu.Unlock()
	}
}

func (w *liveWall) state() (uint64, string, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.seq, w.html, w.err
}

// TestWallUnderLoad: 40 participants in 4 groups post at the same time
// through the real endpoints while following the wall live; a real
// Chromium shows the wall and the projector. Afterwards every wall shows
// every visible post exactly once, in the same order, equal to a fold of
// the log.
func TestWallUnderLoad(t *testing.T) {
	m := startLogbuch(t)
	admin := newActor(t, m, domain.RoleAdmin)
	now := time.Now()
	event, code := planEvent(t, m, admin, "#KNmeetsHN Lasttest", now.Add(-time.Hour), now.Add(4*time.Hour))
	groups := []string{"1", "2", "3", "4"}
	for _, name := range []string{"Inkubator DigitallotsInnen", "Quo vadis, Verwaltungskultur", "New Work: Arbeit ist keine Krankheit", "Nutzerzentrierung: Mal anders herum gedacht"} {
		if status, out, _ := postJSON(t, admin, m.URL()+"/veranstaltungen/"+event+"/gruppen", uuid.NewString(), `{"name":`+jsonString(name)+`}`); status != 200 {
			t.Fatalf("group: %d %v", status, out)
		}
	}

	// The two browsers: a guest's wall, and the projector in the room.
	browser, projector := newBrowser(t), newBrowser(t)
	for i, tab := range []context.Context{browser, projector} {
		joinInBrowser(t, tab, m, code, event, fmt.Sprintf("Browser %d", i))
	}
	within(t, projector, 20*time.Second, chromedp.Navigate(m.URL()+"/veranstaltungen/"+event+"/wand/beamer"))
	waitFor(t, browser, liveOnline)
	waitFor(t, projector, liveOnline)

	// 40 participants: two Lotsen and 38 guests of Heilbronn, ten per group,
	// each following the wall on its own live socket.
	ctx := testCtx(t)
	const n = 40
	people := make([]*actor, n)
	walls := make([]*liveWall, n)
	for i := range people {
		if i < 2 {
			people[i] = newActor(t, m, domain.RoleLotse)
			people[i].Token = "" // post as the browser session, like the guests
		} else {
			guest, res := joinAsGuest(t, m, code, fmt.Sprintf("Gast %d", i))
			if guest == nil {
				t.Fatalf("guest %d: %d", i, res.StatusCode)
			}
			people[i] = guest
			guest.CSRF = guest.csrfFrom(t, m, "/veranstaltungen/"+event)
		}
		c := dialLive(t, ctx, m, people[i])
		subscribe(t, ctx, c, "veranstaltung/"+event+"/wand", 0)
		walls[i] = &liveWall{}
		go walls[i].follow(ctx, c)
	}

	// Everyone picks a group, then all post at once, twice.
	var wg sync.WaitGroup
	errs := make(chan string, 3*n)
	start := make(chan struct{})
	ids := make([][]string, n)
	for i, p := range people {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if status, out, _ := postJSONQuiet(p, m.URL()+"/veranstaltungen/"+event+"/gruppe", `{"group":"`+groups[i%4]+`"}`); status != 200 {
				errs <- fmt.Sprintf("pick %d: %d %v", i, status, out)
				return
			}
			<-start
			for k := 0; k < 2; k++ {
				status, out, _ := postJSONQuiet(p, m.URL()+"/veranstaltungen/"+event+"/wand", `{"text":"**Gruppe `+groups[i%4]+`**: Ergebnis `+fmt.Sprint(i, "-", k)+`"}`)
				if status != 200 {
					errs <- fmt.Sprintf("post %d/%d: %d %v", i, k, status, out)
					return
				}
				ids[i] = append(ids[i], out["id"].(string))
			}
		}()
	}
	close(start)
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	if t.Failed() {
		t.FailNow()
	}
	// The facilitator hides one post, an author deletes one of theirs.
	if status, out, _ := postJSON(t, admin, m.URL()+"/veranstaltungen/"+event+"/wand/"+ids[7][0]+"/ausblenden", uuid.NewString(), `{}`); status != 200 {
		t.Fatalf("hide: %d %v", status, out)
	}
	if status, out, _ := postJSON(t, people[12], m.URL()+"/veranstaltungen/"+event+"/wand/"+ids[12][1]+"/loeschen", uuid.NewString(), `{}`); status != 200 {
		t.Fatalf("delete: %d %v", status, out)
	}
	final := lastSeq(t, m)

	want := foldedWall(t, m, event, groups)
	if got := strings.Count(want, ",") + strings.Count(want, "|") + 1; got != 2*n-2 {
		t.Fatalf("the fold of the log has %d visible posts, want %d: %s", got, 2*n-2, want)
	}
	// Every WebSocket client's last view.
	deadline := time.Now().Add(20 * time.Second)
	for i, w := range walls {
		for {
			seq, html, err := w.state()
			if err != nil {
				t.Fatalf("client %d lost its live socket: %v", i, err)
			}
			if seq >= final {
				if got := wallOrder(html); got != want {
					t.Fatalf("client %d shows\n%s\nthe log folds to\n%s", i, got, want)
				}
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("client %d is at %d, the log at %d", i, seq, final)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	// Both browsers' DOM.
	domOrder := func(root string) string {
		return `(function(){var r=document.getElementById("` + root + `");if(!r)return "";return Array.from(r.querySelectorAll(".wall-column")).map(function(c){return c.getAttribute("data-group")+":"+Array.from(c.querySelectorAll("li.post")).map(function(li){return li.getAttribute("data-post")}).join(",")}).join("|")})()`
	}
	for _, b := range []struct {
		tab  context.Context
		root string
	}{{browser, "wand-live"}, {projector, "beamer-live"}} {
		waitFor(t, b.tab, fmt.Sprintf(`(function(){var r=document.getElementById(%q);return !!r && Number(r.getAttribute("data-seq")) >= %d})()`, b.root, final))
		if got := eval[string](t, b.tab, domOrder(b.root)); got != want {
			t.Fatalf("%s in Chromium shows\n%s\nthe log folds to\n%s", b.root, got, want)
		}
	}
	// And the page rendered afresh agrees too.
	if _, page := getBody(t, people[0], m.URL()+"/veranstaltungen/"+event); wallOrder(page[strings.Index(page, `id="wand-live"`):]) != want {
		t.Fatal("a fresh page shows another wall")
	}
	// The projector has no controls and highlights what came after it opened.
	if eval[int](t, projector, `document.querySelectorAll("#beamer-live form, #beamer-live button").length`) != 0 {
		t.Fatal("the projector shows controls")
	}
	late := wallPost(t, m, people[0], event, "", "Nachtrag")
	waitFor(t, projector, `!!document.querySelector('#beamer-live li[data-post="`+late+`"]')`)
	if !eval[bool](t, projector, `document.querySelector('#beamer-live li[data-post="`+late+`"]').classList.contains("post-new")`) {
		t.Fatal("the projector does not highlight a new post")
	}
	artifact(t, projector, "wall-projector.png")
	artifact(t, browser, "wall.png")
}

// postJSONQuiet is postJSON for goroutines: no t.Fatal.
func postJSONQuiet(a *actor, url, body string) (int, map[string]any, error) {
	res, err := http.DefaultClient.Do(newJSONRequest(a, url, uuid.NewString(), body))
	if err != nil {
		return 0, nil, err
	}
	defer res.Body.Close()
	var out map[string]any
	json.NewDecoder(res.Body).Decode(&out)
	return res.StatusCode, out, nil
}
