package main

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"logbuch/domain"
	"logbuch/web"
)

// The demo year: the Digitallotsen of 2023 with invented names, loaded
// through the same command path as every click, with the dates they
// happened on.

type demoPerson struct {
	key, name, amt string
	role           domain.Role
	joined         string // date of joining, 2023
}

var demoPeople = []demoPerson{
	{"p01", "Anja Brenner", "Amt für Digitalisierung und IT", domain.RoleAdmin, "2023-01-09"},
	{"p02", "Dr. Tobias Weingart", "Amt für Digitalisierung und IT", domain.RoleLenkungsgruppe, "2023-01-09"},
	{"p03", "Sabine Koller", "Amt für Digitalisierung und IT", domain.RoleLenkungsgruppe, "2023-01-09"},
	{"p04", "Markus Ebner", "Personal- und Organisationsamt", domain.RoleLenkungsgruppe, "2023-01-09"},
	{"p05", "Petra Lindqvist", "Personal- und Organisationsamt", domain.RoleLenkungsgruppe, "2023-01-09"},
	{"p06", "Jonas Falkenried", "Technische Betriebe", domain.RoleLotse, "2023-01-16"},
	{"p07", "Miriam Osterholz", "Baurechts- und Denkmalamt", domain.RoleLotse, "2023-01-16"},
	{"p08", "Felix Harnisch", "Kämmerei", domain.RoleLotse, "2023-01-16"},
	{"p09", "Clara Wendtland", "Archiv", domain.RoleLotse, "2023-01-16"},
	{"p10", "Ömer Aydın", "Städtische Museen", domain.RoleLotse, "2023-01-16"},
	{"p11", "Lena Schwarzwälder", "Sozial- und Jugendamt", domain.RoleLotse, "2023-01-16"},
	{"p12", "Katrin Mohnhaupt", "Sozial- und Jugendamt", domain.RoleLotse, "2023-01-16"},
	{"p13", "David Rheinfelder", "Personal- und Organisationsamt", domain.RoleLotse, "2023-01-16"},
	{"p14", "Nora Espenlaub", "Spitalstiftung", domain.RoleLotse, "2023-01-16"},
	{"p15", "Yusuf Demirel", "Smart Green City / Wirtschaftsförderung", domain.RoleLotse, "2023-01-16"},
	{"p16", "Hanna Bodmer", "Rechnungsprüfungsamt", domain.RoleLotse, "2023-01-16"},
	{"p17", "Simon Tägerwil", "Amt für Stadtplanung und Umwelt", domain.RoleLotse, "2023-01-16"},
	{"p18", "Julia Reichenau", "Hauptamt", domain.RoleLotse, "2023-01-16"},
	{"p19", "Matthias Kreuzlinger", "Amt für Liegenschaften und Geoinformation", domain.RoleLotse, "2023-01-16"},
	{"p20", "Sophie Allmannsdorf", "Kulturamt", domain.RoleLotse, "2023-01-16"},
	{"p21", "Benedikt Stadelhofer", "Stadtbibliothek", domain.RoleLotse, "2023-01-16"},
	{"p22", "Elif Yıldırım", "Pressereferat", domain.RoleLotse, "2023-01-16"},
	{"p23", "Tim Wollmatinger", "Entsorgungsbetriebe", domain.RoleLotse, "2023-01-16"},
	{"p24", "Carla Petershausen", "Bürgeramt", domain.RoleLotse, "2023-01-16"},
	{"p25", "Andreas Litzelstetter", "Bauverwaltungsamt", domain.RoleLotse, "2023-02-06"},
	{"p26", "Gabriele Dingelsdorf", "Personalrat / Schwerbehindertenvertretung", domain.RoleLotse, "2023-02-06"},
	// Fluktuation: joined during the year.
	{"p27", "Lukas Egg", "Technische Betriebe", domain.RoleLotse, "2023-04-17"},
	{"p28", "Rebecca Hegne", "Kämmerei", domain.RoleLotse, "2023-09-04"},
}

type demoChange struct {
	key, date string
	cmd       any
	name      string
}

var demoChanges = []demoChange{
	{"p06", "2023-03-31", domain.LeaveRoster{Reason: "Wechsel in die Privatwirtschaft"}, "LeaveRoster"},
	{"p13", "2023-05-02", domain.ChangeAmt{Amt: "Hauptamt"}, "ChangeAmt"},
	{"p08", "2023-06-30", domain.LeaveRoster{Reason: "Elternzeit"}, "LeaveRoster"},
	{"p21", "2023-07-14", domain.LeaveRoster{Reason: "Aufgabenwechsel"}, "LeaveRoster"},
	{"p08", "2023-11-06", domain.RejoinRoster{Amt: "Kämmerei"}, "RejoinRoster"},
	{"p26", "2023-11-20", domain.LeaveRoster{}, "LeaveRoster"},
}

func demoTime(date string) time.Time {
	d, err := time.ParseInLocation("2006-01-02 15:04", date+" 09:30", berlin)
	if err != nil {
		panic(err)
	}
	return d
}

var berlin = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		panic(err)
	}
	return loc
}()

// loadDemo fills an empty log with the demo year; a log that holds
// anything is left alone.
func (m *Main) loadDemo(ctx context.Context, publicURL string) error {
	last, err := m.Log.LastSeq(ctx)
	if err != nil {
		return err
	}
	if err := m.waitReady(ctx); err != nil {
		return err
	}
	if last > 0 {
		m.log.Info("demo not loaded: the log already holds events", "last_seq", last)
		return m.demoLogins(ctx, publicURL)
	}
	ids := map[string]string{}
	n := 0
	exec := func(key, date, name string, cmd any) error {
		n++
		meta := domain.Meta{CommandID: fmt.Sprintf("demo-2023-%03d", n), Actor: domain.SystemActor, At: demoTime(date)}
		if _, err := domain.Execute(ctx, m.Commands, domain.Roster, ids[key], meta, name, cmd); err != nil {
			return fmt.Errorf("demo %s %s: %w", name, key, err)
		}
		return nil
	}
	// Interleave joins and changes by date, as they happened.
	type step struct {
		date string
		run  func() error
	}
	var steps []step
	for _, p := range demoPeople {
		ids[p.key] = uuid.Must(uuid.NewV7()).String()
		steps = append(steps, step{p.joined, func() error {
			return exec(p.key, p.joined, "JoinLotse", domain.JoinLotse{Name: p.name, Email: demoEmail(p.name), Amt: p.amt, City: "Konstanz", Role: p.role})
		}})
	}
	for _, c := range demoChanges {
		steps = append(steps, step{c.date, func() error { return exec(c.key, c.date, c.name, c.cmd) }})
	}
	slices.SortStableFunc(steps, func(a, b step) int { return strings.Compare(a.date, b.date) })
	for _, s := range steps {
		if err := s.run(); err != nil {
			return err
		}
	}
	nextID := func() string { n++; return fmt.Sprintf("demo-2023-%03d", n) }
	if err := m.loadDemoEvents(ctx, ids, nextID); err != nil {
		return err
	}
	if err := m.loadDemoKnowHow(ctx, ids, nextID); err != nil {
		return err
	}
	m.log.Info("demo year loaded", "commands", n)
	return m.demoLogins(ctx, publicURL)
}

type demoEvent struct {
	title, format, start, end, place, city string
	posts                                  []demoPost
	attendance                             int // held with so many; 0: still planned
	talks                                  []domain.AddTalk
}

type demoPost struct{ author, text string }

// The talks' speakers are invented.
var demoEvents = []demoEvent{
	{"Meet & Learn: Datenethik-Konzept der Smart Green City", "Meet & Learn", "2023-03-15T10:00", "2023-03-15T11:00", "online", "Konstanz", nil, 22, []domain.AddTalk{
		{Speaker: "Dr. Miriam Falk", Organisation: "Programm Smart Green City", Topic: "Unser Datenethik-Konzept: digitale Werkzeuge dienen den Menschen"},
	}},
	{"Team-Workshop: Rollen und Retrospektive", "Team-Workshop", "2023-04-20T09:00", "2023-04-21T16:00", "Klosterhotel bei Konstanz", "Konstanz", nil, 19, []domain.AddTalk{
		{Speaker: "Katrin Löffler", Organisation: "Coaching (extern)", Topic: "Onboarding, Rollenklärung und Retrospektive: Was lief gut, was machen wir anders?"},
	}},
	{"Meet & Learn: OZG und OZG 2.0", "Meet & Learn", "2023-06-14T10:00", "2023-06-14T11:30", "online", "Konstanz", nil, 26, []domain.AddTalk{
		{Speaker: "Thomas Reichert", Organisation: "Amt für Digitalisierung und IT", Topic: "Das Onlinezugangsgesetz (OZG) und was das OZG 2.0 ändert"},
	}},
	{"Meet & Learn: Corporate Influencer", "Meet & Learn", "2023-09-13T10:00", "2023-09-13T11:00", "online", "Konstanz", nil, 18, []domain.AddTalk{
		{Speaker: "Nadine Kessler", Organisation: "Pressestelle", Topic: "Unser Corporate-Influencer-Programm: Mitarbeitende zeigen, wie die Verwaltung arbeitet"},
	}},
	// Its four workshops and their results: demo_wall.go.
	{"#KNmeetsHN 2023", "#KNmeetsHN", "2023-10-17T09:30", "2023-10-17T16:30", "Heilbronn", "Heilbronn", nil, 30, []domain.AddTalk{
		{Speaker: "Prof. Dr. Sabine Hartmann", Organisation: "Hochschule Heilbronn", Topic: "Keynote: Verwaltung digital gestalten – gemeinsam über Stadtgrenzen"},
		{Speaker: "Jonas Weber", Organisation: "Coding-Schule Heilbronn", Topic: "Besuch der Coding-Schule: Programmieren lernen in jedem Alter"},
	}},
	{"Informationsveranstaltung: Risiko Cybercrime – was tun bei einem Hackerangriff", "Informationsveranstaltung", "2023-11-23T14:00", "2023-11-23T15:30", "Ratssaal", "Konstanz", nil, 41, []domain.AddTalk{
		{Speaker: "Markus Brandt", Organisation: "Kriminalprävention (extern)", Topic: "Risiko Cybercrime – was tun bei einem Hackerangriff"},
	}},
}

// loadDemoEvents plans the year's events with their walls, talks and
// attendance (through the command path, at 2023 times), and one event that
// runs now, so that the guest access can be tried.
func (m *Main) loadDemoEvents(ctx context.Context, people map[string]string, nextID func() string) error {
	now := time.Now().In(berlin)
	live := demoEvent{"Meet & Learn: Logbuch ausprobieren", "Meet & Learn", now.Add(-time.Hour).Format("2006-01-02T15:04"), now.Add(12 * time.Hour).Format("2006-01-02T15:04"), "online", "Konstanz",
		[]demoPost{{"p09", "Willkommen! Hier erscheinen Beiträge sofort bei allen – auch bei Gästen, die mit dem Code teilnehmen."}}, 0, nil}
	admin := people["p01"]
	for i, e := range append(demoEvents, live) {
		id := uuid.Must(uuid.NewV7()).String()
		// Events enter the roadmap six weeks ahead (not before the
		// digital office's admin joined on 9 January), so that the
		// dashboard "Stand am" a date before an event shows it planned.
		day := demoTime(e.start[:10])
		at := day.AddDate(0, 0, -42)
		if first := demoTime("2023-01-10"); at.Before(first) {
			at = first
		}
		if i == len(demoEvents) {
			at, day = now.Add(-time.Hour), now.Add(-4*time.Hour)
		}
		if _, err := domain.Execute(ctx, m.Commands, domain.Events, id, domain.Meta{CommandID: nextID(), Actor: admin, At: at, NewAggregate: true}, "PlanVeranstaltung",
			any(domain.PlanVeranstaltung{Title: e.title, Format: e.format, Start: e.start, End: e.end, Place: e.place, HostCity: e.city, GuestCode: web.NewGuestCode()})); err != nil {
			return fmt.Errorf("demo event %s: %w", e.title, err)
		}
		for _, p := range e.posts {
			if _, err := domain.Execute(ctx, m.Commands, domain.Wall, uuid.Must(uuid.NewV7()).String(), domain.Meta{CommandID: nextID(), Actor: people[p.author], At: day.Add(3 * time.Hour), NewAggregate: true}, "PostToWall",
				any(domain.PostToWall{Event: id, Text: p.text})); err != nil {
				return fmt.Errorf("demo post: %w", err)
			}
		}
		start, err := time.ParseInLocation("2006-01-02T15:04", e.start, berlin)
		if err != nil {
			return err
		}
		if e.format == "#KNmeetsHN" {
			if err := m.loadDemoWall(ctx, id, start, people, nextID); err != nil {
				return err
			}
		}
		for _, talk := range e.talks {
			if _, err := domain.Execute(ctx, m.Commands, domain.Events, id, domain.Meta{CommandID: nextID(), Actor: admin, At: start}, "AddTalk", any(talk)); err != nil {
				return fmt.Errorf("demo talk %s: %w", talk.Topic, err)
			}
		}
		if e.attendance > 0 {
			end, err := time.ParseInLocation("2006-01-02T15:04", e.end, berlin)
			if err != nil {
				return err
			}
			if _, err := domain.Execute(ctx, m.Commands, domain.Events, id, domain.Meta{CommandID: nextID(), Actor: admin, At: end.Add(time.Hour)}, "MarkHeld",
				any(domain.MarkHeld{Attendance: domain.Number(strconv.Itoa(e.attendance)), Now: end.Add(time.Hour)})); err != nil {
				return fmt.Errorf("demo held %s: %w", e.title, err)
			}
			if err := m.rateDemoEvent(ctx, people, id, i, end, nextID); err != nil {
				return err
			}
		}
	}
	return nil
}

// demoLogins makes one-click logins for a Lotsin, a member of the
// Lenkungsgruppe and an admin of the demo year.
func (m *Main) demoLogins(ctx context.Context, publicURL string) error {
	if err := m.waitReady(ctx); err != nil {
		return err
	}
	m.DemoLinks = map[string]string{}
	events, _ := m.Runner.Events()
	for _, e := range events {
		if !e.Over(time.Now()) && e.Start.Before(time.Now()) {
			m.DemoLinks["Gast"] = publicURL + "/gast?code=" + e.GuestCode
		}
	}
	for who, email := range map[string]string{
		"Lotsin":         demoEmail("Sophie Allmannsdorf"),
		"Lenkungsgruppe": demoEmail("Dr. Tobias Weingart"),
		"Admin":          demoEmail("Anja Brenner"),
	} {
		p, ok := m.Runner.PersonByEmail(email)
		if !ok || !p.Active {
			continue // the demo was changed since; no link for this one
		}
		link, err := web.CreateDemoLogin(ctx, m.Log, publicURL, p.ID)
		if err != nil {
			return err
		}
		m.DemoLinks[who] = link
	}
	return nil
}

// demoEmail invents an address from a name: vorname.nachname@konstanz.example.
func demoEmail(name string) string {
	name = strings.TrimPrefix(name, "Dr. ")
	r := strings.NewReplacer("ä", "ae", "ö", "oe", "ü", "ue", "ß", "ss", "Ä", "ae", "Ö", "oe", "Ü", "ue", "ı", "i", "İ", "i", " ", ".")
	return strings.ToLower(r.Replace(name)) + "@konstanz.example"
}
