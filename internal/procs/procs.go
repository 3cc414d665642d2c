// Package procs sets how many threads run Go code at once in jobplane.
//
// jobplane's storage has goroutines that spend much of their time blocked in
// fdatasync: the embedded object store's data syncer and the metadata
// store's log syncer. A goroutine blocked in a system call keeps its P (its
// right to run Go code) until the runtime's monitor notices and hands the P
// to another thread, tens of microseconds or more later; with syncs running
// most of the time under a write load, that leaves a CPU idle while
// requests wait to run. Two Ps more than the CPUs cover both syncers:
// durable PutObject of 4 KiB objects measured 20 to 40% faster on two CPUs
// (docs/s3.md).
//
// The garbage collector runs a quarter of the Ps as its workers while it
// marks: with Ps above the CPUs that quarter is a larger share of the
// CPUs, and CPU-bound requests (a 100-job ListJobs page) saw their p99
// latency rise from about 12 to 19 ms. Tune therefore also lets the heap
// grow to three times the live data between collections instead of two
// (GOGC 200), which halves how often the collector runs; jobplane's live
// heap is tens of megabytes.
package procs

import (
	"os"
	"runtime"
	"runtime/debug"
)

// Extra is how many Ps Tune adds: one per goroutine that blocks in syncs.
const Extra = 2

// GCPercent is the GOGC value Tune sets.
const GCPercent = 200

// Tune raises GOMAXPROCS by Extra above the runtime's default and sets GOGC
// to GCPercent, each unless its environment variable sets it, and returns
// the GOMAXPROCS in effect.
func Tune() int {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(GCPercent)
	}
	if os.Getenv("GOMAXPROCS") != "" {
		return runtime.GOMAXPROCS(0)
	}
	n := runtime.GOMAXPROCS(0) + Extra
	runtime.GOMAXPROCS(n)
	return n
}
