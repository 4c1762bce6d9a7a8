package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"runtime/pprof"
	"time"

	"github.com/google/uuid"
	"github.com/nats-io/nats.go/jetstream"

	"logbuch/domain"
	"logbuch/embed"
	"logbuch/projections"
)

// planByMessages gives each of n Lotsen perLotse messages.
func planByMessages(n, perLotse int) []int {
	counts := make([]int, n)
	for i := range counts {
		counts[i] = perLotse
	}
	return counts
}

// planByEvents spreads messages over n Lotsen until they carry events
// events in all.
func planByEvents(n, events int) []int {
	counts := make([]int, n)
	total := 0
	for i := 0; total < events; i = (i + 1) % n {
		counts[i]++
		total += eventsOfMessage(counts[i] - 1)
	}
	return counts
}

// eventsOfMessage is how many events the k-th message of a Lotse carries:
// the join, then changes, every fifth of them two events in one command.
func eventsOfMessage(k int) int {
	if k > 0 && (k-1)%5 == 2 {
		return 2
	}
	return 1
}

// generateLog makes a log in the form Import expects: sequences 1..n in
// order, one command per message, unique command ids, each Lotse joining
// before its changes, the Lotsen interleaved at random (with a fixed seed).
func generateLog(counts []int) ([]domain.Recorded, int) {
	total := 0
	for _, c := range counts {
		total += c
	}
	order := make([]int32, 0, total)
	for i, c := range counts {
		for range c {
			order = append(order, int32(i))
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })

	type lotse struct {
		subject string
		next    int // index of its next message
		amt     int
		role    domain.Role
	}
	people := make([]lotse, len(counts))
	for i := range people {
		people[i] = lotse{subject: domain.Subject(tenant, domain.Roster.Kind, uuid.Must(uuid.NewV7()).String()), amt: i % len(domain.Aemter), role: domain.RoleLotse}
	}
	at := time.Date(2023, 1, 2, 8, 0, 0, 0, time.UTC)
	msgs := make([]domain.Recorded, 0, total)
	events := 0
	event := func(d domain.Data) domain.Event {
		at = at.Add(time.Second)
		return domain.Event{ID: uuid.Must(uuid.NewV7()), Type: d.EventType(), Version: 1, At: at, Actor: domain.SystemActor, Tenant: tenant, Data: d}
	}
	nextRole := func(r domain.Role) domain.Role {
		if r == domain.RoleLotse {
			return domain.RoleLenkungsgruppe
		}
		return domain.RoleLotse
	}
	for _, i := range order {
		p := &people[i]
		k := p.next
		p.next++
		var cmd string
		var evs []domain.Event
		if k == 0 {
			cmd = "JoinLotse"
			evs = []domain.Event{event(domain.LotseJoined{Name: fmt.Sprintf("Lotse %d", i), Amt: domain.Aemter[p.amt], City: domain.Cities[int(i)%2], Role: p.role})}
		} else {
			switch (k - 1) % 5 {
			case 0:
				from := domain.Aemter[p.amt]
				p.amt = (p.amt + 1) % len(domain.Aemter)
				cmd, evs = "ChangeAmt", []domain.Event{event(domain.LotseAmtChanged{From: from, To: domain.Aemter[p.amt]})}
			case 1:
				from := p.role
				p.role = nextRole(p.role)
				cmd, evs = "ChangeRole", []domain.Event{event(domain.LotseRoleChanged{From: from, To: p.role})}
			case 2:
				from, fromRole := domain.Aemter[p.amt], p.role
				p.amt = (p.amt + 1) % len(domain.Aemter)
				p.role = nextRole(p.role)
				cmd, evs = "Reorganize", []domain.Event{event(domain.LotseAmtChanged{From: from, To: domain.Aemter[p.amt]}), event(domain.LotseRoleChanged{From: fromRole, To: p.role})}
			case 3:
				cmd, evs = "LeaveRoster", []domain.Event{event(domain.LotseLeft{Reason: "Elternzeit"})}
			case 4:
				cmd, evs = "RejoinRoster", []domain.Event{event(domain.LotseRejoined{Amt: domain.Aemter[p.amt]})}
			}
		}
		events += len(evs)
		msgs = append(msgs, domain.Recorded{Seq: uint64(len(msgs) + 1), Subject: p.subject, CommandID: uuid.NewString(), CommandType: cmd, Events: evs})
	}
	return msgs, events
}

// importLog fills a fresh data dir through embed's Import and closes it.
func importLog(ctx context.Context, counts []int) (dir string, msgs, events int, took time.Duration, err error) {
	recs, events := generateLog(counts)
	dir, err = os.MkdirTemp("", "logbuch-bench-import-")
	if err != nil {
		return "", 0, 0, 0, err
	}
	log, err := embed.Open(ctx, embed.Config{DataDir: dir, Logger: quiet})
	if err != nil {
		os.RemoveAll(dir)
		return "", 0, 0, 0, err
	}
	start := time.Now()
	err = log.Import(ctx, recs)
	took = time.Since(start)
	if cerr := log.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.RemoveAll(dir)
		return "", 0, 0, 0, fmt.Errorf("import: %w", err)
	}
	return dir, len(recs), events, took, nil
}

// rebuild starts projections over an open log and times them until Ready.
func rebuild(ctx context.Context, log *embed.Log) (time.Duration, *projections.Runner, func(), error) {
	bg, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	start := time.Now()
	runner := projections.NewRunner(log, quiet)
	go pprof.Do(bg, pprof.Labels("phase", "rebuild"), func(bg context.Context) {
		defer close(done)
		runner.Run(bg)
	})
	stopRunner := func() {
		stop()
		<-done
	}
	if err := waitReady(ctx, runner, 10*time.Minute); err != nil {
		stopRunner()
		return 0, nil, nil, err
	}
	return time.Since(start), runner, stopRunner, nil
}

// benchRebuild: the projections over an imported log vs a raw
// ordered-consumer read of the same stream, each on a freshly opened log
// (the key cache is cold, as after a restart). Two rounds, the better of
// each counts.
func benchRebuild(ctx context.Context, s settings, t *table) error {
	progress("rebuild: generating and importing %s messages", thousands(float64(s.rebuildLotsen*s.msgsPerLotse)))
	dir, nMsgs, nEvents, importTook, err := importLog(ctx, planByMessages(s.rebuildLotsen, s.msgsPerLotse))
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	progress("rebuild: imported %s messages (%s events) in %s", thousands(float64(nMsgs)), thousands(float64(nEvents)), fmtDur(importTook))
	bestRaw, bestRebuild := time.Duration(0), time.Duration(0)
	for round := range 2 {
		log, err := embed.Open(ctx, embed.Config{DataDir: dir, Logger: quiet})
		if err != nil {
			return err
		}
		last, err := log.LastSeq(ctx)
		if err != nil {
			log.Close()
			return err
		}
		js, err := jetstream.New(log.Conn())
		if err != nil {
			log.Close()
			return err
		}
		n, rawTook, err := rawRead(ctx, js, last)
		if err != nil || n != nMsgs {
			log.Close()
			return fmt.Errorf("raw read: %d of %d messages: %v", n, nMsgs, err)
		}
		took, runner, stop, err := rebuild(ctx, log)
		if err != nil {
			log.Close()
			return err
		}
		applied, _ := runner.Progress()
		skipped := runner.Skipped()
		stop()
		log.Close()
		if applied != uint64(nMsgs) || skipped != 0 {
			return fmt.Errorf("rebuild applied %d of %d messages, skipped %d", applied, nMsgs, skipped)
		}
		progress("rebuild round %d: raw read %s, projections %s", round+1, fmtDur(rawTook), fmtDur(took))
		if bestRaw == 0 || rawTook < bestRaw {
			bestRaw = rawTook
		}
		if bestRebuild == 0 || took < bestRebuild {
			bestRebuild = took
		}
	}
	// As serve starts when it has no usable snapshot (the first start after
	// an import, an upgrade of the read models, or a lost snapshot): the
	// runner saves a snapshot after every 10,000 messages while it catches
	// up.
	progress("rebuild: as serve runs it, saving a snapshot every %d messages", snapshotEvery)
	serveCold, err := startLogbuch(ctx, dir, snapshotEvery, false)
	if err != nil {
		return err
	}
	ev := float64(nEvents)
	ratio := bestRaw.Seconds() / bestRebuild.Seconds()
	group := fmt.Sprintf("2. Rebuild of the projections (%s messages, %s events, %s Lotsen; imported in %s)",
		thousands(float64(nMsgs)), thousands(ev), thousands(float64(s.rebuildLotsen)), fmtDur(importTook))
	t.add(row{group: group, scenario: "projections from the start until Ready()",
		logbuch: fmt.Sprintf("%s in %s", fmtRate(ev/bestRebuild.Seconds(), "events"), fmtDur(bestRebuild)),
		raw:     fmt.Sprintf("ordered consumer: %s in %s (%s)", fmtRate(ev/bestRaw.Seconds(), "events"), fmtDur(bestRaw), fmtRate(float64(nMsgs)/bestRaw.Seconds(), "msgs")),
		ratio:   fmtRatio(ratio), goal: yesNo(ratio >= 0.5, "≥ 0.5× raw")})
	serveRatio := bestRaw.Seconds() / serveCold.ready.Seconds()
	t.add(row{group: group, scenario: fmt.Sprintf("the same as serve runs it without a usable snapshot (saves one every %s msgs)", thousands(snapshotEvery)),
		logbuch: fmt.Sprintf("%s in %s", fmtRate(ev/serveCold.ready.Seconds(), "events"), fmtDur(serveCold.ready)),
		raw:     "as above", ratio: fmtRatio(serveRatio), goal: yesNo(serveRatio >= 0.5, "≥ 0.5× raw")})
	return nil
}
