package projections

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"time"

	"logbuch/domain"
)

// SurveyResults is what is known of the anonymous annual survey of one
// year: participation and, per item, the released answers. Counts are
// shown only from the minimum number of answers per item (Shown); below
// it Counts is nil, everywhere (page, CSV, dashboard, report).
type SurveyResults struct {
	Year         int
	Open         bool
	Closed       bool
	Participants int          // people who submitted
	Eligible     int          // Lotsen active when the survey opened (participation rate = Participants/Eligible)
	Items        []SurveyItem // in questionnaire order
}

// SurveyItem is one question of the survey and its released answers.
type SurveyItem struct {
	Key     string // stable key, e.g. "veranstaltung/<event id>", "rolle/<statement id>", "zufriedenheit"
	Kind    string // "veranstaltung" | "rolle" | "zufriedenheit"
	Label   string // the words asked, as written: the event's title or the statement ("" for the satisfaction question and for a question no longer known)
	Earlier bool   // an earlier wording of a statement, kept with its answers
	Scale   int    // 5 for events and satisfaction, 4 for role statements
	Answers int    // released answers to this item
	Shown   bool   // false below the minimum: then Counts is nil everywhere
	Counts  []int  // len Scale, Counts[v-1]
}

// Name is how the results name an item (see Label): the words asked, the
// satisfaction question, an earlier wording or an earlier question.
func (i SurveyItem) Name() domain.Msg {
	switch {
	case i.Kind == domain.SurveyItemSatisfaction:
		return domain.SurveySatisfactionText
	case i.Label == "":
		return domain.M("survey.item.earlier_question")
	case i.Earlier:
		return domain.M("survey.item.earlier_wording", i.Label)
	}
	return domain.M("survey.item.as_asked", i.Label)
}

// Rate is the participation in percent, rounded (0 without eligible Lotsen).
func (s SurveyResults) Rate() int {
	if s.Eligible == 0 {
		return 0
	}
	return (s.Participants*100 + s.Eligible/2) / s.Eligible
}

// Average of an item's shown answers (0 when not shown).
func (i SurveyItem) Average() float64 {
	n, sum := 0, 0
	for v, c := range i.Counts {
		n += c
		sum += c * (v + 1)
	}
	if n == 0 {
		return 0
	}
	return float64(sum) / float64(n)
}

// DefaultMinSurveyAnswers is the minimum number of answers an item needs
// before its results are shown, unless SetSurveyMinimum says otherwise.
const DefaultMinSurveyAnswers = 3

// Survey is the read model of the annual surveys: per year whether it is
// open, its statements, who took part (participant aggregate ids, never
// a value) and the released answers per item (which carry no person).
type Survey struct {
	Years map[int]*surveyYear `json:"years"`
}

type surveyYear struct {
	OpenedAt   time.Time                `json:"opened_at"`
	ClosedAt   time.Time                `json:"closed_at"`
	Statements []domain.SurveyStatement `json:"statements"`
	// Earlier are statements replaced by a new wording; their answers stay.
	Earlier      []domain.SurveyStatement `json:"earlier"`
	Participants map[string]time.Time     `json:"participants"`
	Counts       map[string][]int         `json:"counts"`
}

// SurveyViewName is the live view of one year's survey (questionnaire
// status and results).
func SurveyViewName(year int) string { return "umfrage/" + strconv.Itoa(year) }

// NewSurvey returns an empty survey model.
func NewSurvey() *Survey { return &Survey{Years: map[int]*surveyYear{}} }

func (m *Survey) year(y int) *surveyYear {
	s := m.Years[y]
	if s == nil {
		s = &surveyYear{Participants: map[string]time.Time{}, Counts: map[string][]int{}}
		m.Years[y] = s
	}
	return s
}

// Apply implements ReadModel.
func (m *Survey) Apply(rec domain.Recorded) []string {
	var changed []string
	if id, ok := aggregateOf(rec.Subject, domain.Surveys.Kind); ok {
		y, err := strconv.Atoi(id)
		if err != nil {
			return nil
		}
		for _, e := range rec.Events {
			s := m.year(y)
			switch d := e.Data.(type) {
			case domain.SurveyOpened:
				s.OpenedAt, s.Statements = e.At, d.Statements
			case domain.SurveyStatementsChanged:
				for _, old := range s.Statements {
					if !slices.ContainsFunc(d.Statements, func(n domain.SurveyStatement) bool { return n.ID == old.ID }) {
						s.Earlier = append(s.Earlier, old)
					}
				}
				s.Statements = d.Statements
			case domain.SurveyClosed:
				s.ClosedAt = e.At
			default:
				continue
			}
			changed = append(changed, SurveyViewName(y), DashboardView(y))
		}
		return changed
	}
	if id, ok := aggregateOf(rec.Subject, domain.SurveyParticipants.Kind); ok {
		for _, e := range rec.Events {
			if d, ok := e.Data.(domain.SurveyAnswered); ok {
				m.year(d.Year).Participants[id] = e.At
				changed = append(changed, SurveyViewName(d.Year), DashboardView(d.Year))
			}
		}
		return changed
	}
	if id, ok := aggregateOf(rec.Subject, domain.SurveyAnswerResults.Kind); ok {
		year, item, ok := domain.ParseSurveyItemID(id)
		if !ok {
			return nil
		}
		_, scale := domain.SurveyItemKind(item)
		for _, e := range rec.Events {
			d, ok := e.Data.(domain.SurveyAnswersReleased)
			if !ok {
				continue
			}
			s := m.year(year)
			counts := s.Counts[item]
			if counts == nil {
				counts = make([]int, scale)
				s.Counts[item] = counts
			}
			for _, v := range d.Values {
				if v >= 1 && v <= scale {
					counts[v-1]++
				}
			}
			changed = append(changed, SurveyViewName(year))
		}
	}
	return changed
}

// Survey models save themselves in snapshots as they are: participant
// aggregate ids and released counts, no person's value.
func (m *Survey) snapshotKey() string { return "survey" }

func (m *Survey) marshalSnapshot() (json.RawMessage, error) { return json.Marshal(m) }

func (m *Survey) restoreSnapshot(data json.RawMessage) (snapshotModel, error) {
	fresh := NewSurvey()
	if err := json.Unmarshal(data, fresh); err != nil {
		return nil, err
	}
	if fresh.Years == nil {
		return nil, ErrSnapshotInvalid
	}
	for _, s := range fresh.Years {
		if s.Participants == nil {
			s.Participants = map[string]time.Time{}
		}
		if s.Counts == nil {
			s.Counts = map[string][]int{}
		}
	}
	return fresh, nil
}

// surveyItems lists the items of a year's survey in order: the events
// held that year (by start), the statements, satisfaction; then items that
// have answers but are no longer asked (an earlier wording).
func (r *Runner) surveyItems(year int, s *surveyYear, askedOnly bool) []SurveyItem {
	var items []SurveyItem
	seen := map[string]bool{}
	add := func(key, label string, earlier bool) {
		kind, scale := domain.SurveyItemKind(key)
		if scale == 0 || seen[key] {
			return
		}
		seen[key] = true
		items = append(items, SurveyItem{Key: key, Kind: kind, Label: label, Earlier: earlier, Scale: scale})
	}
	events := make([]*EventInfo, 0)
	for _, e := range r.events.byID {
		if e.Held() && e.Start.In(domain.Berlin).Year() == year {
			events = append(events, e)
		}
	}
	slices.SortFunc(events, func(a, b *EventInfo) int {
		if c := a.Start.Compare(b.Start); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	for _, e := range events {
		add(domain.SurveyEventKey(e.ID), e.Title, false)
	}
	for _, st := range s.Statements {
		add(domain.SurveyStatementKey(st.ID), st.Text, false)
	}
	add(domain.SurveyItemSatisfaction, "", false)
	if askedOnly {
		return items
	}
	for _, st := range s.Earlier {
		if len(s.Counts[domain.SurveyStatementKey(st.ID)]) > 0 {
			add(domain.SurveyStatementKey(st.ID), st.Text, true)
		}
	}
	var rest []string
	for key := range s.Counts {
		if !seen[key] {
			rest = append(rest, key)
		}
	}
	slices.Sort(rest)
	for _, key := range rest {
		label := "" // an earlier question
		if id, ok := strings.CutPrefix(key, domain.SurveyItemEvent+"/"); ok && r.events.byID[id] != nil {
			label = r.events.byID[id].Title
		}
		add(key, label, false)
	}
	return items
}

// SetSurveyMinimum sets the minimum number of answers an item needs before
// its results are shown (the server's --min-ratings).
func (r *Runner) SetSurveyMinimum(n int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.surveyMin = max(n, 1)
}

// SurveyMinimum is the minimum number of answers per item.
func (r *Runner) SurveyMinimum() int {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.minSurveyAnswers()
}

func (r *Runner) minSurveyAnswers() int {
	if r.surveyMin <= 0 {
		return DefaultMinSurveyAnswers
	}
	return r.surveyMin
}

// SurveyResults returns the survey of year; false: no survey for that year.
func (r *Runner) SurveyResults(year int) (SurveyResults, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.surveyResults(year, time.Time{})
}

// surveyResults is the survey as of asOf (zero: everything); the read
// lock is held.
func (r *Runner) surveyResults(year int, asOf time.Time) (SurveyResults, bool) {
	s := r.survey.Years[year]
	if s == nil || s.OpenedAt.IsZero() || (!asOf.IsZero() && s.OpenedAt.After(asOf)) {
		return SurveyResults{Year: year}, false
	}
	res := SurveyResults{Year: year}
	res.Closed = !s.ClosedAt.IsZero() && (asOf.IsZero() || !s.ClosedAt.After(asOf))
	res.Open = !res.Closed
	for _, at := range s.Participants {
		if asOf.IsZero() || !at.After(asOf) {
			res.Participants++
		}
	}
	for _, p := range r.activity.People {
		if st := p.At(s.OpenedAt); st.Active && st.Role == domain.RoleLotse {
			res.Eligible++
		}
	}
	minimum := r.minSurveyAnswers()
	for _, item := range r.surveyItems(year, s, false) {
		counts := s.Counts[item.Key]
		for _, c := range counts {
			item.Answers += c
		}
		if item.Answers >= minimum {
			item.Shown, item.Counts = true, slices.Clone(counts)
		}
		res.Items = append(res.Items, item)
	}
	return res, true
}

// SurveyQuestions lists the items the questionnaire of year asks now (no
// counts; without the earlier wordings kept for their answers).
func (r *Runner) SurveyQuestions(year int) []SurveyItem {
	r.mu.RLock()
	defer r.mu.RUnlock()
	s := r.survey.Years[year]
	if s == nil {
		return nil
	}
	return r.surveyItems(year, s, true)
}

// SurveyYears lists the years with a survey, newest first.
func (r *Runner) SurveyYears() []int {
	r.mu.RLock()
	defer r.mu.RUnlock()
	var years []int
	for y, s := range r.survey.Years {
		if !s.OpenedAt.IsZero() {
			years = append(years, y)
		}
	}
	slices.Sort(years)
	slices.Reverse(years)
	return years
}

// SurveyStatements returns the current statements of a year's survey.
func (r *Runner) SurveyStatements(year int) []domain.SurveyStatement {
	r.mu.RLock()
	defer r.mu.RUnlock()
	if s := r.survey.Years[year]; s != nil {
		return slices.Clone(s.Statements)
	}
	return nil
}

// HasAnsweredSurvey reports whether the participant (SurveyParticipantID)
// answered the survey of year.
func (r *Runner) HasAnsweredSurvey(year int, participant string) bool {
	r.mu.RLock()
	defer r.mu.RUnlock()
	s := r.survey.Years[year]
	if s == nil {
		return false
	}
	_, ok := s.Participants[participant]
	return ok
}
