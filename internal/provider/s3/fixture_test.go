package s3_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"

	"github.com/jobplane/jobplane/internal/clock"
	"github.com/jobplane/jobplane/internal/gateway"
	"github.com/jobplane/jobplane/internal/objectstore"
	"github.com/jobplane/jobplane/internal/objectstore/embedded"
	s3provider "github.com/jobplane/jobplane/internal/provider/s3"
	"github.com/jobplane/jobplane/internal/store/sqlite"
)

var t0 = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

// server is jobplane's gateway with the S3 provider over an embedded store,
// on a loopback test server, with a fake clock for restores.
type server struct {
	url   string
	clock *clock.Fake
	store *embedded.Store
}

func newServer(t *testing.T) *server {
	t.Helper()
	dir := t.TempDir()
	db, err := sqlite.Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	fc := clock.NewFake(t0)
	store, err := embedded.Open(context.Background(), embedded.Options{Dir: dir + "/objects", Meta: db.Objects(), Clock: fc,
		Restore: objectstore.RestoreDelays{"GLACIER/Standard": time.Hour, "GLACIER/Bulk": time.Hour, "GLACIER/Expedited": time.Minute,
			"DEEP_ARCHIVE/Standard": time.Hour, "DEEP_ARCHIVE/Bulk": time.Hour}})
	if err != nil {
		t.Fatal(err)
	}
	prov, err := s3provider.New(s3provider.Options{Store: store, Clock: fc, Region: "us-east-1", TokenKey: bytes.Repeat([]byte("k"), 32)})
	if err != nil {
		t.Fatal(err)
	}
	gw, err := gateway.New(gateway.Options{Region: "us-east-1", S3Domain: "localhost", S3: prov})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(gw)
	t.Cleanup(func() {
		hs.Close()
		store.Close()
		db.Close()
	})
	return &server{url: hs.URL, clock: fc, store: store}
}

// client is an aws-sdk-go-v2 S3 client acting as account.
func (s *server) client(account string) *awss3.Client {
	return awss3.New(awss3.Options{
		Region: "us-east-1", BaseEndpoint: aws.String(s.url), UsePathStyle: true, RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider(account, "secret", ""),
	})
}

const me = "111111111111"

// apiCode returns the S3 error code and HTTP status of an SDK error.
func apiCode(err error) (string, int) {
	var ae smithy.APIError
	var re *awshttp.ResponseError
	code, status := "", 0
	if errors.As(err, &ae) {
		code = ae.ErrorCode()
	}
	if errors.As(err, &re) {
		status = re.HTTPStatusCode()
	}
	return code, status
}

func wantErr(t *testing.T, err error, code string, status int) {
	t.Helper()
	c, s := apiCode(err)
	if c != code || s != status {
		t.Fatalf("error = %v (code %q, status %d), want %s %d", err, c, s, code, status)
	}
}

func read(t *testing.T, out *awss3.GetObjectOutput, err error) string {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	defer out.Body.Close()
	b, err := io.ReadAll(out.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// raw sends a request without an SDK.
func (s *server) raw(t *testing.T, method, path string, body []byte, header map[string]string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, s.url+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	// With authentication off the access key names the account; the
	// signature is not checked. Presigned URLs carry their own.
	if !strings.Contains(path, "X-Amz-Signature") {
		req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential="+me+"/20250601/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-date, Signature=00")
		req.Header.Set("X-Amz-Date", "20250601T120000Z")
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}
