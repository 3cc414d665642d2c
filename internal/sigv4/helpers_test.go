package sigv4

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// The example key pair printed throughout the AWS documentation.
const (
	testAccessKey = "AKIAIOSFODNN7EXAMPLE"
	testSecret    = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
	testAccount   = "123456789012"
)

var (
	testCreds = aws.Credentials{AccessKeyID: testAccessKey, SecretAccessKey: testSecret}
	// signedAt is when the test clients sign; the server clock in tests
	// is a little later.
	signedAt  = time.Date(2026, 11, 21, 10, 15, 0, 0, time.UTC)
	serverNow = signedAt.Add(90 * time.Second)
)

// sdkSigner returns the aws-sdk-go-v2 signer configured the way the SDK's
// clients configure it for service: S3 (and S3 Control) disable the second
// path encoding.
func sdkSigner(service string) *v4.Signer {
	return v4.NewSigner(func(o *v4.SignerOptions) {
		o.DisableURIPathEscaping = service == "s3"
	})
}

// signWithSDK signs req in place with the SDK's header signer. For S3 it
// sets X-Amz-Content-Sha256 first, as the S3 client's middleware does.
func signWithSDK(t testing.TB, req *http.Request, body []byte, service string, creds aws.Credentials) {
	t.Helper()
	hash := SHA256Hex(body)
	if service == "s3" && req.Header.Get("X-Amz-Content-Sha256") == "" {
		req.Header.Set("X-Amz-Content-Sha256", hash)
	}
	if claim := req.Header.Get("X-Amz-Content-Sha256"); claim != "" {
		hash = claim
	}
	if err := sdkSigner(service).SignHTTP(context.Background(), creds, req, hash, service, "us-east-1", signedAt); err != nil {
		t.Fatalf("SDK signing failed: %v", err)
	}
}

// presignWithSDK presigns req with the SDK and returns the request a client
// would then send: the presigned URL plus the headers it must carry.
func presignWithSDK(t testing.TB, req *http.Request, payloadHash, service string) *http.Request {
	t.Helper()
	signedURL, headers, err := sdkSigner(service).PresignHTTP(context.Background(), testCreds, req, payloadHash, service, "us-east-1", signedAt)
	if err != nil {
		t.Fatalf("SDK presigning failed: %v", err)
	}
	out, err := http.NewRequest(req.Method, signedURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range headers {
		if !strings.EqualFold(k, "host") {
			out.Header[k] = v
		}
	}
	return out
}

// overTheWire serializes a client request and parses it back the way
// net/http's server does, so tests see RequestURI, Host and headers as a
// handler would. viaProxy sends the absolute-form target a client sends to
// an HTTP proxy.
func overTheWire(t testing.TB, req *http.Request, body []byte, viaProxy bool) *http.Request {
	t.Helper()
	if body != nil {
		req.Body = io.NopCloser(bytes.NewReader(body))
		req.ContentLength = int64(len(body))
	}
	var wire bytes.Buffer
	write := req.Write
	if viaProxy {
		write = req.WriteProxy
	}
	if err := write(&wire); err != nil {
		t.Fatalf("writing request: %v", err)
	}
	return readWire(t, wire.String())
}

// readWire parses a raw HTTP/1.1 request.
func readWire(t testing.TB, raw string) *http.Request {
	t.Helper()
	r, err := http.ReadRequest(bufio.NewReader(strings.NewReader(raw)))
	if err != nil {
		t.Fatalf("parsing request: %v\n%s", err, raw)
	}
	return r
}

// kindOf is KindOf that also reports nil as 0 for table comparisons.
func kindOf(err error) Kind {
	if err == nil {
		return 0
	}
	if k := KindOf(err); k != 0 {
		return k
	}
	return -1
}
