package gateway_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	awss3control "github.com/aws/aws-sdk-go-v2/service/s3control"
	awssnowball "github.com/aws/aws-sdk-go-v2/service/snowball"
	"github.com/aws/smithy-go"

	"github.com/jobplane/jobplane/internal/api/s3"
	"github.com/jobplane/jobplane/internal/api/s3control"
	"github.com/jobplane/jobplane/internal/api/snowball"
	"github.com/jobplane/jobplane/internal/caller"
	"github.com/jobplane/jobplane/internal/gateway"
)

// fakeS3Control answers ListJobs and DescribeJob and records who called.
type fakeS3Control struct {
	s3control.UnimplementedService
	mu      sync.Mutex
	callers []caller.Info
	inputs  []*s3control.ListJobsRequest
}

func (f *fakeS3Control) ListJobs(ctx context.Context, in *s3control.ListJobsRequest) (*s3control.ListJobsResult, error) {
	f.mu.Lock()
	f.callers = append(f.callers, caller.From(ctx))
	f.inputs = append(f.inputs, in)
	f.mu.Unlock()
	return &s3control.ListJobsResult{Jobs: []s3control.JobListDescriptor{{JobId: aws.String("00e123a4-c0d8-41f4-a0eb-b46f9ba5b07c")}}}, nil
}

func (f *fakeS3Control) DescribeJob(ctx context.Context, in *s3control.DescribeJobRequest) (*s3control.DescribeJobResult, error) {
	if *in.JobId == "panic-please" {
		panic("provider bug")
	}
	if *in.JobId == "internal-error" {
		return nil, errors.New("disk on fire at /secret/path")
	}
	return nil, &s3control.NotFoundException{Message: aws.String("The specified job does not exist")}
}

type fakeSnowball struct {
	snowball.UnimplementedService
}

func (fakeSnowball) GetSnowballUsage(ctx context.Context, in *snowball.GetSnowballUsageRequest) (*snowball.GetSnowballUsageResult, error) {
	return &snowball.GetSnowballUsageResult{SnowballLimit: aws.Int32(1), SnowballsInUse: aws.Int32(0)}, nil
}

type fakeS3 struct {
	s3.UnimplementedService
	mu   sync.Mutex
	gets [][2]string
	put  func(context.Context, *s3.PutObjectRequest) (*s3.PutObjectOutput, error)
}

func (f *fakeS3) PutObject(ctx context.Context, in *s3.PutObjectRequest) (*s3.PutObjectOutput, error) {
	if f.put == nil {
		return f.UnimplementedService.PutObject(ctx, in)
	}
	return f.put(ctx, in)
}

func (f *fakeS3) GetObject(ctx context.Context, in *s3.GetObjectRequest) (*s3.GetObjectOutput, error) {
	f.mu.Lock()
	f.gets = append(f.gets, [2]string{*in.Bucket, *in.Key})
	f.mu.Unlock()
	body := "hello " + *in.Key
	return &s3.GetObjectOutput{Body: io.NopCloser(strings.NewReader(body)), ContentLength: aws.Int64(int64(len(body)))}, nil
}

type server struct {
	url  string
	addr string
	s3c  *fakeS3Control
	s3   *fakeS3
	logs *bytes.Buffer
}

func newServer(t *testing.T, opts gateway.Options) *server {
	t.Helper()
	s := &server{s3c: &fakeS3Control{}, s3: &fakeS3{}, logs: &bytes.Buffer{}}
	opts.S3Control, opts.Snowball, opts.S3 = s.s3c, fakeSnowball{}, s.s3
	if opts.Region == "" {
		opts.Region = "us-east-1"
	}
	if opts.S3Domain == "" {
		opts.S3Domain = "localhost"
	}
	var mu sync.Mutex
	opts.Logger = slog.New(slog.NewJSONHandler(lockedWriter{&mu, s.logs}, nil))
	gw, err := gateway.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(gw)
	t.Cleanup(ts.Close)
	s.url, s.addr = ts.URL, ts.Listener.Addr().String()
	return s
}

type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// httpClient sends every host to the test server: SDKs prefix S3 Control
// hosts with {AccountId}., which does not resolve here.
func (s *server) httpClient() *http.Client {
	d := &net.Dialer{}
	return &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return d.DialContext(ctx, network, s.addr)
		},
	}}
}

func (s *server) s3control(key string) *awss3control.Client {
	return awss3control.New(awss3control.Options{
		Region: "us-east-1", BaseEndpoint: aws.String(s.url), HTTPClient: s.httpClient(),
		Credentials:      credentials.NewStaticCredentialsProvider(key, "secret", ""),
		RetryMaxAttempts: 1,
	})
}

func (s *server) snowball() *awssnowball.Client {
	return awssnowball.New(awssnowball.Options{
		Region: "us-east-1", BaseEndpoint: aws.String(s.url), HTTPClient: s.httpClient(),
		Credentials:      credentials.NewStaticCredentialsProvider("AKID", "secret", ""),
		RetryMaxAttempts: 1,
	})
}

func (s *server) s3client(pathStyle bool) *awss3.Client {
	return awss3.New(awss3.Options{
		Region: "us-east-1", BaseEndpoint: aws.String(s.url), HTTPClient: s.httpClient(), UsePathStyle: pathStyle,
		Credentials:      credentials.NewStaticCredentialsProvider("AKID", "secret", ""),
		RetryMaxAttempts: 1,
	})
}

func TestDetectTriesTheProtocolsInAFixedOrder(t *testing.T) {
	tests := []struct {
		name    string
		method  string
		target  string
		headers map[string]string
		want    gateway.Target
	}{
		{"jobplane's own endpoints come first", "GET", "/_jobplane/health", nil, gateway.TargetJobplane},
		{"a Smithy-Protocol header means CBOR even with X-Amz-Target", "POST", "/service/AWSIESnowballJobManagementService/operation/ListJobs",
			map[string]string{"Smithy-Protocol": "rpc-v2-cbor", "X-Amz-Target": "AWSIESnowballJobManagementService.ListJobs"}, gateway.TargetSnowballCBOR},
		{"a CBOR path without the header is still CBOR, for the codec to refuse", "POST", "/prefix/service/AWSIESnowballJobManagementService/operation/ListJobs", nil, gateway.TargetSnowballCBOR},
		{"the absolute service id is a CBOR path too", "POST", "/service/com.amazonaws.snowball.AWSIESnowballJobManagementService/operation/ListJobs", nil, gateway.TargetSnowballCBOR},
		{"an S3 key that merely looks like a CBOR path for another service is S3", "PUT", "/bucket/service/Other/operation/Op", nil, gateway.TargetS3},
		{"X-Amz-Target beats the S3 Control path", "POST", "/v20180820/jobs", map[string]string{"X-Amz-Target": "AWSIESnowballJobManagementService.ListJobs"}, gateway.TargetSnowballJSON},
		{"X-Amz-Target on / is Snowball JSON", "POST", "/", map[string]string{"X-Amz-Target": "AWSIESnowballJobManagementService.ListJobs"}, gateway.TargetSnowballJSON},
		{"the /v20180820/ prefix is S3 Control", "GET", "/v20180820/jobs", nil, gateway.TargetS3Control},
		{"a bucket named v20180820x is S3", "GET", "/v20180820x/key", nil, gateway.TargetS3},
		{"the root is S3 ListBuckets", "GET", "/", nil, gateway.TargetS3},
		{"a key path is S3", "GET", "/bucket/a/b/c", nil, gateway.TargetS3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(tt.method, tt.target, nil)
			for k, v := range tt.headers {
				r.Header.Set(k, v)
			}
			if got := gateway.Detect(r); got != tt.want {
				t.Fatalf("Detect = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestS3ControlIgnoresTheAccountHostPrefix(t *testing.T) {
	s := newServer(t, gateway.Options{})
	out, err := s.s3control("123456789012").ListJobs(context.Background(), &awss3control.ListJobsInput{AccountId: aws.String("123456789012")})
	if err != nil {
		t.Fatalf("ListJobs: %v", err)
	}
	if len(out.Jobs) != 1 || *out.Jobs[0].JobId != "00e123a4-c0d8-41f4-a0eb-b46f9ba5b07c" {
		t.Fatalf("ListJobs = %+v", out.Jobs)
	}
	got := s.s3c.callers[0]
	if got.AccountID != "123456789012" || got.AccessKeyID != "123456789012" || got.Region != "us-east-1" || got.RequestID == "" {
		t.Fatalf("caller = %+v, want account and key 123456789012 in us-east-1 with a request id", got)
	}
}

func TestAnAccessKeyThatIsNotAnAccountIsTheDefaultAccount(t *testing.T) {
	s := newServer(t, gateway.Options{})
	if _, err := s.s3control("AKIAEXAMPLE").ListJobs(context.Background(), &awss3control.ListJobsInput{AccountId: aws.String("000000000000")}); err != nil {
		t.Fatal(err)
	}
	if got := s.s3c.callers[0].AccountID; got != caller.DefaultAccountID {
		t.Fatalf("account = %q, want %q", got, caller.DefaultAccountID)
	}
}

func TestAbsoluteFormRequestTargetsAreServed(t *testing.T) {
	s := newServer(t, gateway.Options{})
	t.Run("a raw absolute-form request line reaches S3 Control", func(t *testing.T) {
		conn, err := net.Dial("tcp", s.addr)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		fmt.Fprintf(conn, "GET http://123456789012.localhost:4588/v20180820/jobs?maxResults=5 HTTP/1.1\r\nHost: 123456789012.localhost:4588\r\nX-Amz-Account-Id: 123456789012\r\nConnection: close\r\n\r\n")
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 || !bytes.Contains(body, []byte("<ListJobsResult")) {
			t.Fatalf("status %d body %s", resp.StatusCode, body)
		}
		if in := s.s3c.inputs[len(s.s3c.inputs)-1]; in.MaxResults == nil || *in.MaxResults != 5 {
			t.Fatalf("maxResults not decoded: %+v", in)
		}
	})
	t.Run("an SDK with a proxy set to jobplane works unchanged", func(t *testing.T) {
		proxy, _ := url.Parse(s.url)
		c := awss3control.New(awss3control.Options{
			Region: "us-east-1", BaseEndpoint: aws.String("http://localhost:4588"), RetryMaxAttempts: 1,
			Credentials: credentials.NewStaticCredentialsProvider("123456789012", "secret", ""),
			HTTPClient:  &http.Client{Transport: &http.Transport{Proxy: http.ProxyURL(proxy)}},
		})
		if _, err := c.ListJobs(context.Background(), &awss3control.ListJobsInput{AccountId: aws.String("123456789012")}); err != nil {
			t.Fatalf("ListJobs through the proxy: %v", err)
		}
	})
}

func TestS3AcceptsPathStyleAndVirtualHostStyle(t *testing.T) {
	s := newServer(t, gateway.Options{})
	for _, pathStyle := range []bool{true, false} {
		t.Run(fmt.Sprintf("path style %v", pathStyle), func(t *testing.T) {
			out, err := s.s3client(pathStyle).GetObject(context.Background(), &awss3.GetObjectInput{Bucket: aws.String("my.bucket-1"), Key: aws.String("dir/a b+c.txt")})
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(out.Body)
			if string(body) != "hello dir/a b+c.txt" {
				t.Fatalf("body %q", body)
			}
			got := s.s3.gets[len(s.s3.gets)-1]
			if got != [2]string{"my.bucket-1", "dir/a b+c.txt"} {
				t.Fatalf("GetObject saw %q", got)
			}
		})
	}
}

func TestSnowballSpeaksJSONAndCBOROnTheSameEndpoint(t *testing.T) {
	s := newServer(t, gateway.Options{})
	t.Run("JSON from the Go SDK", func(t *testing.T) {
		out, err := s.snowball().GetSnowballUsage(context.Background(), &awssnowball.GetSnowballUsageInput{})
		if err != nil {
			t.Fatal(err)
		}
		if *out.SnowballLimit != 1 || *out.SnowballsInUse != 0 {
			t.Fatalf("usage %+v", out)
		}
	})
	t.Run("CBOR", func(t *testing.T) {
		req, _ := http.NewRequest("POST", s.url+"/service/AWSIESnowballJobManagementService/operation/GetSnowballUsage", bytes.NewReader([]byte{0xa0}))
		req.Header.Set("Smithy-Protocol", "rpc-v2-cbor")
		req.Header.Set("Content-Type", "application/cbor")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 || resp.Header.Get("Smithy-Protocol") != "rpc-v2-cbor" || resp.Header.Get("Content-Type") != "application/cbor" {
			t.Fatalf("status %d headers %v", resp.StatusCode, resp.Header)
		}
		// {"SnowballLimit": 1, "SnowballsInUse": 0}
		want := append([]byte{0xa2, 0x6d}, "SnowballLimit\x01"...)
		want = append(append(want, 0x6e), "SnowballsInUse\x00"...)
		if !bytes.Equal(body, want) {
			t.Fatalf("body % x, want % x", body, want)
		}
	})
}

func TestUnimplementedOperationsAnswerNotImplemented(t *testing.T) {
	s := newServer(t, gateway.Options{})
	ctx := context.Background()
	checks := []struct {
		name string
		call func() error
	}{
		{"S3 Control", func() error {
			_, err := s.s3control("123456789012").GetJobTagging(ctx, &awss3control.GetJobTaggingInput{AccountId: aws.String("123456789012"), JobId: aws.String("00e123a4-c0d8-41f4-a0eb-b46f9ba5b07c")})
			return err
		}},
		{"Snowball", func() error {
			_, err := s.snowball().ListJobs(ctx, &awssnowball.ListJobsInput{})
			return err
		}},
		{"S3", func() error {
			_, err := s.s3client(true).ListBuckets(ctx, &awss3.ListBucketsInput{})
			return err
		}},
	}
	for _, c := range checks {
		t.Run(c.name, func(t *testing.T) {
			err := c.call()
			var ae smithy.APIError
			if !errors.As(err, &ae) || ae.ErrorCode() != "NotImplemented" || !strings.Contains(ae.ErrorMessage(), "does not implement") {
				t.Fatalf("err = %v, want NotImplemented naming the operation", err)
			}
		})
	}
}

func TestEveryResponseCarriesRequestIDs(t *testing.T) {
	s := newServer(t, gateway.Options{})
	tests := []struct {
		name      string
		req       func() *http.Request
		wantHost  bool
		wantAmznn bool
	}{
		{"S3", func() *http.Request { r, _ := http.NewRequest("GET", s.url+"/", nil); return r }, true, false},
		{"S3 Control", func() *http.Request {
			r, _ := http.NewRequest("GET", s.url+"/v20180820/jobs", nil)
			r.Header.Set("X-Amz-Account-Id", "000000000000")
			return r
		}, true, false},
		{"Snowball JSON", func() *http.Request {
			r, _ := http.NewRequest("POST", s.url+"/", strings.NewReader("{}"))
			r.Header.Set("X-Amz-Target", "AWSIESnowballJobManagementService.ListJobs")
			return r
		}, false, true},
		{"an unreadable request", func() *http.Request {
			r, _ := http.NewRequest("POST", s.url+"/v20180820/jobs", strings.NewReader("<not xml"))
			r.Header.Set("X-Amz-Account-Id", "000000000000")
			return r
		}, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := http.DefaultClient.Do(tt.req())
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			id := resp.Header.Get("X-Amz-Request-Id")
			if len(id) != 16 {
				t.Fatalf("x-amz-request-id = %q", id)
			}
			if got := resp.Header.Get("X-Amz-Id-2") != ""; got != tt.wantHost {
				t.Fatalf("x-amz-id-2 present = %v, want %v", got, tt.wantHost)
			}
			if got := resp.Header.Get("X-Amzn-Requestid") == id; got != tt.wantAmznn {
				t.Fatalf("x-amzn-requestid = %q", resp.Header.Get("X-Amzn-Requestid"))
			}
		})
	}
}

func TestEachRequestIsLoggedOnce(t *testing.T) {
	s := newServer(t, gateway.Options{})
	if _, err := s.s3control("123456789012").ListJobs(context.Background(), &awss3control.ListJobsInput{AccountId: aws.String("123456789012")}); err != nil {
		t.Fatal(err)
	}
	logs := s.logs.String()
	if strings.Count(logs, `"msg":"request"`) != 1 {
		t.Fatalf("want one request line, got:\n%s", logs)
	}
	for _, want := range []string{`"service":"s3control"`, `"operation":"ListJobs"`, `"status":200`, `"request_id":"`, `"latency":`, `"account":"123456789012"`} {
		if !strings.Contains(logs, want) {
			t.Errorf("log line lacks %s:\n%s", want, logs)
		}
	}
}

func TestProviderFailuresNeverLeakOrCrash(t *testing.T) {
	s := newServer(t, gateway.Options{})
	ctx := context.Background()
	c := s.s3control("123456789012")
	t.Run("an unexpected error is an internal error without detail", func(t *testing.T) {
		_, err := c.DescribeJob(ctx, &awss3control.DescribeJobInput{AccountId: aws.String("123456789012"), JobId: aws.String("internal-error")})
		var ae smithy.APIError
		if !errors.As(err, &ae) || ae.ErrorCode() != "InternalServiceException" || strings.Contains(ae.ErrorMessage(), "secret") {
			t.Fatalf("err = %v", err)
		}
		if !strings.Contains(s.logs.String(), "disk on fire") {
			t.Fatalf("the detail should be logged")
		}
	})
	t.Run("a panic is a 500 and the server keeps serving", func(t *testing.T) {
		_, err := c.DescribeJob(ctx, &awss3control.DescribeJobInput{AccountId: aws.String("123456789012"), JobId: aws.String("panic-please")})
		var re interface{ HTTPStatusCode() int }
		if !errors.As(err, &re) || re.HTTPStatusCode() != 500 {
			t.Fatalf("err = %v, want a 500", err)
		}
		if _, err := c.ListJobs(ctx, &awss3control.ListJobsInput{AccountId: aws.String("123456789012")}); err != nil {
			t.Fatalf("after the panic: %v", err)
		}
	})
	t.Run("a modeled error reaches the SDK typed", func(t *testing.T) {
		_, err := c.DescribeJob(ctx, &awss3control.DescribeJobInput{AccountId: aws.String("123456789012"), JobId: aws.String("00e123a4-c0d8-41f4-a0eb-b46f9ba5b07c")})
		var ae smithy.APIError
		if !errors.As(err, &ae) || ae.ErrorCode() != "NotFoundException" {
			t.Fatalf("err = %v", err)
		}
	})
}

func TestHealth(t *testing.T) {
	for _, tt := range []struct {
		name   string
		health func(context.Context) error
		status int
		want   string
	}{
		{"a healthy store answers 200", func(context.Context) error { return nil }, 200, `"status":"ok"`},
		{"a broken store answers 503", func(context.Context) error { return errors.New("database is locked") }, 503, `"store":"database is locked"`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := newServer(t, gateway.Options{Health: tt.health, Now: func() time.Time { return time.Unix(1e9, 0) }})
			resp, err := http.Get(s.url + "/_jobplane/health")
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tt.status || !strings.Contains(string(body), tt.want) || resp.Header.Get("Content-Type") != "application/json" {
				t.Fatalf("status %d body %s", resp.StatusCode, body)
			}
		})
	}
}

func TestJobplaneEndpointsServeByLongestPrefix(t *testing.T) {
	handler := func(name string) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, name) })
	}
	s := newServer(t, gateway.Options{Endpoints: map[string]http.Handler{
		"/_jobplane/snowball/":        handler("snowball"),
		"/_jobplane/snowball/special": handler("special"),
	}})
	for path, want := range map[string]string{
		"/_jobplane/snowball/jobs/JID1/advance": "snowball",
		"/_jobplane/snowball/special":           "special",
	} {
		resp, err := http.Post(s.url+path, "", nil)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		if string(body) != want || resp.Header.Get("X-Amz-Request-Id") == "" {
			t.Errorf("%s served %q, want %q", path, body, want)
		}
	}
	resp, _ := http.Get(s.url + "/_jobplane/nothing")
	if resp.StatusCode != 404 {
		t.Errorf("unknown endpoint: %d", resp.StatusCode)
	}
	if _, err := gateway.New(gateway.Options{Endpoints: map[string]http.Handler{"/elsewhere": handler("x")}}); err == nil {
		t.Error("an endpoint outside /_jobplane/ was accepted")
	}
}
