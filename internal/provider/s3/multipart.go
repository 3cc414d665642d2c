package s3

import (
	"context"

	api "github.com/jobplane/jobplane/internal/api/s3"
	"github.com/jobplane/jobplane/internal/objectstore"
)

func uploadOut(u objectstore.MultipartUpload) (alg *api.ChecksumAlgorithm, typ *api.ChecksumType) {
	if u.ChecksumAlgorithm != "" {
		alg = ptr(api.ChecksumAlgorithm(u.ChecksumAlgorithm))
	}
	if u.ChecksumType != "" {
		typ = ptr(api.ChecksumType(u.ChecksumType))
	}
	return alg, typ
}

// CreateMultipartUpload implements api.Service.
func (p *Provider) CreateMultipartUpload(ctx context.Context, in *api.CreateMultipartUploadRequest) (*api.CreateMultipartUploadOutput, error) {
	account, _ := who(ctx)
	b, err := p.bucket(ctx, str(in.Bucket), str(in.ExpectedBucketOwner), objectstore.PermWrite)
	if err != nil {
		return nil, err
	}
	if in.SSECustomerAlgorithm != nil || in.SSECustomerKey != nil {
		return nil, objectstore.ErrNotImplemented("jobplane does not implement server-side encryption with customer-provided keys (SSE-C).")
	}
	h := aclHeaders{full: in.GrantFullControl, read: in.GrantRead, readACP: in.GrantReadACP, writeACP: in.GrantWriteACP}
	if in.ACL != nil {
		h.canned = string(*in.ACL)
	}
	acl, tags, enc, err := newObjectSettings(account, b.Owner, h, in.Tagging, in.ServerSideEncryption, in.SSEKMSKeyId, in.SSEKMSEncryptionContext, in.BucketKeyEnabled)
	if err != nil {
		return nil, err
	}
	cin := objectstore.CreateMultipartUploadInput{Bucket: b.Name, Key: str(in.Key), Owner: account, Tags: tags, ACL: acl, Encryption: enc,
		Metadata: metadataIn(in.ContentType, in.ContentEncoding, in.ContentDisposition, in.ContentLanguage, in.CacheControl,
			in.Expires, in.WebsiteRedirectLocation, in.Metadata)}
	if in.StorageClass != nil {
		cin.StorageClass = string(*in.StorageClass)
	}
	if in.ChecksumAlgorithm != nil {
		cin.ChecksumAlgorithm = string(*in.ChecksumAlgorithm)
	}
	if in.ChecksumType != nil {
		cin.ChecksumType = string(*in.ChecksumType)
	}
	cin.Retention, cin.LegalHold = lockIn(in.ObjectLockMode, in.ObjectLockRetainUntilDate, in.ObjectLockLegalHoldStatus)
	u, err := p.store.CreateMultipartUpload(ctx, cin)
	if err != nil {
		return nil, err
	}
	out := &api.CreateMultipartUploadOutput{Bucket: ptr(u.Bucket), Key: ptr(u.Key), UploadId: ptr(u.UploadID)}
	out.ServerSideEncryption, out.SSEKMSKeyId, out.BucketKeyEnabled = encryptionOut(u.Encryption)
	out.ChecksumAlgorithm, out.ChecksumType = uploadOut(u)
	return out, nil
}

// UploadPart implements api.Service.
func (p *Provider) UploadPart(ctx context.Context, in *api.UploadPartRequest) (*api.UploadPartOutput, error) {
	if _, err := p.bucket(ctx, str(in.Bucket), str(in.ExpectedBucketOwner), objectstore.PermWrite); err != nil {
		return nil, err
	}
	if in.SSECustomerAlgorithm != nil || in.SSECustomerKey != nil {
		return nil, objectstore.ErrNotImplemented("jobplane does not implement server-side encryption with customer-provided keys (SSE-C).")
	}
	sums := checksumHeaders{in.ChecksumCRC32, in.ChecksumCRC32C, in.ChecksumCRC64NVME, in.ChecksumSHA1, in.ChecksumSHA256,
		in.ChecksumSHA512, in.ChecksumMD5, in.ChecksumXXHASH64, in.ChecksumXXHASH3, in.ChecksumXXHASH128}
	ck, err := sums.upload(in.ChecksumAlgorithm, in.ContentMD5, in.Body)
	if err != nil {
		return nil, err
	}
	res, err := p.store.UploadPart(ctx, objectstore.UploadPartInput{Bucket: str(in.Bucket), Key: str(in.Key), UploadID: str(in.UploadId),
		PartNumber: intVal(in.PartNumber, 0), Body: in.Body, Size: bodySize(in.Body, in.ContentLength), Checksum: ck})
	if err != nil {
		return nil, err
	}
	out := &api.UploadPartOutput{ETag: ptr(res.Part.ETag)}
	out.ServerSideEncryption, out.SSEKMSKeyId, out.BucketKeyEnabled = encryptionOut(res.Upload.Encryption)
	c, _ := checksumOut(res.Part.Checksum)
	out.ChecksumCRC32, out.ChecksumCRC32C, out.ChecksumCRC64NVME, out.ChecksumSHA1, out.ChecksumSHA256 = c.crc32, c.crc32c, c.crc64nvme, c.sha1, c.sha256
	return out, nil
}

// UploadPartCopy implements api.Service.
func (p *Provider) UploadPartCopy(ctx context.Context, in *api.UploadPartCopyRequest) (*api.UploadPartCopyOutput, error) {
	if _, err := p.bucket(ctx, str(in.Bucket), str(in.ExpectedBucketOwner), objectstore.PermWrite); err != nil {
		return nil, err
	}
	src, err := p.source(ctx, in.CopySource, in.ExpectedSourceBucketOwner)
	if err != nil {
		return nil, err
	}
	res, err := p.store.UploadPartCopy(ctx, objectstore.UploadPartCopyInput{Bucket: str(in.Bucket), Key: str(in.Key),
		UploadID: str(in.UploadId), PartNumber: intVal(in.PartNumber, 0), Source: src, SourceRange: str(in.CopySourceRange),
		SourceConditions: objectstore.Conditions{IfMatch: str(in.CopySourceIfMatch), IfNoneMatch: str(in.CopySourceIfNoneMatch),
			IfModifiedSince: in.CopySourceIfModifiedSince, IfUnmodifiedSince: in.CopySourceIfUnmodifiedSince}})
	if err != nil {
		return nil, err
	}
	c, _ := checksumOut(res.Part.Checksum)
	out := &api.UploadPartCopyOutput{CopySourceVersionId: versionHeader(res.SourceVersionID),
		CopyPartResult: &api.CopyPartResult{ETag: ptr(res.Part.ETag), LastModified: ptr(res.Part.LastModified),
			ChecksumCRC32: c.crc32, ChecksumCRC32C: c.crc32c, ChecksumCRC64NVME: c.crc64nvme, ChecksumSHA1: c.sha1, ChecksumSHA256: c.sha256}}
	out.ServerSideEncryption, out.SSEKMSKeyId, out.BucketKeyEnabled = encryptionOut(res.Upload.Encryption)
	return out, nil
}

// CompleteMultipartUpload implements api.Service.
func (p *Provider) CompleteMultipartUpload(ctx context.Context, in *api.CompleteMultipartUploadRequest) (*api.CompleteMultipartUploadOutput, error) {
	if _, err := p.bucket(ctx, str(in.Bucket), str(in.ExpectedBucketOwner), objectstore.PermWrite); err != nil {
		return nil, err
	}
	if in.MultipartUpload == nil {
		return nil, objectstore.ErrMalformedXML()
	}
	cin := objectstore.CompleteMultipartUploadInput{Bucket: str(in.Bucket), Key: str(in.Key), UploadID: str(in.UploadId),
		ObjectSize: -1, IfMatch: str(in.IfMatch), IfNoneMatch: str(in.IfNoneMatch)}
	if in.MpuObjectSize != nil {
		cin.ObjectSize = *in.MpuObjectSize
	}
	if in.ChecksumType != nil {
		cin.ChecksumType = string(*in.ChecksumType)
	}
	for _, v := range []*string{in.ChecksumCRC32, in.ChecksumCRC32C, in.ChecksumCRC64NVME, in.ChecksumSHA1, in.ChecksumSHA256} {
		if v != nil {
			cin.Checksum = *v
		}
	}
	for _, cp := range in.MultipartUpload.Parts {
		if cp.PartNumber == nil {
			return nil, objectstore.ErrMalformedXML()
		}
		part := objectstore.CompletedPart{Number: int(*cp.PartNumber), ETag: str(cp.ETag)}
		for _, v := range []*string{cp.ChecksumCRC32, cp.ChecksumCRC32C, cp.ChecksumCRC64NVME, cp.ChecksumSHA1, cp.ChecksumSHA256} {
			if v != nil {
				part.Checksum = *v
			}
		}
		cin.Parts = append(cin.Parts, part)
	}
	oi, err := p.store.CompleteMultipartUpload(ctx, cin)
	if err != nil {
		return nil, err
	}
	out := &api.CompleteMultipartUploadOutput{Location: ptr(p.location(oi.Bucket, oi.Key)), Bucket: ptr(oi.Bucket),
		Key: ptr(oi.Key), ETag: ptr(oi.ETag), VersionId: versionHeader(oi.VersionID)}
	out.ServerSideEncryption, out.SSEKMSKeyId, out.BucketKeyEnabled = encryptionOut(oi.Encryption)
	if oi.Checksum.Algorithm != "" && len(oi.Parts) > 0 && oi.Parts[0].Checksum.Algorithm != "" {
		c, typ := checksumOut(oi.Checksum)
		out.ChecksumCRC32, out.ChecksumCRC32C, out.ChecksumCRC64NVME, out.ChecksumSHA1, out.ChecksumSHA256 = c.crc32, c.crc32c, c.crc64nvme, c.sha1, c.sha256
		out.ChecksumType = typ
	}
	return out, nil
}

// AbortMultipartUpload implements api.Service.
func (p *Provider) AbortMultipartUpload(ctx context.Context, in *api.AbortMultipartUploadRequest) (*api.AbortMultipartUploadOutput, error) {
	if _, err := p.bucket(ctx, str(in.Bucket), str(in.ExpectedBucketOwner), objectstore.PermWrite); err != nil {
		return nil, err
	}
	return &api.AbortMultipartUploadOutput{}, p.store.AbortMultipartUpload(ctx, str(in.Bucket), str(in.Key), str(in.UploadId))
}

// ListParts implements api.Service.
func (p *Provider) ListParts(ctx context.Context, in *api.ListPartsRequest) (*api.ListPartsOutput, error) {
	if _, err := p.bucket(ctx, str(in.Bucket), str(in.ExpectedBucketOwner), objectstore.PermRead); err != nil {
		return nil, err
	}
	max, err := pageSize(in.MaxParts, "max-parts", "Argument max-parts must be an integer between 0 and 2147483647")
	if err != nil {
		return nil, err
	}
	res, err := p.store.ListParts(ctx, objectstore.ListPartsInput{Bucket: str(in.Bucket), Key: str(in.Key), UploadID: str(in.UploadId),
		PartNumberMarker: intVal(in.PartNumberMarker, 0), MaxParts: max})
	if err != nil {
		return nil, err
	}
	u := res.Upload
	out := &api.ListPartsOutput{Bucket: ptr(u.Bucket), Key: ptr(u.Key), UploadId: ptr(u.UploadID),
		PartNumberMarker: ptr(int32(intVal(in.PartNumberMarker, 0))), MaxParts: ptr(int32(max)), IsTruncated: ptr(res.IsTruncated),
		Initiator: &api.Initiator{ID: ptr(objectstore.CanonicalID(u.Owner))}, Owner: owner(u.Owner),
		StorageClass: ptr(api.StorageClass(u.StorageClass))}
	if res.NextPartNumberMarker > 0 {
		out.NextPartNumberMarker = ptr(int32(res.NextPartNumberMarker))
	}
	out.ChecksumAlgorithm, out.ChecksumType = uploadOut(u)
	for _, pi := range res.Parts {
		c, _ := checksumOut(pi.Checksum)
		out.Parts = append(out.Parts, api.Part{PartNumber: ptr(int32(pi.Number)), LastModified: ptr(pi.LastModified),
			ETag: ptr(pi.ETag), Size: ptr(pi.Size), ChecksumCRC32: c.crc32, ChecksumCRC32C: c.crc32c,
			ChecksumCRC64NVME: c.crc64nvme, ChecksumSHA1: c.sha1, ChecksumSHA256: c.sha256})
	}
	return out, nil
}

// ListMultipartUploads implements api.Service.
func (p *Provider) ListMultipartUploads(ctx context.Context, in *api.ListMultipartUploadsRequest) (*api.ListMultipartUploadsOutput, error) {
	if _, err := p.bucket(ctx, str(in.Bucket), str(in.ExpectedBucketOwner), objectstore.PermRead); err != nil {
		return nil, err
	}
	max, err := pageSize(in.MaxUploads, "max-uploads", "Argument max-uploads must be an integer between 0 and 2147483647")
	if err != nil {
		return nil, err
	}
	res, err := p.store.ListMultipartUploads(ctx, objectstore.ListUploadsInput{Bucket: str(in.Bucket), Prefix: str(in.Prefix),
		Delimiter: str(in.Delimiter), KeyMarker: str(in.KeyMarker), UploadIDMarker: str(in.UploadIdMarker), MaxUploads: max})
	if err != nil {
		return nil, err
	}
	enc := encodingOf(in.EncodingType)
	out := &api.ListMultipartUploadsOutput{Bucket: in.Bucket, KeyMarker: enc.s(str(in.KeyMarker)), UploadIdMarker: ptr(str(in.UploadIdMarker)),
		Prefix: enc.s(str(in.Prefix)), Delimiter: enc.opt(str(in.Delimiter)), MaxUploads: ptr(int32(max)),
		IsTruncated: ptr(res.IsTruncated), EncodingType: in.EncodingType, CommonPrefixes: prefixesOut(res.CommonPrefixes, enc)}
	if res.IsTruncated {
		out.NextKeyMarker = enc.s(res.NextKeyMarker)
		out.NextUploadIdMarker = strPtr(res.NextUploadIDMarker)
	}
	for _, u := range res.Uploads {
		mu := api.MultipartUpload{UploadId: ptr(u.UploadID), Key: enc.s(u.Key), Initiated: ptr(u.Initiated),
			StorageClass: ptr(api.StorageClass(u.StorageClass)), Owner: owner(u.Owner),
			Initiator: &api.Initiator{ID: ptr(objectstore.CanonicalID(u.Owner))}}
		mu.ChecksumAlgorithm, mu.ChecksumType = uploadOut(u)
		out.Uploads = append(out.Uploads, mu)
	}
	return out, nil
}
