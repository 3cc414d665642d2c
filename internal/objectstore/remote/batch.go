package remote

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/jobplane/jobplane/internal/objectstore"
)

var _ objectstore.CannedACLPutter = (*Store)(nil)

// PutObjectCannedACL implements objectstore.CannedACLPutter with
// PutObjectAcl and x-amz-acl. (Added for the batch engine, issue 5.)
func (s *Store) PutObjectCannedACL(ctx context.Context, ref objectstore.ObjectRef, name string) error {
	_, err := s.c.PutObjectAcl(ctx, &awss3.PutObjectAclInput{Bucket: aws.String(ref.Bucket), Key: aws.String(ref.Key),
		VersionId: strPtr(ref.VersionID), ACL: types.ObjectCannedACL(name)})
	return mapErr(err, ref.Bucket, ref.Key, nil)
}
