package s3

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strings"
)

// ListObjectsV2 continuation tokens carry the last key of a page, which can
// be 1,024 bytes: more than pagetoken seals (its tokens fit the 1,024
// characters other APIs allow a NextToken; S3's token has no such bound).
// They are signed the same way: an HMAC over the scope and the cursor.

var errBadToken = errors.New("s3: invalid continuation token")

func (p *Provider) sealKey(scope, key string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(key)) + "." + base64.RawURLEncoding.EncodeToString(p.mac(scope, key))
}

func (p *Provider) openKey(scope, token string) (string, error) {
	enc, sig, ok := strings.Cut(token, ".")
	if !ok || len(token) > 4096 {
		return "", errBadToken
	}
	key, err1 := base64.RawURLEncoding.DecodeString(enc)
	tag, err2 := base64.RawURLEncoding.DecodeString(sig)
	if err1 != nil || err2 != nil || !hmac.Equal(tag, p.mac(scope, string(key))) {
		return "", errBadToken
	}
	return string(key), nil
}

func (p *Provider) mac(scope, key string) []byte {
	m := hmac.New(sha256.New, p.tokenKey)
	m.Write([]byte(scope))
	m.Write([]byte{0})
	m.Write([]byte(key))
	return m.Sum(nil)[:16]
}
