package batch

import (
	"context"
	"io"

	api "github.com/jobplane/jobplane/internal/api/s3control"
	"github.com/jobplane/jobplane/internal/apierror"
	"github.com/jobplane/jobplane/internal/objectstore"
	"github.com/jobplane/jobplane/internal/provider/s3control"
)

// maxPrecheckBuckets bounds the buckets whose configuration Prepare checks
// (Object Lock, replication); manifests name a handful in practice.
const maxPrecheckBuckets = 1000

// Prepare implements s3control.Preparer: it checks the report bucket, then
// reads the whole manifest as a stream (or runs the manifest generator),
// validating every row and counting the tasks, and checks what the
// operation needs of the buckets before any task runs (Object Lock for
// legal hold and retention, a replication configuration for replication:
// spec §8.6-8.8). Problems of the job are Failures (the job fails, spec
// §7.2); an error means the decision must wait (the store or the endpoint
// failed).
func (e *Engine) Prepare(ctx context.Context, job *s3control.Job) (s3control.Preparation, error) {
	j, err := parseJob(job)
	if err != nil {
		return fail(jobFailure(FailInvalidManifest, "%v", err)), nil
	}
	if _, err := newOperation(opEnv{objects: e.objects, clock: e.clock, invoker: e.invoker, job: j, buckets: newBucketCache(e.objects, e.clock)}); err != nil {
		return fail(jobFailure(FailInvalidOperation, "%v", err)), nil
	}
	if f, err := e.checkReport(ctx, j); err != nil || f != nil {
		return failOr(f, err)
	}
	var (
		total   int64
		buckets map[string]bool
		prep    s3control.Preparation
	)
	if j.gen != nil {
		var f *api.JobFailure
		total, buckets, prep.GeneratedManifest, f, err = e.generate(ctx, j)
		if err != nil || f != nil {
			return failOr(f, err)
		}
	} else {
		var f *api.JobFailure
		total, buckets, f, err = e.readManifest(ctx, j)
		if err != nil || f != nil {
			return failOr(f, err)
		}
	}
	if f, err := e.precheck(ctx, j, buckets); err != nil || f != nil {
		return failOr(f, err)
	}
	prep.TotalTasks = &total
	return prep, nil
}

func fail(f api.JobFailure) s3control.Preparation {
	return s3control.Preparation{Failures: []api.JobFailure{f}}
}

func failOr(f *api.JobFailure, err error) (s3control.Preparation, error) {
	if err != nil {
		return s3control.Preparation{}, err
	}
	return fail(*f), nil
}

// decide sorts an object store error met while preparing: a problem of the
// job (missing, forbidden, refused: it fails) or of the moment (the store
// or endpoint failed: preparation is retried).
func decide(err error, code, format string, args ...any) (*api.JobFailure, error) {
	if _, ok := apierror.As(err); ok && permanent(err) {
		f := jobFailure(code, format+": %s", append(args, errorText(err))...)
		return &f, nil
	}
	return nil, err
}

// errorText renders an S3 error as "Code: message".
func errorText(err error) string {
	if c, ok := apierror.As(err); ok {
		return c.ErrorCode() + ": " + c.ErrorMessage()
	}
	return err.Error()
}

// checkReport fails a job whose report bucket cannot take the report: it
// does not exist, or is not owned by ExpectedBucketOwner (spec §9).
func (e *Engine) checkReport(ctx context.Context, j *jobSpec) (*api.JobFailure, error) {
	if !j.report.enabled {
		return nil, nil
	}
	_, owned, err := e.ownedBucket(ctx, j.report.bucket, j.report.expectedOwner)
	if err != nil {
		return decide(err, FailReportBucket, "The report bucket %s cannot be used", j.report.bucket)
	}
	if !owned {
		f := jobFailure(FailReportBucket, "The report bucket %s is not owned by the expected bucket owner %s.", j.report.bucket, j.report.expectedOwner)
		return &f, nil
	}
	return nil, nil
}

// ownedBucket reads a bucket a job names and tells whether it is owned by
// expectedOwner: it is when no owner is expected or the store does not
// record owners.
func (e *Engine) ownedBucket(ctx context.Context, name, expectedOwner string) (objectstore.Bucket, bool, error) {
	b, err := e.objects.HeadBucket(ctx, name)
	if err != nil {
		return b, false, err
	}
	return b, expectedOwner == "" || b.Owner == "" || b.Owner == expectedOwner, nil
}

// readManifest checks the manifest object against the job's manifest
// location (ETag, and version when given: spec §7.1) and streams it once,
// validating every row, counting them and collecting the buckets they name.
func (e *Engine) readManifest(ctx context.Context, j *jobSpec) (int64, map[string]bool, *api.JobFailure, error) {
	m, err := manifestOf(j)
	if err != nil {
		f := jobFailure(FailInvalidManifest, "%v", err)
		return 0, nil, &f, nil
	}
	info, err := e.objects.HeadObject(ctx, objectstore.GetObjectInput{Bucket: m.bucket, Key: m.key, VersionID: m.version})
	if err != nil {
		f, err := decide(err, FailInvalidManifest, "Reading the manifest %s/%s failed", m.bucket, m.key)
		return 0, nil, f, err
	}
	if trimETag(info.ETag) != trimETag(m.etag) {
		f := jobFailure(FailInvalidManifest, "ETag mismatch: the manifest %s/%s has ETag %s, the job names %s.",
			m.bucket, m.key, trimETag(info.ETag), trimETag(m.etag))
		return 0, nil, &f, nil
	}
	src, err := e.openSource(ctx, j, 0, 0)
	if err != nil {
		f, err := e.sourceFailure(err)
		return 0, nil, f, err
	}
	defer src.close()
	total, buckets, err := countRows(src)
	if err != nil {
		f, err := e.sourceFailure(err)
		return 0, nil, f, err
	}
	return total, buckets, nil, nil
}

// sourceFailure sorts an error met while reading a manifest.
func (e *Engine) sourceFailure(err error) (*api.JobFailure, error) {
	if f, ok := isManifestFailure(err); ok {
		jf := jobFailure(f.Code, "%s", f.Reason)
		return &jf, nil
	}
	return decide(err, FailInvalidManifest, "Reading the manifest failed")
}

// countRows reads a source to its end, returning the number of entries and
// the buckets they name (at most maxPrecheckBuckets of them).
func countRows(src source) (int64, map[string]bool, error) {
	buckets := map[string]bool{}
	var n int64
	last := ""
	for {
		e, err := src.next()
		if err == io.EOF {
			return n, buckets, nil
		}
		if err != nil {
			return n, nil, err
		}
		n++
		if e.Bucket != last && len(buckets) < maxPrecheckBuckets {
			buckets[e.Bucket] = true
			last = e.Bucket
		}
	}
}

// precheck checks, before any task runs, what the operation needs of the
// buckets its objects are in: Batch Operations checks Object Lock before
// processing any key of a legal hold or retention job (spec §8.6, §8.7),
// and a replication job needs the source bucket's replication
// configuration (§8.8).
func (e *Engine) precheck(ctx context.Context, j *jobSpec, buckets map[string]bool) (*api.JobFailure, error) {
	lock := j.op.S3PutObjectLegalHold != nil || j.op.S3PutObjectRetention != nil
	repl := j.op.S3ReplicateObject != nil
	if !lock && !repl {
		return nil, nil
	}
	for name := range buckets {
		b, err := e.objects.HeadBucket(ctx, name)
		if objectstore.Code(err) == objectstore.CodeNoSuchBucket {
			continue // its tasks fail one by one with NoSuchBucket
		}
		if err != nil {
			return nil, err
		}
		if lock && b.ObjectLock == nil {
			f := jobFailure(FailObjectLock, "Object Lock is not enabled on bucket %s; %s needs it.", name, j.opName)
			return &f, nil
		}
		if repl && b.Replication == nil {
			f := jobFailure(FailReplication, "Bucket %s has no replication configuration; S3ReplicateObject follows it.", name)
			return &f, nil
		}
	}
	return nil, nil
}
