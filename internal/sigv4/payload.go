package sigv4

import (
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"io"
	"strings"
)

// SHA256Hex returns the lowercase hex SHA-256 of b: the form of
// X-Amz-Content-Sha256 and of Verify's bodyHash.
func SHA256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// PayloadReader passes a body through while hashing it, and turns the end
// of the body into an *Error of kind PayloadHashMismatch when the body does
// not hash to the claim. It is for bodies too large to hash before use: the
// caller must treat everything read as unconfirmed until Read returns io.EOF.
type PayloadReader struct {
	body io.Reader
	want string
	h    hash.Hash
	n    int64
	err  error
}

// NewPayloadReader wraps body, whose X-Amz-Content-Sha256 claim is
// wantSHA256 (hex).
func NewPayloadReader(body io.Reader, wantSHA256 string) *PayloadReader {
	return &PayloadReader{body: body, want: wantSHA256, h: sha256.New()}
}

// Read reads from the body. At the body's end it returns io.EOF if the
// digest matches and a PayloadHashMismatch error otherwise; every later
// call returns the same.
func (p *PayloadReader) Read(b []byte) (int, error) {
	if p.err != nil {
		return 0, p.err
	}
	n, err := p.body.Read(b)
	p.h.Write(b[:n])
	p.n += int64(n)
	if err == io.EOF {
		var sum [sha256.Size]byte
		if got := hex.EncodeToString(p.h.Sum(sum[:0])); !strings.EqualFold(got, p.want) {
			err = &Error{Kind: PayloadHashMismatch,
				Message: "The provided 'x-amz-content-sha256' header does not match what was computed."}
		}
	}
	if err != nil {
		p.err = err
	}
	return n, err
}

// Len returns the number of body bytes read so far.
func (p *PayloadReader) Len() int64 { return p.n }

// Close closes the body if it is an io.Closer.
func (p *PayloadReader) Close() error {
	if c, ok := p.body.(io.Closer); ok {
		return c.Close()
	}
	return nil
}
