package objectstore

import "context"

// BatchUpdater is an optional interface of a Store: it applies one change
// to many object versions of one bucket in one durable write. The S3 Batch
// Operations engine (internal/batch) uses it when the store offers it, to
// tag or set the ACL of hundreds of thousands of objects per second; every
// store also works without it, one call per object. (Added for the batch
// engine, issue 5.)
type BatchUpdater interface {
	// UpdateObjects applies change to each version refs names (every ref
	// MUST name bucket; an empty VersionID is the current version) exactly
	// as the matching single call does (PutObjectTagging, PutObjectACL):
	// the same validation, the same per-object errors (ErrNoSuchKey,
	// ErrNoSuchVersion, ErrDeleteMarkerVersion, ...) and the same effect.
	// It returns one error per ref, in order (nil where the change was
	// made), and an error for the whole call when nothing was changed
	// (ErrNoSuchBucket, an invalid change, ctx.Err(), a store failure). It
	// MUST NOT return before every change it reports as made is durable.
	UpdateObjects(ctx context.Context, bucket string, refs []ObjectRef, change ObjectChange) ([]error, error)
}

// ObjectChange is what BatchUpdater.UpdateObjects changes.
type ObjectChange struct {
	// SetTags replaces the tag set with Tags, as PutObjectTagging does (an
	// empty Tags removes it, as DeleteObjectTagging does).
	SetTags bool
	Tags    []Tag
	// ACL, when not nil, replaces the ACL, as PutObjectACL does.
	ACL *ACL
}

// AtRestReader is an optional interface of a Store that can read an
// object's data as stored, whatever its storage class, as S3 Batch
// Operations' S3ComputeObjectChecksum does ("any storage class, no
// restore"). A remote endpoint offers no such read: there an archived
// object that is not restored fails as GetObject fails.
type AtRestReader interface {
	// GetObjectAtRest is GetObject without the archive check: an archived
	// version's data is read as it is, restored or not.
	GetObjectAtRest(ctx context.Context, in GetObjectInput) (*Object, error)
}

// CannedACLPutter is an optional interface of a Store that can apply a
// canned ACL by name (S3's x-amz-acl), as S3 Batch Operations'
// S3PutObjectAcl does: a remote endpoint expands the name itself (with its
// own owner ids), where an explicit ACL would have to name them. (Added
// for the batch engine, issue 5.)
type CannedACLPutter interface {
	// PutObjectCannedACL replaces a version's ACL with the canned ACL name,
	// with PutObjectACL's errors.
	PutObjectCannedACL(ctx context.Context, ref ObjectRef, name string) error
}
