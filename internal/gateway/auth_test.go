package gateway_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	awss3control "github.com/aws/aws-sdk-go-v2/service/s3control"
	s3controltypes "github.com/aws/aws-sdk-go-v2/service/s3control/types"
	awssnowball "github.com/aws/aws-sdk-go-v2/service/snowball"
	"github.com/aws/smithy-go"

	"github.com/jobplane/jobplane/internal/api/s3"
	"github.com/jobplane/jobplane/internal/caller"
	"github.com/jobplane/jobplane/internal/gateway"
	"github.com/jobplane/jobplane/internal/sigv4"
)

const (
	goodKey, goodSecret, goodAccount = "AKIAGATEWAYTEST00001", "gateway-secret", "111111111111"
)

func sigv4Server(t *testing.T, now func() time.Time) *server {
	return newServer(t, gateway.Options{
		Auth:        gateway.AuthSigV4,
		Credentials: []sigv4.Credential{{AccessKeyID: goodKey, SecretAccessKey: goodSecret, AccountID: goodAccount}},
		Now:         now,
	})
}

// doer lets a test change a request after the SDK signed it.
type doer func(*http.Request) (*http.Response, error)

func (d doer) Do(r *http.Request) (*http.Response, error) { return d(r) }

func (s *server) tampering(edit func(*http.Request)) doer {
	hc := s.httpClient()
	return func(r *http.Request) (*http.Response, error) {
		edit(r)
		return hc.Do(r)
	}
}

func apiCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return "no API error: " + fmt.Sprint(err)
}

func TestSigV4AcceptsWhatTheSDKSigns(t *testing.T) {
	s := sigv4Server(t, nil)
	ctx := context.Background()
	creds := credentials.NewStaticCredentialsProvider(goodKey, goodSecret, "")

	t.Run("S3 Control with the caller's account", func(t *testing.T) {
		c := awss3control.New(awss3control.Options{Region: "us-east-1", BaseEndpoint: aws.String(s.url), HTTPClient: s.httpClient(), Credentials: creds, RetryMaxAttempts: 1})
		if _, err := c.ListJobs(ctx, &awss3control.ListJobsInput{AccountId: aws.String(goodAccount)}); err != nil {
			t.Fatal(err)
		}
		got := s.s3c.callers[len(s.s3c.callers)-1]
		if !got.Authenticated || got.AccountID != goodAccount || got.AccessKeyID != goodKey {
			t.Fatalf("caller = %+v", got)
		}
	})
	t.Run("Snowball over JSON", func(t *testing.T) {
		c := awssnowball.New(awssnowball.Options{Region: "us-east-1", BaseEndpoint: aws.String(s.url), HTTPClient: s.httpClient(), Credentials: creds, RetryMaxAttempts: 1})
		if _, err := c.GetSnowballUsage(ctx, &awssnowball.GetSnowballUsageInput{}); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("S3 with a key that needs escaping, virtual-hosted", func(t *testing.T) {
		c := awss3.New(awss3.Options{Region: "us-east-1", BaseEndpoint: aws.String(s.url), HTTPClient: s.httpClient(), Credentials: creds, RetryMaxAttempts: 1})
		out, err := c.GetObject(ctx, &awss3.GetObjectInput{Bucket: aws.String("bucket"), Key: aws.String("a dir/ünï code+%.txt")})
		if err != nil {
			t.Fatal(err)
		}
		out.Body.Close()
	})
	t.Run("an S3 presigned URL", func(t *testing.T) {
		c := awss3.New(awss3.Options{Region: "us-east-1", BaseEndpoint: aws.String(s.url), Credentials: creds, UsePathStyle: true})
		req, err := awss3.NewPresignClient(c).PresignGetObject(ctx, &awss3.GetObjectInput{Bucket: aws.String("bucket"), Key: aws.String("some key")})
		if err != nil {
			t.Fatal(err)
		}
		resp, err := http.Get(req.URL)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 || string(body) != "hello some key" {
			t.Fatalf("status %d body %s", resp.StatusCode, body)
		}
		tampered := strings.Replace(req.URL, "some%20key", "other%20key", 1)
		resp, err = http.Get(tampered)
		if err != nil {
			t.Fatal(err)
		}
		body, _ = io.ReadAll(resp.Body)
		if resp.StatusCode != 403 || !bytes.Contains(body, []byte("<Code>SignatureDoesNotMatch</Code>")) || !bytes.Contains(body, []byte("<StringToSign>")) {
			t.Fatalf("tampered URL: status %d body %s", resp.StatusCode, body)
		}
	})
}

func TestSigV4RefusesWhatItShould(t *testing.T) {
	s := sigv4Server(t, nil)
	ctx := context.Background()
	tests := []struct {
		name string
		key  string
		sec  string
		edit func(*http.Request)
		acct string
		want string
	}{
		{"a wrong secret", goodKey, "wrong", nil, goodAccount, "SignatureDoesNotMatch"},
		{"an unknown access key", "AKIANOBODY0000000000", goodSecret, nil, goodAccount, "InvalidAccessKeyId"},
		{"a query changed after signing", goodKey, goodSecret, func(r *http.Request) { r.URL.RawQuery = "maxResults=7" }, goodAccount, "SignatureDoesNotMatch"},
		{"a signed header changed after signing", goodKey, goodSecret, func(r *http.Request) { r.Header.Set("X-Amz-Account-Id", "222222222222") }, goodAccount, "SignatureDoesNotMatch"},
		{"a signing date that is not the scope date", goodKey, goodSecret, func(r *http.Request) { r.Header.Set("X-Amz-Date", "20200101T000000Z") }, goodAccount, "AuthorizationHeaderMalformed"},
		{"no signature at all", goodKey, goodSecret, func(r *http.Request) { r.Header.Del("Authorization") }, goodAccount, "AccessDenied"},
		{"a malformed authorization header", goodKey, goodSecret, func(r *http.Request) { r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Nonsense") }, goodAccount, "AuthorizationHeaderMalformed"},
		{"another account's jobs", goodKey, goodSecret, nil, "222222222222", "AccessDenied"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var hc aws.HTTPClient = s.httpClient()
			if tt.edit != nil {
				hc = s.tampering(tt.edit)
			}
			c := awss3control.New(awss3control.Options{Region: "us-east-1", BaseEndpoint: aws.String(s.url), HTTPClient: hc, RetryMaxAttempts: 1,
				Credentials: credentials.NewStaticCredentialsProvider(tt.key, tt.sec, "")})
			_, err := c.ListJobs(ctx, &awss3control.ListJobsInput{AccountId: aws.String(tt.acct)})
			if got := apiCode(err); got != tt.want {
				t.Fatalf("error code %s, want %s", got, tt.want)
			}
		})
	}
}

func TestSigV4ChecksTheSignedPayload(t *testing.T) {
	s := sigv4Server(t, nil)
	ctx := context.Background()
	creds := credentials.NewStaticCredentialsProvider(goodKey, goodSecret, "")
	t.Run("a Snowball body changed after signing", func(t *testing.T) {
		hc := s.tampering(func(r *http.Request) {
			r.Body = io.NopCloser(strings.NewReader(`{"MaxResults":5}`))
			r.ContentLength = 16
		})
		c := awssnowball.New(awssnowball.Options{Region: "us-east-1", BaseEndpoint: aws.String(s.url), HTTPClient: hc, Credentials: creds, RetryMaxAttempts: 1})
		_, err := c.ListJobs(ctx, &awssnowball.ListJobsInput{MaxResults: aws.Int32(6)})
		if got := apiCode(err); got != "InvalidSignatureException" {
			t.Fatalf("error code %s", got)
		}
	})
	t.Run("an S3 Control body that does not hash to its claim", func(t *testing.T) {
		hc := s.tampering(func(r *http.Request) {
			body, _ := io.ReadAll(r.Body)
			body = bytes.Replace(body, []byte("<Key>a</Key>"), []byte("<Key>b</Key>"), 1)
			r.Body = io.NopCloser(bytes.NewReader(body))
		})
		c := awss3control.New(awss3control.Options{Region: "us-east-1", BaseEndpoint: aws.String(s.url), HTTPClient: hc, Credentials: creds, RetryMaxAttempts: 1})
		_, err := c.PutJobTagging(ctx, &awss3control.PutJobTaggingInput{AccountId: aws.String(goodAccount), JobId: aws.String("00e123a4-c0d8-41f4-a0eb-b46f9ba5b07c"),
			Tags: []s3controltypes.S3Tag{{Key: aws.String("a"), Value: aws.String("v")}}})
		if got := apiCode(err); got != "XAmzContentSHA256Mismatch" {
			t.Fatalf("error code %s", got)
		}
	})
}

func TestSigV4Clock(t *testing.T) {
	later := func() time.Time { return time.Now().Add(2 * time.Hour) }
	s := sigv4Server(t, later)
	ctx := context.Background()
	creds := credentials.NewStaticCredentialsProvider(goodKey, goodSecret, "")
	t.Run("a header signature from two hours ago is too skewed", func(t *testing.T) {
		c := awss3.New(awss3.Options{Region: "us-east-1", BaseEndpoint: aws.String(s.url), HTTPClient: s.httpClient(), Credentials: creds, UsePathStyle: true, RetryMaxAttempts: 1})
		_, err := c.GetObject(ctx, &awss3.GetObjectInput{Bucket: aws.String("b"), Key: aws.String("k")})
		if got := apiCode(err); got != "RequestTimeTooSkewed" {
			t.Fatalf("error code %s", got)
		}
	})
	t.Run("a presigned URL past its expiry", func(t *testing.T) {
		c := awss3.New(awss3.Options{Region: "us-east-1", BaseEndpoint: aws.String(s.url), Credentials: creds, UsePathStyle: true})
		req, err := awss3.NewPresignClient(c).PresignGetObject(ctx, &awss3.GetObjectInput{Bucket: aws.String("b"), Key: aws.String("k")},
			awss3.WithPresignExpires(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		resp, err := http.Get(req.URL)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 403 || !bytes.Contains(body, []byte("Request has expired")) {
			t.Fatalf("status %d body %s", resp.StatusCode, body)
		}
	})
}

// PutObject: the Go SDK signs the payload's SHA-256 over plain HTTP; the
// provider reads the body through a reader that checks it at the end.
func TestSigV4StreamsAndChecksObjectData(t *testing.T) {
	s := sigv4Server(t, nil)
	got := make(chan []byte, 1)
	s.s3.put = func(ctx context.Context, in *s3.PutObjectRequest) (*s3.PutObjectOutput, error) {
		body, err := io.ReadAll(in.Body)
		if err != nil {
			return nil, err
		}
		if !caller.From(ctx).Authenticated {
			return nil, errors.New("not authenticated")
		}
		got <- body
		return &s3.PutObjectOutput{ETag: aws.String(`"etag"`)}, nil
	}
	ctx := context.Background()
	creds := credentials.NewStaticCredentialsProvider(goodKey, goodSecret, "")
	c := awss3.New(awss3.Options{Region: "us-east-1", BaseEndpoint: aws.String(s.url), HTTPClient: s.httpClient(), Credentials: creds, UsePathStyle: true, RetryMaxAttempts: 1})
	data := bytes.Repeat([]byte("0123456789"), 10000)
	if _, err := c.PutObject(ctx, &awss3.PutObjectInput{Bucket: aws.String("b"), Key: aws.String("k"), Body: bytes.NewReader(data)}); err != nil {
		t.Fatal(err)
	}
	if b := <-got; !bytes.Equal(b, data) {
		t.Fatalf("provider read %d bytes, want %d", len(b), len(data))
	}
	hc := s.tampering(func(r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		body[0] = 'X'
		r.Body = io.NopCloser(bytes.NewReader(body))
	})
	c = awss3.New(awss3.Options{Region: "us-east-1", BaseEndpoint: aws.String(s.url), HTTPClient: hc, Credentials: creds, UsePathStyle: true, RetryMaxAttempts: 1})
	_, err := c.PutObject(ctx, &awss3.PutObjectInput{Bucket: aws.String("b"), Key: aws.String("k"), Body: bytes.NewReader(data)})
	if code := apiCode(err); code != "XAmzContentSHA256Mismatch" {
		t.Fatalf("tampered object data: %s", code)
	}
}
