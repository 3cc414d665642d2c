package procs

import (
	"runtime"
	"testing"
)

func TestTuneAddsExtraProcs(t *testing.T) {
	t.Setenv("GOMAXPROCS", "")
	before := runtime.GOMAXPROCS(0)
	defer runtime.GOMAXPROCS(before)
	if got := Tune(); got != before+Extra || runtime.GOMAXPROCS(0) != got {
		t.Fatalf("Tune() = %d (GOMAXPROCS %d), want %d", got, runtime.GOMAXPROCS(0), before+Extra)
	}
}

func TestTuneLeavesAnExplicitSettingAlone(t *testing.T) {
	t.Setenv("GOMAXPROCS", "3")
	before := runtime.GOMAXPROCS(0)
	defer runtime.GOMAXPROCS(before)
	if got := Tune(); got != before {
		t.Fatalf("Tune() = %d with GOMAXPROCS set, want %d unchanged", got, before)
	}
}
