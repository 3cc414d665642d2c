package embedded

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"github.com/jobplane/jobplane/internal/store"
)

// Small objects are packed: appended to a shared pack file instead of
// getting a file each. Creating a file costs hundreds of microseconds of
// kernel time on the filesystems jobplane meets, several times what the rest
// of a small upload costs, while an append to an open file is a pwrite.
// Uploads appended to one pack share one fdatasync, as their metadata shares
// one commit.
//
//	packs/<packid>.pack   appended to until it reaches packRotate bytes
//
// A packed object's data id is "p<packid>-<offset in hex>". A crash during an
// append leaves bytes no committed record names; they are never read. A pack
// is deleted once it takes no more appends and no record references any of
// its objects; the space of a deleted object inside a pack that still holds
// live ones is reused only when the whole pack goes.
const (
	// packMax is the largest object packed.
	packMax = 1 << 20
	// packRotate is the size after which a pack takes no more appends.
	packRotate = 64 << 20
)

// pack is one pack file open for appends.
type pack struct {
	id   string
	f    *os.File
	size int64
	sync *syncer
	// writers counts appends whose metadata is not committed yet: a pack
	// is never judged dead while it has any.
	writers sync.WaitGroup
}

type packs struct {
	dir string
	// rotateAt is packRotate, or less in tests.
	rotateAt int64
	mu       sync.Mutex
	cur      *pack
	// retired are packs that take no more appends, until their writers end.
	retired map[string]*pack

	// readers are the packs open for reading, shared by every reader
	// (pread), closed when the pack is deleted.
	rmu     sync.RWMutex
	readers map[string]*os.File
}

// reader returns the pack's file open for reading.
func (p *packs) reader(packID string) (*os.File, error) {
	p.rmu.RLock()
	f := p.readers[packID]
	p.rmu.RUnlock()
	if f != nil {
		return f, nil
	}
	p.rmu.Lock()
	defer p.rmu.Unlock()
	if f := p.readers[packID]; f != nil {
		return f, nil
	}
	f, err := os.Open(p.path(packID))
	if err != nil {
		return nil, err
	}
	if p.readers == nil {
		p.readers = map[string]*os.File{}
	}
	p.readers[packID] = f
	return f, nil
}

// forget closes the pack's shared reader. Only a dead pack is forgotten:
// no reader of its objects remains (see files.freePending).
func (p *packs) forget(packID string) {
	p.rmu.Lock()
	if f := p.readers[packID]; f != nil {
		f.Close()
		delete(p.readers, packID)
	}
	p.rmu.Unlock()
}

func isPacked(id string) bool { return strings.HasPrefix(id, "p") }

func packRef(packID string, off int64) string {
	return "p" + packID + "-" + strconv.FormatInt(off, 16)
}

// parsePackRef splits a packed data id into its pack and offset.
func parsePackRef(id string) (string, int64, bool) {
	packID, off, ok := strings.Cut(strings.TrimPrefix(id, "p"), "-")
	n, err := strconv.ParseInt(off, 16, 64)
	return packID, n, ok && err == nil && len(packID) == 32
}

func (p *packs) path(packID string) string { return filepath.Join(p.dir, packID+".pack") }

// append writes b at the end of the current pack and returns its data
// reference and the pack, whose writers count it until release is called.
// The bytes are durable once the pack's syncer says so.
func (p *packs) append(b []byte) (store.DataRef, *pack, error) {
	p.mu.Lock()
	if p.cur == nil || p.cur.size+int64(len(b)) > p.rotateAt {
		if err := p.rotate(); err != nil {
			p.mu.Unlock()
			return store.DataRef{}, nil, err
		}
	}
	pk := p.cur
	off := pk.size
	pk.size += int64(len(b))
	pk.writers.Add(1)
	p.mu.Unlock()
	if _, err := pk.f.WriteAt(b, off); err != nil {
		pk.writers.Done()
		return store.DataRef{}, nil, fmt.Errorf("embedded: appending to a pack: %w", err)
	}
	return store.DataRef{ID: packRef(pk.id, off), Size: int64(len(b))}, pk, nil
}

// rotate starts a new pack. The pack file and its directory entry are made
// durable before anything is appended, so that no committed record can
// name a pack that a crash would lose. Called with p.mu held.
func (p *packs) rotate() error {
	id := newDataID()
	f, err := os.OpenFile(p.path(id), os.O_CREATE|os.O_EXCL|os.O_RDWR, 0o644)
	if err != nil {
		return fmt.Errorf("embedded: %w", err)
	}
	if err := syncDir(p.dir); err != nil {
		f.Close()
		os.Remove(p.path(id))
		return fmt.Errorf("embedded: %w", err)
	}
	if old := p.cur; old != nil {
		p.retired[old.id] = old
		go func() {
			old.writers.Wait()
			old.sync.close()
			old.f.Close()
		}()
	}
	p.cur = &pack{id: id, f: f, sync: newSyncer(func() error { return fdatasync(f) })}
	return nil
}

// dead deletes the packs among ids that take no more appends and hold no
// object any record references.
func (p *packs) dead(ctx context.Context, meta store.Objects, ids map[string]bool) error {
	for id := range ids {
		p.mu.Lock()
		busy := p.cur != nil && p.cur.id == id
		if pk, ok := p.retired[id]; ok && !busy {
			// Appends in flight keep a retired pack alive until their
			// metadata is committed or abandoned.
			p.mu.Unlock()
			pk.writers.Wait()
			p.mu.Lock()
			delete(p.retired, id)
		}
		p.mu.Unlock()
		if busy {
			continue
		}
		inUse, err := meta.DataInUseWithPrefix(ctx, "p"+id+"-")
		if err != nil {
			return err
		}
		if !inUse {
			p.forget(id)
			if err := os.Remove(p.path(id)); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return err
			}
		}
	}
	return nil
}

// all lists the pack ids on disk.
func (p *packs) all() ([]string, error) {
	entries, err := os.ReadDir(p.dir)
	if err != nil {
		return nil, fmt.Errorf("embedded: %w", err)
	}
	var ids []string
	for _, e := range entries {
		if id, ok := strings.CutSuffix(e.Name(), ".pack"); ok && e.Type().IsRegular() {
			ids = append(ids, id)
		}
	}
	return ids, nil
}

func (p *packs) close() {
	p.rmu.Lock()
	for id, f := range p.readers {
		f.Close()
		delete(p.readers, id)
	}
	p.rmu.Unlock()
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cur != nil {
		p.cur.writers.Wait()
		p.cur.sync.close()
		p.cur.f.Close()
		p.cur = nil
	}
}
