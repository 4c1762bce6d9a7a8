package domain

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// The Lotsen roster: one aggregate per person. The invariants (no double
// join, no leaving twice, changes only while active) concern one person, so
// concurrent edits of different people never contend.

// Lotse is the state of one person on the roster.
type Lotse struct {
	Exists bool
	Active bool
	Erased bool
	Name   string
	Email  string
	Amt    string
	City   string
	Role   Role
}

// Commands of the roster.
type (
	// JoinLotse puts a new person on the roster.
	JoinLotse struct {
		Name  string `json:"name"`
		Email string `json:"email"`
		Amt   string `json:"amt"`
		City  string `json:"city"`
		Role  Role   `json:"role"`
	}
	// ChangeAmt moves an active Lotse to another Amt.
	ChangeAmt struct {
		Amt string `json:"amt"`
	}
	// ChangeRole gives an active Lotse another role.
	ChangeRole struct {
		Role Role `json:"role"`
	}
	// LeaveRoster records a departure.
	LeaveRoster struct {
		Reason string `json:"reason"`
	}
	// RejoinRoster brings a former Lotse back, possibly in another Amt.
	RejoinRoster struct {
		Amt string `json:"amt"`
	}
	// ChangeEmail sets the address a person logs in with.
	ChangeEmail struct {
		Email string `json:"email"`
	}
	// EraseLotse erases a person's personal data (DSGVO Art. 17). What they
	// did stays in the record; who they were does not.
	EraseLotse struct {
		Confirm string `json:"confirm"` // "ja": erasure cannot be undone
	}
)

// Events of the roster.
type (
	// LotseJoined: a person joined the Digitallotsen.
	LotseJoined struct {
		Name  string `json:"name"`
		Email string `json:"email,omitempty"`
		Amt   string `json:"amt"`
		City  string `json:"city"`
		Role  Role   `json:"role"`
	}
	// LotseAmtChanged: a Lotse now carries change into another Amt.
	LotseAmtChanged struct {
		From string `json:"from"`
		To   string `json:"to"`
	}
	// LotseRoleChanged: a person's role changed.
	LotseRoleChanged struct {
		From Role `json:"from"`
		To   Role `json:"to"`
	}
	// LotseLeft: a person left the Digitallotsen.
	LotseLeft struct {
		Reason string `json:"reason,omitempty"`
	}
	// LotseRejoined: a former Lotse came back.
	LotseRejoined struct {
		Amt string `json:"amt"`
	}
	// LotseEmailChanged: a person's e-mail address changed.
	LotseEmailChanged struct {
		Email string `json:"email"`
	}
	// LotseErased: the person's personal data was erased; their key is gone.
	LotseErased struct{}
)

func (LotseJoined) EventType() string       { return "LotseJoined" }
func (LotseAmtChanged) EventType() string   { return "LotseAmtChanged" }
func (LotseRoleChanged) EventType() string  { return "LotseRoleChanged" }
func (LotseLeft) EventType() string         { return "LotseLeft" }
func (LotseRejoined) EventType() string     { return "LotseRejoined" }
func (LotseErased) EventType() string       { return "LotseErased" }
func (LotseEmailChanged) EventType() string { return "LotseEmailChanged" }

// MapPersonal implements Personal.
func (e LotseEmailChanged) MapPersonal(f func(field, value string) string) Data {
	e.Email = f("email", e.Email)
	return e
}

// MapPersonal implements Personal: name and e-mail are personal data.
func (e LotseJoined) MapPersonal(f func(field, value string) string) Data {
	e.Name = f("name", e.Name)
	e.Email = f("email", e.Email)
	return e
}

func init() {
	register[LotseJoined](1)
	register[LotseAmtChanged](1)
	register[LotseRoleChanged](1)
	register[LotseLeft](1)
	register[LotseRejoined](1)
	register[LotseErased](1)
	register[LotseEmailChanged](1)
}

// Limits of roster fields.
const (
	MaxNameLength   = 100
	MaxEmailLength  = 254
	MaxReasonLength = 500
)

// Roster is the decider of one person on the roster.
var Roster = Decider[Lotse, any]{
	Kind:    "lotse",
	Initial: Lotse{},
	Decide:  decideLotse,
	Evolve:  evolveLotse,
}

func decideLotse(s Lotse, cmd any) ([]Data, error) {
	if s.Erased {
		return nil, Errorf(ECONFLICT, "err.lotse.erased")
	}
	switch c := cmd.(type) {
	case JoinLotse:
		if s.Exists {
			return nil, Errorf(ECONFLICT, "err.lotse.already_listed")
		}
		name, err := cleanText("name", "field.name", c.Name, MaxNameLength, true, false)
		if err != nil {
			return nil, err
		}
		email, err := cleanEmail(c.Email)
		if err != nil {
			return nil, err
		}
		if !KnownAmt(c.Amt) {
			return nil, FieldError("amt", "err.lotse.amt_unknown")
		}
		if !KnownCity(c.City) {
			return nil, FieldError("city", "err.lotse.city_unknown")
		}
		role := c.Role
		if role == "" {
			role = RoleLotse
		}
		if !role.Valid() {
			return nil, FieldError("role", "err.lotse.role_unknown")
		}
		return []Data{LotseJoined{Name: name, Email: email, Amt: c.Amt, City: c.City, Role: role}}, nil
	case ChangeAmt:
		if err := mustBeActive(s); err != nil {
			return nil, err
		}
		if !KnownAmt(c.Amt) {
			return nil, FieldError("amt", "err.lotse.amt_unknown")
		}
		if c.Amt == s.Amt {
			return nil, FieldError("amt", "err.lotse.same_amt", s.Name, s.Amt)
		}
		return []Data{LotseAmtChanged{From: s.Amt, To: c.Amt}}, nil
	case ChangeRole:
		if err := mustBeActive(s); err != nil {
			return nil, err
		}
		if !c.Role.Valid() {
			return nil, FieldError("role", "err.lotse.role_unknown")
		}
		if c.Role == s.Role {
			return nil, FieldError("role", "err.lotse.same_role", s.Name)
		}
		return []Data{LotseRoleChanged{From: s.Role, To: c.Role}}, nil
	case LeaveRoster:
		if !s.Exists {
			return nil, Errorf(ENOTFOUND, "err.lotse.not_found")
		}
		if !s.Active {
			return nil, Errorf(ECONFLICT, "err.lotse.already_left", s.Name)
		}
		reason, err := cleanText("reason", "field.reason", c.Reason, MaxReasonLength, false, true)
		if err != nil {
			return nil, err
		}
		return []Data{LotseLeft{Reason: reason}}, nil
	case RejoinRoster:
		if !s.Exists {
			return nil, Errorf(ENOTFOUND, "err.lotse.not_found")
		}
		if s.Active {
			return nil, Errorf(ECONFLICT, "err.lotse.still_active", s.Name)
		}
		amt := c.Amt
		if amt == "" {
			amt = s.Amt
		}
		if !KnownAmt(amt) {
			return nil, FieldError("amt", "err.lotse.amt_unknown")
		}
		return []Data{LotseRejoined{Amt: amt}}, nil
	case ChangeEmail:
		if !s.Exists {
			return nil, Errorf(ENOTFOUND, "err.lotse.not_found")
		}
		email, err := cleanEmail(c.Email)
		if err != nil {
			return nil, err
		}
		if email == "" {
			return nil, FieldError("email", "err.lotse.email_required")
		}
		if email == s.Email {
			return nil, nil
		}
		return []Data{LotseEmailChanged{Email: email}}, nil
	case EraseLotse:
		if !s.Exists {
			return nil, Errorf(ENOTFOUND, "err.lotse.not_found")
		}
		if c.Confirm != "ja" {
			return nil, FieldError("confirm", "err.lotse.confirm_erasure")
		}
		return []Data{LotseErased{}}, nil
	}
	return nil, Errorf(EINVALID, "err.unknown_action")
}

func mustBeActive(s Lotse) error {
	if !s.Exists {
		return Errorf(ENOTFOUND, "err.lotse.not_found")
	}
	if !s.Active {
		return Errorf(ECONFLICT, "err.lotse.inactive", s.Name)
	}
	return nil
}

func evolveLotse(s Lotse, e Event) Lotse {
	switch d := e.Data.(type) {
	case LotseJoined:
		return Lotse{Exists: true, Active: true, Name: d.Name, Email: d.Email, Amt: d.Amt, City: d.City, Role: d.Role}
	case LotseAmtChanged:
		s.Amt = d.To
	case LotseRoleChanged:
		s.Role = d.To
	case LotseLeft:
		s.Active = false
	case LotseRejoined:
		s.Active, s.Amt = true, d.Amt
	case LotseEmailChanged:
		s.Email = d.Email
	case LotseErased:
		s.Erased, s.Active, s.Name, s.Email = true, false, ErasedName, ""
	}
	return s
}

// cleanEmail checks an optional e-mail address: one @, no spaces, short.
func cleanEmail(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", nil
	}
	at := strings.IndexByte(s, '@')
	if !utf8.ValidString(s) || len(s) > MaxEmailLength || at < 1 || at != strings.LastIndexByte(s, '@') || at == len(s)-1 ||
		strings.ContainsAny(s, " \t\r\n<>\"'(),;:[]\\") || !strings.Contains(s[at:], ".") {
		return "", FieldError("email", "err.lotse.email_invalid")
	}
	return strings.ToLower(s), nil
}

// cleanText checks and normalises free text from a person: valid UTF-8, no
// control characters (line breaks only where multiline), trimmed, at most
// max characters. label is the catalogue key of the field's name
// (field.<name>); the catalogues also hold its form as an object
// (field.<name>.acc: "einen Titel", "a title") for "Bitte geben Sie … an".
func cleanText(field, label, s string, max int, required, multiline bool) (string, error) {
	if !utf8.ValidString(s) {
		return "", FieldError(field, "err.text.invalid_utf8", M(label))
	}
	s = strings.TrimSpace(s)
	if required && s == "" {
		return "", FieldError(field, "err.text.required", M(label+".acc"))
	}
	if n := utf8.RuneCountInString(s); n > max {
		return "", FieldError(field, "err.text.too_long", M(label), n, max)
	}
	for _, r := range s {
		if unicode.IsControl(r) && !(multiline && (r == '\n' || r == '\r' || r == '\t')) {
			return "", FieldError(field, "err.text.control_chars", M(label))
		}
	}
	return s, nil
}
