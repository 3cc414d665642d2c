package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"
)

// config is everything `jobplane serve` can be told.
type config struct {
	Listen          string
	DataDir         string
	Region          string
	Auth            string
	Credentials     string
	S3Domain        string
	LogLevel        string
	LogFormat       string
	ShutdownTimeout time.Duration

	// Each API's own settings, declared in that API's setup file.
	S3Control s3controlConfig
	Snowball  snowballConfig
	S3        s3Config
	// Batch is the S3 Batch Operations job engine's (cmd/jobplane/batch.go).
	Batch batchConfig
}

// option is one setting: a flag with an environment variable behind it.
type option struct {
	name, env, usage string
	def              string
	set              func(c *config, v string) error
}

// options are every setting: the server's own, then each API's.
var options = slices.Concat(serverOptions, s3controlOptions, batchOptions, snowballOptions, s3Options)

var serverOptions = []option{
	{"listen", "JOBPLANE_LISTEN", "address to serve HTTP on", "127.0.0.1:4588",
		func(c *config, v string) error { c.Listen = v; return nil }},
	{"data-dir", "JOBPLANE_DATA_DIR", "directory of jobplane's state (created if missing)", "./jobplane-data",
		func(c *config, v string) error { c.DataDir = v; return nil }},
	{"region", "JOBPLANE_REGION", "AWS region jobplane presents itself as", "us-east-1",
		func(c *config, v string) error { c.Region = v; return nil }},
	{"auth", "JOBPLANE_AUTH", "off (accept any credentials) or sigv4 (verify signatures against --credentials)", "off",
		func(c *config, v string) error {
			if v != "off" && v != "sigv4" {
				return fmt.Errorf("must be off or sigv4, not %q", v)
			}
			c.Auth = v
			return nil
		}},
	{"credentials", "JOBPLANE_CREDENTIALS", "file of 'ACCESS_KEY_ID SECRET_ACCESS_KEY ACCOUNT_ID' lines, used with --auth=sigv4", "",
		func(c *config, v string) error { c.Credentials = v; return nil }},
	{"s3-domain", "JOBPLANE_S3_DOMAIN", "domain of virtual-hosted-style S3 requests (bucket.DOMAIN)", "localhost",
		func(c *config, v string) error { c.S3Domain = v; return nil }},
	{"log-level", "JOBPLANE_LOG_LEVEL", "debug, info, warn or error", "info",
		func(c *config, v string) error {
			switch v {
			case "debug", "info", "warn", "error":
				c.LogLevel = v
				return nil
			}
			return fmt.Errorf("must be debug, info, warn or error, not %q", v)
		}},
	{"log-format", "JOBPLANE_LOG_FORMAT", "text or json", "text",
		func(c *config, v string) error {
			if v != "text" && v != "json" {
				return fmt.Errorf("must be text or json, not %q", v)
			}
			c.LogFormat = v
			return nil
		}},
	{"shutdown-timeout", "JOBPLANE_SHUTDOWN_TIMEOUT", "how long a shutdown waits for in-flight requests", "30s",
		func(c *config, v string) error {
			d, err := time.ParseDuration(v)
			if err != nil || d < 0 {
				return fmt.Errorf("must be a duration such as 30s, not %q", v)
			}
			c.ShutdownTimeout = d
			return nil
		}},
}

// parseConfig reads the serve command's settings: each flag given on the
// command line wins, else its environment variable, else its default.
func parseConfig(args []string, getenv func(string) string, stderr io.Writer) (*config, error) {
	fs := flag.NewFlagSet("jobplane serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	values := make([]*string, len(options))
	for i, o := range options {
		values[i] = fs.String(o.name, "", "")
	}
	fs.Usage = func() { printUsage(stderr) }
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })

	c := &config{}
	var errs []error
	for i, o := range options {
		v, from := o.def, "default"
		if e := getenv(o.env); e != "" {
			v, from = e, o.env
		}
		if given[o.name] {
			v, from = *values[i], "--"+o.name
		}
		if err := o.set(c, v); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", from, err))
		}
	}
	if c.Auth == "sigv4" && c.Credentials == "" {
		errs = append(errs, errors.New("--auth=sigv4 needs --credentials (or JOBPLANE_CREDENTIALS)"))
	}
	return c, errors.Join(errs...)
}

func printUsage(w io.Writer) {
	fmt.Fprintln(w, `Usage: jobplane serve [flags]

Serves S3 Batch Operations (S3 Control), Snowball job management and S3 on one
HTTP endpoint. Every flag can also be set by the environment variable shown;
a flag on the command line wins over the environment.

Flags:`)
	for _, o := range options {
		def := o.def
		if def == "" {
			def = "none"
		}
		fmt.Fprintf(w, "  --%-18s %s\n  %-20s env %s, default %s\n", o.name, o.usage, "", o.env, def)
	}
}

func envLookup(name string) string { return strings.TrimSpace(os.Getenv(name)) }
