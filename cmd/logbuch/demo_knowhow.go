package main

import (
	"context"
	"fmt"
	"reflect"

	"github.com/google/uuid"

	"logbuch/domain"
)

// The KNowHow board of the demo year: survey topics imported from a CSV
// file, a Lotsin's own idea, comments, votes (one recorded by the
// facilitator for a Lotsin without a device), revealed; two teams; one
// Drehbuch in progress and one video produced and published. All through
// the real command path, at 2023 times.

// demoSurvey is the staff survey's export, as a spreadsheet writes it.
const demoSurvey = "\uFEFFTitel;Beschreibung;Amt\r\n" +
	"Urlaubsantrag im Personalportal;Wo beantrage ich Urlaub, und wie sehe ich, ob er genehmigt ist?;Personal- und Organisationsamt\r\n" +
	"Rechnung digital freigeben;Wie gebe ich eine Eingangsrechnung im Workflow frei, und wer zeichnet mit?;Kämmerei\r\n" +
	"Passwort zurücksetzen;Was tun, wenn das Passwort abgelaufen ist oder ich mich ausgesperrt habe?;Amt für Digitalisierung und IT\r\n" +
	"Dienstreiseantrag stellen;Wie beantrage ich eine Dienstreise und rechne sie danach ab?;Hauptamt\r\n" +
	"Besprechungsraum buchen;Wie finde und buche ich einen freien Raum mit Technik?;Hauptamt\r\n" +
	"Dateiablage: was gehört wohin?;Persönliches Laufwerk, Teamlaufwerk oder E-Akte – wohin mit welchem Dokument?;Archiv\r\n" +
	"Videokonferenz mit Externen;Wie lade ich Gäste von außerhalb der Verwaltung sicher ein?;Amt für Digitalisierung und IT\r\n"

// loadDemoKnowHow builds the board. people maps the demo keys to ids.
func (m *Main) loadDemoKnowHow(ctx context.Context, people map[string]string, nextID func() string) error {
	roles := map[string]domain.Role{}
	for _, p := range demoPeople {
		roles[p.key] = p.role
	}
	caller := func(key string) domain.Caller { return domain.Caller{Person: people[key], Role: roles[key]} }
	var last uint64
	exec := func(kind, id, actor, date string, newAggregate bool, cmd any) error {
		meta := domain.Meta{CommandID: nextID(), Actor: actor, At: demoTime(date), NewAggregate: newAggregate}
		name := reflect.TypeOf(cmd).Name()
		var res domain.Result
		var err error
		switch kind {
		case domain.Boards.Kind:
			res, err = domain.Execute(ctx, m.Commands, domain.Boards, id, meta, name, cmd)
		case domain.Topics.Kind:
			res, err = domain.Execute(ctx, m.Commands, domain.Topics, id, meta, name, cmd)
		default:
			res, err = domain.Execute(ctx, m.Commands, domain.Ballots, id, meta, name, cmd)
		}
		if err != nil {
			return fmt.Errorf("demo KNowHow %s: %w", name, err)
		}
		last = max(last, res.Seq)
		return nil
	}
	board := uuid.Must(uuid.NewV7()).String()
	if err := exec(domain.Boards.Kind, board, people["p01"], "2023-02-13", true, domain.CreateBoard{Title: "KNowHow 2023", Year: "2023", Facilitator: people["p01"], Budget: "5"}); err != nil {
		return err
	}
	rows, errs := domain.ParseTopicImport(board, []byte(demoSurvey))
	if len(errs) > 0 {
		return fmt.Errorf("demo survey: %v", errs)
	}
	imports, err := domain.ImportCommands(board, "demo-2023-umfrage", rows)
	if err != nil {
		return err
	}
	topics := make([]string, 0, len(imports)+1)
	for _, c := range imports {
		meta := domain.Meta{CommandID: c.CommandID, Actor: people["p01"], At: demoTime("2023-02-14"), NewAggregate: true}
		res, err := domain.Execute(ctx, m.Commands, domain.Topics, c.TopicID, meta, "ProposeTopic", any(c.Cmd))
		if err != nil {
			return fmt.Errorf("demo survey topic %q: %w", c.Cmd.Title, err)
		}
		last = max(last, res.Seq)
		topics = append(topics, c.TopicID)
	}
	urlaub, rechnung, passwort, raum := topics[0], topics[1], topics[2], topics[4]
	pdf := uuid.Must(uuid.NewV7()).String()
	topics = append(topics, pdf)
	steps := []struct {
		topic, key, date string
		cmd              any
	}{
		{pdf, "p20", "2023-02-15", domain.ProposeTopic{Board: board, Title: "Barrierefreie PDF erstellen", Description: "Wie mache ich aus einem Word-Dokument eine barrierefreie PDF (BITV 2.0)?", Source: domain.SourceLotse}},
		{rechnung, "p16", "2023-02-16", domain.CommentTopic{Text: "Das fragen bei uns alle paar Tage neue Kolleginnen und Kollegen."}},
		{urlaub, "p24", "2023-02-16", domain.CommentTopic{Text: "Gerne mit dem Hinweis, wo man den Resturlaub sieht."}},
		{urlaub, "p13", "2023-02-17", domain.EditTopicField{Field: domain.FieldDescription, BaseRev: "1", Text: "Wo beantrage ich Urlaub, wo sehe ich meinen Resturlaub, und wie sehe ich, ob er genehmigt ist?"}},
		{raum, "p18", "2023-02-20", domain.CommentTopic{Text: "Gibt es schon als Anleitung im Intranet – ich schlage vor, das Thema zu archivieren."}},
		{raum, "p01", "2023-02-21", domain.ArchiveTopic{}},
	}
	for _, s := range steps {
		_, isNew := s.cmd.(domain.ProposeTopic)
		if err := exec(domain.Topics.Kind, s.topic, people[s.key], s.date, isNew, s.cmd); err != nil {
			return err
		}
	}
	// The vote, on 1 March in the Meet & Learn: the board as it is then.
	if err := m.Runner.WaitFor(ctx, last); err != nil {
		return err
	}
	voting := m.Runner.VotingContext(board)
	votes := []struct {
		key   string
		dots  map[string]int
		needs map[string]int
	}{
		{"p07", map[string]int{urlaub: 2, pdf: 3}, map[string]int{urlaub: 4, pdf: 3}},
		{"p09", map[string]int{rechnung: 3, urlaub: 2}, map[string]int{rechnung: 5, passwort: 3}},
		{"p10", map[string]int{pdf: 2, passwort: 1}, map[string]int{pdf: 4}},
		{"p11", map[string]int{urlaub: 3, rechnung: 1}, map[string]int{urlaub: 5, rechnung: 4}},
		{"p12", map[string]int{urlaub: 5}, map[string]int{urlaub: 5}},
		{"p13", map[string]int{urlaub: 3, passwort: 2}, map[string]int{urlaub: 4, passwort: 4}},
		{"p14", map[string]int{rechnung: 2, topics[5]: 3}, map[string]int{topics[5]: 4}},
		{"p16", map[string]int{rechnung: 4, urlaub: 1}, map[string]int{rechnung: 5}}, // recorded by the facilitator
		{"p18", map[string]int{topics[3]: 2, topics[6]: 3}, map[string]int{topics[3]: 3, topics[6]: 4}},
		{"p20", map[string]int{pdf: 4, urlaub: 1}, map[string]int{pdf: 5, urlaub: 3}},
		{"p22", map[string]int{topics[6]: 2, rechnung: 2, urlaub: 1}, map[string]int{topics[6]: 3}},
		{"p24", map[string]int{urlaub: 3, rechnung: 2}, map[string]int{urlaub: 5, rechnung: 4}},
	}
	for _, v := range votes {
		by := caller(v.key)
		if v.key == "p16" {
			by = caller("p01")
		}
		ballot := domain.BallotID(board, people[v.key])
		for _, t := range topics {
			if n, ok := v.dots[t]; ok {
				if err := exec(domain.Ballots.Kind, ballot, by.Person, "2023-03-01", false,
					domain.SetPreference{Board: board, Voter: people[v.key], Topic: t, Dots: domain.Number(fmt.Sprint(n)), By: by, Voting: voting}); err != nil {
					return err
				}
			}
			if n, ok := v.needs[t]; ok {
				if err := exec(domain.Ballots.Kind, ballot, by.Person, "2023-03-01", false,
					domain.SetNeed{Board: board, Voter: people[v.key], Topic: t, Need: domain.Number(fmt.Sprint(n)), By: by, Voting: voting}); err != nil {
					return err
				}
			}
		}
	}
	facilitator := caller("p01")
	for _, cmd := range []any{domain.CloseVoting{By: facilitator}, domain.RevealVotes{By: facilitator}} {
		if err := exec(domain.Boards.Kind, board, people["p01"], "2023-03-01", false, cmd); err != nil {
			return err
		}
	}
	// Two teams: the Urlaubsantrag goes all the way, the Rechnung is in its
	// Drehbuch.
	pipeline := []struct {
		topic, key, date string
		cmd              any
	}{
		{urlaub, "p13", "2023-03-06", domain.JoinTeam{By: caller("p13")}},
		{urlaub, "p24", "2023-03-06", domain.JoinTeam{By: caller("p24")}},
		{urlaub, "p11", "2023-03-07", domain.JoinTeam{By: caller("p11")}},
		{rechnung, "p09", "2023-03-06", domain.JoinTeam{By: caller("p09")}},
		{rechnung, "p16", "2023-03-08", domain.JoinTeam{By: caller("p16")}},
		{urlaub, "p01", "2023-03-08", domain.MoveTopic{To: domain.StageSelected}},
		{rechnung, "p01", "2023-03-08", domain.MoveTopic{To: domain.StageSelected}},
		{urlaub, "p13", "2023-03-20", domain.MoveTopic{To: domain.StageScript}},
		{urlaub, "p13", "2023-03-21", domain.AddScene{Shown: "Startseite des Intranets, Klick auf „Personalportal“", Said: "Ihren Urlaub beantragen Sie im Personalportal – hier finden Sie es.", Seconds: "15", By: caller("p13")}},
		{urlaub, "p24", "2023-03-22", domain.AddScene{Shown: "Formular „Urlaubsantrag“ mit Kalender", Said: "Wählen Sie die Tage im Kalender; der Resturlaub steht oben rechts.", Seconds: "30", By: caller("p24")}},
		{urlaub, "p11", "2023-03-23", domain.AddScene{Shown: "Übersicht „Meine Anträge“ mit Status", Said: "Unter „Meine Anträge“ sehen Sie, ob Ihr Urlaub genehmigt ist.", Seconds: "20", By: caller("p11")}},
		{urlaub, "p13", "2023-03-24", domain.AddScene{After: domain.SceneAtStart, Shown: "Titel: KNowHow – Urlaub beantragen", Said: "KNowHow: Urlaub beantragen in zwei Minuten.", Seconds: "5", By: caller("p13")}},
		{urlaub, "p24", "2023-03-27", domain.EditScene{Scene: "s2", Field: domain.FieldSaid, BaseRev: "1", Text: "Wählen Sie die Tage im Kalender und senden Sie den Antrag ab; der Resturlaub steht oben rechts.", By: caller("p24")}},
		{urlaub, "p13", "2023-04-03", domain.MoveTopic{To: domain.StageProduced}},
		{urlaub, "p24", "2023-05-15", domain.RecordVideo{URL: "https://intranet.konstanz.example/knowhow/urlaub-beantragen", Duration: "1:52", Tool: "Powtoon", By: caller("p24")}},
		{urlaub, "p01", "2023-05-22", domain.PublishVideo{}},
		{rechnung, "p09", "2023-04-12", domain.MoveTopic{To: domain.StageScript}},
		{rechnung, "p09", "2023-04-13", domain.AddScene{Shown: "Posteingang im Rechnungsworkflow", Said: "Neue Rechnungen landen in Ihrem Posteingang.", Seconds: "20", By: caller("p09")}},
		{rechnung, "p16", "2023-04-14", domain.AddScene{Shown: "Schaltfläche „Sachlich richtig“", Said: "Prüfen Sie die Rechnung und bestätigen Sie mit „Sachlich richtig“.", Seconds: "25", By: caller("p16")}},
	}
	for _, s := range pipeline {
		if err := exec(domain.Topics.Kind, s.topic, people[s.key], s.date, false, s.cmd); err != nil {
			return err
		}
	}
	return nil
}
