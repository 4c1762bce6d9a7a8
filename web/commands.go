package web

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"

	"logbuch/domain"
)

// maxCommandBody bounds a command request; larger ones get 413.
const maxCommandBody = 64 << 10

// maxMultipartMemory is how much of a multipart form is held in memory.
const maxMultipartMemory = 8 << 20

// commandRoute describes one command endpoint. The same endpoint takes a
// form post from the page (answered with a redirect or the page with the
// problem) and JSON from an API client (answered with JSON), by Accept.
type commandRoute struct {
	name string // the command type stored with its events, e.g. "JoinLotse"
	// execute runs the command on its aggregate's decider.
	execute func(ctx context.Context, h *domain.Handler, id string, meta domain.Meta, name string, cmd any) (domain.Result, error)
	form    string // the id of the form on the page
	// newCommand returns a pointer to an empty command struct; its json tags
	// name both the JSON fields and the form fields.
	newCommand func() any
	// aggregate picks the aggregate; joins get a new id.
	aggregate    func(r *http.Request) string
	newAggregate bool // aggregate makes a new id: nothing to load
	// done says where the browser goes after success, and the key of the
	// notice it is shown there.
	done func(r *http.Request, res domain.Result) (location, notice string)
	// page renders the page of the form again with the problem.
	page func(w http.ResponseWriter, r *http.Request, f formState, status int)
	// after runs once the command is in the log (e.g. ending sessions).
	after func(ctx context.Context, res domain.Result) error
	// prepare completes a decoded command from the request and checks what
	// the decider cannot see (e.g. that the event exists and is not over).
	prepare func(r *http.Request, p principal, cmd any) error
	// maxBody bounds the request body when it may carry an upload (0:
	// maxCommandBody).
	maxBody int64
}

// errorStatus maps domain error codes to HTTP statuses in one place.
func errorStatus(code string) int {
	switch code {
	case domain.EINVALID:
		return http.StatusUnprocessableEntity
	case domain.ENOTFOUND:
		return http.StatusNotFound
	case domain.ECONFLICT:
		return http.StatusConflict
	case domain.EBUSY:
		return http.StatusServiceUnavailable
	case domain.EFORBIDDEN:
		return http.StatusForbidden
	}
	return http.StatusInternalServerError
}

// requestError is a problem with the request itself, before any decision:
// its status and what the person is told, said in their language when it
// is answered (requestErrorOf).
type requestError struct {
	status int
	msg    domain.Msg
}

func newRequestError(status int, key string, args ...any) *requestError {
	return &requestError{status: status, msg: domain.M(key, args...)}
}

// Error is the text for logs: the message's key and arguments.
func (e *requestError) Error() string {
	if len(e.msg.Args) > 0 {
		return e.msg.Key + fmt.Sprint(e.msg.Args)
	}
	return e.msg.Key
}

// requestErrorOf says a problem of a request in the reader's language:
// its status and its message. Anything else reads as unreadable.
func requestErrorOf(ctx context.Context, err error) (int, string) {
	var re *requestError
	if errors.As(err, &re) {
		return re.status, trm(ctx, re.msg)
	}
	return http.StatusBadRequest, tr(ctx, "request.unreadable")
}

// admit checks what every command checks before its body is read: the
// read models are ready, the caller is logged in and may do the action (a
// guest only within their event), within the rate limit. When it returns
// false, the request has been answered.
func (s *Server) admit(w http.ResponseWriter, r *http.Request, action string) (principal, bool) {
	if !s.models.Ready() {
		w.Header().Set("Retry-After", "5")
		s.writeError(w, r, http.StatusServiceUnavailable, "starting", "", tr(r.Context(), "request.starting"))
		return principal{}, false
	}
	p := principalOf(r)
	if !p.LoggedIn() {
		s.unauthenticated(w, r)
		return p, false
	}
	if !domain.Can(p.Role, action) {
		s.forbidden(w, r)
		return p, false
	}
	if p.Role == domain.RoleGuest && !domain.CanIn(p.Role, action, p.Event, r.PathValue("id")) {
		s.forbidden(w, r)
		return p, false
	}
	if !s.limits.allow(limitKey(p)) {
		w.Header().Set("Retry-After", "5")
		s.writeError(w, r, http.StatusTooManyRequests, "rate_limited", "", tr(r.Context(), "request.rate_limited"))
		return p, false
	}
	return p, true
}

// readable answers a request whose body could not be read, or whose CSRF
// token does not match its session; it returns false when it answered.
func (s *Server) readable(w http.ResponseWriter, r *http.Request, p principal, err error) bool {
	if err != nil {
		status, message := requestErrorOf(r.Context(), err)
		s.writeError(w, r, status, "bad_request", "", message)
		return false
	}
	if !p.Token && !validCSRF(p, csrfOf(r)) {
		s.writeError(w, r, http.StatusForbidden, "csrf", "", tr(r.Context(), "err.session.form_expired"))
		return false
	}
	return true
}

func (s *Server) command(rt commandRoute) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, ok := s.admit(w, r, rt.name)
		if !ok {
			return
		}
		limit := int64(maxCommandBody)
		if rt.maxBody > 0 {
			limit = rt.maxBody
		}
		r.Body = http.MaxBytesReader(w, r.Body, limit)
		cmdPtr := rt.newCommand()
		commandID, values, err := decodeCommand(r, cmdPtr)
		if !s.readable(w, r, p, err) {
			return
		}
		if rt.prepare != nil {
			if err := rt.prepare(r, p, cmdPtr); err != nil {
				s.commandFailed(w, r, rt, values, err)
				return
			}
		}
		cmd := reflect.ValueOf(cmdPtr).Elem().Interface()
		meta := domain.Meta{CommandID: commandID, Actor: p.Actor(), NewAggregate: rt.newAggregate}
		res, err := rt.execute(r.Context(), s.commands, rt.aggregate(r), meta, rt.name, cmd)
		if err != nil {
			s.commandFailed(w, r, rt, values, err)
			return
		}
		if rt.after != nil && !res.Duplicate {
			if err := rt.after(r.Context(), res); err != nil {
				s.log.Error("after command", "command", rt.name, "seq", res.Seq, "err", err)
			}
		}
		// Read-your-writes: answer once the read models show the change.
		ctx, cancel := context.WithTimeout(r.Context(), s.cfg.WaitTimeout)
		waitErr := s.models.WaitFor(ctx, res.Seq)
		cancel()
		if waitErr != nil {
			s.log.Warn("answering before the read models caught up", "command", rt.name, "seq", res.Seq, "err", waitErr)
		}
		if res.Duplicate {
			w.Header().Set("Idempotent-Replayed", "true")
		}
		if wantsJSON(r) {
			writeJSON(w, http.StatusOK, map[string]any{"seq": res.Seq, "id": res.AggregateID(), "command": res.CommandType})
			return
		}
		location, notice := rt.done(r, res)
		if notice != "" {
			// The notice goes into the query, before a #fragment.
			path, fragment, hasFragment := strings.Cut(location, "#")
			location = path + "?hinweis=" + url.QueryEscape(notice)
			if hasFragment {
				location += "#" + fragment
			}
		}
		http.Redirect(w, r, location, http.StatusSeeOther)
	})
}

// commandFailed answers a refused command: JSON for clients, the page of
// the form with the problem and the values entered for people.
func (s *Server) commandFailed(w http.ResponseWriter, r *http.Request, rt commandRoute, values map[string]string, err error) {
	code := domain.ErrorCode(err)
	switch code {
	case domain.EINTERNAL:
		s.log.Error("command failed", "command", rt.name, "err", err)
	case domain.EBUSY: // nothing was decided: the same command may come again
		w.Header().Set("Retry-After", "2")
	}
	if wantsJSON(r) {
		if body, ok := editConflictBody(r.Context(), err); ok {
			writeJSON(w, http.StatusConflict, body)
			return
		}
		s.writeError(w, r, errorStatus(code), code, domain.ErrorField(err), errText(r.Context(), err))
		return
	}
	f := s.newForm(r, rt.form)
	f.Values, f.Field, f.Message = values, domain.ErrorField(err), errText(r.Context(), err)
	rt.page(w, r, f, errorStatus(code))
}

// decodeCommand fills cmd from a JSON body or a form and returns the
// client's command id and the submitted values (to show them again).
func decodeCommand(r *http.Request, cmd any) (commandID string, values map[string]string, err error) {
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch ct {
	case "application/json":
		body, err := io.ReadAll(r.Body)
		if err != nil {
			return "", nil, bodyError(err)
		}
		// encoding/json would silently replace invalid UTF-8; refuse it.
		if !utf8.Valid(body) {
			return "", nil, newRequestError(http.StatusBadRequest, "request.invalid_utf8")
		}
		if err := decodeStrictJSON(body, cmd); err != nil {
			return "", nil, &requestError{http.StatusBadRequest, jsonProblem(err)}
		}
		return r.Header.Get("Idempotency-Key"), nil, nil
	case "application/x-www-form-urlencoded", "multipart/form-data":
		parse := r.ParseForm
		if ct == "multipart/form-data" {
			// Files (a photo) stay in r.MultipartForm for the route.
			parse = func() error { return r.ParseMultipartForm(maxMultipartMemory) }
		}
		if err := parse(); err != nil {
			return "", nil, bodyError(err)
		}
		values = map[string]string{}
		fields := jsonFields(cmd)
		for key, vs := range r.PostForm {
			if key == "command_id" || key == "csrf" {
				continue
			}
			if key == uploadField && ct == "multipart/form-data" {
				continue // an empty file input arrives as a value
			}
			f, ok := fields[key]
			ff, dynamic := cmd.(formFields)
			if !ok && !(dynamic && len(vs) == 1 && ff.SetFormField(key, vs[0])) {
				return "", nil, newRequestError(http.StatusBadRequest, "request.unknown_field", clip(key))
			}
			if len(vs) != 1 {
				return "", nil, newRequestError(http.StatusBadRequest, "request.field_repeated", clip(key))
			}
			if ok {
				f.SetString(vs[0])
			}
			values[key] = vs[0]
		}
		return r.PostForm.Get("command_id"), values, nil
	}
	return "", nil, errNotFormOrJSON()
}

// maxSmallForm bounds the forms outside the commands (login, invitation,
// guest code, account actions).
const maxSmallForm = 8 << 10

// parseSmallForm reads such a form; when it returns false the problem has
// been answered (413 too large, 400 unreadable).
func (s *Server) parseSmallForm(w http.ResponseWriter, r *http.Request) bool {
	r.Body = http.MaxBytesReader(w, r.Body, maxSmallForm)
	if err := r.ParseForm(); err != nil {
		status, message := requestErrorOf(r.Context(), bodyError(err))
		s.writeError(w, r, status, "bad_request", "", message)
		return false
	}
	return true
}

func bodyError(err error) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return newRequestError(http.StatusRequestEntityTooLarge, "request.too_large", int(mbe.Limit>>10))
	}
	return newRequestError(http.StatusBadRequest, "request.unreadable")
}

// errNotFormOrJSON refuses a body that is neither a form nor JSON.
func errNotFormOrJSON() error {
	return newRequestError(http.StatusUnsupportedMediaType, "request.not_form_or_json")
}

// i18n:data: how encoding/json begins the error of an unknown field (a
// protocol detail it gives no type for), not a text for people.
const jsonUnknownField = "json: unknown field "

// jsonProblem turns a decoding error into a message without echoing more
// than a short, quoted piece of the input.
func jsonProblem(err error) domain.Msg {
	msg := err.Error()
	if f, ok := strings.CutPrefix(msg, jsonUnknownField); ok {
		return domain.M("request.unknown_field", clip(strings.Trim(f, `"`)))
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		if te.Field == "" {
			return domain.M("request.not_json_object")
		}
		return domain.M("request.field_wrong_type", clip(te.Field))
	}
	return domain.M("request.invalid_json")
}

func clip(s string) string {
	if len(s) > 40 {
		s = s[:40] + "…"
	}
	return strings.ToValidUTF8(s, "?")
}

// formFields is a command whose form has fields named at run time (the
// survey's items); SetFormField takes one and reports whether it exists.
type formFields interface {
	SetFormField(key, value string) bool
}

// jsonFields maps the json names of a command's string fields to them.
func jsonFields(cmd any) map[string]reflect.Value {
	v := reflect.ValueOf(cmd).Elem()
	out := map[string]reflect.Value{}
	for i := 0; i < v.NumField(); i++ {
		name, _, _ := strings.Cut(v.Type().Field(i).Tag.Get("json"), ",")
		if name != "" && name != "-" && v.Field(i).Kind() == reflect.String {
			out[name] = v.Field(i)
		}
	}
	return out
}

// wantsJSON reports whether the client asked for JSON.
func wantsJSON(r *http.Request) bool {
	accept := r.Header.Get("Accept")
	if strings.Contains(accept, "application/json") && !strings.Contains(accept, "text/html") {
		return true
	}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return ct == "application/json" && !strings.Contains(accept, "text/html")
}

func limitKey(p principal) string {
	if p.SessionKey != "" {
		return p.SessionKey
	}
	return "token:" + p.Person
}

// csrfOf reads the CSRF token of a form post or of a JSON request.
func csrfOf(r *http.Request) string {
	if h := r.Header.Get("X-CSRF-Token"); h != "" {
		return h
	}
	return r.PostForm.Get("csrf")
}

// validCSRF checks a request made with a session cookie against the token
// of that session: a page of another site cannot know it.
func validCSRF(p principal, got string) bool {
	return p.CSRF != "" && subtle.ConstantTimeCompare([]byte(p.CSRF), []byte(got)) == 1
}

// unauthenticated sends people to the login and clients a 401.
func (s *Server) unauthenticated(w http.ResponseWriter, r *http.Request) {
	switch {
	case wantsJSON(r):
		w.Header().Set("WWW-Authenticate", `Bearer realm="logbuch"`)
		s.writeError(w, r, http.StatusUnauthorized, "unauthorized", "", tr(r.Context(), "err.session.login_required"))
	case r.Method == http.MethodGet:
		http.Redirect(w, r, "/anmelden?weiter="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
	default:
		http.Redirect(w, r, "/anmelden?hinweis=abgelaufen", http.StatusSeeOther)
	}
}

// internalError logs what went wrong in full and tells the person only
// that something did.
func (s *Server) internalError(w http.ResponseWriter, r *http.Request, what string, err error) {
	s.log.Error(what, "err", err, "path", r.URL.Path)
	s.writeError(w, r, http.StatusInternalServerError, domain.EINTERNAL, "", errText(r.Context(), err))
}

func (s *Server) forbidden(w http.ResponseWriter, r *http.Request) {
	s.writeError(w, r, http.StatusForbidden, "forbidden", "", tr(r.Context(), "err.session.forbidden"))
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// writeError answers an error as JSON or as a small page; message is
// already said in the reader's language.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, status int, code, field, message string) {
	if wantsJSON(r) {
		body := map[string]string{"code": code, "message": message}
		if field != "" {
			body["field"] = field
		}
		writeJSON(w, status, map[string]any{"error": body})
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	errorPage(principalOf(r), status, message).Render(r.Context(), w)
}

func newAggregateID(*http.Request) string { return uuid.Must(uuid.NewV7()).String() }

func pathID(r *http.Request) string { return r.PathValue("id") }
