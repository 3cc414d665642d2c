package procs

import (
	"runtime"
	"runtime/debug"
	"testing"
)

func TestTuneAddsExtraProcsAndSetsGOGC(t *testing.T) {
	t.Setenv("GOMAXPROCS", "")
	t.Setenv("GOGC", "")
	before := runtime.GOMAXPROCS(0)
	defer runtime.GOMAXPROCS(before)
	gc := debug.SetGCPercent(100)
	defer debug.SetGCPercent(gc)
	if got := Tune(); got != before+Extra || runtime.GOMAXPROCS(0) != got {
		t.Fatalf("Tune() = %d (GOMAXPROCS %d), want %d", got, runtime.GOMAXPROCS(0), before+Extra)
	}
	if got := debug.SetGCPercent(100); got != GCPercent {
		t.Fatalf("GOGC after Tune = %d, want %d", got, GCPercent)
	}
}

func TestTuneLeavesExplicitSettingsAlone(t *testing.T) {
	t.Setenv("GOMAXPROCS", "3")
	t.Setenv("GOGC", "50")
	before := runtime.GOMAXPROCS(0)
	defer runtime.GOMAXPROCS(before)
	gc := debug.SetGCPercent(70)
	defer debug.SetGCPercent(gc)
	if got := Tune(); got != before {
		t.Fatalf("Tune() = %d with GOMAXPROCS set, want %d unchanged", got, before)
	}
	if got := debug.SetGCPercent(70); got != 70 {
		t.Fatalf("GOGC after Tune = %d with GOGC set, want it unchanged", got)
	}
}
