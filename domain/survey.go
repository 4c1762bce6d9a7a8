package domain

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strconv"
	"strings"
)

// The anonymous annual survey of the Lotsen (DOMAIN.md, "How they judge the
// year"). An admin opens it for a year, edits the role statements and
// closes it. It asks, per item:
//
//   - each event held that year, from 1 ("hat mir nicht gut gefallen") to
//     5 ("hat mir sehr gut gefallen"), optional ("nicht teilgenommen");
//   - each role statement ("In meiner Rolle als Digitallots:in konnte ich
//     …"), from 1 ("trifft gar nicht zu") to 4 ("trifft vollständig zu");
//   - "Insgesamt bin ich zufrieden in meiner Rolle", from 1 ("gar nicht
//     zufrieden") to 5 ("sehr zufrieden"): five steps like the events, so
//     that it reads like the printed survey's satisfaction figure and the
//     report can put it beside the event ratings.
//
// Anonymity works as for event ratings (anonymous.go), with three
// aggregates:
//
//   - the survey of a year (kind "umfrage", id = the year): opened, its
//     statements, closed;
//   - a participant (kind "umfrageteilnahme", one per year and person,
//     SurveyParticipantID): SurveyAnswered records *that* the person
//     answered, never what, and refuses a second answer;
//   - the released answers of one item (kind "umfrageantworten", one per
//     year and item, SurveyItemID): SurveyAnswersReleased, a shuffled batch
//     of values and nothing else.
//
// Each item is a box of its own in the pool and is released as an
// independent shuffled batch. A row per person (all of one person's answers
// together) would make the answers linkable across items: whoever knows
// one of a person's answers, or guesses it, would learn all the others,
// and rare combinations would point to a person. Batches per item, each
// shuffled on its own, keep only the distribution of each item.
//
// Statements are versioned: changing a statement's text gives it a new id,
// so answers always stay with the words that were asked; the answers to
// the earlier wording remain in the results under that wording.

// The kinds of items.
const (
	SurveyItemEvent        = "veranstaltung"
	SurveyItemStatement    = "rolle"
	SurveyItemSatisfaction = "zufriedenheit"
)

// Scales of the items.
const (
	SurveyEventScale        = 5
	SurveyStatementScale    = 4
	SurveySatisfactionScale = 5
)

// SurveyStatementStem is the sentence every role statement completes.
var SurveyStatementStem = M("survey.statement_stem")

// SurveySatisfactionText is the satisfaction question.
var SurveySatisfactionText = M("survey.satisfaction")

// DefaultSurveyStatements are the statements of a newly opened survey.
// i18n:data: they are written into the survey's events as the admins'
// words, like every statement edited later, and asked as they are.
var DefaultSurveyStatements = []string{
	"… Verbesserungsvorschläge in meiner Organisationseinheit einbringen.",
	"… als Bindeglied zwischen Kolleg:innen und dem Amt für Digitalisierung wirken.",
	"… Kolleg:innen zum digitalen Arbeiten ermutigen.",
}

// Limits of the statements.
const (
	MaxSurveyStatements   = 12
	MaxSurveyStatementLen = 200
)

// SurveyScaleLabels name the ends of each kind's scale.
var SurveyScaleLabels = map[string]map[int]Msg{
	SurveyItemEvent:        RatingLabels, // the events are rated on the ratings' scale
	SurveyItemStatement:    {1: M("survey.scale.statement.1"), 4: M("survey.scale.statement.4")},
	SurveyItemSatisfaction: {1: M("survey.scale.satisfaction.1"), 5: M("survey.scale.satisfaction.5")},
}

// SurveyEventKey, SurveyStatementKey: the stable keys of the items.
func SurveyEventKey(event string) string { return SurveyItemEvent + "/" + event }

// SurveyStatementKey is the key of a role statement's item.
func SurveyStatementKey(id string) string { return SurveyItemStatement + "/" + id }

func surveyKindOf(key string) string {
	kind, _, _ := strings.Cut(key, "/")
	return kind
}

// SurveyItemKind returns the kind of an item key and its scale (0: no item).
func SurveyItemKind(key string) (kind string, scale int) {
	kind = surveyKindOf(key)
	switch {
	case key == SurveyItemSatisfaction:
		return kind, SurveySatisfactionScale
	case kind == SurveyItemEvent && validToken(strings.TrimPrefix(key, kind+"/")):
		return kind, SurveyEventScale
	case kind == SurveyItemStatement && validToken(strings.TrimPrefix(key, kind+"/")):
		return kind, SurveyStatementScale
	}
	return "", 0
}

// SurveyStatement is one role statement; its id changes with its text.
type SurveyStatement struct {
	ID   string `json:"id"`
	Text string `json:"text"`
}

// SurveyQuestion is one item as the questionnaire asks it (set by the
// server from the read models).
type SurveyQuestion struct {
	Key      string
	Scale    int
	Optional bool // events: "nicht teilgenommen"
}

type (
	// OpenSurvey opens the survey of the year the aggregate is named after.
	OpenSurvey struct {
		Year int `json:"-"`
	}
	// EditSurveyStatements replaces the role statements: one per line.
	EditSurveyStatements struct {
		Statements string `json:"statements"`
	}
	// CloseSurvey ends the survey: no more answers.
	CloseSurvey struct{}
	// SurveyOpened: the survey of a year is open, with its statements.
	SurveyOpened struct {
		Year       int               `json:"year"`
		Statements []SurveyStatement `json:"statements"`
	}
	// SurveyStatementsChanged: the statements as they are now; a changed
	// text has a new id.
	SurveyStatementsChanged struct {
		Statements []SurveyStatement `json:"statements"`
	}
	// SurveyClosed: the survey takes no more answers.
	SurveyClosed struct{}

	// AnswerSurvey answers the survey. Only Answers comes from the request
	// (item key → value; "" or "0" for an optional item: not taken part);
	// the rest is set by the server from the read models and the session.
	AnswerSurvey struct {
		Answers   map[string]Number `json:"answers"`
		Year      int               `json:"-"`
		Open      bool              `json:"-"` // opened and not closed
		Role      Role              `json:"-"`
		Active    bool              `json:"-"`
		Questions []SurveyQuestion  `json:"-"`
	}
	// SurveyAnswered: someone answered the survey of a year. The answers
	// are not here: they are released later, per item, in shuffled batches
	// without a person.
	SurveyAnswered struct {
		Year int `json:"year"`
	}

	// ReleaseSurveyAnswers writes a batch of one item's values from the
	// pool, already shuffled. Only the server's pool sends it.
	ReleaseSurveyAnswers struct {
		Year   int
		Item   string
		Values []int
	}
	// SurveyAnswersReleased: a batch of anonymous answers to the item the
	// aggregate is named after (SurveyItemID). No person, no session; the
	// envelope's time is the hour of the release and its actor is
	// SystemActor.
	SurveyAnswersReleased struct {
		Values []int `json:"values"`
	}
)

func (SurveyOpened) EventType() string            { return "SurveyOpened" }
func (SurveyStatementsChanged) EventType() string { return "SurveyStatementsChanged" }
func (SurveyClosed) EventType() string            { return "SurveyClosed" }
func (SurveyAnswered) EventType() string          { return "SurveyAnswered" }
func (SurveyAnswersReleased) EventType() string   { return "SurveyAnswersReleased" }

func init() {
	register[SurveyOpened](1)
	register[SurveyStatementsChanged](1)
	register[SurveyClosed](1)
	register[SurveyAnswered](1)
	register[SurveyAnswersReleased](1)
}

// SetFormField takes one answer of the questionnaire form, whose fields
// are named by the item keys.
func (c *AnswerSurvey) SetFormField(key, value string) bool {
	if kind, _ := SurveyItemKind(key); kind == "" {
		return false
	}
	if c.Answers == nil {
		c.Answers = map[string]Number{}
	}
	c.Answers[key] = Number(value)
	return true
}

// SurveyID is the aggregate id of a year's survey.
func SurveyID(year int) string { return strconv.Itoa(year) }

// SurveyParticipantID is the id of the participant aggregate of one person
// and one year's survey: a hash, because two ids do not fit into one token.
func SurveyParticipantID(year int, actor string) string {
	sum := sha256.Sum256([]byte("umfrage\x00" + strconv.Itoa(year) + "\x00" + actor))
	return hex.EncodeToString(sum[:16])
}

// SurveyItemID is the id of the aggregate of one item's released answers:
// the year and the item, readable ("2023-rolle-s1"), so that a released
// batch needs to carry nothing but its values.
func SurveyItemID(year int, item string) string {
	return strconv.Itoa(year) + "-" + strings.Replace(item, "/", "-", 1)
}

// ParseSurveyItemID reads the year and item back from SurveyItemID.
func ParseSurveyItemID(id string) (year int, item string, ok bool) {
	y, rest, found := strings.Cut(id, "-")
	year, err := strconv.Atoi(y)
	if !found || err != nil {
		return 0, "", false
	}
	if kind, key, ok := strings.Cut(rest, "-"); ok {
		rest = kind + "/" + key
	}
	if _, scale := SurveyItemKind(rest); scale == 0 {
		return 0, "", false
	}
	return year, rest, true
}

// ValidSurveyYear bounds the years a survey can be opened for.
func ValidSurveyYear(year int) bool { return year >= 2000 && year <= 2100 }

// Survey is the state of one year's survey.
type Survey struct {
	Opened, Closed bool
	Statements     []SurveyStatement
	Next           int // the number of the next new statement id
}

// Surveys is the decider of one year's survey.
var Surveys = Decider[Survey, any]{
	Kind:    "umfrage",
	Initial: Survey{},
	Decide: func(s Survey, cmd any) ([]Data, error) {
		switch c := cmd.(type) {
		case OpenSurvey:
			if !ValidSurveyYear(c.Year) {
				return nil, FieldError("year", "err.year_range")
			}
			if s.Opened {
				return nil, Errorf(ECONFLICT, "err.survey.already_opened", c.Year)
			}
			st := make([]SurveyStatement, len(DefaultSurveyStatements))
			for i, text := range DefaultSurveyStatements {
				st[i] = SurveyStatement{ID: "s" + strconv.Itoa(i+1), Text: text}
			}
			return []Data{SurveyOpened{Year: c.Year, Statements: st}}, nil
		case EditSurveyStatements:
			if !s.Opened {
				return nil, Errorf(ENOTFOUND, "err.survey.not_found")
			}
			if s.Closed {
				return nil, Errorf(ECONFLICT, "err.survey.closed_statements_stay")
			}
			texts, err := parseStatements(c.Statements)
			if err != nil {
				return nil, err
			}
			next, changed := s.Next, false
			out := make([]SurveyStatement, len(texts))
			for i, text := range texts {
				if j := slices.IndexFunc(s.Statements, func(x SurveyStatement) bool { return x.Text == text }); j >= 0 {
					out[i] = s.Statements[j]
					changed = changed || j != i
					continue
				}
				out[i] = SurveyStatement{ID: "s" + strconv.Itoa(next), Text: text}
				next++
				changed = true
			}
			if !changed && len(out) == len(s.Statements) {
				return nil, nil
			}
			return []Data{SurveyStatementsChanged{Statements: out}}, nil
		case CloseSurvey:
			if !s.Opened {
				return nil, Errorf(ENOTFOUND, "err.survey.not_found")
			}
			if s.Closed {
				return nil, Errorf(ECONFLICT, "err.survey.already_closed")
			}
			return []Data{SurveyClosed{}}, nil
		}
		return nil, Errorf(EINVALID, "err.unknown_action")
	},
	Evolve: func(s Survey, e Event) Survey {
		switch d := e.Data.(type) {
		case SurveyOpened:
			s.Opened, s.Statements = true, d.Statements
		case SurveyStatementsChanged:
			s.Statements = d.Statements
		case SurveyClosed:
			s.Closed = true
		}
		for _, st := range s.Statements {
			if n, err := strconv.Atoi(strings.TrimPrefix(st.ID, "s")); err == nil && n >= s.Next {
				s.Next = n + 1
			}
		}
		return s
	},
}

// parseStatements reads the statements, one per line, without empty lines
// and doubles.
func parseStatements(s string) ([]string, error) {
	text, err := cleanText("statements", "field.statements", s, MaxSurveyStatements*(MaxSurveyStatementLen+2), true, true)
	if err != nil {
		return nil, err
	}
	var out []string
	for line := range strings.Lines(text) {
		line = strings.Join(strings.Fields(line), " ")
		if line == "" {
			continue
		}
		if len([]rune(line)) > MaxSurveyStatementLen {
			return nil, FieldError("statements", "err.survey.statement_too_long", MaxSurveyStatementLen)
		}
		if slices.Contains(out, line) {
			return nil, FieldError("statements", "err.survey.statement_twice", line)
		}
		out = append(out, line)
	}
	if len(out) == 0 {
		return nil, FieldError("statements", "err.survey.statements_required")
	}
	if len(out) > MaxSurveyStatements {
		return nil, FieldError("statements", "err.survey.too_many_statements", MaxSurveyStatements)
	}
	return out, nil
}

// ParseSurveyAnswers checks answers against the questionnaire: every key a
// question, every value on its scale, every required question answered.
// An optional question answered with "" or "0" is left out.
func ParseSurveyAnswers(answers map[string]Number, questions []SurveyQuestion) (map[string]int, error) {
	for key := range answers {
		if !slices.ContainsFunc(questions, func(q SurveyQuestion) bool { return q.Key == key }) {
			return nil, Errorf(ECONFLICT, "err.survey.questionnaire_changed")
		}
	}
	out := map[string]int{}
	for _, q := range questions {
		raw := strings.TrimSpace(string(answers[q.Key]))
		if raw == "" || (q.Optional && raw == "0") {
			if q.Optional {
				continue
			}
			if q.Key == SurveyItemSatisfaction {
				return nil, FieldError(q.Key, "err.survey.satisfaction_required")
			}
			return nil, FieldError(q.Key, "err.survey.answer_required")
		}
		v, err := strconv.Atoi(raw)
		if err != nil || v < 1 || v > q.Scale {
			return nil, FieldError(q.Key, "err.survey.value_range", q.Scale)
		}
		out[q.Key] = v
	}
	return out, nil
}

// Participant is the state of one person's answer to one year's survey.
type Participant struct{ Answered bool }

// SurveyParticipants is the decider of one participant.
var SurveyParticipants = Decider[Participant, any]{
	Kind:    "umfrageteilnahme",
	Initial: Participant{},
	Decide: func(s Participant, cmd any) ([]Data, error) {
		c, ok := cmd.(AnswerSurvey)
		if !ok {
			return nil, Errorf(EINVALID, "err.unknown_action")
		}
		if !c.Open {
			return nil, Errorf(ECONFLICT, "err.survey.not_open", c.Year)
		}
		if c.Role != RoleLotse || !c.Active {
			return nil, Errorf(ECONFLICT, "err.survey.only_active_lotsen")
		}
		if s.Answered {
			return nil, Errorf(ECONFLICT, "err.survey.already_answered", c.Year)
		}
		if _, err := ParseSurveyAnswers(c.Answers, c.Questions); err != nil {
			return nil, err
		}
		return []Data{SurveyAnswered{Year: c.Year}}, nil
	},
	Evolve: func(s Participant, e Event) Participant {
		if _, ok := e.Data.(SurveyAnswered); ok {
			s.Answered = true
		}
		return s
	},
}

// SurveyTally is the state of one item's released answers.
type SurveyTally struct{ Released int }

// SurveyAnswerResults is the decider of one item's released answers. It
// holds the rules a batch must keep: never fewer values than
// MinAnonymousBatch, each on the item's scale.
var SurveyAnswerResults = Decider[SurveyTally, any]{
	Kind:    "umfrageantworten",
	Initial: SurveyTally{},
	Decide: func(s SurveyTally, cmd any) ([]Data, error) {
		c, ok := cmd.(ReleaseSurveyAnswers)
		if !ok {
			return nil, Errorf(EINVALID, "err.unknown_action")
		}
		_, scale := SurveyItemKind(c.Item)
		if scale == 0 || !ValidSurveyYear(c.Year) {
			return nil, Errorf(EINVALID, "err.survey.no_such_question")
		}
		if len(c.Values) < MinAnonymousBatch {
			return nil, Errorf(EINVALID, "err.survey.batch_too_small", MinAnonymousBatch)
		}
		for _, v := range c.Values {
			if v < 1 || v > scale {
				return nil, Errorf(EINVALID, "err.survey.answer_range", scale)
			}
		}
		return []Data{SurveyAnswersReleased{Values: append([]int(nil), c.Values...)}}, nil
	},
	Evolve: func(s SurveyTally, e Event) SurveyTally {
		if d, ok := e.Data.(SurveyAnswersReleased); ok {
			s.Released += len(d.Values)
		}
		return s
	},
}

// SurveyBox is the pool box of one item of one year's survey.
func SurveyBox(year int, item string) string { return strconv.Itoa(year) + "|" + item }

// ParseSurveyBox reads a pool box back.
func ParseSurveyBox(box string) (year int, item string, ok bool) {
	y, item, ok := strings.Cut(box, "|")
	year, err := strconv.Atoi(y)
	return year, item, ok && err == nil
}
