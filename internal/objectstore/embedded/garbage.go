package embedded

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/jobplane/jobplane/internal/store"
)

// This file frees what removed records leave behind: garbage the store
// lists, files a crash left without a record, and packs without live
// objects.

// discard schedules files that a committed change stopped referencing: they
// are unlinked once every reader that began before the change has finished.
func (f *files) discard(refs []store.DataRef) {
	if len(refs) == 0 {
		return
	}
	g := f.epochs.advance()
	f.mu.Lock()
	f.pending = append(f.pending, pendingGarbage{epoch: g, refs: refs})
	f.mu.Unlock()
	select {
	case f.kick <- struct{}{}:
	default:
	}
}

// reaper frees what discard schedules. After an unclean stop it first
// removes the files from before the start that no record uses.
func (f *files) reaper(existing []string) {
	defer close(f.done)
	ctx := context.Background()
	f.removeOrphans(ctx, existing)
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-f.stop:
			f.freePending(ctx, true)
			return
		case <-f.kick:
		case <-tick.C:
		}
		f.freePending(ctx, false)
	}
}

// freeStored frees the garbage the store lists. It runs at start, before
// any reader exists, so every file listed can go at once. Packs are left to
// openFiles, which checks every pack on disk right after.
func (f *files) freeStored(ctx context.Context) error {
	for {
		refs, err := f.meta.Garbage(ctx, 1000)
		if err != nil {
			return fmt.Errorf("embedded: listing garbage: %w", err)
		}
		if len(refs) == 0 {
			return nil
		}
		ids := make([]string, len(refs))
		for i, r := range refs {
			ids[i] = r.ID
		}
		f.remove(refs...)
		if err := f.meta.ReleaseGarbage(ctx, ids); err != nil {
			return fmt.Errorf("embedded: releasing garbage: %w", err)
		}
	}
}

// freePacks deletes the packs of released packed objects that hold no live
// object any more.
func (f *files) freePacks(ctx context.Context, refs []store.DataRef) error {
	ids := map[string]bool{}
	for _, r := range refs {
		if packID, _, ok := parsePackRef(r.ID); ok {
			ids[packID] = true
		}
	}
	if len(ids) == 0 {
		return nil
	}
	if err := f.packs.dead(ctx, f.meta, ids); err != nil {
		return fmt.Errorf("embedded: freeing packs: %w", err)
	}
	return nil
}

// freePending unlinks the scheduled garbage no reader can still use and
// tells the store it is gone.
func (f *files) freePending(ctx context.Context, final bool) {
	f.mu.Lock()
	var ready []store.DataRef
	keep := f.pending[:0]
	for _, p := range f.pending {
		if f.epochs.safe(p.epoch) {
			ready = append(ready, p.refs...)
		} else {
			keep = append(keep, p)
		}
	}
	f.pending = keep
	f.mu.Unlock()
	if len(ready) == 0 {
		return
	}
	f.remove(ready...)
	ids := make([]string, len(ready))
	for i, r := range ready {
		ids[i] = r.ID
	}
	if err := f.meta.ReleaseGarbage(ctx, ids); err != nil {
		if !final {
			f.log.Warn("releasing object garbage", "error", err)
		}
		return
	}
	if err := f.freePacks(ctx, ready); err != nil && !final {
		f.log.Warn("freeing packs", "error", err)
	}
}

// dataFiles lists the ids of every data file, removing the temporary files
// of uploads that never finished when removeTmp is set.
func dataFiles(dir string, removeTmp bool) ([]string, error) {
	var ids []string
	for i := range 256 {
		sub := filepath.Join(dir, "data", fmt.Sprintf("%02x", i))
		entries, err := os.ReadDir(sub)
		if err != nil {
			return nil, fmt.Errorf("embedded: scanning object data: %w", err)
		}
		for _, e := range entries {
			switch {
			case !e.Type().IsRegular():
			case strings.HasSuffix(e.Name(), tmpSuffix):
				if removeTmp {
					_ = os.Remove(filepath.Join(sub, e.Name()))
				}
			default:
				ids = append(ids, e.Name())
			}
		}
	}
	return ids, nil
}

// removeOrphans deletes the data files from before this start (ids) that no
// record references: uploads whose metadata commit a crash prevented.
func (f *files) removeOrphans(ctx context.Context, ids []string) {
	for len(ids) > 0 {
		n := min(len(ids), 500)
		chunk := ids[:n]
		ids = ids[n:]
		inUse, err := f.meta.DataInUse(ctx, chunk)
		if err != nil {
			f.log.Warn("scanning object data", "error", err)
			return
		}
		for _, id := range chunk {
			if !inUse[id] {
				f.remove(store.DataRef{ID: id})
			}
		}
		select {
		case <-f.stop:
			return
		default:
		}
	}
}

// close stops the reaper and, when nothing is left to free, marks the
// directory clean so that the next start skips the orphan scan.
func (f *files) close() error {
	f.mu.Lock()
	if f.closed {
		f.mu.Unlock()
		return errors.New("embedded: closed")
	}
	f.closed = true
	f.mu.Unlock()
	close(f.stop)
	<-f.done
	if f.sync != nil {
		f.sync.close()
	}
	f.packs.close()
	fh, err := os.Create(filepath.Join(f.dir, cleanMarker))
	if err != nil {
		return err
	}
	if err := fh.Close(); err != nil {
		return err
	}
	return syncDir(f.dir)
}

// epochs tells when no reader can still use a file: each reader notes the
// epoch it began in; garbage freed by a commit gets the next epoch and is
// safe once no reader of an earlier epoch is open.
type epochs struct {
	mu     sync.Mutex
	cur    uint64
	active map[uint64]int
}

func (e *epochs) begin() uint64 {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.active[e.cur]++
	return e.cur
}

func (e *epochs) end(x uint64) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.active[x]--; e.active[x] <= 0 {
		delete(e.active, x)
	}
}

func (e *epochs) advance() uint64 {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.cur++
	return e.cur
}

func (e *epochs) safe(g uint64) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	for x := range e.active {
		if x < g {
			return false
		}
	}
	return true
}
