package remote_test

import (
	"bytes"
	"context"
	"io"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/jobplane/jobplane/internal/motoserver"
	"github.com/jobplane/jobplane/internal/objectstore"
	"github.com/jobplane/jobplane/internal/objectstore/remote"
)

// moto starts moto_server on a free loopback port, or skips the test when it
// is not installed (failing it when JOBPLANE_REQUIRE_E2E=1).
func moto(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("moto_server"); err != nil {
		if os.Getenv("JOBPLANE_REQUIRE_E2E") == "1" {
			t.Fatal("moto_server is not installed (JOBPLANE_REQUIRE_E2E=1 requires it)")
		}
		t.Skip("moto_server is not installed: skipping the remote store's tests against it")
	}
	url, _, stop, err := motoserver.Start(nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop)
	return url
}

func TestTheRemoteStoreKeepsTheContractAgainstAnS3Endpoint(t *testing.T) {
	ctx := context.Background()
	s, err := remote.New(ctx, remote.Options{Endpoint: moto(t), PathStyle: true, Region: "us-east-1",
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateBucket(ctx, objectstore.CreateBucketInput{Bucket: "remote-contract", Tags: []objectstore.Tag{{Key: "a", Value: "b"}}}); err != nil {
		t.Fatal(err)
	}
	b, err := s.HeadBucket(ctx, "remote-contract")
	if err != nil || len(b.Tags) != 1 || b.Versioning != "" {
		t.Fatalf("HeadBucket = %+v, %v", b, err)
	}
	_, err = s.HeadBucket(ctx, "remote-missing")
	if objectstore.Code(err) != objectstore.CodeNoSuchBucket {
		t.Fatalf("HeadBucket of a missing bucket = %v", err)
	}

	put := func(key, body string, size int64, c objectstore.UploadChecksum) (objectstore.ObjectInfo, error) {
		return s.PutObject(ctx, objectstore.PutObjectInput{Bucket: "remote-contract", Key: key, Body: strings.NewReader(body), Size: size,
			Metadata: objectstore.Metadata{ContentType: "text/plain", User: map[string]string{"k": "v"}}, Tags: []objectstore.Tag{{Key: "t", Value: "1"}},
			Checksum: c})
	}
	tests := []struct {
		name string
		run  func() error
	}{
		{"a body of known size streams", func() error { _, err := put("known", "hello world", 11, objectstore.UploadChecksum{}); return err }},
		{"a body of unknown size is spooled", func() error { _, err := put("unknown", "hello world", -1, objectstore.UploadChecksum{}); return err }},
		{"a trailing checksum is checked and forwarded", func() error {
			_, err := put("trailing", "abc", -1, objectstore.UploadChecksum{Algorithm: "SHA256",
				Trailing: func() string { return "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=" }})
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.run(); err != nil {
				t.Fatal(err)
			}
		})
	}
	t.Run("a wrong trailing checksum is BadDigest", func(t *testing.T) {
		_, err := put("bad", "abd", -1, objectstore.UploadChecksum{Algorithm: "SHA256",
			Trailing: func() string { return "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=" }})
		if objectstore.Code(err) != objectstore.CodeBadDigest {
			t.Fatalf("PutObject = %v", err)
		}
	})
	t.Run("reads serve ranges and metadata", func(t *testing.T) {
		o, err := s.GetObject(ctx, objectstore.GetObjectInput{Bucket: "remote-contract", Key: "known", Range: "bytes=6-"})
		if err != nil {
			t.Fatal(err)
		}
		defer o.Body.Close()
		b, _ := io.ReadAll(o.Body)
		if string(b) != "world" || o.Range == nil || o.Range.First != 6 || o.Info.Size != 11 || o.Info.Metadata.User["k"] != "v" {
			t.Fatalf("GetObject = %q %+v", b, o)
		}
		oi, err := s.HeadObject(ctx, objectstore.GetObjectInput{Bucket: "remote-contract", Key: "known"})
		if err != nil || len(oi.Tags) != 1 || oi.Size != 11 {
			t.Fatalf("HeadObject = %+v, %v", oi, err)
		}
		_, err = s.HeadObject(ctx, objectstore.GetObjectInput{Bucket: "remote-contract", Key: "nope"})
		if objectstore.Code(err) != objectstore.CodeNoSuchKey {
			t.Fatalf("HeadObject of a missing key = %v", err)
		}
		_, err = s.GetObject(ctx, objectstore.GetObjectInput{Bucket: "remote-contract", Key: "known", Conditions: objectstore.Conditions{IfMatch: `"x"`}})
		if objectstore.Code(err) != objectstore.CodePreconditionFailed {
			t.Fatalf("GetObject with a failing If-Match = %v", err)
		}
	})
	t.Run("copies, listings and deletes pass through", func(t *testing.T) {
		if _, err := s.CopyObject(ctx, objectstore.CopyObjectInput{Source: objectstore.ObjectRef{Bucket: "remote-contract", Key: "known"},
			Bucket: "remote-contract", Key: "dir/copy"}); err != nil {
			t.Fatal(err)
		}
		res, err := s.ListObjects(ctx, objectstore.ListObjectsInput{Bucket: "remote-contract", Delimiter: "/", MaxKeys: 100})
		if err != nil || len(res.CommonPrefixes) != 1 || res.CommonPrefixes[0] != "dir/" || len(res.Objects) != 3 {
			t.Fatalf("ListObjects = %+v, %v", res, err)
		}
		out, err := s.DeleteObjects(ctx, "remote-contract", []objectstore.ObjectRef{{Key: "known"}, {Key: "dir/copy"}}, false, "")
		if err != nil || len(out) != 2 || out[0].Err != nil {
			t.Fatalf("DeleteObjects = %+v, %v", out, err)
		}
	})
	t.Run("multipart uploads assemble", func(t *testing.T) {
		up, err := s.CreateMultipartUpload(ctx, objectstore.CreateMultipartUploadInput{Bucket: "remote-contract", Key: "mp"})
		if err != nil {
			t.Fatal(err)
		}
		var parts []objectstore.CompletedPart
		for i, body := range [][]byte{bytes.Repeat([]byte("a"), objectstore.MinPartSize), []byte("tail")} {
			r, err := s.UploadPart(ctx, objectstore.UploadPartInput{Bucket: "remote-contract", Key: "mp", UploadID: up.UploadID,
				PartNumber: i + 1, Body: bytes.NewReader(body), Size: int64(len(body))})
			if err != nil {
				t.Fatal(err)
			}
			parts = append(parts, objectstore.CompletedPart{Number: i + 1, ETag: r.Part.ETag})
		}
		oi, err := s.CompleteMultipartUpload(ctx, objectstore.CompleteMultipartUploadInput{Bucket: "remote-contract", Key: "mp",
			UploadID: up.UploadID, Parts: parts, ObjectSize: -1})
		if err != nil || !strings.HasSuffix(oi.ETag, `-2"`) {
			t.Fatalf("CompleteMultipartUpload = %+v, %v", oi, err)
		}
	})
	t.Run("replication status cannot be recorded remotely", func(t *testing.T) {
		_, err := s.PutObjectReplicationStatus(ctx, objectstore.ObjectRef{Bucket: "remote-contract", Key: "mp"}, "COMPLETED")
		if objectstore.Code(err) != objectstore.CodeNotImplemented {
			t.Fatalf("PutObjectReplicationStatus = %v", err)
		}
	})
}
