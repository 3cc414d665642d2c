package gateway

import (
	"net/http"
	"strings"

	"github.com/jobplane/jobplane/internal/apierror"
	"github.com/jobplane/jobplane/internal/protocol"
	"github.com/jobplane/jobplane/internal/schema"
	"github.com/jobplane/jobplane/internal/sigv4"
)

// errorStyle is how one API spells the errors that arise before its service
// code runs: unreadable requests, constraint violations, failed
// authentication and internal failures. docs/errors.md describes each choice.
type errorStyle interface {
	decode(op *schema.Operation, e *protocol.DecodeError) apierror.Coded
	validation(op *schema.Operation, e *schema.ValidationError) apierror.Coded
	auth(e *sigv4.Error) apierror.Coded
	internal() apierror.Coded
}

// modeledError returns the name of the first of codes that op models as an
// error, or "".
func modeledError(op *schema.Operation, codes ...string) string {
	if op == nil {
		return ""
	}
	for _, c := range codes {
		for _, e := range op.Errors {
			if e.ErrorCode == c {
				return c
			}
		}
	}
	return ""
}

// malformedXML and tooBig are how S3 and S3 Control refuse a document they
// cannot read.
func malformedXML() apierror.Coded {
	return apierror.New("MalformedXML", http.StatusBadRequest,
		"The XML you provided was not well-formed or did not validate against our published schema")
}

func tooBig() apierror.Coded {
	return apierror.New("MaxMessageLengthExceeded", http.StatusBadRequest, "Your request was too big.")
}

// xmlAuthError is how S3 and S3 Control answer authentication failures.
func xmlAuthError(e *sigv4.Error) apierror.Coded {
	switch e.Kind {
	case sigv4.SignatureMismatch:
		err := apierror.New("SignatureDoesNotMatch", http.StatusForbidden,
			"The request signature we calculated does not match the signature you provided. Check your key and signing method.")
		if e.StringToSign != "" {
			err.With("StringToSign", e.StringToSign).With("CanonicalRequest", e.CanonicalRequest)
		}
		return err
	case sigv4.UnknownAccessKey:
		return apierror.New("InvalidAccessKeyId", http.StatusForbidden,
			"The AWS Access Key Id you provided does not exist in our records.")
	case sigv4.Missing:
		return apierror.New("AccessDenied", http.StatusForbidden, "Access Denied")
	case sigv4.Expired:
		return apierror.New("AccessDenied", http.StatusForbidden, "Request has expired")
	case sigv4.TimeSkewed:
		return apierror.New("RequestTimeTooSkewed", http.StatusForbidden,
			"The difference between the request time and the current time is too large.")
	case sigv4.PayloadHashMismatch:
		return apierror.New("XAmzContentSHA256Mismatch", http.StatusBadRequest,
			"The provided 'x-amz-content-sha256' header does not match what was computed.")
	case sigv4.InvalidChunk, sigv4.IncompleteBody:
		return apierror.New("IncompleteBody", http.StatusBadRequest, e.Message)
	}
	return apierror.New("AuthorizationHeaderMalformed", http.StatusBadRequest, e.Message)
}

// s3Errors: S3 answers bad XML with MalformedXML and bad parameters with
// InvalidArgument, naming the argument.
type s3Errors struct{}

func (s3Errors) decode(op *schema.Operation, e *protocol.DecodeError) apierror.Coded {
	switch e.Kind {
	case protocol.Malformed:
		return malformedXML()
	case protocol.TooLarge:
		return tooBig()
	case protocol.BadParameter:
		return apierror.New("InvalidArgument", http.StatusBadRequest, e.Message).With("ArgumentName", e.Member)
	}
	return apierror.New("MethodNotAllowed", http.StatusMethodNotAllowed,
		"The specified method is not allowed against this resource.")
}

func (s3Errors) validation(op *schema.Operation, e *schema.ValidationError) apierror.Coded {
	v := e.Violations[0]
	if v.Location == schema.Body {
		return malformedXML()
	}
	name := ""
	if v.Member != nil {
		name = v.Member.WireName()
		if v.Member.Shape.Name == "StorageClass" && v.Kind == schema.NotInEnum {
			return apierror.New("InvalidStorageClass", http.StatusBadRequest,
				"The storage class you specified is not valid")
		}
	}
	return apierror.New("InvalidArgument", http.StatusBadRequest, e.Error()).With("ArgumentName", name)
}

func (s3Errors) auth(e *sigv4.Error) apierror.Coded { return xmlAuthError(e) }
func (s3Errors) internal() apierror.Coded           { return apierror.Internal("InternalError") }

// s3ControlErrors: the job operations model BadRequestException (and ListJobs
// InvalidRequestException); jobplane uses the modeled code so that SDKs
// surface a typed error, and S3's InvalidRequest for operations that model
// neither (spec/s3-batch-operations.md §3.2).
type s3ControlErrors struct{}

func (s3ControlErrors) badRequest(op *schema.Operation, msg string) apierror.Coded {
	code := modeledError(op, "BadRequestException", "InvalidRequestException")
	if code == "" {
		code = "InvalidRequest"
	}
	return apierror.New(code, http.StatusBadRequest, msg)
}

func (s s3ControlErrors) decode(op *schema.Operation, e *protocol.DecodeError) apierror.Coded {
	switch e.Kind {
	case protocol.Malformed:
		return malformedXML()
	case protocol.TooLarge:
		return tooBig()
	case protocol.BadParameter:
		return s.badRequest(op, e.Message)
	case protocol.MethodNotAllowed:
		return apierror.New("MethodNotAllowed", http.StatusMethodNotAllowed,
			"The specified method is not allowed against this resource.")
	}
	return apierror.New("InvalidRequest", http.StatusBadRequest, "The request does not name an S3 Control operation.")
}

func (s s3ControlErrors) validation(op *schema.Operation, e *schema.ValidationError) apierror.Coded {
	return s.badRequest(op, e.Error())
}

func (s3ControlErrors) auth(e *sigv4.Error) apierror.Coded { return xmlAuthError(e) }
func (s3ControlErrors) internal() apierror.Coded {
	return apierror.Internal("InternalServiceException")
}

// snowballErrors: Snowball is a Coral JSON service; unreadable bodies are
// SerializationException, constraint violations ValidationException, as AWS's
// JSON services answer (spec/snowball.md §1.2, §13 points 5).
type snowballErrors struct{}

func (snowballErrors) decode(op *schema.Operation, e *protocol.DecodeError) apierror.Coded {
	switch e.Kind {
	case protocol.Malformed, protocol.BadParameter:
		return apierror.New("SerializationException", http.StatusBadRequest, e.Error())
	case protocol.TooLarge:
		return apierror.New("RequestEntityTooLargeException", http.StatusRequestEntityTooLarge,
			"Request body exceeds the maximum of 2 MiB.")
	}
	msg := e.Message
	if msg == "" {
		msg = "The operation is not supported by this service."
	}
	return apierror.New("UnknownOperationException", http.StatusBadRequest, msg)
}

func (snowballErrors) validation(op *schema.Operation, e *schema.ValidationError) apierror.Coded {
	return apierror.New("ValidationException", http.StatusBadRequest, e.Error())
}

func (snowballErrors) auth(e *sigv4.Error) apierror.Coded {
	switch e.Kind {
	case sigv4.UnknownAccessKey:
		return apierror.New("UnrecognizedClientException", http.StatusBadRequest,
			"The security token included in the request is invalid.")
	case sigv4.Missing:
		return apierror.New("MissingAuthenticationTokenException", http.StatusForbidden,
			"Missing Authentication Token")
	case sigv4.Malformed:
		return apierror.New("IncompleteSignatureException", http.StatusBadRequest, e.Message)
	case sigv4.Expired, sigv4.TimeSkewed:
		return apierror.New("InvalidSignatureException", http.StatusBadRequest, "Signature expired: "+e.Message)
	}
	return apierror.New("InvalidSignatureException", http.StatusBadRequest,
		"The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.")
}

func (snowballErrors) internal() apierror.Coded { return apierror.Internal("InternalFailure") }

// accountMismatch is the S3 Control answer to an x-amz-account-id that is not
// the caller's account when signatures are verified.
func accountMismatch(header string) apierror.Coded {
	msg := "Access Denied"
	if strings.TrimSpace(header) == "" {
		msg = "Access Denied: the x-amz-account-id header is missing"
	}
	return apierror.New("AccessDenied", http.StatusForbidden, msg)
}
