package batch

import (
	"bufio"
	"context"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"

	api "github.com/jobplane/jobplane/internal/api/s3control"
	"github.com/jobplane/jobplane/internal/objectstore"
)

// generate runs a job's manifest generator (spec §7.3): it lists the source
// bucket, keeps the objects every filter of the job accepts, and writes
// them to the job's local object list (read by the run like a CSV
// manifest) and, with EnableManifestOutput, as an S3InventoryReport_CSV_20211130
// manifest to the output location (generate_output.go). It is idempotent:
// a second run rewrites the same files.
func (e *Engine) generate(ctx context.Context, j *jobSpec) (int64, map[string]bool, *api.S3GeneratedManifestDescriptor, *api.JobFailure, error) {
	g := j.gen
	src, ok := bucketOfARN(deref(g.SourceBucket))
	if !ok {
		f := jobFailure(FailManifestGenerator, "SourceBucket %q is not a bucket ARN.", deref(g.SourceBucket))
		return 0, nil, nil, &f, nil
	}
	owner := deref(g.ExpectedBucketOwner)
	b, owned, err := e.ownedBucket(ctx, src, owner)
	if err != nil {
		f, err := decide(err, FailManifestGenerator, "Listing the source bucket %s failed", src)
		return 0, nil, nil, f, err
	}
	if !owned {
		f := jobFailure(FailManifestGenerator, "The source bucket %s is not owned by the expected bucket owner %s.", src, owner)
		return 0, nil, nil, &f, nil
	}
	var out *manifestOutput
	if deref(g.EnableManifestOutput) {
		var f *api.JobFailure
		if out, f, err = e.newManifestOutput(ctx, j, src); err != nil || f != nil {
			return 0, nil, nil, f, err
		}
		defer out.discard()
	}
	filter := newGenFilter(e, j, b)

	if err := os.MkdirAll(e.jobDir(j.key), 0o755); err != nil {
		return 0, nil, nil, nil, err
	}
	path := e.generatedPath(j.key)
	tmp, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".*")
	if err != nil {
		return 0, nil, nil, nil, err
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	w := bufio.NewWriterSize(tmp, 256<<10)
	var total int64
	err = e.listSource(ctx, b, j.op.S3ReplicateObject != nil, func(o objectstore.ObjectInfo) error {
		keep, err := filter.accept(ctx, &o)
		if err != nil || !keep {
			return err
		}
		total++
		key := url.QueryEscape(o.Key)
		w.WriteString(src + "," + key + "," + o.VersionID + "\n")
		if out != nil {
			return out.add(src, key, o.VersionID)
		}
		return nil
	})
	if err != nil {
		f, err := decide(err, FailManifestGenerator, "Listing the source bucket %s failed", src)
		return 0, nil, nil, f, err
	}
	if err := w.Flush(); err != nil {
		return 0, nil, nil, nil, err
	}
	if err := tmp.Sync(); err != nil {
		return 0, nil, nil, nil, err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return 0, nil, nil, nil, err
	}
	var desc *api.S3GeneratedManifestDescriptor
	if out != nil {
		if desc, err = out.finish(ctx, total); err != nil {
			f, err := decide(err, FailManifestOutput, "Writing the generated manifest failed")
			return 0, nil, nil, f, err
		}
	}
	return total, map[string]bool{src: true}, desc, nil, nil
}

// listSource lists a bucket's objects in key order: for a versioned bucket
// the current version of each key with its version id (every version that
// is not a delete marker for a replication job, which replicates versions:
// spec §8.8), for an unversioned bucket every object.
func (e *Engine) listSource(ctx context.Context, b objectstore.Bucket, allVersions bool, fn func(objectstore.ObjectInfo) error) error {
	const page = 1000
	if b.Versioning == "" {
		after := ""
		for {
			res, err := e.objects.ListObjects(ctx, objectstore.ListObjectsInput{Bucket: b.Name, StartAfter: after, MaxKeys: page})
			if err != nil {
				return err
			}
			for _, o := range res.Objects {
				if err := fn(o); err != nil {
					return err
				}
			}
			if !res.IsTruncated || res.Next == "" {
				return nil
			}
			after = res.Next
		}
	}
	in := objectstore.ListVersionsInput{Bucket: b.Name, MaxKeys: page}
	for {
		res, err := e.objects.ListObjectVersions(ctx, in)
		if err != nil {
			return err
		}
		for _, o := range res.Versions {
			if o.DeleteMarker || !o.IsLatest && !allVersions {
				continue
			}
			if err := fn(o); err != nil {
				return err
			}
		}
		if !res.IsTruncated {
			return nil
		}
		in.KeyMarker, in.VersionIDMarker = res.NextKeyMarker, res.NextVersionIDMarker
	}
}

// genFilter applies JobManifestGeneratorFilter (spec §7.3): every criterion
// given must hold; within a list, any element may match.
type genFilter struct {
	e      *Engine
	f      api.JobManifestGeneratorFilter
	bucket objectstore.Bucket
	// details says the listing's view of an object is not enough: tags,
	// encryption or replication status are read with HeadObject.
	details bool
}

func newGenFilter(e *Engine, j *jobSpec, b objectstore.Bucket) *genFilter {
	f := deref(j.gen.Filter)
	gf := &genFilter{e: e, f: f, bucket: b}
	gf.details = deref(f.EligibleForReplication) || len(f.ObjectReplicationStatuses) > 0 || len(f.MatchAnyObjectEncryption) > 0
	return gf
}

func (g *genFilter) accept(ctx context.Context, o *objectstore.ObjectInfo) (bool, error) {
	f := &g.f
	if f.CreatedAfter != nil && !o.LastModified.After(*f.CreatedAfter) {
		return false, nil
	}
	if f.CreatedBefore != nil && !o.LastModified.Before(*f.CreatedBefore) {
		return false, nil
	}
	if f.ObjectSizeGreaterThanBytes != nil && !(o.Size > *f.ObjectSizeGreaterThanBytes) {
		return false, nil
	}
	if f.ObjectSizeLessThanBytes != nil && !(o.Size < *f.ObjectSizeLessThanBytes) {
		return false, nil
	}
	if k := f.KeyNameConstraint; k != nil {
		if !matchAny(k.MatchAnyPrefix, o.Key, strings.HasPrefix) || !matchAny(k.MatchAnySuffix, o.Key, strings.HasSuffix) ||
			!matchAny(k.MatchAnySubstring, o.Key, strings.Contains) {
			return false, nil
		}
	}
	if len(f.MatchAnyStorageClass) > 0 && !slices.Contains(f.MatchAnyStorageClass, api.S3StorageClass(objectstore.StorageClassOr(o.StorageClass))) {
		return false, nil
	}
	if !g.details {
		return true, nil
	}
	full, err := g.e.objects.HeadObject(ctx, objectstore.GetObjectInput{Bucket: o.Bucket, Key: o.Key, VersionID: o.VersionID})
	if objectstore.Code(err) == objectstore.CodeNoSuchKey || objectstore.Code(err) == objectstore.CodeNoSuchVersion {
		return false, nil // deleted since it was listed
	}
	if err != nil {
		return false, err
	}
	if len(f.ObjectReplicationStatuses) > 0 {
		status := api.ReplicationStatus(full.ReplicationStatus)
		if status == "" {
			status = api.ReplicationStatusNONE
		}
		if !slices.Contains(f.ObjectReplicationStatuses, status) {
			return false, nil
		}
	}
	if len(f.MatchAnyObjectEncryption) > 0 && !slices.ContainsFunc(f.MatchAnyObjectEncryption, func(m api.ObjectEncryptionFilter) bool {
		return encryptionMatches(m, full.Encryption)
	}) {
		return false, nil
	}
	if deref(f.EligibleForReplication) && !eligible(g.bucket, full) {
		return false, nil
	}
	return true, nil
}

// matchAny reports whether key matches one of the patterns (true when there
// are none).
func matchAny(patterns []string, key string, match func(s, p string) bool) bool {
	if len(patterns) == 0 {
		return true
	}
	for _, p := range patterns {
		if match(key, p) {
			return true
		}
	}
	return false
}

// encryptionMatches applies one ObjectEncryptionFilter: SSE-S3, SSE-KMS
// (with its key and Bucket Key setting when given), DSSE-KMS, or NOT-SSE.
// jobplane records no SSE-C objects, so an SSE-C filter matches none.
func encryptionMatches(m api.ObjectEncryptionFilter, enc objectstore.Encryption) bool {
	switch {
	case m.SSES3 != nil:
		return enc.Algorithm == objectstore.SSES3
	case m.SSEKMS != nil:
		if enc.Algorithm != objectstore.SSEKMS {
			return false
		}
		if k := deref(m.SSEKMS.KmsKeyArn); k != "" && k != enc.KMSKeyID {
			return false
		}
		return m.SSEKMS.BucketKeyEnabled == nil || *m.SSEKMS.BucketKeyEnabled == enc.BucketKeyEnabled
	case m.DSSEKMS != nil:
		if enc.Algorithm != objectstore.SSEKMSDSS {
			return false
		}
		k := deref(m.DSSEKMS.KmsKeyArn)
		return k == "" || k == enc.KMSKeyID
	case m.NOTSSE != nil:
		return enc.Algorithm == ""
	}
	return false
}

// eligible reports whether the bucket's replication configuration covers an
// object: an enabled rule matches it and it is not archived.
func eligible(b objectstore.Bucket, o objectstore.ObjectInfo) bool {
	if b.Replication == nil || objectstore.IsArchived(o.StorageClass) {
		return false
	}
	return matchRule(b.Replication, o.Key, o.Tags) != nil
}
