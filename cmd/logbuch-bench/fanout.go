package main

import (
	"context"
	"fmt"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/coder/websocket"
	"github.com/google/uuid"

	"logbuch/domain"
)

type fanoutResult struct {
	lat     []time.Duration
	missing int
	bytes   int
}

func (f fanoutResult) summary() string {
	s := fmt.Sprintf("p50 %s, p99 %s, max %s", fmtDur(percentile(f.lat, 0.5)), fmtDur(percentile(f.lat, 0.99)), fmtDur(percentile(f.lat, 1)))
	if f.missing > 0 {
		s += fmt.Sprintf(" (%d never arrived)", f.missing)
	}
	return s
}

// benchFanout: one change of the roster delivered to n live subscribers of
// the real web server, timed from the command's acknowledgment to the
// arrival at each subscriber; next to the bare broadcast of the same bytes
// to the same number of connections, timed from the broadcast call.
func benchFanout(ctx context.Context, s settings, t *table) error {
	progress("fan-out: starting the web server with a roster of %d Lotsen", s.fanoutLotsen)
	w, err := openWebEnv(ctx, s.fanoutLotsen)
	if err != nil {
		return err
	}
	defer w.close()
	for _, n := range s.fanout {
		progress("fan-out: %d Logbuch subscribers", n)
		lb, initial, update, err := logbuchFanout(ctx, w, n, s.fanoutRounds)
		if err != nil {
			return err
		}

		progress("fan-out: %d bare subscribers", n)
		hub := newBareHub(initial)
		bare, err := bareFanout(ctx, hub, n, s.fanoutRounds, update)
		if err != nil {
			return err
		}
		bare.bytes = len(update)

		group := fmt.Sprintf("3. Fan-out: one change of a roster of %d Lotsen (update of %s bytes) to every live subscriber; %d rounds pooled", s.fanoutLotsen+1, thousands(float64(lb.bytes)), s.fanoutRounds)
		p99 := percentile(lb.lat, 0.99)
		t.add(row{group: group, scenario: fmt.Sprintf("%s subscribers: acknowledgment → arrival", thousands(float64(n))),
			logbuch: lb.summary(), raw: "bare broadcast → arrival: " + bare.summary(),
			ratio: fmtRatio(float64(p99)/float64(percentile(bare.lat, 0.99))) + " (p99)", goal: yesNo(p99 < 100*time.Millisecond && lb.missing == 0, "p99 < 100 ms")})
		if n == s.fanout[0] {
			// The same change to the same number of subscribers, half of
			// them reading English: two renders instead of one.
			progress("fan-out: %d Logbuch subscribers in two languages", n)
			two, _, _, err := logbuchFanout(ctx, w, n, s.fanoutRounds, "de", "en")
			if err != nil {
				return err
			}
			t.add(row{group: group, scenario: fmt.Sprintf("%s subscribers, half German, half English: acknowledgment → arrival", thousands(float64(n))),
				logbuch: two.summary(), raw: "all German (the row above): " + lb.summary(),
				ratio: fmtRatio(float64(percentile(two.lat, 0.99))/float64(p99)) + " (p99)", goal: "rendered once per language"})
		}
	}
	return nil
}

// logbuchFanout: n live subscribers of the roster on w; rounds changes
// of one Lotse (people[0] moves between two Ämter), each timed from the
// command's acknowledgment to the arrival at each subscriber. It returns
// the pooled latencies and the initial and update messages.
func logbuchFanout(ctx context.Context, w *webEnv, n, rounds int, langs ...string) (fanoutResult, []byte, []byte, error) {
	if len(langs) == 0 {
		langs = []string{"de"}
	}
	// The subscribers are spread evenly over the languages: the hub renders
	// each change once per language.
	var conns []*websocket.Conn
	for i, lang := range langs {
		part := n / len(langs)
		if i == 0 {
			part += n % len(langs)
		}
		c, err := dialAll(ctx, w.liveURL()+"?sprache="+lang, w.cookie, part, subMessage)
		conns = append(conns, c...)
		if err != nil {
			closeAll(conns)
			return fanoutResult{}, nil, nil, err
		}
	}
	defer closeAll(conns)
	subs := readAll(ctx, conns, rounds+1)
	if err := subs.waitInitial(5 * time.Minute); err != nil {
		return fanoutResult{}, nil, nil, err
	}
	var lb fanoutResult
	// Round 0 warms up (each connection's first large write grows its
	// goroutine's stack, in both servers alike) and is not counted.
	for r := range rounds + 1 {
		time.Sleep(300 * time.Millisecond) // the previous round's writes are done
		p, _, _ := w.runner.Person(w.people[0])
		amt := domain.Aemter[0]
		if p.Amt == amt {
			amt = domain.Aemter[1]
		}
		_, err := domain.Execute(ctx, w.handler, domain.Roster, w.people[0], domain.Meta{CommandID: uuid.NewString(), Actor: "bench"}, "ChangeAmt",
			any(domain.ChangeAmt{Amt: amt}))
		acked := time.Now()
		if err != nil {
			return fanoutResult{}, nil, nil, err
		}
		lat, missing := subs.latencies(r, acked, 30*time.Second)
		if r > 0 {
			lb.lat, lb.missing = append(lb.lat, lat...), lb.missing+missing
		}
	}
	initial, update := subs.firstBytes(0), subs.firstBytes(2)
	if !strings.HasPrefix(string(initial), `{"t":"reset"`) || !strings.HasPrefix(string(update), `{"t":"update"`) {
		return fanoutResult{}, nil, nil, fmt.Errorf("unexpected live messages: %.40q, %.40q", initial, update)
	}
	lb.bytes = len(update)
	closeAll(conns)
	return lb, initial, update, waitCount(w.srv.LiveConnections, 0, time.Minute)
}

func bareFanout(ctx context.Context, hub *bareHub, n, rounds int, msg []byte) (fanoutResult, error) {
	srv := httptest.NewServer(hub)
	defer srv.Close()
	conns, err := dialAll(ctx, "ws"+strings.TrimPrefix(srv.URL, "http"), "", n, nil)
	if err != nil {
		return fanoutResult{}, err
	}
	defer closeAll(conns)
	subs := readAll(ctx, conns, rounds+1)
	if err := subs.waitInitial(5 * time.Minute); err != nil {
		return fanoutResult{}, err
	}
	var res fanoutResult
	for r := range rounds + 1 {
		time.Sleep(300 * time.Millisecond)
		t0 := time.Now()
		hub.broadcast(msg)
		lat, missing := subs.latencies(r, t0, 30*time.Second)
		if r > 0 {
			res.lat, res.missing = append(res.lat, lat...), res.missing+missing
		}
	}
	closeAll(conns)
	return res, waitCount(hub.count, 0, time.Minute)
}

// waitCount polls count until it equals want.
func waitCount(count func() int, want int, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for count() != want {
		if time.Now().After(deadline) {
			return fmt.Errorf("%d connections after %s, want %d", count(), limit, want)
		}
		time.Sleep(10 * time.Millisecond)
	}
	return nil
}
