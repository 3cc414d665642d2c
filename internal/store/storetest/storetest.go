// Package storetest is the behavioural suite every store driver passes.
package storetest

import (
	"bytes"
	"context"
	"errors"
	"maps"
	"testing"

	"github.com/jobplane/jobplane/internal/store"
)

// Opener opens a store over the same data each time it is called with the
// same t: reopening must find what was written before.
type Opener func(t *testing.T) store.Store

// Run runs the suite against a driver.
func Run(t *testing.T, open Opener) {
	t.Run("a new store reports its identity and schema version", func(t *testing.T) {
		ctx := context.Background()
		s := open(t)
		defer s.Close()
		if err := s.Ping(ctx); err != nil {
			t.Fatalf("Ping: %v", err)
		}
		info, err := s.Info(ctx)
		if err != nil {
			t.Fatalf("Info: %v", err)
		}
		if info.InstanceID == "" || info.Migrations["meta"] < 1 {
			t.Fatalf("Info = %+v, want an instance id and the meta schema", info)
		}
	})
	t.Run("reopening keeps the identity", func(t *testing.T) {
		ctx := context.Background()
		s := open(t)
		first, err := s.Info(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Close(); err != nil {
			t.Fatalf("Close: %v", err)
		}
		s = open(t)
		defer s.Close()
		again, err := s.Info(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if again.InstanceID != first.InstanceID || !maps.Equal(again.Migrations, first.Migrations) {
			t.Fatalf("after reopen Info = %+v, want %+v", again, first)
		}
	})
	t.Run("a secret is created once and kept", func(t *testing.T) {
		ctx := context.Background()
		s := open(t)
		a, err := s.Secret(ctx, "tokens")
		if err != nil || len(a) != 32 {
			t.Fatalf("Secret = %x, %v", a, err)
		}
		b, _ := s.Secret(ctx, "other")
		if bytes.Equal(a, b) {
			t.Fatal("two names share a secret")
		}
		s.Close()
		s = open(t)
		defer s.Close()
		again, err := s.Secret(ctx, "tokens")
		if err != nil || !bytes.Equal(again, a) {
			t.Fatalf("after reopen Secret = %x, %v, want %x", again, err, a)
		}
	})
	t.Run("a closed store refuses to work", func(t *testing.T) {
		s := open(t)
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		if err := s.Ping(context.Background()); !errors.Is(err, store.ErrClosed) {
			t.Fatalf("Ping after Close = %v, want ErrClosed", err)
		}
		if err := s.Close(); !errors.Is(err, store.ErrClosed) {
			t.Fatalf("second Close = %v, want ErrClosed", err)
		}
	})
}
