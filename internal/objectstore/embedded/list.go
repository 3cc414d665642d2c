package embedded

import (
	"context"
	"strings"

	"github.com/jobplane/jobplane/internal/objectstore"
	"github.com/jobplane/jobplane/internal/store"
)

// listPage bounds one metadata query of a listing.
const listPage = 1000

// grouper folds keys into common prefixes as S3 does: the part of a key after
// the prefix up to and including the first delimiter. A listing that resumes
// from a marker inside a common prefix does not list that prefix again (S3's
// NextMarker is the last key or common prefix of a page).
type grouper struct {
	prefix, delimiter string
	last              string // the last common prefix emitted
}

// group returns the common prefix of key, or "".
func (g *grouper) group(key string) string {
	if g.delimiter == "" || !strings.HasPrefix(key, g.prefix) {
		return ""
	}
	rest := key[len(g.prefix):]
	i := strings.Index(rest, g.delimiter)
	if i < 0 {
		return ""
	}
	return g.prefix + rest[:i+len(g.delimiter)]
}

// inLast reports whether key falls in the last common prefix emitted, which
// a listing skips.
func (g *grouper) inLast(key string) bool {
	return g.last != "" && strings.HasPrefix(key, g.last)
}

// skipTo is the first key after every key starting with cp, or "" when
// nothing can follow.
func skipTo(cp string) string {
	b := []byte(cp)
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] < 0xff {
			b[i]++
			return string(b[:i+1])
		}
	}
	return ""
}

// ListObjects implements objectstore.Store.
func (s *Store) ListObjects(ctx context.Context, in objectstore.ListObjectsInput) (objectstore.ListObjectsResult, error) {
	var res objectstore.ListObjectsResult
	// The bucket's versioning state only decides whether version ids show:
	// the cached bucket is good enough for that.
	b, err := s.HeadBucket(ctx, in.Bucket)
	if err != nil || in.MaxKeys <= 0 {
		return res, err
	}
	g := &grouper{prefix: in.Prefix, delimiter: in.Delimiter}
	q := store.VersionQuery{Prefix: in.Prefix, From: in.StartAfter, FromExclusive: true, CurrentOnly: true}
	if cp := g.group(in.StartAfter); cp != "" {
		if q.From = skipTo(cp); q.From == "" {
			return res, nil
		}
		q.FromExclusive = false
	}
	count := 0
	for {
		q.Limit = listPage
		vs, err := s.meta.ListVersions(ctx, in.Bucket, q)
		if err != nil {
			return res, mapErr(err, in.Bucket, "", "")
		}
		if len(vs) == 0 {
			return res, nil
		}
		for _, v := range vs {
			if g.inLast(v.Key) {
				continue
			}
			if count == in.MaxKeys {
				res.IsTruncated = true
				return res, nil
			}
			if cp := g.group(v.Key); cp != "" {
				g.last = cp
				res.CommonPrefixes = append(res.CommonPrefixes, cp)
				res.Next = cp
			} else {
				a, err := decodeAttrs(v)
				if err != nil {
					return res, err
				}
				res.Objects = append(res.Objects, info(b.Versioning, v, a))
				res.Next = v.Key
			}
			count++
		}
		last := vs[len(vs)-1].Key
		q.From, q.FromExclusive = last, true
		if g.inLast(last) {
			if q.From = skipTo(g.last); q.From == "" {
				return res, nil
			}
			q.FromExclusive = false
		}
		if len(vs) < listPage {
			return res, nil
		}
	}
}

// ListObjectVersions implements objectstore.Store.
func (s *Store) ListObjectVersions(ctx context.Context, in objectstore.ListVersionsInput) (objectstore.ListVersionsResult, error) {
	var res objectstore.ListVersionsResult
	b, err := s.HeadBucket(ctx, in.Bucket)
	if err != nil {
		return res, err
	}
	if in.VersionIDMarker != "" && in.KeyMarker == "" {
		return res, objectstore.ErrInvalidArgument("A version-id marker cannot be specified without a key marker.", "version-id-marker", in.VersionIDMarker)
	}
	if in.MaxKeys <= 0 {
		return res, nil
	}
	g := &grouper{prefix: in.Prefix, delimiter: in.Delimiter}
	q := store.VersionQuery{Prefix: in.Prefix, From: in.KeyMarker, FromExclusive: in.KeyMarker != ""}
	if in.VersionIDMarker != "" {
		mv, err := s.meta.GetVersion(ctx, in.Bucket, in.KeyMarker, in.VersionIDMarker)
		if err != nil {
			return res, objectstore.ErrInvalidArgument("Invalid version id specified", "version-id-marker", in.VersionIDMarker)
		}
		q.BeforeSeq, q.FromExclusive = mv.Seq, false
	}
	if cp := g.group(in.KeyMarker); cp != "" {
		if q.From = skipTo(cp); q.From == "" {
			return res, nil
		}
		q.FromExclusive, q.BeforeSeq = false, 0
	}
	count := 0
	for {
		q.Limit = listPage
		vs, err := s.meta.ListVersions(ctx, in.Bucket, q)
		if err != nil {
			return res, mapErr(err, in.Bucket, "", "")
		}
		for _, v := range vs {
			if g.inLast(v.Key) {
				continue
			}
			if count == in.MaxKeys {
				res.IsTruncated = true
				return res, nil
			}
			if cp := g.group(v.Key); cp != "" {
				g.last = cp
				res.CommonPrefixes = append(res.CommonPrefixes, cp)
				res.NextKeyMarker, res.NextVersionIDMarker = cp, ""
			} else {
				a, err := decodeAttrs(v)
				if err != nil {
					return res, err
				}
				oi := info(b.Versioning, v, a)
				oi.VersionID = v.VersionID // listings show "null" even for unversioned buckets
				res.Versions = append(res.Versions, oi)
				res.NextKeyMarker, res.NextVersionIDMarker = v.Key, v.VersionID
			}
			count++
		}
		if len(vs) < listPage {
			return res, nil
		}
		lastV := vs[len(vs)-1]
		q.From, q.FromExclusive, q.BeforeSeq = lastV.Key, false, lastV.Seq
		if g.inLast(lastV.Key) {
			if q.From = skipTo(g.last); q.From == "" {
				return res, nil
			}
			q.BeforeSeq = 0
		}
	}
}
