package main

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/jobplane/jobplane/internal/provider/snowball"
)

// snowballConfig is the Snowball job-management API's part of the configuration.
type snowballConfig struct {
	// StageDuration is how long each clock-driven stage of a job lasts.
	StageDuration time.Duration
	// LabelDuration is how long a return shipping label takes to generate.
	LabelDuration time.Duration
	// Limit is each account's SnowballLimit.
	Limit int
}

// snowballOptions are the Snowball job-management API's settings.
var snowballOptions = []option{
	{"snowball-stage-duration", "JOBPLANE_SNOWBALL_STAGE_DURATION",
		"how long each stage of a Snowball job's simulated logistics lasts", snowball.DefaultStageDuration.String(),
		func(c *config, v string) error {
			d, err := time.ParseDuration(v)
			if err != nil || d <= 0 {
				return fmt.Errorf("must be a positive duration such as 24h or 2s, not %q", v)
			}
			c.Snowball.StageDuration = d
			return nil
		}},
	{"snowball-label-duration", "JOBPLANE_SNOWBALL_LABEL_DURATION",
		"how long a Snowball return shipping label takes to generate", snowball.DefaultLabelDuration.String(),
		func(c *config, v string) error {
			d, err := time.ParseDuration(v)
			if err != nil || d < 0 {
				return fmt.Errorf("must be a duration such as 5m or 0s, not %q", v)
			}
			c.Snowball.LabelDuration = d
			return nil
		}},
	{"snowball-limit", "JOBPLANE_SNOWBALL_LIMIT",
		"the SnowballLimit (device quota) GetSnowballUsage reports for every account", strconv.Itoa(snowball.DefaultLimit),
		func(c *config, v string) error {
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 {
				return fmt.Errorf("must be a whole number of devices, not %q", v)
			}
			c.Snowball.Limit = n
			return nil
		}},
}

// setupSnowball builds the Snowball job-management API's provider, mounts
// its endpoint (/_jobplane/snowball/: advancing jobs, presigned files) and
// starts the loop that moves jobs along as the clock reaches their stages'
// ends; the loop stops at shutdown, before the store closes.
func setupSnowball(ctx context.Context, env *environment, p *providers) error {
	secret, err := env.store.Secret(ctx, snowball.SecretName)
	if err != nil {
		return err
	}
	cfg := env.cfg.Snowball
	prov, err := snowball.New(snowball.Options{
		Store:         env.store,
		Clock:         env.clock,
		Region:        env.cfg.Region,
		StageDuration: cfg.StageDuration,
		LabelDuration: cfg.LabelDuration,
		Limit:         cfg.Limit,
		Secret:        secret,
		BaseURL:       "http://" + env.cfg.Listen,
		Logger:        env.log,
	})
	if err != nil {
		return err
	}
	p.snowball = prov
	p.endpoint(snowball.EndpointPrefix, prov.Handler())
	runCtx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		prov.Run(runCtx)
	}()
	p.onStop(func() error {
		cancel()
		<-done
		return nil
	})
	return nil
}
