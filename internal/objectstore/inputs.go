package objectstore

import (
	"io"
	"time"
)

// CreateBucketInput creates a bucket.
type CreateBucketInput struct {
	Bucket string
	// Owner is the account creating the bucket.
	Owner  string
	Region string
	// ObjectLockEnabled turns Object Lock on, which also enables versioning.
	ObjectLockEnabled bool
	// ACL is the bucket's ACL; its zero value means private to Owner.
	ACL ACL
	// Tags is the initial tag set, or nil.
	Tags []Tag
}

// Conditions are the HTTP preconditions of a read or copy (RFC 7232 as S3
// applies them). Empty fields are not checked.
type Conditions struct {
	IfMatch           string
	IfNoneMatch       string
	IfModifiedSince   *time.Time
	IfUnmodifiedSince *time.Time
}

// ObjectRef names one object version; an empty VersionID names the current
// version.
type ObjectRef struct {
	Bucket, Key, VersionID string
}

// GetObjectInput reads an object.
type GetObjectInput struct {
	Bucket, Key string
	// VersionID selects a version; "" reads the current one.
	VersionID string
	// Range is an HTTP Range header ("bytes=0-99", "bytes=100-",
	// "bytes=-20"); "" or a value S3 would ignore reads the whole object.
	Range string
	// PartNumber reads one part of a multipart object (1-based); 0 reads
	// the whole object. A single-part object has one part.
	PartNumber int
	Conditions Conditions
}

// UploadChecksum is the checksum a client sends with an upload: computed by
// the store in Algorithm and, when a value is expected, compared with it.
type UploadChecksum struct {
	// Algorithm is CRC32, CRC32C, CRC64NVME, SHA1 or SHA256; "" lets the
	// store choose (S3 computes CRC64NVME for every new object).
	Algorithm string
	// Value is the expected base64 checksum, or "".
	Value string
	// Trailing, when not nil, is called once the body returned io.EOF and
	// returns the expected value sent after the body (aws-chunked
	// trailers); "" means none arrived.
	Trailing func() string
	// ContentMD5 is the base64 Content-MD5 header, or "".
	ContentMD5 string
}

// PutObjectInput writes an object version.
type PutObjectInput struct {
	Bucket, Key string
	// Owner is the account writing the object.
	Owner string
	// Body streams the bytes. The store reads it to EOF and does not close it.
	Body io.Reader
	// Size is the number of bytes Body delivers, or -1 when unknown.
	Size         int64
	Metadata     Metadata
	StorageClass string
	Tags         []Tag
	// ACL is the object's ACL; its zero value means private to Owner.
	ACL        ACL
	Encryption Encryption
	Retention  Retention
	LegalHold  bool
	Checksum   UploadChecksum
	// IfMatch and IfNoneMatch make the write conditional on the current
	// version (S3 conditional writes): IfNoneMatch "*" refuses to replace
	// an existing object.
	IfMatch, IfNoneMatch string
}

// CopyObjectInput copies an object version to a new object.
type CopyObjectInput struct {
	Source           ObjectRef
	SourceConditions Conditions
	Bucket, Key      string
	Owner            string
	// MetadataDirective is "COPY" (default) or "REPLACE": with REPLACE the
	// destination gets Metadata instead of the source's metadata.
	MetadataDirective string
	Metadata          Metadata
	// TaggingDirective is "COPY" (default) or "REPLACE" (Tags).
	TaggingDirective string
	Tags             []Tag
	// StorageClass of the destination; "" means STANDARD, as in S3.
	StorageClass string
	ACL          ACL
	// Encryption of the destination; nil means the bucket default (SSE-S3).
	Encryption *Encryption
	Retention  Retention
	LegalHold  bool
	// ChecksumAlgorithm of the destination; "" keeps the source's algorithm.
	ChecksumAlgorithm string
}

// CopyResult is the outcome of a copy.
type CopyResult struct {
	Object ObjectInfo
	// SourceVersionID is the version copied ("" for an unversioned source).
	SourceVersionID string
}

// DeleteObjectInput deletes an object or one version of it.
type DeleteObjectInput struct {
	Bucket, Key string
	// VersionID deletes that version permanently; "" deletes the object as
	// S3 does according to the bucket's versioning (removing the null
	// version or adding a delete marker).
	VersionID string
	// BypassGovernance allows deleting a version under GOVERNANCE retention.
	BypassGovernance bool
	// Owner is the account deleting, the owner of a delete marker it adds.
	Owner string
}

// DeleteResult is the outcome of a delete.
type DeleteResult struct {
	Key string
	// VersionID is the version deleted, or of the delete marker created.
	VersionID string
	// DeleteMarker is true when a delete marker was created or deleted.
	DeleteMarker bool
	// Err is set by DeleteObjects for a key that could not be deleted.
	Err error
}

// ListObjectsInput lists the current versions of a bucket's objects.
type ListObjectsInput struct {
	Bucket    string
	Prefix    string
	Delimiter string
	// StartAfter lists keys strictly greater than it.
	StartAfter string
	// MaxKeys bounds keys plus common prefixes returned; 0 returns none.
	MaxKeys int
}

// ListObjectsResult is one page of a listing.
type ListObjectsResult struct {
	Objects        []ObjectInfo
	CommonPrefixes []string
	IsTruncated    bool
	// Next is the last key or common prefix of the page: pass it as
	// StartAfter to continue.
	Next string
}

// ListVersionsInput lists every version and delete marker of a bucket.
type ListVersionsInput struct {
	Bucket    string
	Prefix    string
	Delimiter string
	// KeyMarker and VersionIDMarker continue a listing: versions of keys
	// after KeyMarker, or when VersionIDMarker is set, versions of KeyMarker
	// older than that version and then later keys.
	KeyMarker       string
	VersionIDMarker string
	MaxKeys         int
}

// ListVersionsResult is one page of a version listing. Versions holds object
// versions and delete markers (DeleteMarker set), keys in ascending order
// and each key's versions newest first.
type ListVersionsResult struct {
	Versions            []ObjectInfo
	CommonPrefixes      []string
	IsTruncated         bool
	NextKeyMarker       string
	NextVersionIDMarker string
}

// RestoreObjectInput asks for a temporary readable copy of an archived object.
type RestoreObjectInput struct {
	ObjectRef
	// Days the restored copy stays readable (at least 1).
	Days int
	// Tier is Expedited, Standard (default) or Bulk.
	Tier string
}

// RestoreResult is the outcome of a restore request.
type RestoreResult struct {
	// AlreadyRestored is true when a restored copy was already readable and
	// only its expiry changed (S3 answers 200 instead of 202).
	AlreadyRestored bool
	Object          ObjectInfo
}

// CreateMultipartUploadInput starts a multipart upload.
type CreateMultipartUploadInput struct {
	Bucket, Key  string
	Owner        string
	Metadata     Metadata
	StorageClass string
	Tags         []Tag
	ACL          ACL
	Encryption   Encryption
	Retention    Retention
	LegalHold    bool
	// ChecksumAlgorithm is the algorithm every part is checksummed with, or "".
	ChecksumAlgorithm string
	// ChecksumType is FullObject or Composite ("" picks the algorithm's
	// default: FULL_OBJECT for CRC64NVME, COMPOSITE for the others).
	ChecksumType string
}

// MultipartUpload is an upload in progress.
type MultipartUpload struct {
	Bucket, Key, UploadID string
	Initiated             time.Time
	Owner                 string
	StorageClass          string
	ChecksumAlgorithm     string
	ChecksumType          string
	Encryption            Encryption
}

// UploadPartInput uploads one part.
type UploadPartInput struct {
	Bucket, Key, UploadID string
	PartNumber            int
	Body                  io.Reader
	Size                  int64
	Checksum              UploadChecksum
}

// UploadPartCopyInput uploads one part from an existing object.
type UploadPartCopyInput struct {
	Bucket, Key, UploadID string
	PartNumber            int
	Source                ObjectRef
	SourceConditions      Conditions
	// SourceRange is "bytes=first-last" or "" for the whole source.
	SourceRange string
}

// PartResult is an uploaded part.
type PartResult struct {
	Part   PartInfo
	Upload MultipartUpload
	// SourceVersionID is the version an UploadPartCopy read.
	SourceVersionID string
	// SourceLastModified is the source's Last-Modified for UploadPartCopy.
	SourceLastModified time.Time
}

// CompletedPart is one entry of a CompleteMultipartUpload part list.
type CompletedPart struct {
	Number int
	ETag   string
	// Checksum is the part's checksum as the client lists it, or "".
	Checksum string
}

// CompleteMultipartUploadInput assembles an upload's parts into an object.
type CompleteMultipartUploadInput struct {
	Bucket, Key, UploadID string
	Parts                 []CompletedPart
	// Checksum is the expected checksum of the whole object in the upload's
	// algorithm (composite values end in "-N"), or "".
	Checksum string
	// ChecksumType must match the upload's when set.
	ChecksumType string
	// ObjectSize is the expected size of the object, or -1.
	ObjectSize           int64
	IfMatch, IfNoneMatch string
}

// ListPartsInput lists an upload's parts.
type ListPartsInput struct {
	Bucket, Key, UploadID string
	PartNumberMarker      int
	MaxParts              int
}

// ListPartsResult is one page of parts.
type ListPartsResult struct {
	Upload               MultipartUpload
	Parts                []PartInfo
	IsTruncated          bool
	NextPartNumberMarker int
}

// ListUploadsInput lists a bucket's uploads in progress.
type ListUploadsInput struct {
	Bucket         string
	Prefix         string
	Delimiter      string
	KeyMarker      string
	UploadIDMarker string
	MaxUploads     int
}

// ListUploadsResult is one page of uploads, by key then initiation time.
type ListUploadsResult struct {
	Uploads            []MultipartUpload
	CommonPrefixes     []string
	IsTruncated        bool
	NextKeyMarker      string
	NextUploadIDMarker string
}
