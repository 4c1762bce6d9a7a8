package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // Europe/Berlin everywhere, also on machines without zoneinfo

	"github.com/a-h/templ"
	"github.com/google/uuid"

	"logbuch/domain"
	"logbuch/projections"
)

var berlin = mustLocation("Europe/Berlin")

func mustLocation(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

func formatDate(t time.Time) string {
	if t.IsZero() {
		return "–"
	}
	return t.In(berlin).Format("02.01.2006")
}

func staticPath(name string) string { return "/static/" + staticVersion + "/" + name }

func joinViews(v []string) string { return strings.Join(v, " ") }

func personURL(id string) templ.SafeURL { return templ.SafeURL("/lotsen/" + id) }

func personAction(id, action string) templ.SafeURL {
	return templ.SafeURL("/lotsen/" + id + "/" + action)
}

func valueOr(v, fallback string) string {
	if v == "" {
		return fallback
	}
	return v
}

// slug makes an id fragment from a name.
func slug(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == 'ä':
			b.WriteString("ae")
		case r == 'ö':
			b.WriteString("oe")
		case r == 'ü':
			b.WriteString("ue")
		case r == 'ß':
			b.WriteString("ss")
		default:
			if b.Len() > 0 && !strings.HasSuffix(b.String(), "-") {
				b.WriteByte('-')
			}
		}
	}
	return strings.Trim(b.String(), "-")
}

func roleSuffix(r domain.Role) string {
	switch r {
	case domain.RoleLenkungsgruppe:
		return " · Lenkungsgruppe"
	case domain.RoleAdmin:
		return " · Admin"
	}
	return ""
}

func statusLabel(p projections.Person) string {
	if p.Active {
		return "aktiv seit " + formatDate(p.JoinedAt)
	}
	return "ausgeschieden am " + formatDate(p.LeftAt)
}

// stepLabel says in plain German what happened.
func stepLabel(s projections.Step) string {
	switch d := s.Data.(type) {
	case domain.LotseJoined:
		return "aufgenommen im " + d.Amt + " (" + d.City + ") als " + d.Role.Label()
	case domain.LotseAmtChanged:
		return "Amt gewechselt: " + d.From + " → " + d.To
	case domain.LotseRoleChanged:
		return "Rolle geändert: " + d.From.Label() + " → " + d.To.Label()
	case domain.LotseLeft:
		if d.Reason != "" {
			return "ausgeschieden (" + d.Reason + ")"
		}
		return "ausgeschieden"
	case domain.LotseRejoined:
		return "wieder aufgenommen im " + d.Amt
	}
	return s.Type
}

type option struct{ Value, Label string }

func amtOptions() []option {
	out := []option{{"", "Bitte wählen …"}}
	for _, a := range domain.Aemter {
		out = append(out, option{a, a})
	}
	return out
}

func cityOptions() []option {
	out := make([]option, 0, len(domain.Cities))
	for _, c := range domain.Cities {
		out = append(out, option{c, c})
	}
	return out
}

func roleOptions() []option {
	out := make([]option, 0, len(domain.Roles))
	for _, r := range domain.Roles {
		out = append(out, option{string(r), r.Label()})
	}
	return out
}

// formState is one form as rendered: a fresh command id, and after a
// failed submit the values entered and the problem.
type formState struct {
	Form      string
	CommandID string
	CSRF      string
	Values    map[string]string
	Field     string
	Message   string
}

// newForm returns a fresh form for the request's session.
func (s *Server) newForm(r *http.Request, name string) formState {
	return formState{Form: name, CommandID: uuid.Must(uuid.NewV7()).String(), CSRF: principalOf(r).CSRF, Values: map[string]string{}}
}

// For returns f if it belongs to the named form, else a fresh form of the
// same session.
func (f formState) For(name string) formState {
	if f.Form == name {
		return f
	}
	return formState{Form: name, CommandID: uuid.Must(uuid.NewV7()).String(), CSRF: f.CSRF, Values: map[string]string{}}
}

// current marks the navigation entry of the page for screen readers.
func current(nav, entry string) templ.Attributes {
	if nav == entry {
		return templ.Attributes{"aria-current": "page"}
	}
	return templ.Attributes{}
}

func itoa(n int) string { return strconv.Itoa(n) }

func formatDateTime(t time.Time) string {
	if t.IsZero() {
		return "–"
	}
	return t.In(berlin).Format("02.01.2006, 15:04 Uhr")
}

// formatTime shows the time of day for today, and the date too otherwise.
func formatTime(t time.Time) string {
	local := t.In(berlin)
	if y, m, d := time.Now().In(berlin).Date(); local.Year() == y && local.Month() == m && local.Day() == d {
		return local.Format("15:04 Uhr")
	}
	return local.Format("02.01.2006, 15:04 Uhr")
}

func placeLabel(e projections.EventInfo) string {
	if e.Place == "" || e.Place == e.HostCity {
		return e.HostCity
	}
	return e.Place + " (" + e.HostCity + ")"
}

func eventURL(id string) templ.SafeURL { return templ.SafeURL("/veranstaltungen/" + id) }

func formatOptions() []option {
	out := []option{{"", "Bitte wählen …"}}
	for _, f := range domain.Formats {
		out = append(out, option{f, f})
	}
	return out
}

// authorLabel names who posted: a guest by the name they chose, staff by
// the roster (so that an erasure hides them).
func authorLabel(p projections.WallPostView, names func(string) string) string {
	if strings.HasPrefix(p.Actor, "guest:") {
		return p.GuestName + " (Gast)"
	}
	return names(p.Actor)
}

func postCount(n int) string {
	if n == 1 {
		return "1 Beitrag"
	}
	return strconv.Itoa(n) + " Beiträge"
}
