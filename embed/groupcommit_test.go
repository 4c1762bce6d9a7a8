package embed_test

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"logbuch/domain"
)

type attemptRecorder struct {
	mu       sync.Mutex
	attempts map[string][]int // command type → attempts of each command
}

func (a *attemptRecorder) CommandDone(commandType, outcome string, attempts int, _ time.Duration) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.attempts[commandType+"/"+outcome] = append(a.attempts[commandType+"/"+outcome], attempts)
}

// TestGroupCommitGivesEachCommandItsOwnAnswer sends conflicting and
// independent commands at once, so that they meet in the same batches.
func TestGroupCommitGivesEachCommandItsOwnAnswer(t *testing.T) {
	dir := t.TempDir()
	l := openLog(t, dir)
	ctx := ctxT(t)
	setup := domain.NewHandler(l, nil, "konstanz")
	const n = 40
	ids := make([]string, n)
	for i := range ids {
		ids[i] = newID()
		if _, err := domain.Execute(ctx, setup, domain.Roster, ids[i], domain.Meta{CommandID: newID()}, "JoinLotse", any(join)); err != nil {
			t.Fatal(err)
		}
	}
	// Two writers with their own (warm) caches race on every person: on even
	// ones to different Amts (the loser decides again and lands too), on odd
	// ones to the same Amt (the loser decides again and is refused). Twenty
	// more commands create new people and conflict with nobody.
	rec := &attemptRecorder{attempts: map[string][]int{}}
	a, b := domain.NewHandler(l, nil, "konstanz"), domain.NewHandler(l, nil, "konstanz")
	a.SetObserver(rec)
	b.SetObserver(rec)
	for _, id := range ids {
		for _, h := range []*domain.Handler{a, b} {
			if _, err := domain.Execute(ctx, h, domain.Roster, id, domain.Meta{CommandID: newID()}, "ChangeRole", any(domain.ChangeRole{Role: domain.RoleAdmin})); err != nil && domain.ErrorCode(err) != domain.EINVALID {
				t.Fatal(err)
			}
		}
	}
	rec.attempts = map[string][]int{}
	before := lastSeq(t, l)
	batchesBefore, _, _ := l.GroupCommitStats()

	type answer struct {
		res domain.Result
		err error
	}
	answers := make(map[string][]answer)
	var mu sync.Mutex
	var wg sync.WaitGroup
	start := make(chan struct{})
	send := func(key string, h *domain.Handler, id string, typ string, cmd any) {
		defer wg.Done()
		<-start
		res, err := domain.Execute(ctx, h, domain.Roster, id, domain.Meta{CommandID: newID(), NewAggregate: typ == "JoinLotse"}, typ, cmd)
		mu.Lock()
		answers[key] = append(answers[key], answer{res, err})
		mu.Unlock()
	}
	for i, id := range ids {
		wg.Add(2)
		if i%2 == 0 {
			go send(id, a, id, "ChangeAmt", any(domain.ChangeAmt{Amt: "Archiv"}))
			go send(id, b, id, "ChangeAmt", any(domain.ChangeAmt{Amt: "Hauptamt"}))
		} else {
			go send(id, a, id, "ChangeAmt", any(domain.ChangeAmt{Amt: "Archiv"}))
			go send(id, b, id, "ChangeAmt", any(domain.ChangeAmt{Amt: "Archiv"}))
		}
	}
	for i := 0; i < n; i++ {
		wg.Add(1)
		go send(fmt.Sprintf("new-%d", i), a, newID(), "JoinLotse", any(domain.JoinLotse{Name: fmt.Sprintf("Neu %d", i), Amt: "Archiv", City: "Konstanz"}))
	}
	close(start)
	wg.Wait()

	batchesAfter, grouped, fallbacks := l.GroupCommitStats()
	t.Logf("batches %d (commands in batches %d, batches that fell back to single writes %d)", batchesAfter-batchesBefore, grouped, fallbacks)
	if batchesAfter == batchesBefore {
		t.Fatal("no batch was formed: the commands were not grouped")
	}
	for i, id := range ids {
		got := answers[id]
		ok, refused := 0, 0
		for _, a := range got {
			switch {
			case a.err == nil:
				ok++
			case domain.ErrorCode(a.err) == domain.EINVALID:
				refused++
			default:
				t.Fatalf("person %d: unexpected %v", i, a.err)
			}
		}
		if i%2 == 0 && ok != 2 || i%2 == 1 && (ok != 1 || refused != 1) {
			t.Fatalf("person %d: %d landed, %d refused", i, ok, refused)
		}
		// The history shows the loser decided on the winner's state.
		msgs, err := l.Load(ctx, domain.Subject("konstanz", "lotse", id))
		if err != nil {
			t.Fatal(err)
		}
		amt := "Kulturamt"
		for _, m := range msgs {
			for _, e := range m.Events {
				if c, isChange := e.Data.(domain.LotseAmtChanged); isChange {
					if c.From != amt {
						t.Fatalf("person %d: change from %s, but the Amt was %s", i, c.From, amt)
					}
					amt = c.To
				}
			}
		}
	}
	for i := 0; i < n; i++ {
		if a := answers[fmt.Sprintf("new-%d", i)]; len(a) != 1 || a[0].err != nil {
			t.Fatalf("join %d: %+v", i, a)
		}
	}
	// Winners took one attempt; every loser took two.
	rec.mu.Lock()
	retried := 0
	for _, att := range rec.attempts["ChangeAmt/ok"] {
		if att > 1 {
			retried++
		}
	}
	rec.mu.Unlock()
	if retried < n/2 {
		t.Fatalf("only %d of %d contested changes were decided again", retried, n/2)
	}
	// Commands that do not conflict land as whole batches.
	_, groupedBefore, _ := l.GroupCommitStats()
	var joins sync.WaitGroup
	startJoins := make(chan struct{})
	for i := 0; i < 150; i++ {
		joins.Add(1)
		go func(i int) {
			defer joins.Done()
			<-startJoins
			res, err := domain.Execute(ctx, a, domain.Roster, newID(), domain.Meta{CommandID: newID(), NewAggregate: true}, "JoinLotse", any(domain.JoinLotse{Name: fmt.Sprintf("Gruppe %d", i), Amt: "Archiv", City: "Konstanz"}))
			mu.Lock()
			answers[fmt.Sprintf("group-%d", i)] = append(answers[fmt.Sprintf("group-%d", i)], answer{res, err})
			mu.Unlock()
		}(i)
	}
	close(startJoins)
	joins.Wait()
	for i := 0; i < 150; i++ {
		if a := answers[fmt.Sprintf("group-%d", i)]; len(a) != 1 || a[0].err != nil {
			t.Fatalf("join %d: %+v", i, a)
		}
	}
	if _, groupedAfter, _ := l.GroupCommitStats(); groupedAfter == groupedBefore {
		t.Fatal("no batch of independent commands landed whole")
	}
	// Every acknowledged command is durable: after a restart of the server,
	// each answered sequence holds its command.
	acked := map[uint64]string{}
	for key, as := range answers {
		for _, a := range as {
			if a.err == nil {
				acked[a.res.Seq] = key
			}
		}
	}
	if got := lastSeq(t, l); got != before+uint64(len(acked)) {
		t.Fatalf("log grew by %d, but %d commands were acknowledged", got-before, len(acked))
	}
	l.Close()
	l2 := openLog(t, dir)
	for seq := range acked {
		if _, err := l2.Message(ctx, seq); err != nil {
			t.Fatalf("acknowledged seq %d lost after restart: %v", seq, err)
		}
	}
}

func TestNewAggregateThatExistsConflictsAndRedecides(t *testing.T) {
	l := openLog(t, t.TempDir())
	ctx := ctxT(t)
	h := domain.NewHandler(l, nil, "konstanz")
	id := newID()
	if _, err := domain.Execute(ctx, h, domain.Roster, id, domain.Meta{CommandID: newID(), NewAggregate: true}, "JoinLotse", any(join)); err != nil {
		t.Fatal(err)
	}
	// Claimed new, but it exists: decided again on what is there.
	_, err := domain.Execute(ctx, domain.NewHandler(l, nil, "konstanz"), domain.Roster, id, domain.Meta{CommandID: newID(), NewAggregate: true}, "JoinLotse", any(join))
	if domain.ErrorCode(err) != domain.ECONFLICT {
		t.Fatalf("got %v, want the re-decided conflict", err)
	}
	if got := lastSeq(t, l); got != 1 {
		t.Fatalf("%d messages, want 1", got)
	}
}
