package projections

import (
	"cmp"
	"encoding/json"
	"errors"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"logbuch/domain"
)

// Boards is the read model of KNowHow: boards, their topics by lane, the
// votes (hidden until revealed), each topic's Drehbuch, video and history,
// and the video library.
//
// Votes are kept per (board, voter) and leave this model only as a
// person's own ballot (Ballot) or, once the facilitator revealed them, as
// totals and rankings; BoardView and TopicView carry no counts before, not
// even in their JSON. The shared views are the same for every viewer, so
// the web renders them once; a person's votes travel in their own view
// (BallotViewName).
type Boards struct {
	boards  map[string]*boardState
	topics  map[string]*topicState
	ballots map[string]*ballotState // key: board + "/" + voter
}

// boardsJSON is the stored form of the model, for snapshots.
type boardsJSON struct {
	Boards  map[string]*boardState  `json:"boards"`
	Topics  map[string]*topicState  `json:"topics"`
	Ballots map[string]*ballotState `json:"ballots"`
}

// MarshalJSON writes the model for a snapshot.
func (m *Boards) MarshalJSON() ([]byte, error) {
	return json.Marshal(boardsJSON{m.boards, m.topics, m.ballots})
}

// UnmarshalJSON reads a snapshot's model; every part must be there.
func (m *Boards) UnmarshalJSON(b []byte) error {
	var j boardsJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	if j.Boards == nil || j.Topics == nil || j.Ballots == nil {
		return errors.New("KNowHow model incomplete")
	}
	m.boards, m.topics, m.ballots = j.Boards, j.Topics, j.Ballots
	return nil
}

type boardState struct {
	Info   BoardInfo `json:"info"`
	Topics []string  `json:"topics"` // in the order proposed
	Voters []string  `json:"voters"` // who has a ballot, in the order of their first vote
}

type topicState struct {
	View    TopicView     `json:"view"`
	LaneSeq uint64        `json:"lane_seq"` // when the topic entered its lane
	History []historyStep `json:"history"`
}

type ballotState struct {
	Board string         `json:"board"`
	Voter string         `json:"voter"`
	Dots  map[string]int `json:"dots"`
	Need  map[string]int `json:"need"`
}

// historyStep is one change of a topic as it happened; the word diff of a
// text change is computed when the history is read.
type historyStep struct {
	Seq    uint64    `json:"seq"`
	At     time.Time `json:"at"`
	Actor  string    `json:"actor"`
	Type   string    `json:"type"`
	Field  string    `json:"field,omitempty"`
	Scene  string    `json:"scene,omitempty"`
	Old    string    `json:"old,omitempty"`
	New    string    `json:"new,omitempty"`
	Merged bool      `json:"merged,omitempty"`
	Detail string    `json:"detail,omitempty"`
}

// BoardInfo is a board's header: what every page of the board shows.
type BoardInfo struct {
	ID          string    `json:"id"`
	Title       string    `json:"title"`
	Year        int       `json:"year"`
	Facilitator string    `json:"facilitator"` // person id; the web names them from the roster
	Budget      int       `json:"budget"`      // dots per person
	VotingOpen  bool      `json:"voting_open"`
	Revealed    bool      `json:"revealed"`
	Archived    bool      `json:"archived"`
	Created     time.Time `json:"created"`
	Changed     time.Time `json:"changed"`
	Topics      int       `json:"topics"` // not archived
}

// Domain returns the board as its decider sees it (for FacilitatedBy).
func (b BoardInfo) Domain() domain.Board {
	return domain.Board{Exists: b.ID != "", Title: b.Title, Year: b.Year, Facilitator: b.Facilitator, Budget: b.Budget, VotingClosed: !b.VotingOpen, Revealed: b.Revealed, Archived: b.Archived}
}

// BoardsView lists the boards: active ones (newest year first), then the
// archived ones.
type BoardsView struct {
	Seq      uint64      `json:"seq"`
	Active   []BoardInfo `json:"active"`
	Archived []BoardInfo `json:"archived"`
}

// BoardView is one board as everyone sees it.
type BoardView struct {
	Seq      uint64      `json:"seq"`
	Board    BoardInfo   `json:"board"`
	Lanes    []Lane      `json:"lanes"`    // one per stage, in order
	Archived []TopicCard `json:"archived"` // archived topics, in the order proposed
	// Voted is how many people have given at least one vote (participation,
	// not a count of votes).
	Voted int `json:"voted"`
	// Rankings, only once revealed (nil before).
	ByPreference []RankEntry `json:"by_preference,omitempty"`
	ByNeed       []RankEntry `json:"by_need,omitempty"`
}

// Lane is one stage of the board with its topics, in the order they
// entered it.
type Lane struct {
	Stage  domain.Stage `json:"stage"`
	Topics []TopicCard  `json:"topics"`
}

// TopicCard is a topic on the board.
type TopicCard struct {
	ID           string       `json:"id"`
	Title        TextView     `json:"title"`
	Description  TextView     `json:"description"`
	Amt          string       `json:"amt,omitempty"`
	Source       string       `json:"source"`
	Stage        domain.Stage `json:"stage"`
	Team         []string     `json:"team"` // person ids
	Comments     int          `json:"comments"`
	Scenes       int          `json:"scenes"`
	TotalSeconds int          `json:"total_seconds"`
	HasVideo     bool         `json:"has_video"`
	Archived     bool         `json:"archived"`
	Votes        *VoteTotals  `json:"votes,omitempty"` // only once revealed
}

// TextView is a co-edited text at a revision; an edit sends Rev as its
// base_rev.
type TextView struct {
	Text string `json:"text"`
	Rev  int    `json:"rev"`
}

// VoteTotals are a topic's revealed results.
type VoteTotals struct {
	Dots        int     `json:"dots"`         // Präferenz: all dots
	DotVoters   int     `json:"dot_voters"`   // people who gave dots
	NeedVotes   int     `json:"need_votes"`   // people who rated the need
	NeedAverage float64 `json:"need_average"` // Bedarf: 1..5, 0 without ratings
}

// RankEntry is one place of a ranking.
type RankEntry struct {
	Place int    `json:"place"` // equal results share a place
	Topic string `json:"topic"`
	Title string `json:"title"`
	VoteTotals
}

// BallotView is one person's own votes on a board.
type BallotView struct {
	Seq        uint64         `json:"seq"`
	Board      string         `json:"board"`
	Voter      string         `json:"voter"`
	VotingOpen bool           `json:"voting_open"`
	Budget     int            `json:"budget"`
	Used       int            `json:"used"` // dots on topics one may vote on
	Left       int            `json:"left"`
	Dots       map[string]int `json:"dots"` // topic → dots
	Need       map[string]int `json:"need"` // topic → 1..5
}

// TopicView is one topic with everything its page shows.
type TopicView struct {
	Seq          uint64       `json:"seq"`
	ID           string       `json:"id"`
	Board        string       `json:"board"`
	Title        TextView     `json:"title"`
	Description  TextView     `json:"description"`
	Amt          string       `json:"amt,omitempty"`
	Source       string       `json:"source"`
	Stage        domain.Stage `json:"stage"`
	Archived     bool         `json:"archived"`
	Team         []string     `json:"team"`
	Comments     []Comment    `json:"comments"`
	Scenes       []SceneView  `json:"scenes"`
	TotalSeconds int          `json:"total_seconds"`
	Video        *VideoView   `json:"video,omitempty"`
	ProposedBy   string       `json:"proposed_by"`
	ProposedAt   time.Time    `json:"proposed_at"`
	PublishedAt  time.Time    `json:"published_at,omitzero"`
	Changed      time.Time    `json:"changed"`
	Votes        *VoteTotals  `json:"votes,omitempty"` // only once revealed
}

// Comment is one comment on a topic.
type Comment struct {
	ID    string    `json:"id"` // the event id
	Seq   uint64    `json:"seq"`
	At    time.Time `json:"at"`
	Actor string    `json:"actor"`
	Text  string    `json:"text"`
}

// SceneView is one scene of a Drehbuch.
type SceneView struct {
	ID      string   `json:"id"`
	Shown   TextView `json:"shown"`
	Said    TextView `json:"said"`
	Seconds int      `json:"seconds"`
}

// SceneID lets domain.InsertScene order scenes as the decider does.
func (s SceneView) SceneID() string { return s.ID }

// VideoView is a produced video.
type VideoView struct {
	URL        string    `json:"url"`
	Seconds    int       `json:"seconds"`
	Tool       string    `json:"tool"`
	RecordedAt time.Time `json:"recorded_at"`
	RecordedBy string    `json:"recorded_by"`
}

// VideoEntry is a published video in the library.
type VideoEntry struct {
	Topic       string    `json:"topic"`
	Board       string    `json:"board"`
	BoardTitle  string    `json:"board_title"`
	Year        int       `json:"year"`
	Title       string    `json:"title"`
	Description string    `json:"description,omitempty"`
	Amt         string    `json:"amt,omitempty"`
	URL         string    `json:"url"`
	Seconds     int       `json:"seconds"`
	Tool        string    `json:"tool"`
	Team        []string  `json:"team"`
	PublishedAt time.Time `json:"published_at"`
}

// HistoryEntry is one change of a topic, for its history: who (an actor id,
// named by the web from the roster), when, what, and for text changes the
// word diff from the text before.
type HistoryEntry struct {
	Seq    uint64               `json:"seq"`
	At     time.Time            `json:"at"`
	Actor  string               `json:"actor"`
	Type   string               `json:"type"`  // the event type
	Label  domain.Msg           `json:"label"` // e.g. history.description_edited ("hat die Beschreibung geändert")
	Field  string               `json:"field,omitempty"`
	Scene  string               `json:"scene,omitempty"`
	Merged bool                 `json:"merged,omitempty"` // merged with a concurrent change
	Diff   []domain.DiffSegment `json:"diff,omitempty"`
	Detail string               `json:"detail,omitempty"` // e.g. the comment, the new lane, the video link
}

// Live view names of KNowHow.
const (
	BoardsViewName = "tafeln"
	VideosViewName = "videothek"
)

// BoardViewName is the live view of one board.
func BoardViewName(id string) string { return "tafel/" + id }

// BallotViewName is the live view of one person's own votes on a board:
// only that person (and nobody else) may follow it.
func BallotViewName(board, person string) string { return "tafel/" + board + "/stimmzettel/" + person }

// TopicViewName is the live view of one topic's page.
func TopicViewName(id string) string { return "thema/" + id }

// KNowHowView is a KNowHow live view name, taken apart.
type KNowHowView struct {
	Kind   string // BoardsViewName, "tafel", "stimmzettel", "thema" or VideosViewName
	Board  string
	Topic  string
	Person string // of a ballot: only this person may follow the view
}

// ParseKNowHowView reads a view name made by the functions above; ok is
// false for anything else (including ids that are not subject tokens).
func ParseKNowHowView(name string) (KNowHowView, bool) {
	switch name {
	case BoardsViewName, VideosViewName:
		return KNowHowView{Kind: name}, true
	}
	if id, ok := strings.CutPrefix(name, "thema/"); ok && domain.ValidCommandID(id) {
		return KNowHowView{Kind: "thema", Topic: id}, true
	}
	rest, ok := strings.CutPrefix(name, "tafel/")
	if !ok {
		return KNowHowView{}, false
	}
	if board, person, ok := strings.Cut(rest, "/stimmzettel/"); ok {
		if domain.ValidCommandID(board) && domain.ValidCommandID(person) {
			return KNowHowView{Kind: "stimmzettel", Board: board, Person: person}, true
		}
		return KNowHowView{}, false
	}
	if domain.ValidCommandID(rest) {
		return KNowHowView{Kind: "tafel", Board: rest}, true
	}
	return KNowHowView{}, false
}

// NewBoards returns an empty KNowHow model.
func NewBoards() *Boards {
	return &Boards{boards: map[string]*boardState{}, topics: map[string]*topicState{}, ballots: map[string]*ballotState{}}
}

// Apply implements ReadModel.
func (m *Boards) Apply(rec domain.Recorded) []string {
	if id, ok := aggregateOf(rec.Subject, domain.Boards.Kind); ok {
		return m.applyBoard(id, rec)
	}
	if id, ok := aggregateOf(rec.Subject, domain.Topics.Kind); ok {
		return m.applyTopic(id, rec)
	}
	if _, ok := aggregateOf(rec.Subject, domain.Ballots.Kind); ok {
		return m.applyBallot(rec)
	}
	if person, ok := aggregateOf(rec.Subject, domain.Roster.Kind); ok {
		return m.applyErasure(person, rec)
	}
	return nil
}

// applyErasure: pages name people from the roster, so an erasure changes
// every board and topic that shows the person (facilitator, team,
// comments, history).
func (m *Boards) applyErasure(person string, rec domain.Recorded) []string {
	erased := slices.ContainsFunc(rec.Events, func(e domain.Event) bool {
		_, ok := e.Data.(domain.LotseErased)
		return ok
	})
	if !erased {
		return nil
	}
	var changed []string
	for _, b := range m.boards {
		if b.Info.Facilitator == person {
			changed = append(changed, BoardsViewName, BoardViewName(b.Info.ID))
		}
	}
	for id, t := range m.topics {
		if slices.Contains(t.View.Team, person) || slices.ContainsFunc(t.History, func(h historyStep) bool { return h.Actor == person }) {
			changed = append(changed, TopicViewName(id), BoardViewName(t.View.Board))
			if t.View.Stage == domain.StagePublished {
				changed = append(changed, VideosViewName)
			}
		}
	}
	return changed
}

func (m *Boards) applyBoard(id string, rec domain.Recorded) []string {
	var changed []string
	for _, e := range rec.Events {
		if d, ok := e.Data.(domain.BoardCreated); ok {
			m.boards[id] = &boardState{Info: BoardInfo{ID: id, Title: d.Title, Year: d.Year, Facilitator: d.Facilitator, Budget: d.Budget, VotingOpen: true, Created: e.At, Changed: e.At}}
			changed = append(changed, BoardsViewName, BoardViewName(id))
			continue
		}
		b, ok := m.boards[id]
		if !ok {
			continue
		}
		info := &b.Info
		everyone := false // the change shows on every topic and ballot of the board
		switch d := e.Data.(type) {
		case domain.VoteBudgetSet:
			info.Budget = d.To
			everyone = true
		case domain.VotingClosed:
			info.VotingOpen = false
			everyone = true
		case domain.VotingReopened:
			info.VotingOpen, info.Revealed = true, false
			everyone = true
		case domain.VotesRevealed:
			info.Revealed = true
			everyone = true
		case domain.FacilitatorChanged:
			info.Facilitator = d.To
		case domain.BoardArchived:
			info.Archived = true
			everyone = true
		case domain.BoardRestored:
			info.Archived = false
			everyone = true
		default:
			continue
		}
		info.Changed = e.At
		changed = append(changed, BoardsViewName, BoardViewName(id))
		if everyone {
			changed = append(changed, m.boardDependents(b)...)
		}
	}
	return changed
}

// boardDependents are the views that show a board's state besides the
// board itself: its topics and its voters' ballots (and the library, whose
// entries name the board).
func (m *Boards) boardDependents(b *boardState) []string {
	out := make([]string, 0, len(b.Topics)+len(b.Voters)+1)
	for _, t := range b.Topics {
		out = append(out, TopicViewName(t))
	}
	for _, v := range b.Voters {
		out = append(out, BallotViewName(b.Info.ID, v))
	}
	return append(out, VideosViewName)
}

func (m *Boards) applyTopic(id string, rec domain.Recorded) []string {
	var changed []string
	for _, e := range rec.Events {
		step := historyStep{Seq: rec.Seq, At: e.At, Actor: e.Actor, Type: e.Type}
		if d, ok := e.Data.(domain.TopicProposed); ok {
			b, ok := m.boards[d.Board]
			if !ok {
				continue // the web checks the board; a topic of no board is not shown
			}
			t := &topicState{LaneSeq: rec.Seq, View: TopicView{
				ID: id, Board: d.Board, Title: TextView{d.Title, 1}, Description: TextView{d.Description, 1},
				Amt: d.Amt, Source: d.Source, Stage: domain.StageProposed, ProposedBy: e.Actor, ProposedAt: e.At, Changed: e.At,
			}}
			step.New, step.Detail = d.Title, d.Description
			t.History = append(t.History, step)
			m.topics[id] = t
			b.Topics = append(b.Topics, id)
			b.Info.Topics++
			changed = append(changed, BoardViewName(d.Board), TopicViewName(id), BoardsViewName)
			changed = append(changed, ballotViews(b)...)
			continue
		}
		t, ok := m.topics[id]
		if !ok {
			continue
		}
		v := &t.View
		wasLive := v.Stage == domain.StagePublished && !v.Archived
		boardWide := false // the topic's card changes what ballots count
		switch d := e.Data.(type) {
		case domain.TopicFieldEdited:
			f := &v.Title
			if d.Field == domain.FieldDescription {
				f = &v.Description
			}
			step.Field, step.Old, step.New, step.Merged = d.Field, f.Text, d.Text, d.Merged
			*f = TextView{Text: d.Text, Rev: d.Rev}
		case domain.TopicCommented:
			v.Comments = append(slices.Clip(v.Comments), Comment{ID: e.ID.String(), Seq: rec.Seq, At: e.At, Actor: e.Actor, Text: d.Text})
			step.Detail = d.Text
		case domain.TopicArchived:
			v.Archived = true
			m.boards[v.Board].Info.Topics--
			boardWide = true
		case domain.TopicRestored:
			v.Archived = false
			m.boards[v.Board].Info.Topics++
			boardWide = true
		case domain.TeamJoined:
			v.Team = append(slices.Clip(v.Team), d.Person)
			step.Detail = d.Person
		case domain.TeamLeft:
			v.Team = slices.DeleteFunc(slices.Clone(v.Team), func(p string) bool { return p == d.Person })
			step.Detail = d.Person
		case domain.TopicMoved:
			v.Stage, t.LaneSeq = d.To, rec.Seq
			if d.To == domain.StagePublished {
				v.PublishedAt = e.At
			}
			step.Detail = string(d.To)
		case domain.SceneAdded:
			sc := SceneView{ID: d.Scene, Shown: TextView{d.Shown, 1}, Said: TextView{d.Said, 1}, Seconds: d.Seconds}
			v.Scenes = domain.InsertScene(v.Scenes, sc, d.After)
			step.Scene, step.New = d.Scene, sceneText(d.Shown, d.Said)
		case domain.SceneFieldEdited:
			v.Scenes = slices.Clone(v.Scenes)
			if i := slices.IndexFunc(v.Scenes, func(s SceneView) bool { return s.ID == d.Scene }); i >= 0 {
				f := &v.Scenes[i].Shown
				if d.Field == domain.FieldSaid {
					f = &v.Scenes[i].Said
				}
				step.Old = f.Text
				*f = TextView{Text: d.Text, Rev: d.Rev}
			}
			step.Scene, step.Field, step.New, step.Merged = d.Scene, d.Field, d.Text, d.Merged
		case domain.SceneSecondsSet:
			v.Scenes = slices.Clone(v.Scenes)
			if i := slices.IndexFunc(v.Scenes, func(s SceneView) bool { return s.ID == d.Scene }); i >= 0 {
				v.Scenes[i].Seconds = d.Seconds
			}
			step.Scene, step.Detail = d.Scene, strconv.Itoa(d.Seconds)
		case domain.SceneMoved:
			if i := slices.IndexFunc(v.Scenes, func(s SceneView) bool { return s.ID == d.Scene }); i >= 0 {
				sc := v.Scenes[i]
				v.Scenes = domain.InsertScene(slices.Delete(slices.Clone(v.Scenes), i, i+1), sc, d.After)
			}
			step.Scene, step.Detail = d.Scene, d.After
		case domain.SceneDeleted:
			if i := slices.IndexFunc(v.Scenes, func(s SceneView) bool { return s.ID == d.Scene }); i >= 0 {
				step.Old = sceneText(v.Scenes[i].Shown.Text, v.Scenes[i].Said.Text)
				v.Scenes = slices.Delete(slices.Clone(v.Scenes), i, i+1)
			}
			step.Scene = d.Scene
		case domain.VideoRecorded:
			v.Video = &VideoView{URL: d.URL, Seconds: d.Seconds, Tool: d.Tool, RecordedAt: e.At, RecordedBy: e.Actor}
			step.Detail = d.URL
		default:
			continue
		}
		v.TotalSeconds = 0
		for _, sc := range v.Scenes {
			v.TotalSeconds += sc.Seconds
		}
		v.Changed = e.At
		t.History = append(t.History, step)
		changed = append(changed, BoardViewName(v.Board), TopicViewName(id))
		if boardWide {
			changed = append(changed, BoardsViewName)
			changed = append(changed, ballotViews(m.boards[v.Board])...)
		}
		if isLive := v.Stage == domain.StagePublished && !v.Archived; isLive || wasLive {
			changed = append(changed, VideosViewName)
		}
	}
	return changed
}

func ballotViews(b *boardState) []string {
	out := make([]string, len(b.Voters))
	for i, v := range b.Voters {
		out[i] = BallotViewName(b.Info.ID, v)
	}
	return out
}

func sceneText(shown, said string) string {
	switch {
	case shown == "":
		return said
	case said == "":
		return shown
	}
	return shown + "\n" + said
}

func (m *Boards) applyBallot(rec domain.Recorded) []string {
	var changed []string
	for _, e := range rec.Events {
		var board, voter, topic string
		var value int
		var need bool
		switch d := e.Data.(type) {
		case domain.PreferenceSet:
			board, voter, topic, value = d.Board, d.Voter, d.Topic, d.Dots
		case domain.NeedSet:
			board, voter, topic, value, need = d.Board, d.Voter, d.Topic, d.Need, true
		default:
			continue
		}
		b, ok := m.boards[board]
		if !ok {
			continue
		}
		key := board + "/" + voter
		bl, ok := m.ballots[key]
		if !ok {
			bl = &ballotState{Board: board, Voter: voter, Dots: map[string]int{}, Need: map[string]int{}}
			m.ballots[key] = bl
			b.Voters = append(b.Voters, voter)
		}
		target := bl.Dots
		if need {
			target = bl.Need
		}
		if value == 0 {
			delete(target, topic)
		} else {
			target[topic] = value
		}
		// The board shows participation; the counts stay in the ballots
		// until revealed, but a change after the reveal (impossible while
		// voting is closed, and reopening hides them) would show there.
		changed = append(changed, BoardViewName(board), BallotViewName(board, voter))
		if b.Info.Revealed {
			changed = append(changed, TopicViewName(topic))
		}
	}
	return changed
}

// List returns the boards.
func (m *Boards) List(seq uint64) BoardsView {
	v := BoardsView{Seq: seq, Active: []BoardInfo{}, Archived: []BoardInfo{}}
	for _, b := range m.boards {
		if b.Info.Archived {
			v.Archived = append(v.Archived, b.Info)
		} else {
			v.Active = append(v.Active, b.Info)
		}
	}
	newest := func(a, b BoardInfo) int {
		return cmp.Or(cmp.Compare(b.Year, a.Year), a.Created.Compare(b.Created), strings.Compare(a.ID, b.ID))
	}
	slices.SortFunc(v.Active, newest)
	slices.SortFunc(v.Archived, newest)
	return v
}

// Info returns one board's header.
func (m *Boards) Info(id string) (BoardInfo, bool) {
	b, ok := m.boards[id]
	if !ok {
		return BoardInfo{}, false
	}
	return b.Info, true
}

// votable lists the topics of a board one may vote on (not archived).
func (m *Boards) votable(b *boardState) []string {
	out := make([]string, 0, len(b.Topics))
	for _, id := range b.Topics {
		if !m.topics[id].View.Archived {
			out = append(out, id)
		}
	}
	return out
}

// VotingContext is what a ballot command needs of its board.
func (m *Boards) VotingContext(board string) domain.VotingContext {
	b, ok := m.boards[board]
	if !ok {
		return domain.VotingContext{}
	}
	return b.Info.Domain().VotingContext(m.votable(b))
}

// totals sums the votes of a board per topic (archived topics included;
// the callers decide what to show).
func (m *Boards) totals(b *boardState) map[string]*VoteTotals {
	out := make(map[string]*VoteTotals, len(b.Topics))
	for _, id := range b.Topics {
		out[id] = &VoteTotals{}
	}
	needSum := map[string]int{}
	for _, voter := range b.Voters {
		bl := m.ballots[b.Info.ID+"/"+voter]
		for t, d := range bl.Dots {
			if vt, ok := out[t]; ok {
				vt.Dots += d
				vt.DotVoters++
			}
		}
		for t, n := range bl.Need {
			if vt, ok := out[t]; ok {
				vt.NeedVotes++
				needSum[t] += n
			}
		}
	}
	for t, vt := range out {
		if vt.NeedVotes > 0 {
			vt.NeedAverage = float64(needSum[t]) / float64(vt.NeedVotes)
		}
	}
	return out
}

// View returns one board as everyone sees it.
func (m *Boards) View(id string, seq uint64) (BoardView, bool) {
	b, ok := m.boards[id]
	if !ok {
		return BoardView{}, false
	}
	v := BoardView{Seq: seq, Board: b.Info, Lanes: make([]Lane, len(domain.Stages)), Archived: []TopicCard{}}
	for i, st := range domain.Stages {
		v.Lanes[i] = Lane{Stage: st, Topics: []TopicCard{}}
	}
	var totals map[string]*VoteTotals
	if b.Info.Revealed {
		totals = m.totals(b)
	}
	for _, voter := range b.Voters {
		if bl := m.ballots[id+"/"+voter]; len(bl.Dots) > 0 || len(bl.Need) > 0 {
			v.Voted++
		}
	}
	laneSeq := map[string]uint64{}
	for _, tid := range b.Topics {
		t := m.topics[tid]
		c := t.card()
		if totals != nil {
			vt := *totals[tid]
			c.Votes = &vt
		}
		if c.Archived {
			v.Archived = append(v.Archived, c)
			continue
		}
		i := c.Stage.Index()
		if i < 0 {
			continue
		}
		laneSeq[tid] = t.LaneSeq
		v.Lanes[i].Topics = append(v.Lanes[i].Topics, c)
	}
	for i := range v.Lanes {
		slices.SortStableFunc(v.Lanes[i].Topics, func(a, b TopicCard) int { return cmp.Compare(laneSeq[a.ID], laneSeq[b.ID]) })
	}
	if totals != nil {
		v.ByPreference, v.ByNeed = m.rankings(b, totals)
	}
	return v, true
}

func (t *topicState) card() TopicCard {
	v := t.View
	return TopicCard{
		ID: v.ID, Title: v.Title, Description: v.Description, Amt: v.Amt, Source: v.Source, Stage: v.Stage,
		Team: own(v.Team), Comments: len(v.Comments), Scenes: len(v.Scenes), TotalSeconds: v.TotalSeconds,
		HasVideo: v.Video != nil, Archived: v.Archived,
	}
}

// rankings orders the topics that are not archived by Präferenz (dots,
// then need) and by Bedarf (average need, then dots); equal results share
// a place.
func (m *Boards) rankings(b *boardState, totals map[string]*VoteTotals) (byPref, byNeed []RankEntry) {
	for _, id := range m.votable(b) {
		e := RankEntry{Topic: id, Title: m.topics[id].View.Title.Text, VoteTotals: *totals[id]}
		byPref = append(byPref, e)
		byNeed = append(byNeed, e)
	}
	pref := func(a, b RankEntry) int {
		return cmp.Or(cmp.Compare(b.Dots, a.Dots), cmp.Compare(b.NeedAverage, a.NeedAverage))
	}
	need := func(a, b RankEntry) int {
		return cmp.Or(cmp.Compare(b.NeedAverage, a.NeedAverage), cmp.Compare(b.Dots, a.Dots))
	}
	rank(byPref, pref)
	rank(byNeed, need)
	return byPref, byNeed
}

func rank(list []RankEntry, order func(a, b RankEntry) int) {
	slices.SortStableFunc(list, func(a, b RankEntry) int {
		return cmp.Or(order(a, b), strings.Compare(strings.ToLower(a.Title), strings.ToLower(b.Title)), strings.Compare(a.Topic, b.Topic))
	})
	for i := range list {
		if i > 0 && order(list[i-1], list[i]) == 0 {
			list[i].Place = list[i-1].Place
		} else {
			list[i].Place = i + 1
		}
	}
}

// Ballot returns one person's own votes on a board.
func (m *Boards) Ballot(board, voter string, seq uint64) BallotView {
	v := BallotView{Seq: seq, Board: board, Voter: voter, Dots: map[string]int{}, Need: map[string]int{}}
	b, ok := m.boards[board]
	if !ok {
		return v
	}
	v.Budget, v.VotingOpen = b.Info.Budget, b.Info.VotingOpen && !b.Info.Archived
	if bl, ok := m.ballots[board+"/"+voter]; ok {
		v.Dots, v.Need = maps.Clone(bl.Dots), maps.Clone(bl.Need)
		for t, d := range bl.Dots {
			if tp, ok := m.topics[t]; ok && !tp.View.Archived {
				v.Used += d
			}
		}
	}
	v.Left = max(v.Budget-v.Used, 0)
	return v
}

// Topic returns one topic with its comments, Drehbuch and video.
func (m *Boards) Topic(id string, seq uint64) (TopicView, bool) {
	t, ok := m.topics[id]
	if !ok {
		return TopicView{}, false
	}
	v := t.View
	v.Seq = seq
	v.Team, v.Comments, v.Scenes = own(v.Team), own(v.Comments), own(v.Scenes)
	if v.Video != nil {
		vid := *v.Video
		v.Video = &vid
	}
	if b := m.boards[v.Board]; b.Info.Revealed {
		vt := *m.totals(b)[id]
		v.Votes = &vt
	}
	return v, true
}

// History returns the changes of a topic, oldest first.
func (m *Boards) History(id string) ([]HistoryEntry, bool) {
	t, ok := m.topics[id]
	if !ok {
		return nil, false
	}
	out := make([]HistoryEntry, len(t.History))
	for i, s := range t.History {
		h := HistoryEntry{Seq: s.Seq, At: s.At, Actor: s.Actor, Type: s.Type, Label: historyLabel(s), Field: s.Field, Scene: s.Scene, Merged: s.Merged, Detail: s.Detail}
		switch s.Type {
		case "TopicFieldEdited", "SceneFieldEdited", "SceneAdded", "SceneDeleted":
			h.Diff = domain.WordDiff(s.Old, s.New)
		case "TopicProposed":
			h.Diff = domain.WordDiff("", s.New)
		}
		out[i] = h
	}
	return out, true
}

// historyLabel says what a step of a topic's history did.
func historyLabel(s historyStep) domain.Msg {
	switch s.Type {
	case "TopicProposed":
		return domain.M("history.topic_proposed")
	case "TopicFieldEdited":
		if s.Field == domain.FieldTitle {
			return domain.M("history.title_edited")
		}
		return domain.M("history.description_edited")
	case "TopicCommented":
		return domain.M("history.commented")
	case "TopicArchived":
		return domain.M("history.topic_archived")
	case "TopicRestored":
		return domain.M("history.topic_restored")
	case "TeamJoined":
		return domain.M("history.team_joined")
	case "TeamLeft":
		return domain.M("history.team_left")
	case "TopicMoved":
		return domain.M("history.topic_moved", domain.Stage(s.Detail).Label())
	case "SceneAdded":
		return domain.M("history.scene_added")
	case "SceneFieldEdited":
		if s.Field == domain.FieldSaid {
			return domain.M("history.scene_said_edited")
		}
		return domain.M("history.scene_shown_edited")
	case "SceneSecondsSet":
		return domain.M("history.scene_seconds_set")
	case "SceneMoved":
		return domain.M("history.scene_moved")
	case "SceneDeleted":
		return domain.M("history.scene_deleted")
	case "VideoRecorded":
		return domain.M("history.video_recorded")
	}
	return domain.M("history.unknown_step", s.Type)
}

// Videos returns the published videos, newest first.
func (m *Boards) Videos() []VideoEntry {
	out := []VideoEntry{}
	for _, t := range m.topics {
		v := t.View
		if v.Stage != domain.StagePublished || v.Archived || v.Video == nil {
			continue
		}
		b := m.boards[v.Board]
		out = append(out, VideoEntry{
			Topic: v.ID, Board: v.Board, BoardTitle: b.Info.Title, Year: b.Info.Year, Title: v.Title.Text, Description: v.Description.Text,
			Amt: v.Amt, URL: v.Video.URL, Seconds: v.Video.Seconds, Tool: v.Video.Tool, Team: own(v.Team), PublishedAt: v.PublishedAt,
		})
	}
	slices.SortFunc(out, func(a, b VideoEntry) int {
		return cmp.Or(b.PublishedAt.Compare(a.PublishedAt), strings.Compare(a.Title, b.Title), strings.Compare(a.Topic, b.Topic))
	})
	return out
}

// SearchVideos returns the published videos whose title, description,
// Amt, board or tool contain every word of q (case and umlaut spelling do
// not matter: "Kaemmerei" finds "Kämmerei"); an empty q returns all.
func SearchVideos(videos []VideoEntry, q string) []VideoEntry {
	words := strings.Fields(foldSearch(q))
	if len(words) == 0 {
		return videos
	}
	out := []VideoEntry{}
	for _, v := range videos {
		hay := foldSearch(strings.Join([]string{v.Title, v.Description, v.Amt, v.BoardTitle, v.Tool}, " "))
		if !slices.ContainsFunc(words, func(w string) bool { return !strings.Contains(hay, w) }) {
			out = append(out, v)
		}
	}
	return out
}

var searchFolds = strings.NewReplacer("ä", "ae", "ö", "oe", "ü", "ue", "ß", "ss")

func foldSearch(s string) string { return searchFolds.Replace(strings.ToLower(s)) }

// own copies a slice for a reader; never nil, so that JSON shows [].
func own[T any](s []T) []T { return append(make([]T, 0, len(s)), s...) }

// FoldBoards builds the KNowHow model from messages, e.g. those of an
// export: the reference the live read model must equal.
func FoldBoards(msgs []domain.Recorded) *Boards {
	m := NewBoards()
	for _, rec := range msgs {
		m.Apply(rec)
	}
	return m
}

// Runner accessors: each takes the read lock and returns copies.

// Boards lists the boards.
func (r *Runner) Boards() BoardsView {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.boards.List(r.applied)
}

// Board returns one board as everyone sees it (no votes before the reveal).
func (r *Runner) Board(id string) (BoardView, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.boards.View(id, r.applied)
}

// BoardInfo returns one board's header, e.g. to check FacilitatedBy.
func (r *Runner) BoardInfo(id string) (BoardInfo, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.boards.Info(id)
}

// VotingContext returns what a ballot command needs of its board; the web
// sets it on SetPreference and SetNeed just before executing them.
func (r *Runner) VotingContext(board string) domain.VotingContext {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.boards.VotingContext(board)
}

// Ballot returns one person's own votes on a board: show it to that person
// only.
func (r *Runner) Ballot(board, person string) BallotView {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.boards.Ballot(board, person, r.applied)
}

// Topic returns one topic.
func (r *Runner) Topic(id string) (TopicView, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.boards.Topic(id, r.applied)
}

// TopicHistory returns the changes of a topic, oldest first, with word
// diffs of its text changes.
func (r *Runner) TopicHistory(id string) ([]HistoryEntry, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.boards.History(id)
}

// Videos returns the video library (published videos, newest first),
// filtered by a search (empty: all).
func (r *Runner) Videos(q string) ([]VideoEntry, uint64) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return SearchVideos(r.boards.Videos(), q), r.applied
}
