// Package s3control is the provider of the S3 Control job API (S3 Batch
// Operations): CreateJob, DescribeJob, ListJobs, UpdateJobPriority,
// UpdateJobStatus, Get/Put/DeleteJobTagging, and TagResource, UntagResource
// and ListTagsForResource on job ARNs. Every other S3 Control operation
// answers NotImplemented.
//
// Jobs live in a store.Jobs; nothing is kept only in memory. The job state
// machine is one table (job_status.go) that every status change goes
// through; the job-execution engine plugs in through the seam of engine.go.
// docs/s3control.md lists the decisions this package makes where AWS does
// not say.
package s3control

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	api "github.com/jobplane/jobplane/internal/api/s3control"
	"github.com/jobplane/jobplane/internal/caller"
	"github.com/jobplane/jobplane/internal/clock"
	"github.com/jobplane/jobplane/internal/pagetoken"
	"github.com/jobplane/jobplane/internal/store"
)

// Defaults of the lifecycle rules (spec §5.1 and §6, from the User Guide's job
// status page): a job Suspended for more than 30 days fails, and a job is
// deleted 90 days after it ends.
const (
	DefaultSuspendedExpiry = 30 * 24 * time.Hour
	DefaultRetention       = 90 * 24 * time.Hour
	DefaultSweepInterval   = time.Minute
)

// SecretName is the name of the store secret that signs ListJobs tokens.
const SecretName = "s3control-list-jobs"

// Options configure a Provider.
type Options struct {
	// Jobs is where jobs are kept. Required.
	Jobs store.Jobs
	// TokenKey signs ListJobs NextTokens: at least 32 random bytes that
	// stay the same across restarts (the store's Secret(SecretName)).
	TokenKey []byte
	// Clock is the time every lifecycle rule reads. Nil means clock.Real.
	Clock clock.Clock
	// Region names the region in job ARNs when the request does not carry
	// one (outside the gateway). Empty means us-east-1.
	Region string
	// SuspendedExpiry is how long a job may stay Suspended before it fails;
	// Retention is how long a terminal job stays visible. Zero means the
	// AWS defaults (30 and 90 days).
	SuspendedExpiry, Retention time.Duration
	// SweepInterval is how often the background sweep runs (purging
	// expired jobs, retrying stuck preparations). Zero means a minute.
	SweepInterval time.Duration
	// Logger receives background errors. Nil discards.
	Logger *slog.Logger
}

// Provider serves the S3 Control job API.
type Provider struct {
	api.UnimplementedService

	jobs      store.Jobs
	sealer    *pagetoken.Sealer
	clock     clock.Clock
	region    string
	expiry    time.Duration
	retention time.Duration
	interval  time.Duration
	log       *slog.Logger
	scheduler Scheduler
	preparer  Preparer
	prep      *prepQueue
	// nextExpiry is the Unix millisecond before which no Suspended job can
	// be due to fail (see expireDue); 0 means "check".
	nextExpiry atomic.Int64
	stopOnce   sync.Once
	cancel     context.CancelFunc
	background sync.WaitGroup
}

var _ api.Service = (*Provider)(nil)

// New returns a Provider with no engine (NoScheduler, NoPreparation); call
// SetEngine to plug one in, then Start.
func New(opts Options) (*Provider, error) {
	if opts.Jobs == nil {
		return nil, errors.New("s3control: Options.Jobs is required")
	}
	sealer, err := pagetoken.New(opts.TokenKey)
	if err != nil {
		return nil, fmt.Errorf("s3control: %w", err)
	}
	p := &Provider{
		jobs: opts.Jobs, sealer: sealer, clock: opts.Clock, region: opts.Region,
		expiry: opts.SuspendedExpiry, retention: opts.Retention, interval: opts.SweepInterval,
		log: opts.Logger, scheduler: NoScheduler{}, preparer: NoPreparation{},
	}
	if p.clock == nil {
		p.clock = clock.Real{}
	}
	if p.region == "" {
		p.region = "us-east-1"
	}
	if p.expiry <= 0 {
		p.expiry = DefaultSuspendedExpiry
	}
	if p.retention <= 0 {
		p.retention = DefaultRetention
	}
	if p.interval <= 0 {
		p.interval = DefaultSweepInterval
	}
	if p.log == nil {
		p.log = slog.New(slog.DiscardHandler)
	}
	p.prep = newPrepQueue()
	return p, nil
}

// SetEngine plugs in the job-execution engine. It must be called before
// Start; nil arguments keep NoScheduler and NoPreparation.
func (p *Provider) SetEngine(s Scheduler, pr Preparer) {
	if s != nil {
		p.scheduler = s
	}
	if pr != nil {
		p.preparer = pr
	}
}

// now is the lifecycle clock's time, to the millisecond the store keeps.
func (p *Provider) now() time.Time { return p.clock.Now().UTC().Truncate(time.Millisecond) }

// regionOf returns the region of the request.
func (p *Provider) regionOf(ctx context.Context) string {
	if r := caller.From(ctx).Region; r != "" {
		return r
	}
	return p.region
}

// hidden reports whether a job has passed its retention: 90 days after it
// ended it is gone from every operation, whether or not the sweep has
// deleted it yet.
func (p *Provider) hidden(st *store.JobState, now time.Time) bool {
	return !st.TerminatedAt.IsZero() && !now.Before(st.TerminatedAt.Add(p.retention))
}

// load returns a job of the account as it is now: a job whose Suspended
// time ran out is failed first (so that no reader ever sees it still
// Suspended), and a job past its retention is not found.
func (p *Provider) load(ctx context.Context, accountID, jobID string) (*store.Job, error) {
	job, err := p.get(ctx, accountID, jobID)
	if err != nil {
		return nil, err
	}
	now := p.now()
	if p.suspendedTooLong(job, now) {
		if job, err = p.expire(ctx, job); err != nil {
			return nil, err
		}
	}
	if p.hidden(&job.State, now) {
		return nil, notFound()
	}
	return job, nil
}

// get returns a job as stored, without the lifecycle rules of load.
func (p *Provider) get(ctx context.Context, accountID, jobID string) (*store.Job, error) {
	job, err := p.jobs.GetJob(ctx, accountID, jobID)
	if err != nil {
		return nil, p.storeErr(err)
	}
	return job, nil
}

// change moves a job to the status decide picks, on behalf of actor,
// checking the transition table and persisting with compare-and-swap: if
// the job changed meanwhile, it is read again and decide runs again on what
// it is now. decide returns the target status and the effects, or an error
// to stop; returning the job's own status means "no change" and writes
// nothing.
func (p *Provider) change(ctx context.Context, accountID, jobID string, actor Actor,
	decide func(job *store.Job) (api.JobStatus, effects, error)) (*store.Job, error) {
	load := p.load
	if actor == ActorClock {
		load = p.get // the clock's own change must not recurse into load's expiry
	}
	return p.updateState(ctx, accountID, jobID, load, func(job *store.Job) (*store.JobState, error) {
		to, fx, err := decide(job)
		if err != nil {
			return nil, err
		}
		from := api.JobStatus(job.State.Status)
		if to == from {
			return nil, nil
		}
		if !Allowed(from, to, actor) {
			return nil, fmt.Errorf("%w: %s → %s by the %s", ErrNotAllowed, from, to, actor)
		}
		next := enter(job.State, to, p.now(), fx)
		return &next, nil
	})
}

// updateState replaces a job's state with what next makes of the job as
// load reads it, with compare-and-swap: if the job changed meanwhile, it is
// read again and next runs again. next returns nil for "no change" (the job
// is returned as read), or an error to stop (returned with the job).
func (p *Provider) updateState(ctx context.Context, accountID, jobID string,
	load func(ctx context.Context, accountID, jobID string) (*store.Job, error),
	next func(job *store.Job) (*store.JobState, error)) (*store.Job, error) {
	for attempt := 0; ; attempt++ {
		job, err := load(ctx, accountID, jobID)
		if err != nil {
			return nil, err
		}
		st, err := next(job)
		if err != nil || st == nil {
			return job, err
		}
		out, err := p.jobs.UpdateJobState(ctx, accountID, jobID, store.StatusVersion{Status: job.State.Status, Seq: job.StatusSeq}, *st)
		if errors.Is(err, store.ErrStatusConflict) && attempt < 100 {
			continue
		}
		if err != nil {
			return nil, p.storeErr(err)
		}
		return out, nil
	}
}

// Errors of the engine-facing methods.
var (
	// ErrNotAllowed: the transition table has no such edge for the actor.
	ErrNotAllowed = errors.New("s3control: transition not allowed")
	// ErrStatusChanged: the job is not in the status the caller expected.
	ErrStatusChanged = errors.New("s3control: job status changed")
)

// storeErr maps the store's errors to the API's.
func (p *Provider) storeErr(err error) error {
	if errors.Is(err, store.ErrJobNotFound) {
		return notFound()
	}
	return err
}

func notFound() error {
	return &api.NotFoundException{Message: ptr("The specified job does not exist.")}
}

func badRequest(format string, args ...any) error {
	return &api.BadRequestException{Message: ptr(fmt.Sprintf(format, args...))}
}

func ptr[T any](v T) *T { return &v }

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

func derefStatus(s *api.JobStatus) api.JobStatus { return deref(s) }

func ref(job *store.Job) JobRef {
	return JobRef{AccountID: job.AccountID, JobID: job.ID, Status: api.JobStatus(job.State.Status), Priority: job.Priority}
}
