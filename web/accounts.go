package web

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"logbuch/domain"
)

// identify finds out who sends each request, once, for every handler.
func (s *Server) identify(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/static/") || r.URL.Path == "/healthz" || r.URL.Path == "/readyz" || r.URL.Path == "/metrics" {
			next.ServeHTTP(w, r)
			return
		}
		p, err := s.authenticate(r)
		if err != nil {
			w.Header().Set("Retry-After", "2")
			s.writeError(w, r, http.StatusServiceUnavailable, domain.EBUSY, "", errText(r.Context(), err))
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), principalKey{}, p)))
	})
}

// requireView lets a page through only for roles that may see it.
func (s *Server) requireView(action string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := principalOf(r)
		if !p.LoggedIn() {
			s.unauthenticated(w, r)
			return
		}
		if !domain.Can(p.Role, action) {
			s.forbidden(w, r)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// requireSession is for account actions: logged in by cookie, with the
// session's CSRF token.
func (s *Server) requireSession(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := principalOf(r)
		if !p.LoggedIn() {
			s.unauthenticated(w, r)
			return
		}
		if r.Method == http.MethodPost {
			if !s.parseSmallForm(w, r) {
				return
			}
			if !p.Token && !validCSRF(p, csrfOf(r)) {
				s.writeError(w, r, http.StatusForbidden, "csrf", "", tr(r.Context(), "err.session.form_expired"))
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// safeNext accepts only paths on this site as the page after login.
func safeNext(next string) string {
	if p := localPath(next); p != "/" || next == "/" {
		return p
	}
	return "/lotsen"
}

func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

func (s *Server) handleLoginPage() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if principalOf(r).LoggedIn() {
			http.Redirect(w, r, "/lotsen", http.StatusSeeOther)
			return
		}
		f := s.newForm(r, "login")
		s.html(w, http.StatusOK)
		loginPage(f, safeNext(r.URL.Query().Get("weiter")), noticeIn(r, loginNotices)).Render(r.Context(), w)
	})
}

// loginNotices are the notices of the login page, by the key the
// redirect carries (?hinweis=…), each naming its catalogue text.
var loginNotices = map[string]domain.Msg{
	"abgemeldet": domain.M("login.notice.logged_out"),
	"abgelaufen": domain.M("login.notice.expired"),
}

func (s *Server) html(w http.ResponseWriter, status int) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
}

func (s *Server) handleLogin() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !s.parseSmallForm(w, r) {
			return
		}
		email := strings.ToLower(strings.TrimSpace(r.PostForm.Get("email")))
		password := r.PostForm.Get("password")
		next := safeNext(r.PostForm.Get("weiter"))
		f := s.newForm(r, "login")
		f.Values["email"] = email
		fail := func(status int, key string) {
			f.Message = tr(r.Context(), key)
			s.html(w, status)
			loginPage(f, next, "").Render(r.Context(), w)
		}
		addr := clientAddr(r)
		if s.logins.blocked(email, addr) {
			w.Header().Set("Retry-After", "900")
			fail(http.StatusTooManyRequests, "login.too_many_attempts")
			return
		}
		person, found := s.models.PersonByEmail(email)
		var cred credential
		hasCred := false
		if found && person.Active {
			var err error
			if hasCred, err = s.secrets.GetSecret(r.Context(), bucketCredentials, person.ID, &cred); err != nil {
				s.log.Error("read credential", "err", err)
				fail(http.StatusServiceUnavailable, "login.unavailable")
				return
			}
		}
		if !hasCred {
			checkPassword(dummyHash, password)
		}
		if !hasCred || !checkPassword(cred.Hash, password) {
			s.logins.fail(email, addr)
			s.log.Info("login failed", "addr", addr) // never the password, nor the address tried
			fail(http.StatusUnauthorized, "login.wrong_credentials")
			return
		}
		cookie, err := s.newSession(r.Context(), person.ID)
		if err != nil {
			s.log.Error("new session", "err", err)
			fail(http.StatusServiceUnavailable, "login.unavailable")
			return
		}
		s.setSessionCookie(w, r, cookie, int(sessionLifetime.Seconds()))
		http.Redirect(w, r, next, http.StatusSeeOther)
	})
}

func (s *Server) handleLogout() http.Handler {
	return s.requireSession(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := principalOf(r)
		if p.SessionKey != "" {
			if err := s.secrets.DeleteSecret(r.Context(), bucketSessions, p.SessionKey); err != nil {
				s.log.Error("end session", "err", err)
			}
		}
		s.setSessionCookie(w, r, "", -1)
		http.Redirect(w, r, "/anmelden?hinweis=abgemeldet", http.StatusSeeOther)
	}))
}

func (s *Server) handleLogoutEverywhere() http.Handler {
	return s.requireSession(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := s.endSessions(r.Context(), principalOf(r).Person); err != nil {
			s.internalError(w, r, "end sessions", err)
			return
		}
		s.setSessionCookie(w, r, "", -1)
		http.Redirect(w, r, "/anmelden?hinweis=abgemeldet", http.StatusSeeOther)
	}))
}

func (s *Server) accountPage(r *http.Request, f formState, newToken, notice string) (accountPage, error) {
	p := principalOf(r)
	person, _, _ := s.models.Person(p.Person)
	page := accountPage{User: p, Person: person, Form: f, NewToken: newToken, Notice: notice}
	keys, err := s.secrets.SecretKeys(r.Context(), bucketTokens, p.Person+".")
	if err != nil {
		return page, err
	}
	for _, k := range keys {
		var t apiToken
		if ok, err := s.secrets.GetSecret(r.Context(), bucketTokens, k, &t); err == nil && ok {
			page.Tokens = append(page.Tokens, tokenRow{ID: strings.TrimPrefix(k, p.Person+"."), Label: t.Label, Created: t.Created})
		}
	}
	slices.SortFunc(page.Tokens, func(a, b tokenRow) int { return a.Created.Compare(b.Created) })
	sessions, err := s.secrets.SecretKeys(r.Context(), bucketSessions, p.Person+".")
	page.Sessions = len(sessions)
	return page, err
}

func (s *Server) handleAccount() http.Handler {
	return s.requireView(domain.ViewOwnAccount, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		page, err := s.accountPage(r, s.newForm(r, "token"), "", noticeIn(r, accountNotices))
		if err != nil {
			s.log.Error("account page", "err", err)
		}
		s.html(w, http.StatusOK)
		accountPageView(page).Render(r.Context(), w)
	}))
}

// accountNotices are the notices of the account page (?hinweis=…).
var accountNotices = map[string]domain.Msg{
	"widerrufen": domain.M("account.notice.token_revoked"),
	"willkommen": domain.M("account.notice.welcome"),
}

func (s *Server) handleCreateToken() http.Handler {
	return s.requireSession(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := principalOf(r)
		if !domain.Can(p.Role, domain.ManageOwnToken) {
			s.forbidden(w, r)
			return
		}
		label := strings.TrimSpace(r.PostForm.Get("label"))
		f := s.newForm(r, "token")
		f.Values["label"] = label
		if label == "" || len([]rune(label)) > maxTokenLabel || strings.ContainsAny(label, "\x00\r\n") {
			f.Field, f.Message = "label", tr(r.Context(), "account.token.label_invalid", maxTokenLabel)
			page, _ := s.accountPage(r, f, "", "")
			s.html(w, http.StatusUnprocessableEntity)
			accountPageView(page).Render(r.Context(), w)
			return
		}
		token, id, err := CreateAPIToken(r.Context(), s.secrets, p.Person, label)
		if err != nil {
			s.internalError(w, r, "store token", err)
			return
		}
		if wantsJSON(r) {
			writeJSON(w, http.StatusOK, map[string]string{"token": token, "id": id})
			return
		}
		page, _ := s.accountPage(r, s.newForm(r, "token"), token, "")
		s.html(w, http.StatusOK)
		accountPageView(page).Render(r.Context(), w)
	}))
}

func (s *Server) handleRevokeToken() http.Handler {
	return s.requireSession(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := principalOf(r)
		id := r.PathValue("id")
		if !domain.ValidCommandID(id) {
			http.NotFound(w, r)
			return
		}
		if err := s.secrets.DeleteSecret(r.Context(), bucketTokens, p.Person+"."+id); err != nil {
			s.log.Error("revoke token", "err", err)
		}
		http.Redirect(w, r, "/konto?hinweis=widerrufen", http.StatusSeeOther)
	}))
}

// handleMyData answers "Meine Daten": everything stored about the person.
func (s *Server) handleMyData() http.Handler {
	return s.requireView(domain.ViewOwnAccount, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := principalOf(r)
		person, _, _ := s.models.Person(p.Person)
		page, _ := s.accountPage(r, formState{}, "", "")
		type step struct {
			At    time.Time   `json:"at"`
			Type  string      `json:"type"`
			Label string      `json:"beschreibung"`
			Data  domain.Data `json:"data"`
		}
		history := make([]step, 0, len(person.History))
		for _, st := range person.History {
			history = append(history, step{At: st.At, Type: st.Type, Label: stepLabel(r.Context(), st), Data: st.Data})
		}
		out := map[string]any{
			"erstellt_am": time.Now().UTC(),
			"person": map[string]any{
				"id": person.ID, "name": person.Name, "email": person.Email, "amt": person.Amt, "stadt": person.City,
				"rolle": person.Role, "aktiv": person.Active, "seit": person.JoinedAt,
			},
			"verlauf":             history,
			"angemeldete_geraete": page.Sessions,
			"api_schluessel":      page.Tokens,
			"bewertungen":         s.ratedEvents(r.Context(), p),
			"umfragen":            s.answeredSurveys(r.Context(), p),
			"hinweis":             tr(r.Context(), "account.my_data.passwords_note"),
		}
		w.Header().Set("Content-Disposition", `attachment; filename="meine-daten.json"`)
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		enc.Encode(out)
	}))
}

// CreateAPIToken makes an API token for a person, with the person's role.
// Only its hash is kept; the token itself is returned once.
func CreateAPIToken(ctx context.Context, secrets Secrets, person, label string) (token, id string, err error) {
	id = strings.NewReplacer("-", "x", "_", "y").Replace(randomToken(9))
	secret := randomToken(32)
	if err := secrets.PutSecret(ctx, bucketTokens, person+"."+id, apiToken{Hash: hashToken(secret), Label: label, Created: time.Now()}); err != nil {
		return "", "", err
	}
	return "lbt_" + person + "_" + id + "_" + secret, id, nil
}

// CreateInviteLink makes a one-time link, valid for a week, with which a
// person on the roster sets their password.
func CreateInviteLink(ctx context.Context, secrets Secrets, publicURL, person string) (string, time.Time, error) {
	token := randomToken(24)
	expires := time.Now().Add(inviteLifetime)
	if err := secrets.PutSecret(ctx, bucketInvites, hashToken(token), invite{Purpose: purposeInvite, Person: person, Expires: expires}); err != nil {
		return "", time.Time{}, err
	}
	return strings.TrimRight(publicURL, "/") + "/einladung/" + token, expires, nil
}

// CreateSetupLink makes a one-time link for the first admin of an
// installation, valid for a day. It is printed on the first start, and by
// `logbuch admin invite`.
func CreateSetupLink(ctx context.Context, secrets Secrets, publicURL string) (string, error) {
	token := randomToken(24)
	if err := secrets.PutSecret(ctx, bucketInvites, hashToken(token), invite{Purpose: purposeSetup, Expires: time.Now().Add(setupLifetime)}); err != nil {
		return "", err
	}
	return strings.TrimRight(publicURL, "/") + "/einladung/" + token, nil
}

// CreateDemoLogin makes a reusable one-click login for a demo person.
func CreateDemoLogin(ctx context.Context, secrets Secrets, publicURL, person string) (string, error) {
	token := randomToken(24)
	if err := secrets.PutSecret(ctx, bucketInvites, hashToken(token), invite{Purpose: purposeDemo, Person: person, Expires: time.Now().Add(30 * 24 * time.Hour)}); err != nil {
		return "", err
	}
	return strings.TrimRight(publicURL, "/") + "/demo/" + token, nil
}

// HasAccounts reports whether anyone has set a password yet.
func HasAccounts(ctx context.Context, secrets Secrets) (bool, error) {
	keys, err := secrets.SecretKeys(ctx, bucketCredentials, "")
	return len(keys) > 0, err
}

func (s *Server) handleInviteCreate() http.Handler {
	return s.requireSession(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := principalOf(r)
		if !domain.Can(p.Role, domain.InvitePerson) {
			s.forbidden(w, r)
			return
		}
		person, _, ok := s.models.Person(r.PathValue("id"))
		if !ok || !person.Active {
			s.writeError(w, r, http.StatusNotFound, domain.ENOTFOUND, "", tr(r.Context(), "invite.only_active"))
			return
		}
		link, expires, err := CreateInviteLink(r.Context(), s.secrets, s.cfg.PublicURL, person.ID)
		if err != nil {
			s.internalError(w, r, "store invite", err)
			return
		}
		if wantsJSON(r) {
			writeJSON(w, http.StatusOK, map[string]any{"link": link, "expires": expires})
			return
		}
		s.html(w, http.StatusOK)
		inviteCreatedPage(p, person, link, expires).Render(r.Context(), w)
	}))
}

// lookupInvite reads an invitation without using it up.
func (s *Server) lookupInvite(ctx context.Context, token string) (invite, bool) {
	if len(token) > 100 {
		return invite{}, false
	}
	var inv invite
	found, err := s.secrets.GetSecret(ctx, bucketInvites, hashToken(token), &inv)
	if err != nil || !found || time.Now().After(inv.Expires) {
		return invite{}, false
	}
	return inv, true
}

// The catalogue keys of an invitation that no longer works.
const (
	inviteInactive = "invite.inactive"
	inviteGone     = "invite.gone"
)

func (s *Server) handleInvitePage() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token := r.PathValue("token")
		inv, ok := s.lookupInvite(r.Context(), token)
		if !ok || inv.Purpose == purposeDemo {
			s.writeError(w, r, http.StatusGone, domain.ENOTFOUND, "", tr(r.Context(), inviteGone))
			return
		}
		person, _, _ := s.models.Person(inv.Person)
		if inv.Purpose == purposeInvite && !person.Active {
			s.writeError(w, r, http.StatusGone, domain.ECONFLICT, "", tr(r.Context(), inviteInactive))
			return
		}
		s.html(w, http.StatusOK)
		invitePage(s.newForm(r, "invite"), token, inv.Purpose == purposeSetup, person).Render(r.Context(), w)
	})
}

func (s *Server) handleInviteAccept() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		token := r.PathValue("token")
		inv, ok := s.lookupInvite(ctx, token)
		if !ok || inv.Purpose == purposeDemo {
			s.writeError(w, r, http.StatusGone, domain.ENOTFOUND, "", tr(r.Context(), inviteGone))
			return
		}
		if !s.parseSmallForm(w, r) {
			return
		}
		setup := inv.Purpose == purposeSetup
		person, _, _ := s.models.Person(inv.Person)
		if !setup && !person.Active {
			s.writeError(w, r, http.StatusGone, domain.ECONFLICT, "", tr(r.Context(), inviteInactive))
			return
		}
		f := s.newForm(r, "invite")
		for _, k := range []string{"name", "amt", "email"} {
			f.Values[k] = r.PostForm.Get(k)
		}
		fail := func(err error) {
			f.Field, f.Message = domain.ErrorField(err), errText(r.Context(), err)
			s.html(w, errorStatus(domain.ErrorCode(err)))
			invitePage(f, token, setup, person).Render(ctx, w)
		}
		pw := r.PostForm.Get("password")
		if err := validPassword(pw); err != nil {
			fail(err)
			return
		}
		if pw != r.PostForm.Get("password2") {
			fail(domain.FieldError("password2", "invite.passwords_differ"))
			return
		}
		// Check every rule before the one-time link is used up.
		join := domain.JoinLotse{Name: f.Values["name"], Email: f.Values["email"], Amt: f.Values["amt"], City: "Konstanz", Role: domain.RoleAdmin}
		changeEmail := domain.ChangeEmail{Email: f.Values["email"]}
		var err error
		if setup {
			_, err = domain.Roster.Decide(domain.Roster.Initial, join)
		} else {
			_, err = domain.Roster.Decide(domain.Lotse{Exists: true, Active: true, Email: person.Email}, changeEmail)
		}
		if err != nil {
			fail(err)
			return
		}
		if other, taken := s.models.PersonByEmail(f.Values["email"]); taken && other.ID != inv.Person {
			fail(domain.FieldError("email", "invite.email_taken"))
			return
		}
		var used invite
		if ok, err := s.secrets.TakeSecret(ctx, bucketInvites, hashToken(token), &used); err != nil || !ok {
			s.writeError(w, r, http.StatusGone, domain.ENOTFOUND, "", tr(r.Context(), inviteGone))
			return
		}
		personID := inv.Person
		var res domain.Result
		if setup {
			personID = uuid.Must(uuid.NewV7()).String()
			res, err = domain.Execute(ctx, s.commands, domain.Roster, personID, domain.Meta{CommandID: uuid.NewString(), Actor: domain.SystemActor}, "JoinLotse", any(join))
		} else {
			res, err = domain.Execute(ctx, s.commands, domain.Roster, personID, domain.Meta{CommandID: uuid.NewString(), Actor: personID}, "ChangeEmail", any(changeEmail))
		}
		if err != nil {
			s.log.Error("accept invitation", "err", err)
			fail(err)
			return
		}
		if err := s.secrets.PutSecret(ctx, bucketCredentials, personID, credential{Hash: hashPassword(pw), Changed: time.Now()}); err != nil {
			s.log.Error("store credential", "err", err)
			fail(err)
			return
		}
		s.waitFor(ctx, res.Seq)
		cookie, err := s.newSession(ctx, personID)
		if err != nil {
			fail(err)
			return
		}
		s.setSessionCookie(w, r, cookie, int(sessionLifetime.Seconds()))
		http.Redirect(w, r, "/konto?hinweis=willkommen", http.StatusSeeOther)
	})
}

func (s *Server) waitFor(ctx context.Context, seq uint64) {
	wctx, cancel := context.WithTimeout(ctx, s.cfg.WaitTimeout)
	defer cancel()
	s.models.WaitFor(wctx, seq)
}

func (s *Server) handleDemoLogin() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		inv, ok := s.lookupInvite(r.Context(), r.PathValue("token"))
		if !s.cfg.Demo || !ok || inv.Purpose != purposeDemo {
			s.writeError(w, r, http.StatusNotFound, domain.ENOTFOUND, "", tr(r.Context(), "login.demo_unknown"))
			return
		}
		cookie, err := s.newSession(r.Context(), inv.Person)
		if err != nil {
			s.internalError(w, r, "demo login session", err)
			return
		}
		s.setSessionCookie(w, r, cookie, int(sessionLifetime.Seconds()))
		http.Redirect(w, r, "/lotsen", http.StatusSeeOther)
	})
}

// eraseAfter completes an erasure once the event is in the log: the key
// goes (the data becomes unreadable), and with it every way to log in.
func (s *Server) eraseAfter(ctx context.Context, res domain.Result) error {
	person := res.AggregateID()
	var errs []error
	errs = append(errs, s.secrets.ErasePersonalData(ctx, person))
	errs = append(errs, s.endSessions(ctx, person))
	errs = append(errs, s.secrets.DeleteSecret(ctx, bucketCredentials, person))
	if keys, err := s.secrets.SecretKeys(ctx, bucketTokens, person+"."); err == nil {
		for _, k := range keys {
			errs = append(errs, s.secrets.DeleteSecret(ctx, bucketTokens, k))
		}
	} else {
		errs = append(errs, err)
	}
	// Rendered updates kept for resuming clients may show the name.
	s.hub.forgetAll()
	return errors.Join(errs...)
}

func (s *Server) leaveAfter(ctx context.Context, res domain.Result) error {
	return s.endSessions(ctx, res.AggregateID())
}
