// Command batch measures the S3 Batch Operations engine, each figure next
// to a baseline measured in the same run:
//
//   - embedded: an S3PutObjectTagging job over N objects (default
//     1,000,000) of the embedded store, in tasks per second, against a
//     boto3 pool of 32 threads tagging the same objects through jobplane's
//     S3 endpoint (sampled for -boto3-duration: the pool would take far
//     longer than the job over every object);
//
//   - remote: the same job over -remote-objects objects (default 20,000)
//     of moto_server through the remote store, against a bare
//     aws-sdk-go-v2 loop making the same PutObjectTagging calls to the same
//     moto_server with the same concurrency;
//
//   - prepare: the time from CreateJob (no confirmation) to Active for a
//     manifest of -prepare-rows lines (default 1,000,000), against the time
//     the CSV reader alone takes to parse it;
//
//   - memory: a LambdaInvoke job (an in-process function that answers at
//     once) over -memory-rows manifest lines (default 10,000,000, objects
//     need not exist), reporting the process's peak resident memory.
//
//     go run ./bench/batch [-scenarios embedded,remote,prepare,memory] [-objects 1000000] [-dir DIR]
//
// Everything runs in this process on loopback (jobplane's control plane,
// engine and store; the gateway for boto3), except moto_server and the
// boto3 pool. The machine has 2 cores shared with other work: the load
// average is printed with the figures.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"runtime"
	"strings"
	"time"

	"github.com/jobplane/jobplane/internal/procs"
)

func main() {
	procs.Tune() // as jobplane serve does
	scenarios := flag.String("scenarios", "embedded,remote,prepare", "comma-separated scenarios: embedded, remote, prepare, memory")
	objects := flag.Int("objects", 1_000_000, "objects of the embedded scenario")
	dir := flag.String("dir", "", "data directory of the embedded scenario, kept between runs so that its objects are seeded once (default: a temporary one)")
	writeSize := flag.Int("write-size", 0, "tasks per store write (0: the engine's default)")
	jobConc := flag.Int("job-concurrency", 16, "tasks (batches) in flight of the embedded job")
	botoDur := flag.Duration("boto3-duration", 15*time.Second, "how long the boto3 baseline tags objects")
	remoteObjects := flag.Int("remote-objects", 20_000, "objects of the remote scenario")
	remoteConc := flag.Int("remote-concurrency", 64, "requests in flight, engine and baseline alike, in the remote scenario")
	prepareRows := flag.Int("prepare-rows", 1_000_000, "manifest lines of the prepare scenario")
	memoryRows := flag.Int("memory-rows", 10_000_000, "manifest lines of the memory scenario")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the embedded job to this file")
	flag.Parse()

	fmt.Printf("GOMAXPROCS %d, load average %s\n", runtime.GOMAXPROCS(0), loadAvg())
	ctx := context.Background()
	for _, sc := range strings.Split(*scenarios, ",") {
		var err error
		switch strings.TrimSpace(sc) {
		case "embedded":
			err = benchEmbedded(ctx, embeddedConfig{objects: *objects, dir: *dir, writeSize: *writeSize, jobConcurrency: *jobConc,
				botoDuration: *botoDur, cpuProfile: *cpuProfile})
		case "remote":
			err = benchRemote(ctx, *remoteObjects, *remoteConc)
		case "prepare":
			err = benchPrepare(ctx, *prepareRows)
		case "memory":
			err = benchMemory(ctx, *memoryRows)
		default:
			err = fmt.Errorf("unknown scenario %q", sc)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "batch bench:", sc+":", err)
			os.Exit(1)
		}
	}
}

func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

// peakRSS is the process's peak resident set (VmHWM), in MiB.
func peakRSS() float64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			var kb float64
			fmt.Sscanf(strings.TrimSpace(v), "%f", &kb)
			return kb / 1024
		}
	}
	return 0
}
