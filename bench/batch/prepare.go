package main

import (
	"context"
	"fmt"
	"io"
	"sort"
	"time"

	api "github.com/jobplane/jobplane/internal/api/s3control"
	"github.com/jobplane/jobplane/internal/batch"
	"github.com/jobplane/jobplane/internal/batch/lambda"
	"github.com/jobplane/jobplane/internal/batch/manifest"
	"github.com/jobplane/jobplane/internal/objectstore"
)

func benchPrepare(ctx context.Context, rows int) error {
	fmt.Printf("\nprepare: CreateJob (no confirmation) to Active, manifest of %d lines\n", rows)
	s, err := openTempStack(ctx, "jobplane-bench-batch-prepare", nil, batch.Options{JobConcurrency: 8, Concurrency: 32})
	if err != nil {
		return err
	}
	defer s.close()
	if err := createBuckets(ctx, s); err != nil {
		return err
	}
	m, err := writeManifest(ctx, s.objects, manifestBucket, "prepare.csv", dataBucket, rows, func(i int) string {
		return fmt.Sprintf("some/prefix/object-%09d.json", i)
	})
	if err != nil {
		return err
	}
	// Baseline: the CSV reader alone over the same object.
	start := time.Now()
	obj, err := s.objects.GetObject(ctx, objectstore.GetObjectInput{Bucket: manifestBucket, Key: "prepare.csv"})
	if err != nil {
		return err
	}
	r, err := manifest.NewCSV(obj.Body, []string{"Bucket", "Key"}, 0, 0)
	if err != nil {
		return err
	}
	for {
		if _, err := r.Next(); err == io.EOF {
			break
		} else if err != nil {
			return err
		}
	}
	obj.Body.Close()
	parse := time.Since(start)

	var times []time.Duration
	for range 3 {
		start := time.Now()
		// The objects do not exist: once Active the job fails its tasks and
		// stops at the failure threshold, out of the next run's way.
		id, err := s.createJob(&api.JobOperation{S3DeleteObjectTagging: &api.S3DeleteObjectTaggingOperation{}}, m, reportBucket)
		if err != nil {
			return err
		}
		d, active, err := s.waitFor(id, 500*time.Microsecond, time.Minute, api.JobStatusActive, api.JobStatusFailing, api.JobStatusFailed)
		if err != nil {
			return err
		}
		if *d.Status != api.JobStatusActive {
			return fmt.Errorf("the job went %s without being seen Active", *d.Status)
		}
		times = append(times, active.Sub(start))
		if _, _, err := s.waitFor(id, 10*time.Millisecond, time.Minute, api.JobStatusFailed, api.JobStatusComplete); err != nil {
			return err
		}
	}
	sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
	fmt.Printf("  CreateJob to Active: %s (median of %v); baseline: parsing the manifest alone %s; target <= 1s; load average %s\n",
		times[1].Round(time.Millisecond), times, parse.Round(time.Millisecond), loadAvg())
	return nil
}

// instant is a Lambda function that answers Succeeded at once.
type instant struct{}

func (instant) Invoke(_ context.Context, _ string, payload []byte) ([]byte, string, error) {
	req, err := lambda.ParseRequest(payload)
	if err != nil {
		return nil, "", err
	}
	return lambda.Response(req, lambda.Succeeded, "ok"), "", nil
}

func benchMemory(ctx context.Context, rows int) error {
	fmt.Printf("\nmemory: LambdaInvoke (a function answering at once) over %d manifest lines\n", rows)
	s, err := openTempStack(ctx, "jobplane-bench-batch-memory", nil,
		batch.Options{JobConcurrency: 8, Concurrency: 32, Lambda: instant{}, CheckpointInterval: time.Second})
	if err != nil {
		return err
	}
	defer s.close()
	if err := createBuckets(ctx, s); err != nil {
		return err
	}
	m, err := writeManifest(ctx, s.objects, manifestBucket, "memory.csv", dataBucket, rows, func(i int) string { return fmt.Sprintf("k%09d", i) })
	if err != nil {
		return err
	}
	before := peakRSS()
	start := time.Now()
	id, err := s.createJob(&api.JobOperation{LambdaInvoke: &api.LambdaInvokeOperation{FunctionArn: ptr("fn"), InvocationSchemaVersion: ptr("1.0")}}, m, reportBucket)
	if err != nil {
		return err
	}
	d, _, err := s.waitFor(id, 50*time.Millisecond, 2*time.Hour, api.JobStatusComplete)
	if err != nil {
		return err
	}
	ps := deref(d.ProgressSummary)
	fmt.Printf("  %d tasks succeeded in %s; peak RSS %.0f MiB (%.0f MiB before the job; target < 512 MiB); load average %s\n",
		deref(ps.NumberOfTasksSucceeded), time.Since(start).Round(time.Second), peakRSS(), before, loadAvg())
	return nil
}
