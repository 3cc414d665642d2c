package batch

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	api "github.com/jobplane/jobplane/internal/api/s3control"
	"github.com/jobplane/jobplane/internal/objectstore"
)

// copyOp is S3PutObjectCopy (spec §8.1): a server-side copy of each object
// into the target bucket, with the operation's metadata, tagging, ACL,
// storage class, encryption, Object Lock and checksum settings. The 5 GB
// limit of a single copy and the archived-source rule are the store's
// (CopyObject refuses them with S3's errors).
type copyOp struct {
	env    opEnv
	bucket string
	prefix string
	in     objectstore.CopyObjectInput
	// redirect is RedirectLocation when the metadata directive is COPY: the
	// source's metadata is read and sent again with it (S3 has no way to
	// change only the redirect on a copy).
	redirect string
}

func newCopyOp(env opEnv, op *api.S3CopyObjectOperation) (operation, error) {
	bucket, ok := bucketOfARN(deref(op.TargetResource))
	if !ok {
		return nil, fmt.Errorf("batch: job %s: TargetResource %q is not a bucket ARN", env.job.key, deref(op.TargetResource))
	}
	c := &copyOp{env: env, bucket: bucket, prefix: deref(op.TargetKeyPrefix)}
	in := objectstore.CopyObjectInput{Bucket: bucket, Owner: env.job.key.account, MetadataDirective: "COPY", TaggingDirective: "COPY"}
	if deref(op.MetadataDirective) == api.S3MetadataDirectiveREPLACE {
		in.MetadataDirective = "REPLACE"
		in.Metadata = metadataOf(op.NewObjectMetadata)
		in.Metadata.WebsiteRedirectLocation = deref(op.RedirectLocation)
	} else {
		c.redirect = deref(op.RedirectLocation)
	}
	// NewObjectTagging: omitted copies the source's tags, an empty list
	// removes them (spec §8.1).
	if op.NewObjectTagging != nil {
		in.TaggingDirective, in.Tags = "REPLACE", tagsOf(op.NewObjectTagging)
	}
	switch {
	case op.CannedAccessControlList != nil:
		acl, ok := objectstore.CannedACL(string(*op.CannedAccessControlList), env.job.key.account, env.job.key.account)
		if !ok {
			return nil, fmt.Errorf("batch: job %s: unknown canned ACL %q", env.job.key, *op.CannedAccessControlList)
		}
		in.ACL = acl
	case len(op.AccessControlGrants) > 0:
		in.ACL = objectstore.ACL{Owner: objectstore.OwnerOf(env.job.key.account), Grants: grantsOf(op.AccessControlGrants)}
	}
	in.StorageClass = string(deref(op.StorageClass))
	in.SourceConditions.IfModifiedSince = op.ModifiedSinceConstraint
	in.SourceConditions.IfUnmodifiedSince = op.UnModifiedSinceConstraint
	if kms := deref(op.SSEAwsKmsKeyId); kms != "" || deref(op.BucketKeyEnabled) {
		in.Encryption = &objectstore.Encryption{Algorithm: objectstore.SSEKMS, KMSKeyID: kms, BucketKeyEnabled: deref(op.BucketKeyEnabled)}
	} else if m := op.NewObjectMetadata; m != nil && m.SSEAlgorithm != nil {
		alg := objectstore.SSES3
		if *m.SSEAlgorithm == api.S3SSEAlgorithmKMS {
			alg = objectstore.SSEKMS
		}
		in.Encryption = &objectstore.Encryption{Algorithm: alg}
	}
	in.LegalHold = deref(op.ObjectLockLegalHoldStatus) == api.S3ObjectLockLegalHoldStatusON
	if op.ObjectLockMode != nil || op.ObjectLockRetainUntilDate != nil {
		in.Retention = objectstore.Retention{Mode: string(deref(op.ObjectLockMode)), RetainUntil: deref(op.ObjectLockRetainUntilDate)}
	}
	in.ChecksumAlgorithm = string(deref(op.ChecksumAlgorithm))
	c.in = in
	return c, nil
}

// targetKey is where an object is copied: with a TargetKeyPrefix, the
// prefix, a "/" and the whole source key, whatever the prefix ends with
// (spec §8.1: prefix Folder2 and key Folder1/obj.txt give
// Folder2/Folder1/obj.txt; aws/aws-sdk#355, boto/boto3#3420).
func (c *copyOp) targetKey(key string) string {
	if c.prefix == "" {
		return key
	}
	return c.prefix + "/" + key
}

func (c *copyOp) run(ctx context.Context, t *task) outcome {
	in := c.in
	in.Source = t.ref()
	in.Key = c.targetKey(t.entry.Key)
	if len(in.Key) > objectstore.MaxKeyLength {
		return failure(ctx, objectstore.ErrKeyTooLong(in.Key))
	}
	if c.redirect != "" {
		src, err := c.env.objects.HeadObject(ctx, objectstore.GetObjectInput{Bucket: t.entry.Bucket, Key: t.entry.Key, VersionID: t.entry.VersionID})
		if err != nil {
			return failure(ctx, err)
		}
		in.MetadataDirective, in.Metadata = "REPLACE", src.Metadata
		in.Metadata.WebsiteRedirectLocation = c.redirect
	}
	if _, err := c.env.objects.CopyObject(ctx, in); err != nil {
		// A failed copy-source condition is S3's 412 for a single copy.
		if objectstore.Code(err) == objectstore.CodePreconditionFailed {
			return failed(http.StatusPreconditionFailed, objectstore.CodePreconditionFailed, "At least one of the pre-conditions you specified did not hold")
		}
		return failure(ctx, err)
	}
	return succeeded("")
}

// metadataOf converts NewObjectMetadata to the store's metadata. User
// metadata keys are kept lower-case, as S3 stores them.
func metadataOf(m *api.S3ObjectMetadata) objectstore.Metadata {
	if m == nil {
		return objectstore.Metadata{}
	}
	out := objectstore.Metadata{
		ContentType: deref(m.ContentType), ContentEncoding: deref(m.ContentEncoding), ContentDisposition: deref(m.ContentDisposition),
		ContentLanguage: deref(m.ContentLanguage), CacheControl: deref(m.CacheControl),
	}
	if m.HttpExpiresDate != nil {
		out.Expires = m.HttpExpiresDate.UTC().Format(http.TimeFormat)
	}
	if len(m.UserMetadata) > 0 {
		out.User = make(map[string]string, len(m.UserMetadata))
		for k, v := range m.UserMetadata {
			out.User[strings.ToLower(k)] = v
		}
	}
	return out
}
