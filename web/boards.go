package web

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/a-h/templ"

	"logbuch/domain"
	"logbuch/projections"
)

// KNowHow boards: the list of boards (/knowhow), one board with its lanes
// (/knowhow/{board}), the votes, proposing and importing topics, teams,
// archive and restore, and the board as it was at a past moment.
//
// The lanes are one live view for everyone ("tafel/<id>"): they carry no
// CSRF token, no command id and nothing personal, so board.js adds the
// session's token and a fresh command id when a card's form is sent. A
// person's own votes travel in their own live view
// ("tafel/<id>/stimmzettel/<person>"), which only that person may follow.

// boardModels is what the board pages need of the read models.
type boardModels interface {
	Boards() projections.BoardsView
	Board(id string) (projections.BoardView, bool)
	BoardInfo(id string) (projections.BoardInfo, bool)
	VotingContext(board string) domain.VotingContext
	Ballot(board, person string) projections.BallotView
	Topic(id string) (projections.TopicView, bool)
	BoardAsOf(ctx context.Context, id string, at time.Time) (projections.BoardView, bool, error)
}

func boardCommand(ctx context.Context, h *domain.Handler, id string, meta domain.Meta, name string, cmd any) (domain.Result, error) {
	return domain.Execute(ctx, h, domain.Boards, id, meta, name, cmd)
}

func ballotCommand(ctx context.Context, h *domain.Handler, id string, meta domain.Meta, name string, cmd any) (domain.Result, error) {
	return domain.Execute(ctx, h, domain.Ballots, id, meta, name, cmd)
}

func boardURL(id string) string { return "/knowhow/" + id }

func boardPath(r *http.Request) string { return r.PathValue("board") }

func topicOfPath(r *http.Request) string { return r.PathValue("topic") }

func callerOf(p principal) domain.Caller { return domain.Caller{Person: p.Person, Role: p.Role} }

// boardNotices are the messages after a successful action on a board:
// the notice in the URL (?hinweis=…) and the message it stands for.
var boardNotices = map[string]domain.Msg{
	"tafel":             domain.M("board.notice.created"),
	"vorgeschlagen":     domain.M("board.notice.proposed", domain.StageProposed.Label()),
	"budget":            domain.M("board.notice.budget_raised"),
	"geschlossen":       domain.M("board.notice.voting_closed"),
	"geoeffnet":         domain.M("board.notice.voting_reopened"),
	"aufgedeckt":        domain.M("board.notice.revealed"),
	"moderation":        domain.M("board.notice.handed_over"),
	"archiviert":        domain.M("board.notice.archived"),
	"wiederhergestellt": domain.M("board.notice.restored"),
	"stimme":            domain.M("board.notice.vote_recorded"),
	"verschoben":        domain.M("board.notice.moved"),
	"team":              domain.M("board.notice.team_changed"),
	"importiert":        domain.M("board.notice.imported"),
}

// --- pages ---

func (s *Server) handleBoardsPage() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.renderBoards(w, r, s.newForm(r, "tafel"), http.StatusOK)
	})
}

func (s *Server) renderBoards(w http.ResponseWriter, r *http.Request, f formState, status int) {
	p := principalOf(r)
	pg := boardsPage{User: p, Boards: s.models.Boards(), Create: f, Notice: noticeIn(r, boardNotices), Names: s.personNames(r.Context())}
	if domain.Can(p.Role, "CreateBoard") {
		pg.People = s.boardPeople()
		if f.Values["year"] == "" {
			f.Values["year"] = itoa(time.Now().In(berlin).Year())
		}
	}
	s.html(w, status)
	boardsPageView(pg).Render(r.Context(), w)
}

// boardPeople are the active Lotsen and admins, who may facilitate and vote.
func (s *Server) boardPeople() []option {
	var out []option
	for _, g := range s.models.Roster().ByAmt {
		for _, person := range g.People {
			if person.Active && (person.Role == domain.RoleLotse || person.Role == domain.RoleAdmin) {
				out = append(out, option{person.ID, person.Name + " (" + g.Amt + ")"})
			}
		}
	}
	slices.SortFunc(out, func(a, b option) int { return strings.Compare(a.Label, b.Label) })
	return out
}

// personNames names person ids from the roster (an erasure hides them),
// someone the roster does not know in the language of ctx.
func (s *Server) personNames(ctx context.Context) func(string) string {
	return func(id string) string {
		if p, _, ok := s.models.Person(id); ok {
			return shownName(ctx, p.Name)
		}
		if id == "" {
			return tr(ctx, "date.none")
		}
		return tr(ctx, "board.person_unknown")
	}
}

func (s *Server) handleBoardPage() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.renderBoard(w, r, s.newForm(r, ""), http.StatusOK)
	})
}

func (s *Server) renderBoard(w http.ResponseWriter, r *http.Request, f formState, status int) {
	id := boardPath(r)
	if stand := r.URL.Query().Get("stand"); stand != "" && status == http.StatusOK {
		s.renderBoardAsOf(w, r, id, stand)
		return
	}
	bv, ok := s.models.Board(id)
	if !ok {
		s.writeError(w, r, http.StatusNotFound, domain.ENOTFOUND, "", tr(r.Context(), "err.board.not_found"))
		return
	}
	p := principalOf(r)
	pg := boardPage{User: p, Board: bv, Form: f, Notice: noticeIn(r, boardNotices), Names: s.personNames(r.Context()), Me: p.Person}
	if domain.Can(p.Role, "SetPreference") {
		b := s.models.Ballot(id, p.Person)
		pg.Ballot = &b
		pg.Votable = votableTopics(bv)
	}
	pg.Facilitator = bv.Board.Domain().FacilitatedBy(callerOf(p)) && domain.Can(p.Role, "CloseVoting")
	if pg.Facilitator {
		pg.People = s.boardPeople()
	}
	s.html(w, status)
	boardPageView(pg).Render(r.Context(), w)
}

// votableTopics are the topics of a board one may vote on, in lane order.
func votableTopics(bv projections.BoardView) []projections.TopicCard {
	var out []projections.TopicCard
	for _, l := range bv.Lanes {
		out = append(out, l.Topics...)
	}
	return out
}

// standLayout is the format of the "Stand am …" picker (datetime-local).
const standLayout = "2006-01-02T15:04"

func (s *Server) renderBoardAsOf(w http.ResponseWriter, r *http.Request, id, stand string) {
	at, err := time.ParseInLocation(standLayout, stand, berlin)
	if err != nil {
		s.writeError(w, r, http.StatusBadRequest, domain.EINVALID, "stand", tr(r.Context(), "err.board.stand_invalid"))
		return
	}
	// The moment is the end of the chosen minute.
	bv, ok, err := s.models.BoardAsOf(r.Context(), id, at.Add(time.Minute-time.Nanosecond))
	if err != nil {
		s.internalError(w, r, "board as of", err)
		return
	}
	now, exists := s.models.BoardInfo(id)
	if !exists {
		s.writeError(w, r, http.StatusNotFound, domain.ENOTFOUND, "", tr(r.Context(), "err.board.not_found"))
		return
	}
	s.html(w, http.StatusOK)
	boardAsOfView(boardAsOfPage{User: principalOf(r), Now: now, Board: bv, Exists: ok, At: at, Stand: stand, Names: s.personNames(r.Context())}).Render(r.Context(), w)
}

// --- commands on boards ---

func (s *Server) handleCreateBoard() http.Handler {
	return s.command(commandRoute{
		name: "CreateBoard", form: "tafel", execute: boardCommand,
		newCommand:   func() any { return &domain.CreateBoard{} },
		aggregate:    newAggregateID,
		newAggregate: true,
		prepare: func(r *http.Request, p principal, cmd any) error {
			c := cmd.(*domain.CreateBoard)
			if c.Facilitator != "" {
				if person, _, ok := s.models.Person(c.Facilitator); !ok || !person.Active || (person.Role != domain.RoleLotse && person.Role != domain.RoleAdmin) {
					return domain.FieldError("facilitator", "err.board.facilitator_inactive")
				}
			}
			return nil
		},
		done: func(r *http.Request, res domain.Result) (string, string) {
			return boardURL(res.AggregateID()), "tafel"
		},
		page: s.renderBoards,
	})
}

// boardAction is one facilitator's command on an existing board.
func (s *Server) boardAction(name, form, notice string, newCommand func() any, setBy func(cmd any, by domain.Caller)) http.Handler {
	return s.command(commandRoute{
		name: name, form: form, execute: boardCommand,
		newCommand: newCommand,
		aggregate:  boardPath,
		prepare: func(r *http.Request, p principal, cmd any) error {
			if _, ok := s.models.BoardInfo(boardPath(r)); !ok {
				return domain.Errorf(domain.ENOTFOUND, "err.board.not_found")
			}
			setBy(cmd, callerOf(p))
			if c, ok := cmd.(*domain.ChangeFacilitator); ok && c.Facilitator != "" {
				if person, _, ok := s.models.Person(c.Facilitator); !ok || !person.Active {
					return domain.FieldError("facilitator", "err.board.handover_inactive")
				}
			}
			return nil
		},
		done: func(r *http.Request, res domain.Result) (string, string) {
			return boardURL(boardPath(r)), notice
		},
		page: s.renderBoard,
	})
}

func (s *Server) handleSetVoteBudget() http.Handler {
	return s.boardAction("SetVoteBudget", "budget", "budget", func() any { return &domain.SetVoteBudget{} },
		func(cmd any, by domain.Caller) { cmd.(*domain.SetVoteBudget).By = by })
}

func (s *Server) handleCloseVoting() http.Handler {
	return s.boardAction("CloseVoting", "abstimmung", "geschlossen", func() any { return &domain.CloseVoting{} },
		func(cmd any, by domain.Caller) { cmd.(*domain.CloseVoting).By = by })
}

func (s *Server) handleReopenVoting() http.Handler {
	return s.boardAction("ReopenVoting", "abstimmung", "geoeffnet", func() any { return &domain.ReopenVoting{} },
		func(cmd any, by domain.Caller) { cmd.(*domain.ReopenVoting).By = by })
}

func (s *Server) handleRevealVotes() http.Handler {
	return s.boardAction("RevealVotes", "abstimmung", "aufgedeckt", func() any { return &domain.RevealVotes{} },
		func(cmd any, by domain.Caller) { cmd.(*domain.RevealVotes).By = by })
}

func (s *Server) handleChangeFacilitator() http.Handler {
	return s.boardAction("ChangeFacilitator", "moderation", "moderation", func() any { return &domain.ChangeFacilitator{} },
		func(cmd any, by domain.Caller) { cmd.(*domain.ChangeFacilitator).By = by })
}

func (s *Server) handleArchiveBoard() http.Handler {
	return s.boardAction("ArchiveBoard", "tafel-archiv", "archiviert", func() any { return &domain.ArchiveBoard{} },
		func(cmd any, by domain.Caller) { cmd.(*domain.ArchiveBoard).By = by })
}

func (s *Server) handleRestoreBoard() http.Handler {
	return s.boardAction("RestoreBoard", "tafel-archiv", "wiederhergestellt", func() any { return &domain.RestoreBoard{} },
		func(cmd any, by domain.Caller) { cmd.(*domain.RestoreBoard).By = by })
}

// --- topics on a board ---

// activeBoard checks that a board exists and is not archived.
func (s *Server) activeBoard(id string) error {
	b, ok := s.models.BoardInfo(id)
	if !ok {
		return domain.Errorf(domain.ENOTFOUND, "err.board.not_found")
	}
	if b.Archived {
		return domain.Errorf(domain.ECONFLICT, "err.board.archived")
	}
	return nil
}

func (s *Server) handleProposeTopic() http.Handler {
	return s.command(commandRoute{
		name: "ProposeTopic", form: "vorschlag", execute: topicCommand,
		newCommand:   func() any { return &domain.ProposeTopic{} },
		aggregate:    newAggregateID,
		newAggregate: true,
		prepare: func(r *http.Request, p principal, cmd any) error {
			c := cmd.(*domain.ProposeTopic)
			c.Board = boardPath(r) // the board of the page, never the body's
			if c.Source == "" {
				c.Source = domain.SourceLotse
			}
			return s.activeBoard(c.Board)
		},
		done: func(r *http.Request, res domain.Result) (string, string) {
			return boardURL(boardPath(r)), "vorgeschlagen"
		},
		page: s.renderBoard,
	})
}

// topicAction is one command on a topic of the board in the path.
func (s *Server) topicAction(name, notice string, newCommand func() any, setBy func(cmd any, by domain.Caller)) http.Handler {
	return s.command(commandRoute{
		name: name, form: "karte", execute: topicCommand,
		newCommand: newCommand,
		aggregate:  topicOfPath,
		prepare: func(r *http.Request, p principal, cmd any) error {
			t, ok := s.models.Topic(topicOfPath(r))
			if !ok || t.Board != boardPath(r) {
				return domain.Errorf(domain.ENOTFOUND, "err.board.topic_not_found")
			}
			if setBy != nil {
				setBy(cmd, callerOf(p))
			}
			return s.activeBoard(t.Board)
		},
		done: func(r *http.Request, res domain.Result) (string, string) {
			return boardURL(boardPath(r)), notice
		},
		page: s.renderBoard,
	})
}

func (s *Server) handleMoveTopic() http.Handler {
	return s.topicAction("MoveTopic", "verschoben", func() any { return &domain.MoveTopic{} }, nil)
}

func (s *Server) handleArchiveTopic() http.Handler {
	return s.topicAction("ArchiveTopic", "archiviert", func() any { return &domain.ArchiveTopic{} }, nil)
}

func (s *Server) handleRestoreTopic() http.Handler {
	return s.topicAction("RestoreTopic", "wiederhergestellt", func() any { return &domain.RestoreTopic{} }, nil)
}

// --- votes ---

// ballotAction records a vote on the ballot of (board, voter): the voter
// is the caller, or for a proxy vote the person the facilitator names.
func (s *Server) ballotAction(name, form string, newCommand func() any) http.Handler {
	return s.command(commandRoute{
		name: name, form: form, execute: ballotCommand,
		newCommand: newCommand,
		aggregate:  func(r *http.Request) string { return r.PathValue("ballot") },
		prepare: func(r *http.Request, p principal, cmd any) error {
			board := boardPath(r)
			var voter *string
			switch c := cmd.(type) {
			case *domain.SetPreference:
				c.Board, c.By, c.Voting = board, callerOf(p), s.models.VotingContext(board)
				voter = &c.Voter
			case *domain.SetNeed:
				c.Board, c.By, c.Voting = board, callerOf(p), s.models.VotingContext(board)
				voter = &c.Voter
			}
			if *voter == "" {
				*voter = p.Person
			}
			if *voter != p.Person {
				// Proxy votes only for people on the roster who may vote.
				if person, _, ok := s.models.Person(*voter); !ok || !person.Active || (person.Role != domain.RoleLotse && person.Role != domain.RoleAdmin) {
					return domain.FieldError("voter", "err.ballot.voter_inactive")
				}
			}
			if !domain.ValidCommandID(board) {
				return domain.Errorf(domain.ENOTFOUND, "err.board.not_found")
			}
			r.SetPathValue("ballot", domain.BallotID(board, *voter))
			return nil
		},
		done: func(r *http.Request, res domain.Result) (string, string) {
			return boardURL(boardPath(r)), "stimme"
		},
		page: s.renderBoard,
	})
}

func (s *Server) handleSetPreference() http.Handler {
	return s.ballotAction("SetPreference", "praeferenz", func() any { return &domain.SetPreference{} })
}

func (s *Server) handleSetNeed() http.Handler {
	return s.ballotAction("SetNeed", "bedarf", func() any { return &domain.SetNeed{} })
}

// --- live views ---

// boardOfView returns the board of a lanes view ("tafel/<id>").
func boardOfView(view string) (string, bool) {
	id, ok := strings.CutPrefix(view, "tafel/")
	return id, ok && domain.ValidCommandID(id)
}

// ballotOfView returns board and person of a ballot view
// ("tafel/<id>/stimmzettel/<person>").
func ballotOfView(view string) (board, person string, ok bool) {
	rest, ok := strings.CutPrefix(view, "tafel/")
	if !ok {
		return "", "", false
	}
	board, person, ok = strings.Cut(rest, "/stimmzettel/")
	return board, person, ok && domain.ValidCommandID(board) && domain.ValidCommandID(person)
}

// knowhowView says whether a view is one of the boards' and which action
// it needs.
func knowhowView(view string) (action string, ok bool) {
	if view == projections.BoardsViewName {
		return domain.ViewBoards, true
	}
	if _, ok := boardOfView(view); ok {
		return domain.ViewBoards, true
	}
	if _, _, ok := ballotOfView(view); ok {
		return "SetPreference", true
	}
	return "", false
}

// knowhowMayFollow: a ballot view only by its own voter.
func knowhowMayFollow(sub *subscriber, view string) bool {
	if _, person, ok := ballotOfView(view); ok {
		return sub.person == person
	}
	return true
}

func (s *Server) knowhowViewExists(view string) bool {
	if view == projections.BoardsViewName {
		return true
	}
	if id, ok := boardOfView(view); ok {
		_, exists := s.models.BoardInfo(id)
		return exists
	}
	if id, _, ok := ballotOfView(view); ok {
		_, exists := s.models.BoardInfo(id)
		return exists
	}
	return false
}

// renderKnowhowView renders a board view once, for every subscriber.
func (s *Server) renderKnowhowView(ctx context.Context, view string) (handled bool, id string, html []byte, seq uint64, ok bool) {
	var buf strings.Builder
	var err error
	switch {
	case view == projections.BoardsViewName:
		bv := s.models.Boards()
		err, id, seq = boardsLive(bv, s.personNames(ctx)).Render(ctx, &buf), "tafeln-live", bv.Seq
	default:
		if board, person, isBallot := ballotOfView(view); isBallot {
			bv, exists := s.models.Board(board)
			if !exists {
				return true, "", nil, 0, false
			}
			b := s.models.Ballot(board, person)
			err, id, seq = ballotLive(bv, b).Render(ctx, &buf), "stimmzettel-live", b.Seq
			break
		}
		board, isBoard := boardOfView(view)
		if !isBoard {
			return false, "", nil, 0, false
		}
		bv, exists := s.models.Board(board)
		if !exists {
			return true, "", nil, 0, false
		}
		err, id, seq = lanesLive(bv, s.personNames(ctx), false).Render(ctx, &buf), "tafel-live", bv.Seq
	}
	if err != nil {
		s.log.Error("render view", "view", view, "err", err)
		return true, "", nil, 0, false
	}
	return true, id, []byte(buf.String()), seq, true
}

// --- view helpers ---

func boardViews(p boardPage) []string {
	views := []string{projections.BoardViewName(p.Board.Board.ID)}
	if p.Ballot != nil && !p.Board.Board.Archived {
		views = append(views, projections.BallotViewName(p.Board.Board.ID, p.Me))
	}
	return views
}

func boardTopicURL(board, topic string) templ.SafeURL {
	return templ.SafeURL(boardURL(board) + "/themen/" + topic)
}

func boardTopicAction(board, topic, action string) templ.SafeURL {
	return templ.SafeURL(boardURL(board) + "/themen/" + topic + "/" + action)
}

func boardTopicCount(ctx context.Context, n int) string { return trn(ctx, "board.topics", n) }

func boardCommentCount(ctx context.Context, n int) string { return trn(ctx, "board.comments", n) }

func votingLabel(ctx context.Context, b projections.BoardInfo) string {
	switch {
	case b.Archived:
		return tr(ctx, "board.voting.archived")
	case b.VotingOpen:
		return tr(ctx, "board.voting.open")
	case b.Revealed:
		return tr(ctx, "board.voting.revealed")
	}
	return tr(ctx, "board.voting.closed")
}

func votedLabel(ctx context.Context, n int) string {
	if n == 0 {
		return tr(ctx, "board.voted.none")
	}
	return trn(ctx, "board.voted", n)
}

// votingStep is the facilitator's next step with the voting.
func votingStep(b projections.BoardInfo) string {
	switch {
	case b.VotingOpen:
		return "/schliessen"
	case !b.Revealed:
		return "/aufdecken"
	}
	return "/oeffnen"
}

func votingButton(ctx context.Context, b projections.BoardInfo) string {
	switch {
	case b.VotingOpen:
		return tr(ctx, "board.voting.close")
	case !b.Revealed:
		return tr(ctx, "board.voting.reveal")
	}
	return tr(ctx, "board.voting.reopen_hiding_results")
}

func archiveStep(b projections.BoardInfo) string {
	if b.Archived {
		return "/wiederherstellen"
	}
	return "/archivieren"
}

func boardTeamLabel(ctx context.Context, team []string, names func(string) string) string {
	if len(team) == 0 {
		return tr(ctx, "board.card.team_nobody")
	}
	out := make([]string, len(team))
	for i, p := range team {
		out[i] = names(p)
	}
	return strings.Join(out, tr(ctx, "list.separator"))
}

// boardScript says how long a topic's script is: its scenes and length.
func boardScript(ctx context.Context, scenes, seconds int) string {
	return trn(ctx, "board.card.script", scenes, minutesSeconds(ctx, seconds))
}

func boardNeedLabel(ctx context.Context, v *projections.VoteTotals) string {
	if v == nil || v.NeedVotes == 0 {
		return tr(ctx, "board.need.none")
	}
	return tr(ctx, "board.need.average", v.NeedAverage, domain.MaxNeed, trn(ctx, "board.need.ratings", v.NeedVotes))
}

func dotsShown(n int) string { return strings.Repeat("●", n) }

func dotsLabel(ctx context.Context, n int) string { return trn(ctx, "count.dots", n) }

func needChoice(ctx context.Context, n int) string {
	switch n {
	case 0:
		return tr(ctx, "board.need.choice_none")
	case domain.MinNeed:
		return tr(ctx, "board.need.choice_low", n)
	case domain.MaxNeed:
		return tr(ctx, "board.need.choice_high", n)
	}
	return formatInt(ctx, n)
}

func needOptions(ctx context.Context) []option {
	out := make([]option, 0, domain.MaxNeed+1)
	for n := 0; n <= domain.MaxNeed; n++ {
		out = append(out, option{strconv.Itoa(n), needChoice(ctx, n)})
	}
	return out
}

func boardAmtChoice(ctx context.Context) []option {
	out := []option{{"", tr(ctx, "board.amt_not_given")}}
	for _, a := range domain.Aemter {
		out = append(out, option{a, a})
	}
	return out
}

func boardTopicChoice(ctx context.Context, topics []projections.TopicCard) []option {
	out := []option{{"", tr(ctx, "form.choose")}}
	for _, t := range topics {
		out = append(out, option{t.ID, t.Title.Text})
	}
	return out
}
