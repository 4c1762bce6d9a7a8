package main

import (
	"context"
	"testing"
	"time"

	"logbuch/domain"
	"logbuch/projections"
)

func TestDemoYearHasAKNowHowBoard(t *testing.T) {
	m := startLogbuch(t, "--demo")
	boards := m.Runner.Boards()
	if len(boards.Active) != 1 || boards.Active[0].Title != "KNowHow 2023" || boards.Active[0].Year != 2023 {
		t.Fatalf("boards %+v", boards)
	}
	id := boards.Active[0].ID
	v, _ := m.Runner.Board(id)
	if !v.Board.Revealed || v.Board.VotingOpen || v.Voted != 12 || len(v.Archived) != 1 {
		t.Fatalf("board %+v", v.Board)
	}
	if first := v.ByPreference[0]; first.Title != "Urlaubsantrag im Personalportal" || first.Dots != 21 || first.Place != 1 {
		t.Fatalf("ranking by Präferenz: %+v", v.ByPreference)
	}
	lane := func(s domain.Stage) []projections.TopicCard { return v.Lanes[s.Index()].Topics }
	if len(lane(domain.StagePublished)) != 1 || len(lane(domain.StageScript)) != 1 || len(lane(domain.StageProposed)) != 5 {
		t.Fatalf("lanes %+v", v.Lanes)
	}
	script, _ := m.Runner.Topic(lane(domain.StageScript)[0].ID)
	if script.Title.Text != "Rechnung digital freigeben" || len(script.Team) != 2 || len(script.Scenes) != 2 || script.TotalSeconds != 45 {
		t.Fatalf("Drehbuch in progress %+v", script)
	}
	published, _ := m.Runner.Topic(lane(domain.StagePublished)[0].ID)
	if len(published.Team) != 3 || len(published.Scenes) != 4 || published.Scenes[0].Said.Text != "KNowHow: Urlaub beantragen in zwei Minuten." || published.Video == nil || published.Video.Seconds != 112 {
		t.Fatalf("published topic %+v", published)
	}
	if videos, _ := m.Runner.Videos("urlaub"); len(videos) != 1 || videos[0].Tool != "Powtoon" || videos[0].PublishedAt.Year() != 2023 {
		t.Fatalf("library %+v", videos)
	}
	// Hanna Bodmer voted through the facilitator.
	hanna, ok := m.Runner.PersonByEmail(demoEmail("Hanna Bodmer"))
	if !ok {
		t.Fatal("no Hanna")
	}
	if b := m.Runner.Ballot(id, hanna.ID); b.Used != 5 || b.Need[script.ID] != 5 {
		t.Fatalf("proxy ballot %+v", b)
	}
	// Stand am 1. März 2023, abends: revealed, nobody in a team yet.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	then, err := projections.ReplayUntil(ctx, m.Log, time.Date(2023, 3, 1, 20, 0, 0, 0, domain.Berlin))
	if err != nil {
		t.Fatal(err)
	}
	old, _ := then.Board(id)
	if !old.Board.Revealed || len(old.Lanes[0].Topics) != 7 || len(old.Lanes[0].Topics[0].Team) != 0 {
		t.Fatalf("as of 1 March: %+v", old.Lanes[0])
	}
}
