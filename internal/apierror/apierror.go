// Package apierror defines the errors jobplane sends to clients: a typed value
// carrying the AWS error code, the HTTP status and a message. Modeled errors
// (generated in internal/api/...) and the generic Error below both implement
// Coded; each protocol renders a Coded error in exactly one place.
package apierror

import (
	"errors"
	"fmt"
	"net/http"
)

// Coded is implemented by every error that reaches a client as itself.
// Any other error is logged and rendered as an internal error with no detail.
type Coded interface {
	error
	// ErrorCode is the code on the wire ("NoSuchKey", "JobStatusException").
	ErrorCode() string
	// HTTPStatusCode is the status of the response.
	HTTPStatusCode() int
	// ErrorMessage is the human-readable message; it may be empty.
	ErrorMessage() string
}

// Field is an extra element or member rendered next to Code and Message
// (S3 writes <Key>, <BucketName>, <Resource> and the like there).
type Field struct {
	Name, Value string
}

// Error is an AWS error that the model does not describe as a shape, or that
// a service raises generically (InvalidArgument, AccessDenied, ...).
type Error struct {
	Code    string
	Status  int
	Message string
	Fields  []Field
	// Header holds extra response headers (e.g. S3's x-amz-delete-marker on a
	// 404 for a delete marker, or Allow on 405).
	Header http.Header
}

// New returns an Error with the given code, status and message.
func New(code string, status int, message string) *Error {
	return &Error{Code: code, Status: status, Message: message}
}

// Newf is New with a formatted message.
func Newf(code string, status int, format string, args ...any) *Error {
	return &Error{Code: code, Status: status, Message: fmt.Sprintf(format, args...)}
}

// With returns the error with an extra field appended.
func (e *Error) With(name, value string) *Error {
	e.Fields = append(e.Fields, Field{name, value})
	return e
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// ErrorCode implements Coded.
func (e *Error) ErrorCode() string { return e.Code }

// HTTPStatusCode implements Coded.
func (e *Error) HTTPStatusCode() int { return e.Status }

// ErrorMessage implements Coded.
func (e *Error) ErrorMessage() string { return e.Message }

// NotImplemented is the error of every operation that jobplane does not serve.
func NotImplemented(operation string) *Error {
	return Newf("NotImplemented", http.StatusNotImplemented,
		"jobplane does not implement the operation %s.", operation)
}

// Internal is what a client sees for an error jobplane did not expect. Its
// detail goes to the log, never to the client.
func Internal(code string) *Error {
	return New(code, http.StatusInternalServerError,
		"We encountered an internal error. Please try again.")
}

// As returns err as a Coded error when it is one (directly or wrapped).
func As(err error) (Coded, bool) {
	var c Coded
	if errors.As(err, &c) {
		return c, true
	}
	return nil, false
}

// CopyHeader adds the extra response headers err carries, if it is an *Error
// with any, to h.
func CopyHeader(h http.Header, err error) {
	var e *Error
	if !errors.As(err, &e) {
		return
	}
	for k, vs := range e.Header {
		h[http.CanonicalHeaderKey(k)] = append([]string(nil), vs...)
	}
}
