package domain

import (
	"strconv"
	"time"
)

// The annual report writes itself from the record, except its closing
// words: the programme team writes *Fazit und Ausblick* in the app. One
// aggregate per year; every version is an event, co-edited under the same
// merge rules as a topic's description.

type (
	// EditConclusion writes a new version of a year's Fazit und Ausblick,
	// based on the version the writer saw.
	EditConclusion struct {
		BaseRev Number `json:"base_rev"`
		Text    string `json:"text"`
	}
	// ConclusionEdited: a new version of the Fazit (merged with a
	// concurrent one when Merged).
	ConclusionEdited struct {
		Rev     int    `json:"rev"`
		BaseRev int    `json:"base_rev"`
		Text    string `json:"text"`
		Merged  bool   `json:"merged,omitempty"`
	}
)

func (ConclusionEdited) EventType() string { return "ConclusionEdited" }

func init() { register[ConclusionEdited](1) }

// FieldConclusion is the form field of the Fazit.
const FieldConclusion = "text"

// AnnualReport is the state of one year's report.
type AnnualReport struct {
	Conclusion TextField
}

// ReportYearID is the aggregate id of a year's report.
func ReportYearID(year int) string { return strconv.Itoa(year) }

// ValidReportYear bounds the years a report can be written for.
func ValidReportYear(year int) bool { return year >= 2000 && year <= time.Now().Year()+1 }

// Reports is the decider of one year's report.
var Reports = Decider[AnnualReport, any]{
	Kind:    "bericht",
	Initial: AnnualReport{Conclusion: newTextField("")},
	Decide: func(s AnnualReport, cmd any) ([]Data, error) {
		c, ok := cmd.(EditConclusion)
		if !ok {
			return nil, Errorf(EINVALID, "err.unknown_action")
		}
		base, err := parseRev(c.BaseRev)
		if err != nil {
			return nil, err
		}
		res, err := editText(s.Conclusion, FieldConclusion, "field.conclusion", "", base, c.Text, MaxMergeLength, false, true)
		if err != nil || !res.Changed {
			return nil, err
		}
		return []Data{ConclusionEdited{Rev: s.Conclusion.Rev + 1, BaseRev: base, Text: res.Text, Merged: res.Merged}}, nil
	},
	Evolve: func(s AnnualReport, e Event) AnnualReport {
		if d, ok := e.Data.(ConclusionEdited); ok {
			s.Conclusion = s.Conclusion.with(d.Rev, d.Text)
		}
		return s
	},
}
