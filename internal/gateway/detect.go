package gateway

import (
	"net"
	"net/http"
	"net/url"
	"strings"
)

// Target is the API a request is for, as detected from its shape alone.
type Target uint8

// Detection results, in the order Detect tries them.
const (
	TargetNone Target = iota
	// TargetJobplane is jobplane's own endpoints under /_jobplane/.
	TargetJobplane
	// TargetSnowballCBOR is Snowball over Smithy RPC v2 CBOR.
	TargetSnowballCBOR
	// TargetSnowballJSON is Snowball over awsJson1_1 (or an unknown
	// X-Amz-Target, which the JSON codec answers).
	TargetSnowballJSON
	// TargetS3Control is the S3 Control API (path prefix /v20180820/).
	TargetS3Control
	// TargetS3 is everything else: the S3 API.
	TargetS3
)

var targetNames = [...]string{"none", "jobplane", "snowball", "snowball", "s3control", "s3"}

func (t Target) String() string { return targetNames[t] }

// snowballService are the service segments an RPC v2 CBOR path may carry: the
// shape name, and the absolute shape id with '#' replaced by '.'
// (spec/snowball.md §1.3).
var snowballService = map[string]bool{
	"AWSIESnowballJobManagementService":                        true,
	"com.amazonaws.snowball.AWSIESnowballJobManagementService": true,
}

// Detect decides which API a request is for, in a fixed order:
//
//  1. /_jobplane/... is jobplane's own (no S3 bucket name can start with '_');
//  2. a Smithy-Protocol header, or a path ending in
//     /service/<snowball service>/operation/<op>, is Snowball RPC v2 CBOR;
//  3. an X-Amz-Target header is an awsJson request (Snowball);
//  4. a path under /v20180820/ is S3 Control, whatever the Host says: SDKs
//     prefix the host with {AccountId}. even for custom endpoints;
//  5. anything else is S3.
//
// It reads only the request line and headers, never the body.
func Detect(r *http.Request) Target {
	path := r.URL.Path
	switch {
	case strings.HasPrefix(path, "/_jobplane/") || path == "/_jobplane":
		return TargetJobplane
	case r.Header.Get("Smithy-Protocol") != "" || isCBORPath(path):
		return TargetSnowballCBOR
	case r.Header.Get("X-Amz-Target") != "":
		return TargetSnowballJSON
	case strings.HasPrefix(path, "/v20180820/") || path == "/v20180820":
		return TargetS3Control
	}
	return TargetS3
}

// isCBORPath reports whether the last four segments of path are
// service/<snowball service>/operation/<op>.
func isCBORPath(path string) bool {
	segs := strings.Split(strings.TrimSuffix(path, "/"), "/")
	n := len(segs)
	if n < 4 {
		return false
	}
	return segs[n-4] == "service" && snowballService[segs[n-3]] && segs[n-2] == "operation" && segs[n-1] != ""
}

// virtualHostBucket returns the bucket a virtual-hosted-style S3 request
// names in its Host (bucket.<s3Domain>), or "" for a path-style request.
func virtualHostBucket(host, s3Domain string) string {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	suffix := "." + strings.ToLower(s3Domain)
	if s3Domain == "" || !strings.HasSuffix(host, suffix) {
		return ""
	}
	return strings.TrimSuffix(host, suffix)
}

// toPathStyle rewrites a virtual-hosted-style request into the path-style
// form the S3 router matches: /bucket/key. It returns r itself when the
// request is already path-style.
func toPathStyle(r *http.Request, s3Domain string) *http.Request {
	bucket := virtualHostBucket(r.Host, s3Domain)
	if bucket == "" {
		return r
	}
	u := *r.URL
	u.Path = "/" + bucket + r.URL.Path
	if r.URL.RawPath != "" {
		u.RawPath = "/" + url.PathEscape(bucket) + r.URL.RawPath
	}
	r2 := r.Clone(r.Context())
	r2.URL = &u
	return r2
}
