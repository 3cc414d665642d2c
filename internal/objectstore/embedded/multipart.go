package embedded

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/jobplane/jobplane/internal/objectstore"
	"github.com/jobplane/jobplane/internal/store"
)

// uploadAttrs is the opaque part of an upload record: what the object will
// get when the upload completes.
type uploadAttrs struct {
	Owner        string                 `json:"o,omitempty"`
	Meta         objectstore.Metadata   `json:"m,omitzero"`
	StorageClass string                 `json:"sc,omitempty"`
	Tags         []objectstore.Tag      `json:"t,omitempty"`
	ACL          *objectstore.ACL       `json:"a,omitempty"`
	Encryption   objectstore.Encryption `json:"e,omitzero"`
	Retention    objectstore.Retention  `json:"r,omitzero"`
	LegalHold    bool                   `json:"h,omitempty"`
	Algorithm    string                 `json:"ca,omitempty"`
	ChecksumType string                 `json:"ct,omitempty"`
}

// partAttrs is the opaque part of a part record.
type partAttrs struct {
	Checksum string `json:"c,omitempty"`
	Alg      string `json:"ca,omitempty"`
}

func newUploadID() string {
	var b [48]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

func decodeUpload(u store.ObjectUpload) (objectstore.MultipartUpload, uploadAttrs, error) {
	var a uploadAttrs
	if err := json.Unmarshal(u.Attrs, &a); err != nil {
		return objectstore.MultipartUpload{}, a, fmt.Errorf("embedded: upload %s: %w", u.UploadID, err)
	}
	return objectstore.MultipartUpload{Bucket: u.Bucket, Key: u.Key, UploadID: u.UploadID, Initiated: u.Initiated,
		Owner: a.Owner, StorageClass: a.StorageClass, ChecksumAlgorithm: a.Algorithm, ChecksumType: a.ChecksumType,
		Encryption: a.Encryption}, a, nil
}

// CreateMultipartUpload implements objectstore.Store.
func (s *Store) CreateMultipartUpload(ctx context.Context, in objectstore.CreateMultipartUploadInput) (objectstore.MultipartUpload, error) {
	if err := checkUpload(in.Key, in.Metadata, in.Tags, in.StorageClass); err != nil {
		return objectstore.MultipartUpload{}, err
	}
	if err := objectstore.ValidateACL(in.ACL); err != nil {
		return objectstore.MultipartUpload{}, err
	}
	typ := in.ChecksumType
	if in.ChecksumAlgorithm != "" {
		if !objectstore.SupportedChecksum(in.ChecksumAlgorithm) {
			return objectstore.MultipartUpload{}, objectstore.ErrUnsupportedChecksum(in.ChecksumAlgorithm)
		}
		if typ == "" {
			typ = objectstore.DefaultChecksumType(in.ChecksumAlgorithm)
		}
		if !objectstore.ValidChecksumType(in.ChecksumAlgorithm, typ) {
			return objectstore.MultipartUpload{}, objectstore.ErrInvalidRequest("The " + strings.ToLower(in.ChecksumAlgorithm) +
				" checksum algorithm does not support the " + typ + " checksum type.")
		}
	} else if typ != "" {
		return objectstore.MultipartUpload{}, objectstore.ErrInvalidRequest("The x-amz-checksum-type header can only be used with the x-amz-checksum-algorithm header.")
	}
	b, err := s.HeadBucket(ctx, in.Bucket)
	if err != nil {
		return objectstore.MultipartUpload{}, err
	}
	if err := objectstore.ValidateLock(b, in.Retention, in.LegalHold); err != nil {
		return objectstore.MultipartUpload{}, err
	}
	a := uploadAttrs{Owner: in.Owner, Meta: in.Metadata, StorageClass: objectstore.StorageClassOr(in.StorageClass), Tags: in.Tags,
		ACL: aclFor(in.ACL, in.Owner), Encryption: defaultEncryption(in.Encryption), Retention: in.Retention,
		LegalHold: in.LegalHold, Algorithm: in.ChecksumAlgorithm, ChecksumType: typ}
	attrs, _ := json.Marshal(a)
	u, err := s.meta.CreateUpload(ctx, store.ObjectUpload{Bucket: in.Bucket, Key: in.Key, UploadID: newUploadID(),
		Initiated: s.lastModified(), Attrs: attrs})
	if err != nil {
		return objectstore.MultipartUpload{}, mapErr(err, in.Bucket, in.Key, "")
	}
	mu, _, err := decodeUpload(u)
	return mu, err
}

// getUpload returns an upload in progress, or the S3 error for it.
func (s *Store) getUpload(ctx context.Context, bucket, key, uploadID string) (objectstore.MultipartUpload, uploadAttrs, error) {
	_, u, err := s.meta.GetUpload(ctx, bucket, key, uploadID)
	if err != nil {
		return objectstore.MultipartUpload{}, uploadAttrs{}, uploadErr(err, bucket, key, uploadID)
	}
	return decodeUpload(u)
}

// uploadErr is mapErr for the calls that name an upload: the store's
// ErrNoSuchUpload becomes S3's, naming the upload id.
func uploadErr(err error, bucket, key, uploadID string) error {
	if errors.Is(err, store.ErrNoSuchUpload) {
		return objectstore.ErrNoSuchUpload(uploadID)
	}
	return mapErr(err, bucket, key, "")
}

func checkPartNumber(n int) error {
	if n < 1 || n > objectstore.MaxParts {
		return objectstore.ErrInvalidArgument("Part number must be an integer between 1 and 10000, inclusive", "partNumber", strconv.Itoa(n))
	}
	return nil
}

// UploadPart implements objectstore.Store.
func (s *Store) UploadPart(ctx context.Context, in objectstore.UploadPartInput) (objectstore.PartResult, error) {
	if err := checkPartNumber(in.PartNumber); err != nil {
		return objectstore.PartResult{}, err
	}
	mu, ua, err := s.getUpload(ctx, in.Bucket, in.Key, in.UploadID)
	if err != nil {
		return objectstore.PartResult{}, err
	}
	c := in.Checksum
	if ua.Algorithm != "" && c.Algorithm != "" && c.Algorithm != ua.Algorithm {
		return objectstore.PartResult{}, objectstore.ErrInvalidRequest(fmt.Sprintf(
			"Checksum Type mismatch occurred, expected checksum Type: %s, actual checksum Type: %s",
			strings.ToLower(ua.Algorithm), strings.ToLower(c.Algorithm)))
	}
	if c.Algorithm == "" {
		c.Algorithm = ua.Algorithm
	}
	alg, md5, err := uploadAlgorithm(c)
	if err != nil {
		return objectstore.PartResult{}, err
	}
	w, err := s.files.write(ctx, in.Body, in.Size, objectstore.MaxPutSize, alg)
	if err != nil {
		return objectstore.PartResult{}, err
	}
	defer w.done()
	if err := verify(w, c, md5); err != nil {
		s.files.remove(w.ref)
		return objectstore.PartResult{}, err
	}
	return s.storePart(ctx, in.Bucket, in.Key, mu, in.PartNumber, w)
}

// storePart makes a written part durable and records it.
func (s *Store) storePart(ctx context.Context, bucket, key string, mu objectstore.MultipartUpload, n int, w written) (objectstore.PartResult, error) {
	if err := s.files.durable(ctx, w); err != nil {
		s.files.remove(w.ref)
		return objectstore.PartResult{}, err
	}
	pa := partAttrs{Alg: w.alg}
	if w.checksum != nil {
		pa.Checksum = objectstore.EncodeChecksum(w.checksum)
	}
	attrs, _ := json.Marshal(pa)
	p := store.ObjectUploadPart{Number: n, Size: w.ref.Size, ETag: w.etag(),
		LastModified: s.lastModified(), Data: []store.DataRef{w.ref}, Attrs: attrs}
	garbage, err := s.meta.PutPart(ctx, bucket, key, mu.UploadID, p)
	if err != nil {
		s.files.remove(w.ref)
		return objectstore.PartResult{}, uploadErr(err, bucket, key, mu.UploadID)
	}
	s.files.discard(garbage)
	return objectstore.PartResult{Part: partInfo(p, pa, mu.ChecksumAlgorithm), Upload: mu}, nil
}

// decodePart returns the opaque part of a part record.
func decodePart(p store.ObjectUploadPart) partAttrs {
	var pa partAttrs
	_ = json.Unmarshal(p.Attrs, &pa)
	return pa
}

// partInfo renders a part and its decoded attrs; its checksum shows only in
// the upload's algorithm (the default CRC64NVME of an upload without one
// stays hidden).
func partInfo(p store.ObjectUploadPart, pa partAttrs, uploadAlg string) objectstore.PartInfo {
	out := objectstore.PartInfo{Number: p.Number, Size: p.Size, ETag: p.ETag, LastModified: p.LastModified}
	if uploadAlg != "" && pa.Alg == uploadAlg {
		out.Checksum = objectstore.Checksum{Algorithm: pa.Alg, Type: objectstore.FullObject, Value: pa.Checksum}
	}
	return out
}

// UploadPartCopy implements objectstore.Store.
func (s *Store) UploadPartCopy(ctx context.Context, in objectstore.UploadPartCopyInput) (objectstore.PartResult, error) {
	if err := checkPartNumber(in.PartNumber); err != nil {
		return objectstore.PartResult{}, err
	}
	mu, ua, err := s.getUpload(ctx, in.Bucket, in.Key, in.UploadID)
	if err != nil {
		return objectstore.PartResult{}, err
	}
	src, err := s.openSource(ctx, in.Source, in.SourceConditions, false)
	if err != nil {
		return objectstore.PartResult{}, err
	}
	defer s.release(src)
	rng, err := objectstore.ParseCopySourceRange(in.SourceRange, src.rec.Size)
	if err != nil {
		return objectstore.PartResult{}, err
	}
	off, n := int64(0), src.rec.Size
	if rng != nil {
		off, n = rng.First, rng.Length()
	}
	if n > objectstore.MaxPutSize {
		return objectstore.PartResult{}, objectstore.ErrInvalidRequest("The specified copy source is larger than the maximum allowable size for a copy source: " +
			strconv.Itoa(objectstore.MaxPutSize))
	}
	alg := ua.Algorithm
	if alg == "" {
		alg = objectstore.CRC64NVME
	}
	r := s.files.open(s.files.epochs.begin(), src.rec.Data, off, n)
	w, err := s.files.write(ctx, r, n, objectstore.MaxPutSize, alg)
	r.Close()
	if err != nil {
		return objectstore.PartResult{}, err
	}
	defer w.done()
	res, err := s.storePart(ctx, in.Bucket, in.Key, mu, in.PartNumber, w)
	res.SourceVersionID = src.info.VersionID
	res.SourceLastModified = src.info.LastModified
	return res, err
}

// AbortMultipartUpload implements objectstore.Store.
func (s *Store) AbortMultipartUpload(ctx context.Context, bucket, key, uploadID string) error {
	garbage, err := s.meta.DeleteUpload(ctx, bucket, key, uploadID)
	if err != nil {
		return uploadErr(err, bucket, key, uploadID)
	}
	s.files.discard(garbage)
	return nil
}

// ListParts implements objectstore.Store.
func (s *Store) ListParts(ctx context.Context, in objectstore.ListPartsInput) (objectstore.ListPartsResult, error) {
	mu, _, err := s.getUpload(ctx, in.Bucket, in.Key, in.UploadID)
	if err != nil {
		return objectstore.ListPartsResult{}, err
	}
	res := objectstore.ListPartsResult{Upload: mu}
	if in.MaxParts <= 0 {
		return res, nil
	}
	ps, err := s.meta.ListParts(ctx, in.Bucket, in.Key, in.UploadID, in.PartNumberMarker, in.MaxParts+1)
	if err != nil {
		return res, uploadErr(err, in.Bucket, in.Key, in.UploadID)
	}
	if len(ps) > in.MaxParts {
		ps, res.IsTruncated = ps[:in.MaxParts], true
	}
	for _, p := range ps {
		res.Parts = append(res.Parts, partInfo(p, decodePart(p), mu.ChecksumAlgorithm))
	}
	if len(res.Parts) > 0 {
		res.NextPartNumberMarker = res.Parts[len(res.Parts)-1].Number
	}
	return res, nil
}

// ListMultipartUploads implements objectstore.Store.
func (s *Store) ListMultipartUploads(ctx context.Context, in objectstore.ListUploadsInput) (objectstore.ListUploadsResult, error) {
	var res objectstore.ListUploadsResult
	if _, err := s.HeadBucket(ctx, in.Bucket); err != nil {
		return res, err
	}
	if in.MaxUploads <= 0 {
		return res, nil
	}
	g := &grouper{prefix: in.Prefix, delimiter: in.Delimiter}
	q := store.ObjectUploadQuery{Prefix: in.Prefix, From: in.KeyMarker, FromExclusive: in.KeyMarker != ""}
	if in.UploadIDMarker != "" && in.KeyMarker != "" {
		if _, u, err := s.meta.GetUpload(ctx, in.Bucket, in.KeyMarker, in.UploadIDMarker); err == nil {
			q.AfterSeq, q.FromExclusive = u.Seq, false
		}
	}
	if cp := g.group(in.KeyMarker); cp != "" {
		if q.From = skipTo(cp); q.From == "" {
			return res, nil
		}
		q.FromExclusive, q.AfterSeq = false, 0
	}
	count := 0
	for {
		q.Limit = listPage
		us, err := s.meta.ListUploads(ctx, in.Bucket, q)
		if err != nil {
			return res, mapErr(err, in.Bucket, "", "")
		}
		for _, u := range us {
			if g.inLast(u.Key) {
				continue
			}
			if count == in.MaxUploads {
				res.IsTruncated = true
				return res, nil
			}
			if cp := g.group(u.Key); cp != "" {
				g.last = cp
				res.CommonPrefixes = append(res.CommonPrefixes, cp)
				res.NextKeyMarker, res.NextUploadIDMarker = cp, ""
			} else {
				mu, _, err := decodeUpload(u)
				if err != nil {
					return res, err
				}
				res.Uploads = append(res.Uploads, mu)
				res.NextKeyMarker, res.NextUploadIDMarker = u.Key, u.UploadID
			}
			count++
		}
		if len(us) < listPage {
			return res, nil
		}
		last := us[len(us)-1]
		q.From, q.FromExclusive, q.AfterSeq = last.Key, false, last.Seq
		if g.inLast(last.Key) {
			if q.From = skipTo(g.last); q.From == "" {
				return res, nil
			}
			q.AfterSeq = 0
		}
	}
}
