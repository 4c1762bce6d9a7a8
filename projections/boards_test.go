package projections_test

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"logbuch/domain"
	"logbuch/projections"
)

// fakeLog builds log messages by hand, one command each, for folds.
type fakeLog struct {
	seq  uint64
	at   time.Time
	msgs []domain.Recorded
}

func newFakeLog() *fakeLog {
	return &fakeLog{at: time.Date(2024, 3, 1, 9, 0, 0, 0, time.UTC)}
}

// add appends one message of facts to an aggregate, a minute after the
// previous one.
func (l *fakeLog) add(kind, id, actor string, facts ...domain.Data) domain.Recorded {
	l.seq++
	l.at = l.at.Add(time.Minute)
	rec := domain.Recorded{Seq: l.seq, Subject: domain.Subject("konstanz", kind, id), CommandID: uuid.NewString(), CommandType: "Test"}
	for _, f := range facts {
		rec.Events = append(rec.Events, domain.Event{ID: uuid.Must(uuid.NewV7()), Type: f.EventType(), Version: 1, At: l.at, Actor: actor, Tenant: "konstanz", Data: f})
	}
	l.msgs = append(l.msgs, rec)
	return rec
}

func (l *fakeLog) board(actor string, facts ...domain.Data) domain.Recorded {
	return l.add(domain.Boards.Kind, "b1", actor, facts...)
}

func (l *fakeLog) topic(id, actor string, facts ...domain.Data) domain.Recorded {
	return l.add(domain.Topics.Kind, id, actor, facts...)
}

func (l *fakeLog) prefer(voter, topic string, dots int) domain.Recorded {
	return l.add(domain.Ballots.Kind, domain.BallotID("b1", voter), voter, domain.PreferenceSet{Board: "b1", Voter: voter, Topic: topic, Dots: dots})
}

func (l *fakeLog) need(voter, topic string, need int) domain.Recorded {
	return l.add(domain.Ballots.Kind, domain.BallotID("b1", voter), voter, domain.NeedSet{Board: "b1", Voter: voter, Topic: topic, Need: need})
}

// votingBoard is a board with four topics (t4 archived) and the votes of
// three people, not yet revealed.
func votingBoard() *fakeLog {
	l := newFakeLog()
	l.board("admin", domain.BoardCreated{Title: "KNowHow 2024", Year: 2024, Facilitator: "fina", Budget: 5})
	for _, t := range []struct{ id, title string }{{"t1", "Urlaubsantrag"}, {"t2", "Rechnung freigeben"}, {"t3", "Passwort vergessen"}, {"t4", "Drucker"}} {
		l.topic(t.id, "anna", domain.TopicProposed{Board: "b1", Title: t.title, Source: domain.SourceSurvey})
	}
	l.prefer("anna", "t1", 3)
	l.prefer("anna", "t2", 2)
	l.prefer("ben", "t2", 4)
	l.prefer("ben", "t4", 1)
	l.prefer("cem", "t1", 1)
	l.prefer("cem", "t3", 1)
	l.prefer("cem", "t1", 0) // withdrawn
	l.need("anna", "t1", 5)
	l.need("ben", "t1", 3)
	l.need("ben", "t3", 5)
	l.topic("t4", "ben", domain.TopicArchived{})
	return l
}

func TestBoardHidesVotesUntilRevealed(t *testing.T) {
	l := votingBoard()
	m := projections.FoldBoards(l.msgs)
	v, ok := m.View("b1", l.seq)
	if !ok || v.Board.Title != "KNowHow 2024" || !v.Board.VotingOpen || v.Board.Topics != 3 {
		t.Fatalf("board %+v", v.Board)
	}
	if v.Voted != 3 {
		t.Fatalf("voted %d, want 3", v.Voted)
	}
	proposed := v.Lanes[0]
	if proposed.Stage != domain.StageProposed || len(proposed.Topics) != 3 || len(v.Archived) != 1 || v.Archived[0].ID != "t4" {
		t.Fatalf("lanes %+v archived %+v", v.Lanes, v.Archived)
	}
	for _, c := range append(proposed.Topics, v.Archived...) {
		if c.Votes != nil {
			t.Fatalf("votes shown before the reveal: %+v", c)
		}
	}
	if v.ByPreference != nil || v.ByNeed != nil {
		t.Fatal("rankings before the reveal")
	}
	b, _ := json.Marshal(v)
	for _, leak := range []string{`"votes"`, `"dots"`, `"need`, `"by_preference"`} {
		if strings.Contains(string(b), leak) {
			t.Fatalf("the board's JSON carries %s before the reveal: %s", leak, b)
		}
	}
	tv, _ := m.Topic("t1", l.seq)
	if tv.Votes != nil {
		t.Fatal("topic shows votes before the reveal")
	}

	t.Run("a person sees their own ballot", func(t *testing.T) {
		ba := m.Ballot("b1", "ben", l.seq)
		// t4 is archived: its dot is free again.
		if ba.Budget != 5 || ba.Used != 4 || ba.Left != 1 || ba.Dots["t2"] != 4 || ba.Dots["t4"] != 1 || ba.Need["t3"] != 5 || !ba.VotingOpen {
			t.Fatalf("ballot %+v", ba)
		}
		if c := m.Ballot("b1", "cem", l.seq); len(c.Dots) != 1 || c.Dots["t3"] != 1 {
			t.Fatalf("withdrawn vote still there: %+v", c)
		}
		if n := m.Ballot("b1", "nobody", l.seq); n.Used != 0 || n.Left != 5 || n.Dots == nil {
			t.Fatalf("empty ballot %+v", n)
		}
	})
	t.Run("the voting context is what the ballot needs", func(t *testing.T) {
		ctx := m.VotingContext("b1")
		if !ctx.Exists || !ctx.Open || ctx.Budget != 5 || ctx.Facilitator != "fina" || !slices.Equal(ctx.Topics, []string{"t1", "t2", "t3"}) {
			t.Fatalf("context %+v", ctx)
		}
		if m.VotingContext("nope").Exists {
			t.Fatal("a missing board takes votes")
		}
	})

	l.board("fina", domain.VotingClosed{})
	l.board("fina", domain.VotesRevealed{})
	m = projections.FoldBoards(l.msgs)
	v, _ = m.View("b1", l.seq)
	t.Run("revealed: totals and rankings", func(t *testing.T) {
		totals := map[string]projections.VoteTotals{}
		for _, c := range v.Lanes[0].Topics {
			if c.Votes == nil {
				t.Fatalf("no totals on %s after the reveal", c.ID)
			}
			totals[c.ID] = *c.Votes
		}
		if totals["t1"] != (projections.VoteTotals{Dots: 3, DotVoters: 1, NeedVotes: 2, NeedAverage: 4}) ||
			totals["t2"] != (projections.VoteTotals{Dots: 6, DotVoters: 2}) ||
			totals["t3"] != (projections.VoteTotals{Dots: 1, DotVoters: 1, NeedVotes: 1, NeedAverage: 5}) {
			t.Fatalf("totals %+v", totals)
		}
		order := func(r []projections.RankEntry) (out []string) {
			for _, e := range r {
				out = append(out, fmt.Sprintf("%s:%d", e.Topic, e.Place))
			}
			return out
		}
		if got := order(v.ByPreference); !slices.Equal(got, []string{"t2:1", "t1:2", "t3:3"}) {
			t.Fatalf("by preference %v", got)
		}
		if got := order(v.ByNeed); !slices.Equal(got, []string{"t3:1", "t1:2", "t2:3"}) {
			t.Fatalf("by need %v", got)
		}
		if tv, _ := m.Topic("t2", l.seq); tv.Votes == nil || tv.Votes.Dots != 6 {
			t.Fatalf("topic votes %+v", tv.Votes)
		}
	})
	t.Run("equal results share a place", func(t *testing.T) {
		l2 := votingBoard()
		l2.prefer("cem", "t3", 3) // t3: 3 dots, like t1
		l2.board("fina", domain.VotingClosed{})
		l2.board("fina", domain.VotesRevealed{})
		v, _ := projections.FoldBoards(l2.msgs).View("b1", l2.seq)
		// t1 and t3 have 3 dots each; need breaks the tie (t3: 5, t1: 4).
		if v.ByPreference[1].Topic != "t3" || v.ByPreference[1].Place != 2 || v.ByPreference[2].Place != 3 {
			t.Fatalf("%+v", v.ByPreference)
		}
		// Now t3's need averages 4 like t1's: (4 + 4) / 2.
		l2.need("anna", "t3", 4)
		l2.need("ben", "t3", 4)
		v, _ = projections.FoldBoards(l2.msgs).View("b1", l2.seq)
		if v.ByPreference[1].Place != 2 || v.ByPreference[2].Place != 2 {
			t.Fatalf("ties: %+v", v.ByPreference)
		}
	})
	t.Run("reopening hides them again", func(t *testing.T) {
		l.board("fina", domain.VotingReopened{})
		v, _ := projections.FoldBoards(l.msgs).View("b1", l.seq)
		if v.ByPreference != nil || v.Lanes[0].Topics[0].Votes != nil || !v.Board.VotingOpen || v.Board.Revealed {
			t.Fatalf("after reopening: %+v", v)
		}
	})
}

func TestLanesAndChangedViews(t *testing.T) {
	l := votingBoard()
	m := projections.FoldBoards(l.msgs)
	changed := m.Apply(l.topic("t1", "anna", domain.TopicMoved{From: domain.StageProposed, To: domain.StageSelected}))
	if !slices.Contains(changed, "tafel/b1") || !slices.Contains(changed, "thema/t1") || slices.Contains(changed, projections.VideosViewName) {
		t.Fatalf("move: %v", changed)
	}
	m.Apply(l.topic("t3", "anna", domain.TopicMoved{From: domain.StageProposed, To: domain.StageSelected}))
	m.Apply(l.topic("t2", "anna", domain.TopicMoved{From: domain.StageProposed, To: domain.StageSelected}))
	m.Apply(l.topic("t1", "anna", domain.TopicMoved{From: domain.StageSelected, To: domain.StageProposed}))
	m.Apply(l.topic("t1", "anna", domain.TopicMoved{From: domain.StageProposed, To: domain.StageSelected}))
	v, _ := m.View("b1", l.seq)
	var ids []string
	for _, c := range v.Lanes[1].Topics {
		ids = append(ids, c.ID)
	}
	if !slices.Equal(ids, []string{"t3", "t2", "t1"}) || len(v.Lanes[0].Topics) != 0 {
		t.Fatalf("a lane lists its topics in the order they arrived: %v", ids)
	}
	changed = m.Apply(l.prefer("dora", "t1", 1))
	if !slices.Equal(changed, []string{"tafel/b1", projections.BallotViewName("b1", "dora")}) {
		t.Fatalf("vote: %v (no topic view before the reveal)", changed)
	}
	changed = m.Apply(l.board("fina", domain.VoteBudgetSet{From: 5, To: 8}))
	for _, want := range []string{"tafeln", "tafel/b1", "thema/t1", projections.BallotViewName("b1", "anna"), projections.BallotViewName("b1", "dora")} {
		if !slices.Contains(changed, want) {
			t.Fatalf("budget: %v lacks %s", changed, want)
		}
	}
	if ba := m.Ballot("b1", "dora", l.seq); ba.Budget != 8 || ba.Left != 7 {
		t.Fatalf("ballot after the budget rose: %+v", ba)
	}
	changed = m.Apply(l.topic("t3", "ben", domain.TopicArchived{}))
	if !slices.Contains(changed, projections.BallotViewName("b1", "cem")) {
		t.Fatalf("archiving frees dots, so ballots change: %v", changed)
	}
	if m.Apply(l.add(domain.Roster.Kind, "x", "admin", domain.LotseLeft{})) != nil {
		t.Fatal("a departure changes no KNowHow page")
	}
	// An erasure changes the pages that name the person.
	changed = m.Apply(l.add(domain.Roster.Kind, "fina", "admin", domain.LotseErased{}))
	if !slices.Contains(changed, "tafel/b1") || !slices.Contains(changed, "tafeln") {
		t.Fatalf("erasing the facilitator: %v", changed)
	}
	changed = m.Apply(l.add(domain.Roster.Kind, "anna", "admin", domain.LotseErased{}))
	if !slices.Contains(changed, "thema/t1") || !slices.Contains(changed, "tafel/b1") {
		t.Fatalf("erasing a proposer: %v", changed)
	}
	if m.Apply(l.add(domain.Roster.Kind, "nobody", "admin", domain.LotseErased{})) != nil {
		t.Fatal("erasing someone KNowHow does not show")
	}
	bl := m.List(l.seq)
	if len(bl.Active) != 1 || bl.Active[0].Topics != 2 {
		t.Fatalf("boards %+v", bl)
	}
	m.Apply(l.board("fina", domain.BoardArchived{}))
	if bl := m.List(l.seq); len(bl.Active) != 0 || len(bl.Archived) != 1 {
		t.Fatalf("archived board %+v", bl)
	}
	if m.VotingContext("b1").Open || m.Ballot("b1", "anna", l.seq).VotingOpen {
		t.Fatal("an archived board takes no votes")
	}
}

// producedTopic takes t1 from proposal to a published video.
func producedTopic(l *fakeLog) {
	l.topic("t1", "anna", domain.TopicFieldEdited{Field: "description", Rev: 2, BaseRev: 1, Text: "Wie beantrage ich Urlaub?"})
	l.topic("t1", "ben", domain.TopicFieldEdited{Field: "description", Rev: 3, BaseRev: 1, Text: "Wie beantrage ich Urlaub im Personalportal?", Merged: true})
	l.topic("t1", "ben", domain.TopicCommented{Text: "Frage kommt oft aus der Kämmerei."})
	l.topic("t1", "anna", domain.TeamJoined{Person: "anna"})
	l.topic("t1", "ben", domain.TeamJoined{Person: "ben"})
	l.topic("t1", "anna", domain.TopicMoved{From: domain.StageProposed, To: domain.StageSelected})
	l.topic("t1", "anna", domain.TopicMoved{From: domain.StageSelected, To: domain.StageScript})
	l.topic("t1", "anna", domain.SceneAdded{Scene: "s1", Shown: "Intranet", Said: "Willkommen", Seconds: 10})
	l.topic("t1", "ben", domain.SceneAdded{Scene: "s2", After: "s1", Shown: "Formular", Seconds: 20})
	l.topic("t1", "ben", domain.SceneAdded{Scene: "s3", Shown: "Titel", Seconds: 5}) // first
	l.topic("t1", "anna", domain.SceneFieldEdited{Scene: "s2", Field: "said", Rev: 2, BaseRev: 1, Text: "Hier tragen Sie die Tage ein."})
	l.topic("t1", "anna", domain.SceneSecondsSet{Scene: "s2", Seconds: 25})
	l.topic("t1", "anna", domain.SceneMoved{Scene: "s3", After: "s2"}) // last
	l.topic("t1", "ben", domain.SceneAdded{Scene: "s4", Shown: "weg", Seconds: 3})
	l.topic("t1", "ben", domain.SceneDeleted{Scene: "s4"})
	l.topic("t1", "anna", domain.TopicMoved{From: domain.StageScript, To: domain.StageProduced})
	l.topic("t1", "ben", domain.VideoRecorded{URL: "https://intranet.konstanz.example/knowhow/urlaub", Seconds: 95, Tool: "Powtoon"})
	l.topic("t1", "ben", domain.TopicMoved{From: domain.StageProduced, To: domain.StagePublished})
}

func TestTopicPageHistoryAndVideos(t *testing.T) {
	l := votingBoard()
	producedTopic(l)
	m := projections.FoldBoards(l.msgs)
	v, ok := m.Topic("t1", l.seq)
	if !ok {
		t.Fatal("no topic")
	}
	if v.Description != (projections.TextView{Text: "Wie beantrage ich Urlaub im Personalportal?", Rev: 3}) || v.Title.Rev != 1 {
		t.Fatalf("fields %+v %+v", v.Title, v.Description)
	}
	if len(v.Comments) != 1 || v.Comments[0].Actor != "ben" || v.Comments[0].ID == "" || !slices.Equal(v.Team, []string{"anna", "ben"}) {
		t.Fatalf("comments %+v team %v", v.Comments, v.Team)
	}
	var scenes []string
	for _, s := range v.Scenes {
		scenes = append(scenes, s.ID)
	}
	if !slices.Equal(scenes, []string{"s1", "s2", "s3"}) || v.TotalSeconds != 40 || v.Scenes[1].Said != (projections.TextView{Text: "Hier tragen Sie die Tage ein.", Rev: 2}) {
		t.Fatalf("scenes %v total %d: %+v", scenes, v.TotalSeconds, v.Scenes)
	}
	if v.Video == nil || v.Video.Seconds != 95 || v.Video.RecordedBy != "ben" || v.Stage != domain.StagePublished || v.PublishedAt.IsZero() {
		t.Fatalf("video %+v stage %s", v.Video, v.Stage)
	}
	// The copy is the reader's own.
	v.Team[0], v.Scenes[0].ID = "x", "x"
	if again, _ := m.Topic("t1", l.seq); again.Team[0] != "anna" || again.Scenes[0].ID != "s1" {
		t.Fatal("readers share the model's slices")
	}

	t.Run("history", func(t *testing.T) {
		h, ok := m.History("t1")
		if !ok || len(h) != 19 {
			t.Fatalf("%d steps", len(h))
		}
		if h[0].Type != "TopicProposed" || h[0].Actor != "anna" || h[0].Label.Key != "history.topic_proposed" {
			t.Fatalf("first %+v", h[0])
		}
		merged := h[2]
		if merged.Label.Key != "history.description_edited" || !merged.Merged || merged.Actor != "ben" ||
			!slices.Equal(merged.Diff, []domain.DiffSegment{{Op: "=", Text: "Wie beantrage ich Urlaub"}, {Op: "+", Text: " im Personalportal"}, {Op: "=", Text: "?"}}) {
			t.Fatalf("merged edit %+v", merged)
		}
		if h[3].Detail != "Frage kommt oft aus der Kämmerei." || !reflect.DeepEqual(h[6].Label, domain.M("history.topic_moved", domain.StageSelected.Label())) {
			t.Fatalf("comment %+v move %+v", h[3], h[6])
		}
		del := h[15]
		if del.Type != "SceneDeleted" || !slices.Equal(del.Diff, []domain.DiffSegment{{Op: "-", Text: "weg"}}) {
			t.Fatalf("deleted scene %+v", del)
		}
		for _, e := range h {
			if e.Label.Key == "history.unknown_step" || e.At.IsZero() || e.Seq == 0 {
				t.Fatalf("step without a German label or time: %+v", e)
			}
		}
	})
	t.Run("video library and search", func(t *testing.T) {
		lib := m.Videos()
		if len(lib) != 1 || lib[0].Title != "Urlaubsantrag" || lib[0].BoardTitle != "KNowHow 2024" || lib[0].Seconds != 95 {
			t.Fatalf("library %+v", lib)
		}
		for q, want := range map[string]int{"": 1, "urlaub": 1, "PERSONALPORTAL": 1, "urlaub powtoon": 1, "urlaub kino": 0, "knowhow 2024": 1, "Drucker": 0} {
			if got := len(projections.SearchVideos(lib, q)); got != want {
				t.Errorf("search %q: %d, want %d", q, got, want)
			}
		}
		l.topic("t1", "ben", domain.TopicFieldEdited{Field: "title", Rev: 2, BaseRev: 1, Text: "Urlaub in der Kämmerei"})
		m.Apply(l.msgs[len(l.msgs)-1])
		if got := projections.SearchVideos(m.Videos(), "Kaemmerei"); len(got) != 1 {
			t.Fatalf("umlaut spelling: %+v", got)
		}
		changed := m.Apply(l.topic("t1", "ben", domain.TopicMoved{From: domain.StagePublished, To: domain.StageProduced}))
		if !slices.Contains(changed, projections.VideosViewName) || len(m.Videos()) != 0 {
			t.Fatalf("taken back: %v %+v", changed, m.Videos())
		}
	})
}

func TestKNowHowViewNames(t *testing.T) {
	for name, want := range map[string]projections.KNowHowView{
		projections.BoardsViewName:              {Kind: "tafeln"},
		projections.VideosViewName:              {Kind: "videothek"},
		projections.BoardViewName("b1"):         {Kind: "tafel", Board: "b1"},
		projections.TopicViewName("t1"):         {Kind: "thema", Topic: "t1"},
		projections.BallotViewName("b1", "p-1"): {Kind: "stimmzettel", Board: "b1", Person: "p-1"},
	} {
		if got, ok := projections.ParseKNowHowView(name); !ok || got != want {
			t.Errorf("%s: got %+v %v, want %+v", name, got, ok, want)
		}
	}
	for _, bad := range []string{"", "tafel/", "tafel/a.b", "tafel/b1/stimmzettel/", "tafel/b1/x/y", "thema/", "roster", "tafel/b1/stimmzettel/a/b"} {
		if got, ok := projections.ParseKNowHowView(bad); ok {
			t.Errorf("%q read as %+v", bad, got)
		}
	}
}
