package projections_test

import (
	"context"
	"reflect"
	"testing"

	"logbuch/domain"
	"logbuch/projections"
)

// The wall's read model folds a post's later events into the post where it
// stands, and survives a snapshot: restored from one, it equals the fold
// from the start.
func TestWallReadModelAndSnapshot(t *testing.T) {
	l := openLog(t, t.TempDir())
	ctx := context.Background()
	h := domain.NewHandler(l, nil, "konstanz")
	run := func(d any, id, actor, typ string, cmd any) {
		t.Helper()
		meta := domain.Meta{CommandID: newID(), Actor: actor}
		var err error
		switch d := d.(type) {
		case domain.Decider[domain.Veranstaltung, any]:
			_, err = domain.Execute(ctx, h, d, id, meta, typ, cmd)
		case domain.Decider[domain.WallPost, any]:
			_, err = domain.Execute(ctx, h, d, id, meta, typ, cmd)
		case domain.Decider[domain.Participation, any]:
			_, err = domain.Execute(ctx, h, d, id, meta, typ, cmd)
		}
		if err != nil {
			t.Fatalf("%s: %v", typ, err)
		}
	}
	event := newID()
	run(domain.Events, event, "admin", "PlanVeranstaltung", domain.PlanVeranstaltung{Title: "#KNmeetsHN", Format: "#KNmeetsHN", Start: "2023-10-17T09:30", End: "2023-10-17T16:30", HostCity: "Heilbronn", GuestCode: "ABC234"})
	run(domain.Events, event, "admin", "AddWorkshopGroup", domain.AddWorkshopGroup{Name: "Inkubator"})
	run(domain.Events, event, "admin", "AddWorkshopGroup", domain.AddWorkshopGroup{Name: "New Work"})
	run(domain.Participations, domain.ParticipationID(event, "anna"), "anna", "ChooseWorkshopGroup", domain.ChooseWorkshopGroup{Event: event, Group: "2"})
	a, b, c := newID(), newID(), newID()
	run(domain.Wall, a, "anna", "PostToWall", domain.PostToWall{Event: event, Group: "2", Text: "erster"})
	run(domain.Wall, b, "guest:gast-1", "PostToWall", domain.PostToWall{Event: event, Group: "1", Text: "zweiter", GuestName: "Kim"})
	run(domain.Wall, c, "bert", "PostToWall", domain.PostToWall{Event: event, Group: "2", Text: "dritter"})
	run(domain.Wall, a, "anna", "EditWallPost", domain.EditWallPost{Event: event, Actor: "anna", Text: "erster, ergänzt"})
	run(domain.Wall, a, "bert", "PlusOneWallPost", domain.PlusOneWallPost{Event: event, Actor: "bert"})
	run(domain.Wall, a, "guest:gast-1", "PlusOneWallPost", domain.PlusOneWallPost{Event: event, Actor: "guest:gast-1"})
	run(domain.Wall, a, "bert", "WithdrawPlusOne", domain.WithdrawPlusOne{Event: event, Actor: "bert"})
	run(domain.Wall, b, "admin", "HideWallPost", domain.HideWallPost{Event: event})
	run(domain.Wall, c, "bert", "DeleteWallPost", domain.DeleteWallPost{Event: event, Actor: "bert"})

	fresh := runUntilReady(t, l, true)
	ev, posts, _, _ := fresh.Event(event)
	if len(ev.Groups) != 2 || ev.Groups[1] != (projections.WorkshopGroup{ID: "2", Name: "New Work"}) {
		t.Fatalf("groups %+v", ev.Groups)
	}
	if len(posts) != 2 || posts[0].ID != a || posts[1].ID != b {
		t.Fatalf("posts %+v", posts)
	}
	if p := posts[0]; p.Text != "erster, ergänzt" || !p.Edited || !reflect.DeepEqual(p.PlusOnes, []string{"guest:gast-1"}) || p.Group != "2" {
		t.Fatalf("edited post %+v", p)
	}
	if !posts[1].Hidden || posts[1].GuestName != "Kim" {
		t.Fatalf("hidden guest post %+v", posts[1])
	}
	if _, _, ok := fresh.WallPost(c); ok {
		t.Fatal("a deleted post is still found")
	}
	if fresh.GroupOf(event, "anna") != "2" || fresh.GroupSizes(event)["2"] != 1 {
		t.Fatal("group picks")
	}

	if err := fresh.SaveSnapshot(ctx); err != nil {
		t.Fatal(err)
	}
	restored := runUntilReady(t, l, true)
	if restored.RestoredFrom() != fresh.Applied() {
		t.Fatalf("started from a snapshot at %d, not at %d", restored.RestoredFrom(), fresh.Applied())
	}
	ev2, posts2, _, _ := restored.Event(event)
	if !reflect.DeepEqual(ev, ev2) || !reflect.DeepEqual(posts, posts2) || restored.GroupOf(event, "anna") != "2" {
		t.Fatalf("restored wall differs:\n%+v\n%+v", posts, posts2)
	}
	if p, of, ok := restored.WallPost(a); !ok || of != event || p.Text != "erster, ergänzt" {
		t.Fatal("the restored post index")
	}
}
