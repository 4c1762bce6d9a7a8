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

// Error is an error a user may see. Message is German and safe to show.
type Error struct {
	Code    string
	Field   string // the form field the message belongs to, if any
	Message string
}

func (e *Error) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("%s (%s): %s", e.Code, e.Field, e.Message)
	}
	return e.Code + ": " + e.Message
}

// Errorf returns a user-facing error with a code and a German message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// FieldError returns an EINVALID error tied to one form field.
func FieldError(field, format string, args ...any) *Error {
	return &Error{Code: EINVALID, Field: field, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of a user-facing error, EINTERNAL otherwise.
func ErrorCode(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the German message of a user-facing error, and a
// generic message for anything else, so that internals never leak.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "Ein interner Fehler ist aufgetreten. Bitte versuchen Sie es später erneut."
}

// ErrorField returns the form field an error belongs to, or "".
func ErrorField(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Field
	}
	return ""
}
