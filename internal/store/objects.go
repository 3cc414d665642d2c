package store

import (
	"context"
	"errors"
	"time"
)

// Objects is the metadata of the embedded object store
// (internal/objectstore/embedded): buckets, object versions and delete
// markers, multipart uploads and their parts, and the data files that
// deleted records leave behind. The object bytes themselves are files the
// object store keeps; records only name them (DataRef).
//
// The store knows S3's versioning mechanics (one current version per key,
// the null version, the order of versions) but no other S3 rule: the object
// store passes callbacks that run inside the store's transaction, see the
// records as they are at that moment, and decide (version ids, Object Lock,
// conditions). A callback MUST be quick, MUST NOT call the store, and may run
// more than once if the driver retries a transaction; its error is returned
// as is and nothing is written.
//
// Attrs fields, and a version's Tags, are opaque documents the object store
// encodes; a driver stores and returns them byte for byte.
//
// Every method MUST be safe for concurrent use, from several processes
// sharing the database too. Writes are atomic and durable when the method
// returns nil. Errors: ErrNoSuchBucket, ErrNoSuchKey, ErrNoSuchVersion,
// ErrNoSuchUpload, ErrBucketExists, ErrBucketNotEmpty as each method says,
// a callback's own error, ctx.Err(), ErrClosed, or a driver failure.
type Objects interface {
	// CreateBucket records a new bucket. It MUST return ErrBucketExists
	// (wrapped in a *BucketExistsError giving the current owner) when a
	// bucket of that name exists.
	CreateBucket(ctx context.Context, b ObjectBucket) error
	// GetBucket returns a bucket, or ErrNoSuchBucket.
	GetBucket(ctx context.Context, name string) (ObjectBucket, error)
	// ListBuckets returns the buckets owner owns ("" lists every bucket),
	// ordered by name.
	ListBuckets(ctx context.Context, owner string) ([]ObjectBucket, error)
	// UpdateBucket runs fn on the bucket and stores what fn leaves in
	// Versioning and Attrs (other fields are kept). It returns the stored
	// bucket, ErrNoSuchBucket, or fn's error.
	UpdateBucket(ctx context.Context, name string, fn func(b *ObjectBucket) error) (ObjectBucket, error)
	// DeleteBucket removes a bucket that has no version or delete marker
	// (else ErrBucketNotEmpty), with its uploads in progress, whose parts'
	// data it returns as garbage (see Garbage).
	DeleteBucket(ctx context.Context, name string) ([]DataRef, error)

	// PutVersion makes v the current version of its key. prepare runs first
	// with the bucket and the key's current version (nil when the key has
	// none; it may be a delete marker) and MUST leave v.VersionID set. Then,
	// atomically: if v.VersionID is NullVersionID, the key's existing null
	// version (wherever it is among the key's versions) is removed; the
	// current version stops being current; v is stored as current with a
	// Seq greater than every Seq before it. PutVersion returns the stored
	// version and the data of removed versions, recorded as garbage.
	PutVersion(ctx context.Context, v ObjectVersion, prepare func(b *ObjectBucket, current *ObjectVersion, v *ObjectVersion) error) (ObjectVersion, []DataRef, error)
	// GetVersion returns a version of key: versionID "" is the current
	// version (ErrNoSuchKey when the key has none; a current delete marker
	// is returned as such), else that version (ErrNoSuchVersion); either
	// way ErrNoSuchBucket when the bucket does not exist. It is the read of
	// every GET: a driver SHOULD answer it with one indexed lookup.
	GetVersion(ctx context.Context, bucket, key, versionID string) (ObjectVersion, error)
	// UpdateVersion runs fn on a version (chosen as GetVersion chooses) and
	// stores what fn leaves in StorageClass, Attrs and Tags; the version's
	// other fields, its Seq and which version is current are kept.
	UpdateVersion(ctx context.Context, bucket, key, versionID string, fn func(b *ObjectBucket, v *ObjectVersion) error) (ObjectVersion, error)
	// DeleteVersion removes one version (versionID "" is not allowed: it
	// MUST return ErrNoSuchVersion) after check approves it (check may be
	// nil). When it was current, the key's newest remaining version becomes
	// current. It returns the removed version, whose data is recorded as
	// garbage, or ErrNoSuchVersion.
	DeleteVersion(ctx context.Context, bucket, key, versionID string, check func(b *ObjectBucket, v *ObjectVersion) error) (ObjectVersion, error)
	// ListVersions returns up to q.Limit versions of a bucket, keys in
	// ascending byte order and each key's versions newest (highest Seq)
	// first, from the position q describes. ErrNoSuchBucket when the bucket
	// does not exist.
	ListVersions(ctx context.Context, bucket string, q VersionQuery) ([]ObjectVersion, error)

	// CreateUpload records a multipart upload (ErrNoSuchBucket), assigning
	// its Seq.
	CreateUpload(ctx context.Context, u ObjectUpload) (ObjectUpload, error)
	// GetUpload returns the bucket and an upload in progress for key, or
	// ErrNoSuchUpload.
	GetUpload(ctx context.Context, bucket, key, uploadID string) (ObjectBucket, ObjectUpload, error)
	// PutPart stores a part of an upload in progress (ErrNoSuchUpload),
	// replacing a part of the same number, whose data it returns as garbage.
	PutPart(ctx context.Context, bucket, key, uploadID string, p ObjectUploadPart) ([]DataRef, error)
	// ListParts returns up to limit parts numbered above after, in order
	// (ErrNoSuchUpload).
	ListParts(ctx context.Context, bucket, key, uploadID string, after, limit int) ([]ObjectUploadPart, error)
	// CompleteUpload ends an upload by putting the version build returns,
	// as PutVersion does (build also plays prepare's part and MUST set the
	// version id). build receives every part of the upload in order. The
	// upload and its parts are removed; the data of parts the new version
	// does not reference, and of removed versions, is garbage. Nothing
	// changes if build fails.
	CompleteUpload(ctx context.Context, bucket, key, uploadID string,
		build func(b *ObjectBucket, u ObjectUpload, parts []ObjectUploadPart, current *ObjectVersion) (*ObjectVersion, error)) (ObjectVersion, []DataRef, error)
	// DeleteUpload removes an upload and its parts (ErrNoSuchUpload) and
	// returns the parts' data as garbage.
	DeleteUpload(ctx context.Context, bucket, key, uploadID string) ([]DataRef, error)
	// ListUploads returns up to q.Limit uploads of a bucket in progress,
	// ordered by key then Seq, from the position q describes.
	ListUploads(ctx context.Context, bucket string, q ObjectUploadQuery) ([]ObjectUpload, error)

	// Garbage returns up to limit data references that removed records
	// left behind and that have not been released yet, oldest first. Every
	// DataRef a method returned as garbage is in this list until released,
	// across restarts, so that files are freed even after a crash.
	Garbage(ctx context.Context, limit int) ([]DataRef, error)
	// ReleaseGarbage forgets garbage whose files are gone.
	ReleaseGarbage(ctx context.Context, ids []string) error
	// DataInUse reports which of ids some version or part references.
	DataInUse(ctx context.Context, ids []string) (map[string]bool, error)
	// DataInUseWithPrefix reports whether some version or part references
	// a data id starting with prefix (the object store packs small objects
	// into shared files whose data ids share a prefix).
	DataInUseWithPrefix(ctx context.Context, prefix string) (bool, error)
}

// NullVersionID is the version id of S3's null version.
const NullVersionID = "null"

// ObjectBucket is a bucket's record.
type ObjectBucket struct {
	Name    string
	Owner   string
	Region  string
	Created time.Time
	// Versioning is "", "Enabled" or "Suspended".
	Versioning string
	Attrs      []byte
}

// DataRef names a file of object data and its length.
type DataRef struct {
	ID   string
	Size int64
}

// ObjectVersion is one version of an object, or a delete marker.
type ObjectVersion struct {
	Bucket, Key, VersionID string
	// Seq orders a bucket's versions: a newer version has a higher Seq.
	Seq          int64
	IsLatest     bool
	DeleteMarker bool
	Size         int64
	ETag         string
	LastModified time.Time
	StorageClass string
	// Data is the object's bytes: the files, in order.
	Data  []DataRef
	Attrs []byte
	// Tags is the version's tag set, kept apart from Attrs so that a
	// batch can replace the tag sets of many versions without rewriting
	// their other attributes (ObjectsPatcher).
	Tags []byte
}

// VersionQuery positions a version listing.
type VersionQuery struct {
	// Prefix restricts the listing to keys starting with it.
	Prefix string
	// From is the first key to consider; with FromExclusive keys equal to
	// From are skipped too.
	From          string
	FromExclusive bool
	// BeforeSeq, when positive, skips the versions of key From whose Seq is
	// BeforeSeq or more (continuing within one key's versions).
	BeforeSeq int64
	// CurrentOnly lists only current versions that are not delete markers.
	CurrentOnly bool
	Limit       int
}

// ObjectUpload is a multipart upload in progress.
type ObjectUpload struct {
	Bucket, Key, UploadID string
	Seq                   int64
	Initiated             time.Time
	Attrs                 []byte
}

// ObjectUploadPart is one uploaded part.
type ObjectUploadPart struct {
	Number       int
	Size         int64
	ETag         string
	LastModified time.Time
	Data         []DataRef
	Attrs        []byte
}

// ObjectUploadQuery positions an upload listing.
type ObjectUploadQuery struct {
	Prefix string
	// From is the first key to consider; with FromExclusive keys equal to
	// From are skipped.
	From          string
	FromExclusive bool
	// AfterSeq, when positive, skips uploads of key From with Seq up to it.
	AfterSeq int64
	Limit    int
}

// Errors of the Objects store.
var (
	ErrNoSuchBucket   = errors.New("store: no such bucket")
	ErrNoSuchKey      = errors.New("store: no such key")
	ErrNoSuchVersion  = errors.New("store: no such version")
	ErrNoSuchUpload   = errors.New("store: no such upload")
	ErrBucketExists   = errors.New("store: bucket exists")
	ErrBucketNotEmpty = errors.New("store: bucket not empty")
)

// BucketExistsError is CreateBucket's error for a taken name; it matches
// ErrBucketExists with errors.Is.
type BucketExistsError struct {
	Owner string
}

func (e *BucketExistsError) Error() string {
	return ErrBucketExists.Error() + " (owner " + e.Owner + ")"
}

// Is makes errors.Is(err, ErrBucketExists) hold.
func (e *BucketExistsError) Is(target error) bool { return target == ErrBucketExists }

// MaxPartsPerUpload is the most parts an upload can have (S3's limit).
const MaxPartsPerUpload = 10000
