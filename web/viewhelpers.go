package web

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // Europe/Berlin everywhere, also on machines without zoneinfo

	"github.com/a-h/templ"
	"github.com/google/uuid"

	"logbuch/domain"
	"logbuch/projections"
	"logbuch/web/i18n"
)

var berlin = mustLocation("Europe/Berlin")

func mustLocation(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
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

func roleSuffix(ctx context.Context, r domain.Role) string {
	switch r {
	case domain.RoleLenkungsgruppe, domain.RoleAdmin:
		return " · " + tr(ctx, "role.short."+string(r))
	}
	return ""
}

func statusLabel(ctx context.Context, p projections.Person) string {
	if p.Active {
		return tr(ctx, "person.status.active_since", formatDate(ctx, p.JoinedAt))
	}
	return tr(ctx, "person.status.left_on", formatDate(ctx, p.LeftAt))
}

// stepLabel says in plain words what happened to someone on the roster.
func stepLabel(ctx context.Context, s projections.Step) string {
	switch d := s.Data.(type) {
	case domain.LotseJoined:
		return tr(ctx, "person.step.joined", d.Amt, d.City, d.Role.Label())
	case domain.LotseAmtChanged:
		return tr(ctx, "person.step.amt_changed", d.From, d.To)
	case domain.LotseRoleChanged:
		return tr(ctx, "person.step.role_changed", d.From.Label(), d.To.Label())
	case domain.LotseLeft:
		if d.Reason != "" {
			return tr(ctx, "person.step.left_because", d.Reason)
		}
		return tr(ctx, "person.step.left")
	case domain.LotseRejoined:
		return tr(ctx, "person.step.rejoined", d.Amt)
	}
	return s.Type
}

type option struct{ Value, Label string }

func amtOptions(ctx context.Context) []option {
	out := []option{{"", tr(ctx, "form.choose")}}
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

func roleOptions(ctx context.Context) []option {
	out := make([]option, 0, len(domain.Roles))
	for _, r := range domain.Roles {
		out = append(out, option{string(r), trm(ctx, r.Label())})
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

func placeLabel(e projections.EventInfo) string {
	if e.Place == "" || e.Place == e.HostCity {
		return e.HostCity
	}
	return e.Place + " (" + e.HostCity + ")"
}

func eventURL(id string) templ.SafeURL { return templ.SafeURL("/veranstaltungen/" + id) }

func formatOptions(ctx context.Context) []option {
	out := []option{{"", tr(ctx, "form.choose")}}
	for _, f := range domain.Formats {
		out = append(out, option{f, formatLabel(ctx, f)})
	}
	return out
}

// formatLabel names an event format (stored in events in German, as the
// programme calls it) in the reader's language: event_format.<slug>.
func formatLabel(ctx context.Context, format string) string {
	key := "event_format." + slug(format)
	if !i18n.From(ctx).Has(key) {
		return format // a format of an older version of the list
	}
	return tr(ctx, key)
}

// authorLabel names who posted: a guest by the name they chose, staff by
// the roster (so that an erasure hides them).
func authorLabel(ctx context.Context, p projections.WallPostView, names func(string) string) string {
	if strings.HasPrefix(p.Actor, "guest:") {
		return tr(ctx, "wall.guest_author", shownName(ctx, p.GuestName))
	}
	return names(p.Actor)
}

func postCount(ctx context.Context, n int) string { return trn(ctx, "wall.posts", n) }

// importErrorText says what is wrong with a line of an imported file.
func importErrorText(ctx context.Context, e domain.ImportError) string {
	if e.Line == 0 {
		return trm(ctx, e.Message)
	}
	return tr(ctx, "import.error_on_line", e.Line, e.Message)
}

// peopleCount says how many people ("1 Person", "3 Personen").
func peopleCount(ctx context.Context, n int) string { return trn(ctx, "count.people", n) }

// minutesSeconds says a length of a script as minutes and seconds (2:05 min).
func minutesSeconds(ctx context.Context, seconds int) string {
	return tr(ctx, "duration.min_sec", seconds/60, seconds%60)
}
