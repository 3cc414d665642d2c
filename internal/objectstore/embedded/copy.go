package embedded

import (
	"context"
	"strconv"

	"github.com/jobplane/jobplane/internal/objectstore"
	"github.com/jobplane/jobplane/internal/store"
)

// copySource is a version opened as the source of a copy. While it is held,
// its files are safe from being freed (it owns a reader epoch).
type copySource struct {
	epoch uint64
	rec   store.ObjectVersion
	info  objectstore.ObjectInfo
}

// openSource looks up a copy source and applies the rules every copy shares:
// conditions, the 5 GiB limit and archived storage classes (Amazon S3 API
// Reference, CopyObject and UploadPartCopy). The caller MUST call release.
func (s *Store) openSource(ctx context.Context, ref objectstore.ObjectRef, cond objectstore.Conditions, whole bool) (*copySource, error) {
	epoch := s.files.epochs.begin()
	b, v, a, err := s.lookup(ctx, ref.Bucket, ref.Key, ref.VersionID)
	if err != nil {
		s.files.epochs.end(epoch)
		return nil, err
	}
	src := &copySource{epoch: epoch, rec: v, info: info(b.Versioning, v, a)}
	if err := cond.CheckCopy(src.info.ETag, src.info.LastModified); err != nil {
		s.release(src)
		return nil, err
	}
	if whole && v.Size > objectstore.MaxPutSize {
		s.release(src)
		return nil, objectstore.ErrInvalidRequest("The specified copy source is larger than the maximum allowable size for a copy source: " +
			strconv.Itoa(objectstore.MaxPutSize))
	}
	if objectstore.IsArchived(v.StorageClass) && !a.Restore.Readable(s.now()) {
		s.release(src)
		return nil, objectstore.ErrObjectNotInActiveTier()
	}
	return src, nil
}

func (s *Store) release(src *copySource) { s.files.epochs.end(src.epoch) }

// CopyObject implements objectstore.Store.
func (s *Store) CopyObject(ctx context.Context, in objectstore.CopyObjectInput) (objectstore.CopyResult, error) {
	replaceMeta := in.MetadataDirective == "REPLACE"
	replaceTags := in.TaggingDirective == "REPLACE"
	if err := checkUpload(in.Key, in.Metadata, in.Tags, in.StorageClass); err != nil {
		return objectstore.CopyResult{}, err
	}
	if err := objectstore.ValidateACL(in.ACL); err != nil {
		return objectstore.CopyResult{}, err
	}
	if in.ChecksumAlgorithm != "" && !objectstore.SupportedChecksum(in.ChecksumAlgorithm) {
		return objectstore.CopyResult{}, objectstore.ErrUnsupportedChecksum(in.ChecksumAlgorithm)
	}
	dst, err := s.HeadBucket(ctx, in.Bucket)
	if err != nil {
		return objectstore.CopyResult{}, err
	}
	if err := objectstore.ValidateLock(dst, in.Retention, in.LegalHold); err != nil {
		return objectstore.CopyResult{}, err
	}
	src, err := s.openSource(ctx, in.Source, in.SourceConditions, true)
	if err != nil {
		return objectstore.CopyResult{}, err
	}
	defer s.release(src)
	si := src.info
	if in.Source.Bucket == in.Bucket && in.Source.Key == in.Key && !replaceMeta && in.StorageClass == "" &&
		in.Encryption == nil && in.ChecksumAlgorithm == "" {
		return objectstore.CopyResult{}, objectstore.ErrInvalidRequest("This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.")
	}

	a := versionAttrs{Owner: in.Owner, Meta: si.Metadata, Tags: si.Tags, ACL: aclFor(in.ACL, in.Owner),
		Retention: in.Retention, LegalHold: in.LegalHold, Encryption: objectstore.Encryption{Algorithm: objectstore.SSES3},
		Checksum: si.Checksum, Parts: si.Parts}
	if replaceMeta {
		a.Meta = in.Metadata
	}
	if replaceTags {
		a.Tags = in.Tags
	}
	if in.Encryption != nil {
		a.Encryption = *in.Encryption
	}
	rec := store.ObjectVersion{Bucket: in.Bucket, Key: in.Key, Size: si.Size, ETag: si.ETag, LastModified: s.lastModified(),
		StorageClass: objectstore.StorageClassOr(in.StorageClass)}
	var ws []written

	if alg := in.ChecksumAlgorithm; alg != "" && alg != si.Checksum.Algorithm {
		// A new algorithm needs the bytes: they are copied, and the copy is
		// a single-part object with a full-object checksum.
		r := s.files.open(s.files.epochs.begin(), src.rec.Data, 0, src.rec.Size)
		w, err := s.files.write(ctx, r, src.rec.Size, objectstore.MaxPutSize, alg)
		r.Close()
		if err != nil {
			return objectstore.CopyResult{}, err
		}
		defer w.done()
		ws = append(ws, w)
		rec.Data = []store.DataRef{w.ref}
		rec.ETag = w.etag()
		a.Parts = nil
		a.Checksum = objectstore.Checksum{Algorithm: alg, Type: objectstore.FullObject, Value: objectstore.EncodeChecksum(w.checksum)}
	} else {
		for _, ref := range src.rec.Data {
			l, err := s.files.link(ctx, ref)
			if err != nil {
				s.files.remove(rec.Data...)
				return objectstore.CopyResult{}, err
			}
			defer l.done()
			ws = append(ws, l)
			rec.Data = append(rec.Data, l.ref)
		}
	}
	oi, err := s.commitVersion(ctx, rec, a, "", "", ws...)
	if err != nil {
		return objectstore.CopyResult{}, err
	}
	return objectstore.CopyResult{Object: oi, SourceVersionID: si.VersionID}, nil
}
