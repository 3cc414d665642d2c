package gateway

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/jobplane/jobplane/internal/caller"
	"github.com/jobplane/jobplane/internal/protocol"
	"github.com/jobplane/jobplane/internal/sigv4"
)

// authenticator identifies the caller of each request and, with AuthSigV4,
// verifies its signature and payload.
type authenticator struct {
	mode  AuthMode
	creds *sigv4.CredentialSet
	now   func() time.Time
}

func newAuthenticator(mode AuthMode, creds []sigv4.Credential, now func() time.Time) (*authenticator, error) {
	set, err := sigv4.NewCredentialSet(creds)
	if err != nil {
		return nil, err
	}
	return &authenticator{mode: mode, creds: set, now: now}, nil
}

// authenticate returns the caller of r and r itself, its body replaced where
// the payload must be decoded (aws-chunked) or checked as it streams. A
// document body (any operation whose input is not a stream) whose hash the
// signature covers is read here, up to protocol.MaxDocumentBytes, so that a
// request is verified whole before any service code sees it.
func (a *authenticator) authenticate(r *http.Request, streaming bool) (caller.Info, *http.Request, error) {
	info := caller.Info{AccountID: caller.DefaultAccountID}
	q, err := sigv4.Parse(r)

	if a.mode == AuthOff {
		// Any credentials are accepted: the access key only names the
		// account, and a signature jobplane cannot parse is ignored.
		if err == nil && q != nil {
			info.AccessKeyID = q.AccessKeyID
			info.AccountID = caller.AccountForAccessKey(q.AccessKeyID)
		}
		r, err = decodeChunked(r, nil, "")
		return info, r, err
	}

	if err != nil {
		return info, r, err
	}
	if q == nil {
		return info, r, &sigv4.Error{Kind: sigv4.Missing, Message: "the request is not signed"}
	}
	cred, err := a.creds.Lookup(q.AccessKeyID)
	if err != nil {
		return info, r, err
	}
	bodyHash := q.PayloadHash
	if !streaming && !sigv4.IsStreaming(q.PayloadHash) && q.PayloadHash != sigv4.UnsignedPayload {
		body, err := protocol.ReadDocument(r)
		if err != nil {
			return info, r, err
		}
		hash := sigv4.SHA256Hex(body)
		if q.PayloadHash != "" && q.PayloadHash != hash {
			return info, r, &sigv4.Error{Kind: sigv4.PayloadHashMismatch, Message: "the body does not hash to x-amz-content-sha256"}
		}
		bodyHash = hash
		r.Body = io.NopCloser(bytes.NewReader(body))
	}
	if err := q.Verify(r, cred.SecretAccessKey, a.now(), bodyHash); err != nil {
		return info, r, err
	}
	info.AccountID, info.AccessKeyID, info.Authenticated = cred.AccountID, cred.AccessKeyID, true

	switch {
	case sigv4.IsStreaming(q.PayloadHash):
		r, err = decodeChunked(r, q, cred.SecretAccessKey)
	case streaming && sigv4.IsHexSHA256(q.PayloadHash):
		r.Body = sigv4.NewPayloadReader(r.Body, q.PayloadHash)
	}
	return info, r, err
}

// decodeChunked replaces an aws-chunked body by its decoded stream, verifying
// its chunk and trailer signatures when a secret is given. The client marks
// such a body by a STREAMING-* payload hash or by Content-Encoding.
func decodeChunked(r *http.Request, q *sigv4.Request, secret string) (*http.Request, error) {
	claim := r.Header.Get("X-Amz-Content-Sha256")
	if !sigv4.IsStreaming(claim) && !hasAWSChunked(r.Header) {
		return r, nil
	}
	opts, err := sigv4.ChunkedOptionsFor(r, q, secret)
	if err != nil {
		return r, err
	}
	r.Body = sigv4.NewChunkedReader(r.Body, opts)
	r.ContentLength = opts.DecodedLength
	return r, nil
}

func hasAWSChunked(h http.Header) bool {
	for _, v := range h.Values("Content-Encoding") {
		for enc := range strings.SplitSeq(v, ",") {
			if strings.EqualFold(strings.TrimSpace(enc), "aws-chunked") {
				return true
			}
		}
	}
	return false
}
