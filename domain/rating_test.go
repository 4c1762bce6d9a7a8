package domain_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"logbuch/domain"
)

const ratedEvent = "01936f00-0000-7000-8000-000000000001"

func rate(value string, change ...func(*domain.RateVeranstaltung)) domain.RateVeranstaltung {
	c := domain.RateVeranstaltung{Value: domain.Number(value), Event: ratedEvent, Status: domain.StatusHeld, Role: domain.RoleLotse}
	for _, f := range change {
		f(&c)
	}
	return c
}

func raterGiven(events ...domain.Data) domain.Rater {
	var es []domain.Event
	for _, d := range events {
		es = append(es, domain.Event{Data: d})
	}
	return domain.Ratings.Fold(es)
}

func TestRatingIsGivenOnceAfterTheEventWasHeld(t *testing.T) {
	t.Run("a Lotse rates a held event: the event says that, not what", func(t *testing.T) {
		got, err := domain.Ratings.Decide(raterGiven(), rate("4"))
		if err != nil {
			t.Fatal(err)
		}
		if want := []domain.Data{domain.RatingGiven{Event: ratedEvent}}; !slices.Equal(got, want) {
			t.Fatalf("got %+v, want %+v", got, want)
		}
	})
	t.Run("rating twice is refused", func(t *testing.T) {
		_, err := domain.Ratings.Decide(raterGiven(domain.RatingGiven{Event: ratedEvent}), rate("5"))
		if domain.ErrorCode(err) != domain.ECONFLICT || said(domain.ErrorMessage(err)) != "Sie haben diese Veranstaltung schon bewertet. Jede Person bewertet eine Veranstaltung nur einmal." {
			t.Fatalf("second rating: %v", err)
		}
	})
	for name, c := range map[string]struct {
		cmd  domain.RateVeranstaltung
		code string
		msg  string
	}{
		"before it was held": {rate("4", func(c *domain.RateVeranstaltung) { c.Status = domain.StatusPlanned }), domain.ECONFLICT,
			"Die Veranstaltung kann erst bewertet werden, wenn sie als durchgeführt erfasst ist."},
		"a cancelled event": {rate("4", func(c *domain.RateVeranstaltung) { c.Status = domain.StatusCancelled }), domain.ECONFLICT,
			"Die Veranstaltung wurde abgesagt und kann nicht bewertet werden."},
		"an unknown event": {rate("4", func(c *domain.RateVeranstaltung) { c.Status = "" }), domain.ENOTFOUND, "Diese Veranstaltung gibt es nicht."},
		"the Lenkungsgruppe does not take part": {rate("4", func(c *domain.RateVeranstaltung) { c.Role = domain.RoleLenkungsgruppe }), domain.ECONFLICT,
			"Bewerten können nur Teilnehmende: Lotsinnen und Lotsen oder Gäste dieser Veranstaltung."},
		"a guest of another event": {rate("4", func(c *domain.RateVeranstaltung) { c.Role, c.GuestEvent = domain.RoleGuest, "anderes-event" }), domain.ECONFLICT,
			"Bewerten können nur Teilnehmende: Lotsinnen und Lotsen oder Gäste dieser Veranstaltung."},
		"nobody logged in": {rate("4", func(c *domain.RateVeranstaltung) { c.Role = domain.RoleAnonymous }), domain.ECONFLICT,
			"Bewerten können nur Teilnehmende: Lotsinnen und Lotsen oder Gäste dieser Veranstaltung."},
		"0":       {rate("0"), domain.EINVALID, "Bitte wählen Sie eine Bewertung von 1 bis 5."},
		"6":       {rate("6"), domain.EINVALID, "Bitte wählen Sie eine Bewertung von 1 bis 5."},
		"empty":   {rate(""), domain.EINVALID, "Bitte wählen Sie eine Bewertung von 1 bis 5."},
		"a word":  {rate("gut"), domain.EINVALID, "Bitte wählen Sie eine Bewertung von 1 bis 5."},
		"decimal": {rate("4.5"), domain.EINVALID, "Bitte wählen Sie eine Bewertung von 1 bis 5."},
	} {
		t.Run(name, func(t *testing.T) {
			got, err := domain.Ratings.Decide(raterGiven(), c.cmd)
			if domain.ErrorCode(err) != c.code || said(domain.ErrorMessage(err)) != c.msg || got != nil {
				t.Fatalf("got %v %v, want %s %q", got, err, c.code, c.msg)
			}
		})
	}
	t.Run("a guest rates the event they joined, every value of the scale", func(t *testing.T) {
		for _, v := range []string{"1", "2", "3", "4", " 5 "} {
			if _, err := domain.Ratings.Decide(raterGiven(), rate(v, func(c *domain.RateVeranstaltung) { c.Role, c.GuestEvent = domain.RoleGuest, ratedEvent })); err != nil {
				t.Fatalf("guest rates %q: %v", v, err)
			}
		}
	})
	t.Run("an admin of the digital office rates too", func(t *testing.T) {
		if _, err := domain.Ratings.Decide(raterGiven(), rate("3", func(c *domain.RateVeranstaltung) { c.Role = domain.RoleAdmin })); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("each person and event has a rater of their own", func(t *testing.T) {
		a, b := domain.RaterID(ratedEvent, "p1"), domain.RaterID(ratedEvent, "p2")
		if a == b || a == domain.RaterID("other", "p1") || a != domain.RaterID(ratedEvent, "p1") || !domain.ValidCommandID(a) {
			t.Fatalf("rater ids %q %q", a, b)
		}
	})
}

func TestRatingsAreReleasedOnlyInBatches(t *testing.T) {
	t.Run("a batch of three or more values on the scale", func(t *testing.T) {
		got, err := domain.RatingResults.Decide(domain.RatingResults.Initial, domain.ReleaseRatings{Values: []int{5, 1, 3}})
		if err != nil || len(got) != 1 || !slices.Equal(got[0].(domain.RatingsReleased).Values, []int{5, 1, 3}) {
			t.Fatalf("got %v %v", got, err)
		}
	})
	for name, values := range map[string][]int{"one value": {4}, "two values": {4, 5}, "none": nil, "off the scale": {1, 2, 6}, "zero": {0, 3, 3}} {
		t.Run(name, func(t *testing.T) {
			if _, err := domain.RatingResults.Decide(domain.RatingResults.Initial, domain.ReleaseRatings{Values: values}); domain.ErrorCode(err) != domain.EINVALID {
				t.Fatalf("released %v: %v", values, err)
			}
		})
	}
}

// recorder is a release function that keeps what it was given.
// Like the log, it applies a batch id once.
type recorder struct {
	mu      sync.Mutex
	batches map[string][][]int
	times   []time.Time
	ids     map[string][]int // batch id → the values it came with first
	fail    bool
	// landThenFail records the batch and still reports a failure, like an
	// append whose answer was lost (a timeout during a leader election).
	landThenFail bool
}

func (r *recorder) release(_ context.Context, box, id string, values []int, at time.Time) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fail {
		return errors.New("log unavailable")
	}
	if r.batches == nil {
		r.batches, r.ids = map[string][][]int{}, map[string][]int{}
	}
	if first, seen := r.ids[id]; seen {
		if !slices.Equal(first, values) {
			return fmt.Errorf("batch %s retried with other values: %v, first %v", id, values, first)
		}
		return nil // a duplicate: applied once
	}
	r.ids[id] = slices.Clone(values)
	r.batches[box] = append(r.batches[box], slices.Clone(values))
	r.times = append(r.times, at)
	if r.landThenFail {
		return errors.New("no answer from the log")
	}
	return nil
}

func TestAnonymousPoolReleasesOnlyFullBatches(t *testing.T) {
	ctx := context.Background()
	rec := &recorder{}
	pool := domain.NewAnonymousPool(3, rec.release)
	pool.Add("a", 1)
	pool.Add("a", 2)
	pool.Add("b", 5)
	now := time.Date(2023, 10, 18, 14, 37, 12, 0, time.UTC)
	if err := pool.Flush(ctx, now); err != nil {
		t.Fatal(err)
	}
	if len(rec.batches) != 0 {
		t.Fatalf("released below the batch size: %v", rec.batches)
	}
	pool.Add("a", 3)
	pool.Add("a", 4)
	if err := pool.Flush(ctx, now); err != nil {
		t.Fatal(err)
	}
	if got := rec.batches["a"]; len(got) != 1 || len(got[0]) != 4 || !slices.Equal(slices.Sorted(slices.Values(got[0])), []int{1, 2, 3, 4}) {
		t.Fatalf("box a: %v", got)
	}
	if pool.Pending("a") != 0 || pool.Pending("b") != 1 || len(rec.batches["b"]) != 0 {
		t.Fatalf("pending a %d, b %d; released b %v", pool.Pending("a"), pool.Pending("b"), rec.batches["b"])
	}
	// A batch smaller than MinAnonymousBatch is never configured.
	small := domain.NewAnonymousPool(1, rec.release)
	small.Add("c", 2)
	small.Add("c", 2)
	small.Flush(ctx, now)
	if len(rec.batches["c"]) != 0 {
		t.Fatal("a pool released a batch of two")
	}
	// A release that fails keeps the values for the next round.
	rec.fail = true
	for range 3 {
		pool.Add("d", 4)
	}
	if err := pool.Flush(ctx, now); err == nil || pool.Pending("d") != 3 {
		t.Fatalf("failed release: err %v, pending %d", err, pool.Pending("d"))
	}
	rec.fail = false
	if err := pool.Flush(ctx, now); err != nil || len(rec.batches["d"]) != 1 || pool.Pending("d") != 0 {
		t.Fatalf("retry: %v %v", err, rec.batches["d"])
	}
	// A release that landed but reported a failure is retried as the same
	// batch (same id, order and time): its values are in the log once.
	rec.landThenFail = true
	for v := range 3 {
		pool.Add("e", v+1)
	}
	if err := pool.Flush(ctx, now); err == nil {
		t.Fatal("the lost answer was not reported")
	}
	rec.landThenFail = false
	pool.Add("e", 5)
	pool.Add("e", 5)
	pool.Add("e", 5)
	if err := pool.Flush(ctx, now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if got := rec.batches["e"]; len(got) != 2 || len(got[0]) != 3 || len(got[1]) != 3 || !slices.Equal(slices.Sorted(slices.Values(got[1])), []int{5, 5, 5}) {
		t.Fatalf("box e after a lost answer: %v (want the first batch once and the new one)", got)
	}
	if pool.Pending("e") != 0 {
		t.Fatalf("pending e %d", pool.Pending("e"))
	}
}

func TestAnonymousPoolReleasesOnItsTimer(t *testing.T) {
	rec := &recorder{}
	pool := domain.NewAnonymousPool(3, rec.release)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { pool.Run(ctx, 10*time.Millisecond, func(err error) { t.Error(err) }); close(done) }()
	for v := range 3 {
		pool.Add("e", v+1)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		rec.mu.Lock()
		n := len(rec.batches["e"])
		rec.mu.Unlock()
		if n == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the timer released nothing")
		}
		time.Sleep(5 * time.Millisecond) // polling a condition, not hiding a race
	}
	cancel()
	<-done
}

// TestShuffleIsNotTheArrivalOrder: 20 shuffles of 8 distinct values; the
// chance that every one of them is the identity is (1/8!)^20 ≈ 10^-92.
func TestShuffleIsNotTheArrivalOrder(t *testing.T) {
	moved := false
	for range 20 {
		v := []int{1, 2, 3, 4, 5, 6, 7, 8}
		if err := domain.Shuffle(v); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(slices.Sorted(slices.Values(v)), []int{1, 2, 3, 4, 5, 6, 7, 8}) {
			t.Fatalf("shuffle lost values: %v", v)
		}
		moved = moved || !slices.IsSorted(v)
	}
	if !moved {
		t.Fatal("20 shuffles kept the arrival order")
	}
}

func TestAnonymousTimeIsTheHour(t *testing.T) {
	at := time.Date(2023, 10, 17, 16, 59, 59, 999, time.FixedZone("CEST", 2*3600))
	if got, want := domain.AnonymousTime(at), time.Date(2023, 10, 17, 14, 0, 0, 0, time.UTC); !got.Equal(want) || got.Location() != time.UTC {
		t.Fatalf("got %v, want %v", got, want)
	}
}
