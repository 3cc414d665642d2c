package remote

import (
	"context"
	"hash"
	"io"
	"net/http"
	"net/url"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/jobplane/jobplane/internal/objectstore"
)

// unsignedPayload sends a streamed body as UNSIGNED-PAYLOAD: signing it
// would need to read it twice.
var unsignedPayload = awss3.WithAPIOptions(v4.SwapComputePayloadSHA256ForUnsignedPayloadMiddleware)

// body is an upload body ready for the SDK, with the checksum to send.
type body struct {
	r        io.Reader
	size     int64
	checksum objectstore.UploadChecksum
	cleanup  func()
}

// prepare turns an upload body into one the SDK can send: a body of known
// size without a trailing checksum streams as it is; any other is spooled
// to a temporary file, its checksum computed and checked on the way, so
// that the endpoint gets a length and the checksum as a header.
func prepare(r io.Reader, size int64, c objectstore.UploadChecksum) (*body, error) {
	if size >= 0 && c.Trailing == nil {
		return &body{r: r, size: size, checksum: c, cleanup: func() {}}, nil
	}
	f, err := os.CreateTemp("", "jobplane-remote-upload")
	if err != nil {
		return nil, err
	}
	cleanup := func() { f.Close(); os.Remove(f.Name()) }
	var h hash.Hash
	w := io.Writer(f)
	if c.Algorithm != "" {
		if h = objectstore.NewHash(c.Algorithm); h != nil {
			w = io.MultiWriter(f, h)
		}
	}
	n, err := io.Copy(w, r)
	if err != nil {
		cleanup()
		return nil, err
	}
	if size >= 0 && n != size {
		cleanup()
		return nil, objectstore.ErrIncompleteBody()
	}
	if h != nil {
		got := objectstore.EncodeChecksum(h.Sum(nil))
		want := c.Value
		if want == "" && c.Trailing != nil {
			want = c.Trailing()
		}
		if want != "" && want != got {
			cleanup()
			return nil, objectstore.ErrBadDigest(c.Algorithm)
		}
		c.Value = got
	}
	c.Trailing = nil
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		cleanup()
		return nil, err
	}
	return &body{r: f, size: n, checksum: c, cleanup: cleanup}, nil
}

// headers puts an upload's checksum into the SDK's fields.
func (b *body) headers(alg *types.ChecksumAlgorithm, crc32, crc32c, crc64, sha1, sha256 **string) {
	c := b.checksum
	if c.Value == "" {
		return
	}
	setChecksum(c.Algorithm, c.Value, crc32, crc32c, crc64, sha1, sha256)
	*alg = types.ChecksumAlgorithm(c.Algorithm)
}

// lockFields renders a new version's retention and legal hold as the
// x-amz-object-lock-* fields of an upload or copy.
func lockFields(r objectstore.Retention, legalHold bool) (mode types.ObjectLockMode, until *time.Time, hold types.ObjectLockLegalHoldStatus) {
	if r.Mode != "" {
		mode, until = types.ObjectLockMode(r.Mode), aws.Time(r.RetainUntil)
	}
	if legalHold {
		hold = types.ObjectLockLegalHoldStatusOn
	}
	return mode, until, hold
}

// PutObject implements objectstore.Store.
func (s *Store) PutObject(ctx context.Context, in objectstore.PutObjectInput) (objectstore.ObjectInfo, error) {
	b, err := prepare(in.Body, in.Size, in.Checksum)
	if err != nil {
		return objectstore.ObjectInfo{}, err
	}
	defer b.cleanup()
	m := in.Metadata
	req := &awss3.PutObjectInput{Bucket: aws.String(in.Bucket), Key: aws.String(in.Key), Body: b.r, ContentLength: aws.Int64(b.size),
		ContentType: strPtr(m.ContentType), ContentEncoding: strPtr(m.ContentEncoding), ContentDisposition: strPtr(m.ContentDisposition),
		ContentLanguage: strPtr(m.ContentLanguage), CacheControl: strPtr(m.CacheControl), WebsiteRedirectLocation: strPtr(m.WebsiteRedirectLocation),
		Metadata: m.User, StorageClass: types.StorageClass(in.StorageClass), Tagging: taggingHeader(in.Tags),
		ContentMD5: strPtr(in.Checksum.ContentMD5), IfMatch: strPtr(in.IfMatch), IfNoneMatch: strPtr(in.IfNoneMatch),
		ServerSideEncryption: types.ServerSideEncryption(in.Encryption.Algorithm), SSEKMSKeyId: strPtr(in.Encryption.KMSKeyID)}
	if in.Encryption.BucketKeyEnabled {
		req.BucketKeyEnabled = aws.Bool(true)
	}
	req.GrantFullControl, req.GrantRead, req.GrantReadACP, req.GrantWriteACP = grantHeaders(in.ACL)
	req.ObjectLockMode, req.ObjectLockRetainUntilDate, req.ObjectLockLegalHoldStatus = lockFields(in.Retention, in.LegalHold)
	b.headers(&req.ChecksumAlgorithm, &req.ChecksumCRC32, &req.ChecksumCRC32C, &req.ChecksumCRC64NVME, &req.ChecksumSHA1, &req.ChecksumSHA256)
	out, err := s.c.PutObject(ctx, req, unsignedPayload)
	if err != nil {
		return objectstore.ObjectInfo{}, mapErr(err, in.Bucket, in.Key, nil)
	}
	return objectstore.ObjectInfo{Bucket: in.Bucket, Key: in.Key, VersionID: str(out.VersionId), IsLatest: true, Size: b.size,
		ETag: str(out.ETag), StorageClass: in.StorageClass, Metadata: in.Metadata, Tags: in.Tags, ACL: in.ACL,
		Retention: in.Retention, LegalHold: in.LegalHold,
		Checksum:   pickChecksum(out.ChecksumCRC32, out.ChecksumCRC32C, out.ChecksumCRC64NVME, out.ChecksumSHA1, out.ChecksumSHA256, out.ChecksumType),
		Encryption: objectstore.Encryption{Algorithm: string(out.ServerSideEncryption), KMSKeyID: str(out.SSEKMSKeyId)}}, nil
}

// GetObject implements objectstore.Store.
func (s *Store) GetObject(ctx context.Context, in objectstore.GetObjectInput) (*objectstore.Object, error) {
	req := &awss3.GetObjectInput{Bucket: aws.String(in.Bucket), Key: aws.String(in.Key), VersionId: strPtr(in.VersionID),
		Range: strPtr(in.Range), IfMatch: strPtr(in.Conditions.IfMatch), IfNoneMatch: strPtr(in.Conditions.IfNoneMatch),
		IfModifiedSince: in.Conditions.IfModifiedSince, IfUnmodifiedSince: in.Conditions.IfUnmodifiedSince,
		ChecksumMode: types.ChecksumModeEnabled}
	if in.PartNumber > 0 {
		req.PartNumber = aws.Int32(int32(in.PartNumber))
	}
	out, err := s.c.GetObject(ctx, req)
	if err != nil {
		return nil, mapErr(err, in.Bucket, in.Key, nil)
	}
	oi := objectstore.ObjectInfo{Bucket: in.Bucket, Key: in.Key, VersionID: str(out.VersionId), IsLatest: in.VersionID == "",
		Size: aws.ToInt64(out.ContentLength), ETag: str(out.ETag), LastModified: timeVal(out.LastModified),
		StorageClass: objectstore.StorageClassOr(string(out.StorageClass)), Restore: parseRestore(str(out.Restore)),
		ReplicationStatus: string(out.ReplicationStatus),
		Metadata: objectstore.Metadata{ContentType: str(out.ContentType), ContentEncoding: str(out.ContentEncoding),
			ContentDisposition: str(out.ContentDisposition), ContentLanguage: str(out.ContentLanguage), CacheControl: str(out.CacheControl),
			Expires: str(out.ExpiresString), WebsiteRedirectLocation: str(out.WebsiteRedirectLocation), User: out.Metadata},
		Checksum:   pickChecksum(out.ChecksumCRC32, out.ChecksumCRC32C, out.ChecksumCRC64NVME, out.ChecksumSHA1, out.ChecksumSHA256, out.ChecksumType),
		Encryption: objectstore.Encryption{Algorithm: string(out.ServerSideEncryption), KMSKeyID: str(out.SSEKMSKeyId), BucketKeyEnabled: aws.ToBool(out.BucketKeyEnabled)},
		Retention:  objectstore.Retention{Mode: string(out.ObjectLockMode), RetainUntil: timeVal(out.ObjectLockRetainUntilDate)},
		LegalHold:  out.ObjectLockLegalHoldStatus == types.ObjectLockLegalHoldStatusOn}
	o := &objectstore.Object{Info: oi, Body: out.Body, PartNumber: in.PartNumber}
	if r, ok := parseContentRange(str(out.ContentRange)); ok {
		o.Range = r
		o.Info.Size = r.Size
	}
	return o, nil
}

// parseContentRange reads "bytes first-last/size".
func parseContentRange(h string) (*objectstore.ByteRange, bool) {
	spec, ok := strings.CutPrefix(h, "bytes ")
	if !ok {
		return nil, false
	}
	rng, size, ok := strings.Cut(spec, "/")
	first, last, ok2 := strings.Cut(rng, "-")
	f, err1 := strconv.ParseInt(first, 10, 64)
	l, err2 := strconv.ParseInt(last, 10, 64)
	n, err3 := strconv.ParseInt(size, 10, 64)
	if !ok || !ok2 || err1 != nil || err2 != nil || err3 != nil {
		return nil, false
	}
	return &objectstore.ByteRange{First: f, Last: l, Size: n}, true
}

// HeadObject implements objectstore.Store. The tag set and the ACL take a
// call each, made side by side with the HEAD.
func (s *Store) HeadObject(ctx context.Context, in objectstore.GetObjectInput) (objectstore.ObjectInfo, error) {
	req := &awss3.HeadObjectInput{Bucket: aws.String(in.Bucket), Key: aws.String(in.Key), VersionId: strPtr(in.VersionID),
		IfMatch: strPtr(in.Conditions.IfMatch), IfNoneMatch: strPtr(in.Conditions.IfNoneMatch),
		IfModifiedSince: in.Conditions.IfModifiedSince, IfUnmodifiedSince: in.Conditions.IfUnmodifiedSince, ChecksumMode: types.ChecksumModeEnabled}
	var (
		wg   sync.WaitGroup
		tags []objectstore.Tag
		acl  objectstore.ACL
	)
	wg.Add(2)
	go func() {
		defer wg.Done()
		if t, err := s.c.GetObjectTagging(ctx, &awss3.GetObjectTaggingInput{Bucket: req.Bucket, Key: req.Key, VersionId: req.VersionId}); err == nil {
			tags = tagsIn(t.TagSet)
		}
	}()
	go func() {
		defer wg.Done()
		if a, err := s.c.GetObjectAcl(ctx, &awss3.GetObjectAclInput{Bucket: req.Bucket, Key: req.Key, VersionId: req.VersionId}); err == nil {
			acl = aclIn(a.Owner, a.Grants)
		}
	}()
	out, err := s.c.HeadObject(ctx, req)
	wg.Wait()
	if err != nil {
		return objectstore.ObjectInfo{}, mapErr(err, in.Bucket, in.Key, s.missing(ctx, in.Bucket, in.Key, in.VersionID))
	}
	return objectstore.ObjectInfo{Bucket: in.Bucket, Key: in.Key, VersionID: str(out.VersionId), IsLatest: in.VersionID == "",
		Size: aws.ToInt64(out.ContentLength), ETag: str(out.ETag), LastModified: timeVal(out.LastModified),
		StorageClass: objectstore.StorageClassOr(string(out.StorageClass)), Restore: parseRestore(str(out.Restore)),
		ReplicationStatus: string(out.ReplicationStatus), Tags: tags, ACL: acl,
		Metadata: objectstore.Metadata{ContentType: str(out.ContentType), ContentEncoding: str(out.ContentEncoding),
			ContentDisposition: str(out.ContentDisposition), ContentLanguage: str(out.ContentLanguage), CacheControl: str(out.CacheControl),
			Expires: str(out.ExpiresString), WebsiteRedirectLocation: str(out.WebsiteRedirectLocation), User: out.Metadata},
		Checksum:   pickChecksum(out.ChecksumCRC32, out.ChecksumCRC32C, out.ChecksumCRC64NVME, out.ChecksumSHA1, out.ChecksumSHA256, out.ChecksumType),
		Encryption: objectstore.Encryption{Algorithm: string(out.ServerSideEncryption), KMSKeyID: str(out.SSEKMSKeyId), BucketKeyEnabled: aws.ToBool(out.BucketKeyEnabled)},
		Retention:  objectstore.Retention{Mode: string(out.ObjectLockMode), RetainUntil: timeVal(out.ObjectLockRetainUntilDate)},
		LegalHold:  out.ObjectLockLegalHoldStatus == types.ObjectLockLegalHoldStatusOn}, nil
}

// copySource renders an object reference as x-amz-copy-source.
func copySource(ref objectstore.ObjectRef) *string {
	parts := strings.Split(ref.Key, "/")
	for i, p := range parts {
		parts[i] = url.PathEscape(p)
	}
	s := ref.Bucket + "/" + strings.Join(parts, "/")
	if ref.VersionID != "" {
		s += "?versionId=" + url.QueryEscape(ref.VersionID)
	}
	return aws.String(s)
}

// CopyObject implements objectstore.Store.
func (s *Store) CopyObject(ctx context.Context, in objectstore.CopyObjectInput) (objectstore.CopyResult, error) {
	m := in.Metadata
	req := &awss3.CopyObjectInput{Bucket: aws.String(in.Bucket), Key: aws.String(in.Key), CopySource: copySource(in.Source),
		CopySourceIfMatch: strPtr(in.SourceConditions.IfMatch), CopySourceIfNoneMatch: strPtr(in.SourceConditions.IfNoneMatch),
		CopySourceIfModifiedSince: in.SourceConditions.IfModifiedSince, CopySourceIfUnmodifiedSince: in.SourceConditions.IfUnmodifiedSince,
		MetadataDirective: types.MetadataDirective(in.MetadataDirective), TaggingDirective: types.TaggingDirective(in.TaggingDirective),
		StorageClass: types.StorageClass(in.StorageClass), ChecksumAlgorithm: types.ChecksumAlgorithm(in.ChecksumAlgorithm)}
	if in.MetadataDirective == "REPLACE" {
		req.ContentType, req.ContentEncoding, req.ContentDisposition = strPtr(m.ContentType), strPtr(m.ContentEncoding), strPtr(m.ContentDisposition)
		req.ContentLanguage, req.CacheControl, req.WebsiteRedirectLocation = strPtr(m.ContentLanguage), strPtr(m.CacheControl), strPtr(m.WebsiteRedirectLocation)
		req.Metadata = m.User
	}
	if in.TaggingDirective == "REPLACE" {
		req.Tagging = taggingHeader(in.Tags)
	}
	if e := in.Encryption; e != nil {
		req.ServerSideEncryption, req.SSEKMSKeyId = types.ServerSideEncryption(e.Algorithm), strPtr(e.KMSKeyID)
	}
	req.GrantFullControl, req.GrantRead, req.GrantReadACP, req.GrantWriteACP = grantHeaders(in.ACL)
	req.ObjectLockMode, req.ObjectLockRetainUntilDate, req.ObjectLockLegalHoldStatus = lockFields(in.Retention, in.LegalHold)
	out, err := s.c.CopyObject(ctx, req)
	if err != nil {
		return objectstore.CopyResult{}, mapErr(err, in.Bucket, in.Key, nil)
	}
	oi := objectstore.ObjectInfo{Bucket: in.Bucket, Key: in.Key, VersionID: str(out.VersionId), IsLatest: true,
		StorageClass: objectstore.StorageClassOr(in.StorageClass), Encryption: objectstore.Encryption{Algorithm: string(out.ServerSideEncryption)}}
	if r := out.CopyObjectResult; r != nil {
		oi.ETag, oi.LastModified = str(r.ETag), timeVal(r.LastModified)
		oi.Checksum = pickChecksum(r.ChecksumCRC32, r.ChecksumCRC32C, r.ChecksumCRC64NVME, r.ChecksumSHA1, r.ChecksumSHA256, r.ChecksumType)
	}
	return objectstore.CopyResult{Object: oi, SourceVersionID: str(out.CopySourceVersionId)}, nil
}

// DeleteObject implements objectstore.Store.
func (s *Store) DeleteObject(ctx context.Context, in objectstore.DeleteObjectInput) (objectstore.DeleteResult, error) {
	req := &awss3.DeleteObjectInput{Bucket: aws.String(in.Bucket), Key: aws.String(in.Key), VersionId: strPtr(in.VersionID)}
	if in.BypassGovernance {
		req.BypassGovernanceRetention = aws.Bool(true)
	}
	out, err := s.c.DeleteObject(ctx, req)
	if err != nil {
		return objectstore.DeleteResult{}, mapErr(err, in.Bucket, in.Key, nil)
	}
	return objectstore.DeleteResult{Key: in.Key, VersionID: str(out.VersionId), DeleteMarker: aws.ToBool(out.DeleteMarker)}, nil
}

// DeleteObjects implements objectstore.Store, a thousand keys a call.
func (s *Store) DeleteObjects(ctx context.Context, bucket string, objects []objectstore.ObjectRef, bypass bool, owner string) ([]objectstore.DeleteResult, error) {
	out := make([]objectstore.DeleteResult, 0, len(objects))
	for len(objects) > 0 {
		chunk := objects[:min(len(objects), 1000)]
		objects = objects[len(chunk):]
		ids := make([]types.ObjectIdentifier, len(chunk))
		for i, o := range chunk {
			ids[i] = types.ObjectIdentifier{Key: aws.String(o.Key), VersionId: strPtr(o.VersionID)}
		}
		req := &awss3.DeleteObjectsInput{Bucket: aws.String(bucket), Delete: &types.Delete{Objects: ids}}
		if bypass {
			req.BypassGovernanceRetention = aws.Bool(true)
		}
		res, err := s.c.DeleteObjects(ctx, req)
		if err != nil {
			return nil, mapErr(err, bucket, "", nil)
		}
		done := map[[2]string]objectstore.DeleteResult{}
		for _, d := range res.Deleted {
			r := objectstore.DeleteResult{Key: str(d.Key), VersionID: str(d.VersionId), DeleteMarker: aws.ToBool(d.DeleteMarker)}
			if d.DeleteMarkerVersionId != nil {
				r.VersionID = str(d.DeleteMarkerVersionId)
			}
			done[[2]string{str(d.Key), str(d.VersionId)}] = r
		}
		for _, e := range res.Errors {
			done[[2]string{str(e.Key), str(e.VersionId)}] = objectstore.DeleteResult{Key: str(e.Key), VersionID: str(e.VersionId),
				Err: objectstore.ErrInvalidRequest(str(e.Message))}
		}
		for _, o := range chunk {
			r, ok := done[[2]string{o.Key, o.VersionID}]
			if !ok {
				r = objectstore.DeleteResult{Key: o.Key, VersionID: o.VersionID}
			}
			out = append(out, r)
		}
	}
	return out, nil
}

// ListObjects implements objectstore.Store.
func (s *Store) ListObjects(ctx context.Context, in objectstore.ListObjectsInput) (objectstore.ListObjectsResult, error) {
	var res objectstore.ListObjectsResult
	out, err := s.c.ListObjectsV2(ctx, &awss3.ListObjectsV2Input{Bucket: aws.String(in.Bucket), Prefix: strPtr(in.Prefix),
		Delimiter: strPtr(in.Delimiter), StartAfter: strPtr(in.StartAfter), MaxKeys: aws.Int32(int32(in.MaxKeys))})
	if err != nil {
		return res, mapErr(err, in.Bucket, "", nil)
	}
	for _, o := range out.Contents {
		res.Objects = append(res.Objects, objectstore.ObjectInfo{Bucket: in.Bucket, Key: str(o.Key), IsLatest: true,
			Size: aws.ToInt64(o.Size), ETag: str(o.ETag), LastModified: timeVal(o.LastModified), StorageClass: string(o.StorageClass),
			Checksum: listedChecksum(o.ChecksumAlgorithm, o.ChecksumType)})
		res.Next = max(res.Next, str(o.Key))
	}
	for _, cp := range out.CommonPrefixes {
		res.CommonPrefixes = append(res.CommonPrefixes, str(cp.Prefix))
		res.Next = max(res.Next, str(cp.Prefix))
	}
	res.IsTruncated = aws.ToBool(out.IsTruncated)
	return res, nil
}

func listedChecksum(algs []types.ChecksumAlgorithm, typ types.ChecksumType) objectstore.Checksum {
	if len(algs) == 0 {
		return objectstore.Checksum{}
	}
	return objectstore.Checksum{Algorithm: string(algs[0]), Type: string(typ)}
}

// ListObjectVersions implements objectstore.Store. The SDK returns versions
// and delete markers apart; they are merged back in S3's order.
func (s *Store) ListObjectVersions(ctx context.Context, in objectstore.ListVersionsInput) (objectstore.ListVersionsResult, error) {
	var res objectstore.ListVersionsResult
	out, err := s.c.ListObjectVersions(ctx, &awss3.ListObjectVersionsInput{Bucket: aws.String(in.Bucket), Prefix: strPtr(in.Prefix),
		Delimiter: strPtr(in.Delimiter), KeyMarker: strPtr(in.KeyMarker), VersionIdMarker: strPtr(in.VersionIDMarker),
		MaxKeys: aws.Int32(int32(in.MaxKeys))})
	if err != nil {
		return res, mapErr(err, in.Bucket, "", nil)
	}
	for _, v := range out.Versions {
		res.Versions = append(res.Versions, objectstore.ObjectInfo{Bucket: in.Bucket, Key: str(v.Key), VersionID: str(v.VersionId),
			IsLatest: aws.ToBool(v.IsLatest), Size: aws.ToInt64(v.Size), ETag: str(v.ETag), LastModified: timeVal(v.LastModified),
			StorageClass: string(v.StorageClass), Checksum: listedChecksum(v.ChecksumAlgorithm, v.ChecksumType)})
	}
	for _, m := range out.DeleteMarkers {
		res.Versions = append(res.Versions, objectstore.ObjectInfo{Bucket: in.Bucket, Key: str(m.Key), VersionID: str(m.VersionId),
			IsLatest: aws.ToBool(m.IsLatest), DeleteMarker: true, LastModified: timeVal(m.LastModified)})
	}
	sort.SliceStable(res.Versions, func(i, j int) bool {
		a, b := res.Versions[i], res.Versions[j]
		if a.Key != b.Key {
			return a.Key < b.Key
		}
		if a.IsLatest != b.IsLatest {
			return a.IsLatest
		}
		return a.LastModified.After(b.LastModified)
	})
	for _, cp := range out.CommonPrefixes {
		res.CommonPrefixes = append(res.CommonPrefixes, str(cp.Prefix))
	}
	res.IsTruncated = aws.ToBool(out.IsTruncated)
	res.NextKeyMarker, res.NextVersionIDMarker = str(out.NextKeyMarker), str(out.NextVersionIdMarker)
	return res, nil
}

// statusOf is the HTTP status of a successful call.
func statusOf(md middleware.Metadata) int {
	if r, ok := awsmiddleware.GetRawResponse(md).(*smithyhttp.Response); ok {
		return r.StatusCode
	}
	return http.StatusOK
}
