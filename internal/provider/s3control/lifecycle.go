package s3control

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	api "github.com/jobplane/jobplane/internal/api/s3control"
	"github.com/jobplane/jobplane/internal/store"
)

// prepareWorkers is how many jobs are prepared at once. Preparation with
// NoPreparation is two quick writes; with an engine it may read a manifest.
const prepareWorkers = 4

// sweepBatch bounds each store call of a sweep.
const sweepBatch = 500

// SuspendedCause is what SuspendedCause says of a job waiting for its
// confirmation. AWS does not publish its text (spec §12) [I].
const SuspendedCause = "AwaitingConfirmation"

// FailureCodeSuspendedTooLong is the FailureCode of a job that failed
// because it stayed Suspended past the limit. AWS publishes no code (spec
// §12) [I].
const FailureCodeSuspendedTooLong = "SuspendedTimeout"

// errSkip stops a change without error: the job is no longer where the
// caller expected, and that is fine.
var errSkip = errors.New("skip")

// Start resumes the work a previous run left: jobs still New or Preparing
// are prepared again, and every job the engine owns is submitted to the
// Scheduler. It then starts the preparation workers and the lifecycle sweep,
// which run until Stop.
func (p *Provider) Start(ctx context.Context) error {
	for _, statuses := range [][]api.JobStatus{preparingStatuses, engineStatuses} {
		err := p.scan(ctx, statuses, func(job *store.Job) {
			if engineOwns(api.JobStatus(job.State.Status)) {
				p.scheduler.Submit(ctx, ref(job))
			} else {
				p.prep.add(job.Key())
			}
		})
		if err != nil {
			return fmt.Errorf("s3control: resuming jobs: %w", err)
		}
	}
	bg, cancel := context.WithCancel(context.Background())
	p.cancel = cancel
	for range prepareWorkers {
		p.background.Add(1)
		go func() {
			defer p.background.Done()
			for {
				k, ok := p.prep.take(bg)
				if !ok {
					return
				}
				p.prepare(bg, k)
				p.prep.done(k)
			}
		}()
	}
	p.background.Add(1)
	go func() {
		defer p.background.Done()
		for {
			select {
			case <-bg.Done():
				return
			case <-p.clock.After(p.interval):
			}
			if _, err := p.Sweep(bg); err != nil && bg.Err() == nil {
				p.log.Error("s3control: lifecycle sweep", "error", err)
			}
		}
	}()
	return nil
}

// Stop ends the background work and waits for it. Jobs being prepared stay
// Preparing in the store and are prepared again at the next Start.
func (p *Provider) Stop() error {
	p.stopOnce.Do(func() {
		if p.cancel != nil {
			p.cancel()
		}
		p.background.Wait()
	})
	return nil
}

// scan calls fn for every job of every account in the given statuses.
func (p *Provider) scan(ctx context.Context, statuses []api.JobStatus, fn func(*store.Job)) error {
	names := make([]string, len(statuses))
	for i, s := range statuses {
		names[i] = string(s)
	}
	var after store.JobKey
	for {
		jobs, err := p.jobs.ScanJobs(ctx, names, after, sweepBatch)
		if err != nil {
			return err
		}
		for i := range jobs {
			fn(&jobs[i])
		}
		if len(jobs) < sweepBatch {
			return nil
		}
		after = jobs[len(jobs)-1].Key()
	}
}

// prepare takes a job through Preparing: New → Preparing, the Preparer's
// checks, then Suspended (confirmation required), Ready (handed to the
// Scheduler) or Failing → Failed. A job cancelled meanwhile is left alone.
func (p *Provider) prepare(ctx context.Context, k store.JobKey) {
	job, err := p.change(ctx, k.AccountID, k.ID, ActorControl, func(job *store.Job) (api.JobStatus, effects, error) {
		switch s := api.JobStatus(job.State.Status); s {
		case sNew:
			return sPreparing, effects{}, nil
		case sPreparing:
			return s, effects{}, nil // resumed after a restart
		}
		return "", effects{}, errSkip
	})
	if err != nil {
		p.logPrepare(ctx, k, err)
		return
	}
	ej, err := p.engineJob(job)
	if err != nil {
		p.logPrepare(ctx, k, err)
		return
	}
	prep, err := p.preparer.Prepare(ctx, ej)
	if err != nil {
		p.logPrepare(ctx, k, fmt.Errorf("preparer: %w (the job stays Preparing and is retried)", err))
		return
	}
	if prep.TotalTasks != nil {
		progress := job.Progress
		progress.TotalTasks = *prep.TotalTasks
		if err := p.jobs.SetJobProgress(ctx, k.AccountID, k.ID, progress); err != nil {
			p.logPrepare(ctx, k, err)
			return
		}
	}
	if prep.GeneratedManifest != nil {
		if err := p.SetGeneratedManifest(ctx, k.AccountID, k.ID, prep.GeneratedManifest); err != nil {
			p.logPrepare(ctx, k, err)
			return
		}
	}
	if len(prep.Failures) > 0 {
		fx := effects{FailureReasons: storeFailures(prep.Failures)}
		if _, err := p.change(ctx, k.AccountID, k.ID, ActorControl, onlyFrom(sPreparing, sFailing, fx)); err != nil {
			p.logPrepare(ctx, k, err)
			return
		}
		_, err := p.change(ctx, k.AccountID, k.ID, ActorControl, onlyFrom(sFailing, sFailed, effects{}))
		p.logPrepare(ctx, k, err)
		return
	}
	spec, err := decodeSpec(job)
	if err != nil {
		p.logPrepare(ctx, k, err)
		return
	}
	if spec.confirmationRequired() {
		_, err := p.change(ctx, k.AccountID, k.ID, ActorControl, onlyFrom(sPreparing, sSuspended, effects{SuspendedCause: SuspendedCause}))
		p.logPrepare(ctx, k, err)
		return
	}
	ready, err := p.change(ctx, k.AccountID, k.ID, ActorControl, onlyFrom(sPreparing, sReady, effects{}))
	if err != nil {
		p.logPrepare(ctx, k, err)
		return
	}
	p.scheduler.Submit(ctx, ref(ready))
}

// onlyFrom is a change's decision that moves a job from status from to to
// with fx, and skips (errSkip) a job no longer in from: someone else, such
// as the account cancelling it, moved it first.
func onlyFrom(from, to api.JobStatus, fx effects) func(*store.Job) (api.JobStatus, effects, error) {
	return func(job *store.Job) (api.JobStatus, effects, error) {
		if job.State.Status != string(from) {
			return "", effects{}, errSkip
		}
		return to, fx, nil
	}
}

func (p *Provider) logPrepare(ctx context.Context, k store.JobKey, err error) {
	var nf *api.NotFoundException
	if err == nil || errors.Is(err, errSkip) || errors.As(err, &nf) || ctx.Err() != nil {
		return
	}
	p.log.Error("s3control: preparing job", "account", k.AccountID, "job", k.ID, "error", err)
}

// SweepResult counts what a sweep did.
type SweepResult struct {
	// Expired jobs failed for staying Suspended too long.
	Expired int `json:"expired"`
	// Purged jobs were deleted, their retention over.
	Purged int `json:"purged"`
	// Requeued jobs were New or Preparing with no preparation running.
	Requeued int `json:"requeued"`
}

// Sweep applies the lifecycle rules now: it fails the jobs Suspended for
// longer than the limit, deletes the jobs whose retention ended, and
// requeues preparations that are not running (after a Preparer error). The
// background loop calls it every SweepInterval; tests call it after moving
// a fake clock. Reads never depend on it having run: they apply both rules
// themselves.
func (p *Provider) Sweep(ctx context.Context) (SweepResult, error) {
	var r SweepResult
	var err error
	if r.Expired, err = p.expireDue(ctx); err != nil {
		return r, err
	}
	for {
		n, err := p.jobs.PurgeJobs(ctx, p.now().Add(-p.retention), sweepBatch)
		r.Purged += n
		if err != nil {
			return r, err
		}
		if n < sweepBatch {
			break
		}
	}
	err = p.scan(ctx, preparingStatuses, func(job *store.Job) {
		if p.prep.add(job.Key()) {
			r.Requeued++
		}
	})
	return r, err
}

// suspendedTooLong reports whether a job has been Suspended for more than
// the limit at now (spec §5.1: "more than 30 days").
func (p *Provider) suspendedTooLong(job *store.Job, now time.Time) bool {
	return job.State.Status == string(sSuspended) && job.State.SuspendedAt.Add(p.expiry).Before(now)
}

// expire fails a job whose Suspended time ran out, as of the moment it ran
// out, and returns the job as it is afterwards.
func (p *Provider) expire(ctx context.Context, job *store.Job) (*store.Job, error) {
	reason := fmt.Sprintf("The job was not confirmed within %s of being suspended.", days(p.expiry))
	return p.change(ctx, job.AccountID, job.ID, ActorClock, func(job *store.Job) (api.JobStatus, effects, error) {
		if !p.suspendedTooLong(job, p.now()) {
			return api.JobStatus(job.State.Status), effects{}, nil
		}
		return sFailed, effects{
			At:             job.State.SuspendedAt.Add(p.expiry),
			FailureReasons: []store.JobFailure{{Code: FailureCodeSuspendedTooLong, Reason: reason}},
		}, nil
	})
}

// expireDue fails every job whose Suspended time has run out. It runs
// before every ListJobs so that a list never shows such a job as Suspended;
// when no job is due it is one indexed read that finds nothing.
//
// To keep that read off the path of most lists, the provider remembers the
// earliest moment a job can next fall due: the oldest Suspended job's
// deadline, or, if sooner, the deadline of a job suspended right at the
// check, less a margin (no job suspended later, on any node, can fall due
// before it).
func (p *Provider) expireDue(ctx context.Context) (int, error) {
	now := p.now()
	if now.UnixMilli() < p.nextExpiry.Load() {
		return 0, nil
	}
	n := 0
	for {
		due, err := p.jobs.SuspendedBefore(ctx, now.Add(-p.expiry), sweepBatch)
		if err != nil {
			return n, err
		}
		for i := range due {
			if _, err := p.expire(ctx, &due[i]); err != nil {
				var nf *api.NotFoundException
				if errors.As(err, &nf) {
					continue
				}
				return n, err
			}
			n++
		}
		if len(due) < sweepBatch {
			break
		}
	}
	// A job suspended just before the check may commit just after it; its
	// deadline is earlier than now+expiry by at most the time a write
	// takes, which the minute of margin covers.
	next := now.Add(p.expiry - time.Minute)
	oldest, err := p.jobs.SuspendedBefore(ctx, time.UnixMilli(math.MaxInt64/2), 1)
	if err != nil {
		return n, err
	}
	if len(oldest) == 1 {
		if d := oldest[0].State.SuspendedAt.Add(p.expiry); d.Before(next) {
			next = d
		}
	}
	p.nextExpiry.Store(next.UnixMilli())
	return n, nil
}

// days writes a duration in days when it is a whole number of them.
func days(d time.Duration) string {
	const day = 24 * time.Hour
	if d%day == 0 {
		if d == day {
			return "1 day"
		}
		return fmt.Sprintf("%d days", d/day)
	}
	return d.String()
}
