package embedded

import (
	"fmt"
	"io"
	"os"
	"sync"

	"github.com/jobplane/jobplane/internal/store"
)

// segmentReader streams bytes [off, off+n) of the concatenation of data
// files, opening each file only when the read reaches it. It holds a reader
// epoch (see epochs) from before the metadata lookup that named the files
// until Close, so that none of them is unlinked while it may be read.
type segmentReader struct {
	f     *files
	epoch uint64
	refs  []store.DataRef
	off   int64 // offset into the current ref
	left  int64 // bytes still to deliver
	cur   *os.File
	once  sync.Once
}

// open returns a reader of n bytes from offset off of refs. The caller has
// taken epoch with f.epochs.begin(); the reader ends it on Close.
func (f *files) open(epoch uint64, refs []store.DataRef, off, n int64) *segmentReader {
	for len(refs) > 0 && off >= refs[0].Size {
		off -= refs[0].Size
		refs = refs[1:]
	}
	return &segmentReader{f: f, epoch: epoch, refs: refs, off: off, left: n}
}

func (r *segmentReader) Read(p []byte) (int, error) {
	for {
		if r.left <= 0 {
			return 0, io.EOF
		}
		if len(r.refs) == 0 {
			return 0, fmt.Errorf("embedded: object data shorter than its metadata says")
		}
		if packID, base, ok := parsePackRef(r.refs[0].ID); ok {
			n, err := r.readPacked(p, packID, base)
			if n > 0 || err != nil {
				return n, err
			}
			continue
		}
		if r.cur == nil {
			fh, err := os.Open(r.f.path(r.refs[0].ID))
			if err != nil {
				return 0, fmt.Errorf("embedded: opening object data: %w", err)
			}
			if r.off > 0 {
				if _, err := fh.Seek(r.off, io.SeekStart); err != nil {
					fh.Close()
					return 0, fmt.Errorf("embedded: %w", err)
				}
			}
			r.cur = fh
		}
		want := min(int64(len(p)), r.left, r.refs[0].Size-r.off)
		if want <= 0 {
			r.next()
			continue
		}
		n, err := r.cur.Read(p[:want])
		r.off += int64(n)
		r.left -= int64(n)
		if err == io.EOF {
			if r.off < r.refs[0].Size {
				return n, fmt.Errorf("embedded: object data file %s is shorter than recorded", r.refs[0].ID)
			}
			err = nil
		}
		if r.off >= r.refs[0].Size {
			r.next()
		}
		if n > 0 || err != nil {
			return n, err
		}
	}
}

// readPacked reads from a packed object through the pack's shared file.
func (r *segmentReader) readPacked(p []byte, packID string, base int64) (int, error) {
	want := min(int64(len(p)), r.left, r.refs[0].Size-r.off)
	if want <= 0 {
		r.next()
		return 0, nil
	}
	fh, err := r.f.packs.reader(packID)
	if err != nil {
		return 0, fmt.Errorf("embedded: opening a pack: %w", err)
	}
	n, err := fh.ReadAt(p[:want], base+r.off)
	r.off += int64(n)
	r.left -= int64(n)
	if int64(n) < want {
		return n, fmt.Errorf("embedded: pack %s is shorter than recorded: %v", packID, err)
	}
	if r.off >= r.refs[0].Size {
		r.next()
	}
	return n, nil
}

func (r *segmentReader) next() {
	if r.cur != nil {
		r.cur.Close()
		r.cur = nil
	}
	r.refs = r.refs[1:]
	r.off = 0
}

// Close releases the open file and the reader's epoch.
func (r *segmentReader) Close() error {
	r.once.Do(func() {
		if r.cur != nil {
			r.cur.Close()
			r.cur = nil
		}
		r.f.epochs.end(r.epoch)
	})
	return nil
}
