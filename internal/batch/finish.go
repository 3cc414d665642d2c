package batch

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"

	api "github.com/jobplane/jobplane/internal/api/s3control"
	"github.com/jobplane/jobplane/internal/apierror"
	"github.com/jobplane/jobplane/internal/objectstore"
	"github.com/jobplane/jobplane/internal/provider/s3control"
	"github.com/jobplane/jobplane/internal/store"
)

// terminalOf is where each transitional end status leads.
var terminalOf = map[api.JobStatus]api.JobStatus{
	api.JobStatusCompleting: api.JobStatusComplete,
	api.JobStatusCancelling: api.JobStatusCancelled,
	api.JobStatusFailing:    api.JobStatusFailed,
}

// finishJob ends a job that is Completing, Cancelling or Failing: it writes
// the completion report from the spool, as far as the last checkpoint,
// when the job has one and at least one task ran (spec §9), moves the job
// to Complete, Cancelled or Failed, and removes the job's run record and
// local files. A report that cannot be written fails the job.
func (e *Engine) finishJob(ctx context.Context, key jobKey) runResult {
	res, err := e.finishJobErr(ctx, key)
	switch {
	case ctx.Err() != nil:
		return resultStopped
	case err != nil && isNotFound(err):
		e.cleanup(ctx, key)
		return resultGone
	case err != nil:
		e.log.Error("batch: finishing job (retried shortly)", "job", key.String(), "error", err)
		return resultRetry
	}
	return res
}

func (e *Engine) finishJobErr(ctx context.Context, key jobKey) (runResult, error) {
	j, err := e.load(ctx, key)
	if err != nil {
		return resultGone, err
	}
	if !needsFinish(j.status) {
		if runnable(j.status) {
			return resultRetry, nil
		}
		return resultGone, nil
	}
	run, err := e.runs.ClaimBatchRun(ctx, key.account, key.id, e.node, e.clock.Now(), e.leaseUntil())
	if errors.Is(err, store.ErrBatchRunLeased) {
		return resultRetry, nil
	}
	if err != nil {
		return resultRetry, err
	}
	cp := run.Checkpoint
	if err := e.control.SetProgress(ctx, key.account, key.id, s3control.Progress{
		TotalTasks: max(j.total, cp.Succeeded+cp.Failed), Succeeded: cp.Succeeded, Failed: cp.Failed}); err != nil {
		return resultRetry, err
	}
	status := j.status
	if j.report.enabled && cp.Succeeded+cp.Failed > 0 {
		if err := e.writeReport(ctx, j, cp); err != nil {
			if ctx.Err() != nil || !permanent(err) {
				return resultRetry, err
			}
			if status != api.JobStatusFailing {
				status, err = e.move(ctx, key, status, api.JobStatusFailing, "",
					jobFailure(FailReportWrite, "The completion report could not be written: %v", err))
				if err != nil {
					return resultRetry, err
				}
			}
		}
	}
	to, ok := terminalOf[status]
	if !ok {
		return e.afterMove(ctx, key, status)
	}
	if status, err = e.move(ctx, key, status, to, ""); err != nil {
		return resultRetry, err
	}
	if s3control.Terminal(status) {
		e.cleanup(ctx, key)
		return resultGone, nil
	}
	return e.afterMove(ctx, key, status)
}

// cleanup removes what the engine kept for a job that is over.
func (e *Engine) cleanup(ctx context.Context, key jobKey) {
	if err := e.runs.DeleteBatchRun(context.WithoutCancel(ctx), key.account, key.id); err != nil {
		e.log.Warn("batch: removing a finished job's run record", "job", key.String(), "error", err)
	}
	e.removeFiles(key)
}

// permanent reports whether an error of the object store will not pass by
// itself (a missing bucket, access denied), as opposed to a server error.
func permanent(err error) bool {
	c, ok := apierror.As(err)
	return ok && c.HTTPStatusCode() < 500 && c.ErrorCode() != "SlowDown" && c.ErrorCode() != "RequestTimeout"
}

// isMissingManifest reports whether reading the manifest failed for a
// reason of the manifest itself: gone, changed (its ETag no longer
// matches), or not readable.
func isMissingManifest(err error) bool {
	switch objectstore.Code(err) {
	case objectstore.CodeNoSuchKey, objectstore.CodeNoSuchBucket, objectstore.CodeNoSuchVersion,
		objectstore.CodePreconditionFailed, objectstore.CodeAccessDenied, objectstore.CodeInvalidObjectState:
		return true
	}
	return false
}

// writeReport writes the completion report of the results in the spool up
// to the checkpoint (spec §9).
func (e *Engine) writeReport(ctx context.Context, j *jobSpec, cp store.BatchCheckpoint) error {
	r := j.report
	_, owned, err := e.ownedBucket(ctx, r.bucket, r.expectedOwner)
	if err != nil {
		return err
	}
	if !owned {
		return objectstore.ErrAccessDenied("The report bucket is not owned by the expected bucket owner " + r.expectedOwner + ".")
	}
	spool, err := OpenSpool(e.spoolPath(j.key), cp.SpoolSize)
	if err != nil {
		return objectstore.ErrInvalidRequest("The task results of the job are missing: " + err.Error()) // permanent: the job fails
	}
	defer spool.Close()
	target := ReportTarget{Bucket: r.bucket, Prefix: r.prefix, JobID: j.key.id, FailedOnly: r.failedOnly, CreatedTime: e.clock.Now()}
	return WriteReport(ctx, spool, target, func(ctx context.Context, key string, body []byte) error {
		ct := "text/csv"
		if strings.HasSuffix(key, ".json") {
			ct = "application/json"
		}
		_, err := e.objects.PutObject(ctx, objectstore.PutObjectInput{Bucket: r.bucket, Key: key, Owner: j.key.account,
			Body: bytes.NewReader(body), Size: int64(len(body)), Metadata: objectstore.Metadata{ContentType: ct},
			Encryption: objectstore.Encryption{Algorithm: objectstore.SSES3}})
		if err != nil {
			return fmt.Errorf("writing %s: %w", key, err)
		}
		return nil
	})
}
