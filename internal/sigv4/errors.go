package sigv4

import (
	"errors"
	"time"
)

// Kind classifies a verification failure. The gateway maps each kind to the
// error code of the service that was called.
type Kind int

// The kinds of failure. The S3 and Snowball codes named below are what the
// gateway is expected to send; they are documentation, not behaviour.
const (
	// Malformed: the Authorization header or presigned query parameters
	// cannot be parsed, use another algorithm, carry a bad credential scope
	// or date, or leave required headers unsigned (S3:
	// AuthorizationHeaderMalformed / AuthorizationQueryParametersError /
	// InvalidArgument; Snowball: IncompleteSignatureException).
	Malformed Kind = iota + 1
	// Missing: the request is anonymous but authentication is required
	// (S3: AccessDenied; Snowball: MissingAuthenticationTokenException).
	Missing
	// UnknownAccessKey: the access key id is not in the credential set
	// (S3: InvalidAccessKeyId; Snowball: UnrecognizedClientException).
	UnknownAccessKey
	// SignatureMismatch: the request, a chunk or the trailer was signed with
	// another key or over other bytes (S3: SignatureDoesNotMatch; Snowball:
	// InvalidSignatureException).
	SignatureMismatch
	// Expired: a presigned URL is past X-Amz-Date + X-Amz-Expires
	// (S3: AccessDenied "Request has expired").
	Expired
	// TimeSkewed: X-Amz-Date is more than MaxSkew away from the server clock
	// (S3: RequestTimeTooSkewed; Snowball: InvalidSignatureException).
	TimeSkewed
	// PayloadHashMismatch: the body does not hash to the X-Amz-Content-Sha256
	// claim (S3: XAmzContentSHA256Mismatch).
	PayloadHashMismatch
	// InvalidChunk: an aws-chunked body is badly framed or truncated
	// (S3: InvalidChunkSizeError / IncompleteBody / InvalidRequest).
	InvalidChunk
	// IncompleteBody: an aws-chunked body decoded to a length other than
	// x-amz-decoded-content-length (S3: IncompleteBody).
	IncompleteBody
)

var kindNames = [...]string{
	Malformed:           "Malformed",
	Missing:             "Missing",
	UnknownAccessKey:    "UnknownAccessKey",
	SignatureMismatch:   "SignatureMismatch",
	Expired:             "Expired",
	TimeSkewed:          "TimeSkewed",
	PayloadHashMismatch: "PayloadHashMismatch",
	InvalidChunk:        "InvalidChunk",
	IncompleteBody:      "IncompleteBody",
}

// String returns the kind's name, as in the constant.
func (k Kind) String() string {
	if k > 0 && int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "Kind(?)"
}

// Error is the error every function in this package returns for a request
// that fails verification. Fields beyond Kind and Message are filled where
// they apply, so the gateway can render them the way S3 does (S3 puts
// CanonicalRequest and StringToSign in its SignatureDoesNotMatch error, and
// RequestTime/ServerTime in RequestTimeTooSkewed).
type Error struct {
	Kind    Kind
	Message string

	// AccessKeyID is the key the request claimed, when known.
	AccessKeyID string
	// SignatureProvided is the signature the client sent (SignatureMismatch).
	SignatureProvided string
	// CanonicalRequest and StringToSign are what the server computed
	// (SignatureMismatch), for the client to diff against its own.
	CanonicalRequest string
	StringToSign     string
	// RequestTime and ServerTime are set for TimeSkewed and Expired;
	// Expires is the instant a presigned URL stopped being valid (Expired).
	RequestTime time.Time
	ServerTime  time.Time
	Expires     time.Time
}

func (e *Error) Error() string { return "sigv4: " + e.Kind.String() + ": " + e.Message }

// KindOf returns the Kind of the *Error in err's chain, or 0 when there is none.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return 0
}

func errorf(kind Kind, msg string) *Error { return &Error{Kind: kind, Message: msg} }
