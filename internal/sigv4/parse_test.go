package sigv4

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

const goodCredential = "AKIAIOSFODNN7EXAMPLE/20261121/us-east-1/s3/aws4_request"

var goodSignature = strings.Repeat("ab", 32)

// headerRequest builds a server-side request carrying auth and extra header lines.
func headerRequest(t *testing.T, target, auth string, extra ...string) *http.Request {
	raw := "GET " + target + " HTTP/1.1\r\nHost: localhost:4588\r\n"
	if auth != "" {
		raw += "Authorization: " + auth + "\r\n"
	}
	for _, h := range extra {
		raw += h + "\r\n"
	}
	return readWire(t, raw+"\r\n")
}

func authHeader(credential, signedHeaders, signature string) string {
	return "AWS4-HMAC-SHA256 Credential=" + credential + ", SignedHeaders=" + signedHeaders + ", Signature=" + signature
}

func TestParseFindsNoSignatureOnAnonymousRequests(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ name, target string }{
		{"a request without auth or query is anonymous", "/bucket/key"},
		{"a request whose query mentions other X-Amz- parameters is anonymous", "/bucket/key?X-Amz-Expires=60&x-id=GetObject"},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			q, err := Parse(headerRequest(t, c.target, ""))
			if q != nil || err != nil {
				t.Fatalf("Parse = %+v, %v; want nil, nil", q, err)
			}
		})
	}
}

func TestParseExtractsTheHeaderSignature(t *testing.T) {
	t.Parallel()
	r := headerRequest(t, "/b/k", "AWS4-HMAC-SHA256 Credential="+goodCredential+",SignedHeaders=host;x-amz-content-sha256;x-amz-date,Signature="+goodSignature,
		"X-Amz-Date: 20261121T101500Z", "X-Amz-Content-Sha256: "+StreamingUnsignedPayloadTrailer, "X-Amz-Security-Token: tok")
	q, err := Parse(r)
	if err != nil {
		t.Fatal(err)
	}
	want := Scope{Date: "20261121", Region: "us-east-1", Service: "s3"}
	if q.AccessKeyID != testAccessKey || q.Scope != want || q.Signature != goodSignature || q.Presigned ||
		q.AmzDate != "20261121T101500Z" || !q.Time.Equal(signedAt) || q.SecurityToken != "tok" ||
		q.PayloadHash != StreamingUnsignedPayloadTrailer || strings.Join(q.SignedHeaders, ";") != "host;x-amz-content-sha256;x-amz-date" {
		t.Fatalf("Parse got %+v", q)
	}
	if q.Scope.String() != "20261121/us-east-1/s3/aws4_request" {
		t.Errorf("Scope.String() = %q", q.Scope.String())
	}
}

func TestParseExtractsThePresignedSignature(t *testing.T) {
	t.Parallel()
	r := headerRequest(t, "/b/k?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20261121%2Feu-west-1%2Fs3%2Faws4_request"+
		"&X-Amz-Date=20261121T101500Z&X-Amz-Expires=3600&X-Amz-SignedHeaders=host&X-Amz-Signature="+goodSignature+"&X-Amz-Security-Token=tok", "")
	q, err := Parse(r)
	if err != nil {
		t.Fatal(err)
	}
	if !q.Presigned || q.Expires != time.Hour || q.Scope.Region != "eu-west-1" || q.PayloadHash != UnsignedPayload ||
		q.SecurityToken != "tok" || q.Signature != goodSignature || q.NeedsBodyHash() {
		t.Fatalf("Parse got %+v", q)
	}
}

func TestParseTakesTheTimeFromTheDateHeaderWhenXAmzDateIsAbsent(t *testing.T) {
	t.Parallel()
	r := headerRequest(t, "/", authHeader(goodCredential, "date;host", goodSignature), "Date: Sat, 21 Nov 2026 10:15:00 GMT")
	q, err := Parse(r)
	if err != nil {
		t.Fatal(err)
	}
	if q.AmzDate != "20261121T101500Z" || q.dateHeader != "date" {
		t.Fatalf("Parse got %+v", q)
	}
}

func TestParseRejectsMalformedAuthorization(t *testing.T) {
	t.Parallel()
	date := "X-Amz-Date: 20261121T101500Z"
	presign := func(params string) string { return "/b/k?" + params }
	full := "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=" + strings.ReplaceAll(goodCredential, "/", "%2F") +
		"&X-Amz-Date=20261121T101500Z&X-Amz-SignedHeaders=host&X-Amz-Signature=" + goodSignature
	for _, c := range []struct {
		name   string
		target string
		auth   string
		extra  []string
	}{
		{name: "a SigV2 header is malformed", auth: "AWS AKIAIOSFODNN7EXAMPLE:frJIUN8DYpKDtOLCwo//yllqDzg="},
		{name: "a SigV4a header is malformed", auth: "AWS4-ECDSA-P256-SHA256 Credential=" + goodCredential + ", SignedHeaders=host, Signature=" + goodSignature, extra: []string{date}},
		{name: "the algorithm glued to the credential is malformed", auth: "AWS4-HMAC-SHA256Credential=" + goodCredential, extra: []string{date}},
		{name: "a header without Credential is malformed", auth: "AWS4-HMAC-SHA256 SignedHeaders=host, Signature=" + goodSignature, extra: []string{date}},
		{name: "a header without Signature is malformed", auth: "AWS4-HMAC-SHA256 Credential=" + goodCredential + ", SignedHeaders=host", extra: []string{date}},
		{name: "a header without SignedHeaders is malformed", auth: "AWS4-HMAC-SHA256 Credential=" + goodCredential + ", Signature=" + goodSignature, extra: []string{date}},
		{name: "a header with an unknown component is malformed", auth: authHeader(goodCredential, "host", goodSignature) + ", Foo=bar", extra: []string{date}},
		{name: "a header that repeats Signature is malformed", auth: authHeader(goodCredential, "host", goodSignature) + ", Signature=" + goodSignature, extra: []string{date}},
		{name: "a component without '=' is malformed", auth: authHeader(goodCredential, "host", goodSignature) + ", junk", extra: []string{date}},
		{name: "a scope with four parts is malformed", auth: authHeader("AKID/20261121/us-east-1/aws4_request", "host", goodSignature), extra: []string{date}},
		{name: "a scope with six parts is malformed", auth: authHeader("AKID/20261121/us-east-1/s3/x/aws4_request", "host", goodSignature), extra: []string{date}},
		{name: "a scope with the wrong terminator is malformed", auth: authHeader("AKID/20261121/us-east-1/s3/aws5_request", "host", goodSignature), extra: []string{date}},
		{name: "a scope with a bad date is malformed", auth: authHeader("AKID/2026-11-21/us-east-1/s3/aws4_request", "host", goodSignature), extra: []string{date}},
		{name: "a scope with an empty region is malformed", auth: authHeader("AKID/20261121//s3/aws4_request", "host", goodSignature), extra: []string{date}},
		{name: "a scope with an empty access key is malformed", auth: authHeader("/20261121/us-east-1/s3/aws4_request", "host", goodSignature), extra: []string{date}},
		{name: "a scope date other than the X-Amz-Date date is malformed", auth: authHeader(goodCredential, "host", goodSignature), extra: []string{"X-Amz-Date: 20261122T000000Z"}},
		{name: "a request without any date is malformed", auth: authHeader(goodCredential, "host", goodSignature)},
		{name: "an X-Amz-Date in extended ISO format is malformed", auth: authHeader(goodCredential, "host", goodSignature), extra: []string{"X-Amz-Date: 2026-11-21T10:15:00Z"}},
		{name: "an X-Amz-Date on the 31st of November is malformed", auth: authHeader("AKID/20261131/us-east-1/s3/aws4_request", "host", goodSignature), extra: []string{"X-Amz-Date: 20261131T101500Z"}},
		{name: "an unparseable Date header is malformed", auth: authHeader(goodCredential, "host", goodSignature), extra: []string{"Date: yesterday"}},
		{name: "uppercase SignedHeaders are malformed", auth: authHeader(goodCredential, "Host;x-amz-date", goodSignature), extra: []string{date}},
		{name: "SignedHeaders with an empty name are malformed", auth: authHeader(goodCredential, "host;;x-amz-date", goodSignature), extra: []string{date}},
		{name: "an X-Amz-Content-Sha256 that is neither a hash nor a keyword is malformed", auth: authHeader(goodCredential, "host", goodSignature), extra: []string{date, "X-Amz-Content-Sha256: abc"}},
		{name: "a request signed both ways is malformed", target: presign(full + "&X-Amz-Expires=60"), auth: authHeader(goodCredential, "host", goodSignature), extra: []string{date}},
		{name: "a presigned URL with another algorithm is malformed", target: presign(strings.Replace(full, "AWS4-HMAC-SHA256", "AWS4-HMAC-SHA1", 1) + "&X-Amz-Expires=60")},
		{name: "a presigned S3 URL without X-Amz-Expires is malformed", target: presign(full)},
		{name: "a presigned URL without X-Amz-Signature is malformed", target: presign(strings.Replace(full, "X-Amz-Signature", "X-Amz-Other", 1) + "&X-Amz-Expires=60")},
		{name: "a presigned URL without X-Amz-Date is malformed", target: presign(strings.Replace(full, "X-Amz-Date", "X-Amz-Other", 1) + "&X-Amz-Expires=60")},
		{name: "a presigned URL without X-Amz-SignedHeaders is malformed", target: presign(strings.Replace(full, "X-Amz-SignedHeaders", "X-Amz-Other", 1) + "&X-Amz-Expires=60")},
		{name: "a presigned URL expiring after zero seconds is malformed", target: presign(full + "&X-Amz-Expires=0")},
		{name: "a presigned URL expiring after a week and a second is malformed", target: presign(full + "&X-Amz-Expires=604801")},
		{name: "a presigned URL with a negative expiry is malformed", target: presign(full + "&X-Amz-Expires=-5")},
		{name: "a presigned URL with a non-numeric expiry is malformed", target: presign(full + "&X-Amz-Expires=soon")},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			target := c.target
			if target == "" {
				target = "/b/k"
			}
			q, err := Parse(headerRequest(t, target, c.auth, c.extra...))
			if q != nil || KindOf(err) != Malformed {
				t.Fatalf("Parse = %+v, %v; want Malformed", q, err)
			}
		})
	}
}

func TestParseAmzDate(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		in string
		ok bool
	}{
		{"20261121T101500Z", true},
		{"20240229T235959Z", true},
		{"20250229T000000Z", false},
		{"20261121T246000Z", false},
		{"20261121T101500", false},
		{"2026112XT101500Z", false},
		{"20261121 101500Z", false},
	} {
		t.Run(c.in+" parses only if it is a real instant", func(t *testing.T) {
			_, ok := parseAmzDate(c.in)
			if ok != c.ok {
				t.Fatalf("parseAmzDate(%q) ok = %v, want %v", c.in, ok, c.ok)
			}
		})
	}
}

// FuzzParse checks that no Authorization header or query string panics
// Parse or Verify, and that Parse fails only with Malformed.
func FuzzParse(f *testing.F) {
	f.Add(authHeader(goodCredential, "host;x-amz-date", goodSignature), "", "20261121T101500Z")
	f.Add("", "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=A%2F20261121%2Fr%2Fs3%2Faws4_request&X-Amz-Date=20261121T101500Z&X-Amz-Expires=9&X-Amz-SignedHeaders=host&X-Amz-Signature=00", "")
	f.Add("AWS4-HMAC-SHA256 Credential=/////, SignedHeaders=;, Signature=", "a=%zz&&b", "x")
	f.Fuzz(func(t *testing.T, auth, query, date string) {
		r, err := http.NewRequest("GET", "http://localhost/b/k", nil)
		if err != nil {
			t.Skip()
		}
		r.URL.RawQuery = query
		r.Header["Authorization"] = []string{auth}
		r.Header["X-Amz-Date"] = []string{date}
		q, err := Parse(r)
		if err != nil {
			if KindOf(err) != Malformed {
				t.Fatalf("Parse failed with %v, want Malformed", err)
			}
			return
		}
		if q != nil {
			_ = q.Verify(r, testSecret, serverNow, "")
		}
	})
}
