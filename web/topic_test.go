package web

import (
	"context"
	"testing"
	"time"

	"logbuch/domain"
	"logbuch/projections"
	"logbuch/web/i18n"
)

func TestTopicViewNames(t *testing.T) {
	for _, c := range []struct {
		view, action string
	}{
		{"thema/0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b", domain.ViewBoards},
		{"videothek", domain.ViewVideos},
		{"thema/", ""},
		{"thema/../x", ""},
		{"thema/a b", ""},
		{"themen/abc", ""},
	} {
		got, ok := topicViewAction(c.view)
		if got != c.action || ok != (c.action != "") {
			t.Errorf("topicViewAction(%q) = %q, %v; want %q", c.view, got, ok, c.action)
		}
		if validViewName(c.view) != (c.action != "") {
			t.Errorf("validViewName(%q) = %v", c.view, !(c.action != ""))
		}
		if viewAction(c.view) != c.action && c.action != "" {
			t.Errorf("viewAction(%q) = %q, want %q", c.view, viewAction(c.view), c.action)
		}
	}
}

func TestMergedWithNamesTheOtherWriters(t *testing.T) {
	names := map[string]string{"a": "Anna", "b": "Ben", "c": "Carla"}
	name := func(id string) string { return names[id] }
	at := time.Now()
	edit := func(seq uint64, actor, field string, merged bool) projections.HistoryEntry {
		return projections.HistoryEntry{Seq: seq, At: at, Actor: actor, Type: "TopicFieldEdited", Field: field, Merged: merged}
	}
	h := []projections.HistoryEntry{
		{Seq: 1, Actor: "system", Type: "TopicProposed"},
		edit(2, "b", domain.FieldDescription, false),
		edit(3, "a", domain.FieldDescription, false),
		edit(4, "a", domain.FieldTitle, false),
		edit(5, "c", domain.FieldDescription, true),
		edit(6, "b", domain.FieldDescription, true),
	}
	for _, c := range []struct {
		seq  uint64
		want string
		ok   bool
	}{
		{6, "Carla und Anna", true}, // Carla's edit was itself merged, so Anna's counts too
		{5, "Anna", true},
		{3, "", false}, // not merged
		{9, "", false}, // unknown
	} {
		got, ok := mergedWith(context.Background(), h, c.seq, name)
		if got != c.want || ok != c.ok {
			t.Errorf("mergedWith(%d) = %q, %v; want %q, %v", c.seq, got, ok, c.want, c.ok)
		}
	}
}

func TestDurations(t *testing.T) {
	for secs, want := range map[int]string{0: "0:00", 5: "0:05", 95: "1:35", 600: "10:00"} {
		if got := minSec(secs); got != want {
			t.Errorf("minSec(%d) = %q, want %q", secs, got, want)
		}
	}
	de := i18n.With(context.Background(), i18n.For(i18n.German))
	for secs, want := range map[int]string{55: "55 Sek.", 60: "1 Min.", 95: "1 Min. 35 Sek."} {
		if got := lengthLabel(de, secs); got != want {
			t.Errorf("lengthLabel(%d) = %q, want %q", secs, got, want)
		}
	}
	en := i18n.With(context.Background(), i18n.For(i18n.English))
	for secs, want := range map[int]string{55: "55 sec", 60: "1 min", 95: "1 min 35 sec"} {
		if got := lengthLabel(en, secs); got != want {
			t.Errorf("lengthLabel(%d) in English = %q, want %q", secs, got, want)
		}
	}
}

// The average need and the names of a team are said the reader's way.
func TestNeedAndTeamPerLanguage(t *testing.T) {
	de := i18n.With(context.Background(), i18n.For(i18n.German))
	en := i18n.With(context.Background(), i18n.For(i18n.English))
	if got := needLabel(de, 3.45); got != "3,5" {
		t.Errorf("needLabel in German = %q, want 3,5", got)
	}
	if got := needLabel(en, 3.45); got != "3.5" {
		t.Errorf("needLabel in English = %q, want 3.5", got)
	}
	if got := needLabel(en, 0); got != "–" {
		t.Errorf("needLabel without estimates = %q, want a dash", got)
	}
	names := func(id string) string { return id }
	if got := teamNames(de, []string{"Anna", "Ben", "Carla"}, names); got != "Anna, Ben und Carla" {
		t.Errorf("teamNames in German = %q", got)
	}
	if got := teamNames(en, []string{"Anna", "Ben"}, names); got != "Anna and Ben" {
		t.Errorf("teamNames in English = %q", got)
	}
}

// The places a new scene can go name the scenes by their beginning.
func TestSceneAfterOptions(t *testing.T) {
	de := i18n.With(context.Background(), i18n.For(i18n.German))
	scenes := []projections.SceneView{
		{ID: "s1", Shown: projections.TextView{Text: "Posteingang mit einem neuen Brief vom Bürgeramt"}},
		{ID: "s2"},
	}
	got := sceneAfterOptions(de, scenes)
	want := []option{{"", "am Ende"}, {domain.SceneAtStart, "am Anfang"}, {"s1", "nach Szene 1 („Posteingang mit einem neuen Br…“)"}, {"s2", "nach Szene 2"}}
	if len(got) != len(want) {
		t.Fatalf("options %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("option %d = %v, want %v", i, got[i], want[i])
		}
	}
}
