package batch

import (
	"context"
	"errors"
	"fmt"
	"time"

	api "github.com/jobplane/jobplane/internal/api/s3control"
	"github.com/jobplane/jobplane/internal/provider/s3control"
	"github.com/jobplane/jobplane/internal/store"
)

// Failure codes of job-level failures the engine decides. AWS publishes
// only InvalidManifestContent (spec §7.2, §12); the others are jobplane's
// [I] and listed in docs/batch.md.
const (
	FailInvalidManifest   = "InvalidManifest"
	FailReportBucket      = "InvalidReportBucket"
	FailReportWrite       = "ReportWriteFailure"
	FailThreshold         = "TaskFailureThresholdExceeded"
	FailObjectLock        = "ObjectLockConfigurationNotFoundError"
	FailReplication       = "ReplicationConfigurationNotFoundError"
	FailManifestGenerator = "ManifestGeneratorFailure"
	FailManifestOutput    = "ManifestOutputFailure"
	FailResultsLost       = "ResultsLost"
)

// jobFailure builds a FailureReasons entry; reasons are 1 to 256
// characters (the model's JobFailure).
func jobFailure(code, format string, args ...any) api.JobFailure {
	reason := fmt.Sprintf(format, args...)
	if len(reason) > 256 {
		reason = reason[:253] + "..."
	}
	if reason == "" {
		reason = code
	}
	return api.JobFailure{FailureCode: ptr(code), FailureReason: ptr(reason)}
}

// load reads a job as it is now.
func (e *Engine) load(ctx context.Context, key jobKey) (*jobSpec, error) {
	j, err := e.control.Job(ctx, key.account, key.id)
	if err != nil {
		return nil, err
	}
	return parseJob(j)
}

func isNotFound(err error) bool {
	var nf *api.NotFoundException
	return errors.As(err, &nf)
}

// move takes a job along an engine edge and returns its status afterwards:
// the new one, or, when someone else moved the job first, the one it is in
// now.
func (e *Engine) move(ctx context.Context, key jobKey, from, to api.JobStatus, reason string, fails ...api.JobFailure) (api.JobStatus, error) {
	_, err := e.control.Transition(ctx, key.account, key.id, s3control.Transition{From: from, To: to, Reason: reason, FailureReasons: fails})
	if err == nil {
		return to, nil
	}
	if !errors.Is(err, s3control.ErrStatusChanged) {
		return from, err
	}
	j, lerr := e.load(ctx, key)
	if lerr != nil {
		return from, lerr
	}
	return j.status, nil
}

// activate moves a job to Active from where the store has it (Ready,
// Paused, or Pausing left by a crash). It returns the status the job ends
// in: Active, or what someone else made of it meanwhile.
func (e *Engine) activate(ctx context.Context, key jobKey, status api.JobStatus) (api.JobStatus, error) {
	for range 10 {
		var err error
		switch status {
		case api.JobStatusActive:
			return status, nil
		case api.JobStatusReady, api.JobStatusPaused:
			status, err = e.move(ctx, key, status, api.JobStatusActive, "")
		case api.JobStatusPausing:
			status, err = e.move(ctx, key, status, api.JobStatusPaused, "")
		default:
			return status, nil
		}
		if err != nil {
			return status, err
		}
	}
	return status, fmt.Errorf("batch: job %s keeps changing status", key)
}

// pause takes a job from Active or Pausing to Paused and returns the
// status it ends in. It takes each edge at most once: if someone else
// moved the job meanwhile, it leaves the job where they put it.
func (e *Engine) pause(ctx context.Context, key jobKey, status api.JobStatus) (api.JobStatus, error) {
	var err error
	if status == api.JobStatusActive {
		if status, err = e.move(ctx, key, status, api.JobStatusPausing, ""); err != nil {
			return status, err
		}
	}
	if status == api.JobStatusPausing {
		status, err = e.move(ctx, key, status, api.JobStatusPaused, "")
	}
	return status, err
}

// storePaused moves a job that waits for a place, but that the store shows
// Active or Pausing (a restart left it so), to Paused, and returns the
// status it ends in (see pause).
func (e *Engine) storePaused(ctx context.Context, key jobKey, status api.JobStatus) api.JobStatus {
	status, err := e.pause(ctx, key, status)
	if err != nil && ctx.Err() == nil && !isNotFound(err) {
		e.log.Error("batch: pausing a waiting job", "job", key.String(), "error", err)
	}
	return status
}

// runJob runs a job that got a place until it ends, pauses, or the engine
// stops. hard ends at shutdown; soft's cause says why the run should stop
// early (pause, cancel, shutdown).
func (e *Engine) runJob(hard, soft context.Context, key jobKey) runResult {
	res, err := e.runJobErr(hard, soft, key)
	if err != nil && hard.Err() == nil {
		if isNotFound(err) {
			return resultGone
		}
		e.log.Error("batch: running job (retried shortly)", "job", key.String(), "error", err)
		return resultRetry
	}
	if hard.Err() != nil && res != resultGone {
		return resultStopped
	}
	return res
}

func (e *Engine) runJobErr(hard, soft context.Context, key jobKey) (runResult, error) {
	j, err := e.load(hard, key)
	if err != nil {
		return resultGone, err
	}
	switch {
	case needsFinish(j.status):
		return e.finishJob(hard, key), nil
	case !runnable(j.status):
		return resultGone, nil
	}
	// A job the store shows Active was left so by a run that stopped (a
	// restart, a lost lease): the last change to its run record is the
	// last moment anything ran it.
	var stoppedAt time.Time
	if j.status == api.JobStatusActive {
		prev, err := e.runs.GetBatchRun(hard, key.account, key.id)
		if err != nil && !errors.Is(err, store.ErrBatchRunNotFound) {
			return resultRetry, err
		}
		stoppedAt = prev.UpdatedAt
	}
	run, err := e.runs.ClaimBatchRun(hard, key.account, key.id, e.node, e.clock.Now(), e.leaseUntil())
	if errors.Is(err, store.ErrBatchRunLeased) {
		return resultRetry, nil
	}
	if err != nil {
		return resultRetry, err
	}
	if context.Cause(soft) == errPause {
		// Paused before it started: a job a restart left Active must not
		// stay Active while it waits.
		e.storePaused(hard, key, j.status)
		return resultPaused, nil
	}
	status, err := e.activate(hard, key, j.status)
	if err != nil {
		return resultRetry, err
	}
	if status != api.JobStatusActive {
		if needsFinish(status) {
			return e.finishJob(hard, key), nil
		}
		return resultGone, nil
	}
	if j.status == api.JobStatusActive {
		// Active time counts what ran, not the time nothing did.
		err := e.control.ResumeActive(hard, key.account, key.id, stoppedAt)
		if err != nil && !errors.Is(err, s3control.ErrStatusChanged) {
			return resultRetry, err
		}
	}
	soft, stop := context.WithCancelCause(soft)
	defer stop(nil)
	x, err := e.newExecution(soft, stop, j, run.Checkpoint, j.status == api.JobStatusActive)
	if f, ok := executionFailure(err); ok {
		status, err := e.move(hard, key, api.JobStatusActive, api.JobStatusFailing, "", f)
		if err != nil {
			return resultRetry, err
		}
		return e.afterMove(hard, key, status)
	}
	if err != nil {
		return resultRetry, err
	}
	status = api.JobStatusActive
	x.stopping = func(cause error) {
		var err error
		switch {
		case errors.Is(cause, errPause):
			status, err = e.move(hard, key, api.JobStatusActive, api.JobStatusPausing, "")
		case errors.Is(cause, errThreshold):
			status, err = e.move(hard, key, api.JobStatusActive, api.JobStatusFailing, thresholdReason, x.thresholdFailure())
		}
		if err != nil && hard.Err() == nil {
			e.log.Error("batch: stopping job", "job", key.String(), "error", err)
		}
	}
	runErr := x.run(hard)
	if err := x.close(); err != nil && runErr == nil {
		runErr = err
	}
	if hard.Err() != nil {
		return resultStopped, nil
	}
	return e.afterRun(hard, x, status, runErr)
}

// executionFailure returns the FailureReasons entry of a job whose
// execution cannot be set up for a reason that will not pass (an
// operation the engine cannot run, results lost); ok is false for any
// other error.
func executionFailure(err error) (f api.JobFailure, ok bool) {
	var oe *opError
	switch {
	case errors.As(err, &oe):
		return jobFailure(FailInvalidOperation, "%s", oe.msg), true
	case errors.Is(err, ErrSpoolLost):
		// The results of the tasks that ran are gone: the report can no
		// longer be right, and the job fails rather than lie.
		return jobFailure(FailResultsLost, "%v", err), true
	}
	return api.JobFailure{}, false
}

const thresholdReason = "Job failed because the task failure threshold was exceeded."

// thresholdFailure is the FailureReasons entry of a job that crossed the
// task failure threshold.
func (x *execution) thresholdFailure() api.JobFailure {
	succ, fail := x.counters()
	return jobFailure(FailThreshold, "More than 50%% of the tasks failed after at least 1,000 tasks ran (%d failed of %d).", fail, succ+fail)
}

// afterRun moves a job on once its execution stopped; status is where the
// job went when it began to stop (Active, or Pausing or Failing).
func (e *Engine) afterRun(ctx context.Context, x *execution, status api.JobStatus, runErr error) (runResult, error) {
	key := x.j.key
	var (
		to    api.JobStatus
		fails []api.JobFailure
		err   error
	)
	switch f, isFailure := isManifestFailure(runErr); {
	case runErr == nil:
		to = api.JobStatusCompleting
	case isFailure:
		to, fails = api.JobStatusFailing, []api.JobFailure{jobFailure(f.Code, "%s", f.Reason)}
	case isMissingManifest(runErr):
		to, fails = api.JobStatusFailing, []api.JobFailure{jobFailure(FailInvalidManifest, "Reading the manifest failed: %s", errorText(runErr))}
	case errors.Is(runErr, errThreshold):
		if status == api.JobStatusActive {
			status, err = e.move(ctx, key, status, api.JobStatusFailing, thresholdReason, x.thresholdFailure())
			if err != nil {
				return resultRetry, err
			}
		}
		return e.afterMove(ctx, key, status)
	case errors.Is(runErr, errPause):
		if status, err = e.pause(ctx, key, status); err != nil {
			return resultRetry, err
		}
		if status == api.JobStatusPaused {
			return resultPaused, nil
		}
		return e.afterMove(ctx, key, status)
	case errors.Is(runErr, errCancelled), errors.Is(runErr, errLeaseLost):
		j, err := e.load(ctx, key)
		if err != nil {
			return resultGone, err
		}
		return e.afterMove(ctx, key, j.status)
	default:
		return resultRetry, runErr
	}
	if status, err = e.move(ctx, key, status, to, "", fails...); err != nil {
		return resultRetry, err
	}
	return e.afterMove(ctx, key, status)
}

// afterMove continues from the status a job reached.
func (e *Engine) afterMove(ctx context.Context, key jobKey, status api.JobStatus) (runResult, error) {
	switch {
	case needsFinish(status):
		return e.finishJob(ctx, key), nil
	case runnable(status):
		return resultRetry, nil
	}
	return resultGone, nil
}
