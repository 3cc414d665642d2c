// Package embedded is the object store jobplane runs by default: object bytes
// are files under the data directory, named by random ids (never by key),
// and everything else (buckets, versions, tags, ACLs, locks, restores,
// checksums, multipart uploads) is metadata in jobplane's store
// (store.Objects) written through its group-commit writer.
//
// Durability: an upload streams into a temporary file, which is renamed into
// place and made durable before the metadata commit that makes the version
// visible; concurrent uploads share one filesystem sync (see sync.go), as
// they share one metadata commit. A crash therefore leaves either the old
// state or the whole new version. Files of overwritten or deleted versions
// are unlinked only after the commit that removed them, and only once no
// reader that might still use them is open (see files.go); files left behind
// by a crash are removed at the next start.
package embedded

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/jobplane/jobplane/internal/clock"
	"github.com/jobplane/jobplane/internal/objectstore"
	"github.com/jobplane/jobplane/internal/store"
)

// Options configure an embedded store.
type Options struct {
	// Dir is the directory of the object files (created if missing).
	Dir string
	// Meta is the metadata store.
	Meta store.Objects
	// Clock is read for every date the store records and every rule that
	// depends on time (retention, restores). Nil means the real clock.
	Clock clock.Clock
	// Restore are the simulated restore times; nil means the defaults.
	Restore objectstore.RestoreDelays
	// Sync selects how file data is made durable: SyncFS (default on Linux:
	// one syncfs for all uploads waiting) or SyncFiles (an fsync per file
	// and directory).
	Sync SyncMode
	// Logger receives background failures (cleanup). Nil discards.
	Logger *slog.Logger
}

// Store is the embedded object store. It implements objectstore.Store.
type Store struct {
	meta    store.Objects
	clock   clock.Clock
	restore objectstore.RestoreDelays
	files   *files
	buckets bucketCache
}

var _ objectstore.Store = (*Store)(nil)

// Open opens the store: it prepares the data directory, frees what a crash
// left behind, and starts the background cleanup.
func Open(ctx context.Context, opts Options) (*Store, error) {
	if opts.Meta == nil || opts.Dir == "" {
		return nil, errors.New("embedded: Dir and Meta are required")
	}
	if opts.Clock == nil {
		opts.Clock = clock.Real{}
	}
	if opts.Restore == nil {
		opts.Restore = objectstore.DefaultRestoreDelays()
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	f, err := openFiles(ctx, opts.Dir, opts.Meta, opts.Sync, opts.Logger)
	if err != nil {
		return nil, err
	}
	return &Store{meta: opts.Meta, clock: opts.Clock, restore: opts.Restore, files: f}, nil
}

// Close stops the background cleanup after freeing what it can. Calls made
// after Close fail.
func (s *Store) Close() error { return s.files.close() }

func (s *Store) now() time.Time { return s.clock.Now().UTC() }

// lastModified is a version's date: S3 keeps Last-Modified to the second.
func (s *Store) lastModified() time.Time { return s.now().Truncate(time.Second) }

// newVersionID returns a fresh version id: 32 URL-safe characters, the
// length of S3's.
func newVersionID() string {
	var b [24]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// validVersionID reports whether id could be a version id this store made.
func validVersionID(id string) bool {
	if id == objectstore.NullVersion {
		return true
	}
	if len(id) != 32 {
		return false
	}
	_, err := base64.RawURLEncoding.DecodeString(id)
	return err == nil
}

// bucketAttrs is the opaque part of a bucket record.
type bucketAttrs struct {
	ObjectLock  *objectstore.ObjectLockConfiguration  `json:"lock,omitempty"`
	Tags        []objectstore.Tag                     `json:"tags,omitempty"`
	HasTags     bool                                  `json:"hasTags,omitempty"`
	ACL         *objectstore.ACL                      `json:"acl,omitempty"`
	Replication *objectstore.ReplicationConfiguration `json:"replication,omitempty"`
}

func decodeBucket(b store.ObjectBucket) (objectstore.Bucket, bucketAttrs, error) {
	var a bucketAttrs
	if len(b.Attrs) > 0 {
		if err := json.Unmarshal(b.Attrs, &a); err != nil {
			return objectstore.Bucket{}, a, fmt.Errorf("embedded: bucket %s: %w", b.Name, err)
		}
	}
	out := objectstore.Bucket{
		Name: b.Name, Owner: b.Owner, Region: b.Region, CreationDate: b.Created, Versioning: b.Versioning,
		ObjectLock: a.ObjectLock, Replication: a.Replication,
	}
	if a.HasTags {
		out.Tags = append([]objectstore.Tag{}, a.Tags...)
	}
	if a.ACL != nil {
		out.ACL = *a.ACL
	} else {
		out.ACL = objectstore.PrivateACL(b.Owner)
	}
	return out, a, nil
}

// versionAttrs is the opaque part of a version record: its tag set is the
// record's Tags, the rest its Attrs.
type versionAttrs struct {
	Owner       string                    `json:"o,omitempty"`
	Meta        objectstore.Metadata      `json:"m,omitzero"`
	Checksum    objectstore.Checksum      `json:"c,omitzero"`
	Encryption  objectstore.Encryption    `json:"e,omitzero"`
	Parts       []objectstore.PartInfo    `json:"p,omitempty"`
	Tags        []objectstore.Tag         `json:"-"`
	ACL         *objectstore.ACL          `json:"a,omitempty"`
	Retention   objectstore.Retention     `json:"r,omitzero"`
	LegalHold   bool                      `json:"h,omitempty"`
	Restore     *objectstore.RestoreState `json:"s,omitempty"`
	Replication string                    `json:"rs,omitempty"`
}

func decodeAttrs(v store.ObjectVersion) (versionAttrs, error) {
	var a versionAttrs
	if len(v.Attrs) > 0 {
		if err := json.Unmarshal(v.Attrs, &a); err != nil {
			return a, fmt.Errorf("embedded: version %s of %q: %w", v.VersionID, v.Key, err)
		}
	}
	if len(v.Tags) > 0 {
		if err := json.Unmarshal(v.Tags, &a.Tags); err != nil {
			return a, fmt.Errorf("embedded: tags of version %s of %q: %w", v.VersionID, v.Key, err)
		}
	}
	return a, nil
}

// setAttrs stores a in v's Attrs and Tags.
func setAttrs(v *store.ObjectVersion, a versionAttrs) {
	v.Attrs = mustJSON(a)
	v.Tags = encodeTags(a.Tags)
}

// encodeTags is the Tags of a version record with tag set tags: nil for
// none.
func encodeTags(tags []objectstore.Tag) []byte {
	if len(tags) == 0 {
		return nil
	}
	return mustJSON(tags)
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic("embedded: attrs do not encode: " + err.Error())
	}
	return b
}

// info renders a version record as the contract's ObjectInfo. The version id
// is hidden for buckets that never had versioning, as S3 hides it.
func info(versioning string, v store.ObjectVersion, a versionAttrs) objectstore.ObjectInfo {
	o := objectstore.ObjectInfo{
		Bucket: v.Bucket, Key: v.Key, VersionID: v.VersionID, IsLatest: v.IsLatest, DeleteMarker: v.DeleteMarker,
		Size: v.Size, ETag: v.ETag, LastModified: v.LastModified, StorageClass: v.StorageClass,
		Owner: a.Owner, Metadata: a.Meta, Checksum: a.Checksum, Encryption: a.Encryption, Parts: a.Parts,
		Tags: a.Tags, Retention: a.Retention, LegalHold: a.LegalHold, Restore: a.Restore, ReplicationStatus: a.Replication,
	}
	if versioning == "" {
		o.VersionID = ""
	}
	if a.ACL != nil {
		o.ACL = *a.ACL
	} else if !v.DeleteMarker {
		o.ACL = objectstore.PrivateACL(a.Owner)
	}
	return o
}

// mapErr turns the metadata store's errors into the contract's S3 errors.
func mapErr(err error, bucket, key, versionID string) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, store.ErrNoSuchBucket):
		return objectstore.ErrNoSuchBucket(bucket)
	case errors.Is(err, store.ErrNoSuchKey):
		return objectstore.ErrNoSuchKey(key)
	case errors.Is(err, store.ErrNoSuchVersion):
		return objectstore.ErrNoSuchVersion(key, versionID)
	case errors.Is(err, store.ErrBucketNotEmpty):
		return objectstore.ErrBucketNotEmpty(bucket)
	}
	return err
}
