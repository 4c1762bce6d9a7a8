package domain

import (
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode"
)

// Topics of a KNowHow board ("Thema"): from a survey question or a Lotse's
// idea to a published explainer video. One aggregate per topic: its text
// fields, comments, team, stage, Drehbuch and video change together and are
// guarded together (team size, stage order, merge of concurrent edits);
// different topics never contend.

// Stage is where a topic is in the pipeline (a lane of the board).
type Stage string

// The stages, in order.
const (
	StageProposed  Stage = "vorschlag"
	StageSelected  Stage = "ausgewaehlt"
	StageScript    Stage = "drehbuch"
	StageProduced  Stage = "produktion"
	StagePublished Stage = "veroeffentlicht"
)

// Stages in the order of the lanes.
var Stages = []Stage{StageProposed, StageSelected, StageScript, StageProduced, StagePublished}

// Label names a stage, the title of its lane (catalogue key stage.<stage>).
func (s Stage) Label() Msg { return M("stage." + string(s)) }

// Index is the position of the stage in Stages, or -1.
func (s Stage) Index() int { return slices.Index(Stages, s) }

// Next is the lane to the right (for moving a card by keyboard); ok is
// false in the last lane.
func (s Stage) Next() (Stage, bool) {
	if i := s.Index(); i >= 0 && i+1 < len(Stages) {
		return Stages[i+1], true
	}
	return "", false
}

// Previous is the lane to the left; ok is false in the first lane.
func (s Stage) Previous() (Stage, bool) {
	if i := s.Index(); i > 0 {
		return Stages[i-1], true
	}
	return "", false
}

// Sources of a topic.
const (
	SourceSurvey = "umfrage" // the staff-wide survey
	SourceLotse  = "lotse"   // a Lotse's own idea
)

// SourceLabel names where a topic came from (catalogue key source.<source>).
func SourceLabel(s string) Msg { return M("source." + s) }

// Text fields of a topic and of a scene.
const (
	FieldTitle       = "title"
	FieldDescription = "description"
	FieldShown       = "shown"
	FieldSaid        = "said"
)

// SceneAtStart as After puts a scene first; an empty After puts it last.
const SceneAtStart = "anfang"

// Limits of topics.
const (
	MaxTopicTitleLength  = 150
	MaxDescriptionLength = MaxMergeLength
	MaxSceneTextLength   = 2000
	MaxCommentLength     = 2000
	MaxTeam              = 3
	MinTeamForScript     = 2 // "two or three Lotsen" write and produce
	MaxScenes            = 60
	MaxSceneSeconds      = 600
	MaxVideoSeconds      = 2 * 60 * 60
	MaxURLLength         = 500
	MaxToolLength        = 100
)

// Topic is the state of one topic.
type Topic struct {
	Exists      bool
	Board       string
	Title       TextField
	Description TextField
	Amt         string
	Source      string
	Stage       Stage
	Archived    bool
	Team        []string // person ids, in the order they joined; never mutated
	Scenes      []Scene  // in order; never mutated
	NextScene   int      // scene ids are s1, s2, … in the order they were added
	Video       Video
}

// Scene is one scene of a Drehbuch.
type Scene struct {
	ID      string
	Shown   TextField // what is shown
	Said    TextField // what is said
	Seconds int
}

// Video is the produced explainer video.
type Video struct {
	URL     string
	Seconds int
	Tool    string
}

// Recorded reports whether a video was recorded.
func (v Video) Recorded() bool { return v.URL != "" }

// InTeam reports whether a person is in the topic's team.
func (s Topic) InTeam(person string) bool { return slices.Contains(s.Team, person) }

// SceneIndex is the position of a scene, or -1.
func (s Topic) SceneIndex(id string) int {
	return slices.IndexFunc(s.Scenes, func(sc Scene) bool { return sc.ID == id })
}

// Commands of a topic.
type (
	// ProposeTopic puts a topic on a board (the caller checks that the
	// board exists and is not archived).
	ProposeTopic struct {
		Board       string `json:"board"`
		Title       string `json:"title"`
		Description string `json:"description"`
		Amt         string `json:"amt"`    // where the question comes from; may be empty
		Source      string `json:"source"` // umfrage or lotse (empty: lotse)
	}
	// EditTopicField changes the title or the description.
	EditTopicField struct {
		Field   string `json:"field"`
		BaseRev Number `json:"base_rev"`
		Text    string `json:"text"`
	}
	// CommentTopic comments on a topic.
	CommentTopic struct {
		Text string `json:"text"`
	}
	// ArchiveTopic puts a topic away (it keeps its history).
	ArchiveTopic struct{}
	// RestoreTopic takes an archived topic back.
	RestoreTopic struct{}
	// JoinTeam puts the caller in the topic's team.
	JoinTeam struct {
		By Caller `json:"-"`
	}
	// LeaveTeam takes the caller out of the team.
	LeaveTeam struct {
		By Caller `json:"-"`
	}
	// MoveTopic moves a topic one lane forward or back.
	MoveTopic struct {
		To Stage `json:"to"`
	}
	// AddScene adds a scene to the Drehbuch after another one.
	AddScene struct {
		After   string `json:"after"` // a scene id, SceneAtStart, or empty: at the end
		Shown   string `json:"shown"`
		Said    string `json:"said"`
		Seconds Number `json:"seconds"`
		By      Caller `json:"-"`
	}
	// EditScene changes what a scene shows or says.
	EditScene struct {
		Scene   string `json:"scene"`
		Field   string `json:"field"` // shown or said
		BaseRev Number `json:"base_rev"`
		Text    string `json:"text"`
		By      Caller `json:"-"`
	}
	// SetSceneSeconds estimates a scene's length.
	SetSceneSeconds struct {
		Scene   string `json:"scene"`
		Seconds Number `json:"seconds"`
		By      Caller `json:"-"`
	}
	// MoveScene puts a scene after another one.
	MoveScene struct {
		Scene string `json:"scene"`
		After string `json:"after"` // a scene id, SceneAtStart, or empty: at the end
		By    Caller `json:"-"`
	}
	// DeleteScene removes a scene.
	DeleteScene struct {
		Scene string `json:"scene"`
		By    Caller `json:"-"`
	}
	// RecordVideo records the produced video.
	RecordVideo struct {
		URL      string `json:"url"`
		Duration Number `json:"duration"` // seconds, or m:ss
		Tool     string `json:"tool"`
		By       Caller `json:"-"`
	}
	// PublishVideo publishes the recorded video to all staff (the move
	// from Produktion to Veröffentlicht).
	PublishVideo struct{}
)

// Events of a topic.
type (
	// TopicProposed: a topic was put on a board.
	TopicProposed struct {
		Board       string `json:"board"`
		Title       string `json:"title"`
		Description string `json:"description,omitempty"`
		Amt         string `json:"amt,omitempty"`
		Source      string `json:"source"`
	}
	// TopicFieldEdited: the title or description changed; Text is the
	// whole new text (merged with a concurrent change when Merged).
	TopicFieldEdited struct {
		Field   string `json:"field"`
		Rev     int    `json:"rev"`
		BaseRev int    `json:"base_rev"`
		Text    string `json:"text"`
		Merged  bool   `json:"merged,omitempty"`
	}
	// TopicCommented: someone commented.
	TopicCommented struct {
		Text string `json:"text"`
	}
	// TopicArchived: the topic was put away.
	TopicArchived struct{}
	// TopicRestored: the topic is back.
	TopicRestored struct{}
	// TeamJoined: a person joined the team.
	TeamJoined struct {
		Person string `json:"person"`
	}
	// TeamLeft: a person left the team.
	TeamLeft struct {
		Person string `json:"person"`
	}
	// TopicMoved: the topic is in another lane.
	TopicMoved struct {
		From Stage `json:"from"`
		To   Stage `json:"to"`
	}
	// SceneAdded: a scene was added after another one ("" first).
	SceneAdded struct {
		Scene   string `json:"scene"`
		After   string `json:"after,omitempty"`
		Shown   string `json:"shown,omitempty"`
		Said    string `json:"said,omitempty"`
		Seconds int    `json:"seconds"`
	}
	// SceneFieldEdited: what a scene shows or says changed.
	SceneFieldEdited struct {
		Scene   string `json:"scene"`
		Field   string `json:"field"`
		Rev     int    `json:"rev"`
		BaseRev int    `json:"base_rev"`
		Text    string `json:"text"`
		Merged  bool   `json:"merged,omitempty"`
	}
	// SceneSecondsSet: a scene's estimated length changed.
	SceneSecondsSet struct {
		Scene   string `json:"scene"`
		Seconds int    `json:"seconds"`
	}
	// SceneMoved: a scene now comes after another one ("" first).
	SceneMoved struct {
		Scene string `json:"scene"`
		After string `json:"after,omitempty"`
	}
	// SceneDeleted: a scene was removed.
	SceneDeleted struct {
		Scene string `json:"scene"`
	}
	// VideoRecorded: the video was produced.
	VideoRecorded struct {
		URL     string `json:"url"`
		Seconds int    `json:"seconds"`
		Tool    string `json:"tool"`
	}
)

func (TopicProposed) EventType() string    { return "TopicProposed" }
func (TopicFieldEdited) EventType() string { return "TopicFieldEdited" }
func (TopicCommented) EventType() string   { return "TopicCommented" }
func (TopicArchived) EventType() string    { return "TopicArchived" }
func (TopicRestored) EventType() string    { return "TopicRestored" }
func (TeamJoined) EventType() string       { return "TeamJoined" }
func (TeamLeft) EventType() string         { return "TeamLeft" }
func (TopicMoved) EventType() string       { return "TopicMoved" }
func (SceneAdded) EventType() string       { return "SceneAdded" }
func (SceneFieldEdited) EventType() string { return "SceneFieldEdited" }
func (SceneSecondsSet) EventType() string  { return "SceneSecondsSet" }
func (SceneMoved) EventType() string       { return "SceneMoved" }
func (SceneDeleted) EventType() string     { return "SceneDeleted" }
func (VideoRecorded) EventType() string    { return "VideoRecorded" }

func init() {
	register[TopicProposed](1)
	register[TopicFieldEdited](1)
	register[TopicCommented](1)
	register[TopicArchived](1)
	register[TopicRestored](1)
	register[TeamJoined](1)
	register[TeamLeft](1)
	register[TopicMoved](1)
	register[SceneAdded](1)
	register[SceneFieldEdited](1)
	register[SceneSecondsSet](1)
	register[SceneMoved](1)
	register[SceneDeleted](1)
	register[VideoRecorded](1)
}

// Topics is the decider of one topic.
var Topics = Decider[Topic, any]{
	Kind:    "thema",
	Initial: Topic{},
	Decide:  decideTopic,
	Evolve:  evolveTopic,
}

// CleanTopic checks a proposal as ProposeTopic does; the CSV import uses
// it to report bad rows before anything is imported.
func CleanTopic(c ProposeTopic) (TopicProposed, error) {
	if !validToken(c.Board) {
		return TopicProposed{}, Errorf(ENOTFOUND, "err.board.not_found")
	}
	title, err := cleanText("title", "field.title", c.Title, MaxTopicTitleLength, true, false)
	if err != nil {
		return TopicProposed{}, err
	}
	desc, err := cleanText("description", "field.description", c.Description, MaxDescriptionLength, false, true)
	if err != nil {
		return TopicProposed{}, err
	}
	amt := strings.TrimSpace(c.Amt)
	if amt != "" && !KnownAmt(amt) {
		return TopicProposed{}, FieldError("amt", "err.topic.amt_unknown")
	}
	source := c.Source
	if source == "" {
		source = SourceLotse
	}
	if source != SourceSurvey && source != SourceLotse {
		return TopicProposed{}, FieldError("source", "err.topic.source_unknown", SourceSurvey, SourceLotse)
	}
	return TopicProposed{Board: c.Board, Title: title, Description: desc, Amt: amt, Source: source}, nil
}

func decideTopic(s Topic, cmd any) ([]Data, error) {
	if c, ok := cmd.(ProposeTopic); ok {
		if s.Exists {
			return nil, Errorf(ECONFLICT, "err.topic.exists")
		}
		p, err := CleanTopic(c)
		if err != nil {
			return nil, err
		}
		return []Data{p}, nil
	}
	if !s.Exists {
		return nil, Errorf(ENOTFOUND, "err.topic.not_found")
	}
	if _, restore := cmd.(RestoreTopic); !restore && s.Archived {
		return nil, Errorf(ECONFLICT, "err.topic.archived")
	}
	switch c := cmd.(type) {
	case EditTopicField:
		return decideTopicField(s, c)
	case CommentTopic:
		text, err := cleanText("text", "field.comment", c.Text, MaxCommentLength, true, true)
		if err != nil {
			return nil, err
		}
		return []Data{TopicCommented{Text: text}}, nil
	case ArchiveTopic:
		return []Data{TopicArchived{}}, nil
	case RestoreTopic:
		if !s.Archived {
			return nil, Errorf(ECONFLICT, "err.topic.not_archived")
		}
		return []Data{TopicRestored{}}, nil
	case JoinTeam:
		if !validToken(c.By.Person) {
			return nil, Errorf(ECONFLICT, "err.topic.join_needs_person")
		}
		if s.InTeam(c.By.Person) {
			return nil, Errorf(ECONFLICT, "err.topic.already_in_team")
		}
		if s.Stage == StagePublished {
			return nil, Errorf(ECONFLICT, "err.topic.already_published")
		}
		if len(s.Team) >= MaxTeam {
			return nil, Errorf(ECONFLICT, "err.topic.team_full", MaxTeam)
		}
		return []Data{TeamJoined{Person: c.By.Person}}, nil
	case LeaveTeam:
		// Leaving is always possible (people change jobs); the minimum team
		// is checked when a topic enters Drehbuch or Produktion.
		if !s.InTeam(c.By.Person) {
			return nil, Errorf(ECONFLICT, "err.topic.not_in_team")
		}
		return []Data{TeamLeft{Person: c.By.Person}}, nil
	case MoveTopic:
		return decideMove(s, c.To)
	case PublishVideo:
		if s.Stage != StageProduced {
			return nil, Errorf(ECONFLICT, "err.video.publish_from_lane", StageProduced.Label())
		}
		return decideMove(s, StagePublished)
	case AddScene, EditScene, SetSceneSeconds, MoveScene, DeleteScene:
		return decideScene(s, c)
	case RecordVideo:
		if err := teamOnly(s, c.By); err != nil {
			return nil, err
		}
		if s.Stage != StageProduced {
			return nil, Errorf(ECONFLICT, "err.video.record_in_lane", StageProduced.Label())
		}
		u, err := cleanVideoURL(c.URL)
		if err != nil {
			return nil, err
		}
		secs, err := parseDuration(string(c.Duration))
		if err != nil {
			return nil, err
		}
		tool, err := cleanText("tool", "field.tool", c.Tool, MaxToolLength, true, false)
		if err != nil {
			return nil, err
		}
		v := VideoRecorded{URL: u, Seconds: secs, Tool: tool}
		if s.Video == (Video{URL: u, Seconds: secs, Tool: tool}) {
			return nil, nil
		}
		return []Data{v}, nil
	}
	return nil, Errorf(EINVALID, "err.unknown_action")
}

func decideTopicField(s Topic, c EditTopicField) ([]Data, error) {
	base, err := parseRev(c.BaseRev)
	if err != nil {
		return nil, err
	}
	var res textEdit
	var rev int
	switch c.Field {
	case FieldTitle:
		res, err = editText(s.Title, FieldTitle, "field.title", "", base, c.Text, MaxTopicTitleLength, true, false)
		rev = s.Title.Rev + 1
	case FieldDescription:
		res, err = editText(s.Description, FieldDescription, "field.description", "", base, c.Text, MaxDescriptionLength, false, true)
		rev = s.Description.Rev + 1
	default:
		return nil, FieldError("field", "err.topic.unknown_field")
	}
	if err != nil || !res.Changed {
		return nil, err
	}
	return []Data{TopicFieldEdited{Field: c.Field, Rev: rev, BaseRev: base, Text: res.Text, Merged: res.Merged}}, nil
}

// decideMove: one lane at a time, forward or back, so that a dragged card
// cannot skip the team, the Drehbuch or the video. Forward into Drehbuch
// needs a team of two ("two or three Lotsen"; one may wait alone in the
// earlier lanes while the team forms); into Produktion a team of two and a
// Drehbuch of at least one scene; into Veröffentlicht a recorded video.
// Back is always possible (moving out of Veröffentlicht takes the video
// out of the library).
func decideMove(s Topic, to Stage) ([]Data, error) {
	ti, fi := to.Index(), s.Stage.Index()
	if ti < 0 {
		return nil, FieldError("to", "err.topic.unknown_lane")
	}
	if ti == fi {
		return nil, nil
	}
	if ti-fi > 1 || fi-ti > 1 {
		return nil, Errorf(ECONFLICT, "err.topic.one_lane_at_a_time", s.Stage.Label(), neighbours(fi))
	}
	if ti > fi {
		switch to {
		case StageScript:
			if len(s.Team) < MinTeamForScript {
				return nil, Errorf(ECONFLICT, "err.topic.script_needs_team", MinTeamForScript)
			}
		case StageProduced:
			if len(s.Team) < MinTeamForScript {
				return nil, Errorf(ECONFLICT, "err.topic.production_needs_team", MinTeamForScript)
			}
			if len(s.Scenes) == 0 {
				return nil, Errorf(ECONFLICT, "err.topic.production_needs_scene")
			}
		case StagePublished:
			if !s.Video.Recorded() {
				return nil, Errorf(ECONFLICT, "err.video.missing")
			}
		}
	}
	return []Data{TopicMoved{From: s.Stage, To: to}}, nil
}

// neighbours names the lanes next to the i-th: one, or either of two.
func neighbours(i int) Msg {
	switch {
	case i > 0 && i+1 < len(Stages):
		return M("stage.either", Stages[i-1].Label(), Stages[i+1].Label())
	case i > 0:
		return M("stage.only", Stages[i-1].Label())
	}
	return M("stage.only", Stages[i+1].Label())
}

// teamOnly: the Drehbuch and the video are the team's work (an admin may
// step in).
func teamOnly(s Topic, by Caller) error {
	if by.Person != "" && (s.InTeam(by.Person) || by.Role == RoleAdmin) {
		return nil
	}
	return Errorf(ECONFLICT, "err.topic.team_only")
}

func decideScene(s Topic, cmd any) ([]Data, error) {
	var by Caller
	switch c := cmd.(type) {
	case AddScene:
		by = c.By
	case EditScene:
		by = c.By
	case SetSceneSeconds:
		by = c.By
	case MoveScene:
		by = c.By
	case DeleteScene:
		by = c.By
	}
	if err := teamOnly(s, by); err != nil {
		return nil, err
	}
	if s.Stage != StageScript && s.Stage != StageProduced {
		return nil, Errorf(ECONFLICT, "err.scene.wrong_lane", StageScript.Label(), StageProduced.Label())
	}
	scene := func(id string) (Scene, error) {
		if i := s.SceneIndex(id); i >= 0 {
			return s.Scenes[i], nil
		}
		return Scene{}, Errorf(ENOTFOUND, "err.scene.not_found")
	}
	after := func(id, self string) (string, error) {
		switch {
		case id == "":
			if n := len(s.Scenes); n > 0 && s.Scenes[n-1].ID != self {
				return s.Scenes[n-1].ID, nil
			} else if n > 1 {
				return s.Scenes[n-2].ID, nil
			}
			return "", nil
		case id == SceneAtStart:
			return "", nil
		case id == self:
			return "", FieldError("after", "err.scene.after_itself")
		case s.SceneIndex(id) < 0:
			return "", FieldError("after", "err.scene.not_found")
		}
		return id, nil
	}
	switch c := cmd.(type) {
	case AddScene:
		if len(s.Scenes) >= MaxScenes {
			return nil, Errorf(ECONFLICT, "err.scene.too_many", MaxScenes)
		}
		pos, err := after(c.After, "")
		if err != nil {
			return nil, err
		}
		shown, err := cleanText(FieldShown, "field.shown", c.Shown, MaxSceneTextLength, false, true)
		if err != nil {
			return nil, err
		}
		said, err := cleanText(FieldSaid, "field.said", c.Said, MaxSceneTextLength, false, true)
		if err != nil {
			return nil, err
		}
		if shown == "" && said == "" {
			return nil, FieldError(FieldShown, "err.scene.empty")
		}
		secs, err := parseSceneSeconds(c.Seconds)
		if err != nil {
			return nil, err
		}
		return []Data{SceneAdded{Scene: "s" + strconv.Itoa(s.NextScene+1), After: pos, Shown: shown, Said: said, Seconds: secs}}, nil
	case EditScene:
		sc, err := scene(c.Scene)
		if err != nil {
			return nil, err
		}
		base, err := parseRev(c.BaseRev)
		if err != nil {
			return nil, err
		}
		var res textEdit
		var rev int
		switch c.Field {
		case FieldShown:
			res, err = editText(sc.Shown, FieldShown, "field.shown", sc.ID, base, c.Text, MaxSceneTextLength, false, true)
			rev = sc.Shown.Rev + 1
		case FieldSaid:
			res, err = editText(sc.Said, FieldSaid, "field.said", sc.ID, base, c.Text, MaxSceneTextLength, false, true)
			rev = sc.Said.Rev + 1
		default:
			return nil, FieldError("field", "err.topic.unknown_field")
		}
		if err != nil || !res.Changed {
			return nil, err
		}
		return []Data{SceneFieldEdited{Scene: sc.ID, Field: c.Field, Rev: rev, BaseRev: base, Text: res.Text, Merged: res.Merged}}, nil
	case SetSceneSeconds:
		sc, err := scene(c.Scene)
		if err != nil {
			return nil, err
		}
		secs, err := parseSceneSeconds(c.Seconds)
		if err != nil || secs == sc.Seconds {
			return nil, err
		}
		return []Data{SceneSecondsSet{Scene: sc.ID, Seconds: secs}}, nil
	case MoveScene:
		if _, err := scene(c.Scene); err != nil {
			return nil, err
		}
		pos, err := after(c.After, c.Scene)
		if err != nil {
			return nil, err
		}
		i := s.SceneIndex(c.Scene)
		if (i == 0 && pos == "") || (i > 0 && s.Scenes[i-1].ID == pos) {
			return nil, nil
		}
		return []Data{SceneMoved{Scene: c.Scene, After: pos}}, nil
	case DeleteScene:
		if _, err := scene(c.Scene); err != nil {
			return nil, err
		}
		return []Data{SceneDeleted{Scene: c.Scene}}, nil
	}
	return nil, Errorf(EINVALID, "err.unknown_action")
}

// evolveTopic never changes slices of the state it is given: the command
// handler shares states between goroutines.
func evolveTopic(s Topic, e Event) Topic {
	switch d := e.Data.(type) {
	case TopicProposed:
		return Topic{Exists: true, Board: d.Board, Title: newTextField(d.Title), Description: newTextField(d.Description), Amt: d.Amt, Source: d.Source, Stage: StageProposed}
	case TopicFieldEdited:
		switch d.Field {
		case FieldTitle:
			s.Title = s.Title.with(d.Rev, d.Text)
		case FieldDescription:
			s.Description = s.Description.with(d.Rev, d.Text)
		}
	case TopicArchived:
		s.Archived = true
	case TopicRestored:
		s.Archived = false
	case TeamJoined:
		s.Team = append(slices.Clip(s.Team), d.Person)
	case TeamLeft:
		s.Team = slices.DeleteFunc(slices.Clone(s.Team), func(p string) bool { return p == d.Person })
	case TopicMoved:
		s.Stage = d.To
	case SceneAdded:
		s.NextScene++
		s.Scenes = InsertScene(s.Scenes, Scene{ID: d.Scene, Shown: newTextField(d.Shown), Said: newTextField(d.Said), Seconds: d.Seconds}, d.After)
	case SceneFieldEdited:
		s.Scenes = slices.Clone(s.Scenes)
		if i := s.SceneIndex(d.Scene); i >= 0 {
			switch d.Field {
			case FieldShown:
				s.Scenes[i].Shown = s.Scenes[i].Shown.with(d.Rev, d.Text)
			case FieldSaid:
				s.Scenes[i].Said = s.Scenes[i].Said.with(d.Rev, d.Text)
			}
		}
	case SceneSecondsSet:
		s.Scenes = slices.Clone(s.Scenes)
		if i := s.SceneIndex(d.Scene); i >= 0 {
			s.Scenes[i].Seconds = d.Seconds
		}
	case SceneMoved:
		if i := s.SceneIndex(d.Scene); i >= 0 {
			sc := s.Scenes[i]
			rest := slices.Delete(slices.Clone(s.Scenes), i, i+1)
			s.Scenes = InsertScene(rest, sc, d.After)
		}
	case SceneDeleted:
		s.Scenes = slices.DeleteFunc(slices.Clone(s.Scenes), func(sc Scene) bool { return sc.ID == d.Scene })
	case VideoRecorded:
		s.Video = Video{URL: d.URL, Seconds: d.Seconds, Tool: d.Tool}
	}
	return s
}

// InsertScene returns a new slice with sc after the scene with id after
// ("" or unknown: first). The read models order scenes the same way.
func InsertScene[T interface{ SceneID() string }](list []T, sc T, after string) []T {
	i := 0
	if after != "" {
		if j := slices.IndexFunc(list, func(x T) bool { return x.SceneID() == after }); j >= 0 {
			i = j + 1
		}
	}
	return slices.Insert(slices.Clone(list), i, sc)
}

// SceneID implements the constraint of InsertScene.
func (sc Scene) SceneID() string { return sc.ID }

// TotalSeconds is the estimated length of the Drehbuch.
func (s Topic) TotalSeconds() int {
	n := 0
	for _, sc := range s.Scenes {
		n += sc.Seconds
	}
	return n
}

// parseSceneSeconds reads a scene's estimated length (whole seconds).
func parseSceneSeconds(n Number) (int, error) {
	secs, err := strconv.Atoi(strings.TrimSpace(string(n)))
	if err != nil || secs < 1 || secs > MaxSceneSeconds {
		return 0, FieldError("seconds", "err.scene.seconds", 1, MaxSceneSeconds)
	}
	return secs, nil
}

func parseRev(n Number) (int, error) {
	rev, err := strconv.Atoi(strings.TrimSpace(string(n)))
	if err != nil || rev < 1 {
		return 0, FieldError("base_rev", "err.merge.base_rev_missing")
	}
	return rev, nil
}

// cleanVideoURL accepts an absolute http or https link.
func cleanVideoURL(s string) (string, error) {
	s = strings.TrimSpace(s)
	bad := FieldError("url", "err.video.url")
	if s == "" || len(s) > MaxURLLength || strings.ContainsFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) {
		return "", bad
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil {
		return "", bad
	}
	return u.String(), nil
}

// parseDuration reads seconds ("95") or minutes and seconds ("1:35").
func parseDuration(s string) (int, error) {
	s = strings.TrimSpace(s)
	bad := FieldError("duration", "err.video.duration")
	secs := 0
	if m, sec, ok := strings.Cut(s, ":"); ok {
		mi, err1 := strconv.Atoi(m)
		si, err2 := strconv.Atoi(sec)
		if err1 != nil || err2 != nil || mi < 0 || mi > MaxVideoSeconds/60 || si < 0 || si > 59 || len(sec) != 2 {
			return 0, bad
		}
		secs = mi*60 + si
	} else {
		n, err := strconv.Atoi(s)
		if err != nil {
			return 0, bad
		}
		secs = n
	}
	if secs < 1 || secs > MaxVideoSeconds {
		return 0, bad
	}
	return secs, nil
}
