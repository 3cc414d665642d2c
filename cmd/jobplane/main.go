// Command jobplane serves AWS S3 Batch Operations (the S3 Control job API),
// Snowball job management and the S3 operations those jobs act on, on one
// HTTP endpoint, for unmodified AWS clients.
//
//	jobplane serve [flags]    run the server (jobplane serve --help)
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime"
	"syscall"
	"time"

	"github.com/jobplane/jobplane/internal/clock"
	"github.com/jobplane/jobplane/internal/gateway"
	"github.com/jobplane/jobplane/internal/procs"
	"github.com/jobplane/jobplane/internal/sigv4"
	"github.com/jobplane/jobplane/internal/store/sqlite"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, "usage: jobplane serve [flags]   (jobplane serve --help lists the flags)")
		return 2
	}
	switch args[0] {
	case "serve":
		cfg, err := parseConfig(args[1:], envLookup, stderr)
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		if err != nil {
			fmt.Fprintln(stderr, "jobplane:", err)
			return 2
		}
		procs.Tune()
		ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
		defer stop()
		if err := serve(ctx, cfg, stderr, nil); err != nil {
			fmt.Fprintln(stderr, "jobplane:", err)
			return 1
		}
		return 0
	case "help", "-h", "--help":
		printUsage(stdout)
		return 0
	}
	fmt.Fprintf(stderr, "jobplane: unknown command %q (try: jobplane serve --help)\n", args[0])
	return 2
}

// serve runs the server until ctx is done, then shuts it down gracefully: it
// stops accepting, lets in-flight requests finish (up to the shutdown
// timeout) and closes the store. ready, when not nil, receives the address
// the server listens on.
func serve(ctx context.Context, cfg *config, logOut io.Writer, ready chan<- string) error {
	log := newLogger(cfg, logOut)

	var creds []sigv4.Credential
	auth := gateway.AuthOff
	if cfg.Auth == "sigv4" {
		var err error
		if creds, err = sigv4.LoadCredentials(cfg.Credentials); err != nil {
			return err
		}
		auth = gateway.AuthSigV4
	}

	st, err := sqlite.Open(ctx, cfg.DataDir)
	if err != nil {
		return err
	}
	defer func() {
		if err := st.Close(); err != nil {
			log.Error("closing the store", "error", err)
		}
	}()

	env := &environment{cfg: cfg, store: st, clock: clock.Real{}, log: log}
	var p providers
	defer p.stop(log)
	for _, setup := range []func(context.Context, *environment, *providers) error{setupS3, setupS3Control, setupSnowball} {
		if err := setup(ctx, env, &p); err != nil {
			return err
		}
	}

	gw, err := gateway.New(gateway.Options{
		Region:      cfg.Region,
		S3Domain:    cfg.S3Domain,
		Auth:        auth,
		Credentials: creds,
		Logger:      log,
		Health:      st.Ping,
		Endpoints:   p.endpoints,
		S3Control:   p.s3control,
		Snowball:    p.snowball,
		S3:          p.s3,
	})
	if err != nil {
		return err
	}

	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           gw,
		ReadHeaderTimeout: 30 * time.Second,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	log.Info("jobplane listening", "address", ln.Addr().String(), "data_dir", cfg.DataDir,
		"region", cfg.Region, "auth", cfg.Auth, "gomaxprocs", runtime.GOMAXPROCS(0))
	if ready != nil {
		ready <- ln.Addr().String()
	}

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down", "timeout", cfg.ShutdownTimeout)
	sctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		log.Warn("requests still in flight at the shutdown timeout", "error", err)
		srv.Close()
	}
	log.Info("stopped")
	return nil
}

func newLogger(cfg *config, w io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.LogLevel))
	opts := &slog.HandlerOptions{Level: level}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}
