package web

import (
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"logbuch/projections"
	"logbuch/web/i18n"
)

// A change is rendered once per language that someone follows the view in,
// however many follow it, and each subscriber gets its own language's bytes.
func TestHubRendersOncePerLanguage(t *testing.T) {
	var mu sync.Mutex
	renders := map[i18n.Lang]int{}
	render := func(ctx context.Context, view string) (string, []byte, uint64, bool) {
		c := i18n.From(ctx)
		mu.Lock()
		renders[c.Code()]++
		mu.Unlock()
		return "x", []byte(`<p id="x">` + c.T("nav.roster") + " / " + c.T("nav.events") + `</p>`), 7, true
	}
	h := NewHub(render, slog.New(slog.DiscardHandler))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go h.Run(ctx)

	sub := func(lang i18n.Lang) *subscriber {
		s := &subscriber{msgs: make(chan []byte, 4), views: map[string]bool{}, closeSlow: func() {}, lang: lang}
		if !h.add(s) {
			t.Fatal("hub closed")
		}
		h.subscribe(ctx, s, "roster", 0)
		return s
	}
	var de, en []*subscriber
	for range 5 {
		de = append(de, sub(i18n.German))
		en = append(en, sub(i18n.English))
	}
	// Subscribing at the current sequence sends nothing; the change does.
	h.Changed(projections.Change{Seq: 7, Views: []string{"roster"}})
	read := func(s *subscriber) string {
		select {
		case b := <-s.msgs:
			var m liveMessage
			if err := json.Unmarshal(b, &m); err != nil {
				t.Fatal(err)
			}
			return m.HTML
		case <-time.After(5 * time.Second):
			t.Fatal("no update")
		}
		return ""
	}
	for _, s := range de {
		if got := read(s); got != `<p id="x">Lotsen / Veranstaltungen</p>` {
			t.Errorf("German subscriber got %s", got)
		}
	}
	for _, s := range en {
		if got := read(s); got != `<p id="x">Lotsen / Events</p>` {
			t.Errorf("English subscriber got %s", got)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if renders[i18n.German] != 1 || renders[i18n.English] != 1 || len(renders) != 2 {
		t.Fatalf("renders per language %v, want one each", renders)
	}
}

// The language switch keeps people on their page and sends nobody away.
func TestLocalPath(t *testing.T) {
	for in, want := range map[string]string{
		"/knowhow/b1?stand=2023-03-05":  "/knowhow/b1?stand=2023-03-05",
		"https://evil.example/":         "/",
		"//evil.example/":               "/",
		"/\\evil.example":               "/",
		"":                              "/",
		"/a\r\nSet-Cookie: x":           "/",
		"/\t/evil.example":              "/",
		"/\x01/x":                       "/",
		"/\n/x":                         "/",
		"/" + strings.Repeat("x", 3000): "/",
	} {
		if got := localPath(in); got != want {
			t.Errorf("localPath(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestAcceptedLanguage(t *testing.T) {
	for in, want := range map[string]i18n.Lang{
		"en-GB,en;q=0.9,de;q=0.8": i18n.English,
		"fr-FR, de-DE;q=0.5":      i18n.German,
		"fr":                      i18n.German,
		"":                        i18n.German,
		"EN":                      i18n.English,
		"en;q=0, de":              i18n.German,
		"de;q=0.4, en;q=0.8":      i18n.English,
		"fr, en;q=0.3":            i18n.English,
		"de-CH, en":               i18n.German,
	} {
		if got := acceptedLanguage(in); got != want {
			t.Errorf("acceptedLanguage(%q) = %s, want %s", in, got, want)
		}
	}
}
