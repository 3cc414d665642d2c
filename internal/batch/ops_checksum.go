package batch

import (
	"context"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash"
	"io"
	"strconv"

	api "github.com/jobplane/jobplane/internal/api/s3control"
	"github.com/jobplane/jobplane/internal/batch/xxhash"
	"github.com/jobplane/jobplane/internal/objectstore"
)

// checksumOp is S3ComputeObjectChecksum (spec §8.9): it reads each object
// and reports its checksum in the result message as the documented JSON
// document. A COMPOSITE checksum of a multipart object is the checksum of
// its parts' checksums followed by "-N", as S3 computes composite
// checksums; for an object uploaded in one part it is the full-object
// checksum [I].
type checksumOp struct {
	env       opEnv
	alg       string
	composite bool
	newHash   func() hash.Hash
}

func newChecksumOp(env opEnv, op *api.S3ComputeObjectChecksumOperation) (operation, error) {
	c := &checksumOp{env: env, alg: string(deref(op.ChecksumAlgorithm)),
		composite: deref(op.ChecksumType) == api.ComputeObjectChecksumTypeCOMPOSITE}
	c.newHash = hashOf(c.alg)
	if c.newHash == nil {
		return nil, fmt.Errorf("batch: job %s: unknown checksum algorithm %q", env.job.key, c.alg)
	}
	return c, nil
}

// hashOf returns the constructor of a checksum algorithm of the model's
// ComputeObjectChecksumAlgorithm, or nil.
func hashOf(alg string) func() hash.Hash {
	switch alg {
	case "MD5":
		return md5.New
	case "SHA1":
		return sha1.New
	case "SHA256":
		return sha256.New
	case "SHA512":
		return sha512.New
	case "XXHASH64":
		return func() hash.Hash { return xxhash.New64() }
	case "XXHASH3":
		return func() hash.Hash { return xxhash.New3() }
	case "XXHASH128":
		return func() hash.Hash { return xxhash.New128() }
	case objectstore.CRC32, objectstore.CRC32C, objectstore.CRC64NVME:
		return func() hash.Hash { return objectstore.NewHash(alg) }
	}
	return nil
}

// checksumResult is the ResultMessage of a computed checksum, members in
// the documented order.
type checksumResult struct {
	Base64    string `json:"checksum_base64"`
	ETag      string `json:"etag"`
	Algorithm string `json:"checksumAlgorithm"`
	Type      string `json:"checksumType"`
	Hex       string `json:"checksum_hex"`
}

func (c *checksumOp) run(ctx context.Context, t *task) outcome {
	// The checksum is of the data at rest: archived objects need no
	// restore where the store can read them as stored (spec §8.9).
	get := c.env.objects.GetObject
	if r, ok := c.env.objects.(objectstore.AtRestReader); ok {
		get = r.GetObjectAtRest
	}
	obj, err := get(ctx, objectstore.GetObjectInput{Bucket: t.entry.Bucket, Key: t.entry.Key, VersionID: t.entry.VersionID})
	if err != nil {
		return checksumFailure(ctx, err)
	}
	defer obj.Body.Close()
	raw, parts, err := c.compute(obj)
	if err != nil {
		return checksumFailure(ctx, err)
	}
	res := checksumResult{Base64: base64.StdEncoding.EncodeToString(raw), ETag: trimETag(obj.Info.ETag),
		Algorithm: c.alg, Type: string(api.ComputeObjectChecksumTypeFULLOBJECT), Hex: hex.EncodeToString(raw)}
	if c.composite {
		res.Type = string(api.ComputeObjectChecksumTypeCOMPOSITE)
		if parts > 0 {
			res.Base64 += "-" + strconv.Itoa(parts)
			res.Hex += "-" + strconv.Itoa(parts)
		}
	}
	msg, _ := json.Marshal(res) // a struct of strings always encodes
	return succeeded(string(msg))
}

// compute hashes the object: whole, or part by part for a composite
// checksum of a multipart object (parts is then their number, else 0).
func (c *checksumOp) compute(obj *objectstore.Object) (raw []byte, parts int, err error) {
	if !c.composite || len(obj.Info.Parts) == 0 {
		h := c.newHash()
		if _, err := io.Copy(h, obj.Body); err != nil {
			return nil, 0, err
		}
		return h.Sum(nil), 0, nil
	}
	outer := c.newHash()
	for _, p := range obj.Info.Parts {
		h := c.newHash()
		if _, err := io.CopyN(h, obj.Body, p.Size); err != nil {
			return nil, 0, err
		}
		outer.Write(h.Sum(nil))
	}
	return outer.Sum(nil), len(obj.Info.Parts), nil
}

// checksumFailure writes a failed checksum task's message as the
// operation's documentation shows it: error details as JSON.
func checksumFailure(ctx context.Context, err error) outcome {
	o := failure(ctx, err)
	if o.abandon {
		return o
	}
	doc, _ := json.Marshal(struct {
		Message string `json:"failureMessage"`
		Code    string `json:"errorCode"`
	}{o.msg, strconv.Itoa(o.status)})
	o.msg = "error details: " + string(doc)
	return o
}
