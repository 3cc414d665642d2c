package sqlite

import (
	"os"

	"golang.org/x/sys/unix"
)

// fdatasync flushes f's data and what reading it back needs (its size),
// without the timestamps fsync would also write.
func fdatasync(f *os.File) error { return unix.Fdatasync(int(f.Fd())) }
