package s3_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

func TestVersionedObjectsThroughTheGoSDK(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newServer(t)
	c := s.client(me)
	b := aws.String("versions")
	c.CreateBucket(ctx, &awss3.CreateBucketInput{Bucket: b})
	if _, err := c.PutBucketVersioning(ctx, &awss3.PutBucketVersioningInput{Bucket: b,
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}}); err != nil {
		t.Fatal(err)
	}
	v1, _ := c.PutObject(ctx, &awss3.PutObjectInput{Bucket: b, Key: aws.String("k"), Body: strings.NewReader("one")})
	c.PutObject(ctx, &awss3.PutObjectInput{Bucket: b, Key: aws.String("k"), Body: strings.NewReader("two")})
	del, err := c.DeleteObject(ctx, &awss3.DeleteObjectInput{Bucket: b, Key: aws.String("k")})
	if err != nil || !aws.ToBool(del.DeleteMarker) || del.VersionId == nil {
		t.Fatalf("DeleteObject = %+v, %v", del, err)
	}
	_, err = c.GetObject(ctx, &awss3.GetObjectInput{Bucket: b, Key: aws.String("k")})
	wantErr(t, err, "NoSuchKey", 404)
	_, err = c.GetObject(ctx, &awss3.GetObjectInput{Bucket: b, Key: aws.String("k"), VersionId: del.VersionId})
	wantErr(t, err, "MethodNotAllowed", 405)
	out, err := c.GetObject(ctx, &awss3.GetObjectInput{Bucket: b, Key: aws.String("k"), VersionId: v1.VersionId})
	if body := read(t, out, err); body != "one" || aws.ToString(out.VersionId) != aws.ToString(v1.VersionId) {
		t.Fatalf("version 1 = %q", body)
	}
	lv, err := c.ListObjectVersions(ctx, &awss3.ListObjectVersionsInput{Bucket: b})
	if err != nil || len(lv.Versions) != 2 || len(lv.DeleteMarkers) != 1 || !aws.ToBool(lv.DeleteMarkers[0].IsLatest) {
		t.Fatalf("ListObjectVersions = %+v, %v", lv, err)
	}
	_, err = c.DeleteBucket(ctx, &awss3.DeleteBucketInput{Bucket: b})
	wantErr(t, err, "BucketNotEmpty", 409)
}

func TestMultipartThroughTheGoSDK(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newServer(t)
	c := s.client(me)
	b, k := aws.String("multipart"), aws.String("big/object")
	c.CreateBucket(ctx, &awss3.CreateBucketInput{Bucket: b})
	up, err := c.CreateMultipartUpload(ctx, &awss3.CreateMultipartUploadInput{Bucket: b, Key: k, ChecksumAlgorithm: types.ChecksumAlgorithmCrc32,
		ChecksumType: types.ChecksumTypeFullObject})
	if err != nil {
		t.Fatal(err)
	}
	first := bytes.Repeat([]byte("x"), 5<<20)
	var parts []types.CompletedPart
	for i, body := range [][]byte{first, []byte("tail")} {
		n := aws.Int32(int32(i + 1))
		res, err := c.UploadPart(ctx, &awss3.UploadPartInput{Bucket: b, Key: k, UploadId: up.UploadId, PartNumber: n,
			Body: bytes.NewReader(body), ChecksumAlgorithm: types.ChecksumAlgorithmCrc32})
		if err != nil {
			t.Fatal(err)
		}
		parts = append(parts, types.CompletedPart{PartNumber: n, ETag: res.ETag, ChecksumCRC32: res.ChecksumCRC32})
	}
	lu, err := c.ListMultipartUploads(ctx, &awss3.ListMultipartUploadsInput{Bucket: b})
	if err != nil || len(lu.Uploads) != 1 || aws.ToString(lu.Uploads[0].Key) != "big/object" {
		t.Fatalf("ListMultipartUploads = %+v, %v", lu, err)
	}
	done, err := c.CompleteMultipartUpload(ctx, &awss3.CompleteMultipartUploadInput{Bucket: b, Key: k, UploadId: up.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: parts}})
	if err != nil || !strings.HasSuffix(aws.ToString(done.ETag), `-2"`) || done.ChecksumType != types.ChecksumTypeFullObject || done.ChecksumCRC32 == nil {
		t.Fatalf("CompleteMultipartUpload = %+v, %v", done, err)
	}
	attrs, err := c.GetObjectAttributes(ctx, &awss3.GetObjectAttributesInput{Bucket: b, Key: k, ObjectAttributes: []types.ObjectAttributes{
		types.ObjectAttributesEtag, types.ObjectAttributesObjectParts, types.ObjectAttributesObjectSize, types.ObjectAttributesChecksum}})
	if err != nil || aws.ToInt64(attrs.ObjectSize) != 5<<20+4 || aws.ToInt32(attrs.ObjectParts.TotalPartsCount) != 2 ||
		strings.Contains(aws.ToString(attrs.ETag), `"`) || aws.ToString(attrs.Checksum.ChecksumCRC32) != aws.ToString(done.ChecksumCRC32) {
		t.Fatalf("GetObjectAttributes = %+v, %v", attrs, err)
	}
	part, err := c.GetObject(ctx, &awss3.GetObjectInput{Bucket: b, Key: k, PartNumber: aws.Int32(2)})
	if body := read(t, part, err); body != "tail" || aws.ToInt32(part.PartsCount) != 2 {
		t.Fatalf("part 2 = %q %+v", body, part)
	}
	_, err = c.AbortMultipartUpload(ctx, &awss3.AbortMultipartUploadInput{Bucket: b, Key: k, UploadId: up.UploadId})
	wantErr(t, err, "NoSuchUpload", 404)
}

func TestRestoresShowTheirProgressInHeaders(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newServer(t)
	c := s.client(me)
	b, k := aws.String("archive"), aws.String("cold")
	c.CreateBucket(ctx, &awss3.CreateBucketInput{Bucket: b})
	c.PutObject(ctx, &awss3.PutObjectInput{Bucket: b, Key: k, Body: strings.NewReader("frozen"), StorageClass: types.StorageClassDeepArchive})
	_, err := c.GetObject(ctx, &awss3.GetObjectInput{Bucket: b, Key: k})
	wantErr(t, err, "InvalidObjectState", 403)
	resp, body := s.raw(t, "POST", "/archive/cold?restore", []byte(`<RestoreRequest><Days>1</Days><GlacierJobParameters><Tier>Bulk</Tier></GlacierJobParameters></RestoreRequest>`), nil)
	if resp.StatusCode != 202 {
		t.Fatalf("RestoreObject = %d %s", resp.StatusCode, body)
	}
	_, err = c.RestoreObject(ctx, &awss3.RestoreObjectInput{Bucket: b, Key: k, RestoreRequest: &types.RestoreRequest{Days: aws.Int32(1)}})
	wantErr(t, err, "RestoreAlreadyInProgress", 409)
	h, err := c.HeadObject(ctx, &awss3.HeadObjectInput{Bucket: b, Key: k})
	if err != nil || aws.ToString(h.Restore) != `ongoing-request="true"` || h.StorageClass != types.StorageClassDeepArchive {
		t.Fatalf("HeadObject during the restore = %+v, %v", h, err)
	}
	s.clock.Advance(time.Hour)
	out, err := c.GetObject(ctx, &awss3.GetObjectInput{Bucket: b, Key: k})
	if body := read(t, out, err); body != "frozen" || !strings.HasPrefix(aws.ToString(out.Restore), `ongoing-request="false", expiry-date=`) {
		t.Fatalf("GetObject after the restore = %q %+v", body, out)
	}
	resp, _ = s.raw(t, "POST", "/archive/cold?restore", []byte(`<RestoreRequest><Days>3</Days></RestoreRequest>`), nil)
	if resp.StatusCode != 200 {
		t.Fatalf("restoring a restored copy answered %d, want 200", resp.StatusCode)
	}
}

func TestTaggingAndACLsThroughTheGoSDK(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newServer(t)
	c := s.client(me)
	b, k := aws.String("tags"), aws.String("k")
	c.CreateBucket(ctx, &awss3.CreateBucketInput{Bucket: b})
	c.PutObject(ctx, &awss3.PutObjectInput{Bucket: b, Key: k, Body: strings.NewReader("x")})
	tags := func(n int) *types.Tagging {
		var ts []types.Tag
		for i := range n {
			ts = append(ts, types.Tag{Key: aws.String(strings.Repeat("k", i+1)), Value: aws.String("v")})
		}
		return &types.Tagging{TagSet: ts}
	}
	if _, err := c.PutObjectTagging(ctx, &awss3.PutObjectTaggingInput{Bucket: b, Key: k, Tagging: tags(10)}); err != nil {
		t.Fatal(err)
	}
	_, err := c.PutObjectTagging(ctx, &awss3.PutObjectTaggingInput{Bucket: b, Key: k, Tagging: tags(11)})
	wantErr(t, err, "BadRequest", 400)
	got, err := c.GetObjectTagging(ctx, &awss3.GetObjectTaggingInput{Bucket: b, Key: k})
	if err != nil || len(got.TagSet) != 10 {
		t.Fatalf("GetObjectTagging = %+v, %v", got, err)
	}
	_, err = c.GetBucketTagging(ctx, &awss3.GetBucketTaggingInput{Bucket: b})
	wantErr(t, err, "NoSuchTagSet", 404)
	if _, err := c.PutObjectAcl(ctx, &awss3.PutObjectAclInput{Bucket: b, Key: k,
		GrantRead: aws.String(`id="` + strings.Repeat("a", 64) + `", uri="http://acs.amazonaws.com/groups/global/AllUsers"`)}); err != nil {
		t.Fatal(err)
	}
	acl, err := c.GetObjectAcl(ctx, &awss3.GetObjectAclInput{Bucket: b, Key: k})
	if err != nil || len(acl.Grants) != 2 || acl.Owner == nil || len(aws.ToString(acl.Owner.ID)) != 64 {
		t.Fatalf("GetObjectAcl = %+v, %v", acl, err)
	}
	_, err = c.PutObjectAcl(ctx, &awss3.PutObjectAclInput{Bucket: b, Key: k, ACL: types.ObjectCannedACLPrivate, GrantRead: aws.String(`uri="x"`)})
	wantErr(t, err, "InvalidRequest", 400)
}
