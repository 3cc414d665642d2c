package embedded

import (
	"context"
	"fmt"
	"os"
)

// SyncMode is how uploads are made durable.
type SyncMode int

// Sync modes.
const (
	// SyncDefault picks SyncFS where the system has syncfs, else SyncFiles.
	SyncDefault SyncMode = iota
	// SyncFS makes uploads durable in groups: uploads that finish writing
	// while a sync runs wait for the next one, and one syncfs(2) of the
	// data directory's filesystem covers all their data and renames. An
	// fsync costs about as much as a syncfs on one file, so this turns N
	// fsyncs into one per group.
	SyncFS
	// SyncFiles fsyncs each file and its directory, upload by upload.
	SyncFiles
)

// syncer runs one sync at a time for every waiter queued before it started:
// a syncfs of the data directory's filesystem, or an fdatasync of a pack.
type syncer struct {
	fn   func() error
	reqs chan chan error
	done chan struct{}
}

// newFSSyncer syncs the filesystem holding dir.
func newFSSyncer(dir string) (*syncer, error) {
	d, err := os.Open(dir)
	if err != nil {
		return nil, fmt.Errorf("embedded: %w", err)
	}
	s := newSyncer(func() error { return syncFS(d) })
	go func() { <-s.done; d.Close() }()
	return s, nil
}

func newSyncer(fn func() error) *syncer {
	s := &syncer{fn: fn, reqs: make(chan chan error, 4096), done: make(chan struct{})}
	go s.run()
	return s
}

func (s *syncer) run() {
	defer close(s.done)
	batch := make([]chan error, 0, 256)
	for first := range s.reqs {
		batch = append(batch[:0], first)
	fill:
		for {
			select {
			case r, ok := <-s.reqs:
				if !ok {
					break fill
				}
				batch = append(batch, r)
			default:
				break fill
			}
		}
		err := s.fn()
		if err != nil {
			err = fmt.Errorf("embedded: syncing object data: %w", err)
		}
		for _, r := range batch {
			r <- err
		}
	}
}

// wait returns once a sync that started after the call has finished.
func (s *syncer) wait(ctx context.Context) error {
	r := make(chan error, 1)
	select {
	case s.reqs <- r:
	case <-ctx.Done():
		return ctx.Err()
	}
	// Once queued the sync happens; waiting for it keeps "nil means durable"
	// true even if ctx ends meanwhile.
	return <-r
}

func (s *syncer) close() {
	close(s.reqs)
	<-s.done
}
