package batch

import (
	"context"
	"errors"
	"sort"
	"sync"
	"time"

	api "github.com/jobplane/jobplane/internal/api/s3control"
	"github.com/jobplane/jobplane/internal/provider/s3control"
)

// The scheduler decides which jobs run. The engine runs up to maxJobs jobs
// at once; the others wait, higher priority first, then in the order they
// arrived. A job that waits while a job of lower priority runs and every
// place is taken pauses the lowest-priority running job (spec §10.2:
// Active → Pausing → Paused, Active again once it gets a place back).
// Equal priorities never pause each other, so that jobs do not thrash.
// An account's replication jobs follow the same rule among themselves
// within their own limit, MaxReplicationJobs. Jobs that only need their
// report written (Completing, Cancelling, Failing) are finished at once,
// outside the places.

type slotState int

const (
	waiting slotState = iota
	running
	finishing
)

// slot is a job the scheduler knows.
type slot struct {
	key      jobKey
	priority int32
	seq      uint64
	status   api.JobStatus
	state    slotState
	// replication marks S3ReplicateObject jobs, of which an account runs
	// at most MaxReplicationJobs at once.
	replication bool
	// pausing is set once the running job was asked to pause.
	pausing bool
	stop    context.CancelCauseFunc
	// notBefore delays a job whose run failed for a reason that may pass.
	notBefore time.Time
	// storedPaused is set once a waiting job that the store shows Active
	// or Pausing (after a restart) was moved to Paused; storing is set
	// while that move runs (the job does not start meanwhile).
	storedPaused, storing bool
}

// Causes of a run's end, given to its soft-stop context.
var (
	errPause     = errors.New("batch: paused for a job of higher priority")
	errCancelled = errors.New("batch: cancelled")
	errShutdown  = errors.New("batch: engine stopping")
	errThreshold = errors.New("batch: task failure threshold exceeded")
	errLeaseLost = errors.New("batch: another node took the job")
)

type scheduler struct {
	e       *Engine
	mu      sync.Mutex
	slots   map[jobKey]*slot
	seq     uint64
	started bool
	stopped bool
	// wakeAt is when the pending wake-up (see wake) reschedules, zero when
	// none is pending; cancelWake abandons it.
	wakeAt     time.Time
	cancelWake context.CancelFunc
}

func newScheduler(e *Engine) *scheduler {
	return &scheduler{e: e, slots: map[jobKey]*slot{}}
}

func (s *scheduler) start() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.started = true
	s.reschedule()
}

func (s *scheduler) stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stopped = true
	for _, sl := range s.slots {
		if sl.stop != nil {
			sl.stop(errShutdown)
		}
	}
}

func keyOf(ref s3control.JobRef) jobKey { return jobKey{ref.AccountID, ref.JobID} }

// needsFinish reports whether a job in status only needs its end written.
func needsFinish(status api.JobStatus) bool {
	return status == api.JobStatusCompleting || status == api.JobStatusCancelling || status == api.JobStatusFailing
}

func runnable(status api.JobStatus) bool {
	switch status {
	case api.JobStatusReady, api.JobStatusActive, api.JobStatusPausing, api.JobStatusPaused:
		return true
	}
	return false
}

func (s *scheduler) submit(ref s3control.JobRef) {
	s.mu.Lock()
	defer s.mu.Unlock()
	// The operation decides the replication limit, and the stored priority
	// wins over ref's: a priority change that committed after ref was read
	// but reached reprioritize before this job had a slot would otherwise be
	// lost. Reading under s.mu orders the read after any such reprioritize.
	// It is one indexed read, quick enough for Submit.
	replication := false
	if j, err := s.e.control.Job(context.Background(), ref.AccountID, ref.JobID); err == nil {
		if op := j.Descriptor.Operation; op != nil {
			replication = op.S3ReplicateObject != nil
		}
		if j.Descriptor.Priority != nil {
			ref.Priority = *j.Descriptor.Priority
		}
	}
	k := keyOf(ref)
	if sl, ok := s.slots[k]; ok {
		if sl.state == waiting {
			sl.priority, sl.status = ref.Priority, ref.Status
			if needsFinish(ref.Status) {
				s.finish(sl)
			}
		}
		s.reschedule()
		return
	}
	if !runnable(ref.Status) && !needsFinish(ref.Status) {
		return
	}
	s.seq++
	sl := &slot{key: k, priority: ref.Priority, seq: s.seq, status: ref.Status, replication: replication}
	s.slots[k] = sl
	if needsFinish(ref.Status) {
		s.finish(sl)
	}
	s.reschedule()
}

func (s *scheduler) cancel(ref s3control.JobRef) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := keyOf(ref)
	sl, ok := s.slots[k]
	switch {
	case ok && sl.state == running:
		sl.stop(errCancelled)
	case ok && sl.state == waiting && ref.Status == api.JobStatusCancelled:
		delete(s.slots, k)
	case ok && sl.state == waiting:
		sl.status = ref.Status
		s.finish(sl)
	case !ok && ref.Status == api.JobStatusCancelling:
		s.seq++
		sl = &slot{key: k, priority: ref.Priority, seq: s.seq, status: ref.Status}
		s.slots[k] = sl
		s.finish(sl)
	}
	s.reschedule()
}

func (s *scheduler) reprioritize(ref s3control.JobRef) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if sl, ok := s.slots[keyOf(ref)]; ok {
		sl.priority = ref.Priority
	}
	s.reschedule()
}

// reschedule starts and pauses jobs; s.mu is held.
func (s *scheduler) reschedule() {
	if !s.started || s.stopped {
		return
	}
	now := s.e.clock.Now()
	var run, wait []*slot
	for _, sl := range s.slots {
		switch sl.state {
		case running:
			run = append(run, sl)
		case waiting:
			wait = append(wait, sl)
		}
	}
	sort.Slice(wait, func(i, j int) bool {
		if wait[i].priority != wait[j].priority {
			return wait[i].priority > wait[j].priority
		}
		return wait[i].seq < wait[j].seq
	})
	free := s.e.maxJobs - len(run)
	freeing := 0
	// Running replication jobs per account, and those of them pausing.
	replicating, replFreeing := map[string]int{}, map[string]int{}
	for _, r := range run {
		if r.pausing {
			freeing++
		}
		if r.replication {
			replicating[r.key.account]++
			if r.pausing {
				replFreeing[r.key.account]++
			}
		}
	}
	var retryAt time.Time
	for _, w := range wait {
		if now.Before(w.notBefore) {
			if retryAt.IsZero() || w.notBefore.Before(retryAt) {
				retryAt = w.notBefore
			}
			continue
		}
		if w.storing {
			continue
		}
		if w.replication && replicating[w.key.account] >= MaxReplicationJobs {
			// The account's replication jobs run by priority too: a job
			// already pausing makes room for this one, else the
			// lowest-priority one below it pauses.
			if replFreeing[w.key.account] > 0 {
				replFreeing[w.key.account]--
			} else if victim := lowestBelow(run, w.priority, func(r *slot) bool { return r.replication && r.key.account == w.key.account }); victim != nil {
				victim.pausing = true
				victim.stop(errPause)
			}
			continue
		}
		if free > 0 {
			free--
			if w.replication {
				replicating[w.key.account]++
			}
			s.launch(w)
			continue
		}
		if freeing > 0 {
			freeing-- // a job already pausing makes room for this one
			continue
		}
		victim := lowestBelow(run, w.priority, func(*slot) bool { return true })
		if victim == nil {
			break
		}
		victim.pausing = true
		victim.stop(errPause)
	}
	// Jobs that wait while the store says they run (a restart left them
	// Active or Pausing) are moved to Paused, which is what they are.
	for _, w := range wait {
		if w.state == waiting && (w.status == api.JobStatusActive || w.status == api.JobStatusPausing) && !w.storedPaused {
			w.storedPaused, w.storing = true, true
			key, status := w.key, w.status
			s.e.goBackground(func(ctx context.Context) {
				status := s.e.storePaused(ctx, key, status)
				s.mu.Lock()
				defer s.mu.Unlock()
				if sl, ok := s.slots[key]; ok && sl.state == waiting {
					sl.storing, sl.status = false, status
				}
				s.reschedule()
			})
		}
	}
	if !retryAt.IsZero() && (s.wakeAt.IsZero() || retryAt.Before(s.wakeAt)) {
		s.wake(retryAt, retryAt.Sub(now))
	}
}

// wake runs reschedule again at the time at, d from now, when a job that
// waits out its notBefore may start. At most one wake-up is pending: an
// earlier one replaces it, and a later one is left to the reschedule it
// runs. s.mu is held.
func (s *scheduler) wake(at time.Time, d time.Duration) {
	if s.cancelWake != nil {
		s.cancelWake()
	}
	ctx, cancel := context.WithCancel(s.e.bg)
	s.wakeAt, s.cancelWake = at, cancel
	s.e.goBackground(func(context.Context) {
		defer cancel()
		select {
		case <-s.e.clock.After(d):
		case <-ctx.Done():
			return
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		if ctx.Err() != nil {
			return // replaced while it waited for the lock
		}
		s.wakeAt, s.cancelWake = time.Time{}, nil
		s.reschedule()
	})
}

// lowestBelow is the running job that a waiting job of priority pauses:
// among those that match and are not pausing yet, the lowest priority below
// it, the youngest of equals; nil when there is none.
func lowestBelow(run []*slot, priority int32, match func(*slot) bool) *slot {
	var victim *slot
	for _, r := range run {
		if !r.pausing && r.priority < priority && match(r) && (victim == nil || r.priority < victim.priority ||
			r.priority == victim.priority && r.seq > victim.seq) {
			victim = r
		}
	}
	return victim
}

// launch runs a waiting job; s.mu is held.
func (s *scheduler) launch(sl *slot) {
	ctx, stop := context.WithCancelCause(s.e.bg)
	sl.state, sl.stop, sl.pausing = running, stop, false
	key := sl.key
	s.e.goBackground(func(hard context.Context) {
		res := s.e.runJob(hard, ctx, key)
		stop(nil)
		s.done(key, res)
	})
}

// finish writes the end of a job that needs nothing else; s.mu is held.
func (s *scheduler) finish(sl *slot) {
	sl.state = finishing
	key := sl.key
	s.e.goBackground(func(ctx context.Context) {
		res := s.e.finishJob(ctx, key)
		s.done(key, res)
	})
}

// runResult is how a run or a finish ended, for the scheduler.
type runResult int

const (
	// resultGone: the job is over or no longer the engine's.
	resultGone runResult = iota
	// resultPaused: the job stopped for a job of higher priority.
	resultPaused
	// resultStopped: the engine is stopping; the job resumes at the next
	// start.
	resultStopped
	// resultRetry: the run failed for a reason that may pass.
	resultRetry
)

// retryDelay is how long a job waits after a run failed for a reason that
// may pass (a store error, another node's lease).
const retryDelay = 5 * time.Second

func (s *scheduler) done(key jobKey, res runResult) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sl, ok := s.slots[key]
	if !ok {
		return
	}
	switch res {
	case resultPaused:
		sl.state, sl.status, sl.stop, sl.pausing, sl.storedPaused = waiting, api.JobStatusPaused, nil, false, true
	case resultRetry:
		sl.state, sl.stop, sl.pausing = waiting, nil, false
		sl.notBefore = s.e.clock.Now().Add(retryDelay)
	case resultStopped:
		sl.state, sl.stop = waiting, nil
	default:
		delete(s.slots, key)
	}
	s.reschedule()
}
