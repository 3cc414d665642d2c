package s3

import (
	"context"
	"net/url"
	"strings"

	api "github.com/jobplane/jobplane/internal/api/s3"
	"github.com/jobplane/jobplane/internal/objectstore"
)

// parseCopySource reads x-amz-copy-source: "bucket/key" or "/bucket/key",
// URL-encoded, optionally followed by "?versionId=..." (Amazon S3 API
// Reference, CopyObject: x-amz-copy-source).
func parseCopySource(s string) (objectstore.ObjectRef, error) {
	bad := invalidArgument("Invalid copy source object key", "x-amz-copy-source", s)
	path, query, _ := strings.Cut(s, "?")
	path = strings.TrimPrefix(path, "/")
	bucket, key, ok := strings.Cut(path, "/")
	if !ok || bucket == "" || key == "" {
		return objectstore.ObjectRef{}, invalidArgument("Copy Source must mention the source bucket and key: sourcebucket/sourcekey",
			"x-amz-copy-source", s)
	}
	k, err := url.PathUnescape(key)
	if err != nil {
		return objectstore.ObjectRef{}, bad
	}
	ref := objectstore.ObjectRef{Bucket: bucket, Key: k}
	if query != "" {
		q, err := url.ParseQuery(query)
		if err != nil {
			return ref, bad
		}
		if v, ok := q["versionId"]; ok {
			if len(v) == 0 || v[0] == "" {
				return ref, invalidArgument("Invalid version id specified", "x-amz-copy-source", s)
			}
			ref.VersionID = v[0]
		}
	}
	return ref, nil
}

// source resolves a copy source and checks that the caller may read it.
func (p *Provider) source(ctx context.Context, header *string, expectedOwner *string) (objectstore.ObjectRef, error) {
	ref, err := parseCopySource(str(header))
	if err != nil {
		return ref, err
	}
	b, err := p.bucket(ctx, ref.Bucket, str(expectedOwner), objectstore.PermRead)
	if err == nil || objectstore.Code(err) != objectstore.CodeAccessDenied {
		return ref, err
	}
	oi, herr := p.store.HeadObject(ctx, objectstore.GetObjectInput{Bucket: ref.Bucket, Key: ref.Key, VersionID: ref.VersionID})
	if herr != nil {
		return ref, err
	}
	return ref, p.canReadObject(ctx, b, oi, objectstore.PermRead)
}

// CopyObject implements api.Service.
func (p *Provider) CopyObject(ctx context.Context, in *api.CopyObjectRequest) (*api.CopyObjectOutput, error) {
	account, _ := who(ctx)
	b, err := p.bucket(ctx, str(in.Bucket), str(in.ExpectedBucketOwner), objectstore.PermWrite)
	if err != nil {
		return nil, err
	}
	src, err := p.source(ctx, in.CopySource, in.ExpectedSourceBucketOwner)
	if err != nil {
		return nil, err
	}
	if in.SSECustomerAlgorithm != nil || in.CopySourceSSECustomerAlgorithm != nil {
		return nil, objectstore.ErrNotImplemented("jobplane does not implement server-side encryption with customer-provided keys (SSE-C).")
	}
	h := aclHeaders{full: in.GrantFullControl, read: in.GrantRead, readACP: in.GrantReadACP, writeACP: in.GrantWriteACP}
	if in.ACL != nil {
		h.canned = string(*in.ACL)
	}
	acl, _, err := h.acl(account, b.Owner)
	if err != nil {
		return nil, err
	}
	cin := objectstore.CopyObjectInput{
		Source: src, Bucket: b.Name, Key: str(in.Key), Owner: account, ACL: acl,
		SourceConditions: objectstore.Conditions{IfMatch: str(in.CopySourceIfMatch), IfNoneMatch: str(in.CopySourceIfNoneMatch),
			IfModifiedSince: in.CopySourceIfModifiedSince, IfUnmodifiedSince: in.CopySourceIfUnmodifiedSince},
	}
	if in.MetadataDirective != nil {
		cin.MetadataDirective = string(*in.MetadataDirective)
	}
	if cin.MetadataDirective == "REPLACE" {
		cin.Metadata = metadataIn(in.ContentType, in.ContentEncoding, in.ContentDisposition, in.ContentLanguage,
			in.CacheControl, in.Expires, in.WebsiteRedirectLocation, in.Metadata)
	}
	if in.TaggingDirective != nil {
		cin.TaggingDirective = string(*in.TaggingDirective)
	}
	if cin.TaggingDirective == "REPLACE" {
		if cin.Tags, err = objectstore.ParseTaggingHeader(str(in.Tagging)); err != nil {
			return nil, err
		}
	}
	if in.StorageClass != nil {
		cin.StorageClass = string(*in.StorageClass)
	}
	if in.ServerSideEncryption != nil || in.SSEKMSKeyId != nil {
		enc, err := encryptionIn(in.ServerSideEncryption, in.SSEKMSKeyId, in.SSEKMSEncryptionContext, in.BucketKeyEnabled)
		if err != nil {
			return nil, err
		}
		cin.Encryption = &enc
	}
	if in.ChecksumAlgorithm != nil {
		cin.ChecksumAlgorithm = string(*in.ChecksumAlgorithm)
	}
	if in.WebsiteRedirectLocation != nil && cin.MetadataDirective != "REPLACE" {
		// A new redirect location alone is a change S3 accepts for an
		// in-place copy.
		cin.MetadataDirective = "REPLACE"
		cin.Metadata = metadataIn(in.ContentType, in.ContentEncoding, in.ContentDisposition, in.ContentLanguage,
			in.CacheControl, in.Expires, in.WebsiteRedirectLocation, in.Metadata)
	}
	cin.Retention, cin.LegalHold = lockIn(in.ObjectLockMode, in.ObjectLockRetainUntilDate, in.ObjectLockLegalHoldStatus)
	res, err := p.store.CopyObject(ctx, cin)
	if err != nil {
		return nil, err
	}
	oi := res.Object
	result := &api.CopyObjectResult{ETag: ptr(oi.ETag), LastModified: ptr(oi.LastModified)}
	if cin.ChecksumAlgorithm != "" {
		c, typ := checksumOut(oi.Checksum)
		result.ChecksumCRC32, result.ChecksumCRC32C, result.ChecksumCRC64NVME, result.ChecksumSHA1, result.ChecksumSHA256 = c.crc32, c.crc32c, c.crc64nvme, c.sha1, c.sha256
		result.ChecksumType = typ
	}
	out := &api.CopyObjectOutput{CopyObjectResult: result, VersionId: versionHeader(oi.VersionID),
		CopySourceVersionId: versionHeader(res.SourceVersionID)}
	out.ServerSideEncryption, out.SSEKMSKeyId, out.BucketKeyEnabled = encryptionOut(oi.Encryption)
	return out, nil
}
