package gateway

import (
	"context"
	"log/slog"
	"net/http"
	"time"
)

// recorder remembers the status a handler wrote, for the request log.
type recorder struct {
	http.ResponseWriter
	code        int
	wroteHeader bool
}

func (r *recorder) WriteHeader(code int) {
	if !r.wroteHeader {
		r.code = code
		r.wroteHeader = true
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(p []byte) (int, error) {
	if !r.wroteHeader {
		r.WriteHeader(http.StatusOK)
	}
	return r.ResponseWriter.Write(p)
}

// Flush lets streaming responses reach the client as they are written.
func (r *recorder) Flush() {
	if f, ok := r.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

func (r *recorder) status() int {
	if !r.wroteHeader {
		return http.StatusOK
	}
	return r.code
}

type logEntry struct {
	requestID, service, operation, account, method, path string
	status                                               int
	latency                                              time.Duration
}

// logRequest writes the one line every request gets.
func (g *Gateway) logRequest(ctx context.Context, e logEntry) {
	level := slog.LevelInfo
	switch {
	case e.status == http.StatusNotImplemented:
		// An operation jobplane does not serve is the client's news, not
		// a server fault.
		level = slog.LevelWarn
	case e.status >= 500:
		level = slog.LevelError
	}
	if !g.log.Enabled(ctx, level) {
		return
	}
	g.log.LogAttrs(ctx, level, "request",
		slog.String("request_id", e.requestID),
		slog.String("service", e.service),
		slog.String("operation", e.operation),
		slog.Int("status", e.status),
		slog.Duration("latency", e.latency),
		slog.String("method", e.method),
		slog.String("path", e.path),
		slog.String("account", e.account),
	)
}
