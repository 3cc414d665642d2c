// Package protocol holds what the wire-protocol codecs (restxml, awsjson,
// rpcv2cbor) share with the gateway: the Codec contract and the decode errors
// a codec reports before any service code runs.
package protocol

import (
	"bytes"
	"fmt"
	"io"
	"net/http"

	"github.com/jobplane/jobplane/internal/apierror"
	"github.com/jobplane/jobplane/internal/schema"
)

// MaxDocumentBytes is the largest request document (XML, JSON or CBOR body of
// an operation whose input is not a stream) that jobplane reads. Larger bodies
// are refused with a DecodeError of kind TooLarge. Streaming payloads (S3
// object data) are not bound by it.
const MaxDocumentBytes = 2 << 20

// Params are the values a router took from the request line: URI labels of
// restXml operations, by label name ("Bucket", "Key", "id").
type Params map[string]string

// Codec reads requests and writes responses of one wire protocol for one
// service model. Implementations are safe for concurrent use.
type Codec interface {
	// Route finds the operation a request calls. It returns a *DecodeError of
	// kind UnknownOperation when no operation matches.
	Route(r *http.Request) (*schema.Operation, Params, error)

	// DecodeInput reads the request into a new input value: a pointer to
	// op.Input.GoType, or nil when the operation has no input. It MUST NOT
	// validate constraints (the gateway does, with schema.Validate); it MUST
	// return a *DecodeError for a body or parameter it cannot parse, and MUST
	// NOT read more than MaxDocumentBytes of a document body. A streaming
	// payload member receives r.Body unread.
	DecodeInput(r *http.Request, op *schema.Operation, p Params) (any, error)

	// EncodeOutput writes a successful response: status, headers and body.
	// out is a pointer to op.Output.GoType, or nil. Streaming payload members
	// are copied to w and closed.
	EncodeOutput(w http.ResponseWriter, r *http.Request, op *schema.Operation, out any) error

	// EncodeError writes an error response in the protocol's error shape. The
	// request id headers are already set on w.
	EncodeError(w http.ResponseWriter, r *http.Request, err apierror.Coded, meta ErrorMeta)
}

// ErrorMeta is what an error body carries besides the error itself.
type ErrorMeta struct {
	RequestID string
	HostID    string
}

// DecodeKind classifies a request the codec could not read.
type DecodeKind uint8

// Decode error kinds. The gateway maps each to the error code the service
// uses (MalformedXML, SerializationException, ...).
const (
	// Malformed: the body is not well-formed XML, JSON or CBOR, or a value
	// has the wrong type (a string where a number belongs, a bad timestamp).
	Malformed DecodeKind = iota + 1
	// TooLarge: the document is larger than MaxDocumentBytes.
	TooLarge
	// UnknownOperation: no operation of the service matches the request.
	UnknownOperation
	// BadParameter: a header, query or URI value cannot be parsed into its
	// member's type (e.g. a non-integer maxResults).
	BadParameter
	// MethodNotAllowed: the path names a resource but not with this method.
	MethodNotAllowed
)

// DecodeError reports a request a codec could not read.
type DecodeError struct {
	Kind    DecodeKind
	Member  string // the member or parameter concerned, when known
	Message string
	Err     error
}

func (e *DecodeError) Error() string {
	if e.Err != nil {
		return e.Message + ": " + e.Err.Error()
	}
	return e.Message
}

func (e *DecodeError) Unwrap() error { return e.Err }

// Errorf returns a DecodeError of the given kind.
func Errorf(kind DecodeKind, format string, args ...any) *DecodeError {
	return &DecodeError{Kind: kind, Message: fmt.Sprintf(format, args...)}
}

// ReadDocument reads a request's document body, refusing one larger than
// MaxDocumentBytes with a DecodeError of kind TooLarge. It reads one byte past
// the limit so that a body of exactly the limit is accepted and a larger one
// is refused rather than cut. A missing body reads as empty.
func ReadDocument(r *http.Request) ([]byte, error) {
	if r.Body == nil || r.Body == http.NoBody {
		return nil, nil
	}
	if r.ContentLength > MaxDocumentBytes {
		return nil, tooLarge()
	}
	var buf bytes.Buffer
	if r.ContentLength > 0 {
		buf.Grow(int(r.ContentLength) + 1)
	}
	if _, err := buf.ReadFrom(io.LimitReader(r.Body, MaxDocumentBytes+1)); err != nil {
		return nil, &DecodeError{Kind: Malformed, Message: "cannot read the request body", Err: err}
	}
	if buf.Len() > MaxDocumentBytes {
		return nil, tooLarge()
	}
	return buf.Bytes(), nil
}

func tooLarge() *DecodeError {
	return Errorf(TooLarge, "the request document is larger than %d bytes", MaxDocumentBytes)
}
