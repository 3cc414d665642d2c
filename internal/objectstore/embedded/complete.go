package embedded

import (
	"context"
	"strconv"
	"time"

	"github.com/jobplane/jobplane/internal/objectstore"
	"github.com/jobplane/jobplane/internal/store"
)

// CompleteMultipartUpload implements objectstore.Store. The parts' files
// become the object's data as they are: completing copies no byte.
func (s *Store) CompleteMultipartUpload(ctx context.Context, in objectstore.CompleteMultipartUploadInput) (objectstore.ObjectInfo, error) {
	if len(in.Parts) == 0 {
		return objectstore.ObjectInfo{}, objectstore.ErrMalformedXML()
	}
	for i, p := range in.Parts {
		if err := checkPartNumber(p.Number); err != nil {
			return objectstore.ObjectInfo{}, err
		}
		if i > 0 && p.Number <= in.Parts[i-1].Number {
			return objectstore.ObjectInfo{}, objectstore.ErrInvalidPartOrder()
		}
	}
	var (
		bucket store.ObjectBucket
		attrs  versionAttrs
	)
	lm := s.lastModified()
	v, garbage, err := s.meta.CompleteUpload(ctx, in.Bucket, in.Key, in.UploadID,
		func(b *store.ObjectBucket, u store.ObjectUpload, parts []store.ObjectUploadPart, cur *store.ObjectVersion) (*store.ObjectVersion, error) {
			bucket = *b
			_, ua, err := decodeUpload(u)
			if err != nil {
				return nil, err
			}
			rec, a, err := assemble(in, ua, parts, lm)
			if err != nil {
				return nil, err
			}
			rec.Bucket, rec.Key = in.Bucket, in.Key
			if err := s.prepareVersion(b, cur, rec, &a, in.IfMatch, in.IfNoneMatch); err != nil {
				return nil, err
			}
			attrs = a
			return rec, nil
		})
	if err != nil {
		return objectstore.ObjectInfo{}, uploadErr(err, in.Bucket, in.Key, in.UploadID)
	}
	s.files.discard(garbage)
	return info(bucket.Versioning, v, attrs), nil
}

// assemble checks a completion's part list against the uploaded parts and
// builds the object version: the listed parts' data in order, the multipart
// ETag, and the checksum of the upload's algorithm and type (Amazon S3 User
// Guide, "Checking object integrity": composite and full-object checksums).
func assemble(in objectstore.CompleteMultipartUploadInput, ua uploadAttrs, parts []store.ObjectUploadPart, lm time.Time) (*store.ObjectVersion, versionAttrs, error) {
	byNum := make(map[int]store.ObjectUploadPart, len(parts))
	for _, p := range parts {
		byNum[p.Number] = p
	}
	rec := &store.ObjectVersion{StorageClass: ua.StorageClass}
	var (
		etags, sums []string
		sizes       []int64
		infos       []objectstore.PartInfo
		sumAlg      = ua.Algorithm
	)
	for i, lp := range in.Parts {
		p, ok := byNum[lp.Number]
		if !ok || !objectstore.ETagMatches(lp.ETag, p.ETag) || lp.ETag == "" {
			return nil, versionAttrs{}, objectstore.ErrInvalidPart(lp.Number, lp.ETag)
		}
		pa := decodePart(p)
		if ua.Algorithm != "" {
			if lp.Checksum == "" && ua.ChecksumType == objectstore.Composite {
				return nil, versionAttrs{}, objectstore.ErrInvalidRequest("The upload was created using a " +
					ua.Algorithm + " checksum. The complete request must include the checksum for each part. It was missing for part " +
					strconv.Itoa(lp.Number) + " in the request.")
			}
			if lp.Checksum != "" && lp.Checksum != pa.Checksum {
				return nil, versionAttrs{}, objectstore.ErrInvalidPart(lp.Number, lp.ETag)
			}
		}
		if i < len(in.Parts)-1 && p.Size < objectstore.MinPartSize {
			return nil, versionAttrs{}, objectstore.ErrEntityTooSmall(p.Size)
		}
		if pa.Alg != sumAlg && sumAlg == "" && i == 0 {
			sumAlg = pa.Alg // the default CRC64NVME of an upload without an algorithm
		}
		if pa.Alg != sumAlg {
			sumAlg = "-" // mixed: no object checksum
		}
		etags = append(etags, p.ETag)
		sums = append(sums, pa.Checksum)
		sizes = append(sizes, p.Size)
		rec.Size += p.Size
		rec.Data = append(rec.Data, p.Data...)
		// Every part of an upload with an algorithm has that algorithm
		// (UploadPart refuses another), so each keeps its checksum.
		infos = append(infos, partInfo(p, pa, ua.Algorithm))
	}
	if in.ObjectSize >= 0 && in.ObjectSize != rec.Size {
		return nil, versionAttrs{}, objectstore.ErrInvalidRequest("The provided 'x-amz-mp-object-size' header value " +
			strconv.FormatInt(in.ObjectSize, 10) + " does not match what was computed: " + strconv.FormatInt(rec.Size, 10))
	}
	if in.ChecksumType != "" && ua.Algorithm != "" && in.ChecksumType != ua.ChecksumType {
		return nil, versionAttrs{}, objectstore.ErrInvalidRequest("The upload was created using the " + ua.ChecksumType +
			" checksum mode. The complete request must use the same checksum mode.")
	}
	rec.ETag = objectstore.MultipartETag(etags)
	a := versionAttrs{Owner: ua.Owner, Meta: ua.Meta, Tags: ua.Tags, ACL: ua.ACL, Encryption: ua.Encryption,
		Retention: ua.Retention, LegalHold: ua.LegalHold, Parts: infos}
	typ := ua.ChecksumType
	if ua.Algorithm == "" {
		typ = objectstore.FullObject
	}
	if sumAlg != "" && sumAlg != "-" {
		var (
			value string
			ok    bool
		)
		if typ == objectstore.Composite {
			value, ok = objectstore.CompositeChecksum(sumAlg, sums)
		} else {
			value, ok = objectstore.CombineCRC(sumAlg, sums, sizes)
		}
		if ok {
			a.Checksum = objectstore.Checksum{Algorithm: sumAlg, Type: typ, Value: value}
		}
	}
	if in.Checksum != "" && ua.Algorithm != "" && in.Checksum != a.Checksum.Value {
		return nil, versionAttrs{}, objectstore.ErrBadDigest(ua.Algorithm)
	}
	rec.LastModified = lm
	return rec, a, nil
}
