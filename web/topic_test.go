package web

import (
	"testing"
	"time"

	"logbuch/domain"
	"logbuch/projections"
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
		got, ok := mergedWith(h, c.seq, name)
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
	for secs, want := range map[int]string{55: "55 Sek.", 60: "1 Min.", 95: "1 Min. 35 Sek."} {
		if got := lengthLabel(secs); got != want {
			t.Errorf("lengthLabel(%d) = %q, want %q", secs, got, want)
		}
	}
}
