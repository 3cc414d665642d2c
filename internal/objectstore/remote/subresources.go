package remote

import (
	"context"
	"net/http"

	"github.com/aws/aws-sdk-go-v2/aws"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/jobplane/jobplane/internal/objectstore"
)

// The subresource calls answer with what S3 answers them: the version they
// changed, not the whole object (HeadObject reads that).

// PutObjectTagging implements objectstore.Store.
func (s *Store) PutObjectTagging(ctx context.Context, ref objectstore.ObjectRef, tags []objectstore.Tag) (objectstore.ObjectInfo, error) {
	oi := objectstore.ObjectInfo{Bucket: ref.Bucket, Key: ref.Key, Tags: tags}
	if len(tags) == 0 {
		out, err := s.c.DeleteObjectTagging(ctx, &awss3.DeleteObjectTaggingInput{Bucket: aws.String(ref.Bucket), Key: aws.String(ref.Key),
			VersionId: strPtr(ref.VersionID)})
		if err != nil {
			return oi, mapErr(err, ref.Bucket, ref.Key, nil)
		}
		oi.VersionID = str(out.VersionId)
		return oi, nil
	}
	out, err := s.c.PutObjectTagging(ctx, &awss3.PutObjectTaggingInput{Bucket: aws.String(ref.Bucket), Key: aws.String(ref.Key),
		VersionId: strPtr(ref.VersionID), Tagging: &types.Tagging{TagSet: tagsOut(tags)}})
	if err != nil {
		return oi, mapErr(err, ref.Bucket, ref.Key, nil)
	}
	oi.VersionID = str(out.VersionId)
	return oi, nil
}

// PutObjectACL implements objectstore.Store.
func (s *Store) PutObjectACL(ctx context.Context, ref objectstore.ObjectRef, acl objectstore.ACL) (objectstore.ObjectInfo, error) {
	_, err := s.c.PutObjectAcl(ctx, &awss3.PutObjectAclInput{Bucket: aws.String(ref.Bucket), Key: aws.String(ref.Key),
		VersionId: strPtr(ref.VersionID), AccessControlPolicy: aclPolicy(acl)})
	return objectstore.ObjectInfo{Bucket: ref.Bucket, Key: ref.Key, VersionID: ref.VersionID, ACL: acl}, mapErr(err, ref.Bucket, ref.Key, nil)
}

// PutObjectLegalHold implements objectstore.Store.
func (s *Store) PutObjectLegalHold(ctx context.Context, ref objectstore.ObjectRef, on bool) (objectstore.ObjectInfo, error) {
	status := types.ObjectLockLegalHoldStatusOff
	if on {
		status = types.ObjectLockLegalHoldStatusOn
	}
	_, err := s.c.PutObjectLegalHold(ctx, &awss3.PutObjectLegalHoldInput{Bucket: aws.String(ref.Bucket), Key: aws.String(ref.Key),
		VersionId: strPtr(ref.VersionID), LegalHold: &types.ObjectLockLegalHold{Status: status}})
	return objectstore.ObjectInfo{Bucket: ref.Bucket, Key: ref.Key, VersionID: ref.VersionID, LegalHold: on}, mapErr(err, ref.Bucket, ref.Key, nil)
}

// PutObjectRetention implements objectstore.Store.
func (s *Store) PutObjectRetention(ctx context.Context, ref objectstore.ObjectRef, r objectstore.Retention, bypass bool) (objectstore.ObjectInfo, error) {
	req := &awss3.PutObjectRetentionInput{Bucket: aws.String(ref.Bucket), Key: aws.String(ref.Key), VersionId: strPtr(ref.VersionID),
		Retention: &types.ObjectLockRetention{}}
	if r.Mode != "" {
		req.Retention.Mode, req.Retention.RetainUntilDate = types.ObjectLockRetentionMode(r.Mode), aws.Time(r.RetainUntil)
	}
	if bypass {
		req.BypassGovernanceRetention = aws.Bool(true)
	}
	_, err := s.c.PutObjectRetention(ctx, req)
	return objectstore.ObjectInfo{Bucket: ref.Bucket, Key: ref.Key, VersionID: ref.VersionID, Retention: r}, mapErr(err, ref.Bucket, ref.Key, nil)
}

// RestoreObject implements objectstore.Store: the endpoint's 200 says the
// copy was already restored, its 202 that a restore started.
func (s *Store) RestoreObject(ctx context.Context, in objectstore.RestoreObjectInput) (objectstore.RestoreResult, error) {
	rr := &types.RestoreRequest{Days: aws.Int32(int32(in.Days))}
	if in.Tier != "" {
		rr.GlacierJobParameters = &types.GlacierJobParameters{Tier: types.Tier(in.Tier)}
	}
	out, err := s.c.RestoreObject(ctx, &awss3.RestoreObjectInput{Bucket: aws.String(in.Bucket), Key: aws.String(in.Key),
		VersionId: strPtr(in.VersionID), RestoreRequest: rr})
	if err != nil {
		return objectstore.RestoreResult{}, mapErr(err, in.Bucket, in.Key, nil)
	}
	return objectstore.RestoreResult{AlreadyRestored: statusOf(out.ResultMetadata) == http.StatusOK,
		Object: objectstore.ObjectInfo{Bucket: in.Bucket, Key: in.Key, VersionID: in.VersionID}}, nil
}

// UpdateObjectEncryption implements objectstore.Store with S3's
// UpdateObjectEncryption, which takes SSE-KMS targets only.
func (s *Store) UpdateObjectEncryption(ctx context.Context, ref objectstore.ObjectRef, enc objectstore.Encryption) (objectstore.ObjectInfo, error) {
	if enc.Algorithm != objectstore.SSEKMS {
		return objectstore.ObjectInfo{}, objectstore.ErrInvalidRequest("UpdateObjectEncryption only changes objects to SSE-KMS.")
	}
	_, err := s.c.UpdateObjectEncryption(ctx, &awss3.UpdateObjectEncryptionInput{Bucket: aws.String(ref.Bucket), Key: aws.String(ref.Key),
		VersionId: strPtr(ref.VersionID), ObjectEncryption: &types.ObjectEncryptionMemberSSEKMS{Value: types.SSEKMSEncryption{
			KMSKeyArn: aws.String(enc.KMSKeyID), BucketKeyEnabled: aws.Bool(enc.BucketKeyEnabled)}}})
	return objectstore.ObjectInfo{Bucket: ref.Bucket, Key: ref.Key, VersionID: ref.VersionID, Encryption: enc}, mapErr(err, ref.Bucket, ref.Key, nil)
}

// PutObjectReplicationStatus implements objectstore.Store: S3 sets
// replication status itself and offers no call to record it.
func (s *Store) PutObjectReplicationStatus(ctx context.Context, ref objectstore.ObjectRef, status string) (objectstore.ObjectInfo, error) {
	return objectstore.ObjectInfo{}, objectstore.ErrNotImplemented("A remote S3 endpoint records replication status itself.")
}
