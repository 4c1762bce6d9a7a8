package main

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"logbuch/domain"
)

// The workshop wall of #KNmeetsHN 2023 in the demo: four parallel groups
// whose participants, Lotsen of both cities, recorded their results, with
// some formatting and a few "+1", all through the command handler.

var demoWorkshops = []string{
	"Inkubator DigitallotsInnen",
	"Quo vadis, Verwaltungskultur",
	"New Work: Arbeit ist keine Krankheit",
	"Nutzerzentrierung: Mal anders herum gedacht",
}

// demoWallPost is one result: by a Lotse (a person key of the demo) or by
// a guest from Heilbronn (guest set), with the "+1" of some people.
type demoWallPost struct {
	group      string
	author     string // a demo person key, or a guest id
	guest      string // the guest's display name ("" for staff)
	text       string
	minutes    int // after the workshops began
	plusOnesBy []string
}

var demoWallPosts = []demoWallPost{
	{"1", "p20", "", "**Patenschaften über Stadtgrenzen:** neue Lotsen bekommen eine Patin oder einen Paten aus der anderen Stadt.\n\n- erstes Treffen in den ersten vier Wochen\n- gemeinsame Sprechstunde einmal im Quartal", 20, []string{"p09", "p15"}},
	{"1", "gast-hn-demo-01", "Kerstin (Heilbronn)", "In Heilbronn hat sich ein *Steckbrief* pro Lotse bewährt: Wer bin ich, wobei kann ich helfen?", 35, []string{"p20"}},
	{"2", "p11", "", "**Fehlerkultur:** Fehler dürfen passieren, wenn wir offen darüber sprechen.\nVorschlag: eine „Fuck-up-Runde“ pro Meet & Learn.", 25, []string{"p18", "p22", "p24"}},
	{"2", "p24", "", "Führungskräfte einbinden:\n1. kurze Info in der Amtsleitungsrunde\n2. Lotsen berichten zweimal im Jahr", 50, nil},
	{"3", "p18", "", "**Mobile Arbeit braucht klare Absprachen im Team** – Erreichbarkeit, Ablage, Vertretung.", 30, []string{"p11"}},
	{"3", "gast-hn-demo-02", "Mehmet (Heilbronn)", "Unsere Teamvereinbarung als Vorlage: siehe [Digitalstrategie Heilbronn](https://www.heilbronn.de)", 45, nil},
	{"4", "p22", "", "**Formulare zuerst mit Bürgerinnen und Bürgern testen**, nicht erst nach dem Start.\n\n- fünf Personen reichen für den ersten Test\n- *Sprache:* einfach, ohne Amtsdeutsch", 25, []string{"p20", "p09"}},
	{"4", "p15", "", "Idee: Nutzerreise „Umzug nach Konstanz“ gemeinsam mit dem Bürgeramt aufzeichnen.", 55, []string{"p24"}},
}

// loadDemoWall gives an event its workshop groups, the participants' picks,
// the posted results and some "+1".
func (m *Main) loadDemoWall(ctx context.Context, event string, begin time.Time, people map[string]string, nextID func() string) error {
	admin := people["p01"]
	for _, name := range demoWorkshops {
		if _, err := domain.Execute(ctx, m.Commands, domain.Events, event, domain.Meta{CommandID: nextID(), Actor: admin, At: begin}, "AddWorkshopGroup", any(domain.AddWorkshopGroup{Name: name})); err != nil {
			return fmt.Errorf("demo workshop %s: %w", name, err)
		}
	}
	actorOf := func(key string) string {
		if id, ok := people[key]; ok {
			return id
		}
		return "guest:" + key
	}
	workshops := begin.Add(4 * time.Hour) // after the keynote and the visit
	for _, p := range demoWallPosts {
		author := actorOf(p.author)
		at := workshops.Add(time.Duration(p.minutes) * time.Minute)
		if _, err := domain.Execute(ctx, m.Commands, domain.Participations, domain.ParticipationID(event, author), domain.Meta{CommandID: nextID(), Actor: author, At: workshops}, "ChooseWorkshopGroup",
			any(domain.ChooseWorkshopGroup{Event: event, Group: p.group})); err != nil {
			return fmt.Errorf("demo group pick: %w", err)
		}
		post := uuid.Must(uuid.NewV7()).String()
		if _, err := domain.Execute(ctx, m.Commands, domain.Wall, post, domain.Meta{CommandID: nextID(), Actor: author, At: at, NewAggregate: true}, "PostToWall",
			any(domain.PostToWall{Event: event, Group: p.group, Text: p.text, GuestName: p.guest})); err != nil {
			return fmt.Errorf("demo wall post: %w", err)
		}
		for i, by := range p.plusOnesBy {
			plus := actorOf(by)
			if _, err := domain.Execute(ctx, m.Commands, domain.Wall, post, domain.Meta{CommandID: nextID(), Actor: plus, At: at.Add(time.Duration(i+1) * time.Minute)}, "PlusOneWallPost",
				any(domain.PlusOneWallPost{Event: event, Actor: plus})); err != nil {
				return fmt.Errorf("demo +1: %w", err)
			}
		}
	}
	return nil
}
