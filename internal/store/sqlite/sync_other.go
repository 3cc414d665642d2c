//go:build !linux

package sqlite

import "os"

// fdatasync flushes f.
func fdatasync(f *os.File) error { return f.Sync() }
