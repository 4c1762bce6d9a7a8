package projections

import (
	"slices"
	"strconv"
	"time"

	"logbuch/domain"
)

// Figures are the key figures of one year as of one moment. Each figure is
// defined once, here, with the definition the glossary page shows
// (FigureDefinitions); the dashboard, its CSV files and the annual report
// all read them from this struct.
type Figures struct {
	Year int
	AsOf time.Time

	ActiveLotsen  int      // FigActiveLotsen
	AemterWith    []string // FigAemterWith
	AemterWithout []string // FigAemterWithout
	Joined        int      // FigJoined
	Left          int      // FigLeft

	EventsHeld      int // FigEventsHeld
	EventsPlanned   int // FigEventsPlanned
	EventsCancelled int // FigEventsCancelled
	Attendance      int // FigAttendance

	Topics          int // FigTopics
	VideosPublished int // FigVideos
	ByStage         []StageFigure

	Actions  int         // FigActions
	ByAmt    []AmtFigure // FigByAmt, one row per Amt of domain.Aemter
	ByMonth  []MonthFigure
	ByFormat []FormatFigure
	Events   []EventFigure // the year's events as of the moment, by start

	// FigSurveyParticipation: the year's survey (SurveyResults) as of the
	// moment; Survey is false when none was opened by then.
	Survey             bool
	SurveyParticipants int
	SurveyEligible     int
	SurveyRate         int // percent
}

// AmtFigure is the participation of one Amt.
type AmtFigure struct {
	Amt          string
	ActiveLotsen int
	Actions      int
}

// StageFigure counts the topics in one lane of the KNowHow boards.
type StageFigure struct {
	Stage  domain.Stage
	Topics int
}

// MonthFigure is the activity of one month.
type MonthFigure struct {
	Month      time.Month
	Actions    int
	Joined     int
	Left       int
	EventsHeld int
}

// FormatFigure counts the events of one format.
type FormatFigure struct {
	Format     string
	Held       int
	Planned    int
	Attendance int
	// Ratings of the format's events released by the moment (FigRating);
	// RatingShown is false below the minimum, and then Average is 0.
	Ratings     int
	ratingSum   int
	RatingShown bool
	Average     float64
}

// EventFigure is one event of the year as it stood at the moment.
type EventFigure struct {
	ID         string
	Title      string
	Format     string
	Start      time.Time
	Status     string
	Attendance int
}

// Keys of the figures: the glossary's anchors and the CSV column names.
const (
	FigActiveLotsen        = "aktive-lotsen"
	FigAemterWith          = "aemter-mit-lotse"
	FigAemterWithout       = "aemter-ohne-lotse"
	FigJoined              = "eintritte"
	FigLeft                = "austritte"
	FigEventsHeld          = "veranstaltungen-durchgefuehrt"
	FigEventsPlanned       = "veranstaltungen-geplant"
	FigEventsCancelled     = "veranstaltungen-abgesagt"
	FigAttendance          = "teilnahmen"
	FigActions             = "aktionen"
	FigTopics              = "themen"
	FigVideos              = "videos-veroeffentlicht"
	FigByStage             = "themen-nach-phase"
	FigByAmt               = "beteiligung-nach-amt"
	FigByMonth             = "aktivitaet-nach-monat"
	FigRating              = "bewertung-nach-format"
	FigSurveyParticipation = "umfrage-beteiligung"
)

// FigureDefinition is one entry of the glossary.
type FigureDefinition struct {
	Key        string     // the figure's id: the glossary's anchor, the CSV column
	Name       domain.Msg // figure.<name>.name
	Definition domain.Msg // figure.<name>.explain
}

// FigureDefinitions is the glossary: what each figure counts, in words a
// reader of the report understands (the texts are figure.<name>.name and
// figure.<name>.explain in the catalogues). "Stichtag" is the moment the
// figures are shown for (today, or the "Stand am" date).
var FigureDefinitions = []FigureDefinition{
	figureDefinition(FigActiveLotsen, "active_lotsen"),
	figureDefinition(FigAemterWith, "aemter_with"),
	figureDefinition(FigAemterWithout, "aemter_without"),
	figureDefinition(FigJoined, "joined"),
	figureDefinition(FigLeft, "left"),
	figureDefinition(FigEventsHeld, "events_held"),
	figureDefinition(FigEventsPlanned, "events_planned"),
	figureDefinition(FigEventsCancelled, "events_cancelled"),
	figureDefinition(FigAttendance, "attendance"),
	figureDefinition(FigTopics, "topics"),
	figureDefinition(FigByStage, "by_stage"),
	figureDefinition(FigVideos, "videos"),
	figureDefinition(FigActions, "actions"),
	figureDefinition(FigByAmt, "by_amt"),
	figureDefinition(FigSurveyParticipation, "survey_participation"),
	figureDefinition(FigRating, "rating"),
	figureDefinition(FigByMonth, "by_month"),
}

func figureDefinition(key, name string) FigureDefinition {
	return FigureDefinition{Key: key, Name: domain.M("figure." + name + ".name"), Definition: domain.M("figure." + name + ".explain")}
}

// inYear reports whether t lies in year in Berlin time.
func inYear(t time.Time, year int) bool { return t.In(domain.Berlin).Year() == year }

// Figures computes the key figures of year as of asOf; an event's ratings
// count from MinAnonymousBatch on (the Runner applies --min-ratings).
func (a *Activity) Figures(year int, asOf time.Time) Figures {
	return a.figures(year, asOf, domain.MinAnonymousBatch)
}

func (a *Activity) figures(year int, asOf time.Time, minPerEvent int) Figures {
	f := Figures{Year: year, AsOf: asOf}
	byAmt := map[string]*AmtFigure{}
	for _, amt := range domain.Aemter {
		byAmt[amt] = &AmtFigure{Amt: amt}
	}
	months := make([]MonthFigure, 12)
	for i := range months {
		months[i].Month = time.Month(i + 1)
	}
	for _, m := range a.People {
		if st := m.At(asOf); st.Active && st.Role == domain.RoleLotse {
			f.ActiveLotsen++
			if row := byAmt[st.Amt]; row != nil {
				row.ActiveLotsen++
			}
		}
		for _, c := range m.Changes {
			if c.At.After(asOf) || !inYear(c.At, year) || c.Role != domain.RoleLotse {
				continue
			}
			month := &months[c.At.In(domain.Berlin).Month()-1]
			if c.Join {
				f.Joined++
				month.Joined++
			}
			if c.Leave {
				f.Left++
				month.Left++
			}
		}
	}
	for _, amt := range domain.Aemter {
		if byAmt[amt].ActiveLotsen > 0 {
			f.AemterWith = append(f.AemterWith, amt)
		} else {
			f.AemterWithout = append(f.AemterWithout, amt)
		}
	}
	byFormat := map[string]*FormatFigure{}
	for _, format := range domain.Formats {
		byFormat[format] = &FormatFigure{Format: format}
	}
	for id, t := range a.Events {
		st, ok := t.At(asOf)
		if !ok || !inYear(st.Start, year) {
			continue
		}
		f.Events = append(f.Events, EventFigure{ID: id, Title: t.Title, Format: t.Format, Start: st.Start, Status: st.Status, Attendance: st.Attendance})
		row := byFormat[t.Format]
		if row == nil {
			row = &FormatFigure{Format: t.Format}
			byFormat[t.Format] = row
		}
		// An event's ratings count toward its format only once the event
		// itself has the minimum: otherwise comparing the figures of two
		// dates around one release would reveal an event below it.
		count, sum := 0, 0
		for _, b := range a.Rated[id] {
			if b.At.After(asOf) {
				continue
			}
			for v, n := range b.Counts {
				count += n
				sum += n * (v + 1)
			}
		}
		if count >= minPerEvent && count > 0 {
			row.Ratings += count
			row.ratingSum += sum
		}
		switch st.Status {
		case domain.StatusHeld:
			f.EventsHeld++
			f.Attendance += st.Attendance
			row.Held++
			row.Attendance += st.Attendance
			months[st.Start.In(domain.Berlin).Month()-1].EventsHeld++
		case domain.StatusPlanned:
			f.EventsPlanned++
			row.Planned++
		case domain.StatusCancelled:
			f.EventsCancelled++
		}
	}
	slices.SortFunc(f.Events, func(x, y EventFigure) int { return x.Start.Compare(y.Start) })
	byStage := map[domain.Stage]int{}
	for _, t := range a.Topics {
		b := a.Boards[t.Board]
		st, ok := t.At(asOf)
		if !ok || b == nil || b.Year != year || st.Archived {
			continue
		}
		f.Topics++
		byStage[st.Stage]++
		if st.Stage == domain.StagePublished {
			f.VideosPublished++
		}
	}
	for _, stage := range domain.Stages {
		f.ByStage = append(f.ByStage, StageFigure{Stage: stage, Topics: byStage[stage]})
	}
	for _, act := range a.Actions {
		if act.At.After(asOf) || !inYear(act.At, year) {
			continue
		}
		f.Actions++
		months[act.At.In(domain.Berlin).Month()-1].Actions++
		if row := byAmt[act.Amt]; row != nil {
			row.Actions++
		}
	}
	for _, amt := range domain.Aemter {
		f.ByAmt = append(f.ByAmt, *byAmt[amt])
	}
	for _, format := range domain.Formats {
		f.ByFormat = append(f.ByFormat, *byFormat[format])
	}
	f.ByMonth = months
	return f
}

// Feed is the newest actions up to asOf, newest first, at most n.
func (a *Activity) Feed(asOf time.Time, n int) []Action {
	var out []Action
	for i := len(a.Actions) - 1; i >= 0 && len(out) < n; i-- {
		if !a.Actions[i].At.After(asOf) {
			out = append(out, a.Actions[i])
		}
	}
	return out
}

// Years lists the years that have any action or event, ascending.
func (a *Activity) Years() []int {
	years := make([]int, 0, len(a.YearsSeen))
	for y := range a.YearsSeen {
		years = append(years, y)
	}
	slices.Sort(years)
	return years
}

// Figures returns the key figures of year as of asOf, and the log sequence
// they reflect.
func (r *Runner) Figures(year int, asOf time.Time) (Figures, uint64) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	min := r.minSurveyAnswers() // the one minimum of --min-ratings
	f := r.activity.figures(year, asOf, min)
	for i := range f.ByFormat {
		row := &f.ByFormat[i]
		if row.Ratings >= min && row.Ratings > 0 {
			row.RatingShown, row.Average = true, float64(row.ratingSum)/float64(row.Ratings)
		}
	}
	if s, ok := r.surveyResults(year, asOf); ok {
		f.Survey, f.SurveyParticipants, f.SurveyEligible, f.SurveyRate = true, s.Participants, s.Eligible, s.Rate()
	}
	return f, r.applied
}

// Feed returns the newest n actions up to asOf, newest first.
func (r *Runner) Feed(asOf time.Time, n int) []Action {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.activity.Feed(asOf, n)
}

// ActivityYears lists the years with any recorded activity.
func (r *Runner) ActivityYears() []int {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.activity.Years()
}

// DashboardView is the live view of the dashboard of one year.
func DashboardView(year int) string { return DashboardViewName + "/" + strconv.Itoa(year) }
