package domain_test

import (
	"testing"

	"logbuch/domain"
)

// open is a board with budget 5, open for votes on t1, t2, t3.
var open = domain.VotingContext{Exists: true, Open: true, Budget: 5, Facilitator: "fina", Topics: []string{"t1", "t2", "t3"}}

func givenBallot(facts ...domain.Data) domain.Ballot {
	events := make([]domain.Event, len(facts))
	for i, f := range facts {
		events[i] = domain.Event{Data: f}
	}
	return domain.Ballots.Fold(events)
}

func dots(topic string, n domain.Number) domain.SetPreference {
	return domain.SetPreference{Board: "b1", Topic: topic, Dots: n, By: anna, Voting: open}
}

func TestPreferenceBudget(t *testing.T) {
	has := givenBallot(
		domain.PreferenceSet{Board: "b1", Voter: "anna", Topic: "t1", Dots: 3},
		domain.PreferenceSet{Board: "b1", Voter: "anna", Topic: "t2", Dots: 1},
	)
	if has.DotsUsed(open.Topics) != 4 {
		t.Fatalf("used %d", has.DotsUsed(open.Topics))
	}
	t.Run("within the budget", func(t *testing.T) {
		got, err := domain.Ballots.Decide(has, dots("t3", "1"))
		if err != nil || got[0] != (domain.PreferenceSet{Board: "b1", Voter: "anna", Topic: "t3", Dots: 1}) {
			t.Fatalf("%+v %v", got, err)
		}
	})
	t.Run("over the budget is refused", func(t *testing.T) {
		got, err := domain.Ballots.Decide(has, dots("t3", "2"))
		refused(t, got, err, domain.EINVALID, "dots")
		got, err = domain.Ballots.Decide(has, dots("t1", "5"))
		refused(t, got, err, domain.EINVALID, "dots")
	})
	t.Run("changing a topic's dots counts the difference", func(t *testing.T) {
		if _, err := domain.Ballots.Decide(has, dots("t1", "4")); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("withdrawing frees dots", func(t *testing.T) {
		got, err := domain.Ballots.Decide(has, dots("t1", "0"))
		if err != nil || got[0].(domain.PreferenceSet).Dots != 0 {
			t.Fatalf("%+v %v", got, err)
		}
		freed := givenBallot(append([]domain.Data{domain.PreferenceSet{Board: "b1", Voter: "anna", Topic: "t2", Dots: 1}}, got...)...)
		if _, err := domain.Ballots.Decide(freed, dots("t3", "4")); err != nil {
			t.Fatalf("after withdrawing: %v", err)
		}
		if _, ok := freed.Dots["t1"]; ok {
			t.Fatal("a withdrawn vote stays in the ballot")
		}
	})
	t.Run("a raised budget allows more", func(t *testing.T) {
		more := dots("t3", "3")
		more.Voting.Budget = 7
		if _, err := domain.Ballots.Decide(has, more); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("dots on archived topics are free again", func(t *testing.T) {
		fewer := dots("t3", "4")
		fewer.Voting.Topics = []string{"t2", "t3"} // t1 archived
		if _, err := domain.Ballots.Decide(has, fewer); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("taking back is possible even over the budget", func(t *testing.T) {
		over := givenBallot(domain.PreferenceSet{Board: "b1", Voter: "anna", Topic: "t1", Dots: 7})
		if _, err := domain.Ballots.Decide(over, dots("t1", "6")); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("the same vote again changes nothing", func(t *testing.T) {
		got, err := domain.Ballots.Decide(has, dots("t1", "3"))
		if err != nil || len(got) != 0 {
			t.Fatalf("%+v %v", got, err)
		}
	})
	t.Run("closed voting refuses every change", func(t *testing.T) {
		for _, n := range []domain.Number{"1", "0"} {
			c := dots("t1", n)
			c.Voting.Open = false
			got, err := domain.Ballots.Decide(has, c)
			refused(t, got, err, domain.ECONFLICT, "")
		}
	})
	t.Run("unknown or archived topic", func(t *testing.T) {
		got, err := domain.Ballots.Decide(has, dots("t9", "1"))
		refused(t, got, err, domain.EINVALID, "topic")
	})
	t.Run("no board", func(t *testing.T) {
		c := dots("t1", "1")
		c.Voting = domain.VotingContext{}
		got, err := domain.Ballots.Decide(has, c)
		refused(t, got, err, domain.ENOTFOUND, "")
	})
	t.Run("bad numbers", func(t *testing.T) {
		for _, n := range []domain.Number{"", "-1", "zwei", "51"} {
			got, err := domain.Ballots.Decide(has, dots("t3", n))
			refused(t, got, err, domain.EINVALID, "dots")
		}
	})
	t.Run("states are not shared", func(t *testing.T) {
		got, _ := domain.Ballots.Decide(has, dots("t3", "1"))
		domain.Ballots.Evolve(has, domain.Event{Data: got[0]})
		if _, ok := has.Dots["t3"]; ok {
			t.Fatal("evolving changed the earlier state")
		}
	})
}

func TestNeed(t *testing.T) {
	got, err := domain.Ballots.Decide(domain.Ballots.Initial, domain.SetNeed{Board: "b1", Topic: "t2", Need: "4", By: anna, Voting: open})
	if err != nil || got[0] != (domain.NeedSet{Board: "b1", Voter: "anna", Topic: "t2", Need: 4}) {
		t.Fatalf("%+v %v", got, err)
	}
	rated := givenBallot(got...)
	for _, n := range []domain.Number{"", "6", "-1", "x"} {
		got, err := domain.Ballots.Decide(rated, domain.SetNeed{Board: "b1", Topic: "t2", Need: n, By: anna, Voting: open})
		refused(t, got, err, domain.EINVALID, "need")
	}
	got, err = domain.Ballots.Decide(rated, domain.SetNeed{Board: "b1", Topic: "t2", Need: "0", By: anna, Voting: open})
	if err != nil || got[0].(domain.NeedSet).Need != 0 {
		t.Fatalf("withdraw: %+v %v", got, err)
	}
	// The need has no budget: every topic may be rated 5.
	many := rated
	for _, topic := range open.Topics {
		got, err := domain.Ballots.Decide(many, domain.SetNeed{Board: "b1", Topic: topic, Need: "5", By: anna, Voting: open})
		if err != nil {
			t.Fatal(err)
		}
		many = givenBallot(append([]domain.Data{domain.NeedSet{Board: "b1", Voter: "anna", Topic: "t2", Need: 4}}, got...)...)
	}
}

func TestProxyVotes(t *testing.T) {
	forAnna := domain.SetPreference{Board: "b1", Voter: "anna", Topic: "t1", Dots: "2", Voting: open}
	t.Run("the facilitator records a vote for someone without a device", func(t *testing.T) {
		c := forAnna
		c.By = fina
		got, err := domain.Ballots.Decide(domain.Ballots.Initial, c)
		if err != nil || got[0] != (domain.PreferenceSet{Board: "b1", Voter: "anna", Topic: "t1", Dots: 2, Proxy: true}) {
			t.Fatalf("%+v %v", got, err)
		}
		n := domain.SetNeed{Board: "b1", Voter: "anna", Topic: "t1", Need: "3", By: fina, Voting: open}
		if got, err := domain.Ballots.Decide(domain.Ballots.Initial, n); err != nil || !got[0].(domain.NeedSet).Proxy {
			t.Fatalf("need: %+v %v", got, err)
		}
	})
	t.Run("nobody else votes for others", func(t *testing.T) {
		c := forAnna
		c.By = ben
		got, err := domain.Ballots.Decide(domain.Ballots.Initial, c)
		refused(t, got, err, domain.ECONFLICT, "")
		c.By = domain.Caller{}
		got, err = domain.Ballots.Decide(domain.Ballots.Initial, c)
		refused(t, got, err, domain.ECONFLICT, "")
	})
	t.Run("a ballot belongs to one board and one person", func(t *testing.T) {
		annas := givenBallot(domain.PreferenceSet{Board: "b1", Voter: "anna", Topic: "t1", Dots: 1})
		c := forAnna
		c.Voter, c.By = "ben", ben
		got, err := domain.Ballots.Decide(annas, c)
		refused(t, got, err, domain.ECONFLICT, "")
	})
	if domain.BallotID("b1", "anna") != domain.BallotID("b1", "anna") || domain.BallotID("b1", "anna") == domain.BallotID("b1", "ben") || !domain.ValidCommandID(domain.BallotID("b1", "anna")) {
		t.Fatal("ballot ids are stable, distinct and valid subject tokens")
	}
}
