package embedded

import (
	"os"

	"golang.org/x/sys/unix"
)

const defaultSyncMode = SyncFS

// syncFS flushes the filesystem holding d: data, inodes and directory
// entries of every file written there (syncfs(2); it reports write-back
// errors since Linux 5.8).
func syncFS(d *os.File) error { return unix.Syncfs(int(d.Fd())) }

// fdatasync flushes f's data and what reading it back needs (its size).
func fdatasync(f *os.File) error { return unix.Fdatasync(int(f.Fd())) }
