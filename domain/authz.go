package domain

// Who may do what: the one place that says it. Every command endpoint and
// every live view asks Can before anything else happens. What is not listed
// is denied.

// Roles without an account.
const (
	RoleGuest     Role = "gast" // joins one event by a code (events arrive with #KNmeetsHN)
	RoleAnonymous Role = ""     // not logged in
)

// AllRoles are every role a request can have, for tests and reviews.
var AllRoles = []Role{RoleAnonymous, RoleGuest, RoleLotse, RoleLenkungsgruppe, RoleAdmin}

// Actions besides the commands (which are named by their command type).
const (
	ViewRoster     = "view:roster"          // the roster page and its live view
	ViewPerson     = "view:lotse"           // a person's page and its live view
	ViewOwnAccount = "view:konto"           // one's own account, data and tokens
	ManageOwnToken = "ManageOwnToken"       // create and revoke one's own API tokens
	InvitePerson   = "InvitePerson"         // send someone an invitation link
	ErasePerson    = "EraseLotse"           // DSGVO erasure
	ManagePeople   = "manage:people"        // see the forms of people management
	ReadAllRecords = "read:everything"      // the Lenkungsgruppe reads all
	ViewEvents     = "view:veranstaltungen" // the list of events
	ViewWall       = "view:wand"            // one event's page and its live wall
	ViewDashboard  = "view:dashboard"       // the overview of figures and activity
	// ViewBarrierReports: the reports sent from the accessibility statement.
	ViewBarrierReports = "view:rueckmeldungen"
	ViewBoards         = "view:tafeln"    // KNowHow boards, topics, their history and "Stand am …"
	ViewVideos         = "view:videothek" // the library of published explainer videos
	ImportTopics       = "ImportTopics"   // import survey topics from a CSV file (facilitator or admin: see Board.FacilitatedBy)
)

var (
	staff      = []Role{RoleLotse, RoleLenkungsgruppe, RoleAdmin}
	adminsOnly = []Role{RoleAdmin}
	lotsen     = []Role{RoleLotse, RoleAdmin}
	// participants of an event's wall: those who may post to it.
	participants = []Role{RoleLotse, RoleAdmin, RoleGuest}
)

// permissions is the authorization matrix.
var permissions = map[string][]Role{
	// The roster is managed by the digital office.
	"JoinLotse":    adminsOnly,
	"ChangeAmt":    adminsOnly,
	"ChangeRole":   adminsOnly,
	"LeaveRoster":  adminsOnly,
	"RejoinRoster": adminsOnly,
	ErasePerson:    adminsOnly,
	"ChangeEmail":  adminsOnly,
	InvitePerson:   adminsOnly,
	ManagePeople:   adminsOnly,
	// Everyone with an account sees the network and their own account.
	ViewRoster:     staff,
	ViewPerson:     staff,
	ViewOwnAccount: staff,
	ManageOwnToken: staff,
	ReadAllRecords: {RoleLenkungsgruppe, RoleAdmin},
	// Events: the digital office plans them; everyone sees them; guests see
	// and write only the wall of the one event whose code they used.
	"PlanVeranstaltung": adminsOnly,
	// … and records what becomes of them: moved, cancelled, held, talks.
	"RescheduleVeranstaltung": adminsOnly,
	"CancelVeranstaltung":     adminsOnly,
	"MarkHeld":                adminsOnly,
	"AddTalk":                 adminsOnly,
	ViewEvents:                staff,
	ViewWall:                  {RoleLotse, RoleLenkungsgruppe, RoleAdmin, RoleGuest},
	"PostToWall":              {RoleLotse, RoleAdmin, RoleGuest},
	// The Lenkungsgruppe watches the year; the digital office with it.
	ViewDashboard: {RoleLenkungsgruppe, RoleAdmin},
	// Anyone with an account can report a barrier; the digital office
	// reads and answers the reports.
	"ReportBarrier":       staff,
	ViewBarrierReports:    adminsOnly,
	"AnswerBarrierReport": adminsOnly,
	// KNowHow: the digital office starts a board per campaign; Lotsen (and
	// admins, who are Lotsen too) propose, edit, vote, form teams and
	// produce; the Lenkungsgruppe watches; guests never see boards. The
	// facilitator's actions are open to Lotsen here, and the board's decider
	// checks that the caller is the board's facilitator (or an admin).
	"CreateBoard":       adminsOnly,
	"SetVoteBudget":     lotsen,
	"CloseVoting":       lotsen,
	"ReopenVoting":      lotsen,
	"RevealVotes":       lotsen,
	"ChangeFacilitator": lotsen,
	"ArchiveBoard":      lotsen,
	"RestoreBoard":      lotsen,
	ImportTopics:        lotsen,
	"SetPreference":     lotsen, // proxy votes: the ballot's decider allows them to the facilitator only
	"SetNeed":           lotsen,
	"ProposeTopic":      lotsen,
	"EditTopicField":    lotsen,
	"CommentTopic":      lotsen,
	"ArchiveTopic":      lotsen,
	"RestoreTopic":      lotsen,
	"JoinTeam":          lotsen,
	"LeaveTeam":         lotsen,
	"MoveTopic":         lotsen,
	"AddScene":          lotsen, // the Drehbuch and the video: the topic's decider allows them to its team
	"EditScene":         lotsen,
	"SetSceneSeconds":   lotsen,
	"MoveScene":         lotsen,
	"DeleteScene":       lotsen,
	"RecordVideo":       lotsen,
	"PublishVideo":      lotsen,
	ViewBoards:          staff,
	ViewVideos:          staff,
	// Participants rate a held event once: Lotsen (admins are Lotsen of
	// the digital office) and the guests of that event.
	"RateVeranstaltung": {RoleLotse, RoleAdmin, RoleGuest},
	// The workshop wall: whoever plans events facilitates (groups, hiding);
	// participants pick a group, edit and delete their own posts (the
	// decider checks authorship) and give "+1".
	"AddWorkshopGroup":    adminsOnly,
	"HideWallPost":        adminsOnly,
	"UnhideWallPost":      adminsOnly,
	"ChooseWorkshopGroup": participants,
	"EditWallPost":        participants,
	"DeleteWallPost":      participants,
	"PlusOneWallPost":     participants,
	"WithdrawPlusOne":     participants,
}

// CanIn reports whether a role may perform an action on something that
// belongs to an event. A guest may act only within the event they joined.
func CanIn(role Role, action, guestEvent, event string) bool {
	if !Can(role, action) {
		return false
	}
	return role != RoleGuest || (guestEvent != "" && guestEvent == event)
}

// Can reports whether a role may perform an action.
func Can(role Role, action string) bool {
	for _, r := range permissions[action] {
		if r == role {
			return true
		}
	}
	return false
}

// Actions lists every action of the matrix, for tests.
func Actions() []string {
	out := make([]string, 0, len(permissions))
	for a := range permissions {
		out = append(out, a)
	}
	return out
}
