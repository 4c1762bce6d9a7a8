package web

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"logbuch/domain"
	"logbuch/projections"
	"logbuch/web/i18n"
)

// Dashboard is what the web needs for the Lenkungsgruppe's overview.
type Dashboard interface {
	Figures(year int, asOf time.Time) (projections.Figures, uint64)
	Feed(asOf time.Time, n int) []projections.Action
	ActivityYears() []int
}

// dashboardPage is the overview of one year as of one moment.
type dashboardPage struct {
	User   principal
	Seq    uint64
	Year   int
	Years  []int
	AsOf   time.Time
	Stand  string // the "Stand am" field as entered, empty for now
	Past   bool   // shows a past moment: not live
	F      projections.Figures
	Feed   []projections.Action // newest first, told by feedSentence
	Error  string
	Glossa []projections.FigureDefinition
}

const feedLength = 20

// dashboardQuery reads ?jahr= and ?stand= (a date, or date and time, in
// Berlin time, as the report's ParseStand); the moment is the end of that
// day when no time is given.
func dashboardQuery(r *http.Request, now time.Time) (year int, asOf time.Time, stand string, err error) {
	year = now.In(berlin).Year()
	if q := r.URL.Query().Get("jahr"); q != "" {
		y, err := strconv.Atoi(q)
		if err != nil || y < 2000 || y > 2100 {
			return 0, now, "", domain.FieldError("jahr", "err.year_range")
		}
		year = y
	}
	asOf, stand, err = ParseStand(r.URL.Query().Get("stand"), now)
	return year, asOf, stand, err
}

func (s *Server) dashboardData(year int, asOf time.Time, now time.Time) dashboardPage {
	f, seq := s.dash.Figures(year, asOf)
	p := dashboardPage{Seq: seq, Year: year, AsOf: asOf, Past: asOf.Before(now.Add(-time.Minute)), F: f, Glossa: projections.FigureDefinitions}
	p.Years = s.dash.ActivityYears()
	if thisYear := now.In(berlin).Year(); !slices.Contains(p.Years, thisYear) {
		p.Years = append(p.Years, thisYear)
	}
	if !slices.Contains(p.Years, year) {
		p.Years = append(p.Years, year)
	}
	slices.Sort(p.Years)
	p.Feed = s.dash.Feed(asOf, feedLength)
	return p
}

func (s *Server) handleDashboard() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		now := time.Now()
		year, asOf, stand, err := dashboardQuery(r, now)
		p := s.dashboardData(year, asOf, now)
		p.User, p.Stand = principalOf(r), stand
		status := http.StatusOK
		if err != nil {
			p.Error, status = errText(r.Context(), err), http.StatusBadRequest
		}
		s.html(w, status)
		dashboardView(p).Render(r.Context(), w)
	})
}

func (s *Server) handleGlossary() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.html(w, http.StatusOK)
		glossaryView(principalOf(r), projections.FigureDefinitions).Render(r.Context(), w)
	})
}

// renderDashboard renders the live part of one year's dashboard, as of now.
func (s *Server) renderDashboard(ctx context.Context, year int) (string, []byte, uint64, bool) {
	now := time.Now()
	p := s.dashboardData(year, now, now)
	var buf bytes.Buffer
	if err := dashboardLive(p).Render(ctx, &buf); err != nil {
		s.log.Error("render dashboard", "year", year, "err", err)
		return "", nil, 0, false
	}
	return "dashboard-live", buf.Bytes(), p.Seq, true
}

// dashboardYearOf reads the year of a dashboard view name.
func dashboardYearOf(view string) (int, bool) {
	y, ok := strings.CutPrefix(view, projections.DashboardViewName+"/")
	if !ok || len(y) != 4 {
		return 0, false
	}
	year, err := strconv.Atoi(y)
	return year, err == nil && year >= 2000 && year <= 2100
}

// The tables of the dashboard as CSV, for Excel: semicolons, a byte order
// mark, the same figures as the page. Columns of a figure are named by the
// figure's key (the glossary explains each); the other headers, months,
// stages and formats are in the reader's language; dates, statuses and
// numbers are written for programs (ISO dates, a decimal point).
var dashboardTables = map[string]func(ctx context.Context, p dashboardPage) [][]string{
	"kennzahlen": func(ctx context.Context, p dashboardPage) [][]string {
		f := p.F
		rows := [][]string{
			{tr(ctx, "dashboard.csv.figure"), tr(ctx, "dashboard.csv.value")},
			{projections.FigActiveLotsen, itoa(f.ActiveLotsen)},
			{projections.FigAemterWith, itoa(len(f.AemterWith))},
			{projections.FigAemterWithout, itoa(len(f.AemterWithout))},
			{projections.FigJoined, itoa(f.Joined)},
			{projections.FigLeft, itoa(f.Left)},
			{projections.FigEventsHeld, itoa(f.EventsHeld)},
			{projections.FigEventsPlanned, itoa(f.EventsPlanned)},
			{projections.FigEventsCancelled, itoa(f.EventsCancelled)},
			{projections.FigAttendance, itoa(f.Attendance)},
			{projections.FigTopics, itoa(f.Topics)},
			{projections.FigVideos, itoa(f.VideosPublished)},
			{projections.FigActions, itoa(f.Actions)},
		}
		return append(rows, surveyFigureRows(f)...)
	},
	"aemter": func(ctx context.Context, p dashboardPage) [][]string {
		rows := [][]string{{tr(ctx, "dashboard.csv.amt"), projections.FigActiveLotsen, projections.FigActions}}
		for _, a := range p.F.ByAmt {
			rows = append(rows, []string{a.Amt, itoa(a.ActiveLotsen), itoa(a.Actions)})
		}
		return rows
	},
	"monate": func(ctx context.Context, p dashboardPage) [][]string {
		rows := [][]string{{tr(ctx, "dashboard.csv.month"), projections.FigActions, projections.FigJoined, projections.FigLeft, projections.FigEventsHeld}}
		for _, m := range p.F.ByMonth {
			rows = append(rows, []string{i18n.From(ctx).Month(m.Month), itoa(m.Actions), itoa(m.Joined), itoa(m.Left), itoa(m.EventsHeld)})
		}
		return rows
	},
	"formate": func(ctx context.Context, p dashboardPage) [][]string {
		rows := [][]string{{tr(ctx, "dashboard.csv.format"), projections.FigEventsHeld, projections.FigEventsPlanned, projections.FigAttendance, projections.FigRating}}
		for _, f := range p.F.ByFormat {
			rows = append(rows, []string{formatLabel(ctx, f.Format), itoa(f.Held), itoa(f.Planned), itoa(f.Attendance), ratingCell(f)})
		}
		return rows
	},
	"phasen": func(ctx context.Context, p dashboardPage) [][]string {
		rows := [][]string{{tr(ctx, "dashboard.csv.stage"), projections.FigTopics}}
		for _, st := range p.F.ByStage {
			rows = append(rows, []string{trm(ctx, st.Stage.Label()), itoa(st.Topics)})
		}
		return rows
	},
	"veranstaltungen": func(ctx context.Context, p dashboardPage) [][]string {
		rows := [][]string{{tr(ctx, "dashboard.csv.start"), tr(ctx, "dashboard.csv.title"), tr(ctx, "dashboard.csv.format"), tr(ctx, "dashboard.csv.status"), projections.FigAttendance}}
		for _, e := range p.F.Events {
			rows = append(rows, []string{e.Start.In(berlin).Format("2006-01-02 15:04"), e.Title, formatLabel(ctx, e.Format), e.Status, itoa(e.Attendance)})
		}
		return rows
	},
}

func (s *Server) handleDashboardCSV() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name, ok := strings.CutSuffix(r.PathValue("table"), ".csv")
		table := dashboardTables[name]
		if !ok || table == nil {
			s.writeError(w, r, http.StatusNotFound, domain.ENOTFOUND, "", tr(r.Context(), "err.report.no_such_table"))
			return
		}
		now := time.Now()
		year, asOf, _, err := dashboardQuery(r, now)
		if err != nil {
			s.writeError(w, r, http.StatusBadRequest, domain.EINVALID, "stand", errText(r.Context(), err))
			return
		}
		writeCSV(w, name, year, table(r.Context(), s.dashboardData(year, asOf, now)))
	})
}

// writeCSV answers a table as a CSV file for Excel: semicolons, a byte
// order mark, no cell read as a formula.
func writeCSV(w http.ResponseWriter, name string, year int, rows [][]string) {
	var buf bytes.Buffer
	buf.WriteString("\uFEFF")
	cw := csv.NewWriter(&buf)
	cw.Comma = ';'
	for _, row := range rows {
		for i, cell := range row {
			row[i] = csvSafe(cell)
		}
		cw.Write(row)
	}
	cw.Flush()
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="logbuch-%s-%d.csv"`, name, year))
	w.Header().Set("Cache-Control", "no-store")
	w.Write(buf.Bytes())
}

// csvSafe keeps a spreadsheet from reading a cell as a formula (a title
// that starts with = + - @ would otherwise run in Excel).
func csvSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// feedSentences are the sentences of the activity feed by event type:
// feed.<name> with the actor (actorPhrase) and, for most, the object the
// action was about. A type without a sentence of its own is told as
// "feed.something".
var feedSentences = map[string]string{
	"LotseJoined":              "feed.lotse_joined",
	"LotseRejoined":            "feed.lotse_rejoined",
	"LotseLeft":                "feed.lotse_left",
	"LotseAmtChanged":          "feed.lotse_amt_changed",
	"LotseRoleChanged":         "feed.lotse_role_changed",
	"LotseEmailChanged":        "feed.lotse_email_changed",
	"LotseErased":              "feed.lotse_erased",
	"VeranstaltungPlanned":     "feed.event_planned",
	"VeranstaltungRescheduled": "feed.event_rescheduled",
	"VeranstaltungCancelled":   "feed.event_cancelled",
	"VeranstaltungHeld":        "feed.event_held",
	"TalkAdded":                "feed.talk_added",
	"WallPostAdded":            "feed.wall_post_added",
	"WallPostEdited":           "feed.wall_post_edited",
	"WallPostDeleted":          "feed.wall_post_deleted",
	"WallPostPlusOned":         "feed.wall_post_plus_oned",
	"WallPostPlusOneWithdrawn": "feed.wall_post_plus_one_withdrawn",
	"WallPostHidden":           "feed.wall_post_hidden",
	"WallPostUnhidden":         "feed.wall_post_unhidden",
	"WorkshopGroupAdded":       "feed.workshop_group_added",
	"WorkshopGroupChosen":      "feed.workshop_group_chosen",
	"BoardCreated":             "feed.board_created",
	"VoteBudgetSet":            "feed.vote_budget_set",
	"VotesRevealed":            "feed.votes_revealed",
	"VotingClosed":             "feed.voting_closed",
	"TopicProposed":            "feed.topic_proposed",
	"TopicFieldEdited":         "feed.topic_edited",
	"TopicCommented":           "feed.topic_commented",
	"PreferenceSet":            "feed.topic_rated",
	"NeedSet":                  "feed.topic_rated",
	"TeamJoined":               "feed.team_joined",
	"TeamLeft":                 "feed.team_left",
	"TopicMoved":               "feed.topic_moved",
	"SceneAdded":               "feed.script_worked_on",
	"SceneFieldEdited":         "feed.script_worked_on",
	"SceneSecondsSet":          "feed.script_worked_on",
	"SceneMoved":               "feed.script_worked_on",
	"SceneDeleted":             "feed.script_worked_on",
	"RatingGiven":              "feed.event_rated",
	"SurveyOpened":             "feed.survey_opened",
	"SurveyStatementsChanged":  "feed.survey_statements_changed",
	"SurveyClosed":             "feed.survey_closed",
	"SurveyAnswered":           "feed.survey_answered",
	"ConclusionEdited":         "feed.conclusion_edited",
	"VideoRecorded":            "feed.video_recorded",
}

// feedWithoutObject are the sentences that name no object (people are
// never named, the survey and the report are the year's).
var feedWithoutObject = map[string]bool{
	"feed.lotse_joined": true, "feed.lotse_rejoined": true, "feed.lotse_left": true,
	"feed.lotse_amt_changed": true, "feed.lotse_role_changed": true, "feed.lotse_email_changed": true,
	"feed.lotse_erased": true, "feed.survey_opened": true, "feed.survey_statements_changed": true,
	"feed.survey_closed": true, "feed.survey_answered": true, "feed.conclusion_edited": true,
	"feed.something": true,
}

// feedSentence tells one action in plain words, naming roles and Ämter,
// never people: the feed is for the Lenkungsgruppe's overview, and
// erasure and anonymity hold there too.
func feedSentence(ctx context.Context, a projections.Action) string {
	if anonymousTaking[a.Kind] {
		// Many Ämter have one Lotse: naming the Amt would name the person
		// who rated or answered the survey.
		a.Amt = ""
	}
	who := actorPhrase(ctx, a)
	key, ok := feedSentences[a.Kind]
	if !ok {
		key = "feed.something"
	}
	if feedWithoutObject[key] {
		return tr(ctx, key, who)
	}
	obj := a.Object
	if obj == "" {
		obj = tr(ctx, "feed.untitled")
	}
	if a.Kind == "TopicMoved" {
		return tr(ctx, key, who, obj, domain.Stage(a.Detail).Label())
	}
	return tr(ctx, key, who, obj)
}

// anonymousTaking are the actions of taking part in something anonymous:
// the feed names only the role of who took part, not their Amt.
var anonymousTaking = map[string]bool{"RatingGiven": true, "SurveyAnswered": true}

// actorPhrase names who acted by role (and Amt), never by name.
func actorPhrase(ctx context.Context, a projections.Action) string {
	switch {
	case a.Actor == domain.SystemActor:
		return tr(ctx, "feed.actor.system")
	case a.Role == domain.RoleGuest:
		return tr(ctx, "feed.actor.guest")
	case a.Role == domain.RoleLotse && a.Amt != "":
		return tr(ctx, "feed.actor.lotse_amt", a.Amt)
	case a.Role == domain.RoleLotse:
		return tr(ctx, "feed.actor.lotse")
	case a.Role == domain.RoleLenkungsgruppe:
		return tr(ctx, "feed.actor.lenkungsgruppe")
	case a.Role == domain.RoleAdmin && a.Amt != "":
		return tr(ctx, "feed.actor.admin_amt", a.Amt)
	case a.Role == domain.RoleAdmin:
		return tr(ctx, "feed.actor.admin")
	}
	return tr(ctx, "feed.actor.someone")
}

// chartBar is one bar of a server-rendered SVG chart.
type chartBar struct {
	Label string
	Value int
	// geometry, in the chart's coordinates
	X, Y, W, H int
	LabelX     int
}

const (
	chartWidth  = 720
	chartHeight = 260
	chartBase   = 220 // y of the axis
	chartTop    = 24
)

// columnChart lays out vertical bars (months).
func columnChart(labels []string, values []int) []chartBar {
	maxV := 1
	for _, v := range values {
		maxV = max(maxV, v)
	}
	n := len(values)
	slot := chartWidth / max(n, 1)
	bars := make([]chartBar, n)
	for i, v := range values {
		h := v * (chartBase - chartTop) / maxV
		bars[i] = chartBar{Label: labels[i], Value: v, X: i*slot + slot/5, W: slot * 3 / 5, Y: chartBase - h, H: h, LabelX: i*slot + slot/2}
	}
	return bars
}

// rowChart lays out horizontal bars (Ämter), one row of 26 units each.
func rowChart(labels []string, values []int) []chartBar {
	maxV := 1
	for _, v := range values {
		maxV = max(maxV, v)
	}
	const left, width = 330, 330
	bars := make([]chartBar, len(values))
	for i, v := range values {
		w := v * width / maxV
		bars[i] = chartBar{Label: labels[i], Value: v, X: left, Y: i*26 + 4, W: w, H: 18, LabelX: left - 8}
	}
	return bars
}

func rowChartHeight(n int) int { return n*26 + 8 }

// figureName names a figure as the glossary does.
func figureName(key string) domain.Msg {
	for _, d := range projections.FigureDefinitions {
		if d.Key == key {
			return d.Name
		}
	}
	return domain.Msg{}
}

func dashboardURL(year int, stand, table string) string {
	u := "/dashboard"
	if table != "" {
		u += "/" + table + ".csv"
	}
	u += "?jahr=" + strconv.Itoa(year)
	if stand != "" {
		u += "&stand=" + stand
	}
	return u
}

func yearOptions(years []int, current int) []option {
	out := make([]option, 0, len(years))
	for _, y := range years {
		out = append(out, option{Value: strconv.Itoa(y), Label: strconv.Itoa(y)})
	}
	return out
}

// ratingCell is a format's average rating for the CSV (a decimal point,
// for programs), or nothing below the minimum.
func ratingCell(f projections.FormatFigure) string {
	if !f.RatingShown {
		return ""
	}
	return strconv.FormatFloat(f.Average, 'f', 1, 64)
}

// ratingLabel is how the page shows it, in the reader's language.
func ratingLabel(ctx context.Context, f projections.FormatFigure) string {
	if !f.RatingShown {
		return tr(ctx, "dashboard.rating.too_few")
	}
	return tr(ctx, "dashboard.rating.value", f.Average)
}
