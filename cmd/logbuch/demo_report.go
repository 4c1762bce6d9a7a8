package main

import (
	"context"
	"fmt"

	"logbuch/domain"
)

// The demo's annual report 2023: its Fazit und Ausblick, written by the
// digital office and completed by the Lenkungsgruppe in January 2024,
// through the command handler (two versions, the second based on the
// first).

var demoConclusion = []struct {
	author, date, text string
}{
	{"p01", "2024-01-15", "Das erste volle Jahr des Netzwerks: Die Digitallotsinnen und -lotsen haben sich in fast allen Ämtern etabliert. " +
		"Besonders gut angekommen sind die Meet & Learn-Termine und der Austausch mit Heilbronn bei #KNmeetsHN.\n\n" +
		"Ausblick 2024: Heilbronn lädt zu #KNmeetsHN ein; wir wollen mehr KNowHow-Videos veröffentlichen und neue Lotsen mit Patenschaften begleiten."},
	{"p02", "2024-01-22", "Das erste volle Jahr des Netzwerks: Die Digitallotsinnen und -lotsen haben sich in fast allen Ämtern etabliert. " +
		"Besonders gut angekommen sind die Meet & Learn-Termine und der Austausch mit Heilbronn bei #KNmeetsHN.\n\n" +
		"Ausblick 2024: Heilbronn lädt zu #KNmeetsHN ein; wir wollen mehr KNowHow-Videos veröffentlichen und neue Lotsen mit Patenschaften begleiten. " +
		"Die Lenkungsgruppe unterstützt dabei, in den Ämtern ohne Lotse jemanden zu gewinnen."},
}

// loadDemoConclusion writes the Fazit of the demo year.
func (m *Main) loadDemoConclusion(ctx context.Context, people map[string]string, nextID func() string) error {
	for i, v := range demoConclusion {
		cmd := domain.EditConclusion{BaseRev: domain.Number(fmt.Sprint(i + 1)), Text: v.text}
		if _, err := domain.Execute(ctx, m.Commands, domain.Reports, domain.ReportYearID(2023), domain.Meta{CommandID: nextID(), Actor: people[v.author], At: demoTime(v.date)}, "EditConclusion", any(cmd)); err != nil {
			return fmt.Errorf("demo Fazit: %w", err)
		}
	}
	return nil
}
