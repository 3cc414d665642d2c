package sigv4

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Algorithm is the only signing algorithm this package verifies. SigV4a
// (AWS4-ECDSA-P256-SHA256) and SigV2 are reported as Malformed.
const Algorithm = "AWS4-HMAC-SHA256"

// The values an S3 client may send in X-Amz-Content-Sha256 besides a hex
// SHA-256 of the body ("Authenticating Requests: Using the Authorization
// Header (AWS Signature Version 4)", S3 API reference).
const (
	// UnsignedPayload: the body is not covered by the signature. It is also
	// the implied claim of a presigned S3 URL.
	UnsignedPayload = "UNSIGNED-PAYLOAD"
	// StreamingPayload: an aws-chunked body whose chunks are signed.
	StreamingPayload = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"
	// StreamingPayloadTrailer: signed chunks followed by signed trailers.
	StreamingPayloadTrailer = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER"
	// StreamingUnsignedPayloadTrailer: unsigned chunks with trailers (boto3
	// and the AWS CLI send this with a checksum trailer).
	StreamingUnsignedPayloadTrailer = "STREAMING-UNSIGNED-PAYLOAD-TRAILER"
)

// presignedMaxExpires is the longest X-Amz-Expires AWS accepts (seven days).
const presignedMaxExpires = 604800

// amzDateLayout is the ISO 8601 basic format of X-Amz-Date.
const amzDateLayout = "20060102T150405Z"

// Scope is the credential scope of a signature: the date, region and service
// the signing key was derived for.
type Scope struct {
	// Date is the scope date, YYYYMMDD.
	Date    string
	Region  string
	Service string
}

// String returns the scope as it appears in the string to sign:
// "20261121/us-east-1/s3/aws4_request".
func (s Scope) String() string {
	return s.Date + "/" + s.Region + "/" + s.Service + "/aws4_request"
}

// Request is the signature a request claims to carry, as Parse found it. It
// is not verified until Verify returns nil.
type Request struct {
	// AccessKeyID is the key the request claims to be signed with.
	AccessKeyID string
	// Scope is the credential scope; Scope.Date equals AmzDate's date.
	Scope Scope
	// AmzDate is the signing time exactly as it enters the string to sign
	// (ISO 8601 basic, "20261121T101500Z"), and Time is the same instant.
	AmzDate string
	Time    time.Time
	// SignedHeaders are the lowercase header names the client signed, in
	// the order it listed them.
	SignedHeaders []string
	// Signature is the hex signature the client sent.
	Signature string
	// Presigned is true when the signature came from the query string
	// (X-Amz-Signature) rather than the Authorization header.
	Presigned bool
	// Expires is X-Amz-Expires of a presigned URL, zero otherwise.
	Expires time.Duration
	// SecurityToken is X-Amz-Security-Token (header or query), if any.
	SecurityToken string
	// PayloadHash is the payload hash claim: the X-Amz-Content-Sha256 header
	// (a hex SHA-256 or one of UnsignedPayload, StreamingPayload,
	// StreamingPayloadTrailer, StreamingUnsignedPayloadTrailer), or
	// UnsignedPayload for a presigned S3 URL without that header. It is ""
	// when the client made no claim, as non-S3 services such as Snowball do;
	// the signature then covers the SHA-256 of the body, which the caller
	// must pass to Verify.
	PayloadHash string

	signedHeaders string // the list exactly as sent, for the canonical request
	dateHeader    string // "x-amz-date" or "date": the header that carried the time, which must be signed
}

// NeedsBodyHash reports whether Verify needs the SHA-256 of the body: true
// when the client made no payload hash claim.
func (q *Request) NeedsBodyHash() bool { return q.PayloadHash == "" }

// Parse extracts the SigV4 signature of r from its Authorization header or
// its presigned query parameters. It returns (nil, nil) when r carries
// neither (an anonymous request) and an *Error of kind Malformed when what
// it carries cannot be parsed. Parse checks only syntax and does no
// cryptography, so it is cheap enough to run on every request, also when
// authentication is off and the caller wants only the access key id.
func Parse(r *http.Request) (*Request, error) {
	auth := headerValue(r.Header, "Authorization")
	var query url.Values
	if strings.Contains(r.URL.RawQuery, "X-Amz-") {
		query = r.URL.Query()
		if !query.Has("X-Amz-Algorithm") && !query.Has("X-Amz-Credential") && !query.Has("X-Amz-Signature") {
			query = nil
		}
	}
	switch {
	case auth == "" && query == nil:
		return nil, nil
	case auth != "" && query != nil:
		return nil, errorf(Malformed, "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter or the Authorization header should be specified")
	case query != nil:
		return parsePresigned(r, query)
	default:
		return parseHeader(r, auth)
	}
}

// headerValue is http.Header.Get for a key already in canonical form,
// skipping the canonicalization.
func headerValue(h http.Header, key string) string {
	if v := h[key]; len(v) > 0 {
		return v[0]
	}
	return ""
}

func parseHeader(r *http.Request, auth string) (*Request, error) {
	rest, ok := strings.CutPrefix(auth, Algorithm)
	if !ok || rest == "" || (rest[0] != ' ' && rest[0] != '\t') {
		alg, _, _ := strings.Cut(auth, " ")
		return nil, errorf(Malformed, "Unsupported Authorization Type: "+strconv.Quote(alg))
	}
	q := &Request{}
	var credential string
	var haveCred, haveHeaders, haveSig bool
	for rest != "" {
		var part string
		part, rest, _ = strings.Cut(rest, ",")
		part = strings.TrimSpace(part)
		name, value, ok := strings.Cut(part, "=")
		if !ok {
			return nil, errorf(Malformed, "Authorization header component "+strconv.Quote(part)+" is not of the form Name=Value")
		}
		var seen *bool
		switch name {
		case "Credential":
			credential, seen = value, &haveCred
		case "SignedHeaders":
			q.signedHeaders, seen = value, &haveHeaders
		case "Signature":
			q.Signature, seen = value, &haveSig
		default:
			return nil, errorf(Malformed, "Authorization header has an unknown component "+strconv.Quote(name))
		}
		if *seen {
			return nil, errorf(Malformed, "Authorization header repeats "+name)
		}
		*seen = true
	}
	switch {
	case !haveCred || credential == "":
		return nil, errorf(Malformed, "Authorization header requires 'Credential' parameter")
	case !haveHeaders || q.signedHeaders == "":
		return nil, errorf(Malformed, "Authorization header requires 'SignedHeaders' parameter")
	case !haveSig || q.Signature == "":
		return nil, errorf(Malformed, "Authorization header requires 'Signature' parameter")
	}
	if err := q.parseCredential(credential); err != nil {
		return nil, err
	}
	if err := q.parseSignedHeaders(); err != nil {
		return nil, err
	}

	// Header auth takes its time from X-Amz-Date, falling back to Date as the
	// generic SigV4 rules allow; whichever carries it must be signed.
	if v := headerValue(r.Header, "X-Amz-Date"); v != "" {
		q.AmzDate, q.dateHeader = v, "x-amz-date"
	} else if v := headerValue(r.Header, "Date"); v != "" {
		t, err := http.ParseTime(v)
		if err != nil {
			return nil, errorf(Malformed, "Date header "+strconv.Quote(v)+" is not an HTTP date")
		}
		q.AmzDate, q.dateHeader = t.UTC().Format(amzDateLayout), "date"
	} else {
		return nil, errorf(Malformed, "AWS authentication requires a valid Date or x-amz-date header")
	}
	if err := q.parseTime(); err != nil {
		return nil, err
	}
	q.SecurityToken = headerValue(r.Header, "X-Amz-Security-Token")
	q.PayloadHash = headerValue(r.Header, "X-Amz-Content-Sha256")
	if q.PayloadHash != "" && !validPayloadClaim(q.PayloadHash) {
		return nil, errorf(Malformed, "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER, STREAMING-AWS4-HMAC-SHA256-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER or a valid sha256 value.")
	}
	return q, nil
}

func parsePresigned(r *http.Request, query url.Values) (*Request, error) {
	q := &Request{Presigned: true}
	required := func(name string) (string, error) {
		v := query.Get(name)
		if v == "" {
			return "", errorf(Malformed, "Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters; "+name+" is missing.")
		}
		return v, nil
	}
	alg, err := required("X-Amz-Algorithm")
	if err != nil {
		return nil, err
	}
	if alg != Algorithm {
		return nil, errorf(Malformed, "X-Amz-Algorithm only supports \""+Algorithm+"\"")
	}
	credential, err := required("X-Amz-Credential")
	if err != nil {
		return nil, err
	}
	if err := q.parseCredential(credential); err != nil {
		return nil, err
	}
	if q.AmzDate, err = required("X-Amz-Date"); err != nil {
		return nil, err
	}
	if q.signedHeaders, err = required("X-Amz-SignedHeaders"); err != nil {
		return nil, err
	}
	if q.Signature, err = required("X-Amz-Signature"); err != nil {
		return nil, err
	}
	// S3 requires X-Amz-Expires; the generic SigV4 rules leave it optional,
	// and then the URL is as good as a header-signed request: MaxSkew.
	expires := query.Get("X-Amz-Expires")
	if expires == "" && q.Scope.Service != "s3" {
		expires = strconv.Itoa(int(MaxSkew / time.Second))
	}
	if expires == "" {
		return nil, errorf(Malformed, "Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.")
	}
	secs, err := strconv.Atoi(expires)
	if err != nil || !isDigits(expires, len(expires)) {
		return nil, errorf(Malformed, "X-Amz-Expires should be a number")
	}
	if secs < 1 {
		return nil, errorf(Malformed, "X-Amz-Expires must be non-negative and non-zero")
	}
	if secs > presignedMaxExpires {
		return nil, errorf(Malformed, "X-Amz-Expires must be less than a week (in seconds) that is 604800")
	}
	q.Expires = time.Duration(secs) * time.Second
	if err := q.parseSignedHeaders(); err != nil {
		return nil, err
	}
	if err := q.parseTime(); err != nil {
		return nil, err
	}
	q.SecurityToken = query.Get("X-Amz-Security-Token")

	// A presigned S3 URL signs UNSIGNED-PAYLOAD unless the client put a
	// claim in a header; other services sign the body hash as usual.
	q.PayloadHash = headerValue(r.Header, "X-Amz-Content-Sha256")
	if q.PayloadHash == "" {
		q.PayloadHash = query.Get("X-Amz-Content-Sha256")
	}
	if q.PayloadHash == "" && q.Scope.Service == "s3" {
		q.PayloadHash = UnsignedPayload
	}
	if q.PayloadHash != "" && !validPayloadClaim(q.PayloadHash) {
		return nil, errorf(Malformed, "x-amz-content-sha256 must be UNSIGNED-PAYLOAD or a valid sha256 value.")
	}
	return q, nil
}

// parseCredential splits "AKID/20261121/us-east-1/s3/aws4_request".
func (q *Request) parseCredential(c string) error {
	bad := func(why string) error {
		e := errorf(Malformed, "Error parsing the X-Amz-Credential parameter "+strconv.Quote(c)+": "+why)
		e.AccessKeyID = q.AccessKeyID
		return e
	}
	var parts [5]string
	rest := c
	for i := range 4 {
		var ok bool
		parts[i], rest, ok = strings.Cut(rest, "/")
		if !ok {
			return bad("the Credential is mal-formed; expecting \"<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request\".")
		}
	}
	parts[4] = rest
	if strings.Contains(rest, "/") {
		return bad("the Credential is mal-formed; expecting \"<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request\".")
	}
	q.AccessKeyID = parts[0]
	q.Scope = Scope{Date: parts[1], Region: parts[2], Service: parts[3]}
	switch {
	case q.AccessKeyID == "":
		return bad("the access key id is empty")
	case !isDigits(q.Scope.Date, 8):
		return bad("incorrect date format " + strconv.Quote(q.Scope.Date) + ". This date in the credential must be in the format \"yyyyMMdd\".")
	case q.Scope.Region == "":
		return bad("the region is empty")
	case q.Scope.Service == "":
		return bad("the service is empty")
	case parts[4] != "aws4_request":
		return bad("incorrect terminal " + strconv.Quote(parts[4]) + ". This endpoint uses \"aws4_request\".")
	}
	return nil
}

func (q *Request) parseSignedHeaders() error {
	n := strings.Count(q.signedHeaders, ";") + 1
	q.SignedHeaders = make([]string, 0, n)
	for name := range strings.SplitSeq(q.signedHeaders, ";") {
		if name == "" {
			return errorf(Malformed, "SignedHeaders "+strconv.Quote(q.signedHeaders)+" has an empty header name")
		}
		for i := 0; i < len(name); i++ {
			if c := name[i]; c >= 'A' && c <= 'Z' || c <= ' ' || c == ':' || c >= 0x7f {
				return errorf(Malformed, "SignedHeaders must list lowercase header names, not "+strconv.Quote(name))
			}
		}
		q.SignedHeaders = append(q.SignedHeaders, name)
	}
	return nil
}

// parseTime validates AmzDate and checks that the credential scope date is
// the signing date, as AWS does.
func (q *Request) parseTime() error {
	t, ok := parseAmzDate(q.AmzDate)
	if !ok {
		return errorf(Malformed, "X-Amz-Date "+strconv.Quote(q.AmzDate)+" must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\"")
	}
	q.Time = t
	if q.Scope.Date != q.AmzDate[:8] {
		e := errorf(Malformed, "Invalid credential date "+strconv.Quote(q.Scope.Date)+". This date is not the same as X-Amz-Date: "+strconv.Quote(q.AmzDate[:8])+".")
		e.AccessKeyID = q.AccessKeyID
		return e
	}
	return nil
}

// parseAmzDate parses "20261121T101500Z" without time.Parse's generality,
// because it runs on every request.
func parseAmzDate(s string) (time.Time, bool) {
	if len(s) != 16 || s[8] != 'T' || s[15] != 'Z' || !isDigits(s[:8], 8) || !isDigits(s[9:15], 6) {
		return time.Time{}, false
	}
	num := func(s string) int {
		n := 0
		for i := 0; i < len(s); i++ {
			n = n*10 + int(s[i]-'0')
		}
		return n
	}
	y, mo, d := num(s[0:4]), num(s[4:6]), num(s[6:8])
	h, mi, sec := num(s[9:11]), num(s[11:13]), num(s[13:15])
	t := time.Date(y, time.Month(mo), d, h, mi, sec, 0, time.UTC)
	// time.Date normalizes out-of-range fields (month 13, hour 25); a
	// round trip that changes them means the input was not a real instant.
	if t.Year() != y || int(t.Month()) != mo || t.Day() != d || t.Hour() != h || t.Minute() != mi || t.Second() != sec {
		return time.Time{}, false
	}
	return t, true
}

func validPayloadClaim(s string) bool {
	switch s {
	case UnsignedPayload, StreamingPayload, StreamingPayloadTrailer, StreamingUnsignedPayloadTrailer:
		return true
	}
	return IsHexSHA256(s)
}

// IsHexSHA256 reports whether s is 64 hexadecimal digits, as a payload hash
// claim that names an actual digest is.
func IsHexSHA256(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

// IsStreaming reports whether a payload hash claim announces an aws-chunked
// body, which must be decoded with NewChunkedReader.
func IsStreaming(claim string) bool {
	switch claim {
	case StreamingPayload, StreamingPayloadTrailer, StreamingUnsignedPayloadTrailer:
		return true
	}
	return false
}
