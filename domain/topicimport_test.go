package domain_test

import (
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"logbuch/domain"
)

func TestParseTopicImport(t *testing.T) {
	t.Run("semicolons, BOM, quotes, any column order, empty rows", func(t *testing.T) {
		file := "\uFEFFAmt;Titel;Beschreibung\r\n" +
			"Kämmerei;Rechnung freigeben;\"Wie gebe ich eine Rechnung frei; und wer zeichnet?\"\r\n" +
			";;\r\n" +
			"personal- und organisationsamt ;Urlaubsantrag;\"Zwei\nZeilen\"\r\n" +
			";Passwort vergessen;\r\n"
		rows, errs := domain.ParseTopicImport("b1", []byte(file))
		if len(errs) > 0 {
			t.Fatalf("errors: %v", errs)
		}
		want := []domain.ImportRow{
			{Line: 2, Title: "Rechnung freigeben", Description: "Wie gebe ich eine Rechnung frei; und wer zeichnet?", Amt: "Kämmerei"},
			{Line: 4, Title: "Urlaubsantrag", Description: "Zwei\nZeilen", Amt: "Personal- und Organisationsamt"},
			{Line: 6, Title: "Passwort vergessen"},
		}
		if !slices.Equal(rows, want) {
			t.Fatalf("got %+v\nwant %+v", rows, want)
		}
	})
	t.Run("commas, title only", func(t *testing.T) {
		rows, errs := domain.ParseTopicImport("b1", []byte("Titel\nE-Akte\n\"Drucker, Scanner\"\n"))
		if len(errs) > 0 || len(rows) != 2 || rows[1].Title != "Drucker, Scanner" {
			t.Fatalf("%+v %v", rows, errs)
		}
	})
	for name, c := range map[string]struct {
		file string
		want []importProblem
	}{
		"empty file":      {"", []importProblem{{Message: "Die Datei ist leer."}}},
		"header only":     {"Titel;Amt\n", []importProblem{{Message: "Die Datei enthält keine Themen (nur die Kopfzeile)."}}},
		"unknown column":  {"Titel;Farbe\nx;rot\n", []importProblem{{Line: 1, Message: "unbekannte Spalte „Farbe“ (erwartet: Titel, Beschreibung, Amt)"}}},
		"no title column": {"Beschreibung;Amt\nx;Archiv\n", []importProblem{{Line: 1, Message: "die Kopfzeile braucht eine Spalte „Titel“"}}},
		"bad lines are all named": {
			"Titel;Beschreibung;Amt\n" +
				"Gut;;Archiv\n" +
				";nur Beschreibung;Archiv\n" +
				"Zu viele;Spalten;Archiv;x\n" +
				strings.Repeat("L", domain.MaxTopicTitleLength+1) + ";;\n" +
				"Amt falsch;;Amt für Zauberei\n" +
				"gut;;\n",
			[]importProblem{
				{Line: 3, Message: "Bitte geben Sie einen Titel an."},
				{Line: 4, Message: "4 Spalten statt 3"},
				{Line: 5, Message: "Titel ist zu lang (151 Zeichen, höchstens 150)."},
				{Line: 6, Message: "unbekanntes Amt „Amt für Zauberei“"},
				{Line: 7, Message: "derselbe Titel wie in Zeile 2"},
			},
		},
		"invalid UTF-8 (Latin-1 export)": {"Titel;Amt\nK\xe4mmerei;\nok;\nauch \xfc;\n", []importProblem{
			{Line: 2, Message: "ungültige Zeichen (die Datei muss als UTF-8 gespeichert sein)"},
			{Line: 4, Message: "ungültige Zeichen (die Datei muss als UTF-8 gespeichert sein)"},
		}},
		"broken quote": {"Titel;Amt\n\"offen;Archiv\n", []importProblem{{Line: 2, Message: "ein Anführungszeichen ist nicht geschlossen oder steht mitten im Feld"}}},
	} {
		t.Run(name, func(t *testing.T) {
			rows, errs := domain.ParseTopicImport("b1", []byte(c.file))
			if got := saidErrors(errs); rows != nil || !slices.Equal(got, c.want) {
				t.Fatalf("got %+v %+v\nwant %+v", rows, got, c.want)
			}
		})
	}
	t.Run("too many rows", func(t *testing.T) {
		var b strings.Builder
		b.WriteString("Titel\n")
		for i := 0; i <= domain.MaxImportRows; i++ {
			b.WriteString("Thema " + strings.Repeat("x", i%7) + string(rune('a'+i%26)) + strconv.Itoa(i) + "\n")
		}
		rows, errs := domain.ParseTopicImport("b1", []byte(b.String()))
		if rows != nil || len(errs) != 1 || errs[0].Line != domain.MaxImportRows+2 {
			t.Fatalf("%d rows, %+v", len(rows), errs)
		}
	})
	t.Run("too big", func(t *testing.T) {
		_, errs := domain.ParseTopicImport("b1", make([]byte, domain.MaxImportBytes+1))
		if len(errs) != 1 || errs[0].Line != 0 {
			t.Fatalf("%+v", errs)
		}
	})
}

func TestImportCommands(t *testing.T) {
	rows := []domain.ImportRow{{Line: 2, Title: "A", Amt: "Archiv"}, {Line: 5, Title: "B", Description: "b"}}
	cmds, err := domain.ImportCommands("b1", "imp-0193", rows)
	if err != nil || len(cmds) != 2 {
		t.Fatalf("%+v %v", cmds, err)
	}
	if cmds[0].CommandID != "imp-0193-2" || cmds[1].CommandID != "imp-0193-5" {
		t.Fatalf("command ids %q %q", cmds[0].CommandID, cmds[1].CommandID)
	}
	if cmds[1].Cmd != (domain.ProposeTopic{Board: "b1", Title: "B", Description: "b", Source: domain.SourceSurvey}) {
		t.Fatalf("command %+v", cmds[1].Cmd)
	}
	again, _ := domain.ImportCommands("b1", "imp-0193", rows)
	other, _ := domain.ImportCommands("b1", "imp-0194", rows)
	if again[0] != cmds[0] || other[0].TopicID == cmds[0].TopicID || other[0].CommandID == cmds[0].CommandID || cmds[0].TopicID == cmds[1].TopicID {
		t.Fatal("ids depend on the import and the line only")
	}
	for _, c := range cmds {
		if !domain.ValidCommandID(c.CommandID) || !domain.ValidCommandID(c.TopicID) {
			t.Fatalf("invalid ids %+v", c)
		}
		if _, err := domain.Topics.Decide(domain.Topics.Initial, c.Cmd); err != nil {
			t.Fatalf("an imported row is refused: %v", err)
		}
	}
	for _, bad := range []string{"", "a.b", strings.Repeat("x", 51)} {
		if _, err := domain.ImportCommands("b1", bad, rows); domain.ErrorCode(err) != domain.EINVALID {
			t.Fatalf("import id %q: %v", bad, err)
		}
	}
}

// FuzzParseTopicImport: for any file, either rows or errors (never both,
// never neither); every row is a topic the decider accepts; errors name
// lines of the file.
func FuzzParseTopicImport(f *testing.F) {
	f.Add([]byte("Titel;Beschreibung;Amt\nRechnung;Wie?;Kämmerei\n"))
	f.Add([]byte("\uFEFFTitel,Amt\n\"a,b\",Archiv\n,\n"))
	f.Add([]byte("Titel\n\"offen\n"))
	f.Add([]byte("Titel;Amt\nK\xe4mmerei;\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		rows, errs := domain.ParseTopicImport("b1", data)
		if (len(rows) == 0) == (len(errs) == 0) {
			t.Fatalf("rows %d, errors %d: exactly one must be given", len(rows), len(errs))
		}
		lines := strings.Count(string(data), "\n") + 1
		for _, e := range errs {
			if e.Line < 0 || e.Line > lines || said(e.Message) == "" || !utf8.ValidString(said(e.Message)) {
				t.Fatalf("error %+v (file of %d lines)", e, lines)
			}
		}
		for _, r := range rows {
			if r.Line < 2 || r.Line > lines {
				t.Fatalf("row %+v (file of %d lines)", r, lines)
			}
			if _, err := domain.Topics.Decide(domain.Topics.Initial, domain.ProposeTopic{Board: "b1", Title: r.Title, Description: r.Description, Amt: r.Amt, Source: domain.SourceSurvey}); err != nil {
				t.Fatalf("row %+v is refused by the decider: %v", r, err)
			}
		}
	})
}

// importProblem is a refused line as a German reader sees it.
type importProblem struct {
	Line    int
	Message string
}

func saidErrors(errs []domain.ImportError) []importProblem {
	out := make([]importProblem, len(errs))
	for i, e := range errs {
		out[i] = importProblem{e.Line, said(e.Message)}
	}
	return out
}
