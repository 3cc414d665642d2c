// Package pagetoken seals list cursors into opaque NextToken strings. A
// token is bound to a scope (the caller's account, the operation and its
// filter, as the caller composes it) and signed with a key the store keeps, so
// a token that was forged, altered, or issued for another account or filter
// is refused, and a token stays valid across restarts.
package pagetoken

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
)

// ErrInvalid is returned for any token Open cannot vouch for. Callers answer
// it with their API's InvalidNextTokenException.
var ErrInvalid = errors.New("pagetoken: invalid token")

// macLen is the length of the truncated HMAC-SHA256 tag: 128 bits.
const macLen = 16

// MaxCursor bounds the cursor of a Sealer from New so that a token stays
// within the 1,024 characters the models allow NextToken.
const MaxCursor = 700

// maxToken is the longest token Open considers from a Sealer of MaxCursor.
const maxToken = 1024

var enc = base64.RawURLEncoding

// Sealer seals and opens tokens with one key.
type Sealer struct {
	key       []byte
	maxCursor int
	maxToken  int
}

// New returns a Sealer using key, which must be at least 32 random bytes.
// Its cursors are at most MaxCursor bytes.
func New(key []byte) (*Sealer, error) {
	return NewWithMaxCursor(key, MaxCursor)
}

// NewWithMaxCursor is New for an API whose tokens may be longer than 1,024
// characters: cursors may be up to maxCursor bytes, and Open accepts tokens
// as long as such a cursor makes. S3's ListObjectsV2 continuation token,
// which carries a key of up to 1,024 bytes, is one.
func NewWithMaxCursor(key []byte, maxCursor int) (*Sealer, error) {
	if len(key) < 32 {
		return nil, errors.New("pagetoken: key shorter than 32 bytes")
	}
	if maxCursor < 0 {
		return nil, errors.New("pagetoken: negative cursor limit")
	}
	return &Sealer{key: append([]byte(nil), key...), maxCursor: maxCursor,
		maxToken: max(maxToken, enc.EncodedLen(maxCursor+macLen))}, nil
}

// Seal returns the token for cursor within scope. The token is URL-safe
// base64: letters, digits, '-' and '_'.
func (s *Sealer) Seal(scope string, cursor []byte) string {
	if len(cursor) > s.maxCursor {
		panic("pagetoken: cursor too long")
	}
	out := make([]byte, 0, len(cursor)+macLen)
	out = append(out, cursor...)
	out = append(out, s.mac(scope, cursor)...)
	return enc.EncodeToString(out)
}

// Open returns the cursor sealed in token for scope, or ErrInvalid.
func (s *Sealer) Open(scope, token string) ([]byte, error) {
	if len(token) == 0 || len(token) > s.maxToken {
		return nil, ErrInvalid
	}
	raw, err := enc.DecodeString(token)
	if err != nil || len(raw) < macLen {
		return nil, ErrInvalid
	}
	cursor, tag := raw[:len(raw)-macLen], raw[len(raw)-macLen:]
	if !hmac.Equal(tag, s.mac(scope, cursor)) {
		return nil, ErrInvalid
	}
	return cursor, nil
}

func (s *Sealer) mac(scope string, cursor []byte) []byte {
	m := hmac.New(sha256.New, s.key)
	// Length-prefix the scope so that scope and cursor cannot be shifted
	// into each other.
	var n [4]byte
	l := len(scope)
	n[0], n[1], n[2], n[3] = byte(l>>24), byte(l>>16), byte(l>>8), byte(l)
	m.Write(n[:])
	m.Write([]byte(scope))
	m.Write(cursor)
	return m.Sum(nil)[:macLen]
}
