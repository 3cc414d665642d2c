package s3

import (
	"context"
	"net/http"
	"strconv"
	"time"

	api "github.com/jobplane/jobplane/internal/api/s3"
	"github.com/jobplane/jobplane/internal/objectstore"
)

// lockIn reads the Object Lock headers of an upload.
func lockIn(mode *api.ObjectLockMode, until *time.Time, hold *api.ObjectLockLegalHoldStatus) (objectstore.Retention, bool) {
	var r objectstore.Retention
	if mode != nil {
		r.Mode = string(*mode)
	}
	if until != nil {
		r.RetainUntil = until.UTC()
	}
	return r, hold != nil && *hold == api.ObjectLockLegalHoldStatusON
}

func encryptionIn(sse *api.ServerSideEncryption, kmsKey, context *string, bucketKey *bool) (objectstore.Encryption, error) {
	var e objectstore.Encryption
	if sse == nil {
		if kmsKey != nil {
			return e, objectstore.ErrInvalidArgument("Server Side Encryption with AWS KMS managed key requires HTTP header x-amz-server-side-encryption : aws:kms",
				"x-amz-server-side-encryption", "")
		}
		return e, nil
	}
	e.Algorithm = string(*sse)
	switch e.Algorithm {
	case objectstore.SSES3:
		if kmsKey != nil {
			return e, objectstore.ErrInvalidArgument("Server Side Encryption with AWS KMS managed key requires HTTP header x-amz-server-side-encryption : aws:kms",
				"x-amz-server-side-encryption", e.Algorithm)
		}
	case objectstore.SSEKMS, objectstore.SSEKMSDSS:
		e.KMSKeyID, e.Context, e.BucketKeyEnabled = str(kmsKey), str(context), boolVal(bucketKey)
	default:
		return e, objectstore.ErrInvalidArgument("The encryption method specified is not supported", "x-amz-server-side-encryption", e.Algorithm)
	}
	return e, nil
}

// encryptionOut renders an object's encryption headers.
func encryptionOut(e objectstore.Encryption) (sse *api.ServerSideEncryption, kms *string, bucketKey *bool) {
	if e.Algorithm == "" {
		return nil, nil, nil
	}
	sse = ptr(api.ServerSideEncryption(e.Algorithm))
	if e.Algorithm != objectstore.SSES3 {
		kms = strPtr(e.KMSKeyID)
		if e.BucketKeyEnabled {
			bucketKey = ptr(true)
		}
	}
	return sse, kms, bucketKey
}

// newObjectSettings reads the headers with which PutObject and
// CreateMultipartUpload set up a new object: its ACL (granted on behalf of
// account in a bucket of bucketOwner), its tags and its encryption.
func newObjectSettings(account, bucketOwner string, h aclHeaders, tagging *string, sse *api.ServerSideEncryption,
	kmsKey, kmsContext *string, bucketKey *bool) (objectstore.ACL, []objectstore.Tag, objectstore.Encryption, error) {
	acl, _, err := h.acl(account, bucketOwner)
	if err != nil {
		return objectstore.ACL{}, nil, objectstore.Encryption{}, err
	}
	tags, err := objectstore.ParseTaggingHeader(str(tagging))
	if err != nil {
		return objectstore.ACL{}, nil, objectstore.Encryption{}, err
	}
	enc, err := encryptionIn(sse, kmsKey, kmsContext, bucketKey)
	return acl, tags, enc, err
}

// PutObject implements api.Service.
func (p *Provider) PutObject(ctx context.Context, in *api.PutObjectRequest) (*api.PutObjectOutput, error) {
	account, _ := who(ctx)
	b, err := p.bucket(ctx, str(in.Bucket), str(in.ExpectedBucketOwner), objectstore.PermWrite)
	if err != nil {
		return nil, err
	}
	if in.SSECustomerAlgorithm != nil || in.SSECustomerKey != nil {
		return nil, objectstore.ErrNotImplemented("jobplane does not implement server-side encryption with customer-provided keys (SSE-C).")
	}
	if in.WriteOffsetBytes != nil {
		return nil, objectstore.ErrNotImplemented("Appending to objects (x-amz-write-offset-bytes) is only supported by directory buckets.")
	}
	h := aclHeaders{full: in.GrantFullControl, read: in.GrantRead, readACP: in.GrantReadACP, writeACP: in.GrantWriteACP}
	if in.ACL != nil {
		h.canned = string(*in.ACL)
	}
	acl, tags, enc, err := newObjectSettings(account, b.Owner, h, in.Tagging, in.ServerSideEncryption, in.SSEKMSKeyId, in.SSEKMSEncryptionContext, in.BucketKeyEnabled)
	if err != nil {
		return nil, err
	}
	sums := checksumHeaders{in.ChecksumCRC32, in.ChecksumCRC32C, in.ChecksumCRC64NVME, in.ChecksumSHA1, in.ChecksumSHA256,
		in.ChecksumSHA512, in.ChecksumMD5, in.ChecksumXXHASH64, in.ChecksumXXHASH3, in.ChecksumXXHASH128}
	ck, err := sums.upload(in.ChecksumAlgorithm, in.ContentMD5, in.Body)
	if err != nil {
		return nil, err
	}
	retention, hold := lockIn(in.ObjectLockMode, in.ObjectLockRetainUntilDate, in.ObjectLockLegalHoldStatus)
	class := ""
	if in.StorageClass != nil {
		class = string(*in.StorageClass)
	}
	oi, err := p.store.PutObject(ctx, objectstore.PutObjectInput{
		Bucket: b.Name, Key: str(in.Key), Owner: account, Body: in.Body, Size: bodySize(in.Body, in.ContentLength),
		Metadata: metadataIn(in.ContentType, in.ContentEncoding, in.ContentDisposition, in.ContentLanguage, in.CacheControl,
			in.Expires, in.WebsiteRedirectLocation, in.Metadata),
		StorageClass: class, Tags: tags, ACL: acl, Encryption: enc, Retention: retention, LegalHold: hold,
		Checksum: ck, IfMatch: str(in.IfMatch), IfNoneMatch: str(in.IfNoneMatch),
	})
	if err != nil {
		return nil, err
	}
	out := &api.PutObjectOutput{ETag: ptr(oi.ETag), VersionId: versionHeader(oi.VersionID)}
	out.ServerSideEncryption, out.SSEKMSKeyId, out.BucketKeyEnabled = encryptionOut(oi.Encryption)
	if ck.Algorithm != "" {
		c, typ := checksumOut(oi.Checksum)
		out.ChecksumCRC32, out.ChecksumCRC32C, out.ChecksumCRC64NVME, out.ChecksumSHA1, out.ChecksumSHA256 = c.crc32, c.crc32c, c.crc64nvme, c.sha1, c.sha256
		out.ChecksumType = typ
	}
	return out, nil
}

// readInput is what GetObject and HeadObject share.
func readInput(bucket, key, version, rng *string, part *int32, ifMatch, ifNoneMatch *string, ims, ius *time.Time) objectstore.GetObjectInput {
	return objectstore.GetObjectInput{Bucket: str(bucket), Key: str(key), VersionID: str(version), Range: str(rng),
		PartNumber: intVal(part, 0), Conditions: objectstore.Conditions{IfMatch: str(ifMatch), IfNoneMatch: str(ifNoneMatch),
			IfModifiedSince: ims, IfUnmodifiedSince: ius}}
}

// overrides are the response-* query parameters of GetObject and
// HeadObject: each one set replaces the stored header in the response
// (Amazon S3 API Reference, GetObject: "Overriding response header values").
type overrides struct {
	cacheControl       *string
	contentDisposition *string
	contentEncoding    *string
	contentLanguage    *string
	contentType        *string
	expires            *time.Time
}

// headers renders an object's metadata as S3 sends it with GetObject and
// HeadObject, applying response-* overrides.
func (p *Provider) headers(o *objectstore.Object, oi objectstore.ObjectInfo, checksums bool, ov overrides) *api.HeadObjectOutput {
	m := oi.Metadata
	h := api.HeadObjectOutput{
		AcceptRanges: ptr("bytes"), LastModified: ptr(oi.LastModified), ContentLength: ptr(oi.Size), ETag: ptr(oi.ETag),
		VersionId: versionHeader(oi.VersionID), CacheControl: strPtr(m.CacheControl), ContentDisposition: strPtr(m.ContentDisposition),
		ContentEncoding: strPtr(m.ContentEncoding), ContentLanguage: strPtr(m.ContentLanguage), ContentType: strPtr(m.ContentType),
		Expires: strPtr(m.Expires), WebsiteRedirectLocation: strPtr(m.WebsiteRedirectLocation), Metadata: m.User,
		StorageClass: storageClassHeader(oi.StorageClass), Restore: strPtr(oi.Restore.Header(p.clock.Now())),
	}
	if h.ContentType == nil {
		h.ContentType = ptr("binary/octet-stream")
	}
	h.ServerSideEncryption, h.SSEKMSKeyId, h.BucketKeyEnabled = encryptionOut(oi.Encryption)
	if oi.ReplicationStatus != "" {
		h.ReplicationStatus = ptr(api.ReplicationStatus(oi.ReplicationStatus))
	}
	if oi.Retention.Mode != "" {
		h.ObjectLockMode = ptr(api.ObjectLockMode(oi.Retention.Mode))
		h.ObjectLockRetainUntilDate = ptr(oi.Retention.RetainUntil)
	}
	if oi.LegalHold {
		h.ObjectLockLegalHoldStatus = ptr(api.ObjectLockLegalHoldStatusON)
	}
	if o != nil && o.Range != nil {
		h.ContentLength = ptr(o.Range.Length())
		h.ContentRange = ptr("bytes " + strconv.FormatInt(o.Range.First, 10) + "-" + strconv.FormatInt(o.Range.Last, 10) +
			"/" + strconv.FormatInt(o.Range.Size, 10))
		h.StatusCode = ptr(int32(http.StatusPartialContent))
	}
	if o != nil && o.PartNumber > 0 {
		h.PartsCount = ptr(int32(max(len(oi.Parts), 1)))
	}
	if checksums {
		c := oi.Checksum
		if o != nil && o.PartNumber > 0 && len(oi.Parts) > 0 {
			c = oi.Parts[o.PartNumber-1].Checksum
		}
		if o == nil || o.Range == nil || o.PartNumber > 0 {
			sums, typ := checksumOut(c)
			h.ChecksumCRC32, h.ChecksumCRC32C, h.ChecksumCRC64NVME, h.ChecksumSHA1, h.ChecksumSHA256 = sums.crc32, sums.crc32c, sums.crc64nvme, sums.sha1, sums.sha256
			h.ChecksumType = typ
		}
	}
	if len(oi.Tags) > 0 {
		h.TagCount = ptr(int32(len(oi.Tags)))
	}
	override := func(header **string, v *string) {
		if v != nil {
			*header = v
		}
	}
	override(&h.CacheControl, ov.cacheControl)
	override(&h.ContentDisposition, ov.contentDisposition)
	override(&h.ContentEncoding, ov.contentEncoding)
	override(&h.ContentLanguage, ov.contentLanguage)
	override(&h.ContentType, ov.contentType)
	if ov.expires != nil {
		h.Expires = ptr(httpDate(*ov.expires))
	}
	return &h
}

// GetObject implements api.Service.
func (p *Provider) GetObject(ctx context.Context, in *api.GetObjectRequest) (*api.GetObjectOutput, error) {
	b, err := p.bucket(ctx, str(in.Bucket), str(in.ExpectedBucketOwner), objectstore.PermRead)
	if err != nil && objectstore.Code(err) != objectstore.CodeAccessDenied {
		return nil, err
	}
	denied := err
	if in.SSECustomerAlgorithm != nil || in.SSECustomerKey != nil {
		return nil, objectstore.ErrNotImplemented("jobplane does not implement server-side encryption with customer-provided keys (SSE-C).")
	}
	o, err := p.store.GetObject(ctx, readInput(in.Bucket, in.Key, in.VersionId, in.Range, in.PartNumber, in.IfMatch,
		in.IfNoneMatch, in.IfModifiedSince, in.IfUnmodifiedSince))
	if err != nil {
		if denied != nil {
			return nil, denied
		}
		return nil, err
	}
	if denied != nil {
		if err := p.canReadObject(ctx, b, o.Info, objectstore.PermRead); err != nil {
			o.Body.Close()
			return nil, err
		}
	}
	h := p.headers(o, o.Info, in.ChecksumMode != nil && *in.ChecksumMode == api.ChecksumModeENABLED,
		overrides{cacheControl: in.ResponseCacheControl, contentDisposition: in.ResponseContentDisposition,
			contentEncoding: in.ResponseContentEncoding, contentLanguage: in.ResponseContentLanguage,
			contentType: in.ResponseContentType, expires: in.ResponseExpires})
	return getOutput(o, h), nil
}

func getOutput(o *objectstore.Object, h *api.HeadObjectOutput) *api.GetObjectOutput {
	return &api.GetObjectOutput{
		Body: o.Body, AcceptRanges: h.AcceptRanges, Restore: h.Restore, LastModified: h.LastModified,
		ContentLength: h.ContentLength, ETag: h.ETag, ChecksumCRC32: h.ChecksumCRC32, ChecksumCRC32C: h.ChecksumCRC32C,
		ChecksumCRC64NVME: h.ChecksumCRC64NVME, ChecksumSHA1: h.ChecksumSHA1, ChecksumSHA256: h.ChecksumSHA256,
		ChecksumType: h.ChecksumType, VersionId: h.VersionId, CacheControl: h.CacheControl,
		ContentDisposition: h.ContentDisposition, ContentEncoding: h.ContentEncoding, ContentLanguage: h.ContentLanguage,
		ContentRange: h.ContentRange, ContentType: h.ContentType, Expires: h.Expires,
		WebsiteRedirectLocation: h.WebsiteRedirectLocation, ServerSideEncryption: h.ServerSideEncryption, Metadata: h.Metadata,
		SSEKMSKeyId: h.SSEKMSKeyId, BucketKeyEnabled: h.BucketKeyEnabled, StorageClass: h.StorageClass,
		ReplicationStatus: h.ReplicationStatus, PartsCount: h.PartsCount, TagCount: h.TagCount,
		ObjectLockMode: h.ObjectLockMode, ObjectLockRetainUntilDate: h.ObjectLockRetainUntilDate,
		ObjectLockLegalHoldStatus: h.ObjectLockLegalHoldStatus, StatusCode: h.StatusCode,
	}
}

// HeadObject implements api.Service.
func (p *Provider) HeadObject(ctx context.Context, in *api.HeadObjectRequest) (*api.HeadObjectOutput, error) {
	gi := readInput(in.Bucket, in.Key, in.VersionId, in.Range, in.PartNumber, in.IfMatch, in.IfNoneMatch,
		in.IfModifiedSince, in.IfUnmodifiedSince)
	_, oi, err := p.object(ctx, gi, str(in.ExpectedBucketOwner), objectstore.PermRead)
	if err != nil {
		return nil, err
	}
	// HEAD resolves ranges and part numbers as GET does.
	o := &objectstore.Object{Info: oi, PartNumber: gi.PartNumber}
	if gi.PartNumber > 0 {
		if o.Range, err = partRange(oi, gi.PartNumber); err != nil {
			return nil, err
		}
	} else if o.Range, err = objectstore.ParseRange(gi.Range, oi.Size); err != nil {
		return nil, err
	}
	return p.headers(o, oi, in.ChecksumMode != nil && *in.ChecksumMode == api.ChecksumModeENABLED,
		overrides{cacheControl: in.ResponseCacheControl, contentDisposition: in.ResponseContentDisposition,
			contentEncoding: in.ResponseContentEncoding, contentLanguage: in.ResponseContentLanguage,
			contentType: in.ResponseContentType, expires: in.ResponseExpires}), nil
}

// partRange is the byte range of part n of an object.
func partRange(oi objectstore.ObjectInfo, n int) (*objectstore.ByteRange, error) {
	parts := oi.Parts
	if len(parts) == 0 {
		parts = []objectstore.PartInfo{{Number: 1, Size: oi.Size}}
	}
	if n > len(parts) {
		return nil, objectstore.ErrInvalidPartNumber(n, len(parts))
	}
	var off int64
	for _, p := range parts[:n-1] {
		off += p.Size
	}
	if parts[n-1].Size == 0 {
		return nil, nil
	}
	return &objectstore.ByteRange{First: off, Last: off + parts[n-1].Size - 1, Size: oi.Size}, nil
}

// DeleteObject implements api.Service.
func (p *Provider) DeleteObject(ctx context.Context, in *api.DeleteObjectRequest) (*api.DeleteObjectOutput, error) {
	account, _ := who(ctx)
	if _, err := p.bucket(ctx, str(in.Bucket), str(in.ExpectedBucketOwner), objectstore.PermWrite); err != nil {
		return nil, err
	}
	if in.IfMatch != nil || in.IfMatchLastModifiedTime != nil || in.IfMatchSize != nil {
		if err := p.checkDeleteConditions(ctx, in); err != nil {
			return nil, err
		}
	}
	r, err := p.store.DeleteObject(ctx, objectstore.DeleteObjectInput{Bucket: str(in.Bucket), Key: str(in.Key),
		VersionID: str(in.VersionId), BypassGovernance: boolVal(in.BypassGovernanceRetention), Owner: account})
	if err != nil {
		return nil, err
	}
	out := &api.DeleteObjectOutput{VersionId: versionHeader(r.VersionID)}
	if r.DeleteMarker {
		out.DeleteMarker = ptr(true)
	}
	return out, nil
}

// checkDeleteConditions applies the conditional delete headers (Amazon S3
// User Guide, "How to prevent object deletions with conditional deletes").
func (p *Provider) checkDeleteConditions(ctx context.Context, in *api.DeleteObjectRequest) error {
	oi, err := p.store.HeadObject(ctx, versionOf(in.Bucket, in.Key, in.VersionId))
	if err != nil {
		return err
	}
	switch {
	case in.IfMatch != nil && !objectstore.ETagMatches(*in.IfMatch, oi.ETag):
		return objectstore.ErrPreconditionFailed("If-Match")
	case in.IfMatchLastModifiedTime != nil && !in.IfMatchLastModifiedTime.Equal(oi.LastModified):
		return objectstore.ErrPreconditionFailed("x-amz-if-match-last-modified-time")
	case in.IfMatchSize != nil && *in.IfMatchSize != oi.Size:
		return objectstore.ErrPreconditionFailed("x-amz-if-match-size")
	}
	return nil
}

// DeleteObjects implements api.Service.
func (p *Provider) DeleteObjects(ctx context.Context, in *api.DeleteObjectsRequest) (*api.DeleteObjectsOutput, error) {
	account, _ := who(ctx)
	if _, err := p.bucket(ctx, str(in.Bucket), str(in.ExpectedBucketOwner), objectstore.PermWrite); err != nil {
		return nil, err
	}
	if in.Delete == nil || len(in.Delete.Objects) == 0 || len(in.Delete.Objects) > 1000 {
		return nil, objectstore.ErrMalformedXML()
	}
	refs := make([]objectstore.ObjectRef, len(in.Delete.Objects))
	for i, o := range in.Delete.Objects {
		refs[i] = objectstore.ObjectRef{Key: str(o.Key), VersionID: str(o.VersionId)}
	}
	results, err := p.store.DeleteObjects(ctx, str(in.Bucket), refs, boolVal(in.BypassGovernanceRetention), account)
	if err != nil {
		return nil, err
	}
	quiet := boolVal(in.Delete.Quiet)
	out := &api.DeleteObjectsOutput{}
	for i, r := range results {
		if r.Err != nil {
			out.Errors = append(out.Errors, api.Error{Key: ptr(refs[i].Key), VersionId: strPtr(refs[i].VersionID),
				Code: ptr(objectstore.Code(r.Err)), Message: ptr(errMessage(r.Err))})
			continue
		}
		if quiet {
			continue
		}
		d := api.DeletedObject{Key: ptr(refs[i].Key), VersionId: strPtr(refs[i].VersionID)}
		if r.DeleteMarker {
			d.DeleteMarker = ptr(true)
			d.DeleteMarkerVersionId = strPtr(r.VersionID)
		}
		out.Deleted = append(out.Deleted, d)
	}
	return out, nil
}

func errMessage(err error) string {
	if c, ok := err.(interface{ ErrorMessage() string }); ok {
		return c.ErrorMessage()
	}
	return err.Error()
}
