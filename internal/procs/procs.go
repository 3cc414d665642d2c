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
// (docs/s3.md), with reads unchanged.
package procs

import (
	"os"
	"runtime"
)

// Extra is how many Ps Tune adds: one per goroutine that blocks in syncs.
const Extra = 2

// Tune raises GOMAXPROCS by Extra above the runtime's default, unless the
// GOMAXPROCS environment variable sets it, and returns the value in effect.
func Tune() int {
	if os.Getenv("GOMAXPROCS") != "" {
		return runtime.GOMAXPROCS(0)
	}
	n := runtime.GOMAXPROCS(0) + Extra
	runtime.GOMAXPROCS(n)
	return n
}
