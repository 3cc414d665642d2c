package batch

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"sync"

	"github.com/jobplane/jobplane/internal/objectstore"
	"github.com/jobplane/jobplane/internal/provider/s3control"
	"github.com/jobplane/jobplane/internal/store"
)

// execution runs the tasks of one job from its checkpoint on: one reader
// goroutine streams the manifest and claims rows in the checkpoint window,
// workers perform the tasks (alone, or in batches on a store that can
// batch), and their results go to the spool and the window together, under
// one lock, so that a checkpoint (the window, the spool's size and the
// counters, taken under that lock) always describes the same rows.
type execution struct {
	e     *Engine
	j     *jobSpec
	op    operation
	bop   batchOperation           // nil unless tasks go in batches
	bu    objectstore.BatchUpdater // the store, when bop is set
	chunk int
	spool *Spool

	mu         sync.Mutex // guards win.Done, spool appends and the counters
	win        *Window
	succ, fail int64
	phase      string
	soft       context.Context
	stop       context.CancelCauseFunc
	// stopping is called once the reader stopped early, with the cause,
	// while the tasks in flight finish (the job shows Pausing or Failing
	// meanwhile).
	stopping func(cause error)
}

// Checkpoint phases.
const (
	phaseRun  = "run"
	phaseDone = "done" // every row is done: only the report is left
)

// newExecution prepares a job's execution from its checkpoint; resumed
// tells that the run before stopped with the job Active.
func (e *Engine) newExecution(soft context.Context, stop context.CancelCauseFunc, j *jobSpec, cp store.BatchCheckpoint, resumed bool) (*execution, error) {
	buckets := newBucketCache(e.objects, e.clock)
	op, err := newOperation(opEnv{objects: e.objects, clock: e.clock, invoker: e.invoker, job: j, buckets: buckets, resumed: resumed})
	if err != nil {
		return nil, err
	}
	x := &execution{e: e, j: j, op: op, chunk: 1, succ: cp.Succeeded, fail: cp.Failed, phase: cp.Phase, soft: soft, stop: stop}
	// Tasks go in batches only where the store changes a batch in one
	// write; elsewhere each task is its own request.
	if bop, ok := op.(batchOperation); ok && e.batch > 1 {
		if bu, batches := e.objects.(objectstore.BatchUpdater); batches {
			x.bop, x.bu, x.chunk = bop, bu, e.batch
		}
	}
	if x.phase == "" {
		x.phase = phaseRun
	}
	x.win = NewWindow(windowPerWorker*e.perJob*x.chunk+x.chunk, cp.Mark, cp.Position, cp.Done)
	if err := os.MkdirAll(e.jobDir(j.key), 0o755); err != nil {
		return nil, err
	}
	if x.spool, err = OpenSpool(e.spoolPath(j.key), cp.SpoolSize); err != nil {
		return nil, err
	}
	return x, nil
}

// run performs every task not done yet, until the manifest ends or the
// soft context stops it, checkpointing as it goes and once more at the
// end. It returns nil when every row is done, the stop's cause, a
// *manifest.Failure for a manifest the job cannot finish, or another error.
func (x *execution) run(hard context.Context) error {
	if x.phase == phaseDone {
		return nil
	}
	ckDone := make(chan struct{})
	var ckWG sync.WaitGroup
	ckWG.Add(1)
	go func() {
		defer ckWG.Done()
		x.checkpointLoop(ckDone)
	}()

	work := make(chan []*task, x.e.perJob)
	var wg sync.WaitGroup
	for range x.e.perJob {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ts := range work {
				if x.soft.Err() != nil {
					continue // queued, not started: these rows run again on resume
				}
				x.record(ts, x.exec(hard, ts))
			}
		}()
	}
	readErr := x.read(hard, work)
	close(work)
	if cause := context.Cause(x.soft); cause != nil && x.stopping != nil {
		x.stopping(cause)
	}
	wg.Wait()
	close(ckDone)
	ckWG.Wait()

	cause := context.Cause(x.soft)
	if readErr == nil && cause == nil {
		x.phase = phaseDone
	}
	if err := x.checkpoint(); err != nil {
		return err
	}
	switch {
	case readErr != nil:
		return readErr
	case cause != nil:
		return cause
	}
	return nil
}

// read streams the manifest into work, in chunks, until it ends or the
// soft context stops it.
func (x *execution) read(hard context.Context, work chan<- []*task) error {
	mark, pos, _ := x.win.Checkpoint()
	src, err := x.e.openSource(hard, x.j, pos, mark)
	if err != nil {
		return err
	}
	defer src.close()
	chunk := make([]*task, 0, x.chunk)
	flush := func() bool {
		if len(chunk) == 0 {
			return true
		}
		select {
		case work <- chunk:
			chunk = make([]*task, 0, x.chunk)
			return true
		case <-x.soft.Done():
			return false
		}
	}
	for x.soft.Err() == nil {
		entry, err := src.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		row, runIt, ok := x.win.TryNext()
		if !ok {
			if !flush() {
				return nil
			}
			if row, runIt, err = x.win.Next(x.soft); err != nil {
				return nil
			}
		}
		t := &task{row: row, pos: src.position(), entry: entry}
		if !runIt {
			// Done before the checkpoint: its result is in the spool.
			x.mu.Lock()
			x.win.Done(row, t.pos)
			x.mu.Unlock()
			continue
		}
		chunk = append(chunk, t)
		if len(chunk) == x.chunk && !flush() {
			return nil
		}
	}
	flush()
	return nil
}

// exec performs tasks, retrying retryable failures with backoff, and
// returns their outcomes.
func (x *execution) exec(hard context.Context, ts []*task) []outcome {
	outs := x.attempt(hard, ts)
	for n := 1; n < x.e.retry.Attempts; n++ {
		var again []int
		for i, o := range outs {
			if o.retry {
				again = append(again, i)
			}
		}
		if len(again) == 0 {
			break
		}
		select {
		case <-x.e.clock.After(x.e.retry.backoff(n)):
		case <-hard.Done():
			for _, i := range again {
				outs[i] = outcome{abandon: true}
			}
			return outs
		}
		sub := make([]*task, len(again))
		for k, i := range again {
			sub[k] = ts[i]
		}
		for k, o := range x.attempt(hard, sub) {
			outs[again[k]] = o
		}
	}
	return outs
}

// attempt performs tasks once, each attempt bounded by the task timeout.
func (x *execution) attempt(hard context.Context, ts []*task) []outcome {
	ctx, cancel := context.WithTimeout(hard, x.e.timeout)
	defer cancel()
	var outs []outcome
	if x.bop != nil && len(ts) > 1 {
		outs = x.bop.runBatch(ctx, x.bu, ts)
	} else {
		outs = make([]outcome, len(ts))
		for i, t := range ts {
			outs[i] = x.op.run(ctx, t)
		}
	}
	if hard.Err() == nil {
		for i := range outs {
			if outs[i].abandon { // the attempt's own deadline, not a stop
				outs[i] = outcome{failed: true, status: http.StatusRequestTimeout, code: "RequestTimeout",
					msg: "The task did not finish within the time allowed.", retry: true}
			}
		}
	}
	return outs
}

// record stores finished tasks' results and marks their rows done; a task
// abandoned because the engine is stopping stays not done. It stops the
// job when the failure threshold is crossed (spec §5.4: at least 1,000
// tasks run and more than half failed).
func (x *execution) record(ts []*task, outs []outcome) {
	x.mu.Lock()
	for i, t := range ts {
		o := outs[i]
		if o.abandon {
			continue
		}
		x.spool.Append(t.result(o))
		if o.failed {
			x.fail++
		} else {
			x.succ++
		}
		x.win.Done(t.row, t.pos)
	}
	total, failed := x.succ+x.fail, x.fail
	x.mu.Unlock()
	if total >= 1000 && 2*failed > total {
		x.stop(errThreshold)
	}
}

func (x *execution) checkpointLoop(done <-chan struct{}) {
	for {
		select {
		case <-done:
			return
		case <-x.e.clock.After(x.e.interval):
		}
		if err := x.checkpoint(); err != nil {
			if errors.Is(err, store.ErrBatchRunLeased) {
				x.stop(errLeaseLost)
				return
			}
			x.e.log.Error("batch: checkpoint", "job", x.j.key.String(), "error", err)
		}
	}
}

// checkpoint makes the results so far durable and records where the job
// stands: the spool first, then the checkpoint naming its size, then the
// progress counters the checkpoint holds.
func (x *execution) checkpoint() error {
	x.mu.Lock()
	mark, pos, done := x.win.Checkpoint()
	size, ferr := x.spool.Flush()
	cp := store.BatchCheckpoint{Phase: x.phase, Mark: mark, Position: pos, Done: done, SpoolSize: size, Succeeded: x.succ, Failed: x.fail}
	x.mu.Unlock()
	if ferr != nil {
		return fmt.Errorf("batch: spool of job %s: %w", x.j.key, ferr)
	}
	if err := x.spool.SyncFile(); err != nil {
		return fmt.Errorf("batch: spool of job %s: %w", x.j.key, err)
	}
	ctx := context.WithoutCancel(x.soft)
	if err := x.e.runs.SaveBatchCheckpoint(ctx, x.j.key.account, x.j.key.id, x.e.node, x.e.clock.Now(), x.e.leaseUntil(), cp); err != nil {
		return err
	}
	return x.e.control.SetProgress(ctx, x.j.key.account, x.j.key.id,
		s3control.Progress{TotalTasks: max(x.j.total, cp.Succeeded+cp.Failed), Succeeded: cp.Succeeded, Failed: cp.Failed})
}

// counters returns the tasks done so far.
func (x *execution) counters() (succ, fail int64) {
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.succ, x.fail
}

func (x *execution) close() error { return x.spool.Close() }
