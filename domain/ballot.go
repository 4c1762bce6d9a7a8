package domain

import (
	"maps"
	"slices"
	"strings"

	"github.com/google/uuid"
)

// Ballots: the votes of one person on one board ("Stimmzettel").
//
// Where the votes live, and why: the budget rule ("at most N dots across
// the board's topics") concerns all dots of one person on one board, and
// nothing else. One ballot aggregate per (board, person) is exactly that
// consistency boundary: a person's own clicks are serialised, while 22
// people voting at once write 22 different subjects and never contend.
// Votes on the board aggregate would put every voter on one subject, and
// with the handler's five attempts a burst of 28 voters would answer
// "busy" to some of them.
//
// What the ballot cannot see itself (the board's current budget, whether
// voting is open, which topics are on the board and not archived) the
// caller passes in the command as a VotingContext read from the read model
// just before. The board only ever raises the budget (see SetVoteBudget), so
// a context a moment old never allows more dots than the board does. A vote
// that races the facilitator's "close" by milliseconds may still count: the
// close is a decision in the room, not a deadline to the millisecond, and
// the read model counts exactly what the log holds.
//
// Proxy votes: the facilitator may record the votes of a Lotse in the room
// without a device, on that person's ballot (the envelope's actor is the
// facilitator, the event names the voter and says it was a proxy vote).
// Only people on the roster vote, so no names are stored: votes name person
// ids, and an erasure turns them into "gelöschte Person" through the roster.

// Ballot is the state of one person's votes on one board.
type Ballot struct {
	Exists bool
	Board  string
	Voter  string
	Dots   map[string]int // topic → dots (Präferenz); never mutated, copied on change
	Need   map[string]int // topic → 1..5 (Bedarf); never mutated, copied on change
}

// VotingContext is the board as a ballot needs it, read by the caller.
type VotingContext struct {
	Exists      bool     // the board exists and is not archived
	Open        bool     // voting is open
	Budget      int      // dots per person
	Facilitator string   // may record proxy votes
	Topics      []string // the topics one may vote on: on the board, not archived
}

// Commands of a ballot.
type (
	// SetPreference sets the dots a voter gives a topic (0 withdraws).
	SetPreference struct {
		Board  string        `json:"board"`
		Voter  string        `json:"voter"` // empty: the caller
		Topic  string        `json:"topic"`
		Dots   Number        `json:"dots"`
		By     Caller        `json:"-"`
		Voting VotingContext `json:"-"`
	}
	// SetNeed sets how great a voter thinks the need for a topic is (1 to 5;
	// 0 withdraws).
	SetNeed struct {
		Board  string        `json:"board"`
		Voter  string        `json:"voter"` // empty: the caller
		Topic  string        `json:"topic"`
		Need   Number        `json:"need"`
		By     Caller        `json:"-"`
		Voting VotingContext `json:"-"`
	}
)

// Events of a ballot.
type (
	// PreferenceSet: a voter now gives a topic this many dots (0: none).
	PreferenceSet struct {
		Board string `json:"board"`
		Voter string `json:"voter"`
		Topic string `json:"topic"`
		Dots  int    `json:"dots"`
		Proxy bool   `json:"proxy,omitempty"` // recorded by the facilitator
	}
	// NeedSet: a voter now rates the need of a topic so (0: withdrawn).
	NeedSet struct {
		Board string `json:"board"`
		Voter string `json:"voter"`
		Topic string `json:"topic"`
		Need  int    `json:"need"`
		Proxy bool   `json:"proxy,omitempty"`
	}
)

func (PreferenceSet) EventType() string { return "PreferenceSet" }
func (NeedSet) EventType() string       { return "NeedSet" }

func init() {
	register[PreferenceSet](1)
	register[NeedSet](1)
}

// Limits of votes.
const (
	MinNeed = 1
	MaxNeed = 5
)

// ballotNamespace derives ballot ids from (board, person).
var ballotNamespace = uuid.MustParse("5b1d2c6e-8f0a-4c1e-9d7b-4b6e1f0a2c3d")

// BallotID is the aggregate id of one person's ballot on one board: a name
// based UUID, so that it is a valid subject token and the same for every
// replica without a lookup.
func BallotID(board, person string) string {
	return uuid.NewSHA1(ballotNamespace, []byte(board+"/"+person)).String()
}

// Ballots is the decider of one person's ballot on one board.
var Ballots = Decider[Ballot, any]{
	Kind:    "stimmzettel",
	Initial: Ballot{},
	Decide:  decideBallot,
	Evolve:  evolveBallot,
}

// DotsUsed is the number of dots on the given topics.
func (s Ballot) DotsUsed(topics []string) int {
	n := 0
	for t, d := range s.Dots {
		if slices.Contains(topics, t) {
			n += d
		}
	}
	return n
}

func decideBallot(s Ballot, cmd any) ([]Data, error) {
	var board, voter, topic, value string
	var by Caller
	var v VotingContext
	switch c := cmd.(type) {
	case SetPreference:
		board, voter, topic, value, by, v = c.Board, c.Voter, c.Topic, string(c.Dots), c.By, c.Voting
	case SetNeed:
		board, voter, topic, value, by, v = c.Board, c.Voter, c.Topic, string(c.Need), c.By, c.Voting
	default:
		return nil, Errorf(EINVALID, "err.unknown_action")
	}
	if voter == "" {
		voter = by.Person
	}
	if !validToken(board) || !v.Exists {
		return nil, Errorf(ENOTFOUND, "err.board.not_found")
	}
	if !validToken(voter) {
		return nil, FieldError("voter", "err.ballot.voter_required")
	}
	if s.Exists && (s.Board != board || s.Voter != voter) {
		return nil, Errorf(ECONFLICT, "err.ballot.other_ballot")
	}
	proxy := voter != by.Person
	if by.Person == "" || proxy && by.Person != v.Facilitator && by.Role != RoleAdmin {
		return nil, Errorf(ECONFLICT, "err.ballot.proxy_facilitator_only")
	}
	if !v.Open {
		return nil, Errorf(ECONFLICT, "err.ballot.voting_closed")
	}
	if !slices.Contains(v.Topics, topic) {
		return nil, FieldError("topic", "err.ballot.topic_not_votable")
	}
	switch cmd.(type) {
	case SetPreference:
		dots, err := parseWhole("dots", value, 0, MaxVoteBudget, "err.ballot.dots")
		if err != nil {
			return nil, err
		}
		was := s.Dots[topic]
		if dots == was {
			return nil, nil
		}
		// Taking dots back is always possible; giving more only within the
		// budget (dots on archived topics are free again).
		if other := s.DotsUsed(v.Topics) - was; dots > was && other+dots > v.Budget {
			left := max(v.Budget-other, 0)
			return nil, FieldError("dots", "err.ballot.budget_exceeded", other, v.Budget, left)
		}
		return []Data{PreferenceSet{Board: board, Voter: voter, Topic: topic, Dots: dots, Proxy: proxy}}, nil
	default:
		need := 0
		if strings.TrimSpace(value) != "0" {
			var err error
			if need, err = parseWhole("need", value, MinNeed, MaxNeed, "err.ballot.need", MinNeed, MaxNeed); err != nil {
				return nil, err
			}
		}
		if need == s.Need[topic] {
			return nil, nil
		}
		return []Data{NeedSet{Board: board, Voter: voter, Topic: topic, Need: need, Proxy: proxy}}, nil
	}
}

// evolveBallot never changes the maps of the state it is given: the command
// handler shares states between goroutines.
func evolveBallot(s Ballot, e Event) Ballot {
	switch d := e.Data.(type) {
	case PreferenceSet:
		s.Exists, s.Board, s.Voter = true, d.Board, d.Voter
		s.Dots = withValue(s.Dots, d.Topic, d.Dots)
	case NeedSet:
		s.Exists, s.Board, s.Voter = true, d.Board, d.Voter
		s.Need = withValue(s.Need, d.Topic, d.Need)
	}
	return s
}

// withValue returns a copy of m with k set to v (removed when 0).
func withValue(m map[string]int, k string, v int) map[string]int {
	out := maps.Clone(m)
	if out == nil {
		out = map[string]int{}
	}
	if v == 0 {
		delete(out, k)
	} else {
		out[k] = v
	}
	return out
}
