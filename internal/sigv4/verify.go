package sigv4

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"
)

// MaxSkew is how far X-Amz-Date of a header-signed request may be from the
// server clock (S3: "The difference between the request time and the
// server's time is too large", 15 minutes).
const MaxSkew = 15 * time.Minute

// EmptySHA256 is the hex SHA-256 of zero bytes.
const EmptySHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

// Verify checks the signature of r, which Parse returned as q, against the
// secret access key of q.AccessKeyID, at time now.
//
// bodyHash is the hex SHA-256 of the body when the caller has it, "" when it
// does not (a streamed body). When the client made no payload hash claim
// (q.NeedsBodyHash), bodyHash is what the signature covers and "" stands for
// an empty body. When the claim is a hex digest and bodyHash is given, the
// two must agree (PayloadHashMismatch); a streamed body is checked instead
// by NewPayloadReader or NewChunkedReader.
//
// Verify returns an *Error of kind Malformed (host or the date header left
// unsigned), TimeSkewed, Expired, SignatureMismatch (carrying the canonical
// request and string to sign) or PayloadHashMismatch.
func (q *Request) Verify(r *http.Request, secret string, now time.Time, bodyHash string) error {
	if err := q.checkSignedHeaders(); err != nil {
		return err
	}
	if err := q.checkTime(now); err != nil {
		return err
	}
	payload := q.PayloadHash
	if payload == "" {
		payload = bodyHash
		if payload == "" {
			payload = EmptySHA256
		}
	}
	key := SigningKey(secret, q.Scope)
	path, query := requestTarget(r)
	host := requestHost(r)

	bp := bufPool.Get().(*[]byte)
	defer bufPool.Put(bp)
	canonical := q.appendCanonicalRequest((*bp)[:0], r, path, query, host, payload)
	ok := q.signatureMatches(key, canonical)
	if !ok {
		if alt, stripped := withoutDefaultPort(host); stripped {
			canonical = q.appendCanonicalRequest(canonical[:0], r, path, query, alt, payload)
			ok = q.signatureMatches(key, canonical)
		}
	}
	*bp = canonical[:0]
	if !ok {
		// Report the canonical request for the host as received, which is
		// the one the client most likely meant.
		canonical = q.appendCanonicalRequest(nil, r, path, query, host, payload)
		return &Error{
			Kind:              SignatureMismatch,
			Message:           "The request signature we calculated does not match the signature you provided. Check your key and signing method.",
			AccessKeyID:       q.AccessKeyID,
			SignatureProvided: q.Signature,
			CanonicalRequest:  string(canonical),
			StringToSign:      string(q.appendStringToSign(nil, Algorithm, canonical)),
		}
	}
	if bodyHash != "" && IsHexSHA256(q.PayloadHash) && !strings.EqualFold(bodyHash, q.PayloadHash) {
		return &Error{Kind: PayloadHashMismatch, AccessKeyID: q.AccessKeyID,
			Message: "The provided 'x-amz-content-sha256' header does not match what was computed."}
	}
	return nil
}

// bufPool holds canonical-request buffers; Verify runs on every request and
// a canonical request is usually a few hundred bytes.
var bufPool = sync.Pool{New: func() any { b := make([]byte, 0, 1024); return &b }}

func (q *Request) checkSignedHeaders() error {
	// "The host header must be included as a signed header", and so must
	// the date header when the time comes from one (IAM user guide,
	// "Elements of an AWS API request signature").
	if !slices.Contains(q.SignedHeaders, "host") {
		return &Error{Kind: Malformed, AccessKeyID: q.AccessKeyID, Message: "The host header must be signed."}
	}
	if q.dateHeader != "" && !slices.Contains(q.SignedHeaders, q.dateHeader) {
		return &Error{Kind: Malformed, AccessKeyID: q.AccessKeyID, Message: "The " + q.dateHeader + " header must be signed."}
	}
	return nil
}

func (q *Request) checkTime(now time.Time) error {
	if q.Presigned {
		if q.Time.After(now.Add(MaxSkew)) {
			return &Error{Kind: TimeSkewed, AccessKeyID: q.AccessKeyID, RequestTime: q.Time, ServerTime: now,
				Message: "Request is not valid yet"}
		}
		if expires := q.Time.Add(q.Expires); now.After(expires) {
			return &Error{Kind: Expired, AccessKeyID: q.AccessKeyID, RequestTime: q.Time, ServerTime: now, Expires: expires,
				Message: "Request has expired"}
		}
		return nil
	}
	if d := now.Sub(q.Time); d > MaxSkew || d < -MaxSkew {
		return &Error{Kind: TimeSkewed, AccessKeyID: q.AccessKeyID, RequestTime: q.Time, ServerTime: now,
			Message: "The difference between the request time and the current time is too large."}
	}
	return nil
}

func (q *Request) appendCanonicalRequest(dst []byte, r *http.Request, path, query, host, payload string) []byte {
	dst = append(dst, r.Method...)
	dst = append(dst, '\n')
	dst = appendCanonicalURI(dst, q.Scope.Service, path)
	dst = append(dst, '\n')
	dst = appendCanonicalQuery(dst, query, q.Presigned)
	dst = append(dst, '\n')
	dst = appendCanonicalHeaders(dst, r, host, q.SignedHeaders)
	dst = append(dst, '\n')
	dst = append(dst, q.signedHeaders...)
	dst = append(dst, '\n')
	dst = append(dst, payload...)
	return dst
}

// appendStringToSign appends algorithm, date, scope and the hex SHA-256 of
// content, one per line: the request form (content = canonical request) and,
// with the chunk and trailer algorithms, the start of the streaming forms.
func (q *Request) appendStringToSign(dst []byte, algorithm string, content []byte) []byte {
	sum := sha256.Sum256(content)
	dst = appendScopeLines(dst, algorithm, q.AmzDate, q.Scope)
	return hex.AppendEncode(dst, sum[:])
}

func appendScopeLines(dst []byte, algorithm, amzDate string, s Scope) []byte {
	dst = append(dst, algorithm...)
	dst = append(dst, '\n')
	dst = append(dst, amzDate...)
	dst = append(dst, '\n')
	dst = append(dst, s.Date...)
	dst = append(dst, '/')
	dst = append(dst, s.Region...)
	dst = append(dst, '/')
	dst = append(dst, s.Service...)
	dst = append(dst, "/aws4_request\n"...)
	return dst
}

func (q *Request) signatureMatches(key, canonical []byte) bool {
	var buf [256]byte
	sts := q.appendStringToSign(buf[:0], Algorithm, canonical)
	return signatureEqual(key, sts, q.Signature)
}

// signatureEqual computes HMAC-SHA256(key, msg) and compares it with the
// hex signature the client sent, in constant time.
func signatureEqual(key, msg []byte, provided string) bool {
	var want [sha256.Size]byte
	if len(provided) != 2*len(want) {
		return false
	}
	if _, err := hex.Decode(want[:], []byte(provided)); err != nil {
		return false
	}
	mac := hmac.New(sha256.New, key)
	mac.Write(msg)
	var got [sha256.Size]byte
	return hmac.Equal(mac.Sum(got[:0]), want[:])
}

// SigningKey derives the SigV4 signing key for secret and scope:
// HMAC chains over "AWS4"+secret, date, region, service and "aws4_request".
// Keys are cached, because the derivation is four HMACs and every request
// from one client within a day shares one. The returned slice is shared and
// must not be modified.
func SigningKey(secret string, s Scope) []byte {
	id := keyID{secret, s.Date, s.Region, s.Service}
	keys.mu.Lock()
	k, ok := keys.m[id]
	keys.mu.Unlock()
	if ok {
		return k
	}
	k = hmacSHA256([]byte("AWS4"+secret), s.Date)
	k = hmacSHA256(k, s.Region)
	k = hmacSHA256(k, s.Service)
	k = hmacSHA256(k, "aws4_request")

	// Clone the strings: they may point into a request's headers, which the
	// cache must not keep alive.
	id = keyID{strings.Clone(secret), strings.Clone(s.Date), strings.Clone(s.Region), strings.Clone(s.Service)}
	keys.mu.Lock()
	if len(keys.m) >= keyCacheSize {
		// Evict an arbitrary entry; a full cache means many keys or many
		// regions, and any entry is as good a victim as another.
		for old := range keys.m {
			delete(keys.m, old)
			break
		}
	}
	keys.m[id] = k
	keys.mu.Unlock()
	return k
}

// keyCacheSize bounds the signing key cache; one entry serves one access
// key in one region for one service for one day.
const keyCacheSize = 512

type keyID struct{ secret, date, region, service string }

var keys = struct {
	mu sync.Mutex
	m  map[keyID][]byte
}{m: make(map[keyID][]byte)}

func hmacSHA256(key []byte, data string) []byte {
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(data))
	return mac.Sum(nil)
}
