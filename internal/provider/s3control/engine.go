package s3control

import (
	"context"
	"time"

	api "github.com/jobplane/jobplane/internal/api/s3control"
)

// The execution seam: how the control plane (this package) and the
// job-execution engine (a separate package, built against this file) talk.
//
// Ownership. The control plane owns a job while it is New, Preparing or
// Suspended; the engine owns it from Ready until it is terminal (Ready,
// Active, Pausing, Paused, Completing, Cancelling, Failing). Terminal jobs
// belong to nobody. The store is the only truth: the engine keeps nothing it
// cannot rebuild from Provider.Job and its own checkpoints.
//
// Control plane → engine: the Scheduler methods below, called after the
// change they announce is durable. They are notifications: they do not
// return errors, and a lost notification is recovered because Provider.Start
// submits every job the engine owns again.
//
// Engine → control plane: the methods of Control (implemented by *Provider):
// status changes through the transition table (job_status.go) with
// compare-and-swap, task counters, failure reasons and the generated
// manifest. The engine never writes the store directly.
//
// Preparation. New → Preparing → Suspended/Ready is the control plane's;
// what happens inside Preparing that needs the objects (reading and
// validating the manifest, running the manifest generator, counting tasks)
// is the engine's, through the Preparer it supplies.

// JobRef names a job and says what the control plane knew of it when it
// called.
type JobRef struct {
	AccountID string
	JobID     string
	Status    api.JobStatus
	Priority  int32
}

// Scheduler receives the jobs the control plane hands to the engine.
type Scheduler interface {
	// Submit hands over a job the engine owns. It is called when a job
	// enters Ready (after preparation, or when the account confirms a
	// Suspended job), and at start for every job in an engine status, so
	// that a restarted engine resumes Active, Pausing, Paused, Completing,
	// Cancelling and Failing jobs from its checkpoints. Submit MUST return
	// quickly (queue the job, run it elsewhere) and MUST be idempotent: the
	// same job may be submitted more than once. The engine SHOULD start jobs
	// by priority (higher first), moving them Ready → Active with
	// Control.Transition.
	Submit(ctx context.Context, job JobRef)
	// Cancel says the account cancelled a job the engine owns: it is now
	// Cancelled (it was Ready and never started: drop it from the queue) or
	// Cancelling (it was running: stop issuing tasks, write the report,
	// then move it Cancelling → Cancelled). It MUST return quickly.
	Cancel(ctx context.Context, job JobRef)
	// Reprioritize says the account changed the priority of a job the
	// engine owns (spec §10.2: best effort; it may pause lower-priority
	// jobs). It MUST return quickly.
	Reprioritize(ctx context.Context, job JobRef)
}

// NoScheduler is the Scheduler of a jobplane without a job-execution
// engine: it accepts every job and runs none, so jobs wait in Ready. It is
// the legitimate implementation of "no engine", not a stub: every API
// operation behaves as on AWS up to the point where a job would start.
type NoScheduler struct{}

// Submit implements Scheduler: the job stays Ready.
func (NoScheduler) Submit(context.Context, JobRef) {}

// Cancel implements Scheduler: a job that never runs needs no stopping.
func (NoScheduler) Cancel(context.Context, JobRef) {}

// Reprioritize implements Scheduler: there is no queue to reorder.
func (NoScheduler) Reprioritize(context.Context, JobRef) {}

// Preparer is the engine's part of Preparing.
type Preparer interface {
	// Prepare checks a job that just entered Preparing: it reads and
	// validates the manifest (or runs the manifest generator) and counts the
	// tasks. It MUST be idempotent: after a crash the control plane calls
	// it again for a job still Preparing. A problem with the job itself (bad
	// manifest, ETag mismatch, access denied: spec §7.2, never a CreateJob
	// error) is reported in Preparation.Failures, and the control plane
	// fails the job (Preparing → Failing → Failed). An error return means
	// "could not decide now": the job stays Preparing and is retried at the
	// next lifecycle sweep. Prepare may take long; ctx ends at shutdown.
	Prepare(ctx context.Context, job *Job) (Preparation, error)
}

// Preparation is the outcome of Preparer.Prepare.
type Preparation struct {
	// TotalTasks, when not nil, becomes ProgressSummary.TotalNumberOfTasks.
	TotalTasks *int64
	// GeneratedManifest, when not nil, becomes the job's
	// GeneratedManifestDescriptor.
	GeneratedManifest *api.S3GeneratedManifestDescriptor
	// Failures, when not empty, fail the job with these FailureReasons.
	Failures []api.JobFailure
}

// NoPreparation is the Preparer of a jobplane without an engine: it has
// nothing to read, so every job passes preparation unchanged.
type NoPreparation struct{}

// Prepare implements Preparer.
func (NoPreparation) Prepare(context.Context, *Job) (Preparation, error) { return Preparation{}, nil }

// Job is a job as the engine sees it: the account it belongs to and
// everything DescribeJob shows (manifest, operation, report, role,
// priority, status, progress ...).
type Job struct {
	AccountID string
	// Descriptor is the job as DescribeJob returns it. The engine must not
	// modify it.
	Descriptor *api.JobDescriptor
}

// Ref returns the job's reference.
func (j *Job) Ref() JobRef {
	d := j.Descriptor
	return JobRef{AccountID: j.AccountID, JobID: deref(d.JobId), Status: derefStatus(d.Status), Priority: deref(d.Priority)}
}

// Progress is a job's task counters, as absolute values.
type Progress struct {
	TotalTasks, Succeeded, Failed int64
}

// Transition is a status change the engine asks for.
type Transition struct {
	// From is the status the engine believes the job is in; the change
	// applies only if it still is (compare-and-swap).
	From api.JobStatus
	// To is the status to move to; the edge must exist for ActorEngine in
	// the transition table.
	To api.JobStatus
	// Reason, when not empty, becomes the job's StatusUpdateReason.
	Reason string
	// FailureReasons are added to the job's FailureReasons (for job-level
	// failures only: spec §5.1, per-task failures go to the counters and
	// the report).
	FailureReasons []api.JobFailure
}

// Control is what the engine calls to read jobs and report back; *Provider
// implements it. Its methods are safe for concurrent use, and each returns
// *api.NotFoundException for a job that does not exist (or was purged).
// The control plane keeps the Timers itself (from the moments the job enters
// and leaves Active), applies the lifecycle rules, and answers every API
// call; the engine only moves jobs along its edges and reports counters. The
// job-level failure threshold (spec §5.4) and the completion report (§9) are
// the engine's: it fails a job with Transition{To: Failing} and writes the
// report before moving Completing → Complete, Cancelling → Cancelled or
// Failing → Failed.
type Control interface {
	// Job returns the job as it is now.
	Job(ctx context.Context, accountID, jobID string) (*Job, error)
	// Transition moves a job along an engine edge of the transition table
	// and returns it as it is after the change. It returns an error wrapping
	// ErrNotAllowed if the table has no such edge for the engine, and one
	// wrapping ErrStatusChanged if the job is no longer in t.From (someone
	// else moved it first: read it again and decide anew). Entering a
	// terminal status sets the TerminationDate; leaving Active accumulates
	// ElapsedTimeInActiveSeconds.
	Transition(ctx context.Context, accountID, jobID string, t Transition) (*Job, error)
	// ResumeActive tells that the engine runs again a job that was left
	// Active, and that nothing ran it from stoppedAt (its last checkpoint)
	// until now: ElapsedTimeInActiveSeconds counts the time up to
	// stoppedAt and again from now, not the time in between. It returns an
	// error wrapping ErrStatusChanged if the job is no longer Active.
	ResumeActive(ctx context.Context, accountID, jobID string, stoppedAt time.Time) error
	// SetProgress replaces the job's task counters (absolute values, so a
	// repeated report after a crash is harmless).
	SetProgress(ctx context.Context, accountID, jobID string, p Progress) error
	// SetGeneratedManifest records the manifest the manifest generator
	// wrote, shown by DescribeJob as GeneratedManifestDescriptor.
	SetGeneratedManifest(ctx context.Context, accountID, jobID string, d *api.S3GeneratedManifestDescriptor) error
}

var _ Control = (*Provider)(nil)
