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
	Feed   []string
	Error  string
	Glossa []projections.FigureDefinition
}

const feedLength = 20

// dashboardQuery reads ?jahr= and ?stand= (a date, or date and time, in
// Berlin time); the moment is the end of that day when no time is given.
func dashboardQuery(r *http.Request, now time.Time) (year int, asOf time.Time, stand string, err error) {
	year, asOf = now.In(berlin).Year(), now
	if q := r.URL.Query().Get("jahr"); q != "" {
		y, err := strconv.Atoi(q)
		if err != nil || y < 2000 || y > 2100 {
			return 0, now, "", fmt.Errorf("Bitte wählen Sie ein Jahr zwischen 2000 und 2100.")
		}
		year = y
	}
	stand = strings.TrimSpace(r.URL.Query().Get("stand"))
	if stand == "" {
		return year, asOf, "", nil
	}
	if t, err := time.ParseInLocation("2006-01-02T15:04", stand, berlin); err == nil {
		return year, t, stand, nil
	}
	d, err := time.ParseInLocation("2006-01-02", stand, berlin)
	if err != nil {
		return year, now, stand, fmt.Errorf("Bitte geben Sie den Stichtag als Datum an, z. B. 2023-06-30.")
	}
	return year, d.AddDate(0, 0, 1).Add(-time.Nanosecond), stand, nil
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
	for _, a := range s.dash.Feed(asOf, feedLength) {
		p.Feed = append(p.Feed, feedSentence(a))
	}
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
			p.Error, status = err.Error(), http.StatusBadRequest
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
// mark, the same figures (and column names from the same keys) as the page.
var dashboardTables = map[string]func(ctx context.Context, p dashboardPage) [][]string{
	"kennzahlen": func(ctx context.Context, p dashboardPage) [][]string {
		f := p.F
		rows := [][]string{
			{"kennzahl", "wert"},
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
		rows := [][]string{{"amt", projections.FigActiveLotsen, projections.FigActions}}
		for _, a := range p.F.ByAmt {
			rows = append(rows, []string{a.Amt, itoa(a.ActiveLotsen), itoa(a.Actions)})
		}
		return rows
	},
	"monate": func(ctx context.Context, p dashboardPage) [][]string {
		rows := [][]string{{"monat", projections.FigActions, projections.FigJoined, projections.FigLeft, projections.FigEventsHeld}}
		for _, m := range p.F.ByMonth {
			rows = append(rows, []string{monthNames[m.Month-1], itoa(m.Actions), itoa(m.Joined), itoa(m.Left), itoa(m.EventsHeld)})
		}
		return rows
	},
	"formate": func(ctx context.Context, p dashboardPage) [][]string {
		rows := [][]string{{"format", projections.FigEventsHeld, projections.FigEventsPlanned, projections.FigAttendance, projections.FigRating}}
		for _, f := range p.F.ByFormat {
			rows = append(rows, []string{f.Format, itoa(f.Held), itoa(f.Planned), itoa(f.Attendance), ratingCell(f)})
		}
		return rows
	},
	"phasen": func(ctx context.Context, p dashboardPage) [][]string {
		rows := [][]string{{"phase", projections.FigTopics}}
		for _, st := range p.F.ByStage {
			rows = append(rows, []string{trm(ctx, st.Stage.Label()), itoa(st.Topics)})
		}
		return rows
	},
	"veranstaltungen": func(ctx context.Context, p dashboardPage) [][]string {
		rows := [][]string{{"beginn", "titel", "format", "status", projections.FigAttendance}}
		for _, e := range p.F.Events {
			rows = append(rows, []string{e.Start.In(berlin).Format("2006-01-02 15:04"), e.Title, e.Format, e.Status, itoa(e.Attendance)})
		}
		return rows
	},
}

func (s *Server) handleDashboardCSV() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name, ok := strings.CutSuffix(r.PathValue("table"), ".csv")
		table := dashboardTables[name]
		if !ok || table == nil {
			s.writeError(w, r, http.StatusNotFound, domain.ENOTFOUND, "", "Diese Tabelle gibt es nicht.")
			return
		}
		now := time.Now()
		year, asOf, _, err := dashboardQuery(r, now)
		if err != nil {
			s.writeError(w, r, http.StatusBadRequest, domain.EINVALID, "stand", err.Error())
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

// feedSentence tells one action in plain German, naming roles and Ämter,
// never people: the feed is for the Lenkungsgruppe's overview, and
// erasure and anonymity hold there too.
func feedSentence(a projections.Action) string {
	who := actorPhrase(a)
	obj := ""
	if a.Object != "" {
		obj = " „" + a.Object + "“"
	}
	var what string
	switch a.Kind {
	case "LotseJoined":
		what = "hat eine neue Person in die Liste der Lotsinnen und Lotsen aufgenommen"
	case "LotseRejoined":
		what = "hat einen Wiedereintritt eingetragen"
	case "LotseLeft":
		what = "hat einen Austritt eingetragen"
	case "LotseAmtChanged":
		what = "hat das Amt einer Person geändert"
	case "LotseRoleChanged":
		what = "hat die Rolle einer Person geändert"
	case "LotseEmailChanged":
		what = "hat eine E-Mail-Adresse geändert"
	case "LotseErased":
		what = "hat die personenbezogenen Daten einer Person gelöscht"
	case "VeranstaltungPlanned":
		what = "hat die Veranstaltung" + obj + " geplant"
	case "VeranstaltungRescheduled":
		what = "hat die Veranstaltung" + obj + " verschoben"
	case "VeranstaltungCancelled":
		what = "hat die Veranstaltung" + obj + " abgesagt"
	case "VeranstaltungHeld":
		what = "hat die Veranstaltung" + obj + " als durchgeführt eingetragen"
	case "TalkAdded":
		what = "hat einen Vortrag zur Veranstaltung" + obj + " eingetragen"
	case "WallPostAdded":
		what = "hat ein Ergebnis auf die Wand von" + obj + " gestellt"
	case "WallPostEdited":
		what = "hat ein Ergebnis auf der Wand von" + obj + " überarbeitet"
	case "WallPostDeleted":
		what = "hat ein Ergebnis von der Wand von" + obj + " genommen"
	case "WallPostPlusOned":
		what = "hat einem Ergebnis auf der Wand von" + obj + " ein +1 gegeben"
	case "WallPostPlusOneWithdrawn":
		what = "hat ein +1 auf der Wand von" + obj + " zurückgenommen"
	case "WallPostHidden":
		what = "hat einen Beitrag auf der Wand von" + obj + " ausgeblendet"
	case "WallPostUnhidden":
		what = "hat einen Beitrag auf der Wand von" + obj + " wieder eingeblendet"
	case "WorkshopGroupAdded":
		what = "hat eine Workshop-Gruppe für" + obj + " angelegt"
	case "WorkshopGroupChosen":
		what = "hat sich einer Workshop-Gruppe von" + obj + " angeschlossen"
	case "BoardCreated":
		what = "hat die KNowHow-Tafel" + obj + " angelegt"
	case "VoteBudgetSet":
		what = "hat das Punktebudget der Tafel" + obj + " erhöht"
	case "VotesRevealed":
		what = "hat die Stimmen der Tafel" + obj + " aufgedeckt"
	case "VotingClosed":
		what = "hat die Abstimmung der Tafel" + obj + " beendet"
	case "TopicProposed":
		what = "hat das Thema" + obj + " vorgeschlagen"
	case "TopicFieldEdited":
		what = "hat das Thema" + obj + " bearbeitet"
	case "TopicCommented":
		what = "hat das Thema" + obj + " kommentiert"
	case "PreferenceSet", "NeedSet":
		what = "hat das Thema" + obj + " bewertet"
	case "TeamJoined":
		what = "ist dem Team für" + obj + " beigetreten"
	case "TeamLeft":
		what = "hat das Team für" + obj + " verlassen"
	case "TopicMoved":
		what = "hat" + obj + " in die Spalte „" + a.Detail + "“ verschoben"
	case "SceneAdded", "SceneFieldEdited", "SceneSecondsSet", "SceneMoved", "SceneDeleted":
		what = "hat am Drehbuch für" + obj + " gearbeitet"
	case "RatingGiven":
		what = "hat die Veranstaltung" + obj + " bewertet"
	case "SurveyOpened":
		what = "hat die Jahresumfrage geöffnet"
	case "SurveyStatementsChanged":
		what = "hat die Aussagen der Jahresumfrage bearbeitet"
	case "SurveyClosed":
		what = "hat die Jahresumfrage geschlossen"
	case "SurveyAnswered":
		what = "hat an der Jahresumfrage teilgenommen"
	case "ConclusionEdited":
		what = "hat am Fazit des Jahresberichts geschrieben"
	case "VideoRecorded":
		what = "hat das Video zu" + obj + " erfasst"
	default:
		what = "hat etwas im Logbuch festgehalten"
	}
	return who + " " + what + "."
}

func actorPhrase(a projections.Action) string {
	amt := ""
	if a.Amt != "" {
		amt = " (" + a.Amt + ")"
	}
	switch {
	case a.Actor == domain.SystemActor:
		return "Das Logbuch"
	case a.Role == domain.RoleGuest:
		return "Ein Gast"
	case a.Role == domain.RoleLotse:
		return "Ein:e Digitallots:in" + amt
	case a.Role == domain.RoleLenkungsgruppe:
		return "Ein Mitglied der Lenkungsgruppe"
	case a.Role == domain.RoleAdmin:
		return "Das Team Digitalisierung" + amt
	}
	return "Jemand"
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

func monthShort(m time.Month) string { return monthNames[m-1][:3] }

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

// ratingCell is a format's average rating, or nothing below the minimum.
func ratingCell(f projections.FormatFigure) string {
	if !f.RatingShown {
		return ""
	}
	return strconv.FormatFloat(f.Average, 'f', 1, 64)
}

// ratingLabel is how the page shows it, German style.
func ratingLabel(f projections.FormatFigure) string {
	if !f.RatingShown {
		return "zu wenige Bewertungen"
	}
	return strings.Replace(ratingCell(f), ".", ",", 1) + " von 5"
}
