package embedded

import (
	"context"
	"crypto/md5"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sync"

	"github.com/jobplane/jobplane/internal/objectstore"
	"github.com/jobplane/jobplane/internal/store"
)

// Layout of the data directory:
//
//	data/<xx>/<id>      object data, xx the first two hex digits of the id
//	data/<xx>/<id>.tmp  an upload being written, renamed to <id> once whole
//	clean               present only after a clean Close: nothing to clean
//
// Ids are 32 random hex digits: a key never becomes a path. Uploads are
// written next to where they end up, spread over 256 directories: creating
// files in one shared directory serialises on that directory's lock, which
// costs more CPU than the rest of an upload of a small object.
const tmpSuffix = ".tmp"
const cleanMarker = "clean"

// bigFile is the size above which an upload fsyncs its own file before it
// joins a shared sync, so that one large upload does not make every small
// upload waiting on the same syncfs wait for its data.
const bigFile = 8 << 20

var copyBufs = sync.Pool{New: func() any { b := make([]byte, 64<<10); return &b }}

// files manages the data files: writing them durably, reading them, and
// freeing them once no reader can need them.
type files struct {
	dir   string
	meta  store.Objects
	mode  SyncMode
	sync  *syncer
	packs *packs
	log   *slog.Logger

	epochs epochs

	mu      sync.Mutex
	pending []pendingGarbage
	kick    chan struct{}
	stop    chan struct{}
	done    chan struct{}
	closed  bool
}

type pendingGarbage struct {
	epoch uint64
	refs  []store.DataRef
}

func openFiles(ctx context.Context, dir string, meta store.Objects, mode SyncMode, log *slog.Logger) (*files, error) {
	if mode == SyncDefault {
		mode = defaultSyncMode
	}
	var err error
	f := &files{dir: dir, meta: meta, mode: mode, log: log, kick: make(chan struct{}, 1),
		stop: make(chan struct{}), done: make(chan struct{}), epochs: epochs{active: map[uint64]int{}}}
	for i := range 256 {
		if err := os.MkdirAll(filepath.Join(dir, "data", fmt.Sprintf("%02x", i)), 0o755); err != nil {
			return nil, fmt.Errorf("embedded: %w", err)
		}
	}
	if err := os.MkdirAll(filepath.Join(dir, "packs"), 0o755); err != nil {
		return nil, fmt.Errorf("embedded: %w", err)
	}
	f.packs = &packs{dir: filepath.Join(dir, "packs"), rotateAt: packRotate, retired: map[string]*pack{}}
	clean := filepath.Join(dir, cleanMarker)
	_, statErr := os.Stat(clean)
	wasClean := statErr == nil
	if wasClean {
		if err := os.Remove(clean); err != nil {
			return nil, fmt.Errorf("embedded: %w", err)
		}
		if err := syncDir(dir); err != nil {
			return nil, fmt.Errorf("embedded: %w", err)
		}
	}
	if mode == SyncFS {
		if f.sync, err = newFSSyncer(filepath.Join(dir, "data")); err != nil {
			return nil, err
		}
	}
	// What to free from before this start is decided now, before any
	// request runs: the garbage the store lists is freed at once, and after
	// an unclean stop every data file is listed, to be checked against the
	// metadata in the background.
	if err := f.freeStored(ctx); err != nil {
		return nil, err
	}
	// No pack takes appends yet: every pack whose objects are all gone
	// (or that a crash left unreferenced) can go.
	ids, err := f.packs.all()
	if err != nil {
		return nil, err
	}
	dead := map[string]bool{}
	for _, id := range ids {
		dead[id] = true
	}
	if err := f.packs.dead(ctx, meta, dead); err != nil {
		return nil, fmt.Errorf("embedded: freeing packs: %w", err)
	}
	var existing []string
	if !wasClean {
		// Temporary files are uploads the crash interrupted: never visible.
		if existing, err = dataFiles(dir, true); err != nil {
			return nil, err
		}
	}
	go f.reaper(existing)
	return f, nil
}

func newDataID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func (f *files) path(id string) string {
	if len(id) < 2 {
		return filepath.Join(f.dir, "data", "00", "invalid")
	}
	return filepath.Join(f.dir, "data", id[:2], id)
}

// written is the data of one upload: a file of its own, or an append to a
// pack. Its owner MUST call done once the metadata naming it is committed or
// abandoned.
type written struct {
	ref      store.DataRef
	md5      []byte
	checksum []byte // in alg, nil when alg is ""
	alg      string
	pack     *pack // the pack appended to, nil for a file
}

// etag is the entity tag of the written bytes as one upload: their MD5, in
// S3's quoted form.
func (w written) etag() string { return `"` + hex.EncodeToString(w.md5) + `"` }

// done ends the write: a pack may be judged dead again.
func (w written) done() {
	if w.pack != nil {
		w.pack.writers.Done()
	}
}

var packBufs = sync.Pool{New: func() any { b := make([]byte, packMax+1); return &b }}

// write stores what r delivers, computing its MD5 and its checksum in alg:
// appended to a pack when it is at most packMax bytes, else as a new file
// written under a temporary name and renamed into place. It refuses more
// than max bytes (EntityTooLarge) and, when size is not -1, any other number
// of bytes than size (IncompleteBody). The data is durable only after
// durable(); on error nothing that matters is left behind.
func (f *files) write(ctx context.Context, r io.Reader, size, max int64, alg string) (w written, err error) {
	if size > max {
		return w, objectstore.ErrEntityTooLarge(size, max)
	}
	m := md5.New()
	var h hash.Hash
	sums := io.Writer(m)
	if alg != "" {
		h = objectstore.NewHash(alg)
		sums = io.MultiWriter(m, h)
	}
	finish := func(ref store.DataRef, pk *pack) written {
		w := written{ref: ref, md5: m.Sum(nil), alg: alg, pack: pk}
		if h != nil {
			w.checksum = h.Sum(nil)
		}
		return w
	}
	var head []byte
	if size <= packMax {
		// Small, or of unknown size: read up to packMax+1 bytes to find out.
		bufp := packBufs.Get().(*[]byte)
		defer packBufs.Put(bufp)
		buf := (*bufp)[:packMax+1]
		if size >= 0 {
			buf = buf[:size+1]
		}
		n, rerr := io.ReadFull(io.LimitReader(r, int64(len(buf))), buf)
		if rerr != nil && rerr != io.EOF && rerr != io.ErrUnexpectedEOF {
			if ctxErr := ctx.Err(); ctxErr != nil {
				return w, ctxErr
			}
			return w, readErr(rerr)
		}
		head = buf[:n]
		if n <= packMax && n < len(buf) {
			if size >= 0 && int64(n) != size {
				return w, objectstore.ErrIncompleteBody()
			}
			if int64(n) > max {
				return w, objectstore.ErrEntityTooLarge(int64(n), max)
			}
			sums.Write(head)
			ref, pk, err := f.packs.append(head)
			if err != nil {
				return w, err
			}
			return finish(ref, pk), nil
		}
		if size >= 0 {
			return w, objectstore.ErrIncompleteBody() // more bytes than announced
		}
	}
	id := newDataID()
	tmp := f.path(id) + tmpSuffix
	fh, err := os.OpenFile(tmp, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	if err != nil {
		return w, fmt.Errorf("embedded: %w", err)
	}
	defer func() {
		if err != nil {
			fh.Close()
			os.Remove(tmp)
		}
	}()
	dst := io.MultiWriter(fh, sums)
	if _, err := dst.Write(head); err != nil {
		return w, fmt.Errorf("embedded: %w", err)
	}
	bufp := copyBufs.Get().(*[]byte)
	n, err := io.CopyBuffer(dst, io.LimitReader(r, max+1-int64(len(head))), *bufp)
	copyBufs.Put(bufp)
	n += int64(len(head))
	if err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return w, ctxErr
		}
		return w, readErr(err)
	}
	if n > max {
		return w, objectstore.ErrEntityTooLarge(n, max)
	}
	if size >= 0 && n != size {
		return w, objectstore.ErrIncompleteBody()
	}
	if f.mode == SyncFiles || n > bigFile {
		if err := fh.Sync(); err != nil {
			return w, fmt.Errorf("embedded: %w", err)
		}
	}
	if err := fh.Close(); err != nil {
		return w, fmt.Errorf("embedded: %w", err)
	}
	if err := os.Rename(tmp, f.path(id)); err != nil {
		return w, fmt.Errorf("embedded: %w", err)
	}
	if f.mode == SyncFiles {
		if err := syncDir(filepath.Dir(f.path(id))); err != nil {
			os.Remove(f.path(id))
			return w, fmt.Errorf("embedded: %w", err)
		}
	}
	return finish(store.DataRef{ID: id, Size: n}, nil), nil
}

// readErr keeps the body's own S3 errors (aws-chunked framing, signature)
// and reports any other read failure as a body that ended early.
func readErr(err error) error {
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return objectstore.ErrIncompleteBody()
	}
	return err
}

// link gives existing data a second, independent data id, for copies: a
// file gets a second name (data files never change, so sharing their bytes
// is safe), a packed object is appended again. It falls back to copying
// where the filesystem cannot link.
func (f *files) link(ctx context.Context, src store.DataRef) (written, error) {
	if !isPacked(src.ID) {
		id := newDataID()
		if err := os.Link(f.path(src.ID), f.path(id)); err == nil {
			if f.mode == SyncFiles {
				if err := syncDir(filepath.Dir(f.path(id))); err != nil {
					os.Remove(f.path(id))
					return written{}, fmt.Errorf("embedded: %w", err)
				}
			}
			return written{ref: store.DataRef{ID: id, Size: src.Size}}, nil
		}
	}
	r := f.open(f.epochs.begin(), []store.DataRef{src}, 0, src.Size)
	defer r.Close()
	return f.write(ctx, r, src.Size, max(src.Size, objectstore.MaxPutSize), "")
}

// durable returns once the data of ws is on stable storage.
func (f *files) durable(ctx context.Context, ws ...written) error {
	files := false
	seen := map[*pack]bool{}
	for _, w := range ws {
		if w.pack == nil {
			files = true
			continue
		}
		if !seen[w.pack] {
			seen[w.pack] = true
			if err := w.pack.sync.wait(ctx); err != nil {
				return err
			}
		}
	}
	if files && f.sync != nil {
		return f.sync.wait(ctx)
	}
	return nil
}

// remove unlinks files at once: for files no committed record names. The
// bytes of packed objects stay in their pack; packs are freed whole (see
// freePacks).
func (f *files) remove(refs ...store.DataRef) {
	for _, r := range refs {
		if isPacked(r.ID) {
			continue
		}
		if err := os.Remove(f.path(r.ID)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			f.log.Warn("removing an object data file", "id", r.ID, "error", err)
		}
	}
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
