package score

import (
	"errors"
	"fmt"
	"strings"
)

// ErrorType classifies a FieldError.
type ErrorType string

// The kinds of field error.
const (
	ErrorRequired  ErrorType = "required"
	ErrorInvalid   ErrorType = "invalid"
	ErrorForbidden ErrorType = "forbidden"
	ErrorDuplicate ErrorType = "duplicate"
	ErrorConflict  ErrorType = "conflict" // the environment disagrees, e.g. a port in use
)

// FieldError is one problem with one field of a score. It never carries the
// field's value, so it cannot leak a secret.
type FieldError struct {
	// Path is the JSON path of the field, e.g. "servers[2].jetstream.maxFile".
	Path   string    `json:"path"`
	Type   ErrorType `json:"type"`
	Detail string    `json:"detail"`
}

func (e *FieldError) Error() string {
	if e.Detail == "" {
		return fmt.Sprintf("%s: %s", e.Path, e.Type)
	}
	return fmt.Sprintf("%s: %s: %s", e.Path, e.Type, e.Detail)
}

// Required, Invalid, Forbidden, Duplicate and Conflict build field errors.
func Required(path, detail string) *FieldError { return &FieldError{path, ErrorRequired, detail} }

// Invalid reports a field whose value is not acceptable.
func Invalid(path, detail string) *FieldError { return &FieldError{path, ErrorInvalid, detail} }

// Forbidden reports a field that must not be set (in this combination).
func Forbidden(path, detail string) *FieldError { return &FieldError{path, ErrorForbidden, detail} }

// Duplicate reports a value that must be unique and is not.
func Duplicate(path, detail string) *FieldError { return &FieldError{path, ErrorDuplicate, detail} }

// Conflict reports a field the environment contradicts (a port in use).
func Conflict(path, detail string) *FieldError { return &FieldError{path, ErrorConflict, detail} }

// ErrorList holds every problem found at once. Its zero value is empty; use
// Err to turn it into an error that is nil when the list is empty.
type ErrorList []*FieldError

// Err returns nil for an empty list, otherwise the list itself.
func (l ErrorList) Err() error {
	if len(l) == 0 {
		return nil
	}
	return l
}

func (l ErrorList) Error() string {
	msgs := make([]string, len(l))
	for i, e := range l {
		msgs[i] = e.Error()
	}
	if len(msgs) == 1 {
		return msgs[0]
	}
	return fmt.Sprintf("%d problems: %s", len(msgs), strings.Join(msgs, "; "))
}

// Unwrap exposes each FieldError to errors.Is and errors.As.
func (l ErrorList) Unwrap() []error {
	out := make([]error, len(l))
	for i, e := range l {
		out[i] = e
	}
	return out
}

// Prefix returns a copy of the list with prefix joined in front of each path
// (for a score nesting another value under a field).
func (l ErrorList) Prefix(prefix string) ErrorList {
	out := make(ErrorList, len(l))
	for i, e := range l {
		p := prefix
		if e.Path != "" {
			if strings.HasPrefix(e.Path, "[") {
				p += e.Path
			} else {
				p += "." + e.Path
			}
		}
		out[i] = &FieldError{Path: p, Type: e.Type, Detail: e.Detail}
	}
	return out
}

// FieldErrors collects every FieldError inside err, in order, following
// wrapped and joined errors.
func FieldErrors(err error) []*FieldError {
	var out []*FieldError
	var walk func(error)
	walk = func(e error) {
		if e == nil {
			return
		}
		if fe, ok := e.(*FieldError); ok {
			out = append(out, fe)
			return
		}
		switch u := e.(type) {
		case interface{ Unwrap() []error }:
			for _, c := range u.Unwrap() {
				walk(c)
			}
		case interface{ Unwrap() error }:
			walk(u.Unwrap())
		}
	}
	walk(err)
	return out
}

// permanentError marks an error that must not be retried.
type permanentError struct{ err error }

func (p *permanentError) Error() string { return p.err.Error() }
func (p *permanentError) Unwrap() error { return p.err }
func (p *permanentError) Is(target error) bool {
	return target == ErrPermanent
}

// ErrPermanent matches, with errors.Is, any error marked by Permanent.
var ErrPermanent = errors.New("permanent error")

// Permanent marks err as one that retrying cannot fix (bad input, a refused
// change). It returns nil for nil.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return &permanentError{err: err}
}

// IsPermanent reports whether err, or any error it wraps, was marked
// Permanent.
func IsPermanent(err error) bool { return errors.Is(err, ErrPermanent) }
