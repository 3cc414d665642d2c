package gateway

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"strings"
)

// requestIDs are the identifiers of one request: x-amz-request-id (16
// upper-case hex digits, as S3 writes them) and x-amz-id-2 (S3's extended
// host id, base64).
type requestIDs struct {
	requestID string
	hostID    string
}

func newRequestIDs() requestIDs {
	var b [8 + 24]byte
	_, _ = rand.Read(b[:])
	return requestIDs{
		requestID: strings.ToUpper(hex.EncodeToString(b[:8])),
		hostID:    base64.StdEncoding.EncodeToString(b[8:]),
	}
}

// set writes the id headers. Every response carries x-amz-request-id; S3 and
// S3 Control add x-amz-id-2; the JSON and CBOR protocols read the id from
// x-amzn-RequestId, so Snowball responses carry that too.
func (ids requestIDs) set(h http.Header, xml bool) {
	h.Set("X-Amz-Request-Id", ids.requestID)
	if xml {
		h.Set("X-Amz-Id-2", ids.hostID)
	} else {
		h.Set("X-Amzn-Requestid", ids.requestID)
	}
}
