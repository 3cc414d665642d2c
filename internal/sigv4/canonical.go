package sigv4

import (
	"cmp"
	"net/http"
	"net/textproto"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// This file builds the canonical request of "Create a signed AWS API
// request", step 1, from a request as the server received it.

const upperHex = "0123456789ABCDEF"

// unreserved reports the RFC 3986 unreserved characters, the only ones
// SigV4 leaves unencoded.
func unreserved(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' ||
		c == '-' || c == '_' || c == '.' || c == '~'
}

// appendEncoded URI-encodes s the SigV4 way: every byte but the unreserved
// ones (and '/', when keepSlash) as %XX with uppercase hex.
func appendEncoded(dst []byte, s string, keepSlash bool) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if unreserved(c) || keepSlash && c == '/' {
			dst = append(dst, c)
		} else {
			dst = append(dst, '%', upperHex[c>>4], upperHex[c&15])
		}
	}
	return dst
}

// requestTarget returns the path and raw query of r as they were on the
// wire. The server's RequestURI is preferred over r.URL so that a gateway
// which rewrites r.URL (to strip a prefix, say) does not change what is
// verified, and because it keeps the exact escaping the client signed.
// An absolute-form target ("http://host:port/path?q", sent to a proxy) is
// cut down to its path.
func requestTarget(r *http.Request) (path, query string) {
	u := r.RequestURI
	if u == "" || u == "*" {
		return clientPath(r.URL), r.URL.RawQuery
	}
	if u[0] != '/' {
		if i := strings.Index(u, "://"); i >= 0 {
			u = u[i+3:]
			if j := strings.IndexAny(u, "/?"); j >= 0 {
				u = u[j:]
			} else {
				u = ""
			}
		}
	}
	path, query, _ = strings.Cut(u, "?")
	if path == "" {
		path = "/"
	}
	return path, query
}

// clientPath is the escaped path of a request built in this process (tests,
// or a request that never went over the wire), read the way SDK signers
// read it, including the URL.Opaque form they document.
func clientPath(u *url.URL) string {
	var p string
	if u.Opaque != "" {
		o, _, _ := strings.Cut(u.Opaque, "?")
		o = strings.TrimPrefix(o, "//")
		if i := strings.IndexByte(o, '/'); i >= 0 {
			p = o[i:]
		}
	} else {
		p = u.EscapedPath()
	}
	if p == "" {
		p = "/"
	}
	return p
}

// appendCanonicalURI appends the canonical URI. For S3 (service "s3", which
// S3 Control also signs with) it is the path exactly as sent: clients encode
// each key once and sign that, and S3 does not normalize ("Authenticating
// Requests (AWS Signature Version 4)", S3 API reference). Every other
// service normalizes the path (dot segments and empty segments removed) and
// encodes the already-encoded path a second time.
func appendCanonicalURI(dst []byte, service, rawPath string) []byte {
	if service == "s3" {
		return append(dst, rawPath...)
	}
	return appendEncoded(dst, normalizePath(rawPath), true)
}

// normalizePath removes "." and ".." segments (RFC 3986, 5.2.4) and the
// empty segments of consecutive slashes, keeping a trailing slash.
func normalizePath(p string) string {
	if !strings.Contains(p, "//") && !strings.Contains(p, "/.") {
		return p
	}
	var out []string
	for seg := range strings.SplitSeq(p, "/") {
		switch seg {
		case "", ".":
		case "..":
			if len(out) > 0 {
				out = out[:len(out)-1]
			}
		default:
			out = append(out, seg)
		}
	}
	s := "/" + strings.Join(out, "/")
	if strings.HasSuffix(p, "/") && len(out) > 0 {
		s += "/"
	}
	return s
}

type queryPair struct{ key, value string }

// appendCanonicalQuery appends the canonical query string: every parameter
// decoded, re-encoded per RFC 3986 (so "+" and "%20" both become %20 and
// hex is uppercase), sorted by key and then value. X-Amz-Signature is left
// out when the signature came from the query.
func appendCanonicalQuery(dst []byte, raw string, presigned bool) []byte {
	if raw == "" {
		return dst
	}
	var stack [16]queryPair
	pairs := stack[:0]
	for part := range strings.SplitSeq(raw, "&") {
		if part == "" {
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		k, v = canonicalQueryComponent(k), canonicalQueryComponent(v)
		if presigned && k == "X-Amz-Signature" {
			continue
		}
		pairs = append(pairs, queryPair{k, v})
	}
	slices.SortFunc(pairs, func(a, b queryPair) int {
		if c := strings.Compare(a.key, b.key); c != 0 {
			return c
		}
		return strings.Compare(a.value, b.value)
	})
	for i, p := range pairs {
		if i > 0 {
			dst = append(dst, '&')
		}
		dst = append(dst, p.key...)
		dst = append(dst, '=')
		dst = append(dst, p.value...)
	}
	return dst
}

// canonicalQueryComponent re-encodes one raw key or value. Most components
// are already canonical, and those are returned without allocating.
func canonicalQueryComponent(s string) string {
	clean := true
	for i := 0; i < len(s); i++ {
		if !unreserved(s[i]) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	decoded, err := url.QueryUnescape(s)
	if err != nil {
		// A stray '%' that is not an escape is taken literally; the
		// client's signer would have had to encode it as %25.
		decoded = s
	}
	return string(appendEncoded(make([]byte, 0, len(decoded)+8), decoded, false))
}

// appendCanonicalHeaders appends "name:value\n" for every signed header.
// host comes from r.Host (for an absolute-form request Go puts the target's
// host there, which is what a client signs); content-length and
// transfer-encoding come from the fields Go moves them to.
func appendCanonicalHeaders(dst []byte, r *http.Request, host string, names []string) []byte {
	for _, name := range names {
		dst = append(dst, name...)
		dst = append(dst, ':')
		switch name {
		case "host":
			dst = appendTrimmed(dst, host)
		case "content-length":
			if v, ok := r.Header["Content-Length"]; ok {
				dst = appendValues(dst, v)
			} else if r.ContentLength > 0 {
				dst = strconv.AppendInt(dst, r.ContentLength, 10)
			}
		case "transfer-encoding":
			if v, ok := r.Header["Transfer-Encoding"]; ok {
				dst = appendValues(dst, v)
			} else {
				dst = appendValues(dst, r.TransferEncoding)
			}
		default:
			dst = appendValues(dst, r.Header[textproto.CanonicalMIMEHeaderKey(name)])
		}
		dst = append(dst, '\n')
	}
	return dst
}

// appendValues joins a header's values with commas, each trimmed and with
// runs of spaces collapsed ("Trimall" in the SigV4 specification).
func appendValues(dst []byte, values []string) []byte {
	for i, v := range values {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendTrimmed(dst, v)
	}
	return dst
}

func appendTrimmed(dst []byte, v string) []byte {
	v = strings.Trim(v, " \t")
	space := false
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c == ' ' {
			if space {
				continue
			}
			space = true
		} else {
			space = false
		}
		dst = append(dst, c)
	}
	return dst
}

// requestHost is the host a client signed: r.Host on the server, the URL's
// host for a request built in-process.
func requestHost(r *http.Request) string {
	return cmp.Or(r.Host, r.URL.Host)
}

// withoutDefaultPort strips ":80" or ":443", which SDK signers drop from the
// signed host even when the Host header carries them.
func withoutDefaultPort(host string) (string, bool) {
	for _, port := range [...]string{":80", ":443"} {
		h, ok := strings.CutSuffix(host, port)
		// What remains must be a bare name or a bracketed IPv6 address,
		// not "host:4588" with a second port tacked on.
		if ok && h != "" && (h[len(h)-1] == ']' || !strings.Contains(h, ":")) {
			return h, true
		}
	}
	return host, false
}
