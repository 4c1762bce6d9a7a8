package domain_test

import (
	"testing"

	"logbuch/domain"
)

var created = domain.BoardCreated{Title: "KNowHow 2024", Year: 2024, Facilitator: "fina", Budget: 5}

var fina = domain.Caller{Person: "fina", Role: domain.RoleLotse}

func givenBoard(facts ...domain.Data) domain.Board {
	events := make([]domain.Event, len(facts))
	for i, f := range facts {
		events[i] = domain.Event{Data: f}
	}
	return domain.Boards.Fold(events)
}

func TestCreateBoard(t *testing.T) {
	got, err := domain.Boards.Decide(domain.Boards.Initial, domain.CreateBoard{Title: " KNowHow 2024 ", Year: "2024", Facilitator: "fina"})
	if err != nil || got[0] != created {
		t.Fatalf("got %+v %v (the budget defaults to %d)", got, err, domain.DefaultVoteBudget)
	}
	got, err = domain.Boards.Decide(domain.Boards.Initial, domain.CreateBoard{Title: "x", Year: "2024", Facilitator: "fina", Budget: "8"})
	if err != nil || got[0].(domain.BoardCreated).Budget != 8 {
		t.Fatalf("budget: %+v %v", got, err)
	}
	for name, c := range map[string]struct {
		cmd   domain.CreateBoard
		field string
	}{
		"no title":       {domain.CreateBoard{Year: "2024", Facilitator: "fina"}, "title"},
		"no year":        {domain.CreateBoard{Title: "x", Facilitator: "fina"}, "year"},
		"odd year":       {domain.CreateBoard{Title: "x", Year: "1999", Facilitator: "fina"}, "year"},
		"no facilitator": {domain.CreateBoard{Title: "x", Year: "2024"}, "facilitator"},
		"budget zero":    {domain.CreateBoard{Title: "x", Year: "2024", Facilitator: "fina", Budget: "0"}, "budget"},
		"budget huge":    {domain.CreateBoard{Title: "x", Year: "2024", Facilitator: "fina", Budget: "51"}, "budget"},
	} {
		t.Run(name, func(t *testing.T) {
			got, err := domain.Boards.Decide(domain.Boards.Initial, c.cmd)
			refused(t, got, err, domain.EINVALID, c.field)
		})
	}
	got, err = domain.Boards.Decide(givenBoard(created), domain.CreateBoard{Title: "x", Year: "2024", Facilitator: "fina"})
	refused(t, got, err, domain.ECONFLICT, "")
	got, err = domain.Boards.Decide(domain.Boards.Initial, domain.CloseVoting{By: fina})
	refused(t, got, err, domain.ENOTFOUND, "")
}

func TestFacilitatorActions(t *testing.T) {
	b := givenBoard(created)
	t.Run("only the facilitator (or an admin)", func(t *testing.T) {
		for _, cmd := range []any{domain.SetVoteBudget{Budget: "6", By: anna}, domain.CloseVoting{By: anna}, domain.ArchiveBoard{By: anna}, domain.ChangeFacilitator{Facilitator: "anna", By: anna}, domain.CloseVoting{}} {
			got, err := domain.Boards.Decide(b, cmd)
			refused(t, got, err, domain.ECONFLICT, "")
		}
		if got, err := domain.Boards.Decide(b, domain.CloseVoting{By: boss}); err != nil || got[0] != (domain.VotingClosed{}) {
			t.Fatalf("admin: %+v %v", got, err)
		}
	})
	t.Run("the budget only rises", func(t *testing.T) {
		got, err := domain.Boards.Decide(b, domain.SetVoteBudget{Budget: "7", By: fina})
		if err != nil || got[0] != (domain.VoteBudgetSet{From: 5, To: 7}) {
			t.Fatalf("raise: %+v %v", got, err)
		}
		got, err = domain.Boards.Decide(b, domain.SetVoteBudget{Budget: "4", By: fina})
		refused(t, got, err, domain.EINVALID, "budget")
		got, err = domain.Boards.Decide(b, domain.SetVoteBudget{Budget: "5", By: fina})
		if err != nil || len(got) != 0 {
			t.Fatalf("same budget: %+v %v", got, err)
		}
	})
	t.Run("reveal only after closing; reopening hides again", func(t *testing.T) {
		got, err := domain.Boards.Decide(b, domain.RevealVotes{By: fina})
		refused(t, got, err, domain.ECONFLICT, "")
		got, err = domain.Boards.Decide(b, domain.ReopenVoting{By: fina})
		refused(t, got, err, domain.ECONFLICT, "")
		closed := givenBoard(created, domain.VotingClosed{})
		got, err = domain.Boards.Decide(closed, domain.CloseVoting{By: fina})
		refused(t, got, err, domain.ECONFLICT, "")
		got, err = domain.Boards.Decide(closed, domain.RevealVotes{By: fina})
		if err != nil || got[0] != (domain.VotesRevealed{}) {
			t.Fatalf("reveal: %+v %v", got, err)
		}
		revealed := givenBoard(created, domain.VotingClosed{}, domain.VotesRevealed{})
		got, err = domain.Boards.Decide(revealed, domain.RevealVotes{By: fina})
		refused(t, got, err, domain.ECONFLICT, "")
		again := givenBoard(created, domain.VotingClosed{}, domain.VotesRevealed{}, domain.VotingReopened{})
		if again.Revealed || again.VotingClosed {
			t.Fatalf("reopened: %+v", again)
		}
	})
	t.Run("hand over", func(t *testing.T) {
		got, err := domain.Boards.Decide(b, domain.ChangeFacilitator{Facilitator: "anna", By: fina})
		if err != nil || got[0] != (domain.FacilitatorChanged{From: "fina", To: "anna"}) {
			t.Fatalf("%+v %v", got, err)
		}
		handed := givenBoard(created, got[0])
		if handed.FacilitatedBy(fina) || !handed.FacilitatedBy(anna) {
			t.Fatal("the new facilitator runs the board")
		}
	})
	t.Run("archived is read-only until restored", func(t *testing.T) {
		a := givenBoard(created, domain.BoardArchived{})
		got, err := domain.Boards.Decide(a, domain.SetVoteBudget{Budget: "9", By: fina})
		refused(t, got, err, domain.ECONFLICT, "")
		got, err = domain.Boards.Decide(a, domain.RestoreBoard{By: fina})
		if err != nil || got[0] != (domain.BoardRestored{}) {
			t.Fatalf("%+v %v", got, err)
		}
		got, err = domain.Boards.Decide(b, domain.RestoreBoard{By: fina})
		refused(t, got, err, domain.ECONFLICT, "")
		if ctx := a.VotingContext([]string{"t1"}); ctx.Exists || ctx.Open {
			t.Fatalf("an archived board takes no votes: %+v", ctx)
		}
	})
}
