package objectstore_test

import (
	"bytes"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/jobplane/jobplane/internal/objectstore"
)

func code(err error) string { return objectstore.Code(err) }

func TestBucketNamesFollowS3Rules(t *testing.T) {
	t.Parallel()
	for name, ok := range map[string]bool{
		"abc": true, "my.bucket-1": true, strings.Repeat("a", 63): true,
		"ab": false, strings.Repeat("a", 64): false, "Upper": false, "under_score": false, "-start": false, "end-": false,
		"a..b": false, "192.168.1.1": false, "xn--abc": false, "abc-s3alias": false, "sthree-x": false, "b--x-s3": false,
	} {
		if got := objectstore.ValidBucketName(name); got != ok {
			t.Errorf("ValidBucketName(%q) = %v, want %v", name, got, ok)
		}
	}
}

func TestTagSetsFollowS3Rules(t *testing.T) {
	t.Parallel()
	eleven := make([]objectstore.Tag, 11)
	for i := range eleven {
		eleven[i] = objectstore.Tag{Key: string(rune('a' + i)), Value: "v"}
	}
	tests := []struct {
		name string
		tags []objectstore.Tag
		code string
	}{
		{"ten tags of letters, spaces and + - = . _ : / @ pass", []objectstore.Tag{{"k 1+-=._:/@", "v é 日本"}}, ""},
		{"eleven tags are BadRequest", eleven, "BadRequest"},
		{"an empty key is InvalidTag", []objectstore.Tag{{"", "v"}}, "InvalidTag"},
		{"a key of 129 characters is InvalidTag", []objectstore.Tag{{strings.Repeat("é", 129), "v"}}, "InvalidTag"},
		{"a key of 128 multi-byte characters passes", []objectstore.Tag{{strings.Repeat("é", 128), "v"}}, ""},
		{"a value of 257 characters is InvalidTag", []objectstore.Tag{{"k", strings.Repeat("v", 257)}}, "InvalidTag"},
		{"a # in a key is InvalidTag", []objectstore.Tag{{"a#b", "v"}}, "InvalidTag"},
		{"a * in a value is InvalidTag", []objectstore.Tag{{"k", "a*"}}, "InvalidTag"},
		{"an aws: key is InvalidTag", []objectstore.Tag{{"AWS:k", "v"}}, "InvalidTag"},
		{"duplicate keys are InvalidTag", []objectstore.Tag{{"k", "1"}, {"k", "2"}}, "InvalidTag"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := code(objectstore.ValidateObjectTags(tt.tags)); got != tt.code {
				t.Fatalf("ValidateObjectTags = %q, want %q", got, tt.code)
			}
		})
	}
	t.Run("the tagging header is a URL query", func(t *testing.T) {
		tags, err := objectstore.ParseTaggingHeader("a=1&b%20c=x%2By%3Dz&empty=")
		if err != nil || len(tags) != 3 || tags[1] != (objectstore.Tag{Key: "b c", Value: "x+y=z"}) || tags[2].Value != "" {
			t.Fatalf("ParseTaggingHeader = %+v, %v", tags, err)
		}
	})
}

func TestRangesResolveAsS3Serves(t *testing.T) {
	t.Parallel()
	tests := []struct {
		header      string
		size        int64
		first, last int64 // -1 -1: the whole object
		code        string
	}{
		{"", 10, -1, -1, ""},
		{"bytes=0-4", 10, 0, 4, ""},
		{"bytes=5-", 10, 5, 9, ""},
		{"bytes=-3", 10, 7, 9, ""},
		{"bytes=-30", 10, 0, 9, ""},
		{"bytes=8-100", 10, 8, 9, ""},
		{"bytes=10-", 10, 0, 0, "InvalidRange"},
		{"bytes=-0", 10, 0, 0, "InvalidRange"},
		{"bytes=5-2", 10, -1, -1, ""},     // invalid: ignored (RFC 7233 §3.1)
		{"bytes=0-1,3-4", 10, -1, -1, ""}, // several ranges: S3 serves the whole object
		{"items=0-1", 10, -1, -1, ""},
		{"bytes=a-b", 10, -1, -1, ""},
		{"bytes=0-", 0, 0, 0, "InvalidRange"},
	}
	for _, tt := range tests {
		t.Run(tt.header, func(t *testing.T) {
			r, err := objectstore.ParseRange(tt.header, tt.size)
			if code(err) != tt.code {
				t.Fatalf("ParseRange error %v, want %q", err, tt.code)
			}
			if tt.code != "" {
				return
			}
			if tt.first < 0 {
				if r != nil {
					t.Fatalf("range %+v, want the whole object", r)
				}
				return
			}
			if r == nil || r.First != tt.first || r.Last != tt.last {
				t.Fatalf("range %+v, want %d-%d", r, tt.first, tt.last)
			}
		})
	}
}

func TestConditionsAreEvaluatedInS3Order(t *testing.T) {
	t.Parallel()
	lm := time.Date(2025, 1, 2, 3, 4, 5, 600, time.UTC)
	before, after := lm.Add(-time.Hour), lm.Add(time.Hour)
	same := lm.Truncate(time.Second)
	etag := `"abc"`
	tests := []struct {
		name string
		c    objectstore.Conditions
		code string
	}{
		{"no condition passes", objectstore.Conditions{}, ""},
		{"If-Match with the ETag passes", objectstore.Conditions{IfMatch: `"abc"`}, ""},
		{"If-Match with * passes", objectstore.Conditions{IfMatch: "*"}, ""},
		{"If-Match with a list holding the ETag passes", objectstore.Conditions{IfMatch: `"x", abc`}, ""},
		{"If-Match with another ETag fails", objectstore.Conditions{IfMatch: `"x"`}, "PreconditionFailed"},
		{"If-Match true wins over a false If-Unmodified-Since", objectstore.Conditions{IfMatch: etag, IfUnmodifiedSince: &before}, ""},
		{"If-Unmodified-Since before the change fails", objectstore.Conditions{IfUnmodifiedSince: &before}, "PreconditionFailed"},
		{"If-Unmodified-Since at the same second passes", objectstore.Conditions{IfUnmodifiedSince: &same}, ""},
		{"If-None-Match with the ETag is NotModified", objectstore.Conditions{IfNoneMatch: etag}, "NotModified"},
		{"If-None-Match false wins over a true If-Modified-Since", objectstore.Conditions{IfNoneMatch: etag, IfModifiedSince: &before}, "NotModified"},
		{"If-Modified-Since after the change is NotModified", objectstore.Conditions{IfModifiedSince: &after}, "NotModified"},
		{"If-Modified-Since at the same second is NotModified", objectstore.Conditions{IfModifiedSince: &same}, "NotModified"},
		{"If-Modified-Since before the change passes", objectstore.Conditions{IfModifiedSince: &before}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := code(tt.c.Check(etag, lm)); got != tt.code {
				t.Fatalf("Check = %q, want %q", got, tt.code)
			}
		})
	}
	t.Run("a copy turns NotModified into PreconditionFailed", func(t *testing.T) {
		if got := code(objectstore.Conditions{IfNoneMatch: etag}.CheckCopy(etag, lm)); got != "PreconditionFailed" {
			t.Fatalf("CheckCopy = %q", got)
		}
	})
}

func TestCombinedCRCsEqualTheCRCOfTheWhole(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	for _, alg := range []string{objectstore.CRC32, objectstore.CRC32C, objectstore.CRC64NVME} {
		t.Run(alg, func(t *testing.T) {
			for trial := range 20 {
				n := 1 + rng.IntN(6)
				var parts [][]byte
				var whole bytes.Buffer
				for range n {
					p := make([]byte, rng.IntN(5000)) // empty parts too
					for i := range p {
						p[i] = byte(rng.Uint32())
					}
					parts = append(parts, p)
					whole.Write(p)
				}
				var sums []string
				var sizes []int64
				for _, p := range parts {
					h := objectstore.NewHash(alg)
					h.Write(p)
					sums = append(sums, objectstore.EncodeChecksum(h.Sum(nil)))
					sizes = append(sizes, int64(len(p)))
				}
				h := objectstore.NewHash(alg)
				h.Write(whole.Bytes())
				got, ok := objectstore.CombineCRC(alg, sums, sizes)
				if want := objectstore.EncodeChecksum(h.Sum(nil)); !ok || got != want {
					t.Fatalf("trial %d: combined %s = %s, want %s", trial, alg, got, want)
				}
			}
		})
	}
	t.Run("CRC64NVME is the NVMe polynomial", func(t *testing.T) {
		// The check value of CRC-64/NVME ("123456789") from the CRC catalogue.
		h := objectstore.NewHash(objectstore.CRC64NVME)
		h.Write([]byte("123456789"))
		if got := h.Sum(nil); !bytes.Equal(got, []byte{0xae, 0x8b, 0x14, 0x86, 0x0a, 0x79, 0x98, 0x88}) {
			t.Fatalf("CRC64NVME check value = %x", got)
		}
	})
}

func TestCannedACLsExpandAsS3Documents(t *testing.T) {
	t.Parallel()
	owner, bucketOwner := "111111111111", "222222222222"
	count := map[string]int{"private": 1, "public-read": 2, "public-read-write": 3, "authenticated-read": 2,
		"bucket-owner-read": 2, "bucket-owner-full-control": 2, "log-delivery-write": 3}
	for name, n := range count {
		acl, ok := objectstore.CannedACL(name, owner, bucketOwner)
		if !ok || len(acl.Grants) != n || acl.Owner.ID != objectstore.CanonicalID(owner) {
			t.Errorf("CannedACL(%s) = %+v", name, acl)
		}
	}
	if _, ok := objectstore.CannedACL("everyone", owner, owner); ok {
		t.Error("an unknown canned ACL was accepted")
	}
	pub, _ := objectstore.CannedACL("public-read", owner, owner)
	if !pub.Allows("999999999999", false, objectstore.PermRead) || pub.Allows("999999999999", false, objectstore.PermWrite) {
		t.Error("public-read does not give everyone READ only")
	}
	if len(objectstore.CanonicalID(owner)) != 64 {
		t.Error("a canonical id is not 64 hex digits")
	}
}

func TestRestoreDelaysParse(t *testing.T) {
	t.Parallel()
	d, err := objectstore.ParseRestoreDelays("0s")
	if err != nil || d.Delay("DEEP_ARCHIVE", "Bulk") != 0 {
		t.Fatalf("one duration for all: %v, %v", d, err)
	}
	d, err = objectstore.ParseRestoreDelays("Expedited=10s, DEEP_ARCHIVE/Bulk=1h")
	if err != nil || d.Delay("GLACIER", "Expedited") != 10*time.Second || d.Delay("DEEP_ARCHIVE", "Bulk") != time.Hour ||
		d.Delay("GLACIER", "") != 5*time.Hour {
		t.Fatalf("entries: %v, %v", d, err)
	}
	for _, bad := range []string{"-1s", "Glacial=1s", "Bulk=soon"} {
		if _, err := objectstore.ParseRestoreDelays(bad); err == nil {
			t.Errorf("ParseRestoreDelays(%q) passed", bad)
		}
	}
}
