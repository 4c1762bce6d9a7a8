package web

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"logbuch/domain"
	"logbuch/projections"
)

// The anonymous annual survey (domain/survey.go): the questionnaire at
// /umfrage, the admin's controls beside it, the results as charts and CSV
// at /umfrage/<year>/auswertung. Answers are anonymous as ratings are: the
// values go from the decoded command into the survey's pool, one box per
// item, and are released per item in shuffled batches. It uses the rating
// settings (batch size, flush interval, minimum answers): one set of
// anonymity rules for the whole application.
//
// Nothing here logs, counts or traces an answer's value.

// surveyModels is what the survey needs of the read models.
type surveyModels interface {
	SurveyResults(year int) (projections.SurveyResults, bool)
	SurveyYears() []int
	SurveyStatements(year int) []domain.SurveyStatement
	SurveyQuestions(year int) []projections.SurveyItem
	HasAnsweredSurvey(year int, participant string) bool
	SetSurveyMinimum(n int)
}

// surveyNotices are the notices of the survey page after an action: the
// redirect carries only the name (?hinweis=), the text is the catalogue's.
var surveyNotices = map[string]domain.Msg{
	"umfrage-beantwortet": domain.M("survey.notice.answered"),
	"umfrage-geoeffnet":   domain.M("survey.notice.opened"),
	"umfrage-aussagen":    domain.M("survey.notice.statements_saved"),
	"umfrage-geschlossen": domain.M("survey.notice.closed"),
}

func (s *Server) surveys() surveyModels {
	m, _ := s.models.(surveyModels)
	return m
}

func (s *Server) initSurvey() {
	if m := s.surveys(); m != nil {
		m.SetSurveyMinimum(s.cfg.MinRatings)
	}
	s.surveyPool = domain.NewAnonymousPool(s.cfg.RatingBatch, s.releaseSurveyAnswers)
}

// surveyRoutes adds the survey's endpoints (when the read models have it).
func (s *Server) surveyRoutes(mux *http.ServeMux) {
	if s.surveys() == nil {
		return
	}
	mux.Handle("GET /umfrage", s.whenReady(s.requireView(domain.ViewSurvey, s.handleSurveyPage())))
	mux.Handle("POST /umfrage/{year}/oeffnen", s.handleOpenSurvey())
	mux.Handle("POST /umfrage/{year}/aussagen", s.handleEditSurveyStatements())
	mux.Handle("POST /umfrage/{year}/schliessen", s.handleCloseSurvey())
	mux.Handle("POST /umfrage/{year}/antworten", s.handleAnswerSurvey())
	mux.Handle("GET /umfrage/{year}/auswertung", s.whenReady(s.requireView(domain.ViewSurvey, s.handleSurveyResults())))
	mux.Handle("GET /umfrage/{year}/auswertung.csv", s.whenReady(s.requireView(domain.ViewSurvey, s.handleSurveyCSV())))
}

func (s *Server) runSurvey(ctx context.Context) {
	if s.cfg.RatingFlush > 0 {
		s.surveyPool.Run(ctx, s.cfg.RatingFlush, func(err error) { s.log.Error("release survey answers", "err", err) })
	}
}

// ReleaseSurveyAnswers writes every batch of survey answers that is ready,
// as of at: on the timer, at shutdown, and for the demo year.
func (s *Server) ReleaseSurveyAnswers(ctx context.Context, at time.Time) error {
	return s.surveyPool.Flush(ctx, at)
}

// releaseSurveyAnswers appends one shuffled batch of one item: no person,
// no session, the batch's random id as command id (a retry is applied
// once), the hour as its only time.
func (s *Server) releaseSurveyAnswers(ctx context.Context, box, batch string, values []int, at time.Time) error {
	year, item, ok := domain.ParseSurveyBox(box)
	if !ok {
		return fmt.Errorf("survey box %q", box)
	}
	meta := anonymousMeta(batch, at)
	_, err := domain.Execute(ctx, s.commands, domain.SurveyAnswerResults, domain.SurveyItemID(year, item), meta, "ReleaseSurveyAnswers",
		any(domain.ReleaseSurveyAnswers{Year: year, Item: item, Values: values}))
	return err
}

// AnswerSurvey records that someone answered and puts each value into the
// box of its item. meta.Actor is the participant; cmd has its server-side
// fields set.
func (s *Server) AnswerSurvey(ctx context.Context, meta domain.Meta, cmd domain.AnswerSurvey) (domain.Result, error) {
	res, err := domain.Execute(ctx, s.commands, domain.SurveyParticipants, domain.SurveyParticipantID(cmd.Year, meta.Actor), meta, "AnswerSurvey", any(cmd))
	if err != nil || res.Duplicate {
		return res, err // a retry adds no second answer
	}
	values, err := domain.ParseSurveyAnswers(cmd.Answers, cmd.Questions)
	if err != nil {
		return res, err // decided already; cannot happen
	}
	for item, v := range values {
		s.surveyPool.Add(domain.SurveyBox(cmd.Year, item), v)
	}
	if s.cfg.RatingFlush <= 0 {
		if err := s.ReleaseSurveyAnswers(context.WithoutCancel(ctx), time.Now()); err != nil {
			s.log.Error("release survey answers", "err", err)
		}
	}
	return res, nil
}

// PrepareSurveyAnswer sets the server's fields of an answer: the year's
// questionnaire as it is now, whether it is open, and who answers.
func (s *Server) PrepareSurveyAnswer(c *domain.AnswerSurvey, year int, role domain.Role, person string) {
	c.Year, c.Role = year, role
	if p, _, ok := s.models.Person(person); ok {
		c.Active = p.Active
	}
	if res, ok := s.surveys().SurveyResults(year); ok {
		c.Open = res.Open
	}
	for _, it := range s.surveys().SurveyQuestions(year) {
		c.Questions = append(c.Questions, domain.SurveyQuestion{Key: it.Key, Scale: it.Scale, Optional: it.Kind == domain.SurveyItemEvent})
	}
}

func surveyYearOf(r *http.Request) (int, error) {
	year, err := strconv.Atoi(r.PathValue("year"))
	if err != nil || !domain.ValidSurveyYear(year) {
		return 0, domain.Errorf(domain.ENOTFOUND, "err.survey.not_found")
	}
	return year, nil
}

// surveyCommand is an admin's command on a year's survey.
func (s *Server) surveyCommand(name, form, notice string, newCommand func() any) http.Handler {
	return s.command(commandRoute{
		name: name, form: form,
		execute: func(ctx context.Context, h *domain.Handler, id string, meta domain.Meta, name string, cmd any) (domain.Result, error) {
			return domain.Execute(ctx, h, domain.Surveys, id, meta, name, cmd)
		},
		newCommand: newCommand,
		aggregate:  func(r *http.Request) string { return r.PathValue("year") },
		prepare: func(r *http.Request, _ principal, cmd any) error {
			year, err := surveyYearOf(r)
			if c, ok := cmd.(*domain.OpenSurvey); ok {
				c.Year = year
			}
			return err
		},
		done: func(*http.Request, domain.Result) (string, string) { return "/umfrage", notice },
		page: s.renderSurveyPage,
	})
}

func (s *Server) handleOpenSurvey() http.Handler {
	return s.surveyCommand("OpenSurvey", "umfrage-oeffnen", "umfrage-geoeffnet", func() any { return &domain.OpenSurvey{} })
}

func (s *Server) handleEditSurveyStatements() http.Handler {
	return s.surveyCommand("EditSurveyStatements", "umfrage-aussagen", "umfrage-aussagen", func() any { return &domain.EditSurveyStatements{} })
}

func (s *Server) handleCloseSurvey() http.Handler {
	return s.surveyCommand("CloseSurvey", "umfrage-schliessen", "umfrage-geschlossen", func() any { return &domain.CloseSurvey{} })
}

func (s *Server) handleAnswerSurvey() http.Handler {
	return s.command(commandRoute{
		name: "AnswerSurvey", form: "umfrage",
		execute: func(ctx context.Context, _ *domain.Handler, _ string, meta domain.Meta, _ string, cmd any) (domain.Result, error) {
			return s.AnswerSurvey(ctx, meta, cmd.(domain.AnswerSurvey))
		},
		newCommand: func() any { return &domain.AnswerSurvey{} },
		aggregate: func(r *http.Request) string {
			year, _ := strconv.Atoi(r.PathValue("year"))
			return domain.SurveyParticipantID(year, principalOf(r).Actor())
		},
		prepare: func(r *http.Request, p principal, cmd any) error {
			year, err := surveyYearOf(r)
			if err != nil {
				return err
			}
			s.PrepareSurveyAnswer(cmd.(*domain.AnswerSurvey), year, p.Role, p.Person)
			return nil
		},
		done: func(*http.Request, domain.Result) (string, string) { return "/umfrage", "umfrage-beantwortet" },
		page: s.renderSurveyPage,
	})
}

// surveyPage is /umfrage: the questionnaire of the open survey (or that
// one took part), the surveys of every year, and the admin's controls.
type surveyPage struct {
	User       principal
	Notice     string
	Form       formState
	Current    *projections.SurveyResults // the newest open survey
	Questions  []projections.SurveyItem   // what its questionnaire asks
	Statements []domain.SurveyStatement   // its statements, for the admin
	Answered   bool
	CanAnswer  bool
	Surveys    []projections.SurveyResults // every year, newest first
	Openable   []int                       // years an admin may open now
	Admin      bool
	Minimum    int
}

func (s *Server) surveyPageOf(r *http.Request, f formState) surveyPage {
	p := principalOf(r)
	m := s.surveys()
	pg := surveyPage{User: p, Notice: noticeIn(r, surveyNotices), Form: f, Admin: domain.Can(p.Role, "OpenSurvey"), Minimum: s.cfg.MinRatings}
	for _, y := range m.SurveyYears() {
		res, _ := m.SurveyResults(y)
		pg.Surveys = append(pg.Surveys, res)
		if res.Open && pg.Current == nil {
			cur := res
			pg.Current = &cur
		}
	}
	if pg.Current != nil {
		pg.Questions, pg.Statements = m.SurveyQuestions(pg.Current.Year), m.SurveyStatements(pg.Current.Year)
		pg.Answered = m.HasAnsweredSurvey(pg.Current.Year, domain.SurveyParticipantID(pg.Current.Year, p.Actor()))
		pg.CanAnswer = !pg.Answered && domain.Can(p.Role, "AnswerSurvey")
	}
	if pg.Admin {
		this := time.Now().In(berlin).Year()
		for _, y := range []int{this - 1, this} {
			if !slices.ContainsFunc(pg.Surveys, func(res projections.SurveyResults) bool { return res.Year == y }) {
				pg.Openable = append(pg.Openable, y)
			}
		}
	}
	return pg
}

func (s *Server) handleSurveyPage() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.renderSurveyPage(w, r, s.newForm(r, "umfrage"), http.StatusOK)
	})
}

func (s *Server) renderSurveyPage(w http.ResponseWriter, r *http.Request, f formState, status int) {
	s.html(w, status)
	surveyPageView(s.surveyPageOf(r, f)).Render(r.Context(), w)
}

func (s *Server) surveyOf(w http.ResponseWriter, r *http.Request) (projections.SurveyResults, bool) {
	year, err := surveyYearOf(r)
	var res projections.SurveyResults
	ok := err == nil
	if ok {
		res, ok = s.surveys().SurveyResults(year)
	}
	if !ok {
		s.writeError(w, r, http.StatusNotFound, domain.ENOTFOUND, "", tr(r.Context(), "err.survey.none_for_year"))
	}
	return res, ok
}

func (s *Server) handleSurveyResults() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		applied, _ := s.models.Progress()
		res, ok := s.surveyOf(w, r)
		if !ok {
			return
		}
		s.html(w, http.StatusOK)
		surveyResultsView(principalOf(r), res, s.cfg.MinRatings, applied).Render(r.Context(), w)
	})
}

// surveyCSV is the results as a table: one row per item and value; below
// the minimum an item has one row that says so, without any count. The
// headers and the question are for people; the kind and the numbers are
// for programs.
func surveyCSV(ctx context.Context, res projections.SurveyResults) [][]string {
	rows := [][]string{{tr(ctx, "survey.csv.question"), tr(ctx, "survey.csv.kind"), tr(ctx, "survey.csv.answers"), tr(ctx, "survey.csv.value"), tr(ctx, "survey.csv.count")}}
	for _, it := range res.Items {
		label := trm(ctx, it.Name())
		if !it.Shown {
			rows = append(rows, []string{label, it.Kind, tr(ctx, "survey.csv.too_few"), "", ""})
			continue
		}
		for v, c := range it.Counts {
			rows = append(rows, []string{label, it.Kind, itoa(it.Answers), itoa(v + 1), itoa(c)})
		}
	}
	return rows
}

func (s *Server) handleSurveyCSV() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		res, ok := s.surveyOf(w, r)
		if !ok {
			return
		}
		writeCSV(w, "umfrage", res.Year, surveyCSV(r.Context(), res))
	})
}

// Labels of the pages.

func surveyScaleLabel(ctx context.Context, kind string, v int) string {
	if l, ok := domain.SurveyScaleLabels[kind][v]; ok {
		return tr(ctx, "survey.scale.labelled", v, l)
	}
	return strconv.Itoa(v)
}

// surveyItemHeading is an item as the questionnaire asks it: a role
// statement completes the stem (the statement, written by the admins,
// starts with "… ").
func surveyItemHeading(ctx context.Context, it projections.SurveyItem) string {
	switch it.Kind {
	case domain.SurveyItemEvent:
		return tr(ctx, "survey.item.event", it.Name())
	case domain.SurveyItemStatement:
		return trm(ctx, domain.SurveyStatementStem) + " " + strings.TrimPrefix(trm(ctx, it.Name()), "… ")
	}
	return trm(ctx, it.Name())
}

func surveyScaleCaption(ctx context.Context, it projections.SurveyItem) string {
	labels := domain.SurveyScaleLabels[it.Kind]
	return tr(ctx, "survey.scale.caption", labels[1], it.Scale, labels[it.Scale])
}

func participationLabel(ctx context.Context, res projections.SurveyResults) string {
	return tr(ctx, "survey.participation", res.Participants, res.Eligible, res.Rate())
}

func surveyStatus(ctx context.Context, res projections.SurveyResults) string {
	if res.Closed {
		return tr(ctx, "survey.status.closed")
	}
	return tr(ctx, "survey.status.open")
}

// surveyStatusSentence says whether the survey still takes answers.
func surveyStatusSentence(ctx context.Context, res projections.SurveyResults) string {
	if res.Closed {
		return tr(ctx, "survey.results.status_closed")
	}
	return tr(ctx, "survey.results.status_open")
}

func statementsText(st []domain.SurveyStatement) string {
	lines := make([]string, len(st))
	for i, x := range st {
		lines[i] = x.Text
	}
	return strings.Join(lines, "\n")
}

// surveyBar is one row of an item's distribution table.
type surveyBar struct {
	Count, Percent int
	Label          string
}

func surveyBars(ctx context.Context, it projections.SurveyItem) []surveyBar {
	bars := make([]surveyBar, len(it.Counts))
	for i, c := range it.Counts {
		b := surveyBar{Count: c, Label: surveyScaleLabel(ctx, it.Kind, i+1)}
		if it.Answers > 0 {
			b.Percent = (c*100 + it.Answers/2) / it.Answers
		}
		bars[i] = b
	}
	return bars
}

// statementsValue is what the statements field shows: what was entered
// (after a refusal) or the statements as they are.
func statementsValue(pg surveyPage) string {
	if v, ok := pg.Form.For("umfrage-aussagen").Values["statements"]; ok {
		return v
	}
	return statementsText(pg.Statements)
}

// surveyChart is an item's distribution as bars of the dashboard's chart.
func surveyChart(ctx context.Context, it projections.SurveyItem) []chartBar {
	labels := make([]string, len(it.Counts))
	for i := range it.Counts {
		labels[i] = surveyScaleLabel(ctx, it.Kind, i+1)
	}
	return rowChart(labels, it.Counts)
}

// surveyFigureRows are the survey's key figure in kennzahlen.csv: the
// participation in percent; no row without a survey by then.
func surveyFigureRows(f projections.Figures) [][]string {
	if !f.Survey {
		return nil
	}
	return [][]string{{projections.FigSurveyParticipation, itoa(f.SurveyRate)}}
}

// answeredSurveys lists, for "Meine Daten", the years whose survey a
// person answered: that they answered is stored with their id; what they
// answered is not stored with them anywhere. The note is in the language
// of ctx.
func (s *Server) answeredSurveys(ctx context.Context, p principal) map[string]any {
	years := []int{}
	if m := s.surveys(); m != nil {
		for _, y := range m.SurveyYears() {
			if m.HasAnsweredSurvey(y, domain.SurveyParticipantID(y, p.Actor())) {
				years = append(years, y)
			}
		}
	}
	return map[string]any{
		"beantwortete_umfragen": years,
		"hinweis":               tr(ctx, "survey.my_data.note"),
	}
}

// The live view of a year's survey: its results, for everyone who looks
// at them.

func surveyViewYear(view string) (int, bool) {
	y, ok := strings.CutPrefix(view, "umfrage/")
	if !ok || len(y) != 4 {
		return 0, false
	}
	year, err := strconv.Atoi(y)
	return year, err == nil && domain.ValidSurveyYear(year)
}

func (s *Server) surveyViewExists(year int) bool {
	m := s.surveys()
	if m == nil {
		return false
	}
	_, ok := m.SurveyResults(year)
	return ok
}

func (s *Server) renderSurveyView(ctx context.Context, year int) (string, []byte, uint64, bool) {
	m := s.surveys()
	if m == nil {
		return "", nil, 0, false
	}
	applied, _ := s.models.Progress() // before the results: never newer than they are
	res, ok := m.SurveyResults(year)
	if !ok {
		return "", nil, 0, false
	}
	var buf strings.Builder
	if err := surveyResultsLive(res, s.cfg.MinRatings, applied).Render(ctx, &buf); err != nil {
		s.log.Error("render view", "view", projections.SurveyViewName(year), "err", err)
		return "", nil, 0, false
	}
	return "umfrage-live", []byte(buf.String()), applied, true
}
