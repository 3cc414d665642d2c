// Package store is jobplane's persistent state behind an interface that
// several drivers implement: sqlite (embedded under --data-dir, the default)
// and, for several jobplane nodes sharing one database, PostgreSQL. Nothing
// driver-specific leaks through it; every driver passes the behavioural
// suite in store/storetest.
package store

import (
	"context"
	"errors"
)

// Store is an open store.
type Store interface {
	// Ping MUST return nil when the store can serve reads and writes, and an
	// error describing why not otherwise.
	Ping(ctx context.Context) error
	// Info MUST return the identity of the store's data: an id created with
	// the store and, per component, the schema version its migrations reached.
	Info(ctx context.Context) (Info, error)
	// Secret MUST return the named secret: 32 random bytes created on the
	// first call for that name and the same bytes on every later call, also
	// after a restart and from every node sharing the store.
	Secret(ctx context.Context, name string) ([]byte, error)
	// Close MUST flush every acknowledged write to durable storage and
	// release the store; calls after Close return ErrClosed.
	Close() error
}

// Info identifies a store's data.
type Info struct {
	// InstanceID is created once, when the store is first initialised.
	InstanceID string
	// Migrations maps each component of the store ("meta", "jobs", ...) to
	// the number of its last migration applied.
	Migrations map[string]int
}

// ErrClosed is returned by a store used after Close.
var ErrClosed = errors.New("store: closed")
