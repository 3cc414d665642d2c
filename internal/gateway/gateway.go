// Package gateway is jobplane's HTTP front: it detects which AWS API a
// request is for, routes it to an operation, authenticates the caller,
// decodes and validates the input against the model, calls the provider and
// renders the output or the error in the API's wire protocol. Every response
// carries a request id and every request is logged once.
package gateway

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"
	"time"

	"github.com/jobplane/jobplane/internal/api/s3"
	"github.com/jobplane/jobplane/internal/api/s3control"
	"github.com/jobplane/jobplane/internal/api/snowball"
	"github.com/jobplane/jobplane/internal/apierror"
	"github.com/jobplane/jobplane/internal/caller"
	"github.com/jobplane/jobplane/internal/protocol"
	"github.com/jobplane/jobplane/internal/protocol/awsjson"
	"github.com/jobplane/jobplane/internal/protocol/restxml"
	"github.com/jobplane/jobplane/internal/protocol/rpcv2cbor"
	"github.com/jobplane/jobplane/internal/schema"
	"github.com/jobplane/jobplane/internal/sigv4"
)

// Options configure a Gateway.
type Options struct {
	// Region is the region jobplane serves (caller.Info.Region).
	Region string
	// S3Domain is the domain of virtual-hosted-style S3 requests:
	// bucket.<S3Domain> names the bucket.
	S3Domain string
	// Auth selects whether signatures are verified.
	Auth AuthMode
	// Credentials are the known access keys, used when Auth is AuthSigV4.
	Credentials []sigv4.Credential
	// Logger receives one line per request. Nil discards.
	Logger *slog.Logger
	// Now is the clock for signature expiry and skew; nil means time.Now.
	Now func() time.Time
	// Health reports the state of the backing store for /_jobplane/health.
	Health func(ctx context.Context) error

	// Endpoints are jobplane's own endpoints besides /_jobplane/health, by
	// path prefix, each starting with /_jobplane/ (e.g. "/_jobplane/snowball/"
	// for the handler that advances Snowball jobs). The longest matching
	// prefix serves a request.
	Endpoints map[string]http.Handler

	// The providers. A nil provider answers NotImplemented for every
	// operation of its API.
	S3Control s3control.Service
	Snowball  snowball.Service
	S3        s3.Service
}

// AuthMode says whether the gateway verifies signatures.
type AuthMode uint8

// Authentication modes.
const (
	// AuthOff accepts any credentials; the access key only names the account.
	AuthOff AuthMode = iota
	// AuthSigV4 verifies every signature against Options.Credentials.
	AuthSigV4
)

// api is one AWS API as the gateway serves it through one codec.
type api struct {
	name   string
	model  *schema.Service
	codec  protocol.Codec
	impl   any
	errs   errorStyle
	xmlIDs bool // S3 and S3 Control also send x-amz-id-2
}

// Gateway is the http.Handler that serves every API.
type Gateway struct {
	opts    Options
	log     *slog.Logger
	auth    *authenticator
	started time.Time

	s3control, snowballJSON, snowballCBOR, s3 *api
}

// New returns a Gateway serving the given providers.
func New(opts Options) (*Gateway, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	for prefix := range opts.Endpoints {
		if !strings.HasPrefix(prefix, "/_jobplane/") || prefix == "/_jobplane/health" {
			return nil, fmt.Errorf("gateway: endpoint %q must live under /_jobplane/ and not be the health endpoint", prefix)
		}
	}
	auth, err := newAuthenticator(opts.Auth, opts.Credentials, opts.Now)
	if err != nil {
		return nil, err
	}
	var (
		s3cImpl s3control.Service = s3control.UnimplementedService{}
		sbImpl  snowball.Service  = snowball.UnimplementedService{}
		s3Impl  s3.Service        = s3.UnimplementedService{}
	)
	if opts.S3Control != nil {
		s3cImpl = opts.S3Control
	}
	if opts.Snowball != nil {
		sbImpl = opts.Snowball
	}
	if opts.S3 != nil {
		s3Impl = opts.S3
	}
	g := &Gateway{opts: opts, log: opts.Logger, auth: auth, started: opts.Now()}
	g.s3control = &api{name: "s3control", model: s3control.Model, impl: s3cImpl, errs: s3ControlErrors{}, xmlIDs: true,
		codec: restxml.New(s3control.Model, restxml.Options{WrappedErrors: true})}
	g.s3 = &api{name: "s3", model: s3.Model, impl: s3Impl, errs: s3Errors{}, xmlIDs: true,
		codec: restxml.New(s3.Model, restxml.Options{})}
	g.snowballJSON = &api{name: "snowball", model: snowball.Model, impl: sbImpl, errs: snowballErrors{},
		codec: awsjson.New(snowball.Model)}
	g.snowballCBOR = &api{name: "snowball", model: snowball.Model, impl: sbImpl, errs: snowballErrors{},
		codec: rpcv2cbor.New(snowball.Model, "com.amazonaws.snowball")}
	return g, nil
}

// ServeHTTP implements http.Handler.
func (g *Gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	rec := &recorder{ResponseWriter: w}
	ids := newRequestIDs()
	entry := logEntry{requestID: ids.requestID, method: r.Method, path: r.URL.Path}
	defer func() {
		if p := recover(); p != nil {
			// A provider or codec bug must not take the server down, and
			// must not leave the client without an answer.
			g.log.Error("panic serving request", "request_id", ids.requestID, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			if !rec.wroteHeader {
				http.Error(rec, "internal error", http.StatusInternalServerError)
			}
		}
		entry.status = rec.status()
		entry.latency = time.Since(start)
		g.logRequest(r.Context(), entry)
	}()

	target := Detect(r)
	var a *api
	switch target {
	case TargetJobplane:
		entry.service, entry.operation = "jobplane", r.URL.Path
		g.serveJobplane(rec, r, ids)
		return
	case TargetSnowballCBOR:
		a = g.snowballCBOR
	case TargetSnowballJSON:
		a = g.snowballJSON
	case TargetS3Control:
		a = g.s3control
	default:
		a = g.s3
		r = toPathStyle(r, g.opts.S3Domain)
	}
	entry.service = a.name
	ids.set(rec.Header(), a.xmlIDs)
	entry.operation, entry.account = g.serveAPI(rec, r, a, ids)
}

// serveAPI runs one AWS API request through routing, authentication,
// decoding, validation, the provider and encoding. It returns the operation
// name and the caller's account for the log.
func (g *Gateway) serveAPI(w http.ResponseWriter, r *http.Request, a *api, ids requestIDs) (string, string) {
	op, params, routeErr := a.codec.Route(r)
	opName := ""
	if op != nil {
		opName = op.Name
	}
	streaming := op != nil && hasStreamingInput(op)

	who, r, authErr := g.auth.authenticate(r, streaming)
	who.Region = g.opts.Region
	who.RequestID = ids.requestID
	if authErr != nil {
		g.fail(w, r, a, op, authErr, ids)
		return opName, who.AccountID
	}
	if routeErr != nil {
		g.fail(w, r, a, op, routeErr, ids)
		return opName, who.AccountID
	}
	if a == g.s3control && g.opts.Auth == AuthSigV4 {
		if h := r.Header.Get("X-Amz-Account-Id"); h != who.AccountID {
			g.fail(w, r, a, op, accountMismatch(h), ids)
			return opName, who.AccountID
		}
	}
	ctx := caller.With(r.Context(), who)
	r = r.WithContext(ctx)

	in, err := a.codec.DecodeInput(r, op, params)
	if err != nil {
		g.fail(w, r, a, op, err, ids)
		return opName, who.AccountID
	}
	if op.Input != nil {
		if err := schema.Validate(op.Input, in); err != nil {
			g.fail(w, r, a, op, err, ids)
			return opName, who.AccountID
		}
	}
	out, err := op.Invoke(ctx, a.impl, in)
	if err != nil {
		g.fail(w, r, a, op, err, ids)
		return opName, who.AccountID
	}
	if err := a.codec.EncodeOutput(w, r, op, out); err != nil {
		g.log.Error("encoding response", "request_id", ids.requestID, "operation", opName, "error", err)
		if rw, ok := w.(*recorder); !ok || !rw.wroteHeader {
			g.fail(w, r, a, op, err, ids)
		}
	}
	return opName, who.AccountID
}

// maxDrain bounds how much of a refused body the gateway reads and discards
// so that a client still sending it can read the error instead of a reset.
const maxDrain = 32 << 20

func drain(r *http.Request) {
	if r.Body != nil {
		_, _ = io.CopyN(io.Discard, r.Body, maxDrain)
	}
}

func hasStreamingInput(op *schema.Operation) bool {
	m := op.Input.PayloadMember()
	return m != nil && (m.Streaming || m.Shape.Streaming)
}

// fail renders err in the API's protocol. Errors that are not AWS errors are
// mapped here: decode and validation errors to the API's codes, anything
// unexpected to an internal error whose detail is only logged.
func (g *Gateway) fail(w http.ResponseWriter, r *http.Request, a *api, op *schema.Operation, err error, ids requestIDs) {
	var (
		de *protocol.DecodeError
		ve *schema.ValidationError
		se *sigv4.Error
	)
	var coded apierror.Coded
	switch {
	case errors.As(err, &de):
		if de.Kind == protocol.TooLarge {
			drain(r)
		}
		coded = a.errs.decode(op, de)
	case errors.As(err, &ve):
		coded = a.errs.validation(op, ve)
	case errors.As(err, &se):
		coded = a.errs.auth(se)
	default:
		if c, ok := apierror.As(err); ok {
			coded = c
		} else {
			g.log.Error("internal error", "request_id", ids.requestID, "service", a.name, "error", err)
			coded = a.errs.internal()
		}
	}
	a.codec.EncodeError(w, r, coded, protocol.ErrorMeta{RequestID: ids.requestID, HostID: ids.hostID})
}
