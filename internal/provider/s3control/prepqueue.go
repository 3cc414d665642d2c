package s3control

import (
	"context"
	"sync"

	"github.com/jobplane/jobplane/internal/store"
)

// prepQueue holds the jobs waiting for preparation, each at most once
// (queued or being prepared). It is only a schedule: the store says which
// jobs need preparing, and Start and Sweep rebuild the queue from it.
type prepQueue struct {
	mu      sync.Mutex
	pending []store.JobKey
	members map[store.JobKey]bool // queued or in flight
	wake    chan struct{}         // signalled when pending grows
	idle    chan struct{}         // closed while members is empty
}

func newPrepQueue() *prepQueue {
	q := &prepQueue{members: map[store.JobKey]bool{}, wake: make(chan struct{}, 1), idle: make(chan struct{})}
	close(q.idle)
	return q
}

// add queues k unless it is queued or being prepared, and reports whether
// it did.
func (q *prepQueue) add(k store.JobKey) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.members[k] {
		return false
	}
	if len(q.members) == 0 {
		q.idle = make(chan struct{})
	}
	q.members[k] = true
	q.pending = append(q.pending, k)
	select {
	case q.wake <- struct{}{}:
	default:
	}
	return true
}

// take returns the next job to prepare, waiting for one; false once ctx
// ends.
func (q *prepQueue) take(ctx context.Context) (store.JobKey, bool) {
	for {
		q.mu.Lock()
		if len(q.pending) > 0 {
			k := q.pending[0]
			q.pending[0] = store.JobKey{}
			q.pending = q.pending[1:]
			more := len(q.pending) > 0
			q.mu.Unlock()
			if more {
				// Pass the signal on so that another worker wakes too.
				select {
				case q.wake <- struct{}{}:
				default:
				}
			}
			return k, true
		}
		q.mu.Unlock()
		select {
		case <-ctx.Done():
			return store.JobKey{}, false
		case <-q.wake:
		}
	}
}

// done marks k's preparation finished.
func (q *prepQueue) done(k store.JobKey) {
	q.mu.Lock()
	defer q.mu.Unlock()
	delete(q.members, k)
	if len(q.members) == 0 {
		close(q.idle)
	}
}

// idleCh returns a channel closed when nothing is queued or in flight.
func (q *prepQueue) idleCh() <-chan struct{} {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.idle
}

// WaitPrepared waits until no job is queued for preparation or being
// prepared (tests and benchmarks use it instead of polling), or ctx ends.
func (p *Provider) WaitPrepared(ctx context.Context) error {
	select {
	case <-p.prep.idleCh():
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
