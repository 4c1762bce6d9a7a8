package projections_test

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"reflect"
	"sync"
	"testing"
	"time"

	"logbuch/domain"
	"logbuch/embed"
	"logbuch/projections"
)

// run executes one command through the real handler and waits until the
// read models show it.
func run[S any](t *testing.T, h *domain.Handler, r *projections.Runner, d domain.Decider[S, any], id string, meta domain.Meta, cmd any) domain.Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if meta.CommandID == "" {
		meta.CommandID = newID()
	}
	res, err := domain.Execute(ctx, h, d, id, meta, fmt.Sprintf("%T", cmd), cmd)
	if err != nil {
		t.Fatalf("%T: %v", cmd, err)
	}
	if err := r.WaitFor(ctx, res.Seq); err != nil {
		t.Fatal(err)
	}
	return res
}

func exportOf(t *testing.T, l *embed.Log) []domain.Recorded {
	t.Helper()
	var buf bytes.Buffer
	if _, err := l.Export(context.Background(), &buf); err != nil {
		t.Fatal(err)
	}
	msgs, err := embed.ReadExport(&buf)
	if err != nil {
		t.Fatal(err)
	}
	return msgs
}

// sameAsFold checks that the live read model equals a fold of the log.
func sameAsFold(t *testing.T, r *projections.Runner, l *embed.Log, board string, topics, voters []string) {
	t.Helper()
	msgs := exportOf(t, l)
	fold := projections.FoldBoards(msgs)
	seq := msgs[len(msgs)-1].Seq
	live, _ := r.Board(board)
	want, _ := fold.View(board, seq)
	if !reflect.DeepEqual(live, want) {
		t.Fatalf("live board differs from the fold of the log:\n%+v\n%+v", live, want)
	}
	for _, id := range topics {
		got, _ := r.Topic(id)
		want, _ := fold.Topic(id, seq)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("topic %s differs from the fold:\n%+v\n%+v", id, got, want)
		}
	}
	for _, v := range voters {
		if got, want := r.Ballot(board, v), fold.Ballot(board, v, seq); !reflect.DeepEqual(got, want) {
			t.Fatalf("ballot of %s differs from the fold:\n%+v\n%+v", v, got, want)
		}
	}
}

func TestKNowHowThroughTheLogAsOfAndSnapshot(t *testing.T) {
	l := openLog(t, t.TempDir())
	r, _ := startRunner(t, l)
	h := domain.NewHandler(l, r, "konstanz")
	day := func(d int) time.Time { return time.Date(2023, 3, d, 10, 0, 0, 0, time.UTC) }
	admin, fina, anna, ben := newID(), newID(), newID(), newID()
	board := newID()
	run(t, h, r, domain.Boards, board, domain.Meta{Actor: admin, At: day(1), NewAggregate: true}, domain.CreateBoard{Title: "KNowHow 2023", Year: "2023", Facilitator: fina, Budget: "3"})
	topics := []string{newID(), newID(), newID()}
	for i, title := range []string{"Urlaubsantrag", "Rechnung freigeben", "Passwort vergessen"} {
		run(t, h, r, domain.Topics, topics[i], domain.Meta{Actor: anna, At: day(2 + i), NewAggregate: true}, domain.ProposeTopic{Board: board, Title: title, Source: domain.SourceSurvey})
	}
	vote := func(by domain.Caller, voter, topic string, dots domain.Number, at time.Time) {
		run(t, h, r, domain.Ballots, domain.BallotID(board, voter), domain.Meta{Actor: by.Person, At: at},
			domain.SetPreference{Board: board, Voter: voter, Topic: topic, Dots: dots, By: by, Voting: r.VotingContext(board)})
	}
	annaC, benC, finaC := domain.Caller{Person: anna, Role: domain.RoleLotse}, domain.Caller{Person: ben, Role: domain.RoleLotse}, domain.Caller{Person: fina, Role: domain.RoleLotse}
	vote(annaC, anna, topics[0], "2", day(6))
	vote(finaC, ben, topics[1], "3", day(6)) // a proxy vote in the room
	run(t, h, r, domain.Ballots, domain.BallotID(board, anna), domain.Meta{Actor: anna, At: day(6)}, domain.SetNeed{Board: board, Topic: topics[2], Need: "5", By: annaC, Voting: r.VotingContext(board)})
	// Over the budget through the real path: refused, nothing written.
	if _, err := domain.Execute(context.Background(), h, domain.Ballots, domain.BallotID(board, anna), domain.Meta{CommandID: newID(), Actor: anna}, "SetPreference",
		any(domain.SetPreference{Board: board, Topic: topics[1], Dots: "2", By: annaC, Voting: r.VotingContext(board)})); domain.ErrorCode(err) != domain.EINVALID {
		t.Fatalf("over budget: %v", err)
	}
	run(t, h, r, domain.Boards, board, domain.Meta{Actor: fina, At: day(7)}, domain.CloseVoting{By: finaC})
	// Closed: the context says so and the ballot refuses.
	if _, err := domain.Execute(context.Background(), h, domain.Ballots, domain.BallotID(board, ben), domain.Meta{CommandID: newID(), Actor: ben}, "SetPreference",
		any(domain.SetPreference{Board: board, Topic: topics[0], Dots: "1", By: benC, Voting: r.VotingContext(board)})); domain.ErrorCode(err) != domain.ECONFLICT {
		t.Fatalf("closed: %v", err)
	}
	run(t, h, r, domain.Boards, board, domain.Meta{Actor: fina, At: day(8)}, domain.RevealVotes{By: finaC})
	for _, p := range []domain.Caller{annaC, benC} {
		run(t, h, r, domain.Topics, topics[1], domain.Meta{Actor: p.Person, At: day(9)}, domain.JoinTeam{By: p})
	}
	run(t, h, r, domain.Topics, topics[1], domain.Meta{Actor: anna, At: day(10)}, domain.MoveTopic{To: domain.StageSelected})
	run(t, h, r, domain.Topics, topics[1], domain.Meta{Actor: anna, At: day(11)}, domain.MoveTopic{To: domain.StageScript})
	run(t, h, r, domain.Topics, topics[1], domain.Meta{Actor: ben, At: day(12)}, domain.AddScene{Shown: "Rechnungseingang", Said: "So geht es.", Seconds: "30", By: benC})
	run(t, h, r, domain.Topics, topics[1], domain.Meta{Actor: anna, At: day(13)}, domain.EditTopicField{Field: "description", BaseRev: "1", Text: "Wer zeichnet was?"})

	v, _ := r.Board(board)
	if v.ByPreference[0].Topic != topics[1] || v.ByPreference[0].Dots != 3 || v.Lanes[2].Topics[0].ID != topics[1] || v.Lanes[2].Topics[0].Scenes != 1 {
		t.Fatalf("board %+v", v)
	}
	sameAsFold(t, r, l, board, topics, []string{anna, ben})

	t.Run("Stand am …: the board as it was", func(t *testing.T) {
		ctx := context.Background()
		before, err := projections.ReplayUntil(ctx, l, day(3).Add(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		old, ok := before.Board(board)
		if !ok || old.Board.Topics != 2 || len(old.Lanes[0].Topics) != 2 || old.Voted != 0 || old.Board.Revealed {
			t.Fatalf("as of day 3: %+v", old)
		}
		if _, ok := before.Topic(topics[2]); ok {
			t.Fatal("a topic from the future")
		}
		revealed, err := projections.ReplayUntil(ctx, l, day(8))
		if err != nil {
			t.Fatal(err)
		}
		rv, _ := revealed.Board(board)
		if !rv.Board.Revealed || rv.ByPreference == nil || len(rv.Lanes[2].Topics) != 0 {
			t.Fatalf("as of day 8: %+v", rv)
		}
		// Up to now, it equals the live model; the live runner is untouched.
		now, err := projections.ReplayUntil(ctx, l, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		nv, _ := now.Board(board)
		live, _ := r.Board(board)
		if !reflect.DeepEqual(nv, live) {
			t.Fatalf("replay up to now differs from live:\n%+v\n%+v", nv, live)
		}
		bySeq, err := projections.ReplayToSeq(ctx, l, 1)
		if err != nil {
			t.Fatal(err)
		}
		if b, ok := bySeq.Board(board); !ok || b.Board.Topics != 0 {
			t.Fatalf("as of seq 1: %+v", b)
		}
		folded := projections.FoldUntil(exportOf(t, l), day(3).Add(time.Hour))
		fv, _ := folded.Board(board)
		if !reflect.DeepEqual(fv, old) {
			t.Fatalf("FoldUntil differs from ReplayUntil:\n%+v\n%+v", fv, old)
		}
	})

	t.Run("a snapshot carries the boards", func(t *testing.T) {
		first := runUntilReady(t, l, true)
		if err := first.SaveSnapshot(context.Background()); err != nil {
			t.Fatal(err)
		}
		second := runUntilReady(t, l, true)
		if second.RestoredFrom() == 0 {
			t.Fatal("did not start from the snapshot")
		}
		want, _ := first.Board(board)
		got, _ := second.Board(board)
		if !reflect.DeepEqual(got, want) || got.Lanes[2].Topics[0].Scenes != 1 {
			t.Fatalf("restored board differs:\n%+v\n%+v", got, want)
		}
		if h1, _ := first.TopicHistory(topics[1]); len(h1) == 0 {
			t.Fatal("no history")
		} else if h2, _ := second.TopicHistory(topics[1]); !reflect.DeepEqual(h1, h2) {
			t.Fatal("restored history differs")
		}
		if second.Ballot(board, anna).Need[topics[2]] != 5 {
			t.Fatal("restored ballot lost a vote")
		}
	})
}

// TestConcurrentVotersKeepTheirBudgets: 22 Lotsen vote and re-vote at
// once while the facilitator raises the budget; afterwards every ballot is
// within the budget, every final vote is counted exactly once, and the
// read model equals a fold of the log.
func TestConcurrentVotersKeepTheirBudgets(t *testing.T) {
	l := openLog(t, t.TempDir())
	r, _ := startRunner(t, l)
	h := domain.NewHandler(l, r, "konstanz")
	fina := domain.Caller{Person: newID(), Role: domain.RoleLotse}
	board := newID()
	run(t, h, r, domain.Boards, board, domain.Meta{Actor: newID(), NewAggregate: true}, domain.CreateBoard{Title: "KNowHow 2024", Year: "2024", Facilitator: fina.Person, Budget: "4"})
	topics := make([]string, 6)
	for i := range topics {
		topics[i] = newID()
		run(t, h, r, domain.Topics, topics[i], domain.Meta{Actor: fina.Person, NewAggregate: true}, domain.ProposeTopic{Board: board, Title: fmt.Sprintf("Thema %d", i+1)})
	}
	voters := make([]string, 22)
	for i := range voters {
		voters[i] = newID()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	deadline := time.Now().Add(3 * time.Second)
	var wg sync.WaitGroup
	errs := make(chan error, len(voters)+1)
	var refusedOverBudget sync.Map
	hitBudget, once := make(chan struct{}), sync.Once{}
	for i, voter := range voters {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(i), 7))
			by := domain.Caller{Person: voter, Role: domain.RoleLotse}
			n := 0
			for time.Now().Before(deadline) || n < 5 {
				n++
				topic := topics[rng.IntN(len(topics))]
				var cmd any = domain.SetPreference{Board: board, Topic: topic, Dots: domain.Number(fmt.Sprint(rng.IntN(4))), By: by, Voting: r.VotingContext(board)}
				if rng.IntN(3) == 0 {
					cmd = domain.SetNeed{Board: board, Topic: topic, Need: domain.Number(fmt.Sprint(rng.IntN(6))), By: by, Voting: r.VotingContext(board)}
				}
				_, err := domain.Execute(ctx, h, domain.Ballots, domain.BallotID(board, voter), domain.Meta{CommandID: newID(), Actor: voter}, "Vote", cmd)
				switch {
				case err == nil:
				case domain.ErrorField(err) == "dots":
					refusedOverBudget.Store(voter, true)
					once.Do(func() { close(hitBudget) })
				default:
					errs <- fmt.Errorf("voter %d: %w", i, err)
					return
				}
			}
		}()
	}
	wg.Add(1)
	go func() { // the facilitator raises the budget mid-session
		defer wg.Done()
		select { // once someone ran into the first budget
		case <-hitBudget:
		case <-ctx.Done():
			errs <- ctx.Err()
			return
		}
		if _, err := domain.Execute(ctx, h, domain.Boards, board, domain.Meta{CommandID: newID(), Actor: fina.Person}, "SetVoteBudget", any(domain.SetVoteBudget{Budget: "6", By: fina})); err != nil {
			errs <- err
		}
	}()
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	last, err := l.LastSeq(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.WaitFor(ctx, last); err != nil {
		t.Fatal(err)
	}
	run(t, h, r, domain.Boards, board, domain.Meta{Actor: fina.Person}, domain.CloseVoting{By: fina})
	run(t, h, r, domain.Boards, board, domain.Meta{Actor: fina.Person}, domain.RevealVotes{By: fina})

	// Every ballot, folded from its own subject, is within the budget, and
	// the revealed totals are the sums of the final ballots.
	wantDots := map[string]int{}
	for _, voter := range voters {
		history, err := l.Load(ctx, domain.Subject("konstanz", domain.Ballots.Kind, domain.BallotID(board, voter)))
		if err != nil {
			t.Fatal(err)
		}
		var events []domain.Event
		for _, m := range history {
			events = append(events, m.Events...)
		}
		final := domain.Ballots.Fold(events)
		if used := final.DotsUsed(topics); used > 6 {
			t.Fatalf("voter holds %d dots, budget 6", used)
		}
		for topic, d := range final.Dots {
			wantDots[topic] += d
		}
		if got := r.Ballot(board, voter); !reflect.DeepEqual(got.Dots, final.Dots) || !reflect.DeepEqual(got.Need, final.Need) {
			t.Fatalf("ballot in the read model %+v, in the log %+v", got, final)
		}
	}
	v, _ := r.Board(board)
	for _, c := range v.Lanes[0].Topics {
		if c.Votes.Dots != wantDots[c.ID] {
			t.Fatalf("topic %s: %d dots counted, ballots hold %d", c.ID, c.Votes.Dots, wantDots[c.ID])
		}
	}
	n := 0
	refusedOverBudget.Range(func(any, any) bool { n++; return true })
	if n == 0 {
		t.Fatal("no voter ever ran into the budget: the test proves nothing about it")
	}
	sameAsFold(t, r, l, board, topics, voters)
}

// TestRetriedImportAppliesEachRowOnce: an import that broke off half-way
// and is sent again completes, and every survey topic is on the board once.
func TestRetriedImportAppliesEachRowOnce(t *testing.T) {
	l := openLog(t, t.TempDir())
	r, _ := startRunner(t, l)
	h := domain.NewHandler(l, r, "konstanz")
	board := newID()
	run(t, h, r, domain.Boards, board, domain.Meta{Actor: newID(), NewAggregate: true}, domain.CreateBoard{Title: "KNowHow 2024", Year: "2024", Facilitator: newID()})
	rows, errs := domain.ParseTopicImport(board, []byte("Titel;Amt\nUrlaub;Hauptamt\nRechnung;Kämmerei\nPasswort;\nDrucker;Archiv\n"))
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	cmds, err := domain.ImportCommands(board, newID(), rows)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	exec := func(c domain.ImportCommand) domain.Result {
		res, err := domain.Execute(ctx, h, domain.Topics, c.TopicID, domain.Meta{CommandID: c.CommandID, Actor: "system", NewAggregate: true}, "ProposeTopic", any(c.Cmd))
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	for _, c := range cmds[:2] { // the first attempt breaks off after two rows
		exec(c)
	}
	// A second handler (another replica, or after a restart) with an empty
	// cache retries the whole import at once, before the read models caught up.
	h2 := domain.NewHandler(l, nil, "konstanz")
	var lastSeq uint64
	for i, c := range cmds {
		res, err := domain.Execute(ctx, h2, domain.Topics, c.TopicID, domain.Meta{CommandID: c.CommandID, Actor: "system", NewAggregate: true}, "ProposeTopic", any(c.Cmd))
		if err != nil {
			t.Fatal(err)
		}
		if res.Duplicate != (i < 2) {
			t.Fatalf("row %d: duplicate %v", i, res.Duplicate)
		}
		lastSeq = max(lastSeq, res.Seq)
	}
	if err := r.WaitFor(ctx, lastSeq); err != nil {
		t.Fatal(err)
	}
	for _, c := range cmds { // and once more, answered from the index
		if res := exec(c); !res.Duplicate {
			t.Fatalf("row %s applied twice", c.CommandID)
		}
	}
	v, _ := r.Board(board)
	if v.Board.Topics != 4 || len(v.Lanes[0].Topics) != 4 {
		t.Fatalf("%d topics after the retried import", v.Board.Topics)
	}
	if v.Lanes[0].Topics[1].Amt != "Kämmerei" || v.Lanes[0].Topics[0].Source != domain.SourceSurvey {
		t.Fatalf("imported %+v", v.Lanes[0].Topics)
	}
}
