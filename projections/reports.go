package projections

import (
	"encoding/json"
	"slices"
	"strconv"
	"time"

	"logbuch/domain"
)

// Conclusions is the read model of the reports' Fazit und Ausblick: the
// current text of each year and every version, for the report's history.
type Conclusions struct {
	Years map[string]*ConclusionView `json:"years"`
}

// ConclusionView is one year's Fazit.
type ConclusionView struct {
	Seq      uint64              `json:"seq"`
	Rev      int                 `json:"rev"` // an edit sends this as base_rev
	Text     string              `json:"text"`
	Versions []ConclusionVersion `json:"versions"` // oldest first
}

// ConclusionVersion is one version: who wrote it, when.
type ConclusionVersion struct {
	Rev    int       `json:"rev"`
	At     time.Time `json:"at"`
	Actor  string    `json:"actor"`
	Text   string    `json:"text"`
	Merged bool      `json:"merged,omitempty"`
}

// ReportViewName is the live view of a year's report.
func ReportViewName(year int) string { return "bericht/" + strconv.Itoa(year) }

// NewConclusions returns an empty model.
func NewConclusions() *Conclusions { return &Conclusions{Years: map[string]*ConclusionView{}} }

// Apply implements ReadModel.
func (m *Conclusions) Apply(rec domain.Recorded) []string {
	year, ok := aggregateOf(rec.Subject, domain.Reports.Kind)
	if !ok {
		return nil
	}
	v := m.Years[year]
	if v == nil {
		v = &ConclusionView{Rev: 1}
		m.Years[year] = v
	}
	for _, e := range rec.Events {
		if d, ok := e.Data.(domain.ConclusionEdited); ok {
			v.Seq, v.Rev, v.Text = rec.Seq, d.Rev, d.Text
			v.Versions = append(slices.Clip(v.Versions), ConclusionVersion{Rev: d.Rev, At: e.At, Actor: e.Actor, Text: d.Text, Merged: d.Merged})
		}
	}
	y, _ := strconv.Atoi(year)
	return []string{ReportViewName(y)}
}

func (m *Conclusions) snapshotKey() string { return "conclusions" }

func (m *Conclusions) marshalSnapshot() (json.RawMessage, error) { return json.Marshal(m) }

func (m *Conclusions) restoreSnapshot(data json.RawMessage) (snapshotModel, error) {
	fresh := NewConclusions()
	if err := json.Unmarshal(data, fresh); err != nil {
		return nil, err
	}
	if fresh.Years == nil {
		return nil, ErrSnapshotInvalid
	}
	return fresh, nil
}

// Conclusion returns a year's Fazit und Ausblick (revision 1, empty, when
// nobody wrote one yet).
func (r *Runner) Conclusion(year int) ConclusionView {
	r.mu.RLock()
	defer r.mu.RUnlock()
	v := r.conclusions.Years[strconv.Itoa(year)]
	if v == nil {
		return ConclusionView{Rev: 1}
	}
	out := *v
	out.Versions = slices.Clone(v.Versions)
	return out
}
