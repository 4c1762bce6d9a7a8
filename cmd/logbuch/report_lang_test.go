package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestReportInEnglish: `logbuch report --lang en` (or LOGBUCH_LANG=en)
// writes the annual report in English; German is the default; another
// language is refused.
func TestReportInEnglish(t *testing.T) {
	dir := t.TempDir()
	m := startLogbuchIn(t, dir, "--demo")
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	report := func(getenv func(string) string, args ...string) (string, string, error) {
		t.Helper()
		out := filepath.Join(t.TempDir(), "bericht.html")
		var stdout, stderr bytes.Buffer
		err := run(context.Background(), append([]string{"report", "--data-dir", dir, "--year", "2023", "--out", out}, args...), getenv, nil, &stdout, &stderr)
		b, _ := os.ReadFile(out)
		return string(b), stderr.String(), err
	}
	none := func(string) string { return "" }
	html, said, err := report(none, "--lang", "en")
	if err != nil {
		t.Fatalf("--lang en: %v (%s)", err, said)
	}
	for _, want := range []string{`<html lang="en">`, "<h1>Annual report 2023 – Digitallotsen</h1>", "What the key figures count", "Conclusion and outlook", `href="#kennzahl-aktive-lotsen"`} {
		if !strings.Contains(html, want) {
			t.Errorf("the English report does not contain %q", want)
		}
	}
	if !strings.Contains(said, "Annual report 2023 written: ") {
		t.Errorf("the command says, in English: %q", said)
	}
	html, _, err = report(func(k string) string {
		if k == "LOGBUCH_LANG" {
			return "en"
		}
		return ""
	})
	if err != nil || !strings.Contains(html, `<html lang="en">`) {
		t.Errorf("LOGBUCH_LANG=en: %v", err)
	}
	html, said, err = report(none)
	if err != nil || !strings.Contains(html, `<html lang="de">`) || !strings.Contains(html, "Jahresbericht 2023 – Digitallotsen") || !strings.Contains(said, "Jahresbericht 2023 geschrieben: ") {
		t.Errorf("the default is German: %v %q", err, said)
	}
	if _, _, err := report(none, "--lang", "fr"); err == nil || !strings.Contains(err.Error(), "--lang") {
		t.Errorf("--lang fr: %v", err)
	}
}
