package store

import (
	"context"
	"errors"
	"time"
)

// Jobs keeps S3 Batch Operations jobs: one record per job, its tag set, and
// the idempotency tokens of the CreateJob requests that made them.
//
// The store knows nothing of the job state machine: it stores a status as an
// opaque string and applies a status change only when the job is still in the
// status the caller read (compare-and-swap on the status and its sequence
// number), so that the control plane's transition table cannot be skipped by
// concurrent updates, also between several jobplane nodes sharing one
// database. The job's request (manifest, operation, report, ...) is an opaque
// document the store keeps byte for byte.
//
// Every method that returns nil has made its change durable: it survives a
// crash of the process or the machine. Times are kept to the millisecond;
// a driver MUST return them in UTC, truncated to the millisecond, and MUST
// return the zero time.Time for a time that is not set. Jobs of one account
// are never visible through another account's id.
type Jobs interface {
	// CreateJob stores a new job with its initial tags (nil for none)
	// together with the idempotency record of the request that created it,
	// as one atomic step:
	//
	//   - If the account already has a record for idem.Token with the same
	//     RequestHash, CreateJob MUST NOT write anything and MUST return the
	//     id of the job that record names, with created false.
	//   - If the record exists with a different RequestHash, it MUST return
	//     ErrIdempotencyMismatch and write nothing.
	//   - Otherwise it MUST insert the job and the record and return job.ID
	//     with created true. A job with the same (AccountID, ID) already
	//     stored makes it return ErrJobExists.
	//
	// Two concurrent calls with the same account and token MUST behave as if
	// one ran after the other (one creates, the other sees its record),
	// whichever node they run on. job.StatusSeq is ignored: a new job's
	// sequence is 1.
	CreateJob(ctx context.Context, job *Job, tags []Tag, idem Idempotency) (id string, created bool, err error)

	// GetJob MUST return the job with its current state, progress, priority
	// and documents, or ErrJobNotFound when the account has no such job. It
	// does not apply any retention rule: a job is returned until PurgeJobs
	// removes it. It SHOULD be a single indexed read.
	GetJob(ctx context.Context, accountID, jobID string) (*Job, error)

	// ListJobs MUST return, newest first (CreatedAt descending, then JobID
	// ascending), at most q.Limit summaries of the account's jobs whose
	// status is one of q.Statuses (any status when empty), that come after
	// q.After in that order when q.After is set, and that were not
	// terminated at or before q.TerminatedAfter when it is set (jobs without
	// a termination time always qualify). More MUST be true when at least
	// one further job qualifies. Because the order is on immutable keys, a
	// caller paging with After sees every job that qualified when the first
	// page was read exactly once (jobs created meanwhile may appear, never
	// twice). It SHOULD cost O(Limit × len(Statuses)) index reads whatever
	// the number of jobs. A Limit below 1 is ErrInvalidQuery.
	ListJobs(ctx context.Context, q JobQuery) (JobPage, error)

	// UpdateJobState replaces the job's state (status and the fields that
	// change with it) with next, and increments StatusSeq, but only if the
	// job's current Status and StatusSeq are from.Status and from.Seq. It
	// MUST return ErrStatusConflict, changing nothing, when they differ, and
	// ErrJobNotFound when there is no such job. On success it returns the
	// job as stored after the change.
	UpdateJobState(ctx context.Context, accountID, jobID string, from StatusVersion, next JobState) (*Job, error)

	// SetJobPriority MUST set the job's priority and return the job as
	// stored after the change, or ErrJobNotFound.
	SetJobPriority(ctx context.Context, accountID, jobID string, priority int32) (*Job, error)

	// SetJobProgress MUST replace the job's task counters with p (absolute
	// values, so that repeating a report is harmless), or return
	// ErrJobNotFound. It does not touch the status.
	SetJobProgress(ctx context.Context, accountID, jobID string, p JobProgress) error

	// SetGeneratedManifest MUST store doc as the job's generated-manifest
	// descriptor (an opaque document; nil clears it), or return
	// ErrJobNotFound.
	SetGeneratedManifest(ctx context.Context, accountID, jobID string, doc []byte) error

	// JobTags MUST return the job's tags in the order they were set (an
	// empty slice when it has none), or ErrJobNotFound.
	JobTags(ctx context.Context, accountID, jobID string) ([]Tag, error)
	// ReplaceJobTags MUST replace the job's whole tag set with tags (an
	// empty tags removes them all), or return ErrJobNotFound. The caller has
	// checked the limits; keys are unique.
	ReplaceJobTags(ctx context.Context, accountID, jobID string, tags []Tag) error
	// MergeJobTags MUST atomically add tags to the job's set, replacing the
	// value of a key already present (in place, keeping its position) and
	// appending new keys in the given order. If the result would hold more
	// than max tags it MUST return ErrTooManyTags and change nothing. It
	// returns ErrJobNotFound when there is no such job.
	MergeJobTags(ctx context.Context, accountID, jobID string, tags []Tag, max int) error
	// RemoveJobTags MUST atomically remove the given keys from the job's
	// set (keys it does not have are ignored), or return ErrJobNotFound.
	RemoveJobTags(ctx context.Context, accountID, jobID string, keys []string) error

	// ScanJobs MUST return at most limit jobs of every account whose status
	// is one of statuses, ordered by (AccountID, ID), starting after the
	// key after (from the beginning when after is the zero JobKey). The
	// control plane uses it at start to resume preparation and to hand the
	// engine the jobs it owns.
	ScanJobs(ctx context.Context, statuses []string, after JobKey, limit int) ([]Job, error)

	// SuspendedBefore MUST return at most limit jobs of every account whose
	// status is "Suspended" and whose SuspendedAt is strictly before t,
	// oldest first. It SHOULD be an indexed read that costs nothing when no
	// job qualifies, because it runs before every ListJobs.
	SuspendedBefore(ctx context.Context, t time.Time, limit int) ([]Job, error)

	// PurgeJobs MUST delete at most limit jobs of every account whose
	// TerminatedAt is set and not after t, together with their tags and the
	// idempotency records that name them, and return how many it deleted.
	PurgeJobs(ctx context.Context, t time.Time, limit int) (int, error)
}

// Job is one stored job.
type Job struct {
	// AccountID and ID identify the job; ID is unique within the account.
	AccountID string
	ID        string
	// ARN is the job's ARN, fixed at creation.
	ARN string
	// Operation is the name of the job's operation, for listing.
	Operation string
	// Description is the job's description ("" when none was given).
	Description string
	// CreatedAt is the creation time, to the millisecond.
	CreatedAt time.Time
	// Priority is the job's current priority.
	Priority int32
	// State is the status and what changes with it.
	State JobState
	// StatusSeq counts the status changes the job has gone through (1 for
	// a new job); UpdateJobState compares it.
	StatusSeq int64
	// Progress holds the task counters the engine reports.
	Progress JobProgress
	// Spec is the job's request document (opaque to the store).
	Spec []byte
	// GeneratedManifest is the generated-manifest descriptor document, or
	// nil.
	GeneratedManifest []byte
}

// Key returns the job's key.
func (j *Job) Key() JobKey { return JobKey{AccountID: j.AccountID, ID: j.ID} }

// JobKey identifies a job across accounts.
type JobKey struct {
	AccountID, ID string
}

// JobState is a job's status and the fields that change with it. Status
// changes replace it as a whole.
type JobState struct {
	// Status is the job's status name ("New", "Suspended", ...).
	Status string
	// StatusUpdateReason is the last reason given for a status change, or "".
	StatusUpdateReason string
	// SuspendedAt is when the job entered Suspended (zero if never).
	SuspendedAt time.Time
	// SuspendedCause says why it was suspended, or "".
	SuspendedCause string
	// TerminatedAt is when the job reached a terminal status (zero if not).
	TerminatedAt time.Time
	// FailureReasons explain a job-level failure (nil when none).
	FailureReasons []JobFailure
	// ActiveSeconds is the time spent in Active before ActiveSince.
	ActiveSeconds int64
	// ActiveSince is when the job last entered Active, zero when it is not
	// Active.
	ActiveSince time.Time
}

// StatusVersion is the status a caller read, for compare-and-swap.
type StatusVersion struct {
	Status string
	Seq    int64
}

// JobFailure is one job-level failure reason.
type JobFailure struct {
	Code, Reason string
}

// JobProgress is a job's task counters.
type JobProgress struct {
	TotalTasks, Succeeded, Failed int64
}

// Tag is a key and its value.
type Tag struct {
	Key, Value string
}

// Idempotency is the record of the request that creates a job.
type Idempotency struct {
	// Token is the request's ClientRequestToken.
	Token string
	// RequestHash identifies the request's content, so that a replay can be
	// told from a different request reusing the token.
	RequestHash []byte
}

// JobQuery selects a page of an account's jobs.
type JobQuery struct {
	AccountID string
	// Statuses filters on status; empty means every status.
	Statuses []string
	// After, when not nil, is the position of the last job of the previous
	// page.
	After *JobCursor
	// TerminatedAfter, when not zero, hides jobs terminated at or before it.
	TerminatedAfter time.Time
	// Limit is the page size, at least 1.
	Limit int
}

// JobCursor is a position in the newest-first order of ListJobs.
type JobCursor struct {
	CreatedAt time.Time
	JobID     string
}

// JobPage is one page of ListJobs.
type JobPage struct {
	Jobs []JobSummary
	// More is true when further jobs qualify after the last one returned.
	More bool
}

// JobSummary is what ListJobs returns of a job.
type JobSummary struct {
	ID          string
	Operation   string
	Description string
	Priority    int32
	Status      string
	CreatedAt   time.Time
	// TerminatedAt is zero when the job has not terminated.
	TerminatedAt time.Time
	Progress     JobProgress
	// ActiveSeconds and ActiveSince are as in JobState.
	ActiveSeconds int64
	ActiveSince   time.Time
}

// Cursor returns the position of s in the ListJobs order.
func (s *JobSummary) Cursor() JobCursor { return JobCursor{CreatedAt: s.CreatedAt, JobID: s.ID} }

// Errors of the Jobs store.
var (
	// ErrJobNotFound: the account has no such job.
	ErrJobNotFound = errors.New("store: job not found")
	// ErrJobExists: a job with that account and id is already stored.
	ErrJobExists = errors.New("store: job already exists")
	// ErrIdempotencyMismatch: the token was used for a different request.
	ErrIdempotencyMismatch = errors.New("store: idempotency token reused for a different request")
	// ErrStatusConflict: the job's status changed since it was read.
	ErrStatusConflict = errors.New("store: job status changed concurrently")
	// ErrTooManyTags: the merged tag set would exceed its limit.
	ErrTooManyTags = errors.New("store: too many tags")
	// ErrInvalidQuery: a query the store cannot run (e.g. a Limit below 1).
	ErrInvalidQuery = errors.New("store: invalid query")
)
