package sigv4

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// sdkCase is one request the SDK signs and the server must accept.
type sdkCase struct {
	name     string
	service  string
	method   string
	url      *url.URL
	header   http.Header
	body     []byte
	viaProxy bool
}

func sdkCases() []sdkCase {
	u := func(raw string) *url.URL {
		p, err := url.Parse(raw)
		if err != nil {
			panic(err)
		}
		return p
	}
	return []sdkCase{
		{name: "an S3 GET of a plain key", service: "s3", method: "GET",
			url: u("http://bucket.s3.localhost:4588/key.txt")},
		{name: "an S3 PUT whose key has spaces and unicode", service: "s3", method: "PUT",
			url:  &url.URL{Scheme: "http", Host: "localhost:4588", Path: "/bucket/dir with space/ünïcödé 名前.txt"},
			body: []byte("hello")},
		{name: "an S3 GET whose key holds an encoded slash", service: "s3", method: "GET",
			url: &url.URL{Scheme: "http", Host: "localhost:4588", Path: "/bucket/a/b", RawPath: "/bucket/a%2Fb"}},
		{name: "an S3 GET whose key holds reserved characters", service: "s3", method: "GET",
			url: u("http://localhost:4588/bucket/a+b=c&d@e:f!g'h(i)*j,k;l$m")},
		{name: "an S3 list with repeated and encoded query keys", service: "s3", method: "GET",
			url: u("http://localhost:4588/bucket?prefix=a%20b&prefix=a%2Bc&list-type=2&delimiter=%2F&encoding-type=url&acl")},
		{name: "an S3 Control request sent in absolute form through a proxy", service: "s3", method: "GET",
			url:      u("http://123456789012.localhost:4588/v20180820/jobs?jobStatuses=Active&jobStatuses=Complete&maxResults=10"),
			header:   http.Header{"X-Amz-Account-Id": {testAccount}},
			viaProxy: true},
		{name: "an S3 Control POST with an XML body", service: "s3", method: "POST",
			url:    u("http://123456789012.localhost:4588/v20180820/jobs/id-1/status?requestedJobStatus=Ready"),
			header: http.Header{"X-Amz-Account-Id": {testAccount}, "Content-Type": {"application/xml"}},
			body:   []byte(`<UpdateJobStatusRequest xmlns="http://awss3control.amazonaws.com/doc/2018-08-20/"/>`)},
		{name: "an S3 PUT with multi-valued and space-padded metadata", service: "s3", method: "PUT",
			url:    u("http://localhost:4588/bucket/k"),
			header: http.Header{"X-Amz-Meta-Note": {"  a   b  c  "}, "X-Amz-Meta-Multi": {"one", "two  three"}},
			body:   []byte("data")},
		{name: "a Snowball awsJson1_1 request", service: "snowball", method: "POST",
			url: u("http://localhost:4588/"),
			header: http.Header{"X-Amz-Target": {"AWSIESnowballJobManagementService.DescribeJob"},
				"Content-Type": {"application/x-amz-json-1.1"}},
			body: []byte(`{"JobId":"JID123"}`)},
		{name: "a Snowball RPC v2 CBOR request", service: "snowball", method: "POST",
			url: u("http://localhost:4588/service/AWSIESnowballJobManagementService/operation/ListJobs"),
			header: http.Header{"Smithy-Protocol": {"rpc-v2-cbor"}, "Content-Type": {"application/cbor"},
				"Accept": {"application/cbor"}},
			body: []byte{0xbf, 0xff}},
		{name: "a Snowball request whose path is encoded twice", service: "snowball", method: "GET",
			url: &url.URL{Scheme: "http", Host: "localhost:4588", Path: "/a b/c/d", RawPath: "/a%20b/c%2Fd"}},
		{name: "a Snowball request with an empty body and a session token", service: "snowball", method: "POST",
			url:    u("http://localhost:4588/"),
			header: http.Header{"X-Amz-Target": {"AWSIESnowballJobManagementService.ListJobs"}}},
	}
}

func (c sdkCase) request(t testing.TB) *http.Request {
	req, err := http.NewRequest(c.method, c.url.String(), nil)
	if err != nil {
		t.Fatal(err)
	}
	req.URL = c.url
	for k, v := range c.header {
		req.Header[k] = v
	}
	req.ContentLength = int64(len(c.body))
	return req
}

func TestVerifyAcceptsWhatTheGoSDKSigns(t *testing.T) {
	t.Parallel()
	for _, c := range sdkCases() {
		t.Run(c.name+" is accepted", func(t *testing.T) {
			t.Parallel()
			creds := testCreds
			if strings.Contains(c.name, "session token") {
				creds.SessionToken = "FwoGZXIvYXdzEXAMPLETOKEN"
			}
			req := c.request(t)
			signWithSDK(t, req, c.body, c.service, creds)
			r := overTheWire(t, req, c.body, c.viaProxy)

			q, err := Parse(r)
			if err != nil || q == nil {
				t.Fatalf("Parse = %v, %v", q, err)
			}
			if q.AccessKeyID != testAccessKey || q.Scope.Service != c.service || q.Scope.Region != "us-east-1" || q.Presigned {
				t.Fatalf("Parse got %+v", q)
			}
			if creds.SessionToken != "" && q.SecurityToken != creds.SessionToken {
				t.Errorf("SecurityToken = %q", q.SecurityToken)
			}
			bodyHash := SHA256Hex(c.body)
			if err := q.Verify(r, testSecret, serverNow, bodyHash); err != nil {
				t.Fatalf("Verify: %v\n%s", err, debugMismatch(err))
			}
		})
	}
}

func TestVerifyAcceptsWhatTheGoSDKPresigns(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name    string
		service string
		url     string
		hash    string
		expires string
	}{
		{"an S3 GET URL with the S3 client's default expiry", "s3", "http://localhost:4588/bucket/report.csv", UnsignedPayload, "900"},
		{"an S3 PUT URL for a unicode key with a one-hour expiry", "s3", "http://localhost:4588/bucket/d%C3%A9j%C3%A0%20vu.txt", UnsignedPayload, "3600"},
		{"an S3 URL with query parameters of its own", "s3", "http://localhost:4588/bucket/k?versionId=3%2F4&response-content-type=text%2Fplain", UnsignedPayload, "600"},
		{"an S3 Control URL for a virtual-hosted account", "s3", "http://123456789012.localhost:4588/v20180820/jobs", UnsignedPayload, "900"},
		{"a Snowball URL that signs the empty body", "snowball", "http://localhost:4588/", EmptySHA256, "300"},
		{"a Snowball URL without X-Amz-Expires", "snowball", "http://localhost:4588/", EmptySHA256, ""},
	} {
		t.Run(c.name+" is accepted", func(t *testing.T) {
			t.Parallel()
			req, err := http.NewRequest("GET", c.url, nil)
			if err != nil {
				t.Fatal(err)
			}
			if c.expires != "" {
				qv := req.URL.Query()
				qv.Set("X-Amz-Expires", c.expires)
				req.URL.RawQuery = qv.Encode()
			}
			r := overTheWire(t, presignWithSDK(t, req, c.hash, c.service), nil, false)
			q, err := Parse(r)
			if err != nil || q == nil {
				t.Fatalf("Parse = %v, %v", q, err)
			}
			if !q.Presigned || q.AccessKeyID != testAccessKey {
				t.Fatalf("Parse got %+v", q)
			}
			if c.service == "s3" && q.PayloadHash != UnsignedPayload {
				t.Errorf("PayloadHash = %q, want UNSIGNED-PAYLOAD", q.PayloadHash)
			}
			if err := q.Verify(r, testSecret, serverNow, EmptySHA256); err != nil {
				t.Fatalf("Verify: %v\n%s", err, debugMismatch(err))
			}
		})
	}
}

func debugMismatch(err error) string {
	if e, ok := err.(*Error); ok && e.Kind == SignatureMismatch {
		return "canonical request:\n" + e.CanonicalRequest + "\nstring to sign:\n" + e.StringToSign
	}
	return ""
}

func TestVerifyRejectsTamperedRequests(t *testing.T) {
	t.Parallel()
	s3put := sdkCase{service: "s3", method: "PUT",
		url:    &url.URL{Scheme: "http", Host: "localhost:4588", Path: "/bucket/key", RawQuery: "tagging"},
		header: http.Header{"X-Amz-Meta-Owner": {"alice"}},
		body:   []byte("original body")}
	snow := sdkCase{service: "snowball", method: "POST",
		url:    &url.URL{Scheme: "http", Host: "localhost:4588", Path: "/"},
		header: http.Header{"X-Amz-Target": {"AWSIESnowballJobManagementService.CancelJob"}},
		body:   []byte(`{"JobId":"JID1"}`)}

	for _, c := range []struct {
		name     string
		base     sdkCase
		secret   string
		tamper   func(r *http.Request)
		bodyHash string
		want     Kind
	}{
		{name: "a changed method is a signature mismatch", base: s3put,
			tamper: func(r *http.Request) { r.Method = "POST" }, want: SignatureMismatch},
		{name: "a changed path is a signature mismatch", base: s3put,
			tamper: func(r *http.Request) { r.RequestURI = strings.Replace(r.RequestURI, "/key", "/other", 1) }, want: SignatureMismatch},
		{name: "an added query parameter is a signature mismatch", base: s3put,
			tamper: func(r *http.Request) { r.RequestURI += "&versionId=1" }, want: SignatureMismatch},
		{name: "a changed signed header is a signature mismatch", base: s3put,
			tamper: func(r *http.Request) { r.Header.Set("X-Amz-Meta-Owner", "mallory") }, want: SignatureMismatch},
		{name: "a removed signed header is a signature mismatch", base: s3put,
			tamper: func(r *http.Request) { r.Header.Del("X-Amz-Meta-Owner") }, want: SignatureMismatch},
		{name: "a changed host is a signature mismatch", base: s3put,
			tamper: func(r *http.Request) { r.Host = "evil.localhost:4588" }, want: SignatureMismatch},
		{name: "a changed payload claim is a signature mismatch", base: s3put,
			tamper: func(r *http.Request) { r.Header.Set("X-Amz-Content-Sha256", UnsignedPayload) }, want: SignatureMismatch},
		{name: "an altered signature is a signature mismatch", base: s3put,
			tamper: func(r *http.Request) {
				a := r.Header.Get("Authorization")
				last := "0"
				if a[len(a)-1] == '0' {
					last = "1"
				}
				r.Header.Set("Authorization", a[:len(a)-1]+last)
			}, want: SignatureMismatch},
		{name: "a signature that is not hex is a signature mismatch", base: s3put,
			tamper: func(r *http.Request) {
				a := r.Header.Get("Authorization")
				r.Header.Set("Authorization", a[:len(a)-64]+strings.Repeat("z", 64))
			}, want: SignatureMismatch},
		{name: "a wrong secret is a signature mismatch", base: s3put, secret: "not-the-secret", want: SignatureMismatch},
		{name: "an S3 body that differs from its hash claim is a payload hash mismatch", base: s3put,
			bodyHash: SHA256Hex([]byte("changed body")), want: PayloadHashMismatch},
		{name: "a Snowball body that differs from what was signed is a signature mismatch", base: snow,
			bodyHash: SHA256Hex([]byte(`{"JobId":"JID2"}`)), want: SignatureMismatch},
		{name: "a Snowball request with a changed target is a signature mismatch", base: snow,
			tamper: func(r *http.Request) { r.Header.Set("X-Amz-Target", "AWSIESnowballJobManagementService.CreateJob") }, want: SignatureMismatch},
		{name: "an untampered request passes", base: snow, want: 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			req := c.base.request(t)
			signWithSDK(t, req, c.base.body, c.base.service, testCreds)
			r := overTheWire(t, req, c.base.body, false)
			if c.tamper != nil {
				c.tamper(r)
			}
			q, err := Parse(r)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			secret := c.secret
			if secret == "" {
				secret = testSecret
			}
			bodyHash := c.bodyHash
			if bodyHash == "" {
				bodyHash = SHA256Hex(c.base.body)
			}
			err = q.Verify(r, secret, serverNow, bodyHash)
			if got := kindOf(err); got != c.want {
				t.Fatalf("Verify = %v, want kind %v", err, c.want)
			}
			if c.want == SignatureMismatch {
				e := err.(*Error)
				if !strings.HasPrefix(e.CanonicalRequest, r.Method+"\n") || !strings.HasPrefix(e.StringToSign, "AWS4-HMAC-SHA256\n20261121T101500Z\n20261121/us-east-1/") {
					t.Errorf("mismatch lacks debugging detail: %+v", e)
				}
				if e.AccessKeyID != testAccessKey || e.SignatureProvided == "" {
					t.Errorf("mismatch lacks the key or provided signature: %+v", e)
				}
			}
		})
	}
}

func TestVerifyAcceptsAHostWithTheDefaultPortTheClientLeftUnsigned(t *testing.T) {
	t.Parallel()
	c := sdkCases()[0]
	req := c.request(t)
	signWithSDK(t, req, nil, "s3", testCreds)
	r := overTheWire(t, req, nil, false)
	r.Host = "bucket.s3.localhost:4588:80"
	q, _ := Parse(r)
	if err := q.Verify(r, testSecret, serverNow, ""); KindOf(err) != SignatureMismatch {
		t.Fatalf("a different host must not verify, got %v", err)
	}
	req = (&sdkCase{service: "s3", method: "GET", url: &url.URL{Scheme: "http", Host: "localhost", Path: "/b/k"}}).request(t)
	signWithSDK(t, req, nil, "s3", testCreds)
	r = overTheWire(t, req, nil, false)
	r.Host = "localhost:80"
	q, _ = Parse(r)
	if err := q.Verify(r, testSecret, serverNow, ""); err != nil {
		t.Fatalf("Host localhost:80 signed as localhost: %v", err)
	}
}

func TestVerifyChecksTheClock(t *testing.T) {
	t.Parallel()
	signed := func(t *testing.T) (*http.Request, *Request) {
		req := sdkCases()[0].request(t)
		signWithSDK(t, req, nil, "s3", testCreds)
		r := overTheWire(t, req, nil, false)
		q, err := Parse(r)
		if err != nil {
			t.Fatal(err)
		}
		return r, q
	}
	presigned := func(t *testing.T, expires string) (*http.Request, *Request) {
		req, _ := http.NewRequest("GET", "http://localhost:4588/bucket/k?X-Amz-Expires="+expires, nil)
		r := overTheWire(t, presignWithSDK(t, req, UnsignedPayload, "s3"), nil, false)
		q, err := Parse(r)
		if err != nil {
			t.Fatal(err)
		}
		return r, q
	}
	for _, c := range []struct {
		name    string
		request func(*testing.T) (*http.Request, *Request)
		now     time.Time
		want    Kind
	}{
		{"a header-signed request exactly 15 minutes old is accepted", signed, signedAt.Add(15 * time.Minute), 0},
		{"a header-signed request 15 minutes and 1 second old is too skewed", signed, signedAt.Add(15*time.Minute + time.Second), TimeSkewed},
		{"a header-signed request 16 minutes in the future is too skewed", signed, signedAt.Add(-16 * time.Minute), TimeSkewed},
		{"a presigned URL on its last valid second is accepted", func(t *testing.T) (*http.Request, *Request) { return presigned(t, "60") }, signedAt.Add(60 * time.Second), 0},
		{"a presigned URL one second past its expiry has expired", func(t *testing.T) (*http.Request, *Request) { return presigned(t, "60") }, signedAt.Add(61 * time.Second), Expired},
		{"a week-long presigned URL is accepted six days later", func(t *testing.T) (*http.Request, *Request) { return presigned(t, "604800") }, signedAt.Add(6 * 24 * time.Hour), 0},
		{"a presigned URL dated 20 minutes ahead is not yet valid", func(t *testing.T) (*http.Request, *Request) { return presigned(t, "3600") }, signedAt.Add(-20 * time.Minute), TimeSkewed},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			r, q := c.request(t)
			err := q.Verify(r, testSecret, c.now, "")
			if got := kindOf(err); got != c.want {
				t.Fatalf("Verify = %v, want kind %v", err, c.want)
			}
			if e, ok := err.(*Error); ok && (e.RequestTime.IsZero() || e.ServerTime.IsZero()) {
				t.Errorf("time error lacks RequestTime/ServerTime: %+v", e)
			}
		})
	}
}

func TestVerifyRequiresHostAndDateToBeSigned(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name    string
		headers string
	}{
		{"a signature that leaves host unsigned is malformed", "x-amz-content-sha256;x-amz-date"},
		{"a signature that leaves x-amz-date unsigned is malformed", "host;x-amz-content-sha256"},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			r := readWire(t, "GET /b/k HTTP/1.1\r\nHost: localhost\r\nX-Amz-Date: 20261121T101500Z\r\n"+
				"X-Amz-Content-Sha256: "+EmptySHA256+"\r\nAuthorization: AWS4-HMAC-SHA256 Credential="+testAccessKey+
				"/20261121/us-east-1/s3/aws4_request, SignedHeaders="+c.headers+", Signature="+strings.Repeat("0", 64)+"\r\n\r\n")
			q, err := Parse(r)
			if err != nil {
				t.Fatal(err)
			}
			if err := q.Verify(r, testSecret, serverNow, ""); KindOf(err) != Malformed {
				t.Fatalf("Verify = %v, want Malformed", err)
			}
		})
	}
}

// The seed request of the AWS documentation's chunked upload example
// ("Signature Calculations for the Authorization Header: Transferring
// Payload in Multiple Chunks", Example: PUT Object), byte for byte.
const awsChunkedExampleRequest = "PUT /examplebucket/chunkObject.txt HTTP/1.1\r\n" +
	"Host: s3.amazonaws.com\r\n" +
	"x-amz-date: 20130524T000000Z\r\n" +
	"x-amz-storage-class: REDUCED_REDUNDANCY\r\n" +
	"Authorization: AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,SignedHeaders=content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class,Signature=4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9\r\n" +
	"x-amz-content-sha256: STREAMING-AWS4-HMAC-SHA256-PAYLOAD\r\n" +
	"Content-Encoding: aws-chunked\r\n" +
	"x-amz-decoded-content-length: 66560\r\n" +
	"Content-Length: 66824\r\n\r\n"

var awsExampleTime = time.Date(2013, 5, 24, 0, 0, 30, 0, time.UTC)

func TestVerifyAcceptsTheAWSDocumentationChunkedUploadSeed(t *testing.T) {
	t.Parallel()
	r := readWire(t, awsChunkedExampleRequest)
	q, err := Parse(r)
	if err != nil {
		t.Fatal(err)
	}
	if q.PayloadHash != StreamingPayload || !IsStreaming(q.PayloadHash) {
		t.Fatalf("PayloadHash = %q", q.PayloadHash)
	}
	if err := q.Verify(r, testSecret, awsExampleTime, ""); err != nil {
		t.Fatalf("Verify: %v\n%s", err, debugMismatch(err))
	}
}

func TestCredentialSetVerify(t *testing.T) {
	t.Parallel()
	set, err := NewCredentialSet([]Credential{{testAccessKey, testSecret, testAccount}})
	if err != nil {
		t.Fatal(err)
	}
	signed := func(t *testing.T, creds aws.Credentials) *http.Request {
		req := sdkCases()[0].request(t)
		signWithSDK(t, req, nil, "s3", creds)
		return overTheWire(t, req, nil, false)
	}
	t.Run("an anonymous request is missing authentication", func(t *testing.T) {
		t.Parallel()
		r := readWire(t, "GET /b/k HTTP/1.1\r\nHost: localhost\r\n\r\n")
		q, err := Parse(r)
		if q != nil || err != nil {
			t.Fatalf("Parse = %v, %v; want nil, nil", q, err)
		}
		if _, err := set.Verify(r, q, serverNow, ""); KindOf(err) != Missing {
			t.Fatalf("Verify = %v, want Missing", err)
		}
	})
	t.Run("a request signed with an unknown key is refused as such", func(t *testing.T) {
		t.Parallel()
		r := signed(t, aws.Credentials{AccessKeyID: "AKIAUNKNOWN", SecretAccessKey: "x"})
		q, _ := Parse(r)
		_, err := set.Verify(r, q, serverNow, "")
		if KindOf(err) != UnknownAccessKey || err.(*Error).AccessKeyID != "AKIAUNKNOWN" {
			t.Fatalf("Verify = %v, want UnknownAccessKey naming the key", err)
		}
	})
	t.Run("a request signed with a known key returns its account", func(t *testing.T) {
		t.Parallel()
		r := signed(t, testCreds)
		q, _ := Parse(r)
		cred, err := set.Verify(r, q, serverNow, "")
		if err != nil || cred.AccountID != testAccount {
			t.Fatalf("Verify = %+v, %v", cred, err)
		}
	})
}

func TestSigningKeyCacheStaysBounded(t *testing.T) {
	scope := Scope{Date: "20261121", Region: "us-east-1", Service: "s3"}
	first := SigningKey("secret-0", scope)
	if again := SigningKey("secret-0", scope); &again[0] != &first[0] {
		t.Error("a second derivation of the same key was not served from the cache")
	}
	for i := range keyCacheSize * 2 {
		SigningKey("secret-"+string(rune('a'+i%26))+"-"+time.Duration(i).String(), scope)
	}
	keys.mu.Lock()
	n := len(keys.m)
	keys.mu.Unlock()
	if n > keyCacheSize {
		t.Fatalf("cache holds %d keys, bound is %d", n, keyCacheSize)
	}
}
