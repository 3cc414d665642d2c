package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/pprof"
	"strconv"
	"strings"
	"time"

	api "github.com/jobplane/jobplane/internal/api/s3control"
	"github.com/jobplane/jobplane/internal/batch"
	"github.com/jobplane/jobplane/internal/gateway"
	"github.com/jobplane/jobplane/internal/objectstore"
	s3provider "github.com/jobplane/jobplane/internal/provider/s3"
)

type embeddedConfig struct {
	objects        int
	dir            string
	writeSize      int
	jobConcurrency int
	botoDuration   time.Duration
	cpuProfile     string
}

const (
	dataBucket     = "bench-data"
	manifestBucket = "bench-manifests"
	reportBucket   = "bench-reports"
)

func objectKey(i int) string { return fmt.Sprintf("obj-%07d", i) }

// createBuckets makes sure the data, manifest and report buckets exist in
// the stack's store.
func createBuckets(ctx context.Context, s *stack) error {
	for _, b := range []string{dataBucket, manifestBucket, reportBucket} {
		_, err := s.objects.CreateBucket(ctx, objectstore.CreateBucketInput{Bucket: b, Owner: account, Region: "us-east-1"})
		if err != nil && objectstore.Code(err) != objectstore.CodeBucketAlreadyOwnedByYou {
			return err
		}
	}
	return nil
}

// seed makes sure n objects obj-0000000... exist in bench-data, writing
// them with as many writers as the store groups into one commit; a marker
// file in dir remembers that a previous run did it.
func seed(ctx context.Context, s *stack, n int) error {
	if err := createBuckets(ctx, s); err != nil {
		return err
	}
	marker := filepath.Join(s.dir, "seeded-"+strconv.Itoa(n))
	if _, err := os.Stat(marker); err == nil {
		fmt.Printf("  %d objects already seeded in %s\n", n, s.dir)
		return nil
	}
	start := time.Now()
	if err := parallel(n, 512, func(i int) error {
		_, err := s.objects.PutObject(ctx, objectstore.PutObjectInput{Bucket: dataBucket, Key: objectKey(i), Owner: account,
			Body: strings.NewReader(""), Size: 0})
		return err
	}); err != nil {
		return err
	}
	el := time.Since(start)
	fmt.Printf("  seeded %d objects in %s (%.0f PutObject/s)\n", n, el.Round(time.Millisecond), float64(n)/el.Seconds())
	return os.WriteFile(marker, nil, 0o644)
}

func benchEmbedded(ctx context.Context, cfg embeddedConfig) error {
	fmt.Printf("\nembedded: S3PutObjectTagging over %d objects of the embedded store\n", cfg.objects)
	opts := batch.Options{JobConcurrency: cfg.jobConcurrency, Concurrency: 4 * cfg.jobConcurrency, BatchSize: cfg.writeSize}
	var (
		s   *stack
		err error
	)
	if cfg.dir == "" {
		s, err = openTempStack(ctx, "jobplane-bench-batch", nil, opts)
	} else {
		s, err = openStack(ctx, cfg.dir, nil, opts)
	}
	if err != nil {
		return err
	}
	defer s.close()
	if err := seed(ctx, s, cfg.objects); err != nil {
		return err
	}
	m, err := writeManifest(ctx, s.objects, manifestBucket, fmt.Sprintf("tag-%d.csv", time.Now().UnixNano()), dataBucket, cfg.objects, objectKey)
	if err != nil {
		return err
	}
	if cfg.cpuProfile != "" {
		f, err := os.Create(cfg.cpuProfile)
		if err != nil {
			return err
		}
		pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
	}
	tag := fmt.Sprintf("run-%d", time.Now().Unix())
	id, err := s.createJob(&api.JobOperation{S3PutObjectTagging: &api.S3SetObjectTaggingOperation{
		TagSet: []api.S3Tag{{Key: ptr("bench"), Value: ptr(tag)}}}}, m, reportBucket)
	if err != nil {
		return err
	}
	_, active, err := s.waitFor(id, time.Millisecond, time.Minute, api.JobStatusActive, api.JobStatusCompleting, api.JobStatusComplete)
	if err != nil {
		return err
	}
	_, completing, err := s.waitFor(id, 2*time.Millisecond, time.Hour, api.JobStatusCompleting, api.JobStatusComplete)
	if err != nil {
		return err
	}
	d, complete, err := s.waitFor(id, 2*time.Millisecond, time.Hour, api.JobStatusComplete)
	if err != nil {
		return err
	}
	pprof.StopCPUProfile()
	ps := deref(d.ProgressSummary)
	tasks := deref(ps.NumberOfTasksSucceeded) + deref(ps.NumberOfTasksFailed)
	if deref(ps.NumberOfTasksFailed) != 0 || tasks != int64(cfg.objects) {
		return fmt.Errorf("the job ran %d tasks, %d failed", tasks, deref(ps.NumberOfTasksFailed))
	}
	run, all := completing.Sub(active), complete.Sub(active)
	engineRate := float64(tasks) / run.Seconds()
	fmt.Printf("  engine: %d tasks in %s: %.0f tasks/s (Active to Completing); %s and %.0f tasks/s with the report (to Complete)\n",
		tasks, run.Round(time.Millisecond), engineRate, all.Round(time.Millisecond), float64(tasks)/all.Seconds())

	rate, count, err := boto3Baseline(ctx, s, cfg.objects, cfg.botoDuration)
	if err != nil {
		return err
	}
	fmt.Printf("  baseline: boto3, 32 threads, PutObjectTagging through jobplane's S3 endpoint: %d objects in %s: %.0f req/s\n",
		count, cfg.botoDuration, rate)
	fmt.Printf("  ratio engine/boto3: %.1fx (targets: >= 100000 tasks/s, >= 50x); load average %s\n", engineRate/rate, loadAvg())
	return nil
}

// boto3Script tags objects obj-0000000... from 32 threads for a while and
// prints how many it tagged and in how long.
const boto3Script = `
import os, sys, threading, time
import boto3
from botocore.config import Config
url, n, secs = os.environ["URL"], int(os.environ["N"]), float(os.environ["SECS"])
c = boto3.client("s3", endpoint_url=url, region_name="us-east-1", aws_access_key_id="123456789012", aws_secret_access_key="x",
                 config=Config(max_pool_connections=32, retries={"max_attempts": 1}, s3={"addressing_style": "path"}))
lock = threading.Lock()
state = {"next": 0, "done": 0}
deadline = time.time() + secs
def work():
    while time.time() < deadline:
        with lock:
            i = state["next"]; state["next"] += 1
        if i >= n:
            return
        c.put_object_tagging(Bucket="bench-data", Key="obj-%07d" % i, Tagging={"TagSet": [{"Key": "baseline", "Value": "boto3"}]})
        with lock:
            state["done"] += 1
start = time.time()
ts = [threading.Thread(target=work) for _ in range(32)]
for t in ts: t.start()
for t in ts: t.join()
print(state["done"], time.time() - start)
`

// boto3Baseline serves jobplane's S3 API over the stack's store on
// loopback and runs the boto3 pool against it.
func boto3Baseline(ctx context.Context, s *stack, n int, d time.Duration) (float64, int, error) {
	key, err := s.db.Secret(ctx, "s3")
	if err != nil {
		return 0, 0, err
	}
	prov, err := s3provider.New(s3provider.Options{Store: s.objects, TokenKey: key})
	if err != nil {
		return 0, 0, err
	}
	gw, err := gateway.New(gateway.Options{Region: "us-east-1", S3Domain: "localhost", S3: prov})
	if err != nil {
		return 0, 0, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, 0, err
	}
	srv := &http.Server{Handler: gw}
	go srv.Serve(ln)
	defer srv.Close()
	cmd := exec.CommandContext(ctx, "python3", "-c", boto3Script)
	cmd.Env = append(os.Environ(), "URL=http://"+ln.Addr().String(), "N="+strconv.Itoa(n), "SECS="+strconv.FormatFloat(d.Seconds(), 'f', 3, 64))
	out, err := cmd.CombinedOutput()
	if err != nil {
		return 0, 0, fmt.Errorf("boto3 baseline: %v\n%s", err, out)
	}
	var count int
	var secs float64
	if _, err := fmt.Sscan(string(out), &count, &secs); err != nil {
		return 0, 0, fmt.Errorf("boto3 baseline printed %q", out)
	}
	return float64(count) / secs, count, nil
}
