package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/google/uuid"

	"logbuch/domain"
	"logbuch/web"
)

// memLog is a domain.Log in memory: the generator decides every command
// through the real deciders and domain.Handler against it, and the
// messages it holds are then written to a real log with Import.
type memLog struct {
	mu   sync.Mutex
	msgs []domain.Recorded
	subj map[string][]int // subject → indexes into msgs
}

func newMemLog() *memLog { return &memLog{subj: map[string][]int{}} }

func (m *memLog) Load(_ context.Context, subject string) ([]domain.Recorded, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []domain.Recorded
	for _, i := range m.subj[subject] {
		out = append(out, m.msgs[i])
	}
	return out, nil
}

func (m *memLog) Append(_ context.Context, c domain.Commit) (domain.Appended, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var last uint64
	if ix := m.subj[c.Subject]; len(ix) > 0 {
		last = m.msgs[ix[len(ix)-1]].Seq
	}
	if last != c.ExpectedSeq {
		return domain.Appended{}, fmt.Errorf("%s: %w", c.Subject, domain.ErrStale)
	}
	seq := uint64(len(m.msgs) + 1)
	m.msgs = append(m.msgs, domain.Recorded{Seq: seq, Subject: c.Subject, CommandID: c.CommandID, CommandType: c.CommandType, Events: c.Events})
	m.subj[c.Subject] = append(m.subj[c.Subject], len(m.msgs)-1)
	return domain.Appended{Seq: seq}, nil
}

func (m *memLog) Message(_ context.Context, seq uint64) (domain.Recorded, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if seq == 0 || seq > uint64(len(m.msgs)) {
		return domain.Recorded{}, domain.Errorf(domain.ENOTFOUND, "err.command.not_found")
	}
	return m.msgs[seq-1], nil
}

// dashSize is the shape of a generated log.
type dashSize struct {
	aemter       int // Ämter (beyond domain.Aemter: generated names)
	lotsenPerAmt int // Lotsen per Amt at the start; a sixth more join each year
	firstYear    int
	years        int
	events       int // events per year: 5/6 held, 1/12 cancelled, the rest stays planned
	talks        int // talks per event
	posts        int // wall posts per held event
	raters       int // ratings per held event, released in one batch
	topics       int // KNowHow topics per year (one board a year)
	voters       int // voters per board: dots for two topics, a need for one
}

// bigSize is about 100 × the demo year in messages (the demo has about
// 240): 100 Ämter, ten years (KNowHow boards from 2020 on, the first year a
// board may have), about 19 times the events of the demo year each year.
var bigSize = dashSize{aemter: 100, lotsenPerAmt: 2, firstYear: 2016, years: 10, events: 112, talks: 2, posts: 8, raters: 8, topics: 60, voters: 80}

// generatedAmt names the i-th Amt of a generated city.
func generatedAmt(i int) string { return fmt.Sprintf("Amt %03d (generiert)", i+1) }

// widenAemter makes domain.Aemter n long with generated names, so that the
// deciders accept them and the read models count and show them. Only this
// process's list changes.
func widenAemter(n int) {
	for i := len(domain.Aemter); i < n; i++ {
		domain.Aemter = append(domain.Aemter, generatedAmt(i))
	}
}

// generateCity decides the commands of a generated city through the real
// deciders (a domain.Handler over a memLog), in the order of their times,
// with a fixed seed, and returns the messages.
func generateCity(ctx context.Context, z dashSize) ([]domain.Recorded, error) {
	mem := newMemLog()
	h := domain.NewHandler(mem, nil, tenant)
	rng := rand.New(rand.NewPCG(6, uint64(z.aemter*z.years)))
	n := 0
	type step struct {
		at  time.Time
		run func(meta domain.Meta) error
	}
	var steps []step
	add := func(at time.Time, run func(domain.Meta) error) { steps = append(steps, step{at, run}) }
	actorOf := map[int]string{}
	do := func(actor int, kind string, id string, name string, cmd any, fresh bool) func(domain.Meta) error {
		return func(meta domain.Meta) error {
			meta.Actor, meta.NewAggregate = actorOf[actor], fresh
			var err error
			switch kind {
			case domain.Roster.Kind:
				_, err = domain.Execute(ctx, h, domain.Roster, id, meta, name, cmd)
			case domain.Events.Kind:
				_, err = domain.Execute(ctx, h, domain.Events, id, meta, name, cmd)
			case domain.Wall.Kind:
				_, err = domain.Execute(ctx, h, domain.Wall, id, meta, name, cmd)
			case domain.Boards.Kind:
				_, err = domain.Execute(ctx, h, domain.Boards, id, meta, name, cmd)
			case domain.Topics.Kind:
				_, err = domain.Execute(ctx, h, domain.Topics, id, meta, name, cmd)
			case domain.Ballots.Kind:
				_, err = domain.Execute(ctx, h, domain.Ballots, id, meta, name, cmd)
			case domain.Ratings.Kind:
				_, err = domain.Execute(ctx, h, domain.Ratings, id, meta, name, cmd)
			case domain.RatingResults.Kind:
				meta.Actor = domain.SystemActor
				_, err = domain.Execute(ctx, h, domain.RatingResults, id, meta, name, cmd)
			}
			if err != nil {
				return fmt.Errorf("%s %s: %w", name, id, err)
			}
			return nil
		}
	}
	day := func(year, yday int, hour int) time.Time {
		return time.Date(year, 1, 1, hour, 0, 0, 0, domain.Berlin).AddDate(0, 0, yday)
	}
	// People: the core (Lotsen who never leave; person 0 is the admin)
	// and, each year, newcomers of whom a third leave again and half of
	// those come back the next year, some in another Amt.
	people := 0
	join := func(at time.Time, amt int, role domain.Role) int {
		p := people
		people++
		actorOf[p] = uuid.Must(uuid.NewV7()).String()
		name := fmt.Sprintf("Lotsin %04d Beispiel", p)
		add(at, do(0, domain.Roster.Kind, actorOf[p], "JoinLotse", domain.JoinLotse{Name: name, Email: fmt.Sprintf("lotsin%04d@bench.example", p), Amt: domain.Aemter[amt%z.aemter], City: domain.Cities[p%2], Role: role}, true))
		return p
	}
	actorOf[-1] = domain.SystemActor
	start := day(z.firstYear, 8, 9)
	join(start, 0, domain.RoleAdmin)
	var core []int
	for a := range z.aemter {
		for k := range z.lotsenPerAmt {
			core = append(core, join(start.Add(time.Duration(a*z.lotsenPerAmt+k+1)*time.Minute), a, domain.RoleLotse))
		}
	}
	pick := func(k int) []int { // k distinct core people
		ix := rng.Perm(len(core))[:min(k, len(core))]
		out := make([]int, len(ix))
		for i, j := range ix {
			out[i] = core[j]
		}
		return out
	}
	formats := []string{"Meet & Learn", "Team-Workshop", "Informationsveranstaltung", "#KNmeetsHN"}
	for y := range z.years {
		year := z.firstYear + y
		// Roster changes of the year.
		fresh := max(1, len(core)/6)
		for i := range fresh {
			amt := rng.IntN(z.aemter)
			p := join(day(year, 20+rng.IntN(300), 9), amt, domain.RoleLotse)
			if i%3 == 0 {
				at := steps[len(steps)-1].at.AddDate(0, 2, 0)
				add(at, do(0, domain.Roster.Kind, actorOf[p], "LeaveRoster", domain.LeaveRoster{Reason: "Aufgabenwechsel"}, false))
				if i%2 == 0 {
					add(at.AddDate(0, 5, 0), do(0, domain.Roster.Kind, actorOf[p], "RejoinRoster", domain.RejoinRoster{Amt: domain.Aemter[rng.IntN(z.aemter)]}, false))
				}
			} else if i%3 == 1 {
				add(steps[len(steps)-1].at.AddDate(0, 1, 0), do(0, domain.Roster.Kind, actorOf[p], "ChangeAmt", domain.ChangeAmt{Amt: domain.Aemter[(amt+1+rng.IntN(z.aemter-1))%z.aemter]}, false))
			}
		}
		// Events with talks, walls, attendance and ratings.
		for e := range z.events {
			id := uuid.Must(uuid.NewV7()).String()
			begin := day(year, 40+e*300/z.events, 10)
			end := begin.Add(90 * time.Minute)
			plan := domain.PlanVeranstaltung{Title: fmt.Sprintf("Veranstaltung %d/%02d", year, e+1), Format: formats[e%len(formats)], Start: begin.Format("2006-01-02T15:04"), End: end.Format("2006-01-02T15:04"), Place: "online", HostCity: domain.Cities[e%2], GuestCode: web.NewGuestCode()}
			add(begin.AddDate(0, 0, -42), do(0, domain.Events.Kind, id, "PlanVeranstaltung", plan, true))
			if e%12 == 11 {
				add(begin.AddDate(0, 0, -3), do(0, domain.Events.Kind, id, "CancelVeranstaltung", domain.CancelVeranstaltung{Reason: "Krankheit"}, false))
				continue
			}
			for t := range z.talks {
				add(begin.Add(time.Duration(t)*time.Minute), do(0, domain.Events.Kind, id, "AddTalk", domain.AddTalk{Speaker: fmt.Sprintf("Referentin %d", t+1), Organisation: "Stadtverwaltung", Topic: fmt.Sprintf("Vortrag %d zu %s", t+1, plan.Title)}, false))
			}
			if e%6 == 5 {
				continue // stays planned
			}
			for i, p := range pick(z.posts) {
				add(begin.Add(time.Duration(30+i)*time.Minute), do(p, domain.Wall.Kind, uuid.Must(uuid.NewV7()).String(), "PostToWall", domain.PostToWall{Event: id, Text: fmt.Sprintf("Ergebnis %d: Wir nehmen mit, dass es einfacher geht.", i+1)}, true))
			}
			held := end.Add(time.Hour)
			add(held, do(0, domain.Events.Kind, id, "MarkHeld", domain.MarkHeld{Attendance: domain.Number(strconv.Itoa(10 + rng.IntN(30))), Now: held}, false))
			var values []int
			for _, p := range pick(z.raters) {
				v := 2 + rng.IntN(4)
				values = append(values, v)
				add(held.Add(24*time.Hour), do(p, domain.Ratings.Kind, domain.RaterID(id, actorOf[p]), "RateVeranstaltung", domain.RateVeranstaltung{Value: domain.Number(strconv.Itoa(v)), Event: id, Status: domain.StatusHeld, Role: domain.RoleLotse}, false))
			}
			add(domain.AnonymousTime(held.Add(48*time.Hour)), do(-1, domain.RatingResults.Kind, id, "ReleaseRatings", domain.ReleaseRatings{Values: values}, false))
		}
		// One KNowHow board a year: topics proposed, half selected with a
		// team of two, a quarter on to the Drehbuch.
		if year < 2020 {
			continue
		}
		board := uuid.Must(uuid.NewV7()).String()
		add(day(year, 30, 9), do(0, domain.Boards.Kind, board, "CreateBoard", domain.CreateBoard{Title: fmt.Sprintf("KNowHow %d", year), Year: domain.Number(strconv.Itoa(year)), Facilitator: actorOf[0]}, true))
		topics := make([]string, z.topics)
		for t := range z.topics {
			id := uuid.Must(uuid.NewV7()).String()
			topics[t] = id
			who := pick(3)
			at := day(year, 31+t%20, 10)
			add(at, do(who[0], domain.Topics.Kind, id, "ProposeTopic", domain.ProposeTopic{Board: board, Title: fmt.Sprintf("Thema %d/%02d: Wie geht das im Portal?", year, t+1), Amt: domain.Aemter[rng.IntN(z.aemter)]}, true))
			if t%2 == 1 {
				continue
			}
			for _, p := range who[1:] {
				add(at.AddDate(0, 1, 0), do(p, domain.Topics.Kind, id, "JoinTeam", domain.JoinTeam{By: domain.Caller{Person: actorOf[p], Role: domain.RoleLotse}}, false))
			}
			add(at.AddDate(0, 1, 1), do(0, domain.Topics.Kind, id, "MoveTopic", domain.MoveTopic{To: domain.StageSelected}, false))
			if t%4 == 0 {
				add(at.AddDate(0, 2, 0), do(who[1], domain.Topics.Kind, id, "MoveTopic", domain.MoveTopic{To: domain.StageScript}, false))
			}
		}
		// The vote, after every topic is on the board.
		voting := domain.VotingContext{Exists: true, Open: true, Budget: domain.DefaultVoteBudget, Facilitator: actorOf[0], Topics: topics}
		vote := day(year, 55, 10)
		for _, p := range pick(z.voters) {
			by := domain.Caller{Person: actorOf[p], Role: domain.RoleLotse}
			ballot := domain.BallotID(board, actorOf[p])
			fav := rng.Perm(len(topics))[:2]
			add(vote, do(p, domain.Ballots.Kind, ballot, "SetPreference", domain.SetPreference{Board: board, Voter: actorOf[p], Topic: topics[fav[0]], Dots: "2", By: by, Voting: voting}, false))
			add(vote, do(p, domain.Ballots.Kind, ballot, "SetPreference", domain.SetPreference{Board: board, Voter: actorOf[p], Topic: topics[fav[1]], Dots: "1", By: by, Voting: voting}, false))
			add(vote, do(p, domain.Ballots.Kind, ballot, "SetNeed", domain.SetNeed{Board: board, Voter: actorOf[p], Topic: topics[fav[0]], Need: domain.Number(strconv.Itoa(1 + rng.IntN(5))), By: by, Voting: voting}, false))
		}
		admin := domain.Caller{Person: actorOf[0], Role: domain.RoleAdmin}
		add(vote.Add(time.Hour), do(0, domain.Boards.Kind, board, "CloseVoting", domain.CloseVoting{By: admin}, false))
		add(vote.Add(2*time.Hour), do(0, domain.Boards.Kind, board, "RevealVotes", domain.RevealVotes{By: admin}, false))
	}
	slices.SortStableFunc(steps, func(a, b step) int { return a.at.Compare(b.at) })
	for _, s := range steps {
		n++
		if err := s.run(domain.Meta{CommandID: fmt.Sprintf("gen-%07d", n), At: s.at}); err != nil {
			return nil, err
		}
	}
	return mem.msgs, nil
}
