package web

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/argon2"

	"logbuch/domain"
)

// Secrets is where credentials, sessions, one-time links and API token
// hashes are kept: outside the log, so that nothing secret is ever part of
// the record or its exports.
type Secrets interface {
	GetSecret(ctx context.Context, bucket, key string, v any) (bool, error)
	PutSecret(ctx context.Context, bucket, key string, v any) error
	TakeSecret(ctx context.Context, bucket, key string, v any) (bool, error)
	DeleteSecret(ctx context.Context, bucket, key string) error
	SecretKeys(ctx context.Context, bucket, prefix string) ([]string, error)
	WatchSecretDeletes(ctx context.Context, bucket string, fn func(key string)) error
	ErasePersonalData(ctx context.Context, person string) error
	// SealField and OpenField protect personal data kept beside the log
	// (a guest's display name in their session) with the owner's key.
	SealField(ctx context.Context, person, field, value string) (string, error)
	OpenField(ctx context.Context, person, field, value string) (string, error)
}

// Buckets (the names embed uses).
const (
	bucketCredentials = "LB_CREDENTIALS"
	bucketSessions    = "LB_SESSIONS"
	bucketInvites     = "LB_INVITES"
	bucketTokens      = "LB_TOKENS"
)

const (
	sessionCookie   = "lb_sitzung"
	sessionLifetime = 12 * time.Hour
	inviteLifetime  = inviteDays * 24 * time.Hour
	inviteDays      = 7 // how long an invitation link works, as the person page says
	setupLifetime   = 24 * time.Hour
	minPassword     = 12
	maxPassword     = 256
	maxTokenLabel   = 60 // characters of an API token's label
)

type credential struct {
	Hash    string    `json:"hash"` // argon2id, PHC string
	Changed time.Time `json:"changed"`
}

type session struct {
	Person  string    `json:"person"`
	CSRF    string    `json:"csrf"`
	Created time.Time `json:"created"`
	Expires time.Time `json:"expires"`
	// A guest's session belongs to one event and ends with it.
	Event     string `json:"event,omitempty"`
	GuestName string `json:"guest_name,omitempty"`
}

// Invite purposes.
const (
	purposeInvite = "invite" // an existing roster entry sets a password
	purposeSetup  = "setup"  // the first admin of an empty installation
	purposeDemo   = "demo"   // one-click login of a demo person (--demo only)
)

type invite struct {
	Purpose string    `json:"purpose"`
	Person  string    `json:"person,omitempty"`
	Expires time.Time `json:"expires"`
}

type apiToken struct {
	Hash    string    `json:"hash"`
	Label   string    `json:"label"`
	Created time.Time `json:"created"`
}

// principal is who sends a request.
type principal struct {
	Person     string
	Name       string
	Role       domain.Role
	SessionKey string // set when logged in by cookie
	CSRF       string
	Token      bool   // authenticated by an API token: no cookies, no CSRF
	Event      string // a guest's event
}

func (p principal) LoggedIn() bool { return p.Person != "" }

// Actor is how the log names who acted: the person id, or guest:<id>.
func (p principal) Actor() string {
	if p.Role == domain.RoleGuest {
		return "guest:" + p.Person
	}
	return p.Person
}

type principalKey struct{}

func principalOf(r *http.Request) principal {
	p, _ := r.Context().Value(principalKey{}).(principal)
	return p
}

func randomToken(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:20])
}

// Password hashing: argon2id with the parameters OWASP recommends as a
// minimum (19 MiB, 2 passes, 1 lane), in the PHC string format.
const (
	argonTime    = 2
	argonMemory  = 19 * 1024
	argonThreads = 1
	argonKeyLen  = 32
)

func hashPassword(pw string) string {
	salt := make([]byte, 16)
	rand.Read(salt)
	key := argon2.IDKey([]byte(pw), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	return fmt.Sprintf("$argon2id$v=19$m=%d,t=%d,p=%d$%s$%s", argonMemory, argonTime, argonThreads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key))
}

func checkPassword(hash, pw string) bool {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var m, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil {
		return false
	}
	salt, err1 := base64.RawStdEncoding.DecodeString(parts[4])
	want, err2 := base64.RawStdEncoding.DecodeString(parts[5])
	if err1 != nil || err2 != nil || m > 256*1024 || t > 10 || p == 0 {
		return false
	}
	got := argon2.IDKey([]byte(pw), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// dummyHash keeps a failed login for an unknown address as slow as one for
// a known address, so timing does not tell who has an account.
var dummyHash = hashPassword(randomToken(16))

func validPassword(pw string) error {
	n := len([]rune(pw))
	switch {
	case n < minPassword:
		return domain.FieldError("password", "account.password.too_short", minPassword)
	case n > maxPassword:
		return domain.FieldError("password", "account.password.too_long", maxPassword)
	}
	return nil
}

// sessionKey is where a session lives: the person first, so that all their
// sessions can be found and ended at once.
func sessionKey(person, token string) string { return person + "." + hashToken(token) }

// newSession starts a session for person and returns the cookie value.
func (s *Server) newSession(ctx context.Context, person string) (string, error) {
	token := randomToken(32)
	now := time.Now()
	if err := s.secrets.PutSecret(ctx, bucketSessions, sessionKey(person, token), session{
		Person: person, CSRF: randomToken(24), Created: now, Expires: now.Add(sessionLifetime),
	}); err != nil {
		return "", fmt.Errorf("store session: %w", err)
	}
	return person + "." + token, nil
}

func (s *Server) setSessionCookie(w http.ResponseWriter, r *http.Request, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{
		Name: sessionCookie, Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.secureCookies(r),
	})
}

func (s *Server) secureCookies(r *http.Request) bool {
	return r.TLS != nil || strings.HasPrefix(s.cfg.PublicURL, "https://")
}

// endSessions ends every session of a person (log out everywhere, leaving,
// erasure); their open live connections close through the session watch.
func (s *Server) endSessions(ctx context.Context, person string) error {
	keys, err := s.secrets.SecretKeys(ctx, bucketSessions, person+".")
	if err != nil {
		return err
	}
	var errs []error
	for _, k := range keys {
		errs = append(errs, s.secrets.DeleteSecret(ctx, bucketSessions, k))
	}
	return errors.Join(errs...)
}

// authenticate finds who sends the request: an API token in the
// Authorization header, or a session cookie. Anyone whose roster entry is
// no longer active is treated as logged out. A secret store that cannot
// answer right now (a NATS cluster electing a leader) is an error: the
// request is answered "busy, try again", not as logged out.
func (s *Server) authenticate(r *http.Request) (principal, error) {
	p, err := s.lookupPrincipal(r)
	if domain.ErrorCode(err) == domain.EBUSY {
		return principal{}, err
	}
	return p, nil
}

func (s *Server) lookupPrincipal(r *http.Request) (principal, error) {
	ctx := r.Context()
	if h := r.Header.Get("Authorization"); h != "" {
		tok, ok := strings.CutPrefix(h, "Bearer ")
		if !ok {
			return principal{}, nil
		}
		person, id, secret, ok := parseAPIToken(tok)
		if !ok {
			return principal{}, nil
		}
		var t apiToken
		found, err := s.secrets.GetSecret(ctx, bucketTokens, person+"."+id, &t)
		if err != nil || !found || subtle.ConstantTimeCompare([]byte(t.Hash), []byte(hashToken(secret))) != 1 {
			return principal{}, err
		}
		return s.withRole(principal{Person: person, Token: true}), nil
	}
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return principal{}, nil
	}
	person, token, ok := strings.Cut(c.Value, ".")
	if !ok || !domain.ValidCommandID(person) || len(token) > 100 {
		return principal{}, nil
	}
	key := sessionKey(person, token)
	var sess session
	found, err := s.secrets.GetSecret(ctx, bucketSessions, key, &sess)
	if err != nil || !found || sess.Person != person || time.Now().After(sess.Expires) {
		return principal{}, err
	}
	if sess.Event != "" {
		// A guest: as long as their event exists, is not over and not cancelled.
		ev, _, _, ok := s.models.Event(sess.Event)
		if !ok || ev.Over(time.Now()) || ev.Cancelled() {
			return principal{}, nil
		}
		name, err := s.secrets.OpenField(ctx, person, "guest_name", sess.GuestName)
		if err != nil {
			return principal{}, err
		}
		return principal{Person: person, Name: name, Role: domain.RoleGuest, SessionKey: key, CSRF: sess.CSRF, Event: sess.Event}, nil
	}
	return s.withRole(principal{Person: person, SessionKey: key, CSRF: sess.CSRF}), nil
}

func (s *Server) withRole(p principal) principal {
	person, _, ok := s.models.Person(p.Person)
	if !ok || !person.Active {
		return principal{}
	}
	p.Role, p.Name = person.Role, person.Name
	return p
}

// API tokens read lbt_<person>_<id>_<secret>; only the hash of the secret
// is stored.
func parseAPIToken(tok string) (person, id, secret string, ok bool) {
	rest, ok := strings.CutPrefix(tok, "lbt_")
	if !ok || len(tok) > 200 {
		return "", "", "", false
	}
	parts := strings.SplitN(rest, "_", 3)
	if len(parts) != 3 || !domain.ValidCommandID(parts[0]) || !domain.ValidCommandID(parts[1]) || parts[2] == "" {
		return "", "", "", false
	}
	return parts[0], parts[1], parts[2], true
}

// loginLimiter counts failed logins per account and per address, so that
// guessing passwords is slow; successes do not count.
type loginLimiter struct {
	mu       sync.Mutex
	failures map[string][]time.Time
	window   time.Duration
}

const (
	maxFailuresPerAccount = 5
	maxFailuresPerAddress = 20
)

func newLoginLimiter() *loginLimiter {
	return &loginLimiter{failures: map[string][]time.Time{}, window: 15 * time.Minute}
}

func (l *loginLimiter) recent(key string, now time.Time) []time.Time {
	kept := l.failures[key][:0]
	for _, t := range l.failures[key] {
		if now.Sub(t) < l.window {
			kept = append(kept, t)
		}
	}
	if len(kept) == 0 {
		delete(l.failures, key)
		return nil
	}
	l.failures[key] = kept
	return kept
}

// blocked reports whether either the account or the address has failed too
// often within the window.
func (l *loginLimiter) blocked(account, addr string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := time.Now()
	return len(l.recent("a:"+account, now)) >= maxFailuresPerAccount || len(l.recent("ip:"+addr, now)) >= maxFailuresPerAddress
}

func (l *loginLimiter) fail(account, addr string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := time.Now()
	l.failures["a:"+account] = append(l.recent("a:"+account, now), now)
	l.failures["ip:"+addr] = append(l.recent("ip:"+addr, now), now)
}
