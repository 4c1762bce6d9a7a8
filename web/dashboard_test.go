package web

import (
	"context"
	"slices"
	"testing"

	"logbuch/domain"
	"logbuch/projections"
	"logbuch/web/i18n"
)

// The feed tells each action as one whole sentence of the catalogue, in
// the reader's language, naming the role and the Amt, never the person;
// a moved topic's column is said by its stage's name.
func TestFeedSentences(t *testing.T) {
	de := i18n.With(context.Background(), i18n.For(i18n.German))
	en := i18n.With(context.Background(), i18n.For(i18n.English))
	lotsin := projections.Action{Actor: "p1", Role: domain.RoleLotse, Amt: "Kulturamt"}
	for _, c := range []struct {
		action projections.Action
		de, en string
	}{
		{with(lotsin, "TopicMoved", "Barrierefreie PDF", string(domain.StageScript)),
			"Ein:e Digitallots:in (Kulturamt) hat „Barrierefreie PDF“ in die Spalte „Drehbuch“ verschoben.",
			"A Digitallotse (Kulturamt) moved “Barrierefreie PDF” to the column “Script”."},
		{with(lotsin, "PreferenceSet", "Barrierefreie PDF", ""),
			"Ein:e Digitallots:in (Kulturamt) hat das Thema „Barrierefreie PDF“ bewertet.",
			"A Digitallotse (Kulturamt) rated the topic “Barrierefreie PDF”."},
		{with(projections.Action{Actor: "p2", Role: domain.RoleLenkungsgruppe}, "ConclusionEdited", "", ""),
			"Ein Mitglied der Lenkungsgruppe hat am Fazit des Jahresberichts geschrieben.",
			"A member of the Lenkungsgruppe worked on the conclusion of the annual report."},
		{with(projections.Action{Actor: "guest:x", Role: domain.RoleGuest}, "WallPostAdded", "#KNmeetsHN 2023", ""),
			"Ein Gast hat ein Ergebnis auf die Wand von „#KNmeetsHN 2023“ gestellt.",
			"A guest put a result on the wall of “#KNmeetsHN 2023”."},
		{with(projections.Action{Actor: domain.SystemActor}, "SomethingNew", "", ""),
			"Das Logbuch hat etwas im Logbuch festgehalten.",
			"Logbuch recorded something in the Logbuch."},
		// Taking part in something anonymous names no Amt: with one Lotse
		// per Amt it would name the person.
		{with(lotsin, "SurveyAnswered", "", ""),
			"Ein:e Digitallots:in hat an der Jahresumfrage teilgenommen.",
			"A Digitallotse took part in the annual survey."},
		{with(lotsin, "RatingGiven", "Meet & Learn: OZG 2.0", ""),
			"Ein:e Digitallots:in hat die Veranstaltung „Meet & Learn: OZG 2.0“ bewertet.",
			"A Digitallotse rated the event “Meet & Learn: OZG 2.0”."},
		{with(projections.Action{Actor: "p3", Role: domain.RoleAdmin}, "VeranstaltungHeld", "", ""),
			"Das Team Digitalisierung hat die Veranstaltung „ohne Titel“ als durchgeführt eingetragen.",
			"The Team Digitalisierung recorded the event “untitled” as held."},
	} {
		if got := feedSentence(de, c.action); got != c.de {
			t.Errorf("%s in German: %q, want %q", c.action.Kind, got, c.de)
		}
		if got := feedSentence(en, c.action); got != c.en {
			t.Errorf("%s in English: %q, want %q", c.action.Kind, got, c.en)
		}
	}
	// Every sentence of the table is in the catalogues.
	for kind, key := range feedSentences {
		if !i18n.For(i18n.German).Has(key) || !i18n.For(i18n.English).Has(key) {
			t.Errorf("%s: no text %s", kind, key)
		}
	}
}

func with(a projections.Action, kind, object, detail string) projections.Action {
	a.Kind, a.Object, a.Detail = kind, object, detail
	return a
}

// The CSV tables name their columns for people in the reader's language
// (figures by their key, which the glossary explains); months and formats
// are said in that language, numbers and dates stay as programs read them.
func TestDashboardCSVInEnglish(t *testing.T) {
	en := i18n.With(context.Background(), i18n.For(i18n.English))
	p := dashboardPage{F: projections.Figures{
		ByMonth:  []projections.MonthFigure{{Month: 3, Actions: 4}},
		ByFormat: []projections.FormatFigure{{Format: "Schulung", Held: 2, RatingShown: true, Average: 4.25}},
	}}
	months := dashboardTables["monate"](en, p)
	if !slices.Equal(months[0], []string{"month", projections.FigActions, projections.FigJoined, projections.FigLeft, projections.FigEventsHeld}) || months[1][0] != "March" {
		t.Errorf("months: %q", months)
	}
	formats := dashboardTables["formate"](en, p)
	if formats[0][0] != "format" || formats[1][0] != "Training" || formats[1][4] != "4.2" {
		t.Errorf("formats: %q", formats)
	}
	if got := ratingLabel(en, p.F.ByFormat[0]); got != "4.2 out of 5" {
		t.Errorf("rating in English: %q", got)
	}
	if got := ratingLabel(i18n.With(context.Background(), i18n.For(i18n.German)), p.F.ByFormat[0]); got != "4,2 von 5" {
		t.Errorf("rating in German: %q", got)
	}
}
