package main

import (
	"log/slog"
	"net/http"

	"github.com/jobplane/jobplane/internal/api/s3"
	"github.com/jobplane/jobplane/internal/api/s3control"
	"github.com/jobplane/jobplane/internal/api/snowball"
	"github.com/jobplane/jobplane/internal/clock"
	"github.com/jobplane/jobplane/internal/objectstore"
	"github.com/jobplane/jobplane/internal/store/sqlite"
)

// environment is what every API's setup may use.
type environment struct {
	cfg   *config
	store *sqlite.DB
	clock clock.Clock
	log   *slog.Logger
}

// providers collects what the setups build for the gateway. An API whose
// provider stays nil answers NotImplemented.
type providers struct {
	s3control s3control.Service
	snowball  snowball.Service
	s3        s3.Service
	// objects is the object store setupS3 opens: the batch engine acts on
	// it in-process (nil until setupS3 has run).
	objects objectstore.Store
	// endpoints are jobplane's own endpoints under /_jobplane/.
	endpoints map[string]http.Handler
	// stops are called at shutdown, last registered first, after the HTTP
	// server has stopped and before the store closes: background work
	// (job engines, lifecycle clocks) ends there.
	stops []func() error
}

// endpoint registers a handler for a path prefix under /_jobplane/.
func (p *providers) endpoint(prefix string, h http.Handler) {
	if p.endpoints == nil {
		p.endpoints = map[string]http.Handler{}
	}
	p.endpoints[prefix] = h
}

// onStop registers work to do at shutdown.
func (p *providers) onStop(stop func() error) { p.stops = append(p.stops, stop) }

func (p *providers) stop(log *slog.Logger) {
	for i := len(p.stops) - 1; i >= 0; i-- {
		if err := p.stops[i](); err != nil {
			log.Error("stopping", "error", err)
		}
	}
}
