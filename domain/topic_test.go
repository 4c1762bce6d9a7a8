package domain_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"

	"logbuch/domain"
)

func newEventID(t *testing.T) uuid.UUID {
	t.Helper()
	return uuid.Must(uuid.NewV7())
}

var (
	proposed = domain.TopicProposed{Board: "b1", Title: "Urlaubsantrag", Amt: "Personal- und Organisationsamt", Source: domain.SourceSurvey}
	anna     = domain.Caller{Person: "anna", Role: domain.RoleLotse}
	ben      = domain.Caller{Person: "ben", Role: domain.RoleLotse}
	cem      = domain.Caller{Person: "cem", Role: domain.RoleLotse}
	dora     = domain.Caller{Person: "dora", Role: domain.RoleLotse}
	boss     = domain.Caller{Person: "boss", Role: domain.RoleAdmin}
)

// givenTopic folds a history into a topic's state.
func givenTopic(t *testing.T, facts ...domain.Data) domain.Topic {
	t.Helper()
	return givenTopicMore(t, domain.Topics.Initial, facts...)
}

// givenTopicMore folds more facts into a state.
func givenTopicMore(t *testing.T, s domain.Topic, facts ...domain.Data) domain.Topic {
	t.Helper()
	for _, f := range facts {
		s = domain.Topics.Evolve(s, domain.Event{Data: f})
	}
	return s
}

// decideTopic runs a command and folds its facts, failing on a refusal.
func decideTopic(t *testing.T, s domain.Topic, cmd any) (domain.Topic, []domain.Data) {
	t.Helper()
	got, err := domain.Topics.Decide(s, cmd)
	if err != nil {
		t.Fatalf("%T refused: %v", cmd, err)
	}
	return givenTopicMore(t, s, got...), got
}

// refused checks that a command is refused with a code (and field).
func refused(t *testing.T, got []domain.Data, err error, code, field string) {
	t.Helper()
	if domain.ErrorCode(err) != code || domain.ErrorField(err) != field {
		t.Fatalf("got %+v %v, want %s on %q", got, err, code, field)
	}
	if msg := said(domain.ErrorMessage(err)); msg == "" || strings.Contains(msg, "error") {
		t.Fatalf("message %q is not for people", msg)
	}
}

func TestProposeTopic(t *testing.T) {
	got, err := domain.Topics.Decide(domain.Topics.Initial, domain.ProposeTopic{Board: "b1", Title: "  Urlaubsantrag ", Amt: "Personal- und Organisationsamt", Source: "umfrage"})
	if err != nil || got[0] != proposed {
		t.Fatalf("got %+v %v", got, err)
	}
	s := givenTopic(t, got...)
	if s.Stage != domain.StageProposed || s.Title.Rev != 1 || s.Description.Rev != 1 || s.Title.Text != "Urlaubsantrag" {
		t.Fatalf("state %+v", s)
	}
	if got, _ := domain.Topics.Decide(domain.Topics.Initial, domain.ProposeTopic{Board: "b1", Title: "Idee"}); got[0].(domain.TopicProposed).Source != domain.SourceLotse {
		t.Fatal("a topic without a source is a Lotse's idea")
	}
	for name, c := range map[string]struct {
		cmd         domain.ProposeTopic
		code, field string
	}{
		"no title":       {domain.ProposeTopic{Board: "b1", Title: " "}, domain.EINVALID, "title"},
		"long title":     {domain.ProposeTopic{Board: "b1", Title: strings.Repeat("x", domain.MaxTopicTitleLength+1)}, domain.EINVALID, "title"},
		"unknown Amt":    {domain.ProposeTopic{Board: "b1", Title: "x", Amt: "Amt für Magie"}, domain.EINVALID, "amt"},
		"unknown source": {domain.ProposeTopic{Board: "b1", Title: "x", Source: "bauchgefühl"}, domain.EINVALID, "source"},
		"no board":       {domain.ProposeTopic{Board: "a.b", Title: "x"}, domain.ENOTFOUND, ""},
	} {
		t.Run(name, func(t *testing.T) {
			got, err := domain.Topics.Decide(domain.Topics.Initial, c.cmd)
			refused(t, got, err, c.code, c.field)
		})
	}
	got, err = domain.Topics.Decide(s, domain.ProposeTopic{Board: "b1", Title: "x"})
	refused(t, got, err, domain.ECONFLICT, "")
	got, err = domain.Topics.Decide(domain.Topics.Initial, domain.CommentTopic{Text: "x"})
	refused(t, got, err, domain.ENOTFOUND, "")
}

func TestCommentArchiveRestore(t *testing.T) {
	s := givenTopic(t, proposed)
	s, got := decideTopic(t, s, domain.CommentTopic{Text: " Das fragen alle in der Kämmerei. "})
	if got[0] != (domain.TopicCommented{Text: "Das fragen alle in der Kämmerei."}) {
		t.Fatalf("comment %+v", got)
	}
	got, err := domain.Topics.Decide(s, domain.CommentTopic{Text: ""})
	refused(t, got, err, domain.EINVALID, "text")
	s, _ = decideTopic(t, s, domain.ArchiveTopic{})
	if !s.Archived {
		t.Fatal("not archived")
	}
	for _, cmd := range []any{domain.CommentTopic{Text: "x"}, domain.ArchiveTopic{}, domain.JoinTeam{By: anna}, domain.MoveTopic{To: domain.StageSelected}, domain.EditTopicField{Field: "title", BaseRev: "1", Text: "y"}} {
		got, err := domain.Topics.Decide(s, cmd)
		refused(t, got, err, domain.ECONFLICT, "")
	}
	s, _ = decideTopic(t, s, domain.RestoreTopic{})
	got, err = domain.Topics.Decide(s, domain.RestoreTopic{})
	refused(t, got, err, domain.ECONFLICT, "")
	decideTopic(t, s, domain.CommentTopic{Text: "wieder da"})
}

func TestTeam(t *testing.T) {
	s := givenTopic(t, proposed)
	s, got := decideTopic(t, s, domain.JoinTeam{By: anna})
	if got[0] != (domain.TeamJoined{Person: "anna"}) {
		t.Fatalf("join %+v", got)
	}
	got, err := domain.Topics.Decide(s, domain.JoinTeam{By: anna})
	refused(t, got, err, domain.ECONFLICT, "")
	s, _ = decideTopic(t, s, domain.JoinTeam{By: ben})
	s, _ = decideTopic(t, s, domain.JoinTeam{By: cem})
	t.Run("at most three", func(t *testing.T) {
		got, err := domain.Topics.Decide(s, domain.JoinTeam{By: dora})
		refused(t, got, err, domain.ECONFLICT, "")
	})
	t.Run("leaving frees a place", func(t *testing.T) {
		s, _ := decideTopic(t, s, domain.LeaveTeam{By: ben})
		if !slices.Equal(s.Team, []string{"anna", "cem"}) {
			t.Fatalf("team %v", s.Team)
		}
		s, _ = decideTopic(t, s, domain.JoinTeam{By: dora})
		if !slices.Equal(s.Team, []string{"anna", "cem", "dora"}) {
			t.Fatalf("team %v", s.Team)
		}
	})
	t.Run("only members leave", func(t *testing.T) {
		got, err := domain.Topics.Decide(s, domain.LeaveTeam{By: dora})
		refused(t, got, err, domain.ECONFLICT, "")
	})
	t.Run("nobody anonymous", func(t *testing.T) {
		got, err := domain.Topics.Decide(givenTopic(t, proposed), domain.JoinTeam{})
		refused(t, got, err, domain.ECONFLICT, "")
	})
	t.Run("states are not shared", func(t *testing.T) {
		before := slices.Clone(s.Team)
		decideTopic(t, s, domain.LeaveTeam{By: anna})
		if !slices.Equal(s.Team, before) {
			t.Fatalf("evolving changed the earlier state: %v", s.Team)
		}
	})
}

// inScript is a topic with a team of two in the Drehbuch lane.
func inScript(t *testing.T) domain.Topic {
	t.Helper()
	return givenTopic(t, proposed, domain.TeamJoined{Person: "anna"}, domain.TeamJoined{Person: "ben"},
		domain.TopicMoved{From: domain.StageProposed, To: domain.StageSelected}, domain.TopicMoved{From: domain.StageSelected, To: domain.StageScript})
}

func TestStages(t *testing.T) {
	t.Run("one lane at a time", func(t *testing.T) {
		got, err := domain.Topics.Decide(givenTopic(t, proposed), domain.MoveTopic{To: domain.StageScript})
		refused(t, got, err, domain.ECONFLICT, "")
		if got := said(domain.ErrorMessage(err)); !strings.Contains(got, "nur nach „Ausgewählt“") {
			t.Fatalf("message %q does not name the next lane", got)
		}
	})
	t.Run("unknown lane", func(t *testing.T) {
		got, err := domain.Topics.Decide(givenTopic(t, proposed), domain.MoveTopic{To: "irgendwo"})
		refused(t, got, err, domain.EINVALID, "to")
	})
	t.Run("same lane changes nothing", func(t *testing.T) {
		got, err := domain.Topics.Decide(givenTopic(t, proposed), domain.MoveTopic{To: domain.StageProposed})
		if err != nil || len(got) != 0 {
			t.Fatalf("%+v %v", got, err)
		}
	})
	selected := givenTopic(t, proposed, domain.TopicMoved{From: domain.StageProposed, To: domain.StageSelected}, domain.TeamJoined{Person: "anna"})
	t.Run("the Drehbuch needs a team of two", func(t *testing.T) {
		got, err := domain.Topics.Decide(selected, domain.MoveTopic{To: domain.StageScript})
		refused(t, got, err, domain.ECONFLICT, "")
		s := givenTopicMore(t, selected, domain.TeamJoined{Person: "ben"})
		_, got = decideTopic(t, s, domain.MoveTopic{To: domain.StageScript})
		if got[0] != (domain.TopicMoved{From: domain.StageSelected, To: domain.StageScript}) {
			t.Fatalf("move %+v", got)
		}
	})
	t.Run("production needs a scene and a team of two", func(t *testing.T) {
		s := inScript(t)
		got, err := domain.Topics.Decide(s, domain.MoveTopic{To: domain.StageProduced})
		refused(t, got, err, domain.ECONFLICT, "")
		s, _ = decideTopic(t, s, domain.AddScene{Shown: "Startseite des Intranets", Seconds: "10", By: anna})
		alone := givenTopicMore(t, s, domain.TeamLeft{Person: "ben"})
		got, err = domain.Topics.Decide(alone, domain.MoveTopic{To: domain.StageProduced})
		refused(t, got, err, domain.ECONFLICT, "")
		decideTopic(t, s, domain.MoveTopic{To: domain.StageProduced})
	})
	t.Run("publishing needs a video, from Produktion only", func(t *testing.T) {
		s := givenTopicMore(t, inScript(t), domain.SceneAdded{Scene: "s1", Shown: "x", Seconds: 5}, domain.TopicMoved{From: domain.StageScript, To: domain.StageProduced})
		got, err := domain.Topics.Decide(s, domain.PublishVideo{})
		refused(t, got, err, domain.ECONFLICT, "")
		got, err = domain.Topics.Decide(s, domain.MoveTopic{To: domain.StagePublished})
		refused(t, got, err, domain.ECONFLICT, "")
		s, _ = decideTopic(t, s, domain.RecordVideo{URL: "https://intranet.konstanz.example/videos/urlaub.mp4", Duration: "2:05", Tool: "Powtoon", By: ben})
		published, got := decideTopic(t, s, domain.PublishVideo{})
		if got[0] != (domain.TopicMoved{From: domain.StageProduced, To: domain.StagePublished}) || published.Stage != domain.StagePublished {
			t.Fatalf("publish %+v", got)
		}
		got, err = domain.Topics.Decide(published, domain.PublishVideo{})
		refused(t, got, err, domain.ECONFLICT, "")
		got, err = domain.Topics.Decide(published, domain.JoinTeam{By: cem})
		refused(t, got, err, domain.ECONFLICT, "")
		// Back is possible: the video leaves the library.
		back, _ := decideTopic(t, published, domain.MoveTopic{To: domain.StageProduced})
		if back.Stage != domain.StageProduced || !back.Video.Recorded() {
			t.Fatalf("back %+v", back)
		}
	})
	t.Run("back is always possible", func(t *testing.T) {
		s := givenTopicMore(t, inScript(t), domain.TeamLeft{Person: "ben"}, domain.TeamLeft{Person: "anna"})
		s, _ = decideTopic(t, s, domain.MoveTopic{To: domain.StageSelected})
		decideTopic(t, s, domain.MoveTopic{To: domain.StageProposed})
	})
}

func TestDrehbuch(t *testing.T) {
	s := inScript(t)
	t.Run("the team writes it, in the Drehbuch and Produktion lanes", func(t *testing.T) {
		got, err := domain.Topics.Decide(s, domain.AddScene{Shown: "x", Seconds: "5", By: cem})
		refused(t, got, err, domain.ECONFLICT, "")
		decideTopic(t, s, domain.AddScene{Shown: "x", Seconds: "5", By: boss}) // an admin may step in
		early := givenTopic(t, proposed, domain.TeamJoined{Person: "anna"})
		got, err = domain.Topics.Decide(early, domain.AddScene{Shown: "x", Seconds: "5", By: anna})
		refused(t, got, err, domain.ECONFLICT, "")
	})
	s, got := decideTopic(t, s, domain.AddScene{Shown: "Intranet, Startseite", Said: "Hier beginnt alles.", Seconds: "10", By: anna})
	if got[0] != (domain.SceneAdded{Scene: "s1", Shown: "Intranet, Startseite", Said: "Hier beginnt alles.", Seconds: 10}) {
		t.Fatalf("first scene %+v", got)
	}
	s, _ = decideTopic(t, s, domain.AddScene{Shown: "Formular", Seconds: "20", By: ben})                                 // at the end
	s, _ = decideTopic(t, s, domain.AddScene{After: domain.SceneAtStart, Said: "Worum geht es?", Seconds: "5", By: ben}) // first
	s, _ = decideTopic(t, s, domain.AddScene{After: "s1", Shown: "Menü Personal", Seconds: "8", By: anna})               // after s1
	ids := func(s domain.Topic) []string {
		var out []string
		for _, sc := range s.Scenes {
			out = append(out, sc.ID)
		}
		return out
	}
	if got := ids(s); !slices.Equal(got, []string{"s3", "s1", "s4", "s2"}) {
		t.Fatalf("order %v", got)
	}
	if s.TotalSeconds() != 43 {
		t.Fatalf("total %d", s.TotalSeconds())
	}
	t.Run("scene rules", func(t *testing.T) {
		for name, c := range map[string]struct {
			cmd         any
			code, field string
		}{
			"empty scene":       {domain.AddScene{Seconds: "5", By: anna}, domain.EINVALID, "shown"},
			"no seconds":        {domain.AddScene{Shown: "x", By: anna}, domain.EINVALID, "seconds"},
			"too long":          {domain.AddScene{Shown: "x", Seconds: "601", By: anna}, domain.EINVALID, "seconds"},
			"after unknown":     {domain.AddScene{Shown: "x", Seconds: "5", After: "s99", By: anna}, domain.EINVALID, "after"},
			"edit unknown":      {domain.EditScene{Scene: "s99", Field: "said", BaseRev: "1", Text: "x", By: anna}, domain.ENOTFOUND, ""},
			"edit unknown text": {domain.EditScene{Scene: "s1", Field: "music", BaseRev: "1", Text: "x", By: anna}, domain.EINVALID, "field"},
			"move after itself": {domain.MoveScene{Scene: "s1", After: "s1", By: anna}, domain.EINVALID, "after"},
			"delete unknown":    {domain.DeleteScene{Scene: "s99", By: anna}, domain.ENOTFOUND, ""},
			"seconds zero":      {domain.SetSceneSeconds{Scene: "s1", Seconds: "0", By: anna}, domain.EINVALID, "seconds"},
			"not in team":       {domain.DeleteScene{Scene: "s1", By: cem}, domain.ECONFLICT, ""},
		} {
			t.Run(name, func(t *testing.T) {
				got, err := domain.Topics.Decide(s, c.cmd)
				refused(t, got, err, c.code, c.field)
			})
		}
	})
	t.Run("reorder, time, delete", func(t *testing.T) {
		m, _ := decideTopic(t, s, domain.MoveScene{Scene: "s3", By: anna}) // to the end
		if got := ids(m); !slices.Equal(got, []string{"s1", "s4", "s2", "s3"}) {
			t.Fatalf("moved to the end: %v", got)
		}
		m, _ = decideTopic(t, m, domain.MoveScene{Scene: "s2", After: domain.SceneAtStart, By: anna})
		if got := ids(m); !slices.Equal(got, []string{"s2", "s1", "s4", "s3"}) {
			t.Fatalf("moved first: %v", got)
		}
		if got, err := domain.Topics.Decide(m, domain.MoveScene{Scene: "s4", After: "s1", By: anna}); err != nil || len(got) != 0 {
			t.Fatalf("a move to where it is: %+v %v", got, err)
		}
		m, _ = decideTopic(t, m, domain.SetSceneSeconds{Scene: "s4", Seconds: "30", By: ben})
		m, _ = decideTopic(t, m, domain.DeleteScene{Scene: "s1", By: ben})
		if got := ids(m); !slices.Equal(got, []string{"s2", "s4", "s3"}) || m.TotalSeconds() != 55 {
			t.Fatalf("after delete: %v, %d s", got, m.TotalSeconds())
		}
		// Scene ids are never reused.
		_, got := decideTopic(t, m, domain.AddScene{Shown: "neu", Seconds: "1", By: ben})
		if got[0].(domain.SceneAdded).Scene != "s5" {
			t.Fatalf("new scene %+v", got)
		}
		if got := ids(s); !slices.Equal(got, []string{"s3", "s1", "s4", "s2"}) {
			t.Fatalf("evolving changed the earlier state: %v", got)
		}
	})
	t.Run("scene texts merge like the description", func(t *testing.T) {
		m, _ := decideTopic(t, s, domain.EditScene{Scene: "s1", Field: "said", BaseRev: "1", Text: "Hier beginnt alles, im Intranet.", By: anna})
		m2, got := decideTopic(t, m, domain.EditScene{Scene: "s1", Field: "said", BaseRev: "1", Text: "Hier beginnt fast alles.", By: ben})
		want := domain.SceneFieldEdited{Scene: "s1", Field: "said", Rev: 3, BaseRev: 1, Text: "Hier beginnt fast alles, im Intranet.", Merged: true}
		if got[0] != want || m2.Scenes[1].Said.Text != want.Text {
			t.Fatalf("got %+v, want %+v", got[0], want)
		}
		_, err := domain.Topics.Decide(m, domain.EditScene{Scene: "s1", Field: "said", BaseRev: "1", Text: "Hier beginnt alles im Rathaus.", By: ben})
		var c *domain.EditConflict
		if !errors.As(err, &c) || c.Scene != "s1" || c.Field != "said" || c.Current != "Hier beginnt alles, im Intranet." || c.CurrentRev != 2 || c.Yours != "Hier beginnt alles im Rathaus." {
			t.Fatalf("conflict: %v %+v", err, c)
		}
	})
}

func TestRecordVideo(t *testing.T) {
	s := givenTopicMore(t, inScript(t), domain.SceneAdded{Scene: "s1", Shown: "x", Seconds: 5})
	got, err := domain.Topics.Decide(s, domain.RecordVideo{URL: "https://x.example/v", Duration: "60", Tool: "Powtoon", By: anna})
	refused(t, got, err, domain.ECONFLICT, "") // still in Drehbuch
	s = givenTopicMore(t, s, domain.TopicMoved{From: domain.StageScript, To: domain.StageProduced})
	_, got = decideTopic(t, s, domain.RecordVideo{URL: " https://intranet.konstanz.example/knowhow/urlaub ", Duration: "1:35", Tool: "Camtasia", By: anna})
	if got[0] != (domain.VideoRecorded{URL: "https://intranet.konstanz.example/knowhow/urlaub", Seconds: 95, Tool: "Camtasia"}) {
		t.Fatalf("video %+v", got)
	}
	for name, c := range map[string]struct {
		cmd   domain.RecordVideo
		field string
	}{
		"javascript":     {domain.RecordVideo{URL: "javascript:alert(1)", Duration: "60", Tool: "x", By: anna}, "url"},
		"ftp":            {domain.RecordVideo{URL: "ftp://x.example/v", Duration: "60", Tool: "x", By: anna}, "url"},
		"relative":       {domain.RecordVideo{URL: "/videos/v", Duration: "60", Tool: "x", By: anna}, "url"},
		"credentials":    {domain.RecordVideo{URL: "https://a:b@x.example/v", Duration: "60", Tool: "x", By: anna}, "url"},
		"space":          {domain.RecordVideo{URL: "https://x.example/a b", Duration: "60", Tool: "x", By: anna}, "url"},
		"no duration":    {domain.RecordVideo{URL: "https://x.example/v", Tool: "x", By: anna}, "duration"},
		"bad seconds":    {domain.RecordVideo{URL: "https://x.example/v", Duration: "1:75", Tool: "x", By: anna}, "duration"},
		"too long":       {domain.RecordVideo{URL: "https://x.example/v", Duration: "999999999999:00", Tool: "x", By: anna}, "duration"},
		"no tool":        {domain.RecordVideo{URL: "https://x.example/v", Duration: "60", By: anna}, "tool"},
		"too long a URL": {domain.RecordVideo{URL: "https://x.example/" + strings.Repeat("a", domain.MaxURLLength), Duration: "60", Tool: "x", By: anna}, "url"},
	} {
		t.Run(name, func(t *testing.T) {
			got, err := domain.Topics.Decide(s, c.cmd)
			refused(t, got, err, domain.EINVALID, c.field)
		})
	}
	got, err = domain.Topics.Decide(s, domain.RecordVideo{URL: "https://x.example/v", Duration: "60", Tool: "x", By: cem})
	refused(t, got, err, domain.ECONFLICT, "")
}

func TestTopicEventsRoundTrip(t *testing.T) {
	// Every fact of KNowHow survives the log's encoding.
	for _, d := range []domain.Data{
		proposed, domain.TopicFieldEdited{Field: "title", Rev: 2, BaseRev: 1, Text: "x", Merged: true}, domain.TopicCommented{Text: "x"},
		domain.TopicArchived{}, domain.TopicRestored{}, domain.TeamJoined{Person: "a"}, domain.TeamLeft{Person: "a"},
		domain.TopicMoved{From: domain.StageProposed, To: domain.StageSelected}, domain.SceneAdded{Scene: "s1", After: "s0", Shown: "x", Said: "y", Seconds: 3},
		domain.SceneFieldEdited{Scene: "s1", Field: "said", Rev: 2, BaseRev: 1, Text: "z"}, domain.SceneSecondsSet{Scene: "s1", Seconds: 4},
		domain.SceneMoved{Scene: "s1", After: "s2"}, domain.SceneDeleted{Scene: "s1"}, domain.VideoRecorded{URL: "https://x", Seconds: 5, Tool: "t"},
		domain.BoardCreated{Title: "KNowHow 2024", Year: 2024, Facilitator: "f", Budget: 5}, domain.VoteBudgetSet{From: 5, To: 7},
		domain.VotingClosed{}, domain.VotingReopened{}, domain.VotesRevealed{}, domain.FacilitatorChanged{From: "a", To: "b"},
		domain.BoardArchived{}, domain.BoardRestored{},
		domain.PreferenceSet{Board: "b", Voter: "v", Topic: "t", Dots: 2, Proxy: true}, domain.NeedSet{Board: "b", Voter: "v", Topic: "t", Need: 4},
	} {
		ev := domain.Event{ID: newEventID(t), Type: d.EventType(), Version: 1, Data: d}
		b, err := domain.EncodeEvents([]domain.Event{ev})
		if err != nil {
			t.Fatal(err)
		}
		back, err := domain.DecodeEvents(b)
		if err != nil || back[0].Data != d {
			t.Fatalf("%s: got %+v %v", d.EventType(), back, err)
		}
	}
}

func TestStageNeighbours(t *testing.T) {
	if n, ok := domain.StageProposed.Next(); !ok || n != domain.StageSelected {
		t.Fatal(n)
	}
	if _, ok := domain.StagePublished.Next(); ok {
		t.Fatal("nothing after Veröffentlicht")
	}
	if p, ok := domain.StagePublished.Previous(); !ok || p != domain.StageProduced {
		t.Fatal(p)
	}
	if _, ok := domain.StageProposed.Previous(); ok {
		t.Fatal("nothing before Vorschlag")
	}
	if _, ok := domain.Stage("x").Next(); ok {
		t.Fatal("unknown stage")
	}
	for _, s := range domain.Stages {
		if got, want := s.Label(), domain.M("stage."+string(s)); got.Key != want.Key {
			t.Fatalf("%s is labelled %q, want %q", s, got.Key, want.Key)
		}
	}
}

// Messages that name lanes, sources or limits read as they always did:
// the lanes are said by their labels, the limits by the constants.
func TestTopicMessagesNameLanesAndLimits(t *testing.T) {
	for name, c := range map[string]struct {
		s    domain.Topic
		cmd  any
		want string
	}{
		"scene outside the script lanes": {givenTopic(t, proposed, domain.TeamJoined{Person: "anna"}), domain.AddScene{Shown: "Bild", Seconds: "5", By: anna},
			"Das Drehbuch wird in den Spalten „Drehbuch“ und „Produktion“ geschrieben."},
		"scene length": {inScript(t), domain.AddScene{Shown: "Bild", Seconds: "601", By: anna},
			"Bitte schätzen Sie die Länge der Szene in Sekunden (1 bis 600)."},
		"publish outside production": {inScript(t), domain.PublishVideo{},
			"Veröffentlicht wird aus der Spalte „Produktion“."},
		"video outside production": {inScript(t), domain.RecordVideo{URL: "https://intranet.example/v", Duration: "60", Tool: "X", By: anna},
			"Ein Video wird in der Spalte „Produktion“ erfasst."},
		"unknown source": {domain.Topics.Initial, domain.ProposeTopic{Board: "b1", Title: "Idee", Source: "woanders"},
			"Die Herkunft ist „umfrage“ oder „lotse“."},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := domain.Topics.Decide(c.s, c.cmd)
			if got := said(domain.ErrorMessage(err)); got != c.want {
				t.Fatalf("message %q, want %q", got, c.want)
			}
		})
	}
}
