package store

import (
	"context"
	"errors"
	"time"
)

// BatchRuns keeps what the S3 Batch Operations engine (internal/batch)
// needs to resume a running job after a crash: one record per job it runs,
// holding the job's latest checkpoint and the lease of the engine node
// running it. A checkpoint is a few hundred bytes whatever the size of the
// job: the store never holds a row per manifest entry.
//
// Every method that returns nil has made its change durable. Methods MUST be
// safe for concurrent use, also by several jobplane nodes sharing one
// database: the lease (Owner, LeaseUntil) is compared and set atomically, so
// that at most one node runs a job at a time. Times are kept to the
// millisecond and returned in UTC. Errors: ErrBatchRunNotFound,
// ErrBatchRunLeased as each method says, ctx.Err(), ErrClosed, or a driver
// failure.
type BatchRuns interface {
	// ClaimBatchRun takes the lease of a job's run for owner until until,
	// creating the record (with a zero checkpoint) when the job has none,
	// and returns the record as it is after the claim. It MUST refuse, with
	// ErrBatchRunLeased and changing nothing, when another owner holds a
	// lease that has not expired at now; the same owner reclaims its own
	// lease at once (a restarted node takes its jobs back without waiting).
	ClaimBatchRun(ctx context.Context, accountID, jobID, owner string, now, until time.Time) (BatchRun, error)
	// SaveBatchCheckpoint replaces the checkpoint of a job's run, made at
	// now, and extends the lease to until, but only while owner holds the
	// lease: it MUST return ErrBatchRunLeased when another owner has
	// claimed the run since (the caller must stop running the job), and
	// ErrBatchRunNotFound when the job has no run record. Saving the same
	// checkpoint twice is harmless.
	SaveBatchCheckpoint(ctx context.Context, accountID, jobID, owner string, now, until time.Time, cp BatchCheckpoint) error
	// GetBatchRun returns a job's run record, or ErrBatchRunNotFound. It
	// SHOULD be one indexed read.
	GetBatchRun(ctx context.Context, accountID, jobID string) (BatchRun, error)
	// DeleteBatchRun removes a job's run record once the job is over
	// (terminal). Deleting a record that does not exist succeeds.
	DeleteBatchRun(ctx context.Context, accountID, jobID string) error
	// ListBatchRuns returns at most limit run records of every account,
	// ordered by (AccountID, JobID) and starting after the given key (from
	// the beginning when both are ""), so that the engine can find the
	// leftovers of jobs that ended while it was down.
	ListBatchRuns(ctx context.Context, afterAccount, afterJob string, limit int) ([]BatchRun, error)
}

// BatchRun is the record of one running job.
type BatchRun struct {
	AccountID, JobID string
	// Owner is the engine node holding the lease, LeaseUntil when it runs
	// out.
	Owner      string
	LeaseUntil time.Time
	// Checkpoint is the job's latest checkpoint (the zero value before the
	// first one).
	Checkpoint BatchCheckpoint
	// UpdatedAt is when the record last changed: the now of the latest
	// claim or checkpoint.
	UpdatedAt time.Time
}

// BatchCheckpoint is where a running job stands: every manifest row before
// Mark is done, and so are the rows of Done (all at or after Mark); the
// manifest continues at Position after row Mark-1 (a byte offset, or a
// reader-specific position for multi-file manifests). The task results of
// exactly these rows are the first SpoolSize bytes of the engine's local
// result spool, and Succeeded and Failed count them.
type BatchCheckpoint struct {
	// Phase is the engine's own name for what the run was doing (opaque
	// to the store).
	Phase     string
	Mark      int64
	Position  int64
	Done      []int64
	SpoolSize int64
	Succeeded int64
	Failed    int64
}

// Errors of BatchRuns.
var (
	ErrBatchRunNotFound = errors.New("store: no such batch run")
	ErrBatchRunLeased   = errors.New("store: the batch run is leased by another engine node")
)

// ObjectsBatch is an optional capability of a store.Objects driver: changing
// many object versions of one bucket in one durable write, which is how the
// batch engine reaches hundreds of thousands of changes per second on the
// embedded object store. A driver that cannot do better than one write per
// version need not implement it.
type ObjectsBatch interface {
	// UpdateVersions applies fn to each version refs names in bucket, as
	// UpdateVersion does for one (versionID "" is the current version), and
	// stores what fn leaves in StorageClass, Attrs and Tags, all in one
	// durable write. It returns, per ref and in order, the stored version or the
	// error for that ref (ErrNoSuchKey, ErrNoSuchVersion or fn's error),
	// and one error for the whole call when nothing was written
	// (ErrNoSuchBucket, ctx.Err(), a driver failure). A ref's error changes
	// nothing for that ref and does not affect the others. fn follows the
	// rules of the Objects callbacks: quick, no store calls, may run more
	// than once.
	UpdateVersions(ctx context.Context, bucket string, refs []VersionRef,
		fn func(b *ObjectBucket, v *ObjectVersion) error) ([]ObjectVersion, []error, error)
}

// ObjectsPatcher is an optional capability of a store.Objects driver:
// applying one change to many object versions of a bucket in one durable
// write, without handing each version to a callback. It is the fastest way
// to change the same attribute of many versions (tags, ACL); a driver that
// cannot do it need not implement it.
type ObjectsPatcher interface {
	// PatchVersions applies p to each version refs names in bucket
	// (versionID "" is the current version), all in one durable write. It
	// MUST change only versions that exist and are not delete markers, and
	// report for each ref, in order, whether it changed it; the caller
	// decides what the others are (missing, delete marker) with the
	// ordinary methods. It MUST NOT change what p does not name. It
	// returns ErrNoSuchBucket, ctx.Err() or a driver failure (Attrs that
	// are not a JSON object among them) for the whole call, having changed
	// nothing.
	PatchVersions(ctx context.Context, bucket string, refs []VersionRef, p VersionPatch) ([]bool, error)
}

// VersionPatch is the change PatchVersions makes to each version.
type VersionPatch struct {
	// Attrs, when not nil, is a JSON merge patch (RFC 7396) of a JSON
	// object, applied to the version's Attrs (empty Attrs count as {}).
	Attrs []byte
	// SetTags replaces the version's Tags with Tags.
	SetTags bool
	Tags    []byte
}

// VersionRef names a version of a key: VersionID "" is the current version.
type VersionRef struct {
	Key, VersionID string
}
