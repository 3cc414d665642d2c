package objectstore

import (
	"io"
	"net/http"
	"time"
)

// NullVersion is the version id of the one version an object has in a bucket
// that never had versioning enabled, and of the version written while
// versioning is suspended.
const NullVersion = "null"

// Versioning states of a bucket, as GetBucketVersioning reports them. A
// bucket that never had versioning enabled has the empty state.
const (
	VersioningEnabled   = "Enabled"
	VersioningSuspended = "Suspended"
)

// Storage classes jobplane treats specially. Every other storage class of the
// S3 model is stored and returned as given and is readable at once.
const (
	StorageStandard    = "STANDARD"
	StorageGlacier     = "GLACIER"
	StorageDeepArchive = "DEEP_ARCHIVE"
)

// StorageClassOr returns class, or STANDARD for "" (S3 leaves the header
// out for STANDARD objects).
func StorageClassOr(class string) string {
	if class == "" {
		return StorageStandard
	}
	return class
}

// IsArchived reports whether objects of a storage class must be restored
// before they can be read or copied (S3 User Guide, "Restoring an archived
// object": S3 Glacier Flexible Retrieval and S3 Glacier Deep Archive).
func IsArchived(storageClass string) bool {
	return storageClass == StorageGlacier || storageClass == StorageDeepArchive
}

// Object Lock modes and legal hold states.
const (
	LockGovernance = "GOVERNANCE"
	LockCompliance = "COMPLIANCE"
)

// Bucket is a bucket and its configuration.
type Bucket struct {
	Name string
	// Owner is the 12-digit account that created the bucket.
	Owner        string
	Region       string
	CreationDate time.Time
	// Versioning is "", VersioningEnabled or VersioningSuspended.
	Versioning string
	// ObjectLock is nil unless Object Lock is enabled on the bucket.
	ObjectLock *ObjectLockConfiguration
	// Tags is nil when the bucket has no tag set.
	Tags []Tag
	ACL  ACL
	// Replication is nil when the bucket has no replication configuration.
	Replication *ReplicationConfiguration
}

// ObjectLockConfiguration is a bucket's Object Lock setting: enabled, with an
// optional default retention applied to new object versions.
type ObjectLockConfiguration struct {
	// DefaultRetention is nil when new versions get no retention by default.
	DefaultRetention *DefaultRetention
}

// DefaultRetention is the retention a new object version gets when its
// upload names none. Exactly one of Days and Years is positive.
type DefaultRetention struct {
	Mode  string
	Days  int
	Years int
}

// Until returns the retain-until date of a version created at t.
func (d DefaultRetention) Until(t time.Time) time.Time {
	if d.Years > 0 {
		return t.AddDate(d.Years, 0, 0)
	}
	return t.AddDate(0, 0, d.Days)
}

// Tag is one key-value pair of a tag set.
type Tag struct {
	Key, Value string
}

// ACL is an access control list: its owner and grants.
type ACL struct {
	Owner  Owner
	Grants []Grant
}

// Owner is the canonical user owning a bucket, object or ACL.
type Owner struct {
	// ID is the 64-hex-digit canonical user id (CanonicalID of the account).
	ID string
	// DisplayName is empty: S3 no longer returns display names.
	DisplayName string
}

// Grant gives one grantee one permission.
type Grant struct {
	Grantee    Grantee
	Permission string // FULL_CONTROL, WRITE, WRITE_ACP, READ, READ_ACP
}

// Grantee types.
const (
	GranteeCanonicalUser = "CanonicalUser"
	GranteeGroup         = "Group"
	GranteeEmail         = "AmazonCustomerByEmail"
)

// Grantee is a canonical user (ID), a group (URI) or an e-mail address.
type Grantee struct {
	Type         string
	ID           string
	DisplayName  string
	URI          string
	EmailAddress string
}

// ReplicationConfiguration is a bucket's replication configuration, the part
// of it that S3 Batch Replication reads.
type ReplicationConfiguration struct {
	Role  string
	Rules []ReplicationRule
}

// ReplicationRule is one rule of a replication configuration.
type ReplicationRule struct {
	ID       string
	Priority *int32
	// Status is Enabled or Disabled.
	Status string
	// Prefix is the legacy (V1) filter; Filter is the V2 filter.
	Prefix                    *string
	Filter                    *ReplicationFilter
	Destination               ReplicationDestination
	DeleteMarkerReplication   string // Enabled, Disabled or ""
	ExistingObjectReplication string // Enabled, Disabled or ""
}

// ReplicationFilter selects the objects a V2 rule applies to: by prefix, by
// one tag, or by a prefix and several tags together.
type ReplicationFilter struct {
	Prefix *string
	Tag    *Tag
	And    *ReplicationAnd
}

// ReplicationAnd is the conjunction form of a replication filter.
type ReplicationAnd struct {
	Prefix *string
	Tags   []Tag
}

// ReplicationDestination is where a rule replicates to.
type ReplicationDestination struct {
	// Bucket is the destination bucket's ARN.
	Bucket       string
	Account      string
	StorageClass string
}

// Metadata is what a client says about an object's content: the standard
// headers S3 stores and returns, and the user metadata (x-amz-meta-*).
type Metadata struct {
	ContentType             string
	ContentEncoding         string
	ContentDisposition      string
	ContentLanguage         string
	CacheControl            string
	Expires                 string // the Expires header as sent
	WebsiteRedirectLocation string
	// User is the user metadata, keyed by the lowercased name without the
	// x-amz-meta- prefix.
	User map[string]string
}

// Checksum algorithms S3 computes and verifies.
const (
	CRC32     = "CRC32"
	CRC32C    = "CRC32C"
	CRC64NVME = "CRC64NVME"
	SHA1      = "SHA1"
	SHA256    = "SHA256"
)

// Checksum types.
const (
	FullObject = "FULL_OBJECT"
	Composite  = "COMPOSITE"
)

// Checksum is an object's or part's stored checksum.
type Checksum struct {
	// Algorithm is one of CRC32, CRC32C, CRC64NVME, SHA1, SHA256, or "" when
	// the object has none.
	Algorithm string
	// Type is FullObject, or Composite for a multipart object whose checksum
	// is the checksum of its parts' checksums.
	Type string
	// Value is the base64 checksum; a composite value ends in "-N", N the
	// number of parts.
	Value string
}

// Server-side encryption algorithms.
const (
	SSES3     = "AES256"
	SSEKMS    = "aws:kms"
	SSEKMSDSS = "aws:kms:dsse"
)

// Encryption is an object's server-side encryption setting. jobplane records
// and returns it; the bytes are not encrypted (there is no KMS).
type Encryption struct {
	// Algorithm is SSES3, SSEKMS, SSEKMSDSS or "".
	Algorithm        string
	KMSKeyID         string
	BucketKeyEnabled bool
	// Context is the x-amz-server-side-encryption-context value as sent.
	Context string
}

// Retention is an object version's Object Lock retention.
type Retention struct {
	// Mode is LockGovernance, LockCompliance, or "" for no retention.
	Mode        string
	RetainUntil time.Time
}

// Active reports whether the retention still protects the version at now.
func (r Retention) Active(now time.Time) bool {
	return r.Mode != "" && r.RetainUntil.After(now)
}

// Restore tiers.
const (
	TierExpedited = "Expedited"
	TierStandard  = "Standard"
	TierBulk      = "Bulk"
)

// RestoreState is the state of an archived object's restore.
type RestoreState struct {
	Tier        string
	Days        int
	RequestedAt time.Time
	// ReadyAt is when the restored copy becomes readable.
	ReadyAt time.Time
	// ExpiresAt is when the restored copy goes away again.
	ExpiresAt time.Time
}

// InProgress reports whether the restore is still running at now.
func (r *RestoreState) InProgress(now time.Time) bool {
	return r != nil && now.Before(r.ReadyAt)
}

// Readable reports whether the restored copy can be read at now.
func (r *RestoreState) Readable(now time.Time) bool {
	return r != nil && !now.Before(r.ReadyAt) && now.Before(r.ExpiresAt)
}

// Header renders the x-amz-restore header at now, or "" when no restore is
// in progress or readable.
func (r *RestoreState) Header(now time.Time) string {
	switch {
	case r.InProgress(now):
		return `ongoing-request="true"`
	case r.Readable(now):
		return `ongoing-request="false", expiry-date="` + r.ExpiresAt.UTC().Format(http.TimeFormat) + `"`
	}
	return ""
}

// PartInfo describes one part of a multipart object or upload.
type PartInfo struct {
	Number       int
	Size         int64
	ETag         string
	LastModified time.Time
	// Checksum is the part's checksum in the upload's algorithm, if any.
	Checksum Checksum
}

// ObjectInfo is everything S3 knows about one object version or delete
// marker, apart from its bytes.
type ObjectInfo struct {
	Bucket string
	Key    string
	// VersionID is the version's id: NullVersion for the null version, ""
	// when the bucket has never had versioning enabled (S3 then sends no
	// x-amz-version-id).
	VersionID    string
	IsLatest     bool
	DeleteMarker bool
	Size         int64
	// ETag is the entity tag in S3's quoted form: "<md5 hex>" for a single
	// upload, "<md5 of the parts' md5s>-<parts>" for a multipart upload.
	ETag         string
	LastModified time.Time
	StorageClass string
	// Owner is the account that wrote the version.
	Owner      string
	Metadata   Metadata
	Checksum   Checksum
	Encryption Encryption
	// Parts lists a multipart object's parts; nil for a single upload.
	Parts     []PartInfo
	Tags      []Tag
	ACL       ACL
	Retention Retention
	LegalHold bool
	// Restore is nil unless a restore was requested for an archived object.
	Restore *RestoreState
	// ReplicationStatus is "", PENDING, COMPLETED, FAILED or REPLICA.
	ReplicationStatus string
}

// Object is an object being read: its metadata and a stream of its bytes
// (or of the requested range).
type Object struct {
	Info ObjectInfo
	// Body streams the bytes; the caller MUST close it.
	Body io.ReadCloser
	// Range is the byte range Body holds, nil when it holds the whole object.
	Range *ByteRange
	// PartNumber is the part Body holds when the read asked for one.
	PartNumber int
}

// ByteRange is an inclusive range of bytes of an object of Size bytes.
type ByteRange struct {
	First, Last, Size int64
}

// Length is the number of bytes in the range.
func (r ByteRange) Length() int64 { return r.Last - r.First + 1 }
