package restxml_test

import (
	"errors"
	"io"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	api "github.com/jobplane/jobplane/internal/api/s3"
	"github.com/jobplane/jobplane/internal/apierror"
	"github.com/jobplane/jobplane/internal/schema"
)

// zeroOutput answers every operation with an empty output value.
func zeroOutput(op *schema.Operation, _ any) (any, error) {
	if op.Output == nil {
		return nil, nil
	}
	return reflect.New(op.Output.GoType).Interface(), nil
}

type s3Call func(c *s3.Client) error

var (
	b = aws.String("bucket")
	k = aws.String("dir/key.txt")
)

// s3RoutingCases are SDK calls and the operation each must route to.
var s3RoutingCases = []struct {
	op   string
	call s3Call
}{
	{"ListBuckets", func(c *s3.Client) error { _, err := c.ListBuckets(ctx, &s3.ListBucketsInput{}); return err }},
	{"CreateBucket", func(c *s3.Client) error {
		_, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: b, CreateBucketConfiguration: &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraintEuWest1}})
		return err
	}},
	{"HeadBucket", func(c *s3.Client) error { _, err := c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: b}); return err }},
	{"DeleteBucket", func(c *s3.Client) error { _, err := c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: b}); return err }},
	{"GetBucketLocation", func(c *s3.Client) error {
		_, err := c.GetBucketLocation(ctx, &s3.GetBucketLocationInput{Bucket: b})
		return err
	}},
	{"GetBucketVersioning", func(c *s3.Client) error {
		_, err := c.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: b})
		return err
	}},
	{"PutBucketVersioning", func(c *s3.Client) error {
		_, err := c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: b, VersioningConfiguration: &s3types.VersioningConfiguration{Status: s3types.BucketVersioningStatusEnabled}})
		return err
	}},
	{"GetObjectLockConfiguration", func(c *s3.Client) error {
		_, err := c.GetObjectLockConfiguration(ctx, &s3.GetObjectLockConfigurationInput{Bucket: b})
		return err
	}},
	{"PutObjectLockConfiguration", func(c *s3.Client) error {
		_, err := c.PutObjectLockConfiguration(ctx, &s3.PutObjectLockConfigurationInput{Bucket: b, ObjectLockConfiguration: &s3types.ObjectLockConfiguration{ObjectLockEnabled: s3types.ObjectLockEnabledEnabled}})
		return err
	}},
	{"GetBucketTagging", func(c *s3.Client) error {
		_, err := c.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: b})
		return err
	}},
	{"PutBucketTagging", func(c *s3.Client) error {
		_, err := c.PutBucketTagging(ctx, &s3.PutBucketTaggingInput{Bucket: b, Tagging: &s3types.Tagging{TagSet: []s3types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}}})
		return err
	}},
	{"DeleteBucketTagging", func(c *s3.Client) error {
		_, err := c.DeleteBucketTagging(ctx, &s3.DeleteBucketTaggingInput{Bucket: b})
		return err
	}},
	{"GetBucketReplication", func(c *s3.Client) error {
		_, err := c.GetBucketReplication(ctx, &s3.GetBucketReplicationInput{Bucket: b})
		return err
	}},
	{"PutBucketReplication", func(c *s3.Client) error {
		_, err := c.PutBucketReplication(ctx, &s3.PutBucketReplicationInput{Bucket: b, ReplicationConfiguration: &s3types.ReplicationConfiguration{
			Role:  aws.String("arn:aws:iam::123456789012:role/r"),
			Rules: []s3types.ReplicationRule{{Status: s3types.ReplicationRuleStatusEnabled, Destination: &s3types.Destination{Bucket: aws.String("arn:aws:s3:::dst")}}},
		}})
		return err
	}},
	{"DeleteBucketReplication", func(c *s3.Client) error {
		_, err := c.DeleteBucketReplication(ctx, &s3.DeleteBucketReplicationInput{Bucket: b})
		return err
	}},
	{"GetBucketAcl", func(c *s3.Client) error { _, err := c.GetBucketAcl(ctx, &s3.GetBucketAclInput{Bucket: b}); return err }},
	{"PutBucketAcl", func(c *s3.Client) error {
		_, err := c.PutBucketAcl(ctx, &s3.PutBucketAclInput{Bucket: b, ACL: s3types.BucketCannedACLPrivate})
		return err
	}},
	{"PutObject", func(c *s3.Client) error {
		_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: b, Key: k, Body: strings.NewReader("hello")})
		return err
	}},
	{"GetObject", func(c *s3.Client) error {
		_, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: b, Key: k})
		return err
	}},
	{"HeadObject", func(c *s3.Client) error {
		_, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: b, Key: k})
		return err
	}},
	{"DeleteObject", func(c *s3.Client) error {
		_, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: b, Key: k})
		return err
	}},
	{"DeleteObjects", func(c *s3.Client) error {
		_, err := c.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: b, Delete: &s3types.Delete{Objects: []s3types.ObjectIdentifier{{Key: k}}}})
		return err
	}},
	{"CopyObject", func(c *s3.Client) error {
		_, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: b, Key: k, CopySource: aws.String("src/key")})
		return err
	}},
	{"ListObjectsV2", func(c *s3.Client) error {
		_, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: b, Prefix: aws.String("dir/")})
		return err
	}},
	{"ListObjects", func(c *s3.Client) error { _, err := c.ListObjects(ctx, &s3.ListObjectsInput{Bucket: b}); return err }},
	{"ListObjectVersions", func(c *s3.Client) error {
		_, err := c.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: b})
		return err
	}},
	{"GetObjectAttributes", func(c *s3.Client) error {
		_, err := c.GetObjectAttributes(ctx, &s3.GetObjectAttributesInput{Bucket: b, Key: k, ObjectAttributes: []s3types.ObjectAttributes{s3types.ObjectAttributesEtag, s3types.ObjectAttributesObjectSize}})
		return err
	}},
	{"CreateMultipartUpload", func(c *s3.Client) error {
		_, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: b, Key: k})
		return err
	}},
	{"UploadPart", func(c *s3.Client) error {
		_, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: b, Key: k, UploadId: aws.String("u1"), PartNumber: aws.Int32(1), Body: strings.NewReader("part")})
		return err
	}},
	{"UploadPartCopy", func(c *s3.Client) error {
		_, err := c.UploadPartCopy(ctx, &s3.UploadPartCopyInput{Bucket: b, Key: k, UploadId: aws.String("u1"), PartNumber: aws.Int32(2), CopySource: aws.String("src/key")})
		return err
	}},
	{"CompleteMultipartUpload", func(c *s3.Client) error {
		_, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: b, Key: k, UploadId: aws.String("u1"), MultipartUpload: &s3types.CompletedMultipartUpload{Parts: []s3types.CompletedPart{{ETag: aws.String(`"e"`), PartNumber: aws.Int32(1)}}}})
		return err
	}},
	{"AbortMultipartUpload", func(c *s3.Client) error {
		_, err := c.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: b, Key: k, UploadId: aws.String("u1")})
		return err
	}},
	{"ListParts", func(c *s3.Client) error {
		_, err := c.ListParts(ctx, &s3.ListPartsInput{Bucket: b, Key: k, UploadId: aws.String("u1")})
		return err
	}},
	{"ListMultipartUploads", func(c *s3.Client) error {
		_, err := c.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: b})
		return err
	}},
	{"GetObjectTagging", func(c *s3.Client) error {
		_, err := c.GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: b, Key: k})
		return err
	}},
	{"PutObjectTagging", func(c *s3.Client) error {
		_, err := c.PutObjectTagging(ctx, &s3.PutObjectTaggingInput{Bucket: b, Key: k, Tagging: &s3types.Tagging{TagSet: []s3types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}}})
		return err
	}},
	{"DeleteObjectTagging", func(c *s3.Client) error {
		_, err := c.DeleteObjectTagging(ctx, &s3.DeleteObjectTaggingInput{Bucket: b, Key: k})
		return err
	}},
	{"GetObjectAcl", func(c *s3.Client) error {
		_, err := c.GetObjectAcl(ctx, &s3.GetObjectAclInput{Bucket: b, Key: k})
		return err
	}},
	{"PutObjectAcl", func(c *s3.Client) error {
		_, err := c.PutObjectAcl(ctx, &s3.PutObjectAclInput{Bucket: b, Key: k, ACL: s3types.ObjectCannedACLPublicRead})
		return err
	}},
	{"GetObjectLegalHold", func(c *s3.Client) error {
		_, err := c.GetObjectLegalHold(ctx, &s3.GetObjectLegalHoldInput{Bucket: b, Key: k})
		return err
	}},
	{"PutObjectLegalHold", func(c *s3.Client) error {
		_, err := c.PutObjectLegalHold(ctx, &s3.PutObjectLegalHoldInput{Bucket: b, Key: k, LegalHold: &s3types.ObjectLockLegalHold{Status: s3types.ObjectLockLegalHoldStatusOn}})
		return err
	}},
	{"GetObjectRetention", func(c *s3.Client) error {
		_, err := c.GetObjectRetention(ctx, &s3.GetObjectRetentionInput{Bucket: b, Key: k})
		return err
	}},
	{"PutObjectRetention", func(c *s3.Client) error {
		_, err := c.PutObjectRetention(ctx, &s3.PutObjectRetentionInput{Bucket: b, Key: k, Retention: &s3types.ObjectLockRetention{Mode: s3types.ObjectLockRetentionModeGovernance, RetainUntilDate: aws.Time(time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC))}})
		return err
	}},
	{"RestoreObject", func(c *s3.Client) error {
		_, err := c.RestoreObject(ctx, &s3.RestoreObjectInput{Bucket: b, Key: k, RestoreRequest: &s3types.RestoreRequest{Days: aws.Int32(1)}})
		return err
	}},
}

func TestS3OperationsRouteToThemselves(t *testing.T) {
	t.Parallel()
	for _, tc := range s3RoutingCases {
		t.Run(tc.op+" routes to itself and binds bucket and key", func(t *testing.T) {
			t.Parallel()
			srv := &fakeServer{respond: zeroOutput}
			if err := tc.call(newS3Client(srv)); err != nil {
				t.Fatalf("SDK call failed: %v (decode error: %v)", err, srv.decodeErr)
			}
			if got := srv.lastOp(); got != tc.op {
				t.Fatalf("routed to %q, want %q", got, tc.op)
			}
			in := reflect.ValueOf(srv.lastIn()).Elem()
			if f := in.FieldByName("Bucket"); f.IsValid() && (f.IsNil() || f.Elem().String() != *b) {
				t.Errorf("Bucket = %v, want %q", f, *b)
			}
			if f := in.FieldByName("Key"); f.IsValid() && (f.IsNil() || f.Elem().String() != *k) {
				t.Errorf("Key = %v, want %q", f, *k)
			}
		})
	}
}

func TestS3ObjectKeysRoundTrip(t *testing.T) {
	t.Parallel()
	keys := []struct{ name, key string }{
		{"a key with spaces", "my photos/summer 2024.jpg"},
		{"a key with a literal %2F", "a%2Fb"},
		{"a key with unicode", "ünïcödé/日本語.txt"},
		{"a key with a trailing slash", "folder/sub/"},
		{"a key with reserved characters", "a+b=c&d?e#f;g,h@i:j!k*'()~$"},
		{"a key with an empty segment", "a//b"},
	}
	for _, tc := range keys {
		t.Run(tc.name+" decodes to the same key", func(t *testing.T) {
			t.Parallel()
			srv := &fakeServer{respond: zeroOutput}
			_, err := newS3Client(srv).GetObject(ctx, &s3.GetObjectInput{Bucket: b, Key: aws.String(tc.key)})
			if err != nil {
				t.Fatalf("GetObject: %v (decode error: %v)", err, srv.decodeErr)
			}
			in := srv.lastIn().(*api.GetObjectRequest)
			if srv.lastOp() != "GetObject" || in.Key == nil || *in.Key != tc.key {
				t.Errorf("routed to %s with key %v, want GetObject with %q", srv.lastOp(), in.Key, tc.key)
			}
		})
	}
}

func TestS3RawPathsRoute(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, method, target string
		op, bucket, key      string
	}{
		{"an encoded slash in a key is part of the key", "GET", "/bucket/a%2Fb", "GetObject", "bucket", "a/b"},
		{"a trailing slash after the bucket names the bucket", "GET", "/bucket/", "ListObjects", "bucket", ""},
		{"list-type=2 selects ListObjectsV2", "GET", "/bucket?list-type=2", "ListObjectsV2", "bucket", ""},
		{"list-type=1 falls back to ListObjects", "GET", "/bucket?list-type=1&prefix=a", "ListObjects", "bucket", ""},
		{"uploadId selects ListParts over GetObject", "GET", "/bucket/k?uploadId=u", "ListParts", "bucket", "k"},
		{"uploadId selects AbortMultipartUpload over DeleteObject", "DELETE", "/bucket/k?uploadId=u", "AbortMultipartUpload", "bucket", "k"},
		{"the lifecycle subresource prefers the current operation", "GET", "/bucket?lifecycle", "GetBucketLifecycleConfiguration", "bucket", ""},
		{"select with select-type=2 is SelectObjectContent", "POST", "/bucket/k?select&select-type=2", "SelectObjectContent", "bucket", "k"},
		{"a key named like a subresource is still a key", "GET", "/bucket/tagging", "GetObject", "bucket", "tagging"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r, _ := http.NewRequest(tc.method, "http://localhost"+tc.target, nil)
			op, p, err := s3Codec.Route(r)
			if err != nil {
				t.Fatalf("Route: %v", err)
			}
			if op.Name != tc.op || p["Bucket"] != tc.bucket || p["Key"] != tc.key {
				t.Errorf("routed to %s %v, want %s bucket=%q key=%q", op.Name, p, tc.op, tc.bucket, tc.key)
			}
		})
	}
}

func TestS3PutObjectStreamsTheBodyAndBindsMetadata(t *testing.T) {
	t.Parallel()
	var got string
	srv := &fakeServer{}
	srv.respond = func(op *schema.Operation, in any) (any, error) {
		req := in.(*api.PutObjectRequest)
		if req.Body != srv.req.Body {
			t.Error("Body is not the request body")
		}
		b, err := io.ReadAll(req.Body)
		if err != nil {
			return nil, err
		}
		got = string(b)
		return &api.PutObjectOutput{ETag: aws.String(`"5d41402abc4b2a76b9719d911017c592"`), VersionId: aws.String("v1")}, nil
	}
	out, err := newS3Client(srv).PutObject(ctx, &s3.PutObjectInput{
		Bucket:        b,
		Key:           k,
		Body:          strings.NewReader("hello"),
		ContentType:   aws.String("text/plain"),
		ContentLength: aws.Int64(5),
		Expires:       aws.Time(time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)),
		Metadata:      map[string]string{"Owner": "team a", "color": "blue"},
	})
	if err != nil {
		t.Fatalf("PutObject: %v (decode error: %v)", err, srv.decodeErr)
	}
	if got != "hello" {
		t.Errorf("body = %q, want hello", got)
	}
	in := srv.lastIn().(*api.PutObjectRequest)
	want := map[string]string{"owner": "team a", "color": "blue"}
	if !reflect.DeepEqual(in.Metadata, want) {
		t.Errorf("Metadata = %v, want %v", in.Metadata, want)
	}
	if in.ContentType == nil || *in.ContentType != "text/plain" || in.ContentLength == nil || *in.ContentLength != 5 {
		t.Errorf("ContentType = %v, ContentLength = %v", in.ContentType, in.ContentLength)
	}
	if aws.ToString(in.Expires) != "Tue, 01 Jan 2030 00:00:00 GMT" {
		t.Errorf("Expires = %v", aws.ToString(in.Expires))
	}
	if aws.ToString(out.ETag) != `"5d41402abc4b2a76b9719d911017c592"` || aws.ToString(out.VersionId) != "v1" {
		t.Errorf("SDK parsed ETag %v, VersionId %v", out.ETag, out.VersionId)
	}
}

func TestS3ResponsesParseInTheSDK(t *testing.T) {
	t.Parallel()
	modified := time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)
	cases := []struct {
		name string
		out  any
		call func(c *s3.Client) (any, error)
	}{
		{
			name: "GetObject streams the body with header members",
			out: &api.GetObjectOutput{
				Body: io.NopCloser(strings.NewReader("content")), ContentLength: aws.Int64(7), ContentType: aws.String("text/plain"),
				ETag: aws.String(`"e"`), LastModified: aws.Time(modified), Metadata: map[string]string{"owner": "me"},
				TagCount: aws.Int32(3), ObjectLockRetainUntilDate: aws.Time(modified),
			},
			call: func(c *s3.Client) (any, error) {
				out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: b, Key: k})
				if err == nil {
					if body, rerr := io.ReadAll(out.Body); rerr != nil || string(body) != "content" {
						return nil, errors.New("body is not the stream")
					}
				}
				return out, err
			},
		},
		{
			name: "GetObjectAcl writes grantees with their xsi:type attribute",
			out: &api.GetObjectAclOutput{
				Owner: &api.Owner{ID: aws.String("owner-id"), DisplayName: aws.String("me")},
				Grants: []api.Grant{
					{Grantee: &api.Grantee{Type: ptr(api.TypeCanonicalUser), ID: aws.String("abc")}, Permission: ptr(api.PermissionFULLCONTROL)},
					{Grantee: &api.Grantee{Type: ptr(api.TypeGroup), URI: aws.String("http://acs.amazonaws.com/groups/global/AllUsers")}, Permission: ptr(api.PermissionREAD)},
				},
			},
			call: func(c *s3.Client) (any, error) { return c.GetObjectAcl(ctx, &s3.GetObjectAclInput{Bucket: b, Key: k}) },
		},
		{
			name: "ListObjectsV2 writes flattened contents",
			out: &api.ListObjectsV2Output{
				Name: b, IsTruncated: aws.Bool(false), KeyCount: aws.Int32(2), MaxKeys: aws.Int32(1000),
				Contents: []api.Object{
					{Key: aws.String("a & b"), Size: aws.Int64(1), LastModified: aws.Time(modified), StorageClass: ptr(api.ObjectStorageClassSTANDARD), ChecksumAlgorithm: []api.ChecksumAlgorithm{"CRC32"}},
					{Key: aws.String("c"), Size: aws.Int64(2), ETag: aws.String(`"x"`)},
				},
				CommonPrefixes: []api.CommonPrefix{{Prefix: aws.String("p/")}},
			},
			call: func(c *s3.Client) (any, error) { return c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: b}) },
		},
		{
			name: "GetObjectTagging writes the tag set under Tagging",
			out:  &api.GetObjectTaggingOutput{VersionId: aws.String("v"), TagSet: []api.Tag{{Key: aws.String("k"), Value: aws.String("v")}}},
			call: func(c *s3.Client) (any, error) {
				return c.GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: b, Key: k})
			},
		},
		{
			name: "GetObjectRetention writes its payload structure",
			out:  &api.GetObjectRetentionOutput{Retention: &api.ObjectLockRetention{Mode: ptr(api.ObjectLockRetentionModeCOMPLIANCE), RetainUntilDate: aws.Time(modified)}},
			call: func(c *s3.Client) (any, error) {
				return c.GetObjectRetention(ctx, &s3.GetObjectRetentionInput{Bucket: b, Key: k})
			},
		},
		{
			name: "GetBucketLocation writes the region as the root's text",
			out:  &api.GetBucketLocationOutput{LocationConstraint: ptr(api.BucketLocationConstraint("eu-west-1"))},
			call: func(c *s3.Client) (any, error) {
				return c.GetBucketLocation(ctx, &s3.GetBucketLocationInput{Bucket: b})
			},
		},
		{
			name: "GetBucketLocation for us-east-1 writes an empty root",
			out:  &api.GetBucketLocationOutput{},
			call: func(c *s3.Client) (any, error) {
				return c.GetBucketLocation(ctx, &s3.GetBucketLocationInput{Bucket: b})
			},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := &fakeServer{respond: func(*schema.Operation, any) (any, error) { return tc.out, nil }}
			sdkOut, err := tc.call(newS3Client(srv))
			if err != nil {
				t.Fatalf("SDK call failed: %v (decode error: %v)", err, srv.decodeErr)
			}
			assertSame(t, "parsed output", tc.out, sdkOut, "Body")
		})
	}
}

func TestS3ErrorsParseInTheSDK(t *testing.T) {
	t.Parallel()
	t.Run("NoSuchKey arrives as the typed SDK error", func(t *testing.T) {
		t.Parallel()
		srv := &fakeServer{respond: func(*schema.Operation, any) (any, error) {
			return &api.NoSuchKey{Message: aws.String("The specified key does not exist.")}, nil
		}}
		srv.respond = func(*schema.Operation, any) (any, error) {
			return nil, &api.NoSuchKey{Message: aws.String("The specified key does not exist.")}
		}
		_, err := newS3Client(srv).GetObject(ctx, &s3.GetObjectInput{Bucket: b, Key: k})
		var nsk *s3types.NoSuchKey
		if !errors.As(err, &nsk) {
			t.Fatalf("error %v is not *types.NoSuchKey", err)
		}
		if nsk.ErrorMessage() != "The specified key does not exist." {
			t.Errorf("message = %q", nsk.ErrorMessage())
		}
		if body := srv.body(); !strings.HasPrefix(body, `<?xml version="1.0" encoding="UTF-8"?>`+"\n<Error><Code>NoSuchKey</Code>") ||
			!strings.HasSuffix(body, "<RequestId>REQ123</RequestId><HostId>HOST456</HostId></Error>") {
			t.Errorf("body is not a bare S3 error:\n%s", body)
		}
	})
	t.Run("a generic error shows its code, fields and headers", func(t *testing.T) {
		t.Parallel()
		e := apierror.New("AccessDenied", http.StatusForbidden, "Access Denied").With("Resource", "/bucket/<k>")
		e.Header = http.Header{"x-amz-delete-marker": {"true"}}
		srv := &fakeServer{respond: func(*schema.Operation, any) (any, error) { return nil, e }}
		_, err := newS3Client(srv).PutObject(ctx, &s3.PutObjectInput{Bucket: b, Key: k, Body: strings.NewReader("x")})
		var apiErr smithy.APIError
		if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "AccessDenied" || apiErr.ErrorMessage() != "Access Denied" {
			t.Fatalf("error %v does not carry AccessDenied", err)
		}
		if body := srv.body(); !strings.Contains(body, "<Message>Access Denied</Message><Resource>/bucket/&lt;k&gt;</Resource><RequestId>") {
			t.Errorf("field missing or unescaped:\n%s", body)
		}
		if got := srv.rec.Header().Get("X-Amz-Delete-Marker"); got != "true" {
			t.Errorf("x-amz-delete-marker = %q", got)
		}
	})
	t.Run("a HEAD error has a status but no body", func(t *testing.T) {
		t.Parallel()
		srv := &fakeServer{respond: func(*schema.Operation, any) (any, error) {
			return nil, &api.NoSuchKey{Message: aws.String("gone")}
		}}
		_, err := newS3Client(srv).HeadObject(ctx, &s3.HeadObjectInput{Bucket: b, Key: k})
		var nf *s3types.NotFound
		if !errors.As(err, &nf) {
			t.Fatalf("error %v is not *types.NotFound", err)
		}
		if body := srv.body(); body != "" {
			t.Errorf("HEAD error has a body: %q", body)
		}
		if srv.rec.Code != http.StatusNotFound {
			t.Errorf("status = %d", srv.rec.Code)
		}
	})
	t.Run("a modeled error writes its extra members", func(t *testing.T) {
		t.Parallel()
		srv := &fakeServer{respond: func(*schema.Operation, any) (any, error) {
			return nil, &api.InvalidObjectState{StorageClass: ptr(api.StorageClassGLACIER), Message: aws.String("archived")}
		}}
		_, err := newS3Client(srv).GetObject(ctx, &s3.GetObjectInput{Bucket: b, Key: k})
		var ios *s3types.InvalidObjectState
		if !errors.As(err, &ios) || ios.StorageClass != s3types.StorageClassGlacier {
			t.Fatalf("error %v is not InvalidObjectState with its storage class", err)
		}
	})
}
