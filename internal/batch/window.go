// Package batch is the S3 Batch Operations job engine: it reads a job's
// manifest as a stream, runs its operation on every object with bounded
// concurrency, checkpoints its place so that a crash loses nothing, and
// writes the completion report.
package batch

import (
	"context"
	"slices"
	"sync"
)

// Window tracks which manifest rows are done while tasks finish out of
// order. Its watermark is the first row not yet done: every row before it is
// done. Rows done beyond the watermark are remembered individually; the
// window keeps at most Size rows in flight past the watermark, so a
// checkpoint (watermark, rows done beyond it) stays small however large the
// manifest. After a crash the job restarts reading at the watermark and skips
// the rows already done beyond it: every row is done exactly once.
type Window struct {
	mu      sync.Mutex
	size    int64
	mark    int64              // every row < mark is done
	next    int64              // the next row to hand out
	done    map[int64]struct{} // rows >= mark that are done
	offsets map[int64]int64    // manifest offset after each row in flight
	markOff int64              // manifest offset after row mark-1
	room    chan struct{}      // signalled when the watermark moves
}

// NewWindow returns a window of size rows starting at row mark, whose
// manifest offset is offset (0, 0 for a fresh job), with the rows in done
// already done beyond it (from a checkpoint).
func NewWindow(size int, mark, offset int64, done []int64) *Window {
	w := &Window{size: int64(size), mark: mark, next: mark, markOff: offset,
		done: make(map[int64]struct{}, len(done)), offsets: map[int64]int64{}, room: make(chan struct{}, 1)}
	for _, r := range done {
		if r >= mark {
			w.done[r] = struct{}{}
		}
	}
	return w
}

// Next claims the next row for a task, blocking while the window is full.
// One goroutine, the one reading the manifest, calls Next; any goroutine
// calls Done. It returns the row number and whether the row must run: false
// for a row a checkpoint already recorded as done (the caller reads past it
// and calls Done with its offset, as for any other row). It fails only when
// ctx ends.
func (w *Window) Next(ctx context.Context) (row int64, run bool, err error) {
	for {
		var ok bool
		if row, run, ok = w.TryNext(); ok {
			return row, run, nil
		}
		select {
		case <-w.room:
		case <-ctx.Done():
			return 0, false, ctx.Err()
		}
	}
}

// TryNext is Next without waiting: ok is false when the window is full.
func (w *Window) TryNext() (row int64, run, ok bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.next-w.mark >= w.size {
		return 0, false, false
	}
	row = w.next
	w.next++
	_, already := w.done[row]
	return row, !already, true
}

// Done records that row is done and that the manifest continues at offset
// after it.
func (w *Window) Done(row, offset int64) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.done[row] = struct{}{}
	w.offsets[row] = offset
	moved := false
	// The watermark never passes an unclaimed row: a row a checkpoint
	// recorded as done must still be claimed (and skipped) by Next.
	for w.mark < w.next {
		if _, ok := w.done[w.mark]; !ok {
			break
		}
		if off, ok := w.offsets[w.mark]; ok {
			w.markOff = off
		}
		delete(w.done, w.mark)
		delete(w.offsets, w.mark)
		w.mark++
		moved = true
	}
	if moved {
		select {
		case w.room <- struct{}{}:
		default:
		}
	}
}

// Checkpoint returns where a resumed job starts: the watermark row, the
// manifest offset at which it starts, and the rows done beyond it, in order.
func (w *Window) Checkpoint() (mark, offset int64, done []int64) {
	w.mu.Lock()
	defer w.mu.Unlock()
	done = make([]int64, 0, len(w.done))
	for r := range w.done {
		done = append(done, r)
	}
	slices.Sort(done)
	return w.mark, w.markOff, done
}
