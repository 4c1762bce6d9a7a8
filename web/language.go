package web

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/a-h/templ"

	"logbuch/domain"
	"logbuch/web/i18n"
)

// languageCookie remembers the language someone chose, for a year; without
// it everyone reads German, whatever their browser prefers: Logbuch is a
// German city's tool, and English is a choice.
const (
	languageCookie = "lb_sprache"
	languageMaxAge = 365 * 24 * 60 * 60
)

// languageOf picks the catalogue of a request: the stored choice, else
// (for API clients only, which have no way to choose) the language their
// Accept-Language weighs highest, else German.
func languageOf(r *http.Request) *i18n.Catalogue {
	if c, err := r.Cookie(languageCookie); err == nil {
		if l, ok := i18n.Choose(c.Value); ok {
			return i18n.For(l)
		}
	}
	if strings.HasPrefix(r.Header.Get("Authorization"), "Bearer ") {
		return i18n.For(acceptedLanguage(r.Header.Get("Accept-Language")))
	}
	return i18n.For(i18n.German)
}

// acceptedLanguage returns the language of an Accept-Language header that
// Logbuch speaks with the highest weight (q; the earlier one on a tie, and
// never one with q=0, which means "not this one"); German without one.
func acceptedLanguage(header string) i18n.Lang {
	best, bestQ := i18n.German, 0.0
	for _, part := range strings.Split(header, ",") {
		tag, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		base, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(tag)), "-")
		q := 1.0
		if v, ok := strings.CutPrefix(strings.ReplaceAll(params, " ", ""), "q="); ok {
			if f, err := strconv.ParseFloat(v, 64); err == nil && f >= 0 && f <= 1 {
				q = f
			}
		}
		for _, l := range i18n.Languages {
			if base == string(l) && q > bestQ {
				best, bestQ = l, q
			}
		}
	}
	return best
}

// withLanguage puts the request's catalogue into its context, where every
// template and handler finds it.
func (s *Server) withLanguage(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := i18n.With(r.Context(), languageOf(r))
		ctx = context.WithValue(ctx, backPathKey{}, pageOf(r))
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

type backPathKey struct{}

// pageOf is where a language switch on the answer to r leads back to: the
// page itself, or for the answer to a form (a refused command) the page
// the form was on.
func pageOf(r *http.Request) string {
	if r.Method == http.MethodGet {
		return r.URL.RequestURI()
	}
	if ref, err := url.Parse(r.Referer()); err == nil && ref.Host == r.Host {
		return ref.RequestURI()
	}
	return "/"
}

// backPath is the page a language switch returns to.
func backPath(ctx context.Context) string {
	if p, ok := ctx.Value(backPathKey{}).(string); ok {
		return localPath(p)
	}
	return "/"
}

// handleChooseLanguage stores the language someone picked and sends them
// back to the page they were on. It works without JavaScript and without
// an account; cross-site posts are refused by the CSRF protection.
func (s *Server) handleChooseLanguage() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !s.parseSmallForm(w, r) {
			return
		}
		l, ok := i18n.Choose(r.PostForm.Get("sprache"))
		if !ok {
			s.writeError(w, r, http.StatusBadRequest, domain.EINVALID, "sprache", tr(r.Context(), "language.unknown"))
			return
		}
		http.SetCookie(w, &http.Cookie{
			Name: languageCookie, Value: string(l), Path: "/", MaxAge: languageMaxAge,
			HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.secureCookies(r),
		})
		http.Redirect(w, r, localPath(r.PostForm.Get("zurueck")), http.StatusSeeOther)
	})
}

// localPath accepts only a path on this site as a place to go back to, so
// that no link or form can send anyone elsewhere. Browsers drop tabs and
// line breaks from addresses ("/\t/evil.example" becomes "//evil.example"):
// url.Parse refuses every control character, and a backslash is refused
// too ("/\\evil.example").
func localPath(p string) string {
	if len(p) > maxBackPath || !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.ContainsRune(p, '\\') {
		return "/"
	}
	if _, err := url.Parse(p); err != nil {
		return "/"
	}
	return p
}

// maxBackPath keeps the language switch's form small (the forms outside
// commands are bounded): a longer address leads back to the start.
const maxBackPath = 2048

// tr says the text of a catalogue key in the language of ctx.
func tr(ctx context.Context, key string, args ...any) string {
	return i18n.From(ctx).T(key, args...)
}

// scriptTemplate is a text with its placeholders (%s) left open, for a
// script that fills them (live.js names who is here).
func scriptTemplate(ctx context.Context, key string) string { return i18n.From(ctx).T(key) }

// trn says the singular or plural of a text by n (key.one, key.other).
func trn(ctx context.Context, key string, n int, args ...any) string {
	return i18n.From(ctx).N(key, n, args...)
}

// trm says a message of the domain.
func trm(ctx context.Context, m domain.Msg) string { return i18n.From(ctx).Msg(m) }

// trHTML says a text with a little markup of its own (keys ending _html).
func trHTML(ctx context.Context, key string, args ...any) templ.Component {
	return templ.Raw(i18n.From(ctx).HTML(key, args...))
}

// pageLanguage is the choice a page was rendered in: its live connection
// asks for updates in the same language, whatever another tab chose since.
func pageLanguage(ctx context.Context) string { return string(i18n.From(ctx).Code()) }

// languageParam is the query parameter by which an address names its
// language, where no cookie says it: a page's live connection asks for
// the page's language, a calendar feed is subscribed in one.
const languageParam = "sprache"

// addressLanguage is the language r's address names (?sprache=), else
// fallback.
func addressLanguage(r *http.Request, fallback i18n.Lang) i18n.Lang {
	if l, ok := i18n.Choose(r.URL.Query().Get(languageParam)); ok {
		return l
	}
	return fallback
}

// langOf is the lang attribute of a page.
func langOf(ctx context.Context) string { return string(i18n.From(ctx).Lang()) }

// otherLanguages are the languages a page offers to switch to.
func otherLanguages(ctx context.Context) []i18n.Lang {
	cur := i18n.From(ctx).Code()
	var out []i18n.Lang
	for _, l := range i18n.Languages {
		if l != cur {
			out = append(out, l)
		}
	}
	return out
}

// languageName names a language in that language, the way people look for
// it ("English", "Deutsch"); the catalogues of every language say so.
func languageName(ctx context.Context, l i18n.Lang) string {
	return tr(ctx, "language.name."+string(l))
}

func formatDate(ctx context.Context, t time.Time) string     { return i18n.From(ctx).Date(t) }
func formatDateTime(ctx context.Context, t time.Time) string { return i18n.From(ctx).DateTime(t) }
func formatInt(ctx context.Context, n int) string            { return i18n.From(ctx).Int(n) }

// formatTime shows the time of day for today, and the date too otherwise.
func formatTime(ctx context.Context, t time.Time) string {
	local := t.In(berlin)
	if y, m, d := time.Now().In(berlin).Date(); local.Year() == y && local.Month() == m && local.Day() == d {
		return i18n.From(ctx).Clock(t)
	}
	return i18n.From(ctx).DateTime(t)
}

// errText says what went wrong, for people: the message of a user-facing
// error, or that something failed inside (never the internals).
func errText(ctx context.Context, err error) string { return trm(ctx, domain.ErrorMessage(err)) }
