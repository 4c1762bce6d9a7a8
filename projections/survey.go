package projections

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
	Label   string // the event's title or the statement text
	Scale   int    // 5 for events and satisfaction, 4 for role statements
	Answers int    // released answers to this item
	Shown   bool   // false below the minimum: then Counts is nil everywhere
	Counts  []int  // len Scale, Counts[v-1]
}

// SurveyResults returns the survey of year; false: no survey for that year.
func (r *Runner) SurveyResults(year int) (SurveyResults, bool) {
	return SurveyResults{}, false // filled in by the survey read model
}
