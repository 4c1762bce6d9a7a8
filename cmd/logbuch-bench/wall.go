package main

import (
	"context"
	"fmt"
	"regexp"
	"sync"
	"time"

	"github.com/google/uuid"

	"logbuch/domain"
	"logbuch/web"
)

// benchWall: the #KNmeetsHN room. wallViewers live subscribers follow an
// event's wall while wallPosters participants post at the same time (each
// wallRounds times); every post is timed from its acknowledgment to its
// arrival on each viewer's wall (an update carries the whole wall, so a
// post arrives with the first update that shows it).
func benchWall(ctx context.Context, s settings, t *table) error {
	viewers, posters, rounds := 100, 40, 3
	if s.quick {
		rounds = 1
	}
	progress("wall: starting the web server, %d viewers, %d posters", viewers, posters)
	w, err := openWebEnv(ctx, posters)
	if err != nil {
		return err
	}
	defer w.close()
	event := uuid.Must(uuid.NewV7()).String()
	now := time.Now().In(domain.Berlin)
	if _, err := domain.Execute(ctx, w.handler, domain.Events, event, domain.Meta{CommandID: uuid.NewString(), Actor: "bench", NewAggregate: true}, "PlanVeranstaltung",
		any(domain.PlanVeranstaltung{Title: "#KNmeetsHN Bench", Format: "#KNmeetsHN", Start: now.Add(-time.Hour).Format("2006-01-02T15:04"), End: now.Add(5 * time.Hour).Format("2006-01-02T15:04"), HostCity: "Heilbronn", GuestCode: web.NewGuestCode()})); err != nil {
		return err
	}
	for g := 1; g <= 4; g++ {
		if _, err := domain.Execute(ctx, w.handler, domain.Events, event, domain.Meta{CommandID: uuid.NewString(), Actor: "bench"}, "AddWorkshopGroup", any(domain.AddWorkshopGroup{Name: fmt.Sprintf("Gruppe %d", g)})); err != nil {
			return err
		}
	}
	sub := []byte(`{"t":"sub","views":["veranstaltung/` + event + `/wand"],"since":0}`)
	conns, err := dialAll(ctx, w.liveURL(), w.cookie, viewers, sub)
	if err != nil {
		return err
	}
	defer closeAll(conns)

	// Each viewer notes when each post first appears on its wall.
	postID := regexp.MustCompile(`data-post=\\"([^"\\]+)\\"`) // inside the JSON message
	var mu sync.Mutex
	seen := make([]map[string]time.Time, viewers)
	bytes := 0
	for i, c := range conns {
		seen[i] = map[string]time.Time{}
		go func() {
			for {
				_, msg, err := c.Read(ctx)
				if err != nil {
					return
				}
				at := time.Now()
				ids := postID.FindAllSubmatch(msg, -1)
				mu.Lock()
				bytes = max(bytes, len(msg))
				for _, id := range ids {
					if _, ok := seen[i][string(id[1])]; !ok {
						seen[i][string(id[1])] = at
					}
				}
				mu.Unlock()
			}
		}()
	}
	time.Sleep(500 * time.Millisecond) // the initial views are in

	acked := map[string]time.Time{}
	var ackMu sync.Mutex
	var wg sync.WaitGroup
	errs := make(chan error, posters)
	for p := range posters {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := range rounds {
				id := uuid.Must(uuid.NewV7()).String()
				_, err := domain.Execute(ctx, w.handler, domain.Wall, id, domain.Meta{CommandID: uuid.NewString(), Actor: w.people[p], NewAggregate: true}, "PostToWall",
					any(domain.PostToWall{Event: event, Group: fmt.Sprint(p%4 + 1), Text: fmt.Sprintf("**Ergebnis** %d/%d: mehr Mut, weniger Papier", p, r)}))
				if err != nil {
					errs <- err
					return
				}
				ackMu.Lock()
				acked[id] = time.Now()
				ackMu.Unlock()
			}
		}()
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return err
	}
	deadline := time.Now().Add(time.Minute)
	var res fanoutResult
	for {
		mu.Lock()
		complete := true
		for i := range seen {
			for id := range acked {
				if _, ok := seen[i][id]; !ok {
					complete = false
				}
			}
		}
		if complete || time.Now().After(deadline) {
			for i := range seen {
				for id, t0 := range acked {
					if at, ok := seen[i][id]; ok {
						res.lat = append(res.lat, max(0, at.Sub(t0)))
					} else {
						res.missing++
					}
				}
			}
			res.bytes = bytes
			mu.Unlock()
			break
		}
		mu.Unlock()
		time.Sleep(20 * time.Millisecond)
	}
	group := fmt.Sprintf("6. Workshop wall: %d participants post at once, %d times each, to a wall %d viewers follow (largest update %s bytes)", posters, rounds, viewers, thousands(float64(res.bytes)))
	p99 := percentile(res.lat, 0.99)
	t.add(row{group: group, scenario: fmt.Sprintf("%d posts × %d viewers: acknowledgment → shown", len(acked), viewers),
		logbuch: res.summary(), raw: "— (no bare equivalent: every update is the rendered wall)", ratio: "—",
		goal: yesNo(p99 < time.Second && res.missing == 0, "p99 < 1 s")})
	return nil
}
