package s3

import (
	"context"
	"net/http"
	"strings"

	api "github.com/jobplane/jobplane/internal/api/s3"
	"github.com/jobplane/jobplane/internal/apierror"
	"github.com/jobplane/jobplane/internal/objectstore"
)

// object looks up the version that in names, for HeadObject or a
// subresource operation, and checks that the caller may use it with perm: the bucket's
// ACL grants perm, or, failing that, the object's does (canReadObject). It
// also returns the bucket as p.bucket does: with SkipAccessChecks, only its
// name.
func (p *Provider) object(ctx context.Context, in objectstore.GetObjectInput, expected, perm string) (objectstore.Bucket, objectstore.ObjectInfo, error) {
	b, err := p.bucket(ctx, in.Bucket, expected, perm)
	if err != nil && objectstore.Code(err) != objectstore.CodeAccessDenied {
		return b, objectstore.ObjectInfo{}, err
	}
	denied := err
	oi, err := p.store.HeadObject(ctx, in)
	if err != nil {
		if denied != nil {
			return b, oi, denied
		}
		return b, oi, err
	}
	if denied != nil {
		return b, oi, p.canReadObject(ctx, b, oi, perm)
	}
	return b, oi, nil
}

// versionOf names the version of an object a request acts on (no range, no
// conditions).
func versionOf(bucket, key, versionID *string) objectstore.GetObjectInput {
	return objectstore.GetObjectInput{Bucket: str(bucket), Key: str(key), VersionID: str(versionID)}
}

// GetObjectTagging implements api.Service.
func (p *Provider) GetObjectTagging(ctx context.Context, in *api.GetObjectTaggingRequest) (*api.GetObjectTaggingOutput, error) {
	_, oi, err := p.object(ctx, versionOf(in.Bucket, in.Key, in.VersionId), str(in.ExpectedBucketOwner), objectstore.PermRead)
	if err != nil {
		return nil, err
	}
	return &api.GetObjectTaggingOutput{VersionId: versionHeader(oi.VersionID), TagSet: tagsOut(oi.Tags)}, nil
}

// PutObjectTagging implements api.Service.
func (p *Provider) PutObjectTagging(ctx context.Context, in *api.PutObjectTaggingRequest) (*api.PutObjectTaggingOutput, error) {
	if _, err := p.bucket(ctx, str(in.Bucket), str(in.ExpectedBucketOwner), objectstore.PermWrite); err != nil {
		return nil, err
	}
	if in.Tagging == nil {
		return nil, objectstore.ErrMalformedXML()
	}
	oi, err := p.store.PutObjectTagging(ctx, objectstore.ObjectRef{Bucket: str(in.Bucket), Key: str(in.Key), VersionID: str(in.VersionId)},
		tagsIn(in.Tagging.TagSet))
	if err != nil {
		return nil, err
	}
	return &api.PutObjectTaggingOutput{VersionId: versionHeader(oi.VersionID)}, nil
}

// DeleteObjectTagging implements api.Service.
func (p *Provider) DeleteObjectTagging(ctx context.Context, in *api.DeleteObjectTaggingRequest) (*api.DeleteObjectTaggingOutput, error) {
	if _, err := p.bucket(ctx, str(in.Bucket), str(in.ExpectedBucketOwner), objectstore.PermWrite); err != nil {
		return nil, err
	}
	oi, err := p.store.PutObjectTagging(ctx, objectstore.ObjectRef{Bucket: str(in.Bucket), Key: str(in.Key), VersionID: str(in.VersionId)}, nil)
	if err != nil {
		return nil, err
	}
	return &api.DeleteObjectTaggingOutput{VersionId: versionHeader(oi.VersionID)}, nil
}

// GetObjectAcl implements api.Service.
func (p *Provider) GetObjectAcl(ctx context.Context, in *api.GetObjectAclRequest) (*api.GetObjectAclOutput, error) {
	_, oi, err := p.object(ctx, versionOf(in.Bucket, in.Key, in.VersionId), str(in.ExpectedBucketOwner), objectstore.PermReadACP)
	if err != nil {
		return nil, err
	}
	o, grants := grantsOut(oi.ACL)
	return &api.GetObjectAclOutput{Owner: o, Grants: grants}, nil
}

// PutObjectAcl implements api.Service.
func (p *Provider) PutObjectAcl(ctx context.Context, in *api.PutObjectAclRequest) (*api.PutObjectAclOutput, error) {
	b, oi, err := p.object(ctx, versionOf(in.Bucket, in.Key, in.VersionId), str(in.ExpectedBucketOwner), objectstore.PermWriteACP)
	if err != nil {
		return nil, err
	}
	if p.opts.SkipAccessChecks {
		// p.object did not read the bucket; the ACL needs its owner.
		if b, err = p.store.HeadBucket(ctx, b.Name); err != nil {
			return nil, err
		}
	}
	h := aclHeaders{full: in.GrantFullControl, read: in.GrantRead, readACP: in.GrantReadACP, write: in.GrantWrite,
		writeACP: in.GrantWriteACP, policy: in.AccessControlPolicy}
	if in.ACL != nil {
		h.canned = string(*in.ACL)
	}
	acl, set, err := h.acl(oi.Owner, b.Owner)
	if err != nil {
		return nil, err
	}
	if !set {
		return nil, objectstore.ErrMalformedACL()
	}
	_, err = p.store.PutObjectACL(ctx, objectstore.ObjectRef{Bucket: str(in.Bucket), Key: str(in.Key), VersionID: str(in.VersionId)}, acl)
	return &api.PutObjectAclOutput{}, err
}

// lockedObject looks up a version for GetObjectLegalHold or
// GetObjectRetention: only the bucket owner may read its lock, and only in a
// bucket with Object Lock.
func (p *Provider) lockedObject(ctx context.Context, in objectstore.GetObjectInput, expected string) (objectstore.ObjectInfo, error) {
	b, err := p.bucketInfo(ctx, in.Bucket, expected, "")
	if err != nil {
		return objectstore.ObjectInfo{}, err
	}
	if b.ObjectLock == nil {
		return objectstore.ObjectInfo{}, objectstore.ErrInvalidRequest("Bucket is missing Object Lock Configuration")
	}
	return p.store.HeadObject(ctx, in)
}

// GetObjectLegalHold implements api.Service.
func (p *Provider) GetObjectLegalHold(ctx context.Context, in *api.GetObjectLegalHoldRequest) (*api.GetObjectLegalHoldOutput, error) {
	oi, err := p.lockedObject(ctx, versionOf(in.Bucket, in.Key, in.VersionId), str(in.ExpectedBucketOwner))
	if err != nil {
		return nil, err
	}
	status := api.ObjectLockLegalHoldStatusOFF
	if oi.LegalHold {
		status = api.ObjectLockLegalHoldStatusON
	}
	return &api.GetObjectLegalHoldOutput{LegalHold: &api.ObjectLockLegalHold{Status: ptr(status)}}, nil
}

// PutObjectLegalHold implements api.Service.
func (p *Provider) PutObjectLegalHold(ctx context.Context, in *api.PutObjectLegalHoldRequest) (*api.PutObjectLegalHoldOutput, error) {
	if _, err := p.bucket(ctx, str(in.Bucket), str(in.ExpectedBucketOwner), ""); err != nil {
		return nil, err
	}
	if in.LegalHold == nil || in.LegalHold.Status == nil {
		return nil, objectstore.ErrMalformedXML()
	}
	_, err := p.store.PutObjectLegalHold(ctx, objectstore.ObjectRef{Bucket: str(in.Bucket), Key: str(in.Key), VersionID: str(in.VersionId)},
		*in.LegalHold.Status == api.ObjectLockLegalHoldStatusON)
	return &api.PutObjectLegalHoldOutput{}, err
}

// GetObjectRetention implements api.Service.
func (p *Provider) GetObjectRetention(ctx context.Context, in *api.GetObjectRetentionRequest) (*api.GetObjectRetentionOutput, error) {
	oi, err := p.lockedObject(ctx, versionOf(in.Bucket, in.Key, in.VersionId), str(in.ExpectedBucketOwner))
	if err != nil {
		return nil, err
	}
	if oi.Retention.Mode == "" {
		return nil, apierror.New(objectstore.CodeNoSuchObjectLockConfiguration, http.StatusNotFound,
			"The specified object does not have a ObjectLock configuration")
	}
	return &api.GetObjectRetentionOutput{Retention: &api.ObjectLockRetention{Mode: ptr(api.ObjectLockRetentionMode(oi.Retention.Mode)),
		RetainUntilDate: ptr(oi.Retention.RetainUntil)}}, nil
}

// PutObjectRetention implements api.Service.
func (p *Provider) PutObjectRetention(ctx context.Context, in *api.PutObjectRetentionRequest) (*api.PutObjectRetentionOutput, error) {
	if _, err := p.bucket(ctx, str(in.Bucket), str(in.ExpectedBucketOwner), ""); err != nil {
		return nil, err
	}
	var r objectstore.Retention
	if in.Retention != nil {
		if in.Retention.Mode != nil {
			r.Mode = string(*in.Retention.Mode)
		}
		if in.Retention.RetainUntilDate != nil {
			r.RetainUntil = in.Retention.RetainUntilDate.UTC()
		}
	}
	_, err := p.store.PutObjectRetention(ctx, objectstore.ObjectRef{Bucket: str(in.Bucket), Key: str(in.Key), VersionID: str(in.VersionId)},
		r, boolVal(in.BypassGovernanceRetention))
	return &api.PutObjectRetentionOutput{}, err
}

// RestoreObject implements api.Service: 202 when a restore starts, 200 when
// the restored copy was already readable and only its expiry moved.
func (p *Provider) RestoreObject(ctx context.Context, in *api.RestoreObjectRequest) (*api.RestoreObjectOutput, error) {
	if _, err := p.bucket(ctx, str(in.Bucket), str(in.ExpectedBucketOwner), objectstore.PermWrite); err != nil {
		return nil, err
	}
	rr := in.RestoreRequest
	if rr == nil {
		return nil, objectstore.ErrMalformedXML()
	}
	if rr.Type != nil || rr.SelectParameters != nil || rr.OutputLocation != nil {
		return nil, objectstore.ErrNotImplemented("jobplane does not implement restores of type SELECT.")
	}
	tier := ""
	if rr.GlacierJobParameters != nil && rr.GlacierJobParameters.Tier != nil {
		tier = string(*rr.GlacierJobParameters.Tier)
	} else if rr.Tier != nil {
		tier = string(*rr.Tier)
	}
	res, err := p.store.RestoreObject(ctx, objectstore.RestoreObjectInput{
		ObjectRef: objectstore.ObjectRef{Bucket: str(in.Bucket), Key: str(in.Key), VersionID: str(in.VersionId)},
		Days:      intVal(rr.Days, 0), Tier: tier})
	if err != nil {
		return nil, err
	}
	status := int32(http.StatusAccepted)
	if res.AlreadyRestored {
		status = http.StatusOK
	}
	return &api.RestoreObjectOutput{StatusCode: ptr(status)}, nil
}

// GetObjectAttributes implements api.Service.
func (p *Provider) GetObjectAttributes(ctx context.Context, in *api.GetObjectAttributesRequest) (*api.GetObjectAttributesOutput, error) {
	_, oi, err := p.object(ctx, versionOf(in.Bucket, in.Key, in.VersionId), str(in.ExpectedBucketOwner), objectstore.PermRead)
	if err != nil {
		return nil, err
	}
	if len(in.ObjectAttributes) == 0 {
		return nil, invalidArgument("Invalid attribute name specified.", "x-amz-object-attributes", "")
	}
	out := &api.GetObjectAttributesOutput{LastModified: ptr(oi.LastModified), VersionId: versionHeader(oi.VersionID)}
	for _, a := range in.ObjectAttributes {
		switch a {
		case api.ObjectAttributesETag:
			out.ETag = ptr(strings.Trim(oi.ETag, `"`))
		case api.ObjectAttributesChecksum:
			if oi.Checksum.Algorithm != "" {
				c, typ := checksumOut(oi.Checksum)
				out.Checksum = &api.Checksum{ChecksumCRC32: c.crc32, ChecksumCRC32C: c.crc32c, ChecksumCRC64NVME: c.crc64nvme,
					ChecksumSHA1: c.sha1, ChecksumSHA256: c.sha256, ChecksumType: typ}
			}
		case api.ObjectAttributesObjectParts:
			if len(oi.Parts) > 0 {
				out.ObjectParts = partsOut(oi.Parts, intVal(in.PartNumberMarker, 0), intVal(in.MaxParts, 1000))
			}
		case api.ObjectAttributesStorageClass:
			out.StorageClass = ptr(api.StorageClass(oi.StorageClass))
		case api.ObjectAttributesObjectSize:
			out.ObjectSize = ptr(oi.Size)
		}
	}
	return out, nil
}

func partsOut(parts []objectstore.PartInfo, marker, max int) *api.GetObjectAttributesParts {
	out := &api.GetObjectAttributesParts{TotalPartsCount: ptr(int32(len(parts))), PartNumberMarker: ptr(int32(marker)),
		MaxParts: ptr(int32(max)), IsTruncated: ptr(false)}
	for _, pi := range parts {
		if pi.Number <= marker {
			continue
		}
		if len(out.Parts) == max {
			out.IsTruncated = ptr(true)
			break
		}
		c, _ := checksumOut(pi.Checksum)
		out.Parts = append(out.Parts, api.ObjectPart{PartNumber: ptr(int32(pi.Number)), Size: ptr(pi.Size),
			ChecksumCRC32: c.crc32, ChecksumCRC32C: c.crc32c, ChecksumCRC64NVME: c.crc64nvme, ChecksumSHA1: c.sha1, ChecksumSHA256: c.sha256})
		out.NextPartNumberMarker = ptr(int32(pi.Number))
	}
	return out
}
