package s3_test

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

func TestObjectsRoundTripThroughTheGoSDK(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newServer(t)
	c := s.client(me)
	if _, err := c.CreateBucket(ctx, &awss3.CreateBucketInput{Bucket: aws.String("sdk")}); err != nil {
		t.Fatal(err)
	}
	// The SDK sends the body aws-chunked with a trailing CRC32 by default.
	put, err := c.PutObject(ctx, &awss3.PutObjectInput{Bucket: aws.String("sdk"), Key: aws.String("dir/hello.txt"),
		Body: strings.NewReader("hello world"), ContentType: aws.String("text/plain"), Metadata: map[string]string{"color": "blue"},
		Tagging: aws.String("a=1&b=2")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(put.ETag) != `"5eb63bbbe01eeed093cb22bb8f5acdc3"` || put.ServerSideEncryption != types.ServerSideEncryptionAes256 {
		t.Fatalf("PutObject = %+v", put)
	}
	get, err := c.GetObject(ctx, &awss3.GetObjectInput{Bucket: aws.String("sdk"), Key: aws.String("dir/hello.txt"), ChecksumMode: types.ChecksumModeEnabled})
	if body := read(t, get, err); body != "hello world" || aws.ToString(get.ContentType) != "text/plain" ||
		get.Metadata["color"] != "blue" || aws.ToInt32(get.TagCount) != 2 || get.ChecksumType != types.ChecksumTypeFullObject {
		t.Fatalf("GetObject = %q %+v", body, get)
	}

	ranges := []struct {
		name, header, body, contentRange string
	}{
		{"a closed range", "bytes=0-4", "hello", "bytes 0-4/11"},
		{"an open range", "bytes=6-", "world", "bytes 6-10/11"},
		{"a suffix range", "bytes=-3", "rld", "bytes 8-10/11"},
		{"a range past the end is cut", "bytes=9-99", "ld", "bytes 9-10/11"},
	}
	for _, r := range ranges {
		t.Run(r.name+" answers 206 with Content-Range", func(t *testing.T) {
			out, err := c.GetObject(ctx, &awss3.GetObjectInput{Bucket: aws.String("sdk"), Key: aws.String("dir/hello.txt"), Range: aws.String(r.header)})
			if body := read(t, out, err); body != r.body || aws.ToString(out.ContentRange) != r.contentRange || aws.ToInt64(out.ContentLength) != int64(len(r.body)) {
				t.Fatalf("range %s = %q %s", r.header, body, aws.ToString(out.ContentRange))
			}
		})
	}
	t.Run("an unsatisfiable range is 416 InvalidRange", func(t *testing.T) {
		_, err := c.GetObject(ctx, &awss3.GetObjectInput{Bucket: aws.String("sdk"), Key: aws.String("dir/hello.txt"), Range: aws.String("bytes=20-30")})
		wantErr(t, err, "InvalidRange", 416)
	})
	t.Run("a raw 206 carries the status and headers", func(t *testing.T) {
		resp, body := s.raw(t, "GET", "/sdk/dir/hello.txt", nil, map[string]string{"Range": "bytes=0-0"})
		if resp.StatusCode != 206 || string(body) != "h" || resp.Header.Get("Content-Range") != "bytes 0-0/11" || resp.Header.Get("Accept-Ranges") != "bytes" {
			t.Fatalf("raw range = %d %q %v", resp.StatusCode, body, resp.Header)
		}
	})
	t.Run("a matching If-None-Match is 304 without a body", func(t *testing.T) {
		resp, body := s.raw(t, "GET", "/sdk/dir/hello.txt", nil, map[string]string{"If-None-Match": `"5eb63bbbe01eeed093cb22bb8f5acdc3"`})
		if resp.StatusCode != 304 || len(body) != 0 || resp.Header.Get("ETag") == "" {
			t.Fatalf("If-None-Match = %d %q", resp.StatusCode, body)
		}
	})
	t.Run("a failing If-Match is 412 PreconditionFailed", func(t *testing.T) {
		_, err := c.GetObject(ctx, &awss3.GetObjectInput{Bucket: aws.String("sdk"), Key: aws.String("dir/hello.txt"), IfMatch: aws.String(`"nope"`)})
		wantErr(t, err, "PreconditionFailed", 412)
	})
	t.Run("an If-Modified-Since after the change is 304", func(t *testing.T) {
		_, err := c.GetObject(ctx, &awss3.GetObjectInput{Bucket: aws.String("sdk"), Key: aws.String("dir/hello.txt"),
			IfModifiedSince: aws.Time(time.Now().Add(time.Hour))})
		_, status := apiCode(err)
		if status != 304 {
			t.Fatalf("If-Modified-Since = %v", err)
		}
	})
	t.Run("response-* parameters override the stored headers", func(t *testing.T) {
		out, err := c.GetObject(ctx, &awss3.GetObjectInput{Bucket: aws.String("sdk"), Key: aws.String("dir/hello.txt"),
			ResponseContentType: aws.String("application/json"), ResponseContentDisposition: aws.String("attachment; filename=x"),
			ResponseExpires: aws.Time(t0)})
		read(t, out, err)
		if aws.ToString(out.ContentType) != "application/json" || aws.ToString(out.ContentDisposition) != "attachment; filename=x" ||
			aws.ToString(out.ExpiresString) != "Sun, 01 Jun 2025 12:00:00 GMT" {
			t.Fatalf("overrides = %+v", out)
		}
	})
	t.Run("user metadata goes out in lower case", func(t *testing.T) {
		resp, _ := s.raw(t, "HEAD", "/sdk/dir/hello.txt", nil, nil)
		if v := resp.Header["X-Amz-Meta-Color"]; len(v) == 0 || v[0] != "blue" {
			t.Fatalf("metadata header = %v", resp.Header)
		}
	})
	t.Run("a missing key is 404 NoSuchKey and a missing bucket 404 NoSuchBucket", func(t *testing.T) {
		_, err := c.GetObject(ctx, &awss3.GetObjectInput{Bucket: aws.String("sdk"), Key: aws.String("nope")})
		wantErr(t, err, "NoSuchKey", 404)
		_, err = c.GetObject(ctx, &awss3.GetObjectInput{Bucket: aws.String("no-such-bucket"), Key: aws.String("k")})
		wantErr(t, err, "NoSuchBucket", 404)
		_, resp := s.raw(t, "GET", "/sdk/nope", nil, nil)
		if !bytes.Contains(resp, []byte("<Key>nope</Key>")) {
			t.Fatalf("NoSuchKey body lacks the key: %s", resp)
		}
	})
	t.Run("a wrong Content-MD5 is BadDigest and stores nothing", func(t *testing.T) {
		resp, body := s.raw(t, "PUT", "/sdk/md5", []byte("data"), map[string]string{"Content-MD5": "1B2M2Y8AsgTpgAmY7PhCfg=="})
		if resp.StatusCode != 400 || !bytes.Contains(body, []byte("BadDigest")) {
			t.Fatalf("bad MD5 = %d %s", resp.StatusCode, body)
		}
		_, err := c.HeadObject(ctx, &awss3.HeadObjectInput{Bucket: aws.String("sdk"), Key: aws.String("md5")})
		_, status := apiCode(err)
		if status != 404 {
			t.Fatalf("HeadObject after a refused upload = %v", err)
		}
	})
	t.Run("an explicit SHA256 is verified, stored and returned", func(t *testing.T) {
		out, err := c.PutObject(ctx, &awss3.PutObjectInput{Bucket: aws.String("sdk"), Key: aws.String("sha"), Body: strings.NewReader("abc"),
			ChecksumAlgorithm: types.ChecksumAlgorithmSha256})
		if err != nil || aws.ToString(out.ChecksumSHA256) != "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=" {
			t.Fatalf("PutObject SHA256 = %+v, %v", out, err)
		}
		h, err := c.HeadObject(ctx, &awss3.HeadObjectInput{Bucket: aws.String("sdk"), Key: aws.String("sha"), ChecksumMode: types.ChecksumModeEnabled})
		if err != nil || aws.ToString(h.ChecksumSHA256) != aws.ToString(out.ChecksumSHA256) {
			t.Fatalf("HeadObject checksum = %+v, %v", h, err)
		}
		_, err = c.PutObject(ctx, &awss3.PutObjectInput{Bucket: aws.String("sdk"), Key: aws.String("sha"), Body: strings.NewReader("abd"),
			ChecksumSHA256: out.ChecksumSHA256})
		wantErr(t, err, "BadDigest", 400)
	})
	t.Run("delete objects reports each key", func(t *testing.T) {
		out, err := c.DeleteObjects(ctx, &awss3.DeleteObjectsInput{Bucket: aws.String("sdk"), Delete: &types.Delete{Objects: []types.ObjectIdentifier{
			{Key: aws.String("sha")}, {Key: aws.String("never")}}}})
		if err != nil || len(out.Deleted) != 2 || len(out.Errors) != 0 {
			t.Fatalf("DeleteObjects = %+v, %v", out, err)
		}
	})
}

func TestAnotherAccountNeedsAGrant(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newServer(t)
	mine, theirs := s.client(me), s.client("222222222222")
	mine.CreateBucket(ctx, &awss3.CreateBucketInput{Bucket: aws.String("private-bucket")})
	mine.PutObject(ctx, &awss3.PutObjectInput{Bucket: aws.String("private-bucket"), Key: aws.String("secret"), Body: strings.NewReader("s")})
	mine.PutObject(ctx, &awss3.PutObjectInput{Bucket: aws.String("private-bucket"), Key: aws.String("public"), Body: strings.NewReader("p"),
		ACL: types.ObjectCannedACLPublicRead})

	_, err := theirs.GetObject(ctx, &awss3.GetObjectInput{Bucket: aws.String("private-bucket"), Key: aws.String("secret")})
	wantErr(t, err, "AccessDenied", 403)
	_, err = theirs.ListObjectsV2(ctx, &awss3.ListObjectsV2Input{Bucket: aws.String("private-bucket")})
	wantErr(t, err, "AccessDenied", 403)
	_, err = theirs.PutObject(ctx, &awss3.PutObjectInput{Bucket: aws.String("private-bucket"), Key: aws.String("x"), Body: strings.NewReader("x")})
	wantErr(t, err, "AccessDenied", 403)
	out, err := theirs.GetObject(ctx, &awss3.GetObjectInput{Bucket: aws.String("private-bucket"), Key: aws.String("public")})
	if body := read(t, out, err); body != "p" {
		t.Fatalf("public object = %q", body)
	}
	_, err = theirs.CreateBucket(ctx, &awss3.CreateBucketInput{Bucket: aws.String("private-bucket")})
	wantErr(t, err, "BucketAlreadyExists", 409)
	_, err = mine.GetBucketVersioning(ctx, &awss3.GetBucketVersioningInput{Bucket: aws.String("private-bucket"), ExpectedBucketOwner: aws.String("222222222222")})
	wantErr(t, err, "AccessDenied", 403)
	lb, err := theirs.ListBuckets(ctx, &awss3.ListBucketsInput{})
	if err != nil || len(lb.Buckets) != 0 {
		t.Fatalf("another account lists %+v, %v", lb, err)
	}
	if _, err := mine.PutBucketAcl(ctx, &awss3.PutBucketAclInput{Bucket: aws.String("private-bucket"), ACL: types.BucketCannedACLPublicRead}); err != nil {
		t.Fatal(err)
	}
	if _, err := theirs.ListObjectsV2(ctx, &awss3.ListObjectsV2Input{Bucket: aws.String("private-bucket")}); err != nil {
		t.Fatalf("listing a public-read bucket: %v", err)
	}
}

func TestPresignedURLsWork(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newServer(t)
	c := s.client(me)
	c.CreateBucket(ctx, &awss3.CreateBucketInput{Bucket: aws.String("presign")})
	ps := awss3.NewPresignClient(c)
	put, err := ps.PresignPutObject(ctx, &awss3.PutObjectInput{Bucket: aws.String("presign"), Key: aws.String("a b/c")})
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest("PUT", put.URL, strings.NewReader("via url"))
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("presigned PUT: %v %v", resp, err)
	}
	resp.Body.Close()
	get, err := ps.PresignGetObject(ctx, &awss3.GetObjectInput{Bucket: aws.String("presign"), Key: aws.String("a b/c")})
	if err != nil {
		t.Fatal(err)
	}
	r, body := s.raw(t, "GET", strings.TrimPrefix(get.URL, s.url), nil, nil)
	if r.StatusCode != 200 || string(body) != "via url" {
		t.Fatalf("presigned GET = %d %q", r.StatusCode, body)
	}
}
