package clock_test

import (
	"testing"
	"time"

	"github.com/jobplane/jobplane/internal/clock"
)

func TestFakeFiresWaitersWhenAdvancedPastThem(t *testing.T) {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	f := clock.NewFake(start)
	soon, later := f.After(time.Minute), f.After(time.Hour)
	if f.Waiters() != 2 {
		t.Fatalf("Waiters = %d", f.Waiters())
	}
	f.Advance(30 * time.Minute)
	select {
	case got := <-soon:
		if !got.Equal(start.Add(30 * time.Minute)) {
			t.Fatalf("fired with %v", got)
		}
	default:
		t.Fatal("the one-minute waiter did not fire")
	}
	select {
	case <-later:
		t.Fatal("the one-hour waiter fired early")
	default:
	}
	f.Set(start) // never backwards
	if !f.Now().Equal(start.Add(30 * time.Minute)) {
		t.Fatalf("Set moved the clock backwards")
	}
	f.Advance(time.Hour)
	<-later
	if f.Waiters() != 0 {
		t.Fatalf("Waiters = %d", f.Waiters())
	}
	select {
	case <-f.After(0):
	default:
		t.Fatal("After(0) should fire at once")
	}
}
