package domain

import (
	"strconv"
	"strings"
)

// KNowHow boards: one board per campaign (e.g. "KNowHow 2024"), run by a
// facilitator. The board aggregate guards what the facilitator decides for
// everyone: the vote budget, whether voting is open, whether the results
// are revealed. The votes themselves live on per-(board, person) ballots
// (ballot.go) and the topics on their own aggregates (topic.go), so that 22
// people voting or editing at once never contend on the board's subject.

// Board is the state of one board.
type Board struct {
	Exists       bool
	Title        string
	Year         int
	Facilitator  string // person id
	Budget       int    // dots per person (Präferenz)
	VotingClosed bool
	Revealed     bool
	Archived     bool
}

// Caller is who asks, as the server knows it from the session; never taken
// from the request body (every command field of this type is json:"-").
type Caller struct {
	Person string
	Role   Role
}

// FacilitatedBy reports whether a caller may act as the board's
// facilitator: the facilitator, or an admin of the digital office (who can
// step in when the facilitator is ill).
func (b Board) FacilitatedBy(c Caller) bool {
	return b.Exists && c.Person != "" && (c.Person == b.Facilitator || c.Role == RoleAdmin)
}

// VotingContext is what a ballot needs to know of its board. The caller
// copies it from the board's read model just before voting.
func (b Board) VotingContext(topics []string) VotingContext {
	return VotingContext{Exists: b.Exists && !b.Archived, Open: !b.VotingClosed && !b.Archived, Budget: b.Budget, Facilitator: b.Facilitator, Topics: topics}
}

// Commands of a board.
type (
	// CreateBoard starts a board for a campaign.
	CreateBoard struct {
		Title       string `json:"title"`
		Year        Number `json:"year"`
		Facilitator string `json:"facilitator"` // person id
		Budget      Number `json:"budget"`      // empty: DefaultVoteBudget
	}
	// SetVoteBudget raises the number of dots each person may give.
	SetVoteBudget struct {
		Budget Number `json:"budget"`
		By     Caller `json:"-"`
	}
	// CloseVoting stops voting (votes stay hidden until RevealVotes).
	CloseVoting struct {
		By Caller `json:"-"`
	}
	// ReopenVoting opens voting again; revealed results are hidden again,
	// so that a second round is not swayed by the first one's counts.
	ReopenVoting struct {
		By Caller `json:"-"`
	}
	// RevealVotes shows the counts and the ranking to everyone.
	RevealVotes struct {
		By Caller `json:"-"`
	}
	// ChangeFacilitator hands the board to another person.
	ChangeFacilitator struct {
		Facilitator string `json:"facilitator"`
		By          Caller `json:"-"`
	}
	// ArchiveBoard puts a finished campaign away (read-only).
	ArchiveBoard struct {
		By Caller `json:"-"`
	}
	// RestoreBoard takes an archived board back.
	RestoreBoard struct {
		By Caller `json:"-"`
	}
)

// Events of a board.
type (
	// BoardCreated: a board was started.
	BoardCreated struct {
		Title       string `json:"title"`
		Year        int    `json:"year"`
		Facilitator string `json:"facilitator"`
		Budget      int    `json:"budget"`
	}
	// VoteBudgetSet: the facilitator raised the budget.
	VoteBudgetSet struct {
		From int `json:"from"`
		To   int `json:"to"`
	}
	// VotingClosed: no more votes.
	VotingClosed struct{}
	// VotingReopened: votes may change again; results hidden again.
	VotingReopened struct{}
	// VotesRevealed: the counts are visible to everyone.
	VotesRevealed struct{}
	// FacilitatorChanged: another person runs the board.
	FacilitatorChanged struct {
		From string `json:"from"`
		To   string `json:"to"`
	}
	// BoardArchived: the board is read-only.
	BoardArchived struct{}
	// BoardRestored: the board is active again.
	BoardRestored struct{}
)

func (BoardCreated) EventType() string       { return "BoardCreated" }
func (VoteBudgetSet) EventType() string      { return "VoteBudgetSet" }
func (VotingClosed) EventType() string       { return "VotingClosed" }
func (VotingReopened) EventType() string     { return "VotingReopened" }
func (VotesRevealed) EventType() string      { return "VotesRevealed" }
func (FacilitatorChanged) EventType() string { return "FacilitatorChanged" }
func (BoardArchived) EventType() string      { return "BoardArchived" }
func (BoardRestored) EventType() string      { return "BoardRestored" }

func init() {
	register[BoardCreated](1)
	register[VoteBudgetSet](1)
	register[VotingClosed](1)
	register[VotingReopened](1)
	register[VotesRevealed](1)
	register[FacilitatorChanged](1)
	register[BoardArchived](1)
	register[BoardRestored](1)
}

// Limits of boards.
const (
	MaxBoardTitleLength = 150
	DefaultVoteBudget   = 5
	MaxVoteBudget       = 50
	MinBoardYear        = 2020
	MaxBoardYear        = 2100
)

// Boards is the decider of one board.
var Boards = Decider[Board, any]{
	Kind:    "board",
	Initial: Board{},
	Decide:  decideBoard,
	Evolve:  evolveBoard,
}

func decideBoard(s Board, cmd any) ([]Data, error) {
	if c, ok := cmd.(CreateBoard); ok {
		if s.Exists {
			return nil, Errorf(ECONFLICT, "err.board.exists")
		}
		title, err := cleanText("title", "field.title", c.Title, MaxBoardTitleLength, true, false)
		if err != nil {
			return nil, err
		}
		year, err := parseWhole("year", string(c.Year), MinBoardYear, MaxBoardYear, "err.board.year", MinBoardYear, MaxBoardYear)
		if err != nil {
			return nil, err
		}
		if !validToken(c.Facilitator) {
			return nil, FieldError("facilitator", "err.board.facilitator_required")
		}
		budget := DefaultVoteBudget
		if strings.TrimSpace(string(c.Budget)) != "" {
			if budget, err = parseWhole("budget", string(c.Budget), 1, MaxVoteBudget, "err.board.budget", 1, MaxVoteBudget); err != nil {
				return nil, err
			}
		}
		return []Data{BoardCreated{Title: title, Year: year, Facilitator: c.Facilitator, Budget: budget}}, nil
	}
	if !s.Exists {
		return nil, Errorf(ENOTFOUND, "err.board.not_found")
	}
	by, ok := boardCaller(cmd)
	if !ok {
		return nil, Errorf(EINVALID, "err.unknown_action")
	}
	if !s.FacilitatedBy(by) {
		return nil, Errorf(ECONFLICT, "err.board.facilitator_only")
	}
	if s.Archived {
		if _, restore := cmd.(RestoreBoard); !restore {
			return nil, Errorf(ECONFLICT, "err.board.archived")
		}
	}
	switch c := cmd.(type) {
	case SetVoteBudget:
		budget, err := parseWhole("budget", string(c.Budget), 1, MaxVoteBudget, "err.board.budget", 1, MaxVoteBudget)
		if err != nil {
			return nil, err
		}
		// Only raising: a ballot decides with the budget its caller read
		// from the read model a moment ago. If the budget never falls, a
		// stale budget is never more than the current one, so no person
		// can hold more dots than the board allows.
		if budget < s.Budget {
			return nil, FieldError("budget", "err.board.budget_only_up", s.Budget)
		}
		if budget == s.Budget {
			return nil, nil
		}
		return []Data{VoteBudgetSet{From: s.Budget, To: budget}}, nil
	case CloseVoting:
		if s.VotingClosed {
			return nil, Errorf(ECONFLICT, "err.board.voting_already_closed")
		}
		return []Data{VotingClosed{}}, nil
	case ReopenVoting:
		if !s.VotingClosed {
			return nil, Errorf(ECONFLICT, "err.board.voting_already_open")
		}
		return []Data{VotingReopened{}}, nil
	case RevealVotes:
		// Revealing only after closing: once counts are visible, later
		// votes would follow the crowd (group-think).
		if !s.VotingClosed {
			return nil, Errorf(ECONFLICT, "err.board.reveal_before_close")
		}
		if s.Revealed {
			return nil, Errorf(ECONFLICT, "err.board.already_revealed")
		}
		return []Data{VotesRevealed{}}, nil
	case ChangeFacilitator:
		if !validToken(c.Facilitator) {
			return nil, FieldError("facilitator", "err.board.facilitator_required")
		}
		if c.Facilitator == s.Facilitator {
			return nil, nil
		}
		return []Data{FacilitatorChanged{From: s.Facilitator, To: c.Facilitator}}, nil
	case ArchiveBoard:
		return []Data{BoardArchived{}}, nil
	case RestoreBoard:
		if !s.Archived {
			return nil, Errorf(ECONFLICT, "err.board.not_archived")
		}
		return []Data{BoardRestored{}}, nil
	}
	return nil, Errorf(EINVALID, "err.unknown_action")
}

func boardCaller(cmd any) (Caller, bool) {
	switch c := cmd.(type) {
	case SetVoteBudget:
		return c.By, true
	case CloseVoting:
		return c.By, true
	case ReopenVoting:
		return c.By, true
	case RevealVotes:
		return c.By, true
	case ChangeFacilitator:
		return c.By, true
	case ArchiveBoard:
		return c.By, true
	case RestoreBoard:
		return c.By, true
	}
	return Caller{}, false
}

func evolveBoard(s Board, e Event) Board {
	switch d := e.Data.(type) {
	case BoardCreated:
		return Board{Exists: true, Title: d.Title, Year: d.Year, Facilitator: d.Facilitator, Budget: d.Budget}
	case VoteBudgetSet:
		s.Budget = d.To
	case VotingClosed:
		s.VotingClosed = true
	case VotingReopened:
		s.VotingClosed, s.Revealed = false, false
	case VotesRevealed:
		s.Revealed = true
	case FacilitatorChanged:
		s.Facilitator = d.To
	case BoardArchived:
		s.Archived = true
	case BoardRestored:
		s.Archived = false
	}
	return s
}

// parseWhole reads a whole number in [lo, hi] from a form or JSON field;
// otherwise the error says the message of key (with args).
func parseWhole(field, s string, lo, hi int, key string, args ...any) (int, error) {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || n < lo || n > hi {
		return 0, FieldError(field, key, args...)
	}
	return n, nil
}
