//go:build !linux

package embedded

import "os"

const defaultSyncMode = SyncFiles

// syncFS is only used with SyncFS, which needs Linux's syncfs(2); elsewhere
// it syncs the directory, which is all a caller could ask of it.
func syncFS(d *os.File) error { return d.Sync() }

// fdatasync flushes f.
func fdatasync(f *os.File) error { return f.Sync() }
