package web

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/a-h/templ"

	"logbuch/domain"
	"logbuch/projections"
	"logbuch/web/i18n"
)

// The topic page of KNowHow (/knowhow/<board>/themen/<topic>): title and
// description co-edited under the merge rules, comments, the team, the
// Drehbuch, the video and the topic's history from the log. What everyone
// sees is one live view ("thema/<topic>"), rendered once per change; the
// forms carry the session's CSRF token and a fresh command id, so they stay
// outside it and are never replaced while someone types.

// topicModels is what the topic pages and the video library need of the
// read models.
type topicModels interface {
	Topic(id string) (projections.TopicView, bool)
	TopicHistory(id string) ([]projections.HistoryEntry, bool)
	TopicHistoryTail(id string, n int) ([]projections.HistoryEntry, int, bool)
	BoardInfo(id string) (projections.BoardInfo, bool)
	Videos(q string) ([]projections.VideoEntry, uint64)
}

var _ topicModels = (*projections.Runner)(nil)

// topics returns the KNowHow read models (the runner has them; a server
// built with read models that lack them shows no topics).
func (s *Server) topics() topicModels {
	if m, ok := s.models.(topicModels); ok {
		return m
	}
	return noTopics{}
}

type noTopics struct{}

func (noTopics) Topic(string) (projections.TopicView, bool) { return projections.TopicView{}, false }
func (noTopics) TopicHistory(string) ([]projections.HistoryEntry, bool) {
	return nil, false
}
func (noTopics) TopicHistoryTail(string, int) ([]projections.HistoryEntry, int, bool) {
	return nil, 0, false
}
func (noTopics) BoardInfo(string) (projections.BoardInfo, bool) {
	return projections.BoardInfo{}, false
}
func (noTopics) Videos(string) ([]projections.VideoEntry, uint64) { return nil, 0 }

// topicNotices are the messages after a successful action on a topic: the
// redirect's hinweis and the catalogue key of what the topic page says.
var topicNotices = map[string]domain.Msg{
	"thema-titel":           domain.M("topic.notice.title_saved"),
	"thema-beschreibung":    domain.M("topic.notice.description_saved"),
	"thema-kommentar":       domain.M("topic.notice.commented"),
	"thema-beigetreten":     domain.M("topic.notice.joined"),
	"thema-verlassen":       domain.M("topic.notice.left"),
	"thema-szene-neu":       domain.M("topic.notice.scene_added"),
	"thema-szene":           domain.M("topic.notice.scene_saved"),
	"thema-szene-dauer":     domain.M("topic.notice.scene_seconds_saved"),
	"thema-szene-bewegt":    domain.M("topic.notice.scene_moved"),
	"thema-szene-weg":       domain.M("topic.notice.scene_deleted"),
	"thema-video":           domain.M("topic.notice.video_recorded"),
	"thema-veroeffentlicht": domain.M("topic.notice.video_published"),
}

// historyShown is how many changes the topic page shows (newest first);
// the whole history has a page of its own.
const historyShown = 20

// mergedNoticePrefix marks the notice of an edit that was merged with a
// concurrent one; the sequence after it names the edit in the history.
const mergedNoticePrefix = "zusammengefuehrt-"

func topicCommand(ctx context.Context, h *domain.Handler, id string, meta domain.Meta, name string, cmd any) (domain.Result, error) {
	return domain.Execute(ctx, h, domain.Topics, id, meta, name, cmd)
}

// topicRoutes adds the topic page, its commands and the video library.
func (s *Server) topicRoutes(mux *http.ServeMux) {
	const t = "/knowhow/{board}/themen/{topic}"
	mux.Handle("GET "+t, s.whenReady(s.requireView(domain.ViewBoards, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.renderTopic(w, r, s.newForm(r, ""), http.StatusOK)
	}))))
	mux.Handle("GET "+t+"/verlauf", s.whenReady(s.requireView(domain.ViewBoards, s.handleTopicHistory())))
	mux.Handle("POST "+t+"/feld", s.topicCommandRoute("EditTopicField", "", func() any { return &domain.EditTopicField{} }))
	mux.Handle("POST "+t+"/kommentar", s.topicCommandRoute("CommentTopic", "kommentar", func() any { return &domain.CommentTopic{} }))
	mux.Handle("POST "+t+"/team/beitreten", s.topicCommandRoute("JoinTeam", "team", func() any { return &domain.JoinTeam{} }))
	mux.Handle("POST "+t+"/team/verlassen", s.topicCommandRoute("LeaveTeam", "team", func() any { return &domain.LeaveTeam{} }))
	mux.Handle("POST "+t+"/szenen", s.topicCommandRoute("AddScene", "szene-neu", func() any { return &domain.AddScene{} }))
	mux.Handle("POST "+t+"/szenen/{scene}/feld", s.topicCommandRoute("EditScene", "", func() any { return &domain.EditScene{} }))
	mux.Handle("POST "+t+"/szenen/{scene}/dauer", s.topicCommandRoute("SetSceneSeconds", "", func() any { return &domain.SetSceneSeconds{} }))
	mux.Handle("POST "+t+"/szenen/{scene}/verschieben", s.topicCommandRoute("MoveScene", "", func() any { return &domain.MoveScene{} }))
	mux.Handle("POST "+t+"/szenen/{scene}/loeschen", s.topicCommandRoute("DeleteScene", "", func() any { return &domain.DeleteScene{} }))
	mux.Handle("POST "+t+"/video", s.topicCommandRoute("RecordVideo", "video", func() any { return &domain.RecordVideo{} }))
	mux.Handle("POST "+t+"/veroeffentlichen", s.topicCommandRoute("PublishVideo", "veroeffentlichen", func() any { return &domain.PublishVideo{} }))
	mux.Handle("GET /videothek", s.whenReady(s.requireView(domain.ViewVideos, s.handleVideothek())))
}

// topicOf returns the topic of the request's path, if it is on the
// path's board.
func (s *Server) topicOf(r *http.Request) (projections.TopicView, bool) {
	t, ok := s.topics().Topic(r.PathValue("topic"))
	if !ok || t.Board != r.PathValue("board") {
		return projections.TopicView{}, false
	}
	return t, true
}

func topicURL(board, topic string) string { return "/knowhow/" + board + "/themen/" + topic }

func topicPath(t projections.TopicView, rest string) templ.SafeURL {
	return templ.SafeURL(topicURL(t.Board, t.ID) + rest)
}

// topicCommandRoute is the endpoint of one command on a topic. form names
// the form on the page; "" takes it from the request (the field or the
// scene the form edits).
func (s *Server) topicCommandRoute(name, form string, newCommand func() any) http.Handler {
	rt := commandRoute{
		name: name, form: form, execute: topicCommand,
		newCommand: newCommand,
		aggregate:  func(r *http.Request) string { return r.PathValue("topic") },
		prepare: func(r *http.Request, p principal, cmd any) error {
			t, ok := s.topicOf(r)
			if !ok {
				return domain.Errorf(domain.ENOTFOUND, "err.topic.not_found")
			}
			if b, ok := s.topics().BoardInfo(t.Board); ok && b.Archived {
				return domain.Errorf(domain.ECONFLICT, "err.topic.board_archived")
			}
			by := domain.Caller{Person: p.Person, Role: p.Role}
			scene := r.PathValue("scene") // the scene of the address, never the body's
			switch c := cmd.(type) {
			case *domain.JoinTeam:
				c.By = by
			case *domain.LeaveTeam:
				c.By = by
			case *domain.AddScene:
				c.By = by
			case *domain.EditScene:
				c.By, c.Scene = by, scene
			case *domain.SetSceneSeconds:
				c.By, c.Scene = by, scene
			case *domain.MoveScene:
				c.By, c.Scene = by, scene
			case *domain.DeleteScene:
				c.By, c.Scene = by, scene
			case *domain.RecordVideo:
				c.By = by
			}
			return nil
		},
		done: func(r *http.Request, res domain.Result) (string, string) {
			return topicURL(r.PathValue("board"), r.PathValue("topic")), s.topicNotice(r, name, res)
		},
		page: func(w http.ResponseWriter, r *http.Request, f formState, status int) {
			if f.Form == "" {
				f.Form = topicFormOf(r, name, f.Values)
			}
			s.renderTopic(w, r, f, status)
		},
	}
	return s.command(rt)
}

// topicFormOf names the form of a command whose form depends on what it
// edits: "titel", "beschreibung", "szene-<id>-shown", "szene-<id>-dauer" …
func topicFormOf(r *http.Request, name string, values map[string]string) string {
	scene := r.PathValue("scene")
	if !domain.ValidCommandID(scene) {
		scene = "x"
	}
	switch name {
	case "EditTopicField":
		if values["field"] == domain.FieldTitle {
			return "titel"
		}
		return "beschreibung"
	case "EditScene":
		if values["field"] == domain.FieldSaid {
			return "szene-" + scene + "-said"
		}
		return "szene-" + scene + "-shown"
	case "SetSceneSeconds":
		return "szene-" + scene + "-dauer"
	case "MoveScene":
		return "szene-" + scene + "-ordnung"
	case "DeleteScene":
		return "szene-" + scene + "-loeschen"
	}
	return name
}

// topicNotice says what happened; an edit merged with someone else's gets
// the notice that names them.
func (s *Server) topicNotice(r *http.Request, name string, res domain.Result) string {
	switch name {
	case "EditTopicField", "EditScene":
		if h, _, ok := s.topics().TopicHistoryTail(r.PathValue("topic"), historyShown); ok {
			if i := slices.IndexFunc(h, func(e projections.HistoryEntry) bool { return e.Seq == res.Seq }); i >= 0 && h[i].Merged {
				return mergedNoticePrefix + strconv.FormatUint(res.Seq, 10)
			}
		}
		if name == "EditScene" {
			return "thema-szene"
		}
		if r.PostForm.Get("field") == domain.FieldTitle {
			return "thema-titel"
		}
		return "thema-beschreibung"
	}
	return map[string]string{
		"CommentTopic": "thema-kommentar", "JoinTeam": "thema-beigetreten", "LeaveTeam": "thema-verlassen",
		"AddScene": "thema-szene-neu", "SetSceneSeconds": "thema-szene-dauer", "MoveScene": "thema-szene-bewegt",
		"DeleteScene": "thema-szene-weg", "RecordVideo": "thema-video", "PublishVideo": "thema-veroeffentlicht",
	}[name]
}

// mergedWith names the people whose changes an edit was merged with: the
// authors of the same field's edits since the writer's edit before it.
func mergedWith(ctx context.Context, h []projections.HistoryEntry, seq uint64, names func(string) string) (string, bool) {
	i := slices.IndexFunc(h, func(e projections.HistoryEntry) bool { return e.Seq == seq })
	if i < 0 || !h[i].Merged {
		return "", false
	}
	e := h[i]
	var who []string
	for j := i - 1; j >= 0; j-- {
		p := h[j]
		if p.Type != e.Type || p.Field != e.Field || p.Scene != e.Scene {
			continue
		}
		if p.Actor == e.Actor {
			break
		}
		if n := names(p.Actor); !slices.Contains(who, n) {
			who = append(who, n)
		}
		if !p.Merged {
			break
		}
	}
	if len(who) == 0 {
		return "", false
	}
	return i18n.From(ctx).List(who), true
}

// topicPage is everything the topic page shows.
type topicPage struct {
	User    principal
	Board   projections.BoardInfo
	Topic   projections.TopicView
	History []projections.HistoryEntry // the newest changes
	Changes int                        // all changes in the history
	Form    formState                  // the form that was sent, or a fresh one
	Status  int                        // the answer's status: 409 on a text form is an edit conflict
	Notice  string
	Names   func(actor string) string
}

func (s *Server) renderTopic(w http.ResponseWriter, r *http.Request, f formState, status int) {
	t, ok := s.topicOf(r)
	if !ok {
		s.writeError(w, r, http.StatusNotFound, domain.ENOTFOUND, "", tr(r.Context(), "err.topic.not_found"))
		return
	}
	b, _ := s.topics().BoardInfo(t.Board)
	h, total, _ := s.topics().TopicHistoryTail(t.ID, historyShown)
	p := topicPage{User: principalOf(r), Board: b, Topic: t, History: h, Changes: total, Form: f, Status: status, Names: s.authorNames(r.Context())}
	hint := r.URL.Query().Get("hinweis")
	if seq, ok := strings.CutPrefix(hint, mergedNoticePrefix); ok {
		n, _ := strconv.ParseUint(seq, 10, 64)
		full, _ := s.topics().TopicHistory(t.ID)
		if who, ok := mergedWith(r.Context(), full, n, s.authorNames(r.Context())); ok {
			p.Notice = tr(r.Context(), "topic.notice.merged_with", who)
		} else {
			p.Notice = tr(r.Context(), "topic.notice.saved")
		}
	} else {
		p.Notice = noticeIn(r, topicNotices)
	}
	s.html(w, status)
	topicPageView(p).Render(r.Context(), w)
}

// conflict reports whether the page answers an edit of the named form that
// overlapped a change made meanwhile (the decider's EditConflict: 409 on
// the text field).
func (p topicPage) conflict(form, field string) bool {
	return p.Status == http.StatusConflict && p.Form.Form == form && p.Form.Field == field
}

// formShown reports whether the page shows the named form (its problems
// are shown there; others at the top of the page).
func (p topicPage) formShown(form string) bool {
	switch form {
	case "titel", "beschreibung", "team", "kommentar":
		return p.canEdit()
	case "szene-neu":
		return p.canScript()
	case "video":
		return p.canRecord()
	case "veroeffentlichen":
		return p.canEdit() && p.Topic.Stage == domain.StageProduced && p.Topic.Video != nil
	}
	if rest, ok := strings.CutPrefix(form, "szene-"); ok && p.canScript() {
		id, _, _ := strings.Cut(rest, "-")
		return slices.ContainsFunc(p.Topic.Scenes, func(sc projections.SceneView) bool { return sc.ID == id })
	}
	return false
}

// Permissions and states that decide which forms the page offers.
func (p topicPage) canEdit() bool {
	return domain.Can(p.User.Role, "EditTopicField") && !p.Topic.Archived && !p.Board.Archived
}

func (p topicPage) inTeam() bool { return slices.Contains(p.Topic.Team, p.User.Person) }

func (p topicPage) canScript() bool {
	return p.canEdit() && (p.inTeam() || p.User.Role == domain.RoleAdmin) &&
		(p.Topic.Stage == domain.StageScript || p.Topic.Stage == domain.StageProduced)
}

func (p topicPage) canRecord() bool {
	return p.canEdit() && (p.inTeam() || p.User.Role == domain.RoleAdmin) && p.Topic.Stage == domain.StageProduced
}

// topicViewOf returns the topic of a live view name.
func topicViewOf(view string) (string, bool) {
	id, ok := strings.CutPrefix(view, "thema/")
	return id, ok && domain.ValidCommandID(id)
}

// topicViewAction is the permission of the topic and library views.
func topicViewAction(view string) (string, bool) {
	if view == projections.VideosViewName {
		return domain.ViewVideos, true
	}
	if _, ok := topicViewOf(view); ok {
		return domain.ViewBoards, true
	}
	return "", false
}

// topicViewExists reports whether a view is one of this file's, and
// whether it exists.
func (s *Server) topicViewExists(view string) (mine, exists bool) {
	if view == projections.VideosViewName {
		return true, true
	}
	if id, ok := topicViewOf(view); ok {
		_, exists := s.topics().Topic(id)
		return true, exists
	}
	return false, false
}

// renderTopicView renders the topic and library views for the hub.
func (s *Server) renderTopicView(ctx context.Context, view string) (mine bool, id string, html []byte, seq uint64, ok bool) {
	var buf strings.Builder
	if view == projections.VideosViewName {
		videos, seq := s.topics().Videos("")
		if err := videosLive(videos, seq, s.authorNames(ctx)).Render(ctx, &buf); err != nil {
			s.log.Error("render view", "view", view, "err", err)
			return true, "", nil, 0, false
		}
		return true, "videothek-live", []byte(buf.String()), seq, true
	}
	tid, isTopic := topicViewOf(view)
	if !isTopic {
		return false, "", nil, 0, false
	}
	t, found := s.topics().Topic(tid)
	if !found {
		return true, "", nil, 0, false
	}
	h, total, _ := s.topics().TopicHistoryTail(tid, historyShown)
	if err := topicLive(t, h, total, s.authorNames(ctx)).Render(ctx, &buf); err != nil {
		s.log.Error("render view", "view", view, "err", err)
		return true, "", nil, 0, false
	}
	return true, "thema-live", []byte(buf.String()), t.Seq, true
}

// Helpers of the templates.

func revString(n int) string { return strconv.Itoa(n) }

// minSec shows a length as m:ss, the same in every language (and the way
// the video form takes it back).
func minSec(secs int) string {
	return strconv.Itoa(secs/60) + ":" + strconv.Itoa(secs%60/10) + strconv.Itoa(secs%10)
}

// lengthLabel says a length in words ("1 Min. 35 Sek.", "1 min 35 sec").
func lengthLabel(ctx context.Context, secs int) string {
	switch {
	case secs < 60:
		return tr(ctx, "topic.length.seconds", secs)
	case secs%60 == 0:
		return tr(ctx, "topic.length.minutes", secs/60)
	}
	return tr(ctx, "topic.length.minutes_seconds", secs/60, secs%60)
}

func teamNames(ctx context.Context, team []string, names func(string) string) string {
	out := make([]string, len(team))
	for i, p := range team {
		out[i] = names(p)
	}
	return i18n.From(ctx).List(out)
}

// sceneAfterOptions are the places a new scene can go.
func sceneAfterOptions(ctx context.Context, scenes []projections.SceneView) []option {
	out := []option{{"", tr(ctx, "scene.position.end")}, {domain.SceneAtStart, tr(ctx, "scene.position.start")}}
	for i, sc := range scenes {
		if hint := sceneHint(sc); hint != "" {
			out = append(out, option{sc.ID, tr(ctx, "scene.position.after_hint", i+1, hint)})
		} else {
			out = append(out, option{sc.ID, tr(ctx, "scene.position.after", i+1)})
		}
	}
	return out
}

// sceneHint is the beginning of what a scene shows (or says), to tell the
// scenes apart in the list of places.
func sceneHint(sc projections.SceneView) string {
	t := sc.Shown.Text
	if t == "" {
		t = sc.Said.Text
	}
	if r := []rune(t); len(r) > 30 {
		t = string(r[:30]) + "…"
	}
	return t
}

// moveUpAfter and moveDownAfter are the MoveScene targets of the buttons.
func moveUpAfter(scenes []projections.SceneView, i int) string {
	if i <= 1 {
		return domain.SceneAtStart
	}
	return scenes[i-2].ID
}

func sceneSignature(scenes []projections.SceneView) string {
	ids := make([]string, len(scenes))
	for i, sc := range scenes {
		ids[i] = sc.ID
	}
	return strings.Join(ids, " ")
}

func diffClass(op string) string {
	switch op {
	case domain.DiffInsert:
		return "ins"
	case domain.DiffDelete:
		return "del"
	}
	return "keep"
}

func valueIf(f formState, key, fallback string) string {
	if v, ok := f.Values[key]; ok {
		return v
	}
	return fallback
}

// needLabel is the average estimate of need, with one decimal the
// language's way ("3,5", "3.5"); a dash while nobody estimated.
func needLabel(ctx context.Context, avg float64) string {
	if avg == 0 {
		return "–"
	}
	return i18n.From(ctx).Decimal(avg, 1)
}

// editConflictBody is the JSON answer to an edit that overlapped a change
// made meanwhile: both versions, so that an API client can decide too (and
// send its text again with base_rev = current_rev).
func editConflictBody(ctx context.Context, err error) (map[string]any, bool) {
	var c *domain.EditConflict
	if !errors.As(err, &c) {
		return nil, false
	}
	e := map[string]any{"code": domain.ECONFLICT, "message": errText(ctx, err), "field": c.Field,
		"current": c.Current, "current_rev": c.CurrentRev, "yours": c.Yours}
	if c.Scene != "" {
		e["scene"] = c.Scene
	}
	return map[string]any{"error": e}, true
}

// handleTopicHistory shows a topic's whole history (the topic page shows
// the newest changes).
func (s *Server) handleTopicHistory() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t, ok := s.topicOf(r)
		if !ok {
			s.writeError(w, r, http.StatusNotFound, domain.ENOTFOUND, "", tr(r.Context(), "err.topic.not_found"))
			return
		}
		h, _ := s.topics().TopicHistory(t.ID)
		s.html(w, http.StatusOK)
		topicHistoryPage(principalOf(r), t, h, s.authorNames(r.Context())).Render(r.Context(), w)
	})
}
