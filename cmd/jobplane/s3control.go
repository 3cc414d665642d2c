package main

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jobplane/jobplane/internal/provider/s3control"
)

// s3controlConfig is the S3 Control job API (S3 Batch Operations)'s part of the configuration.
type s3controlConfig struct {
	// SuspendedExpiry is how long a job may wait in Suspended before it fails.
	SuspendedExpiry time.Duration
	// Retention is how long a finished job stays visible.
	Retention time.Duration
	// SweepInterval is how often the lifecycle rules are swept.
	SweepInterval time.Duration
}

// s3controlOptions are the S3 Control job API (S3 Batch Operations)'s settings.
var s3controlOptions = []option{
	{"s3control-suspended-expiry", "JOBPLANE_S3CONTROL_SUSPENDED_EXPIRY",
		"how long a batch job may stay Suspended before it fails (AWS: 30 days); a duration such as 30d or 90s", "30d",
		func(c *config, v string) error { return setDuration(&c.S3Control.SuspendedExpiry, v) }},
	{"s3control-retention", "JOBPLANE_S3CONTROL_RETENTION",
		"how long a finished batch job stays listed and described (AWS: 90 days); a duration such as 90d or 1h", "90d",
		func(c *config, v string) error { return setDuration(&c.S3Control.Retention, v) }},
	{"s3control-sweep-interval", "JOBPLANE_S3CONTROL_SWEEP_INTERVAL",
		"how often expired and finished batch jobs are swept (POST /_jobplane/s3control/sweep sweeps at once)", "1m",
		func(c *config, v string) error { return setDuration(&c.S3Control.SweepInterval, v) }},
}

// setDuration parses a positive Go duration, or a whole number of days
// written "Nd".
func setDuration(dst *time.Duration, v string) error {
	var d time.Duration
	if n, ok := strings.CutSuffix(v, "d"); ok {
		days, err := strconv.Atoi(n)
		if err != nil || days <= 0 || days > 100*365 {
			return fmt.Errorf("must be a positive number of days such as 30d, or a duration such as 1h30m, not %q", v)
		}
		d = time.Duration(days) * 24 * time.Hour
	} else {
		var err error
		if d, err = time.ParseDuration(v); err != nil || d <= 0 {
			return fmt.Errorf("must be a positive duration such as 30d or 1h30m, not %q", v)
		}
	}
	*dst = d
	return nil
}

// setupS3Control builds the S3 Control job API (S3 Batch Operations)'s provider.
func setupS3Control(ctx context.Context, env *environment, p *providers) error {
	key, err := env.store.Secret(ctx, s3control.SecretName)
	if err != nil {
		return err
	}
	cfg := env.cfg.S3Control
	prov, err := s3control.New(s3control.Options{
		Jobs:            env.store.Jobs(),
		TokenKey:        key,
		Clock:           env.clock,
		Region:          env.cfg.Region,
		SuspendedExpiry: cfg.SuspendedExpiry,
		Retention:       cfg.Retention,
		SweepInterval:   cfg.SweepInterval,
		Logger:          env.log,
	})
	if err != nil {
		return err
	}
	// The job-execution engine (cmd/jobplane/batch.go) plugs in before
	// Start, starts after it and stops before it.
	engine, err := setupBatch(ctx, env, p, prov)
	if err != nil {
		return err
	}
	if err := prov.Start(ctx); err != nil {
		return err
	}
	p.onStop(prov.Stop)
	if engine != nil {
		if err := engine.Start(ctx); err != nil {
			return err
		}
		p.onStop(engine.Stop)
	}
	p.s3control = prov
	p.endpoint("/_jobplane/s3control/", prov.Handler())
	return nil
}
