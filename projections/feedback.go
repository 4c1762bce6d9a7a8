package projections

import (
	"encoding/json"
	"slices"
	"time"

	"logbuch/domain"
)

// BarrierReports is the read model of the reports about barriers, for the
// digital office.
type BarrierReports struct {
	Reports []BarrierReportView `json:"reports"` // in the order they came
}

// BarrierReportView is one report as the admins see it.
type BarrierReportView struct {
	ID       string    `json:"id"`
	Seq      uint64    `json:"seq"`
	At       time.Time `json:"at"`
	Actor    string    `json:"actor"`
	Page     string    `json:"page"`
	Text     string    `json:"text"`
	Answered bool      `json:"answered"`
	Note     string    `json:"note"`
}

// BarrierReportsViewName is the live view of the reports.
const BarrierReportsViewName = "rueckmeldungen"

// NewBarrierReports returns an empty model.
func NewBarrierReports() *BarrierReports { return &BarrierReports{} }

// Apply implements ReadModel.
func (m *BarrierReports) Apply(rec domain.Recorded) []string {
	id, ok := aggregateOf(rec.Subject, domain.Feedback.Kind)
	if !ok {
		return nil
	}
	for _, e := range rec.Events {
		switch d := e.Data.(type) {
		case domain.BarrierReported:
			m.Reports = append(m.Reports, BarrierReportView{ID: id, Seq: rec.Seq, At: e.At, Actor: e.Actor, Page: d.Page, Text: d.Text})
		case domain.BarrierReportAnswered:
			if i := slices.IndexFunc(m.Reports, func(r BarrierReportView) bool { return r.ID == id }); i >= 0 {
				m.Reports[i].Answered, m.Reports[i].Note = true, d.Note
			}
		}
	}
	return []string{BarrierReportsViewName}
}

func (m *BarrierReports) snapshotKey() string { return "barrier_reports" }

func (m *BarrierReports) marshalSnapshot() (json.RawMessage, error) { return json.Marshal(m) }

func (m *BarrierReports) restoreSnapshot(data json.RawMessage) (snapshotModel, error) {
	fresh := NewBarrierReports()
	if err := json.Unmarshal(data, fresh); err != nil {
		return nil, err
	}
	return fresh, nil
}

// BarrierReports returns the reports, newest first.
func (r *Runner) BarrierReports() ([]BarrierReportView, uint64) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := slices.Clone(r.feedback.Reports)
	slices.Reverse(out)
	return out, r.applied
}
