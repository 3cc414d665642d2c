// Command s3 measures jobplane's S3 data plane against moto_server in the
// same run: small-object PutObject (durable: every acknowledged upload is on
// stable storage), GetObject and PutObjectTagging requests per second, from
// one Go load generator sending the same requests to both (keep-alive
// connections written and read directly, as wrk does: rawhttp.go).
//
//	go run ./bench/s3 [-duration 5s] [-concurrency 64] [-size 4096] [-sync auto|syncfs|fsync] [-moto=false]
//
// jobplane runs in this process (gateway, S3 provider, embedded object store
// on a temporary data directory on disk); moto_server runs as a child
// process on a free loopback port. Requests are unsigned (authentication is
// off on both), so the numbers are the servers' and not SigV4's. Everything
// shares the machine: report the load it was under.
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/jobplane/jobplane/internal/gateway"
	"github.com/jobplane/jobplane/internal/motoserver"
	"github.com/jobplane/jobplane/internal/objectstore/embedded"
	"github.com/jobplane/jobplane/internal/procs"
	s3provider "github.com/jobplane/jobplane/internal/provider/s3"
	"github.com/jobplane/jobplane/internal/store/sqlite"
)

func main() {
	procs.Tune() // as jobplane serve does
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "bench/s3:", err)
		os.Exit(1)
	}
}

// run measures every scenario; its deferred calls stop the servers and
// remove the data directory whatever happens.
func run() error {
	duration := flag.Duration("duration", 5*time.Second, "how long each measurement runs")
	concurrency := flag.Int("concurrency", 64, "requests in flight at once")
	size := flag.Int("size", 4096, "object size in bytes")
	syncMode := flag.String("sync", "auto", "how jobplane makes uploads durable: auto, syncfs or fsync")
	withMoto := flag.Bool("moto", true, "measure moto_server too (needs moto_server on PATH)")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the whole run to this file")
	only := flag.String("only", "", "run only the scenarios whose name starts with this")
	flag.Parse()
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return err
		}
		pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
	}

	mode := map[string]embedded.SyncMode{"auto": embedded.SyncDefault, "syncfs": embedded.SyncFS, "fsync": embedded.SyncFiles}[*syncMode]
	jp, cleanup, err := startJobplane(mode)
	if err != nil {
		return err
	}
	defer cleanup()
	baseline, stopBase, err := startBaseline(*size)
	if err != nil {
		return err
	}
	defer stopBase()
	targets := []target{{"jobplane", jp, cpuTime, false}, {"bare net/http", baseline, cpuTime, true}}
	if *withMoto {
		moto, pid, stop, err := motoserver.Start(nil)
		if err != nil {
			return err
		}
		defer stop()
		targets = append(targets, target{"moto_server", moto, func() time.Duration { return procCPU(pid) }, false})
	}

	body := bytes.Repeat([]byte("x"), *size)
	fmt.Printf("object size %d B, concurrency %d, %s per measurement, GOMAXPROCS %d, load average %s\n",
		*size, *concurrency, *duration, runtimeProcs(), loadAvg())
	fmt.Printf("%-20s %10s %8s %6s %9s %9s %10s %11s %11s %12s\n", "scenario", "jobplane/s", "moto/s", "ratio", "p50 jp", "p99 jp",
		"cpu/req jp", "cpu/req moto", "bare http/s", "cpu/req bare")
	for _, sc := range scenarios(body) {
		if !strings.HasPrefix(sc.name, *only) {
			continue
		}
		var res []result
		for _, tg := range targets {
			if !tg.bare {
				if err := setup(sc, tg.url, *concurrency); err != nil {
					return fmt.Errorf("%s setup on %s: %w", sc.name, tg.name, err)
				}
			}
			r, err := measure(tg, sc, *duration, *concurrency)
			if err != nil {
				return fmt.Errorf("%s on %s: %w", sc.name, tg.name, err)
			}
			res = append(res, r)
		}
		moto, ratio, motoCPU := "-", "-", "-"
		if len(res) > 2 {
			moto, ratio = fmt.Sprintf("%.0f", res[2].rate), fmt.Sprintf("%.1f", res[0].rate/res[2].rate)
			motoCPU = res[2].cpu.Round(time.Microsecond).String()
		}
		fmt.Printf("%-20s %10.0f %8s %6s %9s %9s %10s %11s %11.0f %12s\n", sc.name, res[0].rate, moto, ratio,
			res[0].p50.Round(10*time.Microsecond), res[0].p99.Round(10*time.Microsecond), res[0].cpu.Round(time.Microsecond),
			motoCPU, res[1].rate, res[1].cpu.Round(time.Microsecond))
	}
	return nil
}

// target is a server under measurement; cpu reads the CPU time its process
// has used. A bare target stores nothing, so it needs no setup.
type target struct {
	name, url string
	cpu       func() time.Duration
	bare      bool
}

// startJobplane serves jobplane's S3 API on loopback over a fresh data
// directory under the system's temporary directory (on disk here).
func startJobplane(mode embedded.SyncMode) (string, func(), error) {
	dir, err := os.MkdirTemp("", "jobplane-bench-s3")
	if err != nil {
		return "", nil, err
	}
	ctx := context.Background()
	db, err := sqlite.Open(ctx, dir)
	if err != nil {
		return "", nil, err
	}
	store, err := embedded.Open(ctx, embedded.Options{Dir: filepath.Join(dir, "objects"), Meta: db.Objects(), Sync: mode})
	if err != nil {
		return "", nil, err
	}
	key, err := db.Secret(ctx, "s3")
	if err != nil {
		return "", nil, err
	}
	prov, err := s3provider.New(s3provider.Options{Store: store, TokenKey: key})
	if err != nil {
		return "", nil, err
	}
	gw, err := gateway.New(gateway.Options{Region: "us-east-1", S3Domain: "localhost", S3: prov})
	if err != nil {
		return "", nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	srv := &http.Server{Handler: gw}
	go srv.Serve(ln)
	return "http://" + ln.Addr().String(), func() {
		srv.Close()
		store.Close()
		db.Close()
		os.RemoveAll(dir)
	}, nil
}

// startBaseline serves what a server that does no work at all would: it
// reads the request, and answers 200 with an ETag and, for GET, size bytes.
// Its rate and CPU per request are the floor of this machine and load
// generator.
func startBaseline(size int) (string, func(), error) {
	body := bytes.Repeat([]byte("x"), size)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("ETag", `"0123456789abcdef0123456789abcdef"`)
		if r.Method == "GET" {
			w.Header().Set("Content-Length", strconv.Itoa(len(body)))
			w.Write(body)
		}
	})}
	go srv.Serve(ln)
	return "http://" + ln.Addr().String(), func() { srv.Close() }, nil
}

// scenario is one kind of request: setup prepares a target, req gives the
// i-th request of worker w.
type scenario struct {
	name  string
	setup func(c *rawConn, workers int) error
	req   func(w, i int) rawReq
}

// setup runs sc's setup on the target at url, over a connection of its own.
func setup(sc scenario, url string, workers int) error {
	c := newRawConn(url)
	defer c.close()
	return sc.setup(c, workers)
}

// rawReq is a request the load generator sends and the status it expects.
type rawReq struct {
	method, path string
	body         []byte
	want         int
}

func scenarios(body []byte) []scenario {
	const bucket = "bench-bucket"
	// Creating the bucket again answers 200 or 409 (owned by you).
	createBucket := func(c *rawConn, _ int) error {
		status, err := c.send("PUT", "/"+bucket, nil)
		if err == nil && status != 200 && status != 409 {
			err = fmt.Errorf("PUT /%s answered %d, want 200 or 409", bucket, status)
		}
		return err
	}
	// GET and tagging act on objects the setup writes, one per worker.
	seed := func(c *rawConn, workers int) error {
		if err := createBucket(c, workers); err != nil {
			return err
		}
		for w := range workers {
			if err := c.do("PUT", fmt.Sprintf("/%s/seed-%d", bucket, w), body, 200); err != nil {
				return err
			}
		}
		return nil
	}
	tagging := []byte(`<Tagging><TagSet><Tag><Key>project</Key><Value>bench</Value></Tag></TagSet></Tagging>`)
	return []scenario{
		{"PutObject (durable)", createBucket, func(w, i int) rawReq {
			return rawReq{"PUT", fmt.Sprintf("/%s/put-%d-%d", bucket, w, i), body, 200}
		}},
		{"GetObject", seed, func(w, i int) rawReq {
			return rawReq{"GET", fmt.Sprintf("/%s/seed-%d", bucket, w), nil, 200}
		}},
		{"PutObjectTagging", seed, func(w, i int) rawReq {
			return rawReq{"PUT", fmt.Sprintf("/%s/seed-%d?tagging", bucket, w), tagging, 200}
		}},
	}
}

type result struct {
	rate     float64
	p50, p99 time.Duration
	// cpu is the CPU time (user and system) the target's process used per
	// request. For jobplane and the bare server that is this process, load
	// generator included; for moto_server, its own process only. Unlike the
	// rate, it hardly depends on what else the machine runs.
	cpu time.Duration
}

// procCPU reads a process's CPU time from /proc (Linux), or 0.
func procCPU(pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// The fields after the command name (which may hold spaces) start with
	// the state; utime and stime are the 12th and 13th of them.
	i := bytes.LastIndexByte(b, ')')
	fields := strings.Fields(string(b[i+1:]))
	if len(fields) < 13 {
		return 0
	}
	utime, _ := strconv.ParseInt(fields[11], 10, 64)
	stime, _ := strconv.ParseInt(fields[12], 10, 64)
	return time.Duration(utime+stime) * 10 * time.Millisecond // USER_HZ is 100 on Linux
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// measure runs workers sending sc's requests for d and returns the rate of
// successful requests and their latency percentiles.
func measure(tg target, sc scenario, d time.Duration, workers int) (result, error) {
	url := tg.url
	var (
		n       atomic.Int64
		mu      sync.Mutex
		lat     []time.Duration
		firstEr error
		wg      sync.WaitGroup
	)
	start, cpu0 := time.Now(), tg.cpu()
	end := start.Add(d)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []time.Duration
			conn := newRawConn(url)
			defer conn.close()
			for i := 0; time.Now().Before(end); i++ {
				req := sc.req(w, i)
				t := time.Now()
				if err := conn.do(req.method, req.path, req.body, req.want); err != nil {
					mu.Lock()
					if firstEr == nil {
						firstEr = err
					}
					mu.Unlock()
					return
				}
				mine = append(mine, time.Since(t))
				n.Add(1)
			}
			mu.Lock()
			lat = append(lat, mine...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	if firstEr != nil {
		return result{}, firstEr
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	r := result{rate: float64(n.Load()) / elapsed.Seconds()}
	if n.Load() > 0 {
		r.cpu = (tg.cpu() - cpu0) / time.Duration(n.Load())
	}
	if len(lat) > 0 {
		r.p50, r.p99 = lat[len(lat)/2], lat[len(lat)*99/100]
	}
	return r, nil
}

func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil || len(b) < 14 {
		return "unknown"
	}
	return string(bytes.Join(bytes.Fields(b)[:3], []byte(" ")))
}

func runtimeProcs() int { return runtime.GOMAXPROCS(0) }
