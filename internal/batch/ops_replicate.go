package batch

import (
	"context"
	"net/http"
	"strings"

	"github.com/jobplane/jobplane/internal/objectstore"
)

// replicateOp is S3ReplicateObject (spec §8.8): each object version is
// replicated as the source bucket's replication configuration says: the
// highest-priority enabled rule whose filter matches it names the
// destination bucket and storage class. The replica keeps the version's
// metadata, tags, ACL, encryption and Object Lock settings; on a store that
// records replication status (embedded), the source version becomes
// COMPLETED (FAILED when the copy fails) and the replica REPLICA. Objects
// no rule covers, and archived objects, fail with SrcObjectNotEligible as
// in real Batch Replication reports.
type replicateOp struct {
	env opEnv
}

func (r *replicateOp) run(ctx context.Context, t *task) outcome {
	b, err := r.env.buckets.get(ctx, t.entry.Bucket)
	if err != nil {
		return failure(ctx, err)
	}
	if b.Replication == nil {
		return notEligible()
	}
	src, err := r.env.objects.HeadObject(ctx, objectstore.GetObjectInput{Bucket: t.entry.Bucket, Key: t.entry.Key, VersionID: t.entry.VersionID})
	if objectstore.Code(err) == objectstore.CodeMethodNotAllowed {
		return r.deleteMarker(ctx, t, b.Replication)
	}
	if err != nil {
		return failure(ctx, err)
	}
	if objectstore.IsArchived(src.StorageClass) {
		return notEligible()
	}
	rule := matchRule(b.Replication, t.entry.Key, src.Tags)
	if rule == nil {
		return notEligible()
	}
	dst, ok := bucketOfARN(rule.Destination.Bucket)
	if !ok {
		return notEligible()
	}
	class := rule.Destination.StorageClass
	if class == "" {
		class = src.StorageClass
	}
	enc := src.Encryption
	in := objectstore.CopyObjectInput{
		Source: objectstore.ObjectRef{Bucket: t.entry.Bucket, Key: t.entry.Key, VersionID: src.VersionID},
		Bucket: dst, Key: t.entry.Key, Owner: ownerOr(src.Owner, r.env.job.key.account),
		MetadataDirective: "COPY", TaggingDirective: "COPY", StorageClass: class, ACL: src.ACL,
		Retention: src.Retention, LegalHold: src.LegalHold,
	}
	if enc.Algorithm != "" {
		in.Encryption = &enc
	}
	res, err := r.env.objects.CopyObject(ctx, in)
	if err != nil {
		if ctx.Err() == nil {
			r.mark(ctx, in.Source, "FAILED")
		}
		// The source was just read: a missing bucket is the destination.
		if objectstore.Code(err) == objectstore.CodeNoSuchBucket {
			return failed(http.StatusNotFound, "DstBucketNotFound", "The destination bucket does not exist")
		}
		return failure(ctx, err)
	}
	r.mark(ctx, in.Source, "COMPLETED")
	r.mark(ctx, objectstore.ObjectRef{Bucket: dst, Key: t.entry.Key, VersionID: res.Object.VersionID}, "REPLICA")
	return succeeded("success")
}

// deleteMarker replicates a delete marker version when the rule says so.
func (r *replicateOp) deleteMarker(ctx context.Context, t *task, cfg *objectstore.ReplicationConfiguration) outcome {
	rule := matchRule(cfg, t.entry.Key, nil)
	if rule == nil || rule.DeleteMarkerReplication != "Enabled" {
		return notEligible()
	}
	dst, ok := bucketOfARN(rule.Destination.Bucket)
	if !ok {
		return notEligible()
	}
	if _, err := r.env.objects.DeleteObject(ctx, objectstore.DeleteObjectInput{Bucket: dst, Key: t.entry.Key, Owner: r.env.job.key.account}); err != nil {
		return failure(ctx, err)
	}
	return succeeded("success")
}

// mark records a replication status where the store can; a store that
// cannot (a remote endpoint sets it itself) is not an error.
func (r *replicateOp) mark(ctx context.Context, ref objectstore.ObjectRef, status string) {
	_, _ = r.env.objects.PutObjectReplicationStatus(ctx, ref, status)
}

// matchRule returns the enabled rule of highest priority whose filter
// matches the key and tags (S3 User Guide, "Replication configuration file
// elements": with several matching rules the highest Priority wins), or nil.
func matchRule(cfg *objectstore.ReplicationConfiguration, key string, tags []objectstore.Tag) *objectstore.ReplicationRule {
	var best *objectstore.ReplicationRule
	for i := range cfg.Rules {
		rule := &cfg.Rules[i]
		if rule.Status != "Enabled" || !ruleMatches(rule, key, tags) {
			continue
		}
		if best == nil || deref(rule.Priority) > deref(best.Priority) {
			best = rule
		}
	}
	return best
}

func ruleMatches(rule *objectstore.ReplicationRule, key string, tags []objectstore.Tag) bool {
	if rule.Prefix != nil {
		return strings.HasPrefix(key, *rule.Prefix)
	}
	f := rule.Filter
	if f == nil {
		return true
	}
	switch {
	case f.And != nil:
		if !strings.HasPrefix(key, deref(f.And.Prefix)) {
			return false
		}
		for _, want := range f.And.Tags {
			if !hasTag(tags, want) {
				return false
			}
		}
		return true
	case f.Tag != nil:
		return hasTag(tags, *f.Tag)
	}
	return strings.HasPrefix(key, deref(f.Prefix))
}

func hasTag(tags []objectstore.Tag, want objectstore.Tag) bool {
	for _, t := range tags {
		if t == want {
			return true
		}
	}
	return false
}
