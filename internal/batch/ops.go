package batch

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"time"

	api "github.com/jobplane/jobplane/internal/api/s3control"
	"github.com/jobplane/jobplane/internal/batch/lambda"
	"github.com/jobplane/jobplane/internal/batch/manifest"
	"github.com/jobplane/jobplane/internal/clock"
	"github.com/jobplane/jobplane/internal/objectstore"
)

// task is one manifest row to run.
type task struct {
	row   int64
	pos   int64 // the manifest position after this row
	entry manifest.Entry
}

func (t *task) ref() objectstore.ObjectRef {
	return objectstore.ObjectRef{Bucket: t.entry.Bucket, Key: t.entry.Key, VersionID: t.entry.VersionID}
}

// operation performs one kind of task: one call of the underlying S3 or
// Lambda API for one manifest entry (spec §8).
type operation interface {
	run(ctx context.Context, t *task) outcome
}

// batchOperation is an operation that can perform many tasks at once, as
// one store write (objectstore.BatchUpdater).
type batchOperation interface {
	operation
	// runBatch performs tasks with bu, the job's store, and returns their
	// outcomes in order.
	runBatch(ctx context.Context, bu objectstore.BatchUpdater, ts []*task) []outcome
}

// opEnv is what operations act with.
type opEnv struct {
	objects objectstore.Store
	clock   clock.Clock
	invoker lambda.Invoker
	job     *jobSpec
	buckets *bucketCache
	// resumed tells that a run stopped before this one (a restart, a lost
	// lease) with tasks in flight: some rows may already have been acted
	// on once.
	resumed bool
}

// opError is an operation the engine cannot run as the job describes it:
// the job fails (spec §5.1: Failed "for job-level failures").
type opError struct{ msg string }

func (e *opError) Error() string { return e.msg }

// FailInvalidOperation is the failure code of a job whose operation cannot
// run [I].
const FailInvalidOperation = "InvalidOperation"

// newOperation builds the operation of a job.
func newOperation(env opEnv) (operation, error) {
	op, err := buildOperation(env)
	if err != nil {
		return nil, &opError{err.Error()}
	}
	return op, nil
}

func buildOperation(env opEnv) (operation, error) {
	op := env.job.op
	switch {
	case op.S3PutObjectTagging != nil:
		return &changeOp{env: env, change: objectstore.ObjectChange{SetTags: true, Tags: tagsOf(op.S3PutObjectTagging.TagSet)}}, nil
	case op.S3DeleteObjectTagging != nil:
		return &changeOp{env: env, change: objectstore.ObjectChange{SetTags: true}}, nil
	case op.S3PutObjectAcl != nil:
		return newACLOp(env, op.S3PutObjectAcl)
	case op.S3PutObjectLegalHold != nil:
		on := deref(deref(op.S3PutObjectLegalHold.LegalHold).Status) == api.S3ObjectLockLegalHoldStatusON
		return funcOp(func(ctx context.Context, t *task) error {
			_, err := env.objects.PutObjectLegalHold(ctx, t.ref(), on)
			return err
		}), nil
	case op.S3PutObjectRetention != nil:
		r := deref(op.S3PutObjectRetention.Retention)
		ret := objectstore.Retention{Mode: string(deref(r.Mode)), RetainUntil: deref(r.RetainUntilDate)}
		bypass := deref(op.S3PutObjectRetention.BypassGovernanceRetention)
		return funcOp(func(ctx context.Context, t *task) error {
			_, err := env.objects.PutObjectRetention(ctx, t.ref(), ret, bypass)
			return err
		}), nil
	case op.S3InitiateRestoreObject != nil:
		return newRestoreOp(env, op.S3InitiateRestoreObject), nil
	case op.S3UpdateObjectEncryption != nil:
		kms := deref(deref(op.S3UpdateObjectEncryption.ObjectEncryption).SSEKMS)
		enc := objectstore.Encryption{Algorithm: objectstore.SSEKMS, KMSKeyID: deref(kms.KMSKeyArn), BucketKeyEnabled: deref(kms.BucketKeyEnabled)}
		return funcOp(func(ctx context.Context, t *task) error {
			_, err := env.objects.UpdateObjectEncryption(ctx, t.ref(), enc)
			return err
		}), nil
	case op.S3PutObjectCopy != nil:
		return newCopyOp(env, op.S3PutObjectCopy)
	case op.S3ReplicateObject != nil:
		return &replicateOp{env: env}, nil
	case op.S3ComputeObjectChecksum != nil:
		return newChecksumOp(env, op.S3ComputeObjectChecksum)
	case op.LambdaInvoke != nil:
		return newLambdaOp(env, op.LambdaInvoke)
	}
	return nil, fmt.Errorf("batch: job %s: no operation the engine knows", env.job.key)
}

// funcOp is an operation that is one store call whose success is
// "Successful".
type funcOp func(ctx context.Context, t *task) error

func (f funcOp) run(ctx context.Context, t *task) outcome {
	if err := f(ctx, t); err != nil {
		return failure(ctx, err)
	}
	return succeeded("")
}

// changeOp replaces the tag set (S3PutObjectTagging, S3DeleteObjectTagging)
// or the ACL (S3PutObjectAcl) of each object: one call per object, or, on
// a store that can batch, one write per group of objects of a bucket.
type changeOp struct {
	env    opEnv
	change objectstore.ObjectChange
	// acl, when set, builds the ACL of an object in a bucket (canned ACLs
	// depend on the bucket's owner).
	acl func(ctx context.Context, bucket string) (objectstore.ACL, error)
}

func (c *changeOp) changeFor(ctx context.Context, bucket string) (objectstore.ObjectChange, error) {
	ch := c.change
	if c.acl != nil {
		acl, err := c.acl(ctx, bucket)
		if err != nil {
			return ch, err
		}
		ch.ACL = &acl
	}
	return ch, nil
}

func (c *changeOp) run(ctx context.Context, t *task) outcome {
	ch, err := c.changeFor(ctx, t.entry.Bucket)
	if err != nil {
		return failure(ctx, err)
	}
	switch {
	case ch.ACL != nil:
		_, err = c.env.objects.PutObjectACL(ctx, t.ref(), *ch.ACL)
	default:
		_, err = c.env.objects.PutObjectTagging(ctx, t.ref(), ch.Tags)
	}
	if err != nil {
		return failure(ctx, err)
	}
	return succeeded("")
}

func (c *changeOp) runBatch(ctx context.Context, bu objectstore.BatchUpdater, ts []*task) []outcome {
	out := make([]outcome, len(ts))
	// Group the tasks by bucket, keeping each group's order.
	groups := map[string][]int{}
	var order []string
	for i, t := range ts {
		if _, seen := groups[t.entry.Bucket]; !seen {
			order = append(order, t.entry.Bucket)
		}
		groups[t.entry.Bucket] = append(groups[t.entry.Bucket], i)
	}
	for _, bucket := range order {
		idx := groups[bucket]
		ch, err := c.changeFor(ctx, bucket)
		if err != nil {
			for _, i := range idx {
				out[i] = failure(ctx, err)
			}
			continue
		}
		refs := make([]objectstore.ObjectRef, len(idx))
		for j, i := range idx {
			refs[j] = ts[i].ref()
		}
		errs, err := bu.UpdateObjects(ctx, bucket, refs, ch)
		for j, i := range idx {
			switch {
			case err != nil:
				out[i] = failure(ctx, err)
			case errs[j] != nil:
				out[i] = failure(ctx, errs[j])
			default:
				out[i] = succeeded("")
			}
		}
	}
	return out
}

func tagsOf(in []api.S3Tag) []objectstore.Tag {
	out := make([]objectstore.Tag, len(in))
	for i, t := range in {
		out[i] = objectstore.Tag{Key: deref(t.Key), Value: deref(t.Value)}
	}
	return out
}

// newACLOp builds S3PutObjectAcl: a canned ACL (expanded per bucket, as it
// names the bucket owner) or an explicit list of grants (spec §8.4).
func newACLOp(env opEnv, op *api.S3SetObjectAclOperation) (operation, error) {
	p := deref(op.AccessControlPolicy)
	c := &changeOp{env: env}
	account := env.job.key.account
	switch {
	case p.CannedAccessControlList != nil:
		name := string(*p.CannedAccessControlList)
		if cp, ok := env.objects.(objectstore.CannedACLPutter); ok {
			// A remote endpoint expands canned ACLs with its own owner ids.
			return funcOp(func(ctx context.Context, t *task) error { return cp.PutObjectCannedACL(ctx, t.ref(), name) }), nil
		}
		c.acl = func(ctx context.Context, bucket string) (objectstore.ACL, error) {
			b, err := env.buckets.get(ctx, bucket)
			if err != nil {
				return objectstore.ACL{}, err
			}
			acl, ok := objectstore.CannedACL(name, account, ownerOr(b.Owner, account))
			if !ok {
				return acl, objectstore.ErrInvalidArgument("The canned ACL is not valid.", "x-amz-acl", name)
			}
			return acl, nil
		}
	case p.AccessControlList != nil:
		acl := aclOf(p.AccessControlList)
		c.acl = func(context.Context, string) (objectstore.ACL, error) { return acl, nil }
	default:
		return nil, fmt.Errorf("batch: job %s: S3PutObjectAcl without an access control policy", env.job.key)
	}
	return c, nil
}

func ownerOr(owner, fallback string) string {
	if owner == "" {
		return fallback
	}
	return owner
}

// aclOf converts the S3 Control model's ACL to the store's.
func aclOf(l *api.S3AccessControlList) objectstore.ACL {
	acl := objectstore.ACL{}
	if o := l.Owner; o != nil {
		acl.Owner = objectstore.Owner{ID: deref(o.ID), DisplayName: deref(o.DisplayName)}
	}
	acl.Grants = grantsOf(l.Grants)
	return acl
}

func grantsOf(in []api.S3Grant) []objectstore.Grant {
	out := make([]objectstore.Grant, 0, len(in))
	for _, g := range in {
		ge := deref(g.Grantee)
		var grantee objectstore.Grantee
		switch deref(ge.TypeIdentifier) {
		case api.S3GranteeTypeIdentifierId:
			grantee = objectstore.Grantee{Type: objectstore.GranteeCanonicalUser, ID: deref(ge.Identifier), DisplayName: deref(ge.DisplayName)}
		case api.S3GranteeTypeIdentifierUri:
			grantee = objectstore.Grantee{Type: objectstore.GranteeGroup, URI: deref(ge.Identifier)}
		case api.S3GranteeTypeIdentifierEmailAddress:
			grantee = objectstore.Grantee{Type: objectstore.GranteeEmail, EmailAddress: deref(ge.Identifier)}
		}
		out = append(out, objectstore.Grant{Grantee: grantee, Permission: string(deref(g.Permission))})
	}
	return out
}

// restoreOp is S3InitiateRestoreObject (spec §8.5): the task succeeds once
// the restore is initiated (or the restored copy's expiry moved); the job
// does not wait for restores to finish. The store applies the rules of
// ExpirationInDays and of overlapping restores.
type restoreOp struct {
	env  opEnv
	days int
	tier string
}

func newRestoreOp(env opEnv, op *api.S3InitiateRestoreObjectOperation) *restoreOp {
	r := &restoreOp{env: env, days: int(deref(op.ExpirationInDays))}
	switch deref(op.GlacierJobTier) {
	case api.S3GlacierJobTierBULK:
		r.tier = objectstore.TierBulk
	case api.S3GlacierJobTierSTANDARD:
		r.tier = objectstore.TierStandard
	}
	return r
}

func (r *restoreOp) run(ctx context.Context, t *task) outcome {
	if r.days < 1 {
		// ExpirationInDays may be omitted only for Intelligent-Tiering
		// archive tiers; GLACIER and DEEP_ARCHIVE objects need it (spec
		// §8.5). Checked here so that every store answers as S3 does.
		oi, err := r.env.objects.HeadObject(ctx, objectstore.GetObjectInput{Bucket: t.entry.Bucket, Key: t.entry.Key, VersionID: t.entry.VersionID})
		if err != nil {
			return failure(ctx, err)
		}
		if objectstore.IsArchived(oi.StorageClass) {
			return failure(ctx, objectstore.ValidateRestore(oi.StorageClass, r.days, r.tier))
		}
	}
	_, err := r.env.objects.RestoreObject(ctx, objectstore.RestoreObjectInput{ObjectRef: t.ref(), Days: r.days, Tier: r.tier})
	if objectstore.Code(err) == objectstore.CodeRestoreAlreadyInProgress && r.env.resumed && r.startedByThisJob(ctx, t) {
		return succeeded("")
	}
	if err != nil {
		return failure(ctx, err)
	}
	return succeeded("")
}

// startedByThisJob tells whether the restore in progress of a task's
// object is the one this job initiated before a restart stopped it, its
// success unrecorded: a restore of the same days and tier, requested after
// the job was created (as far as the store tells; a remote endpoint tells
// only that a restore is in progress). Running the task again must not
// turn that success into a failure.
func (r *restoreOp) startedByThisJob(ctx context.Context, t *task) bool {
	oi, err := r.env.objects.HeadObject(ctx, objectstore.GetObjectInput{Bucket: t.entry.Bucket, Key: t.entry.Key, VersionID: t.entry.VersionID})
	if err != nil || oi.Restore == nil {
		return false
	}
	rs := oi.Restore
	tier := r.tier
	if tier == "" {
		tier = objectstore.TierStandard
	}
	return (rs.Tier == "" || rs.Tier == tier) && (rs.Days == 0 || rs.Days == r.days) &&
		(rs.RequestedAt.IsZero() || !rs.RequestedAt.Before(r.env.job.created))
}

// bucketCache keeps the buckets a job reads (owners for canned ACLs,
// replication configurations) for a short while, so that a job of millions
// of objects reads each bucket a few times, not once per object.
type bucketCache struct {
	objects objectstore.Store
	clock   clock.Clock
	mu      sync.Mutex
	m       map[string]cachedBucket
}

type cachedBucket struct {
	b   objectstore.Bucket
	err error
	at  time.Time
}

// bucketTTL bounds how stale a bucket's configuration may be for a job.
const bucketTTL = 10 * time.Second

func newBucketCache(objects objectstore.Store, c clock.Clock) *bucketCache {
	return &bucketCache{objects: objects, clock: c, m: map[string]cachedBucket{}}
}

func (c *bucketCache) get(ctx context.Context, name string) (objectstore.Bucket, error) {
	now := c.clock.Now()
	c.mu.Lock()
	e, ok := c.m[name]
	c.mu.Unlock()
	if ok && now.Sub(e.at) < bucketTTL {
		return e.b, e.err
	}
	b, err := c.objects.HeadBucket(ctx, name)
	if ctx.Err() != nil {
		return b, err // not worth remembering
	}
	if err != nil && objectstore.Code(err) != objectstore.CodeNoSuchBucket {
		return b, err // transient: ask again next time
	}
	c.mu.Lock()
	c.m[name] = cachedBucket{b: b, err: err, at: now}
	c.mu.Unlock()
	return b, err
}

// notEligible is the outcome of a replication task the configuration does
// not cover, as real reports write it (spec §8.8, §9).
func notEligible() outcome {
	return failed(http.StatusInternalServerError, "SrcObjectNotEligible", "Object is not eligible for replication")
}
