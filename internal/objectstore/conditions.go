package objectstore

import (
	"strconv"
	"strings"
	"time"
)

// Check evaluates the conditions of a read (GetObject, HeadObject) against
// a version, in S3's order (Amazon S3 API Reference, GetObject: "If both of
// the If-Match and If-Unmodified-Since headers are present ... If-Match
// evaluates to true and If-Unmodified-Since to false, then S3 returns 200";
// "If-None-Match evaluates to false and If-Modified-Since to true: 304").
// Times compare at the one-second precision of HTTP dates.
func (c Conditions) Check(etag string, lastModified time.Time) error {
	lm := lastModified.Truncate(time.Second)
	if c.IfMatch != "" {
		if !ETagMatches(c.IfMatch, etag) {
			return ErrPreconditionFailed("If-Match")
		}
	} else if c.IfUnmodifiedSince != nil && lm.After(*c.IfUnmodifiedSince) {
		return ErrPreconditionFailed("If-Unmodified-Since")
	}
	if c.IfNoneMatch != "" {
		if ETagMatches(c.IfNoneMatch, etag) {
			return ErrNotModified(etag, lastModified)
		}
	} else if c.IfModifiedSince != nil && !lm.After(*c.IfModifiedSince) {
		return ErrNotModified(etag, lastModified)
	}
	return nil
}

// CheckCopy evaluates the x-amz-copy-source-if-* conditions of a copy: the
// same rules as Check, except that every failure is 412 PreconditionFailed
// (Amazon S3 API Reference, CopyObject).
func (c Conditions) CheckCopy(etag string, lastModified time.Time) error {
	err := c.Check(etag, lastModified)
	if Code(err) == CodeNotModified {
		cond := "x-amz-copy-source-If-None-Match"
		if c.IfNoneMatch == "" {
			cond = "x-amz-copy-source-If-Modified-Since"
		}
		return ErrPreconditionFailed(cond)
	}
	if err != nil {
		cond := "x-amz-copy-source-If-Match"
		if c.IfMatch == "" {
			cond = "x-amz-copy-source-If-Unmodified-Since"
		}
		return ErrPreconditionFailed(cond)
	}
	return nil
}

// CheckWrite evaluates the If-Match and If-None-Match of a conditional write
// (PutObject, CompleteMultipartUpload) against the current version, nil when
// there is none (Amazon S3 User Guide, "How to prevent object overwrites
// with conditional writes").
func CheckWrite(ifMatch, ifNoneMatch string, current *ObjectInfo, key string) error {
	exists := current != nil && !current.DeleteMarker
	if ifNoneMatch != "" && exists && (strings.TrimSpace(ifNoneMatch) == "*" || ETagMatches(ifNoneMatch, current.ETag)) {
		return ErrPreconditionFailed("If-None-Match")
	}
	if ifMatch != "" {
		if !exists {
			return ErrNoSuchKey(key)
		}
		if !ETagMatches(ifMatch, current.ETag) {
			return ErrPreconditionFailed("If-Match")
		}
	}
	return nil
}

// ETagMatches reports whether a comma-separated list of entity tags (or
// "*") matches etag, quotes and weak prefixes aside.
func ETagMatches(list, etag string) bool {
	want := unquote(etag)
	for item := range strings.SplitSeq(list, ",") {
		item = strings.TrimSpace(item)
		if item == "*" {
			return true
		}
		if unquote(strings.TrimPrefix(item, "W/")) == want {
			return true
		}
	}
	return false
}

func unquote(s string) string {
	s = strings.TrimSpace(s)
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		return s[1 : len(s)-1]
	}
	return s
}

// ParseRange resolves an HTTP Range header against an object of size bytes.
// It returns nil (the whole object) for an empty header and for one S3
// ignores: not a single "bytes=" range, or syntactically invalid (RFC 7233
// §3.1: an invalid range is ignored). A range starting at or past the end,
// or a zero-length suffix, is ErrInvalidRange.
func ParseRange(h string, size int64) (*ByteRange, error) {
	spec, ok := strings.CutPrefix(strings.TrimSpace(h), "bytes=")
	if !ok || strings.Contains(spec, ",") {
		return nil, nil
	}
	first, last, ok := strings.Cut(strings.TrimSpace(spec), "-")
	if !ok {
		return nil, nil
	}
	if first == "" {
		n, err := strconv.ParseInt(last, 10, 64)
		if err != nil || n < 0 {
			return nil, nil
		}
		if n == 0 {
			return nil, ErrInvalidRange(h, size)
		}
		if size == 0 {
			return nil, nil
		}
		n = min(n, size)
		return &ByteRange{First: size - n, Last: size - 1, Size: size}, nil
	}
	f, err := strconv.ParseInt(first, 10, 64)
	if err != nil || f < 0 {
		return nil, nil
	}
	l := size - 1
	if last != "" {
		if l, err = strconv.ParseInt(last, 10, 64); err != nil || l < f {
			return nil, nil
		}
		l = min(l, size-1)
	}
	if f >= size {
		return nil, ErrInvalidRange(h, size)
	}
	return &ByteRange{First: f, Last: l, Size: size}, nil
}

// ParseCopySourceRange parses x-amz-copy-source-range ("bytes=first-last",
// both required) against a source of size bytes.
func ParseCopySourceRange(h string, size int64) (*ByteRange, error) {
	if h == "" {
		return nil, nil
	}
	bad := ErrInvalidArgument("The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy",
		"x-amz-copy-source-range", h)
	spec, ok := strings.CutPrefix(h, "bytes=")
	if !ok {
		return nil, bad
	}
	a, b, ok := strings.Cut(spec, "-")
	f, err1 := strconv.ParseInt(a, 10, 64)
	l, err2 := strconv.ParseInt(b, 10, 64)
	if !ok || err1 != nil || err2 != nil || f < 0 || l < f {
		return nil, bad
	}
	if l >= size {
		return nil, ErrInvalidArgument("Range specified is not valid for source object of size: "+strconv.FormatInt(size, 10),
			"x-amz-copy-source-range", h)
	}
	return &ByteRange{First: f, Last: l, Size: size}, nil
}
