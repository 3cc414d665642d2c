package procs

import (
	"runtime"
	"runtime/debug"
	"testing"
)

// Tune adds Extra Ps and sets GOGC, each unless its environment variable
// sets it.
func TestTune(t *testing.T) {
	for _, tc := range []struct {
		name, gomaxprocs, gogc string
		wantExtra, wantGC      int
	}{
		{"defaults", "", "", Extra, GCPercent},
		{"explicit settings", "3", "50", 0, 70},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("GOMAXPROCS", tc.gomaxprocs)
			t.Setenv("GOGC", tc.gogc)
			before := runtime.GOMAXPROCS(0)
			defer runtime.GOMAXPROCS(before)
			defer debug.SetGCPercent(debug.SetGCPercent(70))
			if got := Tune(); got != before+tc.wantExtra || runtime.GOMAXPROCS(0) != got {
				t.Fatalf("Tune() = %d (GOMAXPROCS %d), want %d", got, runtime.GOMAXPROCS(0), before+tc.wantExtra)
			}
			if got := debug.SetGCPercent(70); got != tc.wantGC {
				t.Fatalf("GOGC after Tune = %d, want %d", got, tc.wantGC)
			}
		})
	}
}
