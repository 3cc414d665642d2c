package sqlite

import (
	"errors"
	"io/fs"
	"os"
)

// walFile syncs SQLite's write-ahead log. It opens the file for each sync:
// SQLite deletes the log when its last connection closes and creates it
// again, so a descriptor kept open could name a file that is gone. When the
// log is a file it has not synced before, the directory is synced too, so
// that the file's name survives a crash along with its contents.
type walFile struct {
	path, dir string
	seen      os.FileInfo
}

func (w *walFile) sync() error {
	f, err := os.Open(w.path)
	if errors.Is(err, fs.ErrNotExist) {
		// SQLite removes the log only after checkpointing all of it into
		// the database file and syncing that.
		return nil
	}
	if err != nil {
		return err
	}
	defer f.Close()
	if err := fdatasync(f); err != nil {
		return err
	}
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	if w.seen != nil && os.SameFile(w.seen, fi) {
		return nil
	}
	d, err := os.Open(w.dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return err
	}
	w.seen = fi
	return nil
}
