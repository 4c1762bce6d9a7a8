package web

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/a-h/templ"

	"logbuch/domain"
	"logbuch/projections"
	"logbuch/web/i18n"
)

// The roadmap (the year's events on a timeline by month) and the
// iCalendar feed (RFC 5545) that calendar programs subscribe to.

// roadmapMonth is one month of the roadmap.
type roadmapMonth struct {
	ID     string // the month's German name, for the stable id of its heading
	Name   string // the month's name in the reader's language
	Events []projections.EventInfo
}

type roadmapPage struct {
	User   principal
	Seq    uint64
	Year   int
	Years  []int // the other years with events
	Months []roadmapMonth
	// Counts by status, for the summary.
	Planned, Held, Cancelled int
	Ratings                  ratingsOverview
}

func (s *Server) handleRoadmap() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		year := time.Now().In(berlin).Year()
		if q := r.URL.Query().Get("jahr"); q != "" {
			y, err := strconv.Atoi(q)
			if err != nil || y < 2000 || y > 2100 {
				s.writeError(w, r, http.StatusBadRequest, "bad_request", "jahr", tr(r.Context(), "err.event.roadmap_year", 2023))
				return
			}
			year = y
		}
		events, seq := s.models.Events()
		p := roadmapPage{User: principalOf(r), Seq: seq, Year: year, Months: make([]roadmapMonth, 12), Ratings: s.ratingsOverviewOf(year)}
		cat := i18n.From(r.Context())
		for i := range p.Months {
			m := time.Month(i + 1)
			p.Months[i].ID, p.Months[i].Name = i18n.For(i18n.German).Month(m), cat.Month(m)
		}
		for _, e := range events {
			start := e.Start.In(berlin)
			if y := start.Year(); y != year {
				if !slices.Contains(p.Years, y) {
					p.Years = append(p.Years, y)
				}
				continue
			}
			m := &p.Months[start.Month()-1]
			m.Events = append(m.Events, e)
			switch {
			case e.Cancelled():
				p.Cancelled++
			case e.Held():
				p.Held++
			default:
				p.Planned++
			}
		}
		slices.Sort(p.Years)
		s.html(w, http.StatusOK)
		roadmapView(p).Render(r.Context(), w)
	})
}

// eventStatusLabel says in words what became of an event: the roadmap and
// the event page never rely on colour alone.
func eventStatusLabel(ctx context.Context, e projections.EventInfo) string {
	switch {
	case e.Cancelled():
		if e.CancelReason != "" {
			return tr(ctx, "event.status.cancelled_because", e.CancelReason)
		}
		return tr(ctx, "event.status.cancelled")
	case e.Held():
		return trn(ctx, "event.status.held_with", e.Attendance)
	}
	return tr(ctx, "event.status.planned")
}

// statusClass is for the style sheet only; the label carries the meaning.
func statusClass(e projections.EventInfo) string {
	return "status status-" + valueOr(e.Status, domain.StatusPlanned)
}

func roadmapURL(year int) templ.SafeURL { return templ.SafeURL("/roadmap?jahr=" + strconv.Itoa(year)) }

func isoLocal(t time.Time) string { return t.In(berlin).Format("2006-01-02T15:04") }

// Calendar feed access. Calendar programs (Outlook, Thunderbird) fetch the
// feed without cookies, so besides a staff session the feed takes a
// personal feed token: ?token=<person>.<sealed>, where the sealed part is
// the word "kalender" encrypted and authenticated with the person's own key
// (the key that seals their name). It opens only the feed (never a command
// or a page), needs no storage, and stops working when the person leaves
// the roster or is erased (their key is deleted).

const feedTokenWord = "kalender"

// feedToken makes a calendar subscription token for a person.
func (s *Server) feedToken(ctx context.Context, person string) (string, error) {
	sealed, err := s.secrets.SealField(ctx, person, "feed_token", feedTokenWord)
	if err != nil {
		return "", err
	}
	return person + "." + sealed, nil
}

// feedPrincipal checks a feed token and returns who it belongs to.
func (s *Server) feedPrincipal(ctx context.Context, token string) principal {
	person, sealed, ok := strings.Cut(token, ".")
	if !ok || len(token) > 300 || !domain.ValidCommandID(person) || sealed == "" || sealed == feedTokenWord {
		return principal{}
	}
	plain, err := s.secrets.OpenField(ctx, person, "feed_token", sealed)
	if err != nil || plain != feedTokenWord {
		return principal{}
	}
	return s.withRole(principal{Person: person, Token: true})
}

// calendarURLs are the subscription addresses of the feed for a person,
// in the reader's language: all events, and one per format; and all
// events in each other language (Label: the language's code).
func (s *Server) calendarURLs(ctx context.Context, person string) (string, []option, []option) {
	tok, err := s.feedToken(ctx, person)
	if err != nil {
		s.log.Error("feed token", "err", err)
		return "", nil, nil
	}
	base := strings.TrimRight(s.cfg.PublicURL, "/") + "/kalender.ics?"
	feed := func(l i18n.Lang, format string) string {
		q := url.Values{"token": {tok}}
		if format != "" {
			q.Set("format", format)
		}
		if l != i18n.German {
			q.Set(languageParam, string(l))
		}
		return base + q.Encode()
	}
	mine := i18n.From(ctx).Code()
	var formats []option
	for _, f := range domain.Formats {
		formats = append(formats, option{feed(mine, f), formatLabel(ctx, f)})
	}
	var others []option
	for _, l := range otherLanguages(ctx) {
		others = append(others, option{feed(l, ""), string(l)})
	}
	return feed(mine, ""), formats, others
}

func (s *Server) handleCalendar() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// A calendar program sends no cookie with the reader's choice: the
		// feed's address names its language, German without.
		ctx := i18n.With(r.Context(), i18n.For(addressLanguage(r, i18n.German)))
		p := principalOf(r)
		if tok := r.URL.Query().Get("token"); tok != "" {
			p = s.feedPrincipal(r.Context(), tok)
		}
		if !p.LoggedIn() {
			w.Header().Set("WWW-Authenticate", `Bearer realm="logbuch"`)
			http.Error(w, tr(ctx, "err.event.feed_login"), http.StatusUnauthorized)
			return
		}
		if !domain.Can(p.Role, domain.ViewEvents) {
			http.Error(w, tr(ctx, "err.session.forbidden"), http.StatusForbidden)
			return
		}
		format := r.URL.Query().Get("format")
		if format != "" && !slices.Contains(domain.Formats, format) {
			http.Error(w, tr(ctx, "err.event.feed_format_unknown"), http.StatusBadRequest)
			return
		}
		events, _ := s.models.Events()
		if format != "" {
			events = slices.DeleteFunc(events, func(e projections.EventInfo) bool { return e.Format != format })
		}
		name := tr(ctx, "calendar.name")
		if format != "" {
			name = tr(ctx, "calendar.name_of_format", formatLabel(ctx, format))
		}
		w.Header().Set("Content-Type", "text/calendar; charset=utf-8")
		w.Header().Set("Content-Disposition", `inline; filename="logbuch.ics"`)
		w.Header().Set("Cache-Control", "private, max-age=300")
		w.Write(ICalendar(ctx, name, strings.TrimRight(s.cfg.PublicURL, "/"), events, time.Now()))
	})
}

// ICalendar writes events as an iCalendar object (RFC 5545): local times
// in Europe/Berlin with its VTIMEZONE, one VEVENT per event whose UID stays
// the same when it is moved and whose SEQUENCE counts the moves. Its texts
// are in the language of ctx.
func ICalendar(ctx context.Context, name, publicURL string, events []projections.EventInfo, now time.Time) []byte {
	var b strings.Builder
	line := func(s string) { b.WriteString(foldLine(s)) }
	line("BEGIN:VCALENDAR")
	line("VERSION:2.0")
	line("PRODID:-//Digitallotsen Konstanz//Logbuch//DE")
	line("CALSCALE:GREGORIAN")
	line("METHOD:PUBLISH")
	line("X-WR-CALNAME:" + escapeText(name))
	line("X-WR-TIMEZONE:Europe/Berlin")
	for _, l := range berlinTimezone {
		line(l)
	}
	for _, e := range events {
		stamp := e.Changed
		if stamp.IsZero() {
			stamp = now
		}
		line("BEGIN:VEVENT")
		line("UID:" + e.ID + "@logbuch")
		line("DTSTAMP:" + stamp.UTC().Format("20060102T150405Z"))
		line("LAST-MODIFIED:" + stamp.UTC().Format("20060102T150405Z"))
		line("DTSTART;TZID=Europe/Berlin:" + e.Start.In(berlin).Format("20060102T150405"))
		line("DTEND;TZID=Europe/Berlin:" + e.End.In(berlin).Format("20060102T150405"))
		line("SUMMARY:" + escapeText(e.Title))
		if place := placeLabel(e); place != "" {
			line("LOCATION:" + escapeText(place))
		}
		line("DESCRIPTION:" + escapeText(eventDescription(ctx, e)))
		line("CATEGORIES:" + escapeText(formatLabel(ctx, e.Format)))
		if publicURL != "" {
			line("URL:" + publicURL + "/veranstaltungen/" + e.ID)
		}
		line("SEQUENCE:" + strconv.Itoa(e.Sequence))
		if e.Cancelled() {
			line("STATUS:CANCELLED")
		} else {
			line("STATUS:CONFIRMED")
		}
		line("END:VEVENT")
	}
	line("END:VCALENDAR")
	return []byte(b.String())
}

// berlinTimezone describes Europe/Berlin since 1996 (EU summer time).
var berlinTimezone = []string{
	"BEGIN:VTIMEZONE",
	"TZID:Europe/Berlin",
	"X-LIC-LOCATION:Europe/Berlin",
	"BEGIN:DAYLIGHT",
	"TZOFFSETFROM:+0100",
	"TZOFFSETTO:+0200",
	"TZNAME:CEST",
	"DTSTART:19700329T020000",
	"RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU",
	"END:DAYLIGHT",
	"BEGIN:STANDARD",
	"TZOFFSETFROM:+0200",
	"TZOFFSETTO:+0100",
	"TZNAME:CET",
	"DTSTART:19701025T030000",
	"RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU",
	"END:STANDARD",
	"END:VTIMEZONE",
}

// eventDescription is the text of an event in a calendar: format, status
// and talks.
func eventDescription(ctx context.Context, e projections.EventInfo) string {
	var b strings.Builder
	b.WriteString(tr(ctx, "calendar.description", formatLabel(ctx, e.Format), e.HostCity, eventStatusLabel(ctx, e)))
	if len(e.Talks) > 0 {
		b.WriteString("\n" + tr(ctx, "calendar.talks"))
		for _, t := range e.Talks {
			b.WriteString("\n– " + talkLabel(ctx, t))
		}
	}
	return b.String()
}

// talkLabel reads "Topic (Speaker, Organisation)".
func talkLabel(ctx context.Context, t projections.Talk) string {
	if t.Organisation != "" {
		return tr(ctx, "calendar.talk_with_organisation", t.Topic, t.Speaker, t.Organisation)
	}
	return tr(ctx, "calendar.talk", t.Topic, t.Speaker)
}

// escapeText escapes a TEXT value (RFC 5545 3.3.11).
func escapeText(s string) string {
	r := strings.NewReplacer(`\`, `\\`, ";", `\;`, ",", `\,`, "\r\n", `\n`, "\n", `\n`, "\r", `\n`)
	return r.Replace(s)
}

// foldLine ends a content line with CRLF and folds it so that no line is
// longer than 75 octets, never inside a UTF-8 character (RFC 5545 3.1).
func foldLine(s string) string {
	var b strings.Builder
	limit := 75
	for len(s) > limit {
		cut := limit
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		b.WriteString(s[:cut])
		b.WriteString("\r\n ")
		s = s[cut:]
		limit = 74 // the leading space counts
	}
	b.WriteString(s)
	b.WriteString("\r\n")
	return b.String()
}
