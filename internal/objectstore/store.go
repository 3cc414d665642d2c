// Package objectstore is the contract between jobplane and the objects its
// S3 endpoint serves and its batch jobs act on. Two implementations keep it:
// objectstore/embedded (object bytes as files under the data directory,
// metadata in jobplane's store) and objectstore/remote (any S3 endpoint
// through aws-sdk-go-v2). The S3 provider maps HTTP requests onto it; the
// batch engine calls it in-process.
//
// The contract speaks S3: its types carry what S3 stores, and every failure
// it names is an S3 error (an *apierror.Error with S3's code, HTTP status,
// message and error-body fields; see errors.go). Callers compare codes with
// Code(err). What is HTTP-only (header syntax, response-* overrides, status
// codes of successful calls) is the provider's business, not the store's.
//
// Unless a method says otherwise, every method:
//   - MUST return ErrNoSuchBucket for a bucket that does not exist;
//   - MUST be safe for concurrent use, and a write MUST be atomic: a
//     concurrent reader sees the state before or after it, never between,
//     and of concurrent writers to one key exactly one wins whole;
//   - MUST NOT return before a successful write is durable (it survives a
//     crash of the process or of the machine);
//   - MUST return ctx.Err() (possibly wrapped) if ctx ends before the
//     outcome is decided.
package objectstore

import "context"

// Store is an object store.
type Store interface {
	// CreateBucket creates an empty bucket. It MUST validate the name
	// (ErrInvalidBucketName), and return ErrBucketAlreadyOwnedByYou when
	// in.Owner already owns the name and ErrBucketAlreadyExists when another
	// account does. With ObjectLockEnabled the bucket MUST start with
	// versioning Enabled and an Object Lock configuration without default
	// retention.
	CreateBucket(ctx context.Context, in CreateBucketInput) (Bucket, error)
	// HeadBucket returns a bucket and its whole configuration.
	HeadBucket(ctx context.Context, bucket string) (Bucket, error)
	// ListBuckets returns the buckets owner owns, by name. It SHOULD list
	// every bucket of the endpoint when owner is "" (remote stores only
	// know their credentials' buckets).
	ListBuckets(ctx context.Context, owner string) ([]Bucket, error)
	// DeleteBucket deletes a bucket that holds no object version and no
	// delete marker (else ErrBucketNotEmpty). Uploads in progress are
	// aborted with it.
	DeleteBucket(ctx context.Context, bucket string) error

	// PutBucketVersioning sets versioning to VersioningEnabled or
	// VersioningSuspended. It MUST refuse to suspend versioning of a bucket
	// with Object Lock (ErrInvalidBucketState).
	PutBucketVersioning(ctx context.Context, bucket, status string) error
	// PutObjectLockConfiguration enables Object Lock and sets its default
	// retention. It MUST refuse it (ErrInvalidBucketState) on a bucket whose
	// versioning is not Enabled, and validate the default retention (mode
	// GOVERNANCE or COMPLIANCE, exactly one of Days and Years, positive:
	// else ErrMalformedXML or ErrInvalidArgument as S3 answers).
	PutObjectLockConfiguration(ctx context.Context, bucket string, cfg ObjectLockConfiguration) error
	// PutBucketTagging replaces the bucket's tag set; nil removes it. It
	// MUST validate the tags as S3 does (ErrInvalidTag; at most 50).
	PutBucketTagging(ctx context.Context, bucket string, tags []Tag) error
	// PutBucketReplication sets the replication configuration; nil removes
	// it. It MUST refuse one on a bucket whose versioning is not Enabled
	// (ErrInvalidRequest).
	PutBucketReplication(ctx context.Context, bucket string, cfg *ReplicationConfiguration) error
	// PutBucketACL replaces the bucket's ACL.
	PutBucketACL(ctx context.Context, bucket string, acl ACL) error

	// PutObject writes a new version of an object from in.Body: the new
	// current version, or the replacement of the null version when the
	// bucket is unversioned or versioning is suspended. It MUST:
	//   - validate the key (ErrKeyTooLong), the user metadata
	//     (ErrMetadataTooLarge), the tags (ErrInvalidTag, ErrBadRequest);
	//   - read Body to its end and refuse a body shorter or longer than a
	//     known Size (ErrIncompleteBody) or over 5 GiB (ErrEntityTooLarge);
	//   - compute the ETag (MD5) and the checksum in.Checksum.Algorithm
	//     (CRC64NVME when none is named) and refuse a mismatch with
	//     ContentMD5 (ErrBadDigest "Content-MD5", or ErrInvalidDigest for a
	//     malformed one) or with the expected or trailing checksum
	//     (ErrBadDigest naming the algorithm), storing nothing;
	//   - apply the bucket's default retention when in.Retention is empty,
	//     and refuse retention or legal hold on a bucket without Object Lock
	//     (ErrInvalidRequest);
	//   - check IfMatch/IfNoneMatch against the current version
	//     (ErrPreconditionFailed; IfMatch on a missing key: ErrNoSuchKey);
	//   - make the bytes durable before the version becomes visible: a crash
	//     leaves either the old state or the whole new version, never a
	//     partial object.
	PutObject(ctx context.Context, in PutObjectInput) (ObjectInfo, error)
	// GetObject opens an object version for reading. It MUST return
	// ErrNoSuchKey when the key has no current version (with the delete
	// marker flagged when the current version is one, see
	// ErrNoSuchKeyDeleteMarker), ErrNoSuchVersion for an unknown version
	// (ErrInvalidVersionID for a malformed one), ErrDeleteMarkerVersion
	// when the version is a delete marker, ErrInvalidObjectState for an
	// archived object without a readable restored copy, apply in.Conditions
	// as S3 does (If-Match, then If-Unmodified-Since, If-None-Match,
	// If-Modified-Since: ErrPreconditionFailed or ErrNotModified), and serve
	// in.Range (ErrInvalidRange when it starts past the end) or
	// in.PartNumber (ErrInvalidPartNumber past the last part). The body
	// MUST keep reading the version opened even if it is overwritten or
	// deleted meanwhile.
	GetObject(ctx context.Context, in GetObjectInput) (*Object, error)
	// HeadObject is GetObject without the body: the same errors, except
	// that an archived object's metadata is always readable.
	HeadObject(ctx context.Context, in GetObjectInput) (ObjectInfo, error)
	// CopyObject copies a version, server-side, into a new version of
	// in.Bucket/in.Key, with PutObject's versioning and durability rules.
	// It MUST refuse: a source over 5 GiB (ErrInvalidRequest, as S3), an
	// archived source without a readable restored copy
	// (ErrObjectNotInActiveTier), failed source conditions
	// (ErrPreconditionFailed; a NotModified condition also answers
	// ErrPreconditionFailed for copies), a copy onto itself that changes
	// nothing (ErrInvalidRequest); and return the source's NoSuch* errors.
	// Metadata and tags follow the directives; the destination's ETag and
	// checksum equal the source's when the bytes are the same and the
	// algorithm is kept.
	CopyObject(ctx context.Context, in CopyObjectInput) (CopyResult, error)
	// DeleteObject deletes as S3 does. Without a version id: on an
	// unversioned bucket the null version is removed; with versioning
	// Enabled a delete marker becomes the current version; Suspended
	// replaces the null version with a null delete marker. With a version
	// id, that version is removed for good (the next newest becomes
	// current) and the call MUST refuse (ErrAccessDenied) a version under
	// legal hold, COMPLIANCE retention or, unless BypassGovernance,
	// GOVERNANCE retention. Deleting a key or version that does not exist
	// succeeds and changes nothing. The deleted bytes SHOULD be freed once
	// no reader uses them.
	DeleteObject(ctx context.Context, in DeleteObjectInput) (DeleteResult, error)
	// DeleteObjects applies DeleteObject to each object of one bucket and
	// returns one result per object, in order; per-object failures are in
	// DeleteResult.Err. The call itself fails only for the bucket
	// (ErrNoSuchBucket) or the store.
	DeleteObjects(ctx context.Context, bucket string, objects []ObjectRef, bypassGovernance bool, owner string) ([]DeleteResult, error)
	// ListObjects lists current versions that are not delete markers, keys
	// in ascending byte order, grouping keys that contain Delimiter after
	// Prefix into common prefixes (each counted once against MaxKeys).
	ListObjects(ctx context.Context, in ListObjectsInput) (ListObjectsResult, error)
	// ListObjectVersions lists every version and delete marker, keys
	// ascending and each key's versions newest first, with the same prefix
	// grouping. An unknown VersionIDMarker MUST be refused with
	// ErrInvalidArgument; a VersionIDMarker without KeyMarker too.
	ListObjectVersions(ctx context.Context, in ListVersionsInput) (ListVersionsResult, error)

	// PutObjectTagging replaces a version's tag set (nil or empty removes
	// it), with S3's tag rules (ErrInvalidTag, ErrBadRequest for more than
	// 10). The version's other metadata and its Last-Modified MUST NOT
	// change. A delete marker answers ErrDeleteMarkerVersion (named) or
	// ErrNoSuchKey (current), as for GetObject.
	PutObjectTagging(ctx context.Context, ref ObjectRef, tags []Tag) (ObjectInfo, error)
	// PutObjectACL replaces a version's ACL, with PutObjectTagging's rules.
	PutObjectACL(ctx context.Context, ref ObjectRef, acl ACL) (ObjectInfo, error)
	// PutObjectLegalHold sets or clears a version's legal hold. It MUST
	// refuse it on a bucket without Object Lock (ErrInvalidRequest).
	PutObjectLegalHold(ctx context.Context, ref ObjectRef, on bool) (ObjectInfo, error)
	// PutObjectRetention sets a version's retention (an empty Retention
	// removes it). It MUST refuse it on a bucket without Object Lock
	// (ErrInvalidRequest), and with ErrAccessDenied: shortening or removing
	// COMPLIANCE retention, changing COMPLIANCE to GOVERNANCE, and
	// shortening, removing or changing GOVERNANCE retention without
	// bypassGovernance. A retain-until date in the past is ErrInvalidArgument.
	PutObjectRetention(ctx context.Context, ref ObjectRef, r Retention, bypassGovernance bool) (ObjectInfo, error)
	// RestoreObject starts the restore of an archived version, readable
	// after the tier's simulated delay, for in.Days. It MUST refuse a
	// version that is not archived (ErrInvalidObjectState) and answer
	// ErrRestoreAlreadyInProgress while a restore runs; a request on a
	// readable restored copy only moves its expiry (AlreadyRestored).
	RestoreObject(ctx context.Context, in RestoreObjectInput) (RestoreResult, error)
	// UpdateObjectEncryption changes a version's server-side encryption in
	// place, keeping its bytes, ETag, checksum and Last-Modified (S3 Batch
	// Operations' S3UpdateObjectEncryption). It SHOULD refuse unencrypted
	// versions (ErrInvalidRequest).
	UpdateObjectEncryption(ctx context.Context, ref ObjectRef, enc Encryption) (ObjectInfo, error)
	// PutObjectReplicationStatus records a version's replication status
	// (PENDING, COMPLETED, FAILED, REPLICA), as replication does. A store
	// that cannot record it (remote) returns ErrNotImplemented.
	PutObjectReplicationStatus(ctx context.Context, ref ObjectRef, status string) (ObjectInfo, error)

	// CreateMultipartUpload starts an upload, validating what PutObject
	// validates before the body (key, metadata, tags, lock settings).
	CreateMultipartUpload(ctx context.Context, in CreateMultipartUploadInput) (MultipartUpload, error)
	// UploadPart stores one part (1 to 10,000; a part number already
	// uploaded is replaced), with PutObject's body and checksum rules (at
	// most 5 GiB a part). It MUST return ErrNoSuchUpload for an upload not
	// in progress under that bucket and key.
	UploadPart(ctx context.Context, in UploadPartInput) (PartResult, error)
	// UploadPartCopy stores one part from a range of an existing version,
	// with CopyObject's source rules; a range outside the source is
	// ErrInvalidArgument ("The x-amz-copy-source-range value must be of
	// the form bytes=first-last where first and last are the zero-based
	// offsets of the first and last bytes to copy").
	UploadPartCopy(ctx context.Context, in UploadPartCopyInput) (PartResult, error)
	// CompleteMultipartUpload makes the listed parts a new object version,
	// atomically, and ends the upload. It MUST refuse (keeping the upload):
	// an empty or unordered list (ErrMalformedXML / ErrInvalidPartOrder), a
	// part that was not uploaded or whose ETag or checksum differs
	// (ErrInvalidPart), a part other than the last under 5 MiB
	// (ErrEntityTooSmall), a whole-object checksum or size that does not
	// match (ErrBadDigest / ErrInvalidRequest), and failed IfMatch /
	// IfNoneMatch conditions. Parts uploaded but not listed are discarded.
	// The ETag is the MD5 of the listed parts' MD5s followed by "-N".
	CompleteMultipartUpload(ctx context.Context, in CompleteMultipartUploadInput) (ObjectInfo, error)
	// AbortMultipartUpload ends an upload and discards its parts
	// (ErrNoSuchUpload when it is not in progress).
	AbortMultipartUpload(ctx context.Context, bucket, key, uploadID string) error
	// ListParts lists an upload's parts by number, after PartNumberMarker.
	ListParts(ctx context.Context, in ListPartsInput) (ListPartsResult, error)
	// ListMultipartUploads lists uploads in progress by key, then by
	// initiation time, with prefix grouping as ListObjects.
	ListMultipartUploads(ctx context.Context, in ListUploadsInput) (ListUploadsResult, error)
}
