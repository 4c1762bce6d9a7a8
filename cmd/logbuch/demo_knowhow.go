package main

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/google/uuid"

	"logbuch/domain"
)

// The KNowHow board of the demo year: the staff survey's topics imported
// from a CSV file, one Lotsin's own proposal, the votes (one recorded by
// the facilitator for a colleague without a device), revealed; two teams;
// a Drehbuch; one video produced and published. Everything goes through the
// same command path as a click, at 2023 times.

const demoSurveyCSV = `Titel;Beschreibung;Amt
Urlaubsantrag im Mitarbeiterportal stellen;Wo finde ich den Antrag, und wer gibt ihn frei?;Personal- und Organisationsamt
Dienstreise beantragen und abrechnen;Welche Formulare, welche Fristen, wie kommt das Geld zurück?;Kämmerei
Dateien sicher mit Externen teilen;Anhänge sind zu groß – wie teile ich Dateien mit Büros außerhalb der Stadt?;Amt für Digitalisierung und IT
Videokonferenz: Bildschirm teilen und Gruppenräume;Wie teile ich nur ein Fenster, und wie verteile ich Leute auf Räume?;Hauptamt
Passwort-Manager einrichten;Wie richte ich ihn ein, und was tue ich, wenn ich das Hauptpasswort vergesse?;Amt für Digitalisierung und IT
E-Rechnung prüfen und freigeben;Wie läuft die Freigabe im Workflow, wer zeichnet was?;Kämmerei
Besprechungsraum im Kalender buchen;Wie sehe ich, ob ein Raum frei ist, und buche ihn mit?;Hauptamt
Phishing-Mails erkennen und melden;Woran erkenne ich eine gefälschte Mail, und wohin melde ich sie?;Amt für Digitalisierung und IT
`

// demoVotes: who gave how many dots and what need, per topic (by line of
// the survey file: 2 is the first topic).
var demoVotes = []struct {
	who   string
	dots  map[int]int
	needs map[int]int
}{
	{"p07", map[int]int{9: 3, 6: 2}, map[int]int{9: 5, 6: 4, 2: 3}},
	{"p09", map[int]int{9: 2, 4: 2, 2: 1}, map[int]int{9: 5, 4: 4, 2: 4}},
	{"p10", map[int]int{6: 3, 9: 2}, map[int]int{6: 5, 9: 4}},
	{"p11", map[int]int{9: 4, 5: 1}, map[int]int{9: 5, 5: 3}},
	{"p12", map[int]int{2: 3, 8: 2}, map[int]int{2: 4, 8: 3}},
	{"p14", map[int]int{3: 2, 9: 3}, map[int]int{3: 4, 9: 5}},
	{"p16", map[int]int{7: 5}, map[int]int{7: 5, 3: 3}},
	{"p18", map[int]int{9: 3, 4: 2}, map[int]int{9: 4, 4: 5}},
	{"p20", map[int]int{6: 4, 10: 1}, map[int]int{6: 5, 10: 4}},
	{"p22", map[int]int{9: 2, 10: 3}, map[int]int{9: 5, 10: 5}},
	{"p23", map[int]int{4: 3, 2: 2}, map[int]int{4: 3, 2: 4}},
}

// demoScenes is the Drehbuch of the published video.
var demoScenes = []domain.AddScene{
	{Shown: "Ein Posteingang; eine Mail „Ihr Konto wird gesperrt“ blinkt auf.", Said: "Montagmorgen, 8 Uhr: Ihr Konto soll gesperrt werden. Wirklich?", Seconds: "20"},
	{Shown: "Der Absender wird vergrößert: rathaus-konstanz.example-login.com.", Said: "Schauen Sie zuerst auf den Absender. Die Stadt schreibt nie von fremden Adressen.", Seconds: "45"},
	{Shown: "Mauszeiger über dem Link, die echte Adresse erscheint.", Said: "Fahren Sie mit der Maus über den Link, ohne zu klicken: Wohin führt er wirklich?", Seconds: "50"},
	{Shown: "Die Schaltfläche „Phishing melden“ in Outlook.", Said: "Im Zweifel: nicht klicken, sondern melden. Ein Klick auf „Phishing melden“ genügt – die IT kümmert sich.", Seconds: "70"},
}

// loadDemoKnowhow builds the board of 2023.
func (m *Main) loadDemoKnowhow(ctx context.Context, people map[string]string, nextID func() string) error {
	var last uint64
	run := func(d string, actor string, newAgg bool, name string, exec func(domain.Meta) (domain.Result, error)) error {
		at, err := time.ParseInLocation("2006-01-02 15:04", d, berlin)
		if err != nil {
			return err
		}
		res, err := exec(domain.Meta{CommandID: nextID(), Actor: actor, At: at, NewAggregate: newAgg})
		if err != nil {
			return fmt.Errorf("demo KNowHow %s: %w", name, err)
		}
		last = max(last, res.Seq)
		return nil
	}
	admin, facilitator := people["p01"], people["p09"]
	caller := func(key string) domain.Caller {
		role := domain.RoleLotse
		if key == "p01" {
			role = domain.RoleAdmin
		}
		return domain.Caller{Person: people[key], Role: role}
	}
	board := uuid.Must(uuid.NewV7()).String()
	onBoard := func(d, actor, name string, cmd any) error {
		return run(d, actor, false, name, func(meta domain.Meta) (domain.Result, error) {
			return domain.Execute(ctx, m.Commands, domain.Boards, board, meta, name, cmd)
		})
	}
	if err := run("2023-02-15 10:00", admin, true, "CreateBoard", func(meta domain.Meta) (domain.Result, error) {
		return domain.Execute(ctx, m.Commands, domain.Boards, board, meta, "CreateBoard",
			any(domain.CreateBoard{Title: "KNowHow 2023", Year: "2023", Facilitator: facilitator, Budget: "5", By: caller("p01")}))
	}); err != nil {
		return err
	}
	// The survey's topics, as the facilitator imports them.
	rows, bad := domain.ParseTopicImport(board, []byte(demoSurveyCSV))
	if len(bad) > 0 {
		return fmt.Errorf("demo survey: %v", bad)
	}
	cmds, err := domain.ImportCommands(board, "demo-2023-umfrage", rows)
	if err != nil {
		return err
	}
	topics := map[int]string{} // line of the survey → topic
	for _, c := range cmds {
		line, _ := strconv.Atoi(c.CommandID[len("demo-2023-umfrage-"):])
		topics[line] = c.TopicID
		if err := run("2023-02-20 09:00", facilitator, false, "ProposeTopic", func(meta domain.Meta) (domain.Result, error) {
			meta.CommandID = c.CommandID
			return domain.Execute(ctx, m.Commands, domain.Topics, c.TopicID, meta, "ProposeTopic", any(c.Cmd))
		}); err != nil {
			return err
		}
	}
	// A Lotsin's own idea.
	topics[10] = uuid.Must(uuid.NewV7()).String()
	topic := func(line int, d, who, name string, cmd any) error {
		return run(d, people[who], false, name, func(meta domain.Meta) (domain.Result, error) {
			return domain.Execute(ctx, m.Commands, domain.Topics, topics[line], meta, name, cmd)
		})
	}
	if err := topic(10, "2023-02-22 14:00", "p20", "ProposeTopic", domain.ProposeTopic{Board: board, Title: "Barrierefreie PDF-Dokumente erstellen",
		Description: "Viele Formulare sind für Screenreader nicht lesbar. Wie exportiere ich aus Word ein barrierefreies PDF?", Amt: "Kulturamt", Source: domain.SourceLotse}); err != nil {
		return err
	}
	if err := m.Runner.WaitFor(ctx, last); err != nil {
		return err
	}
	// The votes, in the first week of March; the facilitator records the
	// votes of a colleague who came without a laptop.
	voting := m.Runner.VotingContext(board)
	vote := func(who, by string, line int, name string, cmd any) error {
		return run("2023-03-0"+strconv.Itoa(2+len(who)%5)+" 10:00", people[by], false, name, func(meta domain.Meta) (domain.Result, error) {
			return domain.Execute(ctx, m.Commands, domain.Ballots, domain.BallotID(board, people[who]), meta, name, cmd)
		})
	}
	for _, v := range demoVotes {
		for line := 2; line <= 10; line++ {
			if d, ok := v.dots[line]; ok {
				if err := vote(v.who, v.who, line, "SetPreference", domain.SetPreference{Board: board, Topic: topics[line], Dots: domain.Number(strconv.Itoa(d)), By: caller(v.who), Voting: voting}); err != nil {
					return err
				}
			}
			if n, ok := v.needs[line]; ok {
				if err := vote(v.who, v.who, line, "SetNeed", domain.SetNeed{Board: board, Topic: topics[line], Need: domain.Number(strconv.Itoa(n)), By: caller(v.who), Voting: voting}); err != nil {
					return err
				}
			}
		}
	}
	if err := vote("p24", "p09", 7, "SetPreference", domain.SetPreference{Board: board, Voter: people["p24"], Topic: topics[7], Dots: "2", By: caller("p09"), Voting: voting}); err != nil {
		return err
	}
	if err := vote("p24", "p09", 7, "SetNeed", domain.SetNeed{Board: board, Voter: people["p24"], Topic: topics[7], Need: "4", By: caller("p09"), Voting: voting}); err != nil {
		return err
	}
	if err := onBoard("2023-03-10 11:00", facilitator, "CloseVoting", domain.CloseVoting{By: caller("p09")}); err != nil {
		return err
	}
	if err := onBoard("2023-03-10 11:05", facilitator, "RevealVotes", domain.RevealVotes{By: caller("p09")}); err != nil {
		return err
	}
	// Two teams form; Phishing goes all the way, the password manager is
	// in its Drehbuch; the holiday request is selected and waits for a team.
	steps := []struct {
		line     int
		date, by string
		name     string
		cmd      any
	}{
		{9, "2023-03-15 09:00", "p11", "MoveTopic", domain.MoveTopic{To: domain.StageSelected}},
		{6, "2023-03-15 09:05", "p20", "MoveTopic", domain.MoveTopic{To: domain.StageSelected}},
		{2, "2023-03-15 09:10", "p09", "MoveTopic", domain.MoveTopic{To: domain.StageSelected}},
		{9, "2023-03-16 10:00", "p11", "JoinTeam", domain.JoinTeam{By: caller("p11")}},
		{9, "2023-03-16 10:20", "p18", "JoinTeam", domain.JoinTeam{By: caller("p18")}},
		{9, "2023-03-17 08:30", "p22", "JoinTeam", domain.JoinTeam{By: caller("p22")}},
		{6, "2023-03-16 11:00", "p20", "JoinTeam", domain.JoinTeam{By: caller("p20")}},
		{6, "2023-03-20 15:00", "p10", "JoinTeam", domain.JoinTeam{By: caller("p10")}},
		{9, "2023-04-03 09:00", "p11", "MoveTopic", domain.MoveTopic{To: domain.StageScript}},
		{6, "2023-09-04 09:00", "p20", "MoveTopic", domain.MoveTopic{To: domain.StageScript}},
		{9, "2023-04-05 13:00", "p18", "CommentTopic", domain.CommentTopic{Text: "Die IT-Sicherheit schaut sich das Drehbuch vor dem Dreh an."}},
	}
	for _, s := range steps {
		if err := topic(s.line, s.date, s.by, s.name, s.cmd); err != nil {
			return err
		}
	}
	writers := []string{"p11", "p18", "p22", "p11"}
	for i, sc := range demoScenes {
		sc.By = caller(writers[i])
		if err := topic(9, fmt.Sprintf("2023-04-%02d 10:00", 10+i*3), writers[i], "AddScene", sc); err != nil {
			return err
		}
	}
	for i, sc := range []domain.AddScene{
		{Shown: "Ein Zettel mit Passwörtern am Bildschirm.", Said: "Kennen Sie das? Zwölf Passwörter, und keines merkt man sich.", Seconds: "25"},
		{Shown: "Der Passwort-Manager öffnet sich.", Said: "Mit dem Passwort-Manager merken Sie sich nur noch eines.", Seconds: "40"},
	} {
		sc.By = caller("p20")
		if err := topic(6, fmt.Sprintf("2023-09-%02d 10:00", 11+i), "p20", "AddScene", sc); err != nil {
			return err
		}
	}
	if err := topic(9, "2023-05-10 09:00", "p22", "MoveTopic", domain.MoveTopic{To: domain.StageProduced}); err != nil {
		return err
	}
	if err := topic(9, "2023-06-20 16:00", "p22", "RecordVideo", domain.RecordVideo{URL: "https://intranet.konstanz.example/knowhow/phishing-erkennen", Duration: "3:05", Tool: "Camtasia", By: caller("p22")}); err != nil {
		return err
	}
	if err := topic(9, "2023-06-28 09:00", "p09", "PublishVideo", domain.PublishVideo{}); err != nil {
		return err
	}
	if err := m.Runner.WaitFor(ctx, last); err != nil {
		return err
	}
	return m.loadDemoNextBoard(ctx, people, nextID)
}

// loadDemoNextBoard opens the next campaign, run by the demo Lotsin, with
// voting still open, so that voting and the facilitator's controls can be
// tried out.
func (m *Main) loadDemoNextBoard(ctx context.Context, people map[string]string, nextID func() string) error {
	at := func(d string) time.Time {
		t, err := time.ParseInLocation("2006-01-02 15:04", d, berlin)
		if err != nil {
			panic(err)
		}
		return t
	}
	board := uuid.Must(uuid.NewV7()).String()
	res, err := domain.Execute(ctx, m.Commands, domain.Boards, board, domain.Meta{CommandID: nextID(), Actor: people["p01"], At: at("2024-01-22 10:00"), NewAggregate: true}, "CreateBoard",
		any(domain.CreateBoard{Title: "KNowHow 2024", Year: "2024", Facilitator: people["p20"], Budget: "4", By: domain.Caller{Person: people["p01"], Role: domain.RoleAdmin}}))
	if err != nil {
		return fmt.Errorf("demo KNowHow 2024: %w", err)
	}
	for i, p := range []struct{ who, title, desc, amt string }{
		{"p18", "Digitale Signatur im Dokumentenmanagement", "Wie unterschreibe ich ein Dokument digital, und wann ist das erlaubt?", "Hauptamt"},
		{"p24", "Online-Terminvergabe im Bürgeramt erklären", "Was sehen Bürgerinnen und Bürger, und wie verschiebe ich einen Termin?", "Bürgeramt"},
		{"p14", "KI-Assistenten sicher nutzen", "Was darf ich eingeben, was nicht? Datenschutz in einfachen Worten.", "Amt für Digitalisierung und IT"},
	} {
		res, err = domain.Execute(ctx, m.Commands, domain.Topics, uuid.Must(uuid.NewV7()).String(), domain.Meta{CommandID: nextID(), Actor: people[p.who], At: at(fmt.Sprintf("2024-01-%02d 09:00", 23+i)), NewAggregate: true}, "ProposeTopic",
			any(domain.ProposeTopic{Board: board, Title: p.title, Description: p.desc, Amt: p.amt, Source: domain.SourceLotse}))
		if err != nil {
			return fmt.Errorf("demo KNowHow 2024 topic: %w", err)
		}
	}
	return m.Runner.WaitFor(ctx, res.Seq)
}
