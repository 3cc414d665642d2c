package s3_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// reference lists keys as S3 documents it: keys after start with the prefix,
// those containing the delimiter after the prefix folded into common
// prefixes, each entry counted once.
func reference(keys []string, prefix, delimiter string) []string {
	var out []string
	seen := map[string]bool{}
	for _, k := range keys {
		if !strings.HasPrefix(k, prefix) {
			continue
		}
		entry := k
		if delimiter != "" {
			if i := strings.Index(k[len(prefix):], delimiter); i >= 0 {
				entry = "CP:" + k[:len(prefix)+i+len(delimiter)]
			}
		}
		if !seen[entry] {
			seen[entry] = true
			out = append(out, entry)
		}
	}
	return out
}

func TestListingsPageThroughEveryKeyOnceAsS3Does(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newServer(t)
	c := s.client(me)
	c.CreateBucket(ctx, &awss3.CreateBucketInput{Bucket: aws.String("listing")})
	rng := rand.New(rand.NewPCG(7, 8))
	parts := []string{"a", "b", "é", "a/", "b/", "/", "x y", "+", "%2F", "日"}
	set := map[string]bool{}
	for len(set) < 150 {
		var k strings.Builder
		for range 1 + rng.IntN(5) {
			k.WriteString(parts[rng.IntN(len(parts))])
		}
		set[k.String()] = true
	}
	keys := make([]string, 0, len(set))
	for k := range set {
		keys = append(keys, k)
	}
	sort.Strings(keys) // byte order, S3's
	var wg sync.WaitGroup
	sem := make(chan struct{}, 16)
	for _, k := range keys {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			if _, err := c.PutObject(ctx, &awss3.PutObjectInput{Bucket: aws.String("listing"), Key: aws.String(k), Body: strings.NewReader(k)}); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()

	for _, q := range []struct{ prefix, delimiter string }{{"", ""}, {"", "/"}, {"a", "/"}, {"a/", "/"}, {"", "a"}, {"b", "é"}, {"日", ""}, {"zz", "/"}} {
		for _, page := range []int32{1, 2, 7, 1000} {
			want := reference(keys, q.prefix, q.delimiter)
			t.Run(fmt.Sprintf("ListObjectsV2 prefix %q delimiter %q page %d", q.prefix, q.delimiter, page), func(t *testing.T) {
				var got []string
				p := awss3.NewListObjectsV2Paginator(c, &awss3.ListObjectsV2Input{Bucket: aws.String("listing"), Prefix: aws.String(q.prefix),
					Delimiter: aws.String(q.delimiter), MaxKeys: aws.Int32(page)})
				for p.HasMorePages() {
					out, err := p.NextPage(ctx)
					if err != nil {
						t.Fatal(err)
					}
					if n := len(out.Contents) + len(out.CommonPrefixes); n > int(page) || int32(n) != aws.ToInt32(out.KeyCount) {
						t.Fatalf("a page of %d entries for max-keys %d (KeyCount %d)", n, page, aws.ToInt32(out.KeyCount))
					}
					got = append(got, merge(out.Contents, out.CommonPrefixes)...)
				}
				if !slices.Equal(got, want) {
					t.Fatalf("listed %q\nwant %q", got, want)
				}
			})
			t.Run(fmt.Sprintf("ListObjects v1 prefix %q delimiter %q page %d", q.prefix, q.delimiter, page), func(t *testing.T) {
				var got []string
				marker := ""
				for {
					out, err := c.ListObjects(ctx, &awss3.ListObjectsInput{Bucket: aws.String("listing"), Prefix: aws.String(q.prefix),
						Delimiter: aws.String(q.delimiter), MaxKeys: aws.Int32(page), Marker: aws.String(marker)})
					if err != nil {
						t.Fatal(err)
					}
					entries := merge(out.Contents, out.CommonPrefixes)
					got = append(got, entries...)
					if !aws.ToBool(out.IsTruncated) {
						break
					}
					// Without a delimiter the client continues from the last key.
					marker = aws.ToString(out.NextMarker)
					if marker == "" {
						marker = aws.ToString(out.Contents[len(out.Contents)-1].Key)
					}
				}
				if !slices.Equal(got, want) {
					t.Fatalf("listed %q\nwant %q", got, want)
				}
			})
		}
	}
	t.Run("ListObjectVersions pages through versions with the same grouping", func(t *testing.T) {
		var got []string
		km, vm := "", ""
		for {
			out, err := c.ListObjectVersions(ctx, &awss3.ListObjectVersionsInput{Bucket: aws.String("listing"), Delimiter: aws.String("/"),
				MaxKeys: aws.Int32(3), KeyMarker: aws.String(km), VersionIdMarker: aws.String(vm)})
			if err != nil {
				t.Fatal(err)
			}
			for _, v := range out.Versions {
				if aws.ToString(v.VersionId) != "null" {
					t.Fatalf("version %q of an unversioned bucket", aws.ToString(v.VersionId))
				}
				got = append(got, aws.ToString(v.Key))
			}
			for _, cp := range out.CommonPrefixes {
				got = append(got, "CP:"+aws.ToString(cp.Prefix))
			}
			if !aws.ToBool(out.IsTruncated) {
				break
			}
			km, vm = aws.ToString(out.NextKeyMarker), aws.ToString(out.NextVersionIdMarker)
		}
		sort.Strings(got)
		want := reference(keys, "", "/")
		sort.Strings(want)
		if !slices.Equal(got, want) {
			t.Fatalf("listed %q\nwant %q", got, want)
		}
	})
	t.Run("start-after skips what sorts before it", func(t *testing.T) {
		out, err := c.ListObjectsV2(ctx, &awss3.ListObjectsV2Input{Bucket: aws.String("listing"), StartAfter: aws.String(keys[100])})
		if err != nil || len(out.Contents) != len(keys)-101 || aws.ToString(out.Contents[0].Key) != keys[101] {
			t.Fatalf("start-after = %d keys, %v", len(out.Contents), err)
		}
	})
	t.Run("a forged continuation token is InvalidArgument", func(t *testing.T) {
		_, err := c.ListObjectsV2(ctx, &awss3.ListObjectsV2Input{Bucket: aws.String("listing"), ContinuationToken: aws.String("forged")})
		wantErr(t, err, "InvalidArgument", 400)
	})
	t.Run("a continuation token is refused once altered or reused for another listing", func(t *testing.T) {
		first, err := c.ListObjectsV2(ctx, &awss3.ListObjectsV2Input{Bucket: aws.String("listing"), MaxKeys: aws.Int32(1)})
		if err != nil {
			t.Fatal(err)
		}
		if first.NextContinuationToken == nil {
			t.Fatal("a truncated page without NextContinuationToken")
		}
		tok := aws.ToString(first.NextContinuationToken)
		next, err := c.ListObjectsV2(ctx, &awss3.ListObjectsV2Input{Bucket: aws.String("listing"), MaxKeys: aws.Int32(1), ContinuationToken: aws.String(tok)})
		if err != nil || len(next.Contents) != 1 || aws.ToString(next.Contents[0].Key) != keys[1] {
			t.Fatalf("the real token: %v", err)
		}
		// A character in the middle carries six bits of the token; the last
		// one may carry only padding bits a decoder ignores.
		b := []byte(tok)
		if i := len(b) / 2; b[i] == 'A' {
			b[i] = 'B'
		} else {
			b[i] = 'A'
		}
		_, err = c.ListObjectsV2(ctx, &awss3.ListObjectsV2Input{Bucket: aws.String("listing"), MaxKeys: aws.Int32(1), ContinuationToken: aws.String(string(b))})
		wantErr(t, err, "InvalidArgument", 400)
		_, err = c.ListObjectsV2(ctx, &awss3.ListObjectsV2Input{Bucket: aws.String("listing"), Prefix: aws.String("a"),
			MaxKeys: aws.Int32(1), ContinuationToken: aws.String(tok)})
		wantErr(t, err, "InvalidArgument", 400)
	})
}

// merge puts a page's keys and common prefixes back in listing order.
func merge(objs []types.Object, cps []types.CommonPrefix) []string {
	var out []string
	for _, o := range objs {
		out = append(out, aws.ToString(o.Key))
	}
	for _, cp := range cps {
		out = append(out, "CP:"+aws.ToString(cp.Prefix))
	}
	sort.Slice(out, func(i, j int) bool { return strings.TrimPrefix(out[i], "CP:") < strings.TrimPrefix(out[j], "CP:") })
	return out
}

func TestContinuationTokensCarryKeysOfAnyLength(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newServer(t)
	c := s.client(me)
	c.CreateBucket(ctx, &awss3.CreateBucketInput{Bucket: aws.String("long-keys")})
	var keys []string
	for _, ch := range "abc" {
		k := strings.Repeat(string(ch), 1024) // the longest key S3 allows
		keys = append(keys, k)
		if _, err := c.PutObject(ctx, &awss3.PutObjectInput{Bucket: aws.String("long-keys"), Key: aws.String(k), Body: strings.NewReader("x")}); err != nil {
			t.Fatal(err)
		}
	}
	var got []string
	p := awss3.NewListObjectsV2Paginator(c, &awss3.ListObjectsV2Input{Bucket: aws.String("long-keys"), MaxKeys: aws.Int32(1)})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range out.Contents {
			got = append(got, aws.ToString(o.Key))
		}
	}
	if !slices.Equal(got, keys) {
		t.Fatalf("listed %d of %d keys", len(got), len(keys))
	}
}
