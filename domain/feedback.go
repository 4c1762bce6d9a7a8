package domain

// Feedback on barriers: the Erklärung zur Barrierefreiheit (BITV 2.0) must
// offer a way to report what someone cannot use. Each message is its own
// aggregate; the digital office marks it as answered.

type (
	// ReportBarrier sends a message about a barrier.
	ReportBarrier struct {
		Page string `json:"page"` // where it happened, in the sender's words
		Text string `json:"text"`
	}
	// BarrierReported: someone reported a barrier. The sender is the
	// envelope's actor (so an erasure hides them).
	BarrierReported struct {
		Page string `json:"page,omitempty"`
		Text string `json:"text"`
	}
	// AnswerBarrierReport records that the digital office took care of it.
	AnswerBarrierReport struct {
		Note string `json:"note"`
	}
	// BarrierReportAnswered: the report was taken care of.
	BarrierReportAnswered struct {
		Note string `json:"note,omitempty"`
	}
)

func (BarrierReported) EventType() string       { return "BarrierReported" }
func (BarrierReportAnswered) EventType() string { return "BarrierReportAnswered" }

func init() {
	register[BarrierReported](1)
	register[BarrierReportAnswered](1)
}

// Limits of barrier reports.
const (
	MaxBarrierText = 4000
	MaxBarrierPage = 200
)

// BarrierReport is the state of one report.
type BarrierReport struct {
	Exists   bool
	Answered bool
}

// Feedback is the decider of one barrier report.
var Feedback = Decider[BarrierReport, any]{
	Kind:    "rueckmeldung",
	Initial: BarrierReport{},
	Decide: func(s BarrierReport, cmd any) ([]Data, error) {
		switch c := cmd.(type) {
		case ReportBarrier:
			if s.Exists {
				return nil, Errorf(ECONFLICT, "err.feedback.duplicate")
			}
			page, err := cleanText("page", "field.page", c.Page, MaxBarrierPage, false, false)
			if err != nil {
				return nil, err
			}
			text, err := cleanText("text", "field.message", c.Text, MaxBarrierText, true, true)
			if err != nil {
				return nil, err
			}
			return []Data{BarrierReported{Page: page, Text: text}}, nil
		case AnswerBarrierReport:
			if !s.Exists {
				return nil, Errorf(ENOTFOUND, "err.feedback.not_found")
			}
			if s.Answered {
				return nil, Errorf(ECONFLICT, "err.feedback.already_answered")
			}
			note, err := cleanText("note", "field.note", c.Note, MaxBarrierText, false, true)
			if err != nil {
				return nil, err
			}
			return []Data{BarrierReportAnswered{Note: note}}, nil
		}
		return nil, Errorf(EINVALID, "err.unknown_action")
	},
	Evolve: func(s BarrierReport, e Event) BarrierReport {
		switch e.Data.(type) {
		case BarrierReported:
			s.Exists = true
		case BarrierReportAnswered:
			s.Answered = true
		}
		return s
	},
}
