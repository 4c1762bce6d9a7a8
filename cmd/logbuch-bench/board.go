package main

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"sync"
	"time"

	"github.com/google/uuid"

	"logbuch/domain"
)

// benchBoard: a KNowHow board in the Meet & Learn. boardViewers live
// subscribers follow the board's lanes while boardWriters Lotsen act at the
// same time, each moving the card of their own topic to the next lane and
// back (boardRounds moves each). Every move is timed from its
// acknowledgment to the first update at each viewer that reflects it (an
// update carries the whole board and the log sequence it shows).
func benchBoard(ctx context.Context, s settings, t *table) error {
	viewers, writers, rounds := 50, 22, 6
	if s.quick {
		rounds = 2
	}
	progress("board: starting the web server, %d viewers, %d writers", viewers, writers)
	w, err := openWebEnv(ctx, writers)
	if err != nil {
		return err
	}
	defer w.close()
	exec := func(d any, id, actor, name string, cmd any, fresh bool) (domain.Result, error) {
		meta := domain.Meta{CommandID: uuid.NewString(), Actor: actor, NewAggregate: fresh}
		switch d := d.(type) {
		case domain.Decider[domain.Board, any]:
			return domain.Execute(ctx, w.handler, d, id, meta, name, cmd)
		default:
			return domain.Execute(ctx, w.handler, domain.Topics, id, meta, name, cmd)
		}
	}
	board := uuid.Must(uuid.NewV7()).String()
	if _, err := exec(domain.Boards, board, "bench", "CreateBoard", domain.CreateBoard{Title: "KNowHow Bench", Year: "2024", Facilitator: w.people[0]}, true); err != nil {
		return err
	}
	topics := make([]string, writers)
	var last domain.Result
	for i := range topics {
		topics[i] = uuid.Must(uuid.NewV7()).String()
		if last, err = exec(domain.Topics, topics[i], w.people[i], "ProposeTopic", domain.ProposeTopic{Board: board, Title: fmt.Sprintf("Thema %02d: Wie geht das im Portal?", i+1), Amt: domain.Aemter[i%len(domain.Aemter)]}, true); err != nil {
			return err
		}
	}
	if err := w.runner.WaitFor(ctx, last.Seq); err != nil {
		return err
	}
	sub := []byte(`{"t":"sub","views":["tafel/` + board + `"],"since":0}`)
	conns, err := dialAll(ctx, w.liveURL(), w.cookie, viewers, sub)
	if err != nil {
		return err
	}
	defer closeAll(conns)

	// Each viewer notes when each log sequence first reached it.
	seqOf := regexp.MustCompile(`"seq":(\d+)`)
	type arrival struct {
		seq uint64
		at  time.Time
	}
	var mu sync.Mutex
	arrivals := make([][]arrival, viewers)
	size := 0
	for i, c := range conns {
		go func() {
			for {
				_, msg, err := c.Read(ctx)
				if err != nil {
					return
				}
				at := time.Now()
				m := seqOf.FindSubmatch(msg)
				if m == nil {
					continue
				}
				seq, _ := strconv.ParseUint(string(m[1]), 10, 64)
				mu.Lock()
				size = max(size, len(msg))
				arrivals[i] = append(arrivals[i], arrival{seq, at})
				mu.Unlock()
			}
		}()
	}
	time.Sleep(500 * time.Millisecond) // the initial views are in

	type ack struct {
		seq uint64
		at  time.Time
	}
	acks := make([][]ack, writers)
	errs := make(chan error, writers)
	var wg sync.WaitGroup
	for p := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := range rounds {
				to := domain.StageSelected
				if r%2 == 1 {
					to = domain.StageProposed
				}
				res, err := exec(domain.Topics, topics[p], w.people[p], "MoveTopic", domain.MoveTopic{To: to}, false)
				if err != nil {
					errs <- err
					return
				}
				acks[p] = append(acks[p], ack{res.Seq, time.Now()})
			}
		}()
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return err
	}
	var want uint64
	for _, a := range acks {
		for _, x := range a {
			want = max(want, x.seq)
		}
	}
	// Wait until every viewer has seen the last move (or a minute passed).
	deadline := time.Now().Add(time.Minute)
	for {
		mu.Lock()
		all := true
		for _, a := range arrivals {
			if len(a) == 0 || a[len(a)-1].seq < want {
				all = false
			}
		}
		mu.Unlock()
		if all || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	var res fanoutResult
	mu.Lock()
	for _, seen := range arrivals {
		for _, a := range acks {
			for _, x := range a {
				found := false
				for _, got := range seen {
					if got.seq >= x.seq {
						res.lat = append(res.lat, max(0, got.at.Sub(x.at)))
						found = true
						break
					}
				}
				if !found {
					res.missing++
				}
			}
		}
	}
	res.bytes = size
	mu.Unlock()
	group := fmt.Sprintf("7. KNowHow board: %d Lotsen move their cards at once, %d times each, on a board %d viewers follow (largest update %s bytes)", writers, rounds, viewers, thousands(float64(res.bytes)))
	p99 := percentile(res.lat, 0.99)
	t.add(row{group: group, scenario: fmt.Sprintf("%d moves × %d viewers: acknowledgment → shown", writers*rounds, viewers),
		logbuch: res.summary(), raw: "— (no bare equivalent: every update is the rendered board)", ratio: "—",
		goal: yesNo(p99 < time.Second && res.missing == 0, "p99 < 1 s")})
	return nil
}
