package domain

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"
)

// Import of survey topics. The staff survey lives in a spreadsheet; its
// export is a CSV file with a header row and the columns Titel,
// Beschreibung and Amt (only Titel is required; the order is free), separated
// by ";" (German spreadsheets) or ",", in UTF-8 with or without a byte order
// mark. ParseTopicImport reads it for a preview, or names every bad line;
// the web layer imports nothing if there is any error, and otherwise runs
// the commands of ImportCommands, whose ids depend only on the import and
// the line, so that a retried import completes exactly once.

// Limits of an import.
const (
	MaxImportBytes = 1 << 20
	MaxImportRows  = 500
)

// ImportRow is one topic of the file, cleaned.
type ImportRow struct {
	Line        int    `json:"line"` // 1 is the header
	Title       string `json:"title"`
	Description string `json:"description,omitempty"`
	Amt         string `json:"amt,omitempty"`
}

// ImportError is a problem with one line (0: the file as a whole).
type ImportError struct {
	Line    int `json:"line"`
	Message Msg `json:"message"`
}

// importColumns maps accepted header names to the fields.
var importColumns = map[string]string{
	"titel": FieldTitle, "thema": FieldTitle,
	"beschreibung": FieldDescription, "frage": FieldDescription,
	"amt": "amt", "herkunft": "amt",
}

// ParseTopicImport reads a survey export. Either rows (at least one) or
// errors come back, never both.
func ParseTopicImport(board string, data []byte) ([]ImportRow, []ImportError) {
	if len(data) > MaxImportBytes {
		return nil, []ImportError{{Message: M("err.import.too_big", MaxImportBytes>>10)}}
	}
	data = bytes.TrimPrefix(data, []byte("\uFEFF"))
	if bad := invalidUTF8Lines(data); len(bad) > 0 {
		errs := make([]ImportError, len(bad))
		for i, l := range bad {
			errs[i] = ImportError{Line: l, Message: M("err.import.invalid_utf8")}
		}
		return nil, errs
	}
	header, _, _ := bytes.Cut(data, []byte("\n"))
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	if bytes.Count(header, []byte(";")) > bytes.Count(header, []byte(",")) {
		r.Comma = ';'
	}
	head, err := r.Read()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return nil, []ImportError{{Message: M("err.import.empty")}}
		}
		return nil, []ImportError{csvError(err)}
	}
	cols := map[string]int{}
	var errs []ImportError
	for i, h := range head {
		name := strings.ToLower(strings.TrimSpace(h))
		field, ok := importColumns[name]
		if !ok {
			errs = append(errs, ImportError{Line: 1, Message: M("err.import.unknown_column", clipText(h, 40))})
			continue
		}
		if _, dup := cols[field]; dup {
			errs = append(errs, ImportError{Line: 1, Message: M("err.import.duplicate_column", clipText(h, 40))})
		}
		cols[field] = i
	}
	if _, ok := cols[FieldTitle]; !ok {
		errs = append(errs, ImportError{Line: 1, Message: M("err.import.no_title_column")})
	}
	if len(errs) > 0 {
		return nil, errs
	}
	var rows []ImportRow
	titles := map[string]int{}
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			// A broken quote makes the rest of the file unreadable.
			errs = append(errs, csvError(err))
			break
		}
		line, _ := r.FieldPos(0)
		if allBlank(rec) {
			continue // spreadsheets export empty rows as ";;"
		}
		if len(rec) != len(head) {
			errs = append(errs, ImportError{Line: line, Message: M("err.import.column_count", len(rec), len(head))})
			continue
		}
		if len(rows)+len(errs) >= MaxImportRows {
			errs = append(errs, ImportError{Line: line, Message: M("err.import.too_many_rows", MaxImportRows)})
			break
		}
		get := func(field string) string {
			if i, ok := cols[field]; ok {
				return rec[i]
			}
			return ""
		}
		amt := canonicalAmt(get("amt"))
		p, err := CleanTopic(ProposeTopic{Board: board, Title: get(FieldTitle), Description: get(FieldDescription), Amt: amt, Source: SourceSurvey})
		if err != nil {
			msg := ErrorMessage(err)
			if ErrorField(err) == "amt" {
				msg = M("err.import.unknown_amt", clipText(get("amt"), 60))
			}
			errs = append(errs, ImportError{Line: line, Message: msg})
			continue
		}
		key := strings.ToLower(p.Title)
		if first, dup := titles[key]; dup {
			errs = append(errs, ImportError{Line: line, Message: M("err.import.duplicate_title", first)})
			continue
		}
		titles[key] = line
		rows = append(rows, ImportRow{Line: line, Title: p.Title, Description: p.Description, Amt: p.Amt})
	}
	if len(errs) > 0 {
		return nil, errs
	}
	if len(rows) == 0 {
		return nil, []ImportError{{Message: M("err.import.no_topics")}}
	}
	return rows, nil
}

func csvError(err error) ImportError {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		msg := M("err.import.invalid_csv")
		if errors.Is(pe.Err, csv.ErrQuote) || errors.Is(pe.Err, csv.ErrBareQuote) {
			msg = M("err.import.bad_quote")
		}
		return ImportError{Line: pe.StartLine, Message: msg}
	}
	return ImportError{Message: M("err.import.unreadable")}
}

// invalidUTF8Lines lists the lines (from 1) that are not valid UTF-8.
func invalidUTF8Lines(data []byte) []int {
	if utf8.Valid(data) {
		return nil
	}
	var out []int
	for i, line := range bytes.Split(data, []byte("\n")) {
		if !utf8.Valid(line) {
			out = append(out, i+1)
			if len(out) >= 20 {
				break
			}
		}
	}
	return out
}

func allBlank(rec []string) bool {
	for _, f := range rec {
		if strings.TrimSpace(f) != "" {
			return false
		}
	}
	return true
}

// canonicalAmt matches an Amt regardless of case and surrounding space.
func canonicalAmt(s string) string {
	s = strings.TrimSpace(s)
	for _, a := range Aemter {
		if strings.EqualFold(a, s) {
			return a
		}
	}
	return s
}

func clipText(s string, n int) string {
	s = strings.ToValidUTF8(s, "?")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}

// ImportCommand is one ProposeTopic of an import, with ids that depend only
// on the import and the line.
type ImportCommand struct {
	CommandID string
	TopicID   string
	Cmd       ProposeTopic
}

var importNamespace = uuid.MustParse("0d7e3b8a-51c4-4f4e-8a52-6f1b9e2d7c10")

// ImportCommands turns the rows of one import into commands. importID is
// chosen once per import (e.g. a UUID made when the preview was shown) and
// must be a valid command id of at most 50 characters; running the same
// commands again (a retried import) applies each row exactly once.
func ImportCommands(board, importID string, rows []ImportRow) ([]ImportCommand, error) {
	if !ValidCommandID(importID) || len(importID) > 50 {
		return nil, Errorf(EINVALID, "err.import.invalid_id")
	}
	out := make([]ImportCommand, len(rows))
	for i, r := range rows {
		line := strconv.Itoa(r.Line)
		out[i] = ImportCommand{
			CommandID: importID + "-" + line,
			TopicID:   uuid.NewSHA1(importNamespace, []byte(importID+"/"+line)).String(),
			Cmd:       ProposeTopic{Board: board, Title: r.Title, Description: r.Description, Amt: r.Amt, Source: SourceSurvey},
		}
	}
	return out, nil
}
