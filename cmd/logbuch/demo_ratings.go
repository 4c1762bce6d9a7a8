package main

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"logbuch/domain"
)

// demoRatings are the anonymous ratings of the demo year's held events, by
// the index of the event in demoEvents: who rated (people active then)
// and, in the same order, what. The Corporate-Influencer session has only
// two, below the minimum: its results stay hidden ("Noch zu wenige
// Bewertungen"), and its two values wait in the pool.
var demoRatings = map[int]struct {
	raters []string
	values []int
}{
	0: {[]string{"p06", "p07", "p09", "p10", "p14", "p17", "p20"}, []int{5, 4, 4, 5, 3, 4, 5}},
	1: {[]string{"p01", "p07", "p09", "p11", "p12", "p16", "p18", "p20", "p27"}, []int{5, 5, 4, 5, 4, 5, 5, 3, 4}},
	2: {[]string{"p10", "p13", "p15", "p19", "p22", "p24"}, []int{3, 4, 2, 4, 3, 4}},
	3: {[]string{"p11", "p23"}, []int{4, 2}},
	4: {[]string{"p01", "p07", "p09", "p10", "p11", "p12", "p14", "p18", "p20", "p22", "p27", "p28"}, []int{5, 5, 5, 4, 5, 4, 5, 5, 4, 5, 5, 4}},
	5: {[]string{"p09", "p16", "p19", "p24", "p25"}, []int{4, 3, 5, 4, 4}},
}

// rateDemoEvent rates one held demo event through the same path as the
// page (the rater's decider and the pool), the day after it ended, and
// releases the batch the next day.
func (m *Main) rateDemoEvent(ctx context.Context, people map[string]string, event string, index int, end time.Time, nextID func() string) error {
	r, ok := demoRatings[index]
	if !ok {
		return nil
	}
	roles := map[string]domain.Role{}
	for _, p := range demoPeople {
		roles[p.key] = p.role
	}
	for i, key := range r.raters {
		cmd := domain.RateVeranstaltung{Value: domain.Number(strconv.Itoa(r.values[i])), Event: event, Status: domain.StatusHeld, Role: roles[key]}
		meta := domain.Meta{CommandID: nextID(), Actor: people[key], At: end.Add(24 * time.Hour)}
		if _, err := m.Web.Rate(ctx, meta, cmd); err != nil {
			return fmt.Errorf("demo rating by %s: %w", key, err)
		}
	}
	return m.Web.ReleaseRatings(ctx, end.Add(48*time.Hour))
}
