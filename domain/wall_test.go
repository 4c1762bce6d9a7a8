package domain_test

import (
	"testing"

	"logbuch/domain"
)

// Given the history of a post, when a command, then events or an error.
func givenPost(events ...domain.Event) domain.WallPost { return domain.Wall.Fold(events) }

func by(actor string, d domain.Data) domain.Event { return domain.Event{Actor: actor, Data: d} }

var added = by("anna", domain.WallPostAdded{Event: "e1", Text: "Ergebnis", Group: "2"})

func TestWallPostEditRights(t *testing.T) {
	s := givenPost(added)
	got, err := domain.Wall.Decide(s, domain.EditWallPost{Event: "e1", Actor: "anna", Text: " **mehr** Mut "})
	if err != nil || got[0] != (domain.WallPostEdited{Text: "**mehr** Mut"}) {
		t.Fatalf("author edits: %v %v", got, err)
	}
	for name, c := range map[string]struct {
		cmd  any
		code string
	}{
		"another person edits":   {domain.EditWallPost{Event: "e1", Actor: "bert", Text: "x"}, domain.EFORBIDDEN},
		"a guest edits staff's":  {domain.EditWallPost{Event: "e1", Actor: "guest:gast-1", Text: "x"}, domain.EFORBIDDEN},
		"no actor":               {domain.EditWallPost{Event: "e1", Text: "x"}, domain.EFORBIDDEN},
		"another person deletes": {domain.DeleteWallPost{Event: "e1", Actor: "bert"}, domain.EFORBIDDEN},
		"from another event":     {domain.EditWallPost{Event: "e2", Actor: "anna", Text: "x"}, domain.ENOTFOUND},
		"delete via other wall":  {domain.DeleteWallPost{Event: "e2", Actor: "anna"}, domain.ENOTFOUND},
		"empty text":             {domain.EditWallPost{Event: "e1", Actor: "anna", Text: "  "}, domain.EINVALID},
	} {
		if _, err := domain.Wall.Decide(s, c.cmd); domain.ErrorCode(err) != c.code {
			t.Errorf("%s: got %v, want %s", name, err, c.code)
		}
	}
	got, err = domain.Wall.Decide(s, domain.DeleteWallPost{Event: "e1", Actor: "anna"})
	if err != nil || got[0] != (domain.WallPostDeleted{}) {
		t.Fatalf("author deletes: %v %v", got, err)
	}
	deleted := givenPost(added, by("anna", domain.WallPostDeleted{}))
	for _, cmd := range []any{
		domain.EditWallPost{Event: "e1", Actor: "anna", Text: "x"},
		domain.DeleteWallPost{Event: "e1", Actor: "anna"},
		domain.PlusOneWallPost{Event: "e1", Actor: "bert"},
		domain.HideWallPost{Event: "e1"},
	} {
		if _, err := domain.Wall.Decide(deleted, cmd); domain.ErrorCode(err) != domain.ENOTFOUND {
			t.Errorf("%T on a deleted post: %v", cmd, err)
		}
	}
	if _, err := domain.Wall.Decide(domain.Wall.Initial, domain.EditWallPost{Event: "e1", Actor: "anna", Text: "x"}); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Errorf("editing a post that does not exist: %v", err)
	}
}

func TestWallPostGuestAuthor(t *testing.T) {
	s := givenPost(by("guest:gast-1", domain.WallPostAdded{Event: "e1", Text: "Hallo", GuestName: "Kim"}))
	if _, err := domain.Wall.Decide(s, domain.EditWallPost{Event: "e1", Actor: "guest:gast-1", Text: "Hallo!"}); err != nil {
		t.Fatalf("the guest edits their own post: %v", err)
	}
	// Another guest session (even with the same display name) is someone else.
	if _, err := domain.Wall.Decide(s, domain.DeleteWallPost{Event: "e1", Actor: "guest:gast-2"}); domain.ErrorCode(err) != domain.EFORBIDDEN {
		t.Fatalf("another guest deletes: %v", err)
	}
}

func TestWallPostPlusOneOnce(t *testing.T) {
	s := givenPost(added)
	got, err := domain.Wall.Decide(s, domain.PlusOneWallPost{Event: "e1", Actor: "bert"})
	if err != nil || got[0] != (domain.WallPostPlusOned{}) {
		t.Fatalf("+1: %v %v", got, err)
	}
	s = domain.Wall.Evolve(s, by("bert", got[0]))
	if _, err := domain.Wall.Decide(s, domain.PlusOneWallPost{Event: "e1", Actor: "bert"}); domain.ErrorCode(err) != domain.ECONFLICT {
		t.Fatalf("a second +1 by the same person: %v", err)
	}
	if _, err := domain.Wall.Decide(s, domain.PlusOneWallPost{Event: "e1", Actor: "guest:gast-9"}); err != nil {
		t.Fatalf("+1 by a guest: %v", err)
	}
	if _, err := domain.Wall.Decide(s, domain.PlusOneWallPost{Event: "e2", Actor: "carl"}); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Fatalf("+1 through another event's wall: %v", err)
	}
	if _, err := domain.Wall.Decide(s, domain.WithdrawPlusOne{Event: "e1", Actor: "carl"}); domain.ErrorCode(err) != domain.ECONFLICT {
		t.Fatalf("withdrawing a +1 never given: %v", err)
	}
	got, err = domain.Wall.Decide(s, domain.WithdrawPlusOne{Event: "e1", Actor: "bert"})
	if err != nil || got[0] != (domain.WallPostPlusOneWithdrawn{}) {
		t.Fatalf("withdraw: %v %v", got, err)
	}
	s = domain.Wall.Evolve(s, by("bert", got[0]))
	if len(s.PlusOnes) != 0 {
		t.Fatalf("after withdrawing: %v", s.PlusOnes)
	}
	if _, err := domain.Wall.Decide(s, domain.PlusOneWallPost{Event: "e1", Actor: "bert"}); err != nil {
		t.Fatalf("+1 again after withdrawing: %v", err)
	}
}

func TestWallPostHide(t *testing.T) {
	s := givenPost(added)
	if _, err := domain.Wall.Decide(s, domain.UnhideWallPost{Event: "e1"}); domain.ErrorCode(err) != domain.ECONFLICT {
		t.Fatalf("unhide a visible post: %v", err)
	}
	got, err := domain.Wall.Decide(s, domain.HideWallPost{Event: "e1"})
	if err != nil || got[0] != (domain.WallPostHidden{}) {
		t.Fatalf("hide: %v %v", got, err)
	}
	s = domain.Wall.Evolve(s, by("admin", got[0]))
	if _, err := domain.Wall.Decide(s, domain.HideWallPost{Event: "e1"}); domain.ErrorCode(err) != domain.ECONFLICT {
		t.Fatalf("hide twice: %v", err)
	}
	if _, err := domain.Wall.Decide(s, domain.HideWallPost{Event: "e2"}); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Fatalf("hide through another wall: %v", err)
	}
	if got, err = domain.Wall.Decide(s, domain.UnhideWallPost{Event: "e1"}); err != nil || got[0] != (domain.WallPostUnhidden{}) {
		t.Fatalf("unhide: %v %v", got, err)
	}
	if s = domain.Wall.Evolve(s, by("admin", got[0])); s.Hidden {
		t.Fatal("still hidden")
	}
}

func TestPostWithGroupAndPhoto(t *testing.T) {
	got, err := domain.Wall.Decide(domain.Wall.Initial, domain.PostToWall{Event: "e1", Group: "3", Photo: "ab12.jpg"})
	if err != nil || got[0] != (domain.WallPostAdded{Event: "e1", Group: "3", Photo: "ab12.jpg"}) {
		t.Fatalf("a photo without text: %v %v", got, err)
	}
	for name, cmd := range map[string]domain.PostToWall{
		"bad group": {Event: "e1", Text: "x", Group: "a.b"},
		"bad photo": {Event: "e1", Text: "x", Photo: "../etc/passwd"},
		"nothing":   {Event: "e1"},
	} {
		if _, err := domain.Wall.Decide(domain.Wall.Initial, cmd); domain.ErrorCode(err) != domain.EINVALID {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestWorkshopGroups(t *testing.T) {
	planned, _ := domain.Events.Decide(domain.Events.Initial, plan)
	s := domain.Events.Fold([]domain.Event{{Data: planned[0]}})
	for i, name := range []string{"Inkubator DigitallotsInnen", "Quo vadis, Verwaltungskultur"} {
		got, err := domain.Events.Decide(s, domain.AddWorkshopGroup{Name: name})
		if err != nil {
			t.Fatal(err)
		}
		g := got[0].(domain.WorkshopGroupAdded)
		if g.Name != name || g.ID != string(rune('1'+i)) {
			t.Fatalf("group %d: %+v", i, g)
		}
		s = domain.Events.Evolve(s, domain.Event{Data: g})
	}
	if _, err := domain.Events.Decide(s, domain.AddWorkshopGroup{Name: "quo vadis, verwaltungskultur"}); domain.ErrorField(err) != "name" {
		t.Fatalf("the same name again: %v", err)
	}
	if _, err := domain.Events.Decide(s, domain.AddWorkshopGroup{Name: " "}); domain.ErrorField(err) != "name" {
		t.Fatalf("no name: %v", err)
	}
	if _, err := domain.Events.Decide(domain.Events.Initial, domain.AddWorkshopGroup{Name: "x"}); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Fatalf("group of no event: %v", err)
	}
	cancelled := domain.Events.Evolve(s, domain.Event{Data: domain.VeranstaltungCancelled{}})
	if _, err := domain.Events.Decide(cancelled, domain.AddWorkshopGroup{Name: "x"}); domain.ErrorCode(err) != domain.ECONFLICT {
		t.Fatalf("group of a cancelled event: %v", err)
	}
	for i := len(s.Groups); i < domain.MaxGroups; i++ {
		s.Groups = append(s.Groups, string(rune('a'+i)))
	}
	if _, err := domain.Events.Decide(s, domain.AddWorkshopGroup{Name: "zu viel"}); domain.ErrorCode(err) != domain.ECONFLICT {
		t.Fatalf("more than %d groups: %v", domain.MaxGroups, err)
	}
}

func TestChooseWorkshopGroup(t *testing.T) {
	p := domain.Participations
	got, err := p.Decide(p.Initial, domain.ChooseWorkshopGroup{Event: "e1", Group: "2"})
	if err != nil || got[0] != (domain.WorkshopGroupChosen{Event: "e1", Group: "2"}) {
		t.Fatalf("choose: %v %v", got, err)
	}
	s := p.Fold([]domain.Event{{Data: got[0]}})
	if got, err := p.Decide(s, domain.ChooseWorkshopGroup{Event: "e1", Group: "2"}); err != nil || len(got) != 0 {
		t.Fatalf("the same group again records nothing: %v %v", got, err)
	}
	if got, err := p.Decide(s, domain.ChooseWorkshopGroup{Event: "e1", Group: "4"}); err != nil || len(got) != 1 {
		t.Fatalf("switching groups: %v %v", got, err)
	}
	if _, err := p.Decide(s, domain.ChooseWorkshopGroup{Event: "e1"}); domain.ErrorField(err) != "group" {
		t.Fatalf("no group: %v", err)
	}
	if domain.ParticipationID("e1", "anna") == domain.ParticipationID("e1", "bert") || !domain.ValidCommandID(domain.ParticipationID("e1", "guest:gast-1")) {
		t.Fatal("participation ids")
	}
}
