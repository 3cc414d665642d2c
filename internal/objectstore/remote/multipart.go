package remote

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/jobplane/jobplane/internal/objectstore"
)

// CreateMultipartUpload implements objectstore.Store.
func (s *Store) CreateMultipartUpload(ctx context.Context, in objectstore.CreateMultipartUploadInput) (objectstore.MultipartUpload, error) {
	m := in.Metadata
	req := &awss3.CreateMultipartUploadInput{Bucket: aws.String(in.Bucket), Key: aws.String(in.Key),
		ContentType: strPtr(m.ContentType), ContentEncoding: strPtr(m.ContentEncoding), ContentDisposition: strPtr(m.ContentDisposition),
		ContentLanguage: strPtr(m.ContentLanguage), CacheControl: strPtr(m.CacheControl), WebsiteRedirectLocation: strPtr(m.WebsiteRedirectLocation),
		Metadata: m.User, StorageClass: types.StorageClass(in.StorageClass), Tagging: taggingHeader(in.Tags),
		ServerSideEncryption: types.ServerSideEncryption(in.Encryption.Algorithm), SSEKMSKeyId: strPtr(in.Encryption.KMSKeyID),
		ChecksumAlgorithm: types.ChecksumAlgorithm(in.ChecksumAlgorithm), ChecksumType: types.ChecksumType(in.ChecksumType)}
	req.GrantFullControl, req.GrantRead, req.GrantReadACP, req.GrantWriteACP = grantHeaders(in.ACL)
	req.ObjectLockMode, req.ObjectLockRetainUntilDate, req.ObjectLockLegalHoldStatus = lockFields(in.Retention, in.LegalHold)
	out, err := s.c.CreateMultipartUpload(ctx, req)
	if err != nil {
		return objectstore.MultipartUpload{}, mapErr(err, in.Bucket, in.Key, nil)
	}
	return objectstore.MultipartUpload{Bucket: in.Bucket, Key: in.Key, UploadID: str(out.UploadId), Owner: in.Owner,
		StorageClass: objectstore.StorageClassOr(in.StorageClass), ChecksumAlgorithm: string(out.ChecksumAlgorithm), ChecksumType: string(out.ChecksumType),
		Encryption: objectstore.Encryption{Algorithm: string(out.ServerSideEncryption), KMSKeyID: str(out.SSEKMSKeyId)}}, nil
}

// UploadPart implements objectstore.Store.
func (s *Store) UploadPart(ctx context.Context, in objectstore.UploadPartInput) (objectstore.PartResult, error) {
	b, err := prepare(in.Body, in.Size, in.Checksum)
	if err != nil {
		return objectstore.PartResult{}, err
	}
	defer b.cleanup()
	req := &awss3.UploadPartInput{Bucket: aws.String(in.Bucket), Key: aws.String(in.Key), UploadId: aws.String(in.UploadID),
		PartNumber: aws.Int32(int32(in.PartNumber)), Body: b.r, ContentLength: aws.Int64(b.size), ContentMD5: strPtr(in.Checksum.ContentMD5)}
	b.headers(&req.ChecksumAlgorithm, &req.ChecksumCRC32, &req.ChecksumCRC32C, &req.ChecksumCRC64NVME, &req.ChecksumSHA1, &req.ChecksumSHA256)
	out, err := s.c.UploadPart(ctx, req, unsignedPayload)
	if err != nil {
		return objectstore.PartResult{}, mapErr(err, in.Bucket, in.Key, nil)
	}
	return objectstore.PartResult{Part: objectstore.PartInfo{Number: in.PartNumber, Size: b.size, ETag: str(out.ETag),
		Checksum: pickChecksum(out.ChecksumCRC32, out.ChecksumCRC32C, out.ChecksumCRC64NVME, out.ChecksumSHA1, out.ChecksumSHA256, "")},
		Upload: objectstore.MultipartUpload{Bucket: in.Bucket, Key: in.Key, UploadID: in.UploadID,
			Encryption: objectstore.Encryption{Algorithm: string(out.ServerSideEncryption), KMSKeyID: str(out.SSEKMSKeyId)}}}, nil
}

// UploadPartCopy implements objectstore.Store.
func (s *Store) UploadPartCopy(ctx context.Context, in objectstore.UploadPartCopyInput) (objectstore.PartResult, error) {
	out, err := s.c.UploadPartCopy(ctx, &awss3.UploadPartCopyInput{Bucket: aws.String(in.Bucket), Key: aws.String(in.Key),
		UploadId: aws.String(in.UploadID), PartNumber: aws.Int32(int32(in.PartNumber)), CopySource: copySource(in.Source),
		CopySourceRange: strPtr(in.SourceRange), CopySourceIfMatch: strPtr(in.SourceConditions.IfMatch),
		CopySourceIfNoneMatch: strPtr(in.SourceConditions.IfNoneMatch), CopySourceIfModifiedSince: in.SourceConditions.IfModifiedSince,
		CopySourceIfUnmodifiedSince: in.SourceConditions.IfUnmodifiedSince})
	if err != nil {
		return objectstore.PartResult{}, mapErr(err, in.Bucket, in.Key, nil)
	}
	res := objectstore.PartResult{Upload: objectstore.MultipartUpload{Bucket: in.Bucket, Key: in.Key, UploadID: in.UploadID},
		SourceVersionID: str(out.CopySourceVersionId), Part: objectstore.PartInfo{Number: in.PartNumber}}
	if r := out.CopyPartResult; r != nil {
		res.Part.ETag, res.Part.LastModified = str(r.ETag), timeVal(r.LastModified)
		res.Part.Checksum = pickChecksum(r.ChecksumCRC32, r.ChecksumCRC32C, r.ChecksumCRC64NVME, r.ChecksumSHA1, r.ChecksumSHA256, "")
	}
	return res, nil
}

// CompleteMultipartUpload implements objectstore.Store. The checksums of
// the request go in the fields of the upload's algorithm, which only the
// endpoint knows: it is asked (ListParts) only when there is a checksum to
// send.
func (s *Store) CompleteMultipartUpload(ctx context.Context, in objectstore.CompleteMultipartUploadInput) (objectstore.ObjectInfo, error) {
	var alg string
	if hasChecksum(in) {
		up, err := s.c.ListParts(ctx, &awss3.ListPartsInput{Bucket: aws.String(in.Bucket), Key: aws.String(in.Key), UploadId: aws.String(in.UploadID),
			MaxParts: aws.Int32(1)})
		if err != nil {
			return objectstore.ObjectInfo{}, mapErr(err, in.Bucket, in.Key, nil)
		}
		alg = string(up.ChecksumAlgorithm)
	}
	parts := make([]types.CompletedPart, len(in.Parts))
	for i, p := range in.Parts {
		parts[i] = types.CompletedPart{PartNumber: aws.Int32(int32(p.Number)), ETag: aws.String(p.ETag)}
		setChecksum(alg, p.Checksum, &parts[i].ChecksumCRC32, &parts[i].ChecksumCRC32C, &parts[i].ChecksumCRC64NVME, &parts[i].ChecksumSHA1, &parts[i].ChecksumSHA256)
	}
	req := &awss3.CompleteMultipartUploadInput{Bucket: aws.String(in.Bucket), Key: aws.String(in.Key), UploadId: aws.String(in.UploadID),
		MultipartUpload: &types.CompletedMultipartUpload{Parts: parts}, ChecksumType: types.ChecksumType(in.ChecksumType),
		IfMatch: strPtr(in.IfMatch), IfNoneMatch: strPtr(in.IfNoneMatch)}
	if in.ObjectSize >= 0 {
		req.MpuObjectSize = aws.Int64(in.ObjectSize)
	}
	setChecksum(alg, in.Checksum, &req.ChecksumCRC32, &req.ChecksumCRC32C, &req.ChecksumCRC64NVME, &req.ChecksumSHA1, &req.ChecksumSHA256)
	out, err := s.c.CompleteMultipartUpload(ctx, req)
	if err != nil {
		return objectstore.ObjectInfo{}, mapErr(err, in.Bucket, in.Key, nil)
	}
	return objectstore.ObjectInfo{Bucket: in.Bucket, Key: in.Key, VersionID: str(out.VersionId), IsLatest: true, ETag: str(out.ETag),
		Checksum:   pickChecksum(out.ChecksumCRC32, out.ChecksumCRC32C, out.ChecksumCRC64NVME, out.ChecksumSHA1, out.ChecksumSHA256, out.ChecksumType),
		Encryption: objectstore.Encryption{Algorithm: string(out.ServerSideEncryption), KMSKeyID: str(out.SSEKMSKeyId)}}, nil
}

// hasChecksum reports whether a completion carries a checksum, for the
// whole object or for any part.
func hasChecksum(in objectstore.CompleteMultipartUploadInput) bool {
	if in.Checksum != "" {
		return true
	}
	for _, p := range in.Parts {
		if p.Checksum != "" {
			return true
		}
	}
	return false
}

// setChecksum puts the checksum v of alg into the SDK's field for alg; an
// empty v or an unknown alg sets nothing.
func setChecksum(alg, v string, crc32, crc32c, crc64, sha1, sha256 **string) {
	if v == "" {
		return
	}
	p := aws.String(v)
	switch alg {
	case objectstore.CRC32:
		*crc32 = p
	case objectstore.CRC32C:
		*crc32c = p
	case objectstore.CRC64NVME:
		*crc64 = p
	case objectstore.SHA1:
		*sha1 = p
	case objectstore.SHA256:
		*sha256 = p
	}
}

// AbortMultipartUpload implements objectstore.Store.
func (s *Store) AbortMultipartUpload(ctx context.Context, bucket, key, uploadID string) error {
	_, err := s.c.AbortMultipartUpload(ctx, &awss3.AbortMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String(key), UploadId: aws.String(uploadID)})
	return mapErr(err, bucket, key, nil)
}

// ListParts implements objectstore.Store.
func (s *Store) ListParts(ctx context.Context, in objectstore.ListPartsInput) (objectstore.ListPartsResult, error) {
	out, err := s.c.ListParts(ctx, &awss3.ListPartsInput{Bucket: aws.String(in.Bucket), Key: aws.String(in.Key), UploadId: aws.String(in.UploadID),
		PartNumberMarker: strPtr(itoa(in.PartNumberMarker)), MaxParts: aws.Int32(int32(in.MaxParts))})
	if err != nil {
		return objectstore.ListPartsResult{}, mapErr(err, in.Bucket, in.Key, nil)
	}
	res := objectstore.ListPartsResult{IsTruncated: aws.ToBool(out.IsTruncated),
		Upload: objectstore.MultipartUpload{Bucket: in.Bucket, Key: in.Key, UploadID: in.UploadID, StorageClass: string(out.StorageClass),
			ChecksumAlgorithm: string(out.ChecksumAlgorithm), ChecksumType: string(out.ChecksumType)}}
	if out.NextPartNumberMarker != nil {
		res.NextPartNumberMarker = atoi(*out.NextPartNumberMarker)
	}
	for _, p := range out.Parts {
		res.Parts = append(res.Parts, objectstore.PartInfo{Number: int(aws.ToInt32(p.PartNumber)), Size: aws.ToInt64(p.Size), ETag: str(p.ETag),
			LastModified: timeVal(p.LastModified),
			Checksum:     pickChecksum(p.ChecksumCRC32, p.ChecksumCRC32C, p.ChecksumCRC64NVME, p.ChecksumSHA1, p.ChecksumSHA256, "")})
	}
	return res, nil
}

// ListMultipartUploads implements objectstore.Store.
func (s *Store) ListMultipartUploads(ctx context.Context, in objectstore.ListUploadsInput) (objectstore.ListUploadsResult, error) {
	out, err := s.c.ListMultipartUploads(ctx, &awss3.ListMultipartUploadsInput{Bucket: aws.String(in.Bucket), Prefix: strPtr(in.Prefix),
		Delimiter: strPtr(in.Delimiter), KeyMarker: strPtr(in.KeyMarker), UploadIdMarker: strPtr(in.UploadIDMarker),
		MaxUploads: aws.Int32(int32(in.MaxUploads))})
	if err != nil {
		return objectstore.ListUploadsResult{}, mapErr(err, in.Bucket, "", nil)
	}
	res := objectstore.ListUploadsResult{IsTruncated: aws.ToBool(out.IsTruncated), NextKeyMarker: str(out.NextKeyMarker),
		NextUploadIDMarker: str(out.NextUploadIdMarker)}
	for _, u := range out.Uploads {
		res.Uploads = append(res.Uploads, objectstore.MultipartUpload{Bucket: in.Bucket, Key: str(u.Key), UploadID: str(u.UploadId),
			Initiated: timeVal(u.Initiated), StorageClass: string(u.StorageClass), ChecksumAlgorithm: string(u.ChecksumAlgorithm),
			ChecksumType: string(u.ChecksumType)})
	}
	for _, cp := range out.CommonPrefixes {
		res.CommonPrefixes = append(res.CommonPrefixes, str(cp.Prefix))
	}
	return res, nil
}
