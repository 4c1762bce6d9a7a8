package domain

import (
	"errors"
	"fmt"
)

// Error codes, in the spirit of the WTF Dial: few, stable, mapped to HTTP
// statuses in one place by the web package.
const (
	EINVALID   = "invalid"   // the input breaks a rule; the message says which
	ENOTFOUND  = "notfound"  // the thing does not exist
	ECONFLICT  = "conflict"  // the state changed in a way that makes the command impossible
	EBUSY      = "busy"      // too many concurrent writers; try again
	EFORBIDDEN = "forbidden" // the role may act, but not on this thing (e.g. another's post)
	EINTERNAL  = "internal"  // anything else; logged in full, shown as a generic message
)

// Error is an error a user may see. Message names its text in the
// language catalogues; the web shows it in the reader's language.
type Error struct {
	Code    string
	Field   string // the form field the message belongs to, if any
	Message Msg
}

// Error is the text for logs: the code, the field and the message key with
// its arguments (English logs never depend on a catalogue).
func (e *Error) Error() string {
	msg := e.Message.Key
	if len(e.Message.Args) > 0 {
		msg += fmt.Sprint(e.Message.Args)
	}
	if e.Field != "" {
		return fmt.Sprintf("%s (%s): %s", e.Code, e.Field, msg)
	}
	return e.Code + ": " + msg
}

// Errorf returns a user-facing error with a code and the catalogue key of
// its message; args fill the message's placeholders.
func Errorf(code, key string, args ...any) *Error {
	return &Error{Code: code, Message: M(key, args...)}
}

// FieldError returns an EINVALID error tied to one form field.
func FieldError(field, key string, args ...any) *Error {
	return &Error{Code: EINVALID, Field: field, Message: M(key, args...)}
}

// ErrorCode returns the code of a user-facing error, EINTERNAL otherwise.
func ErrorCode(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrInternalKey names the message shown for every error that is not a
// user-facing one.
const ErrInternalKey = "error.internal"

// ErrorMessage returns the message of a user-facing error, and a generic
// message for anything else, so that internals never leak.
func ErrorMessage(err error) Msg {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return M(ErrInternalKey)
}

// ErrorField returns the form field an error belongs to, or "".
func ErrorField(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Field
	}
	return ""
}
