package frugal

import (
	"errors"
	"fmt"
)

// Error codes. They are mapped to exit codes and HTTP statuses only at the
// edges (cmd/frugal, httpapi).
const (
	EINVALID     = "invalid"     // bad input: a file, a flag, a field
	ENOTFOUND    = "not_found"   // an unknown model, run, agent
	EBUDGET      = "budget"      // a cap would be crossed; see *Denial
	EUNAVAILABLE = "unavailable" // a provider or store cannot be reached
	EGUARD       = "guard"       // the loop guard paused an agent
	EINTERNAL    = "internal"    // a bug or an unexpected failure
)

// Error is a domain error with a code and a message meant for people.
type Error struct {
	Code    string
	Message string
	Err     error // optional cause
}

// Error returns the message; a cause given through Errorf's %w is already
// part of it.
func (e *Error) Error() string { return e.Message }

func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error with the given code and a formatted message.
// A %w verb keeps the wrapped error as the cause.
func Errorf(code, format string, args ...any) *Error {
	err := fmt.Errorf(format, args...)
	return &Error{Code: code, Message: err.Error(), Err: errors.Unwrap(err)}
}

// ErrorCode returns the code of the first *Error or *Denial in err's chain,
// EINTERNAL for any other non-nil error and "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var d *Denial
	var e *Error
	switch {
	case errors.As(err, &e):
		return e.Code
	case errors.As(err, &d):
		return EBUDGET
	}
	return EINTERNAL
}
