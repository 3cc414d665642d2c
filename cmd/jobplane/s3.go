package main

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"

	"github.com/jobplane/jobplane/internal/objectstore"
	"github.com/jobplane/jobplane/internal/objectstore/embedded"
	"github.com/jobplane/jobplane/internal/objectstore/remote"
	s3provider "github.com/jobplane/jobplane/internal/provider/s3"
)

// s3Config is the S3 API and the object store's part of the configuration.
type s3Config struct {
	// Endpoint, when set, keeps the objects in that S3 endpoint instead of
	// the data directory (remote mode).
	Endpoint string
	// PathStyle addresses the remote endpoint's buckets in the path.
	PathStyle bool
	// RestoreDelays are the simulated archive restore times.
	RestoreDelays objectstore.RestoreDelays
	// Sync is how the embedded store makes uploads durable.
	Sync embedded.SyncMode
}

// s3Options are the S3 API and the object store's settings.
var s3Options = []option{
	{"s3-endpoint", "JOBPLANE_S3_ENDPOINT",
		"keep objects in this S3-compatible endpoint (AWS S3, MinIO, Ceph, moto_server) instead of under --data-dir; " +
			"credentials come from the standard AWS environment (AWS_ACCESS_KEY_ID, AWS_PROFILE, ...), the region from AWS_REGION or --region", "",
		func(c *config, v string) error {
			if v != "" {
				u, err := url.Parse(v)
				if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
					return fmt.Errorf("must be an http or https URL, not %q", v)
				}
			}
			c.S3.Endpoint = v
			return nil
		}},
	{"s3-path-style", "JOBPLANE_S3_PATH_STYLE", "address the --s3-endpoint's buckets in the path (/bucket/key), as most self-hosted endpoints need: true or false", "false",
		func(c *config, v string) error {
			b, err := strconv.ParseBool(v)
			if err != nil {
				return fmt.Errorf("must be true or false, not %q", v)
			}
			c.S3.PathStyle = b
			return nil
		}},
	{"s3-restore-delay", "JOBPLANE_S3_RESTORE_DELAY",
		"simulated archive restore time: one duration for every tier (0s restores at once), or entries such as " +
			"Expedited=1m,Standard=5h,Bulk=12h,DEEP_ARCHIVE/Bulk=48h overriding AWS's documented times", "",
		func(c *config, v string) error {
			d, err := objectstore.ParseRestoreDelays(v)
			c.S3.RestoreDelays = d
			return err
		}},
	{"s3-sync", "JOBPLANE_S3_SYNC",
		"how uploads are made durable: auto, syncfs (one filesystem sync per group of concurrent uploads, Linux) or fsync (one per file)", "auto",
		func(c *config, v string) error {
			switch v {
			case "auto":
				c.S3.Sync = embedded.SyncDefault
			case "syncfs":
				c.S3.Sync = embedded.SyncFS
			case "fsync":
				c.S3.Sync = embedded.SyncFiles
			default:
				return fmt.Errorf("must be auto, syncfs or fsync, not %q", v)
			}
			return nil
		}},
}

// setupS3 opens the object store and builds the S3 API's provider on it.
// With --s3-endpoint the objects live in that endpoint: jobplane's S3 API
// then serves them from there, each request becoming the same S3 call to
// the endpoint, and leaves access decisions to it (docs/s3.md).
func setupS3(ctx context.Context, env *environment, p *providers) error {
	cfg := env.cfg.S3
	key, err := env.store.Secret(ctx, "s3")
	if err != nil {
		return err
	}
	var objects objectstore.Store
	if cfg.Endpoint != "" {
		region := os.Getenv("AWS_REGION")
		if region == "" {
			region = env.cfg.Region
		}
		remoteObjects, err := remote.New(ctx, remote.Options{Endpoint: cfg.Endpoint, PathStyle: cfg.PathStyle, Region: region})
		if err != nil {
			return err
		}
		env.log.Info("objects live in a remote S3 endpoint", "endpoint", cfg.Endpoint, "path_style", cfg.PathStyle, "region", region)
		objects = remoteObjects
	} else {
		embeddedObjects, err := embedded.Open(ctx, embedded.Options{
			Dir:     filepath.Join(env.cfg.DataDir, "objects"),
			Meta:    env.store.Objects(),
			Clock:   env.clock,
			Restore: cfg.RestoreDelays,
			Sync:    cfg.Sync,
			Logger:  env.log.With("component", "objectstore"),
		})
		if err != nil {
			return err
		}
		p.onStop(embeddedObjects.Close)
		objects = embeddedObjects
	}
	prov, err := s3provider.New(s3provider.Options{Store: objects, Clock: env.clock, Region: env.cfg.Region, TokenKey: key,
		SkipAccessChecks: cfg.Endpoint != ""})
	if err != nil {
		return err
	}
	p.objects, p.s3 = objects, prov
	return nil
}
