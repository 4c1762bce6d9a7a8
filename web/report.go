package web

import (
	"bytes"
	"context"
	"fmt"
	"html"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/a-h/templ"

	"logbuch/domain"
	"logbuch/projections"
	"logbuch/web/i18n"
)

// The annual report (Jahresbericht) at /bericht/<year>, and the same
// document as a self-contained file for `logbuch report`. Everything in it
// comes from the read models: the figures from projections.Figures (one
// definition each, explained in the report's own glossary), names from the
// roster (erased people are never named), and the Fazit und Ausblick is the
// one text people write, co-edited here.

// ReportSource is what the report reads: the live read models, or read
// models replayed up to a "Stand am" moment (projections.ReplayUntil).
type ReportSource interface {
	Figures(year int, asOf time.Time) (projections.Figures, uint64)
	ReportPeople(year int, asOf time.Time) projections.ReportPeople
	Person(id string) (projections.Person, uint64, bool)
	Events() ([]projections.EventInfo, uint64)
	Event(id string) (projections.EventInfo, []projections.WallPostView, uint64, bool)
	RatingsOf(events []string) (map[string]projections.RatingSummary, uint64)
	Boards() projections.BoardsView
	Board(id string) (projections.BoardView, bool)
	Topic(id string) (projections.TopicView, bool)
	Conclusion(year int) projections.ConclusionView
	SurveyResults(year int) (projections.SurveyResults, bool)
}

var _ ReportSource = (*projections.Runner)(nil)

// ReportOptions say how a report is made.
type ReportOptions struct {
	City       string // the city whose report it is, for the cover
	MinRatings int    // show a rating average only from this many ratings
	Standalone bool   // a file: styles inlined, no links into the app
}

// reportData is the whole report, ready to render.
type reportData struct {
	Year       int
	City       string
	Now        time.Time // when it was made
	AsOf       time.Time // "Stand am": the moment the record is read at
	Cutoff     time.Time // the figures' Stichtag: AsOf, at most the end of the year
	Past       bool      // a "Stand am" in the past: not live, no forms
	Stand      string    // the "Stand am" field as entered
	Standalone bool
	F          projections.Figures
	People     projections.ReportPeople
	Events     []reportEvent // held events, by start
	Months     []reportMonth // the roadmap
	Boards     []reportBoard
	Workshops  []reportWorkshop
	Survey     projections.SurveyResults
	HasSurvey  bool
	Conclusion projections.ConclusionView
	Glossary   []projections.FigureDefinition
	names      func(string) string
}

// reportEvent is one held event with its talks.
type reportEvent struct {
	projections.EventFigure
	Place       string
	Talks       []projections.Talk
	RatingShown bool    // from the minimum number of ratings on
	Rating      float64 // the average, when shown
	Ratings     int     // released ratings behind the average
}

// reportMonth is one month of the roadmap.
type reportMonth struct {
	Month  time.Month
	Events []projections.EventFigure
}

// reportBoard is one KNowHow board of the year.
type reportBoard struct {
	Title  string
	Topics []reportTopic
}

// reportTopic is one topic of a board.
type reportTopic struct {
	Title        string
	Stage        domain.Stage
	Team         []string // names
	Scenes       int
	TotalSeconds int
	VideoURL     string
	VideoSeconds int
}

// reportWorkshop is the wall of one event, by workshop group.
type reportWorkshop struct {
	ID     string
	Title  string
	Start  time.Time
	Groups []reportGroup
}

// reportGroup is one group's results.
type reportGroup struct {
	Name  string
	Posts []projections.WallPostView
}

// endOfYear is the last moment of year in Berlin.
func endOfYear(year int) time.Time {
	return time.Date(year+1, 1, 1, 0, 0, 0, 0, domain.Berlin).Add(-time.Nanosecond)
}

// buildReport reads the report of year from src as of asOf.
func buildReport(ctx context.Context, src ReportSource, year int, asOf time.Time, opt ReportOptions) reportData {
	cutoff := asOf
	if end := endOfYear(year); cutoff.After(end) {
		cutoff = end
	}
	names := func(id string) string {
		if p, _, ok := src.Person(id); ok {
			return shownName(ctx, p.Name)
		}
		return ""
	}
	d := reportData{Year: year, City: opt.City, AsOf: asOf, Cutoff: cutoff, Standalone: opt.Standalone, Glossary: projections.FigureDefinitions, names: names}
	d.F, _ = src.Figures(year, cutoff)
	d.People = src.ReportPeople(year, cutoff)
	d.Conclusion = src.Conclusion(year)
	d.Survey, d.HasSurvey = src.SurveyResults(year)

	byMonth := make([]reportMonth, 12)
	for i := range byMonth {
		byMonth[i].Month = time.Month(i + 1)
	}
	var held []string
	for _, e := range d.F.Events {
		m := &byMonth[e.Start.In(domain.Berlin).Month()-1]
		m.Events = append(m.Events, e)
		if e.Status == domain.StatusHeld {
			held = append(held, e.ID)
		}
	}
	for _, m := range byMonth {
		if len(m.Events) > 0 {
			d.Months = append(d.Months, m)
		}
	}
	ratings, _ := src.RatingsOf(held)
	for _, e := range d.F.Events {
		if e.Status != domain.StatusHeld {
			continue
		}
		info, posts, _, _ := src.Event(e.ID)
		re := reportEvent{EventFigure: e, Place: placeLabel(info), Talks: info.Talks}
		if sum := ratings[e.ID]; opt.MinRatings > 0 && sum.Released() >= opt.MinRatings {
			re.RatingShown, re.Rating, re.Ratings = true, sum.Average(), sum.Released()
		}
		d.Events = append(d.Events, re)
		if groups := reportWallGroups(ctx, info, posts); len(groups) > 0 {
			d.Workshops = append(d.Workshops, reportWorkshop{ID: e.ID, Title: e.Title, Start: e.Start, Groups: groups})
		}
	}
	d.Boards = reportBoards(src, year, names)
	return d
}

// reportWallGroups sorts the shown posts of a wall into its workshop
// groups, as the wall does (hidden posts left out); groups without a post
// are left out too.
func reportWallGroups(ctx context.Context, ev projections.EventInfo, posts []projections.WallPostView) []reportGroup {
	cols, n := wallColumns(ctx, ev, posts, nil, false)
	if n == 0 {
		return nil
	}
	var out []reportGroup
	for _, c := range cols {
		if len(c.Posts) > 0 {
			out = append(out, reportGroup{Name: c.Name, Posts: c.Posts})
		}
	}
	return out
}

// reportBoards lists the KNowHow boards of the year with their topics.
func reportBoards(src ReportSource, year int, names func(string) string) []reportBoard {
	bv := src.Boards()
	var out []reportBoard
	for _, info := range slices.Concat(bv.Active, bv.Archived) {
		if info.Year != year {
			continue
		}
		b, ok := src.Board(info.ID)
		if !ok {
			continue
		}
		rb := reportBoard{Title: info.Title}
		for _, lane := range b.Lanes {
			for _, c := range lane.Topics {
				t := reportTopic{Title: c.Title.Text, Stage: lane.Stage, Scenes: c.Scenes, TotalSeconds: c.TotalSeconds}
				for _, id := range c.Team {
					t.Team = append(t.Team, names(id))
				}
				if tv, ok := src.Topic(c.ID); ok && tv.Video != nil {
					t.VideoURL, t.VideoSeconds = tv.Video.URL, tv.Video.Seconds
				}
				rb.Topics = append(rb.Topics, t)
			}
		}
		out = append(out, rb)
	}
	return out
}

// reportQuery reads /bericht/<year>?stand=YYYY-MM-DD.
func reportQuery(r *http.Request, now time.Time) (year int, asOf time.Time, stand string, err error) {
	year, err = strconv.Atoi(r.PathValue("year"))
	if err != nil || !domain.ValidReportYear(year) {
		return 0, now, "", domain.Errorf(domain.ENOTFOUND, "err.report.no_report_for_year")
	}
	asOf, stand, err = ParseStand(r.URL.Query().Get("stand"), now)
	return year, asOf, stand, err
}

// ParseStand reads a "Stand am" date (or date and time) in Berlin time;
// a date means the end of that day; empty means now.
func ParseStand(stand string, now time.Time) (time.Time, string, error) {
	stand = strings.TrimSpace(stand)
	if stand == "" {
		return now, "", nil
	}
	if t, err := time.ParseInLocation("2006-01-02T15:04", stand, berlin); err == nil {
		return t, stand, nil
	}
	d, err := time.ParseInLocation("2006-01-02", stand, berlin)
	if err != nil {
		return now, stand, domain.FieldError("stand", "err.report.stand_format")
	}
	return d.AddDate(0, 0, 1).Add(-time.Nanosecond), stand, nil
}

// reportSource is the live read models as a report source, when they are.
func (s *Server) reportSource() (ReportSource, bool) {
	src, ok := s.models.(ReportSource)
	return src, ok
}

// reportPage is the web page of a report.
type reportPage struct {
	reportData
	User   principal
	Seq    uint64
	Form   formState
	Notice string
	Error  string
	// Conflict: the edit overlapped a change made meanwhile; both texts.
	Conflict bool
}

func (p reportPage) canEdit() bool {
	return !p.Past && domain.Can(p.User.Role, "EditConclusion")
}

func (s *Server) handleReport() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.renderReportPage(w, r, s.newForm(r, "fazit"), http.StatusOK)
	})
}

func (s *Server) renderReportPage(w http.ResponseWriter, r *http.Request, f formState, status int) {
	live, ok := s.reportSource()
	if !ok {
		s.writeError(w, r, http.StatusNotFound, domain.ENOTFOUND, "", tr(r.Context(), "err.report.unavailable"))
		return
	}
	now := time.Now()
	year, asOf, stand, err := reportQuery(r, now)
	if domain.ErrorCode(err) == domain.ENOTFOUND {
		s.writeError(w, r, http.StatusNotFound, domain.ENOTFOUND, "", errText(r.Context(), err))
		return
	}
	p := reportPage{User: principalOf(r), Form: f, Notice: noticeIn(r, reportNotices)}
	src := live
	past := stand != "" && asOf.Before(now.Add(-time.Minute))
	if err != nil {
		p.Error, status = errText(r.Context(), err), http.StatusBadRequest
	} else if past && s.cfg.Replay != nil {
		then, rerr := s.cfg.Replay(r.Context(), asOf)
		if rerr != nil {
			s.internalError(w, r, "replay for the report", rerr)
			return
		}
		src = then
	}
	p.reportData = buildReport(r.Context(), src, year, asOf, ReportOptions{City: s.cfg.City, MinRatings: s.cfg.MinRatings})
	p.Past, p.Stand, p.Now = past, stand, now
	_, p.Seq = live.Figures(year, asOf)
	if status == http.StatusConflict && f.Form == "fazit" {
		p.Conflict = true
		p.Form.Values["base_rev"] = strconv.Itoa(p.Conclusion.Rev)
	}
	s.html(w, status)
	reportPageView(p).Render(r.Context(), w)
}

func (s *Server) handleEditConclusion() http.Handler {
	return s.command(commandRoute{
		name: "EditConclusion", form: "fazit", execute: reportCommand,
		newCommand: func() any { return &domain.EditConclusion{} },
		aggregate: func(r *http.Request) string {
			year, _ := strconv.Atoi(r.PathValue("year"))
			return domain.ReportYearID(year)
		},
		prepare: func(r *http.Request, _ principal, _ any) error {
			year, err := strconv.Atoi(r.PathValue("year"))
			if err != nil || !domain.ValidReportYear(year) {
				return domain.Errorf(domain.ENOTFOUND, "err.report.no_report_for_year")
			}
			return nil
		},
		done: func(r *http.Request, res domain.Result) (string, string) {
			return "/bericht/" + r.PathValue("year") + "#fazit", "fazit"
		},
		page: s.renderReportPage,
	})
}

func reportCommand(ctx context.Context, h *domain.Handler, id string, meta domain.Meta, name string, cmd any) (domain.Result, error) {
	return domain.Execute(ctx, h, domain.Reports, id, meta, name, cmd)
}

// reportNotices are the notices of the report after an action (?hinweis=…).
var reportNotices = map[string]domain.Msg{"fazit": domain.M("report.notice.saved")}

// reportYearOf reads the year of a report's live view name.
func reportYearOf(view string) (int, bool) {
	y, ok := strings.CutPrefix(view, "bericht/")
	if !ok || len(y) != 4 {
		return 0, false
	}
	year, err := strconv.Atoi(y)
	return year, err == nil && domain.ValidReportYear(year)
}

// renderReportConclusion renders the live part of a report: its Fazit and
// the list of its versions (the form stays as the writer left it).
func (s *Server) renderReportConclusion(ctx context.Context, year int) (string, []byte, uint64, bool) {
	src, ok := s.reportSource()
	if !ok {
		return "", nil, 0, false
	}
	c := src.Conclusion(year)
	var buf bytes.Buffer
	if err := reportConclusionLive(year, c, s.authorNames(ctx)).Render(ctx, &buf); err != nil {
		s.log.Error("render report", "year", year, "err", err)
		return "", nil, 0, false
	}
	return "fazit-live", buf.Bytes(), c.Seq, true
}

// WriteReport writes the report of year as of asOf as one self-contained
// HTML file: styles inlined, no scripts, charts as inline SVG, no request
// to any other place.
func WriteReport(ctx context.Context, w io.Writer, src ReportSource, year int, asOf time.Time, opt ReportOptions) error {
	if !domain.ValidReportYear(year) {
		return fmt.Errorf("no report for the year %d", year)
	}
	opt.Standalone = true
	d := buildReport(ctx, src, year, asOf, opt)
	d.Now = time.Now()
	css, err := staticFiles.ReadFile("static/style.css")
	if err != nil {
		return err
	}
	return reportFile(d, string(css)).Render(ctx, w)
}

// Helpers of the report's templates.

func (d reportData) title(ctx context.Context) string {
	return tr(ctx, "report.title", d.Year)
}

func (d reportData) activeAemter() int { return len(d.F.AemterWith) }

func (d reportData) aemterTotal() int { return len(d.F.AemterWith) + len(d.F.AemterWithout) }

func (d reportData) videos() []reportTopic {
	var out []reportTopic
	for _, b := range d.Boards {
		for _, t := range b.Topics {
			if t.VideoURL != "" {
				out = append(out, t)
			}
		}
	}
	return out
}

// personLabel names a Lotse of the report; an erased one is never named.
func personLabel(ctx context.Context, l projections.LotseAt) string {
	if l.Name == "" {
		return tr(ctx, domain.ErasedNameKey)
	}
	return shownName(ctx, l.Name)
}

func peopleLabel(ctx context.Context, people []projections.LotseAt) string {
	names := make([]string, len(people))
	for i, l := range people {
		names[i] = personLabel(ctx, l)
	}
	return strings.Join(names, tr(ctx, "list.separator"))
}

// statusText names an event's status in a word (the calendar's status
// says more: the reason, the attendance).
func statusText(ctx context.Context, status string) string {
	switch status {
	case domain.StatusHeld:
		return tr(ctx, "event.status.held")
	case domain.StatusCancelled:
		return tr(ctx, "event.status.cancelled")
	}
	return tr(ctx, "event.status.planned")
}

func durationLabel(ctx context.Context, seconds int) string {
	if seconds <= 0 {
		return tr(ctx, "date.none")
	}
	return minutesSeconds(ctx, seconds)
}

// pluralKey is the singular (key.one) or plural (key.other) of a text by
// n, for texts whose number is not their first argument (trFigures).
func pluralKey(key string, n int) string { return key + "." + i18n.PluralForm(n) }

// pluralKey2 is one of four texts by two numbers, each singular or
// plural: key.one_one, key.one_other, key.other_one, key.other_other.
func pluralKey2(key string, n, m int) string {
	return key + "." + i18n.PluralForm(n) + "_" + i18n.PluralForm(m)
}

// afterSpace puts a blank before a sentence that follows another in the
// same paragraph.
func afterSpace(c templ.Component) templ.Component {
	return templ.ComponentFunc(func(ctx context.Context, w io.Writer) error {
		if _, err := io.WriteString(w, " "); err != nil {
			return err
		}
		return c.Render(ctx, w)
	})
}

// figureLink is a figure's number in a sentence of the report, linked to
// its definition in the report's glossary.
type figureLink struct {
	key string
	n   int
}

// glossaryLink is a word in a sentence of the report that links to a
// figure's definition.
type glossaryLink struct {
	key  string
	text string
}

// trFigures says a sentence of the report whose numbers (figureLink) or
// words (glossaryLink) link to the definitions in the report's glossary:
// the catalogue's text has no markup, and the links come in as its
// arguments. The links are anchors of the report itself, so they work in
// the file too.
func trFigures(ctx context.Context, key string, args ...any) templ.Component {
	local := make([]any, len(args))
	for i, a := range args {
		switch v := a.(type) {
		case figureLink:
			local[i] = figureAnchor(v.key, formatInt(ctx, v.n))
		case glossaryLink:
			local[i] = figureAnchor(v.key, v.text)
		default:
			local[i] = a
		}
	}
	return trHTML(ctx, key, local...)
}

// figureAnchor links text to a figure's definition in the glossary.
func figureAnchor(key, text string) i18n.SafeHTML {
	return i18n.SafeHTML(`<a href="#kennzahl-` + html.EscapeString(key) + `">` + html.EscapeString(text) + `</a>`)
}

// wallAsOfURL is the read-only wall of an event as of the report's moment.
func wallAsOfURL(event string, asOf time.Time) templ.SafeURL {
	return templ.SafeURL("/veranstaltungen/" + event + "/wand/stand?stand=" + asOf.In(berlin).Format("2006-01-02T15:04"))
}

// reportNavURL is the navigation's report: the year just ended until
// the end of March, then the current one.
func reportNavURL() templ.SafeURL {
	now := time.Now().In(berlin)
	year := now.Year()
	if now.Month() <= time.March {
		year--
	}
	return templ.SafeURL(reportURL(year, ""))
}

func reportURL(year int, stand string) string {
	u := "/bericht/" + strconv.Itoa(year)
	if stand != "" {
		u += "?stand=" + stand
	}
	return u
}

func reportViews(p reportPage) []string {
	if p.Past {
		return nil
	}
	return []string{projections.ReportViewName(p.Year)}
}

func joinNames(names []string) string { return strings.Join(names, ", ") }

// conclusionBase is the revision the form's text is based on: the current
// one after a conflict (the writer has now seen it), the one sent with a
// refused form, else the one shown.
func conclusionBase(p reportPage) string {
	if b := p.Form.Values["base_rev"]; b != "" {
		return b
	}
	return strconv.Itoa(p.Conclusion.Rev)
}

// conclusionDraft is the form's text: what the writer sent, else the
// current text.
func conclusionDraft(p reportPage) string {
	if t, ok := p.Form.Values["text"]; ok {
		return t
	}
	return p.Conclusion.Text
}
