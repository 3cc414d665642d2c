package batch

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/jobplane/jobplane/internal/batch/lambda"
	"github.com/jobplane/jobplane/internal/clock"
	"github.com/jobplane/jobplane/internal/objectstore"
	"github.com/jobplane/jobplane/internal/provider/s3control"
	"github.com/jobplane/jobplane/internal/store"
)

// Defaults of the engine's settings.
const (
	// DefaultBatchSize is how many tasks go into one store write on a
	// store that can batch (objectstore.BatchUpdater).
	DefaultBatchSize = 256
	// DefaultCheckpointInterval keeps ProgressSummary fresher than the one
	// second the issue asks for.
	DefaultCheckpointInterval = 500 * time.Millisecond
	// DefaultLease is how long a node's claim on a running job lasts
	// without a checkpoint renewing it.
	DefaultLease = 30 * time.Second
	// DefaultTaskTimeout bounds one attempt of one task.
	DefaultTaskTimeout = 5 * time.Minute
	// MaxReplicationJobs is how many S3ReplicateObject jobs of an account
	// run at once (spec §8.8: "max 6 active Batch Replication jobs per
	// account"); the others wait by priority.
	MaxReplicationJobs = 6
	// windowPerWorker sizes the checkpoint window: enough rows in flight
	// beyond the watermark for every worker to have a full batch and the
	// next one queued.
	windowPerWorker = 2
)

// Options configure an Engine.
type Options struct {
	// Control is the control plane the engine reports to. Required.
	Control s3control.Control
	// Objects is the object store the tasks act on, in-process. Required.
	Objects objectstore.Store
	// Runs keeps the checkpoints. Required.
	Runs store.BatchRuns
	// Dir holds the engine's local files: result spools and generated
	// manifests. Required.
	Dir string
	// Node names this engine in the leases of the jobs it runs; it must be
	// the same after a restart on the same data (the store's instance id).
	Node string
	// Clock is read for backoffs, checkpoints and leases. Nil means the
	// real clock.
	Clock clock.Clock
	// Logger receives background errors. Nil discards.
	Logger *slog.Logger
	// Lambda invokes the functions of LambdaInvoke jobs; nil fails them.
	Lambda lambda.Invoker
	// JobConcurrency is how many tasks (or batches of tasks) of one job are
	// in flight at once. Required (cmd/jobplane picks defaults for the
	// embedded and the remote store).
	JobConcurrency int
	// Concurrency is how many tasks are in flight over all jobs: the engine
	// runs Concurrency/JobConcurrency jobs at once (at least one), and a
	// job of higher priority arriving while they all run pauses the lowest.
	Concurrency int
	// BatchSize is how many tasks of a batchable operation go into one
	// store write. Zero means DefaultBatchSize.
	BatchSize int
	// Retry is the retry policy of retryable task failures. Zero means
	// DefaultRetry.
	Retry Retry
	// CheckpointInterval is how often a running job checkpoints and
	// reports its progress. Zero means DefaultCheckpointInterval.
	CheckpointInterval time.Duration
	// Lease is how long a claim on a job lasts between checkpoints. Zero
	// means DefaultLease.
	Lease time.Duration
	// TaskTimeout bounds one attempt of one task. Zero means
	// DefaultTaskTimeout.
	TaskTimeout time.Duration
}

// Engine runs S3 Batch Operations jobs. It implements the control plane's
// s3control.Scheduler and s3control.Preparer.
type Engine struct {
	control  s3control.Control
	objects  objectstore.Store
	runs     store.BatchRuns
	dir      string
	node     string
	clock    clock.Clock
	log      *slog.Logger
	invoker  lambda.Invoker
	perJob   int
	maxJobs  int
	batch    int
	retry    Retry
	interval time.Duration
	lease    time.Duration
	timeout  time.Duration

	sched    *scheduler
	bg       context.Context
	cancel   context.CancelFunc
	wg       sync.WaitGroup
	stopOnce sync.Once
}

var (
	_ s3control.Scheduler = (*Engine)(nil)
	_ s3control.Preparer  = (*Engine)(nil)
)

// New returns an engine; call Start once the control plane has started.
func New(opts Options) (*Engine, error) {
	if opts.Control == nil || opts.Objects == nil || opts.Runs == nil || opts.Dir == "" {
		return nil, errors.New("batch: Options.Control, Objects, Runs and Dir are required")
	}
	if opts.JobConcurrency < 1 {
		return nil, errors.New("batch: Options.JobConcurrency must be at least 1")
	}
	if err := os.MkdirAll(opts.Dir, 0o755); err != nil {
		return nil, fmt.Errorf("batch: %w", err)
	}
	e := &Engine{
		control: opts.Control, objects: opts.Objects, runs: opts.Runs, dir: opts.Dir, node: opts.Node,
		clock: opts.Clock, log: opts.Logger, invoker: opts.Lambda, perJob: opts.JobConcurrency,
		batch: opts.BatchSize, retry: opts.Retry, interval: opts.CheckpointInterval, lease: opts.Lease, timeout: opts.TaskTimeout,
	}
	if e.node == "" {
		e.node = "jobplane"
	}
	if e.clock == nil {
		e.clock = clock.Real{}
	}
	if e.log == nil {
		e.log = slog.New(slog.DiscardHandler)
	}
	e.maxJobs = max(1, opts.Concurrency/opts.JobConcurrency)
	if e.batch <= 0 {
		e.batch = DefaultBatchSize
	}
	if e.retry.Attempts <= 0 {
		e.retry = DefaultRetry
	}
	if e.interval <= 0 {
		e.interval = DefaultCheckpointInterval
	}
	if e.lease <= 0 {
		e.lease = DefaultLease
	}
	if e.lease < 4*e.interval {
		e.lease = 4 * e.interval
	}
	if e.timeout <= 0 {
		e.timeout = DefaultTaskTimeout
	}
	e.bg, e.cancel = context.WithCancel(context.Background())
	e.sched = newScheduler(e)
	return e, nil
}

// Start begins running the jobs submitted so far and those submitted
// later, and removes what jobs that ended while the engine was down left
// behind (run records, spools, generated manifests).
func (e *Engine) Start(ctx context.Context) error {
	if err := e.sweepLeftovers(ctx); err != nil {
		return err
	}
	e.sched.start()
	return nil
}

// Stop ends every run at its next checkpoint, leaving its job where it is
// in the store (a later Start resumes it), and waits for the work to end.
func (e *Engine) Stop() error {
	e.stopOnce.Do(func() {
		e.sched.stop()
		e.cancel()
		e.wg.Wait()
	})
	return nil
}

// Submit implements s3control.Scheduler.
func (e *Engine) Submit(_ context.Context, job s3control.JobRef) { e.sched.submit(job) }

// Cancel implements s3control.Scheduler.
func (e *Engine) Cancel(_ context.Context, job s3control.JobRef) { e.sched.cancel(job) }

// Reprioritize implements s3control.Scheduler.
func (e *Engine) Reprioritize(_ context.Context, job s3control.JobRef) { e.sched.reprioritize(job) }

// goBackground runs fn in the background; Stop waits for it and ends its
// context.
func (e *Engine) goBackground(fn func(ctx context.Context)) {
	e.wg.Add(1)
	go func() {
		defer e.wg.Done()
		fn(e.bg)
	}()
}

// jobDir is the directory of an account's local files.
func (e *Engine) jobDir(k jobKey) string { return filepath.Join(e.dir, k.account) }

// spoolPath is where a job's results wait for the report.
func (e *Engine) spoolPath(k jobKey) string { return filepath.Join(e.jobDir(k), k.id+".spool") }

// generatedPath is the object list the manifest generator wrote for a job.
func (e *Engine) generatedPath(k jobKey) string {
	return filepath.Join(e.jobDir(k), k.id+".manifest.csv")
}

// removeFiles deletes a job's local files.
func (e *Engine) removeFiles(k jobKey) {
	for _, p := range []string{e.spoolPath(k), e.generatedPath(k)} {
		if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
			e.log.Warn("batch: removing a finished job's file", "path", p, "error", err)
		}
	}
}

// leaseUntil is the end of a lease taken or renewed now.
func (e *Engine) leaseUntil() time.Time { return e.clock.Now().Add(e.lease) }
