package main

import (
	"context"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	awsconfig "github.com/aws/aws-sdk-go-v2/config"

	"github.com/jobplane/jobplane/internal/batch"
	"github.com/jobplane/jobplane/internal/batch/lambda"
	"github.com/jobplane/jobplane/internal/objectstore"
	"github.com/jobplane/jobplane/internal/provider/s3control"
)

// batchConfig is the S3 Batch Operations job engine's part of the
// configuration.
type batchConfig struct {
	// Off runs no engine: jobs wait in Ready (s3control.NoScheduler) and
	// preparation reads nothing (s3control.NoPreparation).
	Off bool
	// JobConcurrency and Concurrency are the tasks in flight per job and
	// over all jobs; 0 picks the default of the object store in use.
	JobConcurrency, Concurrency int
	// WriteSize is how many tasks share one store write on the embedded
	// store.
	WriteSize int
	// Attempts is how many times a task with a retryable failure runs.
	Attempts int
	// CheckpointInterval is how often running jobs checkpoint and report
	// their progress.
	CheckpointInterval time.Duration
	// TaskTimeout bounds one attempt of one task.
	TaskTimeout time.Duration
	// LambdaFunctions maps function names to local executables.
	LambdaFunctions map[string]string
	// LambdaEndpoint is the Lambda Invoke API functions not mapped locally
	// are called through; "" means none.
	LambdaEndpoint string
	// LambdaTimeout bounds one invocation of a local function.
	LambdaTimeout time.Duration
}

// Defaults of the engine's concurrency: the embedded store is fastest with
// a few writers that each change a batch of objects per store write; a
// remote endpoint needs hundreds of requests in flight.
const (
	embeddedJobConcurrency = 16
	embeddedConcurrency    = 64
	remoteJobConcurrency   = 256
	remoteConcurrency      = 1024
)

// batchOptions are the job engine's settings.
var batchOptions = []option{
	{"batch-engine", "JOBPLANE_BATCH_ENGINE",
		"on runs S3 Batch Operations jobs; off only keeps them (jobs wait in Ready, manifests are not read)", "on",
		func(c *config, v string) error {
			if v != "on" && v != "off" {
				return fmt.Errorf("must be on or off, not %q", v)
			}
			c.Batch.Off = v == "off"
			return nil
		}},
	{"batch-job-concurrency", "JOBPLANE_BATCH_JOB_CONCURRENCY",
		"tasks (on the embedded store: batches of tasks) of one batch job in flight at once; auto is " +
			strconv.Itoa(embeddedJobConcurrency) + " on the embedded store, " + strconv.Itoa(remoteJobConcurrency) + " on a remote one", "auto",
		func(c *config, v string) error { return setCount(&c.Batch.JobConcurrency, v, true) }},
	{"batch-concurrency", "JOBPLANE_BATCH_CONCURRENCY",
		"tasks in flight over all batch jobs; concurrency / job concurrency jobs run at once, and a job of higher priority pauses the lowest; auto is " +
			strconv.Itoa(embeddedConcurrency) + " on the embedded store, " + strconv.Itoa(remoteConcurrency) + " on a remote one", "auto",
		func(c *config, v string) error { return setCount(&c.Batch.Concurrency, v, true) }},
	{"batch-write-size", "JOBPLANE_BATCH_WRITE_SIZE",
		"tagging and ACL tasks changed in one store write on the embedded store", strconv.Itoa(batch.DefaultBatchSize),
		func(c *config, v string) error { return setCount(&c.Batch.WriteSize, v, false) }},
	{"batch-task-attempts", "JOBPLANE_BATCH_TASK_ATTEMPTS",
		"how many times a task that fails with a retryable error (503 SlowDown, 500, timeouts, Lambda TemporaryFailure) runs", strconv.Itoa(batch.DefaultRetry.Attempts),
		func(c *config, v string) error { return setCount(&c.Batch.Attempts, v, false) }},
	{"batch-checkpoint-interval", "JOBPLANE_BATCH_CHECKPOINT_INTERVAL",
		"how often running batch jobs checkpoint and update their ProgressSummary", batch.DefaultCheckpointInterval.String(),
		func(c *config, v string) error { return setDuration(&c.Batch.CheckpointInterval, v) }},
	{"batch-task-timeout", "JOBPLANE_BATCH_TASK_TIMEOUT",
		"how long one attempt of one batch task may take", batch.DefaultTaskTimeout.String(),
		func(c *config, v string) error { return setDuration(&c.Batch.TaskTimeout, v) }},
	{"lambda-function", "JOBPLANE_LAMBDA_FUNCTION",
		"NAME=PATH[,NAME=PATH...]: LambdaInvoke jobs naming function NAME run the executable PATH (payload on stdin, response on stdout)", "",
		func(c *config, v string) error {
			c.Batch.LambdaFunctions = map[string]string{}
			for item := range strings.SplitSeq(v, ",") {
				if item = strings.TrimSpace(item); item == "" {
					continue
				}
				name, path, err := lambda.ParseFunction(item)
				if err != nil {
					return err
				}
				c.Batch.LambdaFunctions[name] = path
			}
			return nil
		}},
	{"lambda-endpoint", "JOBPLANE_LAMBDA_ENDPOINT",
		"URL of a Lambda Invoke API (SigV4 with the standard AWS credentials) for functions --lambda-function does not map", "",
		func(c *config, v string) error { c.Batch.LambdaEndpoint = v; return nil }},
	{"lambda-timeout", "JOBPLANE_LAMBDA_TIMEOUT",
		"how long a local Lambda function may run before its invocation times out", "1m",
		func(c *config, v string) error { return setDuration(&c.Batch.LambdaTimeout, v) }},
}

// setCount parses a positive whole number, or "auto" (0) when allowed.
func setCount(dst *int, v string, auto bool) error {
	if auto && v == "auto" {
		*dst = 0
		return nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		if auto {
			return fmt.Errorf("must be auto or a positive whole number, not %q", v)
		}
		return fmt.Errorf("must be a positive whole number, not %q", v)
	}
	*dst = n
	return nil
}

// setupBatch builds the job engine over the object store setupS3 opened
// and plugs it into the S3 Control provider; the caller starts it once the
// provider has started (engine.Start), and stops it first at shutdown. It
// returns nil with --batch-engine off.
func setupBatch(ctx context.Context, env *environment, p *providers, prov *s3control.Provider) (*batch.Engine, error) {
	cfg := env.cfg.Batch
	if cfg.Off {
		return nil, nil
	}
	if p.objects == nil {
		return nil, fmt.Errorf("batch: no object store")
	}
	info, err := env.store.Info(ctx)
	if err != nil {
		return nil, err
	}
	perJob, overall := cfg.JobConcurrency, cfg.Concurrency
	if _, embedded := p.objects.(objectstore.BatchUpdater); embedded {
		perJob, overall = orDefault(perJob, embeddedJobConcurrency), orDefault(overall, embeddedConcurrency)
	} else {
		perJob, overall = orDefault(perJob, remoteJobConcurrency), orDefault(overall, remoteConcurrency)
	}
	var invoker lambda.Invoker
	multi := &lambda.Multi{}
	if len(cfg.LambdaFunctions) > 0 {
		multi.Local = &lambda.Local{Functions: cfg.LambdaFunctions, Timeout: cfg.LambdaTimeout}
	}
	if cfg.LambdaEndpoint != "" {
		awsCfg, err := awsconfig.LoadDefaultConfig(ctx, awsconfig.WithRegion(env.cfg.Region))
		if err != nil {
			return nil, fmt.Errorf("batch: loading the AWS configuration for --lambda-endpoint: %w", err)
		}
		multi.Remote = &lambda.Remote{Endpoint: cfg.LambdaEndpoint, Region: env.cfg.Region, Credentials: awsCfg.Credentials}
	}
	if multi.Local != nil || multi.Remote != nil {
		invoker = multi
	}
	engine, err := batch.New(batch.Options{
		Control: prov, Objects: p.objects, Runs: env.store.BatchRuns(), Dir: filepath.Join(env.cfg.DataDir, "batch"),
		Node: info.InstanceID, Clock: env.clock, Logger: env.log.With("component", "batch"), Lambda: invoker,
		JobConcurrency: perJob, Concurrency: overall, BatchSize: cfg.WriteSize,
		Retry:              batch.Retry{Attempts: cfg.Attempts, Base: batch.DefaultRetry.Base, Max: batch.DefaultRetry.Max},
		CheckpointInterval: cfg.CheckpointInterval, TaskTimeout: cfg.TaskTimeout,
	})
	if err != nil {
		return nil, err
	}
	prov.SetEngine(engine, engine)
	return engine, nil
}

func orDefault(v, def int) int {
	if v == 0 {
		return def
	}
	return v
}
