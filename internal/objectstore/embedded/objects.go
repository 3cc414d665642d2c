package embedded

import (
	"bytes"
	"context"
	"errors"
	"sync"
	"time"

	"github.com/jobplane/jobplane/internal/objectstore"
	"github.com/jobplane/jobplane/internal/store"
)

// checkUpload validates what PutObject, CopyObject and
// CreateMultipartUpload take before any byte arrives.
func checkUpload(key string, m objectstore.Metadata, tags []objectstore.Tag, class string) error {
	if err := objectstore.ValidateKey(key); err != nil {
		return err
	}
	if err := objectstore.ValidateMetadata(m); err != nil {
		return err
	}
	if err := objectstore.ValidateObjectTags(tags); err != nil {
		return err
	}
	return objectstore.ValidateStorageClass(class)
}

// uploadAlgorithm resolves the checksum algorithm of an upload: the one the
// client named, else CRC64NVME, which S3 computes for every new object
// (Amazon S3 User Guide, "Checking object integrity": default checksums).
func uploadAlgorithm(c objectstore.UploadChecksum) (string, []byte, error) {
	alg := c.Algorithm
	if alg == "" {
		alg = objectstore.CRC64NVME
	}
	if !objectstore.SupportedChecksum(alg) {
		return "", nil, objectstore.ErrUnsupportedChecksum(alg)
	}
	if c.Value != "" && !objectstore.ValidChecksumValue(alg, c.Value) {
		return "", nil, objectstore.ErrInvalidChecksumValue(alg)
	}
	var md5 []byte
	if c.ContentMD5 != "" {
		var err error
		if md5, err = objectstore.DecodeContentMD5(c.ContentMD5); err != nil {
			return "", nil, err
		}
	}
	return alg, md5, nil
}

// verify compares what was received with what the client said it sent.
func verify(w written, c objectstore.UploadChecksum, md5 []byte) error {
	if md5 != nil && !bytes.Equal(md5, w.md5) {
		return objectstore.ErrBadDigest("Content-MD5")
	}
	want := c.Value
	if want == "" && c.Trailing != nil {
		want = c.Trailing()
		if want != "" && !objectstore.ValidChecksumValue(w.alg, want) {
			return objectstore.ErrInvalidChecksumValue(w.alg)
		}
	}
	if want != "" && want != objectstore.EncodeChecksum(w.checksum) {
		return objectstore.ErrBadDigest(w.alg)
	}
	return nil
}

// defaultEncryption is what S3 applies to objects uploaded without
// encryption settings since January 2023: SSE-S3.
func defaultEncryption(e objectstore.Encryption) objectstore.Encryption {
	if e.Algorithm == "" {
		return objectstore.Encryption{Algorithm: objectstore.SSES3}
	}
	return e
}

// aclFor keeps an ACL only when it differs from the owner-only default,
// so that most versions store none.
func aclFor(acl objectstore.ACL, owner string) *objectstore.ACL {
	if acl.Owner.ID == "" && len(acl.Grants) == 0 {
		return nil
	}
	if acl.Owner.ID == "" {
		acl.Owner = objectstore.OwnerOf(owner)
	}
	return &acl
}

// lockBucket decodes what the callbacks of uploads and object updates need
// from a bucket record: its Object Lock settings. Most buckets have none,
// and decoding a bucket on every request would cost more than the rest of
// the callback, so only those with a lock configuration are decoded.
func lockBucket(b *store.ObjectBucket) (objectstore.Bucket, error) {
	if !bytes.Contains(b.Attrs, []byte(`"lock"`)) {
		return objectstore.Bucket{Name: b.Name, Owner: b.Owner, Versioning: b.Versioning}, nil
	}
	bucket, _, err := decodeBucket(*b)
	return bucket, err
}

// prepareVersion is the common part of every PutVersion callback: conditional
// writes, the version id the bucket's versioning gives, Object Lock settings
// and the bucket's default retention.
func (s *Store) prepareVersion(b *store.ObjectBucket, cur *store.ObjectVersion, v *store.ObjectVersion, a *versionAttrs,
	ifMatch, ifNoneMatch string) error {
	bucket, err := lockBucket(b)
	if err != nil {
		return err
	}
	if ifMatch != "" || ifNoneMatch != "" {
		var ci *objectstore.ObjectInfo
		if cur != nil {
			// CheckWrite reads only these: no need to render the whole version.
			ci = &objectstore.ObjectInfo{ETag: cur.ETag, DeleteMarker: cur.DeleteMarker}
		}
		if err := objectstore.CheckWrite(ifMatch, ifNoneMatch, ci, v.Key); err != nil {
			return err
		}
	}
	if err := objectstore.ValidateLock(bucket, a.Retention, a.LegalHold); err != nil {
		return err
	}
	if a.Retention.Mode == "" && bucket.ObjectLock != nil && bucket.ObjectLock.DefaultRetention != nil {
		d := bucket.ObjectLock.DefaultRetention
		a.Retention = objectstore.Retention{Mode: d.Mode, RetainUntil: d.Until(v.LastModified)}
	}
	if b.Versioning == objectstore.VersioningEnabled {
		v.VersionID = newVersionID()
	} else {
		v.VersionID = objectstore.NullVersion
	}
	setAttrs(v, *a)
	return nil
}

// PutObject implements objectstore.Store.
func (s *Store) PutObject(ctx context.Context, in objectstore.PutObjectInput) (objectstore.ObjectInfo, error) {
	if err := checkUpload(in.Key, in.Metadata, in.Tags, in.StorageClass); err != nil {
		return objectstore.ObjectInfo{}, err
	}
	if err := objectstore.ValidateACL(in.ACL); err != nil {
		return objectstore.ObjectInfo{}, err
	}
	alg, md5, err := uploadAlgorithm(in.Checksum)
	if err != nil {
		return objectstore.ObjectInfo{}, err
	}
	// The bucket is checked before the body is read, as S3 answers
	// NoSuchBucket without taking the upload.
	b, err := s.HeadBucket(ctx, in.Bucket)
	if err != nil {
		return objectstore.ObjectInfo{}, err
	}
	if err := objectstore.ValidateLock(b, in.Retention, in.LegalHold); err != nil {
		return objectstore.ObjectInfo{}, err
	}
	w, err := s.files.write(ctx, in.Body, in.Size, objectstore.MaxPutSize, alg)
	if err != nil {
		return objectstore.ObjectInfo{}, err
	}
	defer w.done()
	if err := verify(w, in.Checksum, md5); err != nil {
		s.files.remove(w.ref)
		return objectstore.ObjectInfo{}, err
	}
	a := versionAttrs{
		Owner: in.Owner, Meta: in.Metadata, Encryption: defaultEncryption(in.Encryption), Tags: in.Tags,
		ACL: aclFor(in.ACL, in.Owner), Retention: in.Retention, LegalHold: in.LegalHold,
		Checksum: objectstore.Checksum{Algorithm: alg, Type: objectstore.FullObject, Value: objectstore.EncodeChecksum(w.checksum)},
	}
	rec := store.ObjectVersion{Bucket: in.Bucket, Key: in.Key, Size: w.ref.Size, ETag: w.etag(),
		LastModified: s.lastModified(), StorageClass: objectstore.StorageClassOr(in.StorageClass), Data: []store.DataRef{w.ref}}
	return s.commitVersion(ctx, rec, a, in.IfMatch, in.IfNoneMatch, w)
}

// commitVersion makes the version's data (ws) durable and then the version
// visible; on failure its data is removed.
func (s *Store) commitVersion(ctx context.Context, rec store.ObjectVersion, a versionAttrs, ifMatch, ifNoneMatch string, ws ...written) (objectstore.ObjectInfo, error) {
	if err := s.files.durable(ctx, ws...); err != nil {
		s.files.remove(rec.Data...)
		return objectstore.ObjectInfo{}, err
	}
	var (
		bucket store.ObjectBucket
		va     versionAttrs
	)
	v, garbage, err := s.meta.PutVersion(ctx, rec, func(b *store.ObjectBucket, cur *store.ObjectVersion, v *store.ObjectVersion) error {
		bucket, va = *b, a
		return s.prepareVersion(b, cur, v, &va, ifMatch, ifNoneMatch)
	})
	if err != nil {
		s.files.remove(rec.Data...)
		return objectstore.ObjectInfo{}, mapErr(err, rec.Bucket, rec.Key, "")
	}
	s.files.discard(garbage)
	return info(bucket.Versioning, v, va), nil
}

// lookup reads a version for GetObject, HeadObject and the copy sources, and
// applies the rules they share: delete markers and version ids.
func (s *Store) lookup(ctx context.Context, bucket, key, versionID string) (objectstore.Bucket, store.ObjectVersion, versionAttrs, error) {
	if versionID != "" && !validVersionID(versionID) {
		return objectstore.Bucket{}, store.ObjectVersion{}, versionAttrs{}, objectstore.ErrInvalidVersionID(versionID)
	}
	if len(key) > objectstore.MaxKeyLength {
		return objectstore.Bucket{}, store.ObjectVersion{}, versionAttrs{}, objectstore.ErrKeyTooLong(key)
	}
	// The bucket's versioning state only decides whether version ids show:
	// the cached bucket is good enough for that.
	b, err := s.HeadBucket(ctx, bucket)
	if err != nil {
		return b, store.ObjectVersion{}, versionAttrs{}, err
	}
	v, err := s.meta.GetVersion(ctx, bucket, key, versionID)
	if err != nil {
		return b, v, versionAttrs{}, mapErr(err, bucket, key, versionID)
	}
	if v.DeleteMarker {
		vid := v.VersionID
		if b.Versioning == "" {
			vid = ""
		}
		if versionID == "" {
			return b, v, versionAttrs{}, objectstore.ErrNoSuchKeyDeleteMarker(key, vid)
		}
		return b, v, versionAttrs{}, objectstore.ErrDeleteMarkerVersion(vid)
	}
	a, err := decodeAttrs(v)
	return b, v, a, err
}

// resolve applies a read's conditions, archive state (when archiveCheck),
// part number and range.
func (s *Store) resolve(in objectstore.GetObjectInput, oi objectstore.ObjectInfo, archiveCheck bool) (*objectstore.ByteRange, error) {
	if err := in.Conditions.Check(oi.ETag, oi.LastModified); err != nil {
		return nil, err
	}
	if archiveCheck && objectstore.IsArchived(oi.StorageClass) && !oi.Restore.Readable(s.now()) {
		return nil, objectstore.ErrInvalidObjectState(oi.StorageClass, "The operation is not valid for the object's storage class")
	}
	if in.PartNumber > 0 {
		parts := oi.Parts
		if len(parts) == 0 {
			parts = []objectstore.PartInfo{{Number: 1, Size: oi.Size}}
		}
		if in.PartNumber > len(parts) {
			return nil, objectstore.ErrInvalidPartNumber(in.PartNumber, len(parts))
		}
		var off int64
		for _, p := range parts[:in.PartNumber-1] {
			off += p.Size
		}
		size := parts[in.PartNumber-1].Size
		if size == 0 {
			return nil, nil
		}
		return &objectstore.ByteRange{First: off, Last: off + size - 1, Size: oi.Size}, nil
	}
	return objectstore.ParseRange(in.Range, oi.Size)
}

// GetObject implements objectstore.Store.
func (s *Store) GetObject(ctx context.Context, in objectstore.GetObjectInput) (*objectstore.Object, error) {
	return s.getObject(ctx, in, true)
}

var _ objectstore.AtRestReader = (*Store)(nil)

// GetObjectAtRest implements objectstore.AtRestReader.
func (s *Store) GetObjectAtRest(ctx context.Context, in objectstore.GetObjectInput) (*objectstore.Object, error) {
	return s.getObject(ctx, in, false)
}

// getObject reads an object; archiveCheck refuses archived versions that
// are not restored, as S3's GetObject does.
func (s *Store) getObject(ctx context.Context, in objectstore.GetObjectInput, archiveCheck bool) (*objectstore.Object, error) {
	epoch := s.files.epochs.begin()
	b, v, a, err := s.lookup(ctx, in.Bucket, in.Key, in.VersionID)
	if err != nil {
		s.files.epochs.end(epoch)
		return nil, err
	}
	oi := info(b.Versioning, v, a)
	rng, err := s.resolve(in, oi, archiveCheck)
	if err != nil {
		s.files.epochs.end(epoch)
		return nil, err
	}
	off, n := int64(0), v.Size
	if rng != nil {
		off, n = rng.First, rng.Length()
	}
	return &objectstore.Object{Info: oi, Body: s.files.open(epoch, v.Data, off, n), Range: rng, PartNumber: in.PartNumber}, nil
}

// HeadObject implements objectstore.Store.
func (s *Store) HeadObject(ctx context.Context, in objectstore.GetObjectInput) (objectstore.ObjectInfo, error) {
	b, v, a, err := s.lookup(ctx, in.Bucket, in.Key, in.VersionID)
	if err != nil {
		return objectstore.ObjectInfo{}, err
	}
	oi := info(b.Versioning, v, a)
	_, err = s.resolve(in, oi, false)
	return oi, err
}

// errUnversioned tells DeleteObject that the bucket never had versioning.
var errUnversioned = errors.New("embedded: bucket is unversioned")

// DeleteObject implements objectstore.Store.
func (s *Store) DeleteObject(ctx context.Context, in objectstore.DeleteObjectInput) (objectstore.DeleteResult, error) {
	if err := objectstore.ValidateKey(in.Key); err != nil {
		return objectstore.DeleteResult{}, err
	}
	if in.VersionID != "" {
		return s.deleteVersion(ctx, in)
	}
	if b, err := s.HeadBucket(ctx, in.Bucket); err != nil {
		return objectstore.DeleteResult{}, err
	} else if b.Versioning == "" {
		return s.deleteNull(ctx, in)
	}
	owner := in.Owner
	marker := store.ObjectVersion{Bucket: in.Bucket, Key: in.Key, DeleteMarker: true, LastModified: s.lastModified(),
		StorageClass: objectstore.StorageStandard}
	v, garbage, err := s.meta.PutVersion(ctx, marker, func(b *store.ObjectBucket, cur *store.ObjectVersion, v *store.ObjectVersion) error {
		switch b.Versioning {
		case "":
			return errUnversioned
		case objectstore.VersioningEnabled:
			v.VersionID = newVersionID()
		default:
			v.VersionID = objectstore.NullVersion
		}
		setAttrs(v, versionAttrs{Owner: owner})
		return nil
	})
	if errors.Is(err, errUnversioned) {
		return s.deleteNull(ctx, in)
	}
	if err != nil {
		return objectstore.DeleteResult{}, mapErr(err, in.Bucket, in.Key, "")
	}
	s.files.discard(garbage)
	return objectstore.DeleteResult{Key: in.Key, VersionID: v.VersionID, DeleteMarker: true}, nil
}

// deleteNull is a delete in a bucket that never had versioning: it holds
// only null versions, and removing the key's is the delete.
func (s *Store) deleteNull(ctx context.Context, in objectstore.DeleteObjectInput) (objectstore.DeleteResult, error) {
	old, err := s.meta.DeleteVersion(ctx, in.Bucket, in.Key, objectstore.NullVersion, nil)
	if err != nil && !errors.Is(err, store.ErrNoSuchVersion) {
		return objectstore.DeleteResult{}, mapErr(err, in.Bucket, in.Key, "")
	}
	s.files.discard(old.Data)
	return objectstore.DeleteResult{Key: in.Key}, nil
}

// deleteVersion removes one version for good, unless Object Lock protects it.
func (s *Store) deleteVersion(ctx context.Context, in objectstore.DeleteObjectInput) (objectstore.DeleteResult, error) {
	if !validVersionID(in.VersionID) {
		return objectstore.DeleteResult{}, objectstore.ErrInvalidVersionID(in.VersionID)
	}
	now := s.now()
	old, err := s.meta.DeleteVersion(ctx, in.Bucket, in.Key, in.VersionID, func(b *store.ObjectBucket, v *store.ObjectVersion) error {
		if v.DeleteMarker {
			return nil
		}
		a, err := decodeAttrs(*v)
		if err != nil {
			return err
		}
		return checkLockedDelete(a, now, in.BypassGovernance)
	})
	switch {
	case errors.Is(err, store.ErrNoSuchVersion):
		// S3 answers a delete of a version that does not exist with 204.
		return objectstore.DeleteResult{Key: in.Key, VersionID: in.VersionID}, nil
	case err != nil:
		return objectstore.DeleteResult{}, mapErr(err, in.Bucket, in.Key, in.VersionID)
	}
	s.files.discard(old.Data)
	return objectstore.DeleteResult{Key: in.Key, VersionID: in.VersionID, DeleteMarker: old.DeleteMarker}, nil
}

// checkLockedDelete applies Object Lock to the permanent delete of a version
// (Amazon S3 User Guide, "How S3 Object Lock works").
func checkLockedDelete(a versionAttrs, now time.Time, bypass bool) error {
	const msg = "Access Denied because object protected by object lock."
	if a.LegalHold {
		return objectstore.ErrAccessDenied(msg)
	}
	if a.Retention.Active(now) && (a.Retention.Mode == objectstore.LockCompliance || !bypass) {
		return objectstore.ErrAccessDenied(msg)
	}
	return nil
}

// DeleteObjects implements objectstore.Store.
func (s *Store) DeleteObjects(ctx context.Context, bucket string, objects []objectstore.ObjectRef, bypass bool, owner string) ([]objectstore.DeleteResult, error) {
	if _, err := s.HeadBucket(ctx, bucket); err != nil {
		return nil, err
	}
	// The deletes run side by side so that the store's group commit makes
	// them durable together.
	out := make([]objectstore.DeleteResult, len(objects))
	errs := make([]error, len(objects))
	var wg sync.WaitGroup
	sem := make(chan struct{}, 32)
	for i, o := range objects {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			r, err := s.DeleteObject(ctx, objectstore.DeleteObjectInput{Bucket: bucket, Key: o.Key, VersionID: o.VersionID,
				BypassGovernance: bypass, Owner: owner})
			if err != nil && objectstore.Code(err) != "" {
				r, err = objectstore.DeleteResult{Key: o.Key, VersionID: o.VersionID, Err: err}, nil
			}
			out[i], errs[i] = r, err
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return out, nil
}
