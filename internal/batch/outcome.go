package batch

import (
	"context"
	"errors"
	"math/rand/v2"
	"net"
	"net/http"
	"time"
	"unicode/utf8"

	"github.com/jobplane/jobplane/internal/apierror"
	"github.com/jobplane/jobplane/internal/batch/report"
)

// outcome is how one task ended.
type outcome struct {
	failed bool
	// status is the HTTP status of the task's request (200 on success and
	// for Lambda verdicts, spec §8.11).
	status int
	code   string
	msg    string
	// retry says the failure may pass if the task runs again (throttling,
	// server errors, timeouts, a Lambda TemporaryFailure).
	retry bool
	// abandon says the task did not finish because the engine is
	// stopping: it is not done and runs again when the job resumes.
	abandon bool
}

// succeeded is the outcome of a task that worked; non-Lambda tasks report
// "Successful" (spec §9: `…,succeeded,200,,Successful`).
func succeeded(msg string) outcome {
	if msg == "" {
		msg = "Successful"
	}
	return outcome{status: http.StatusOK, msg: msg}
}

// failure is the outcome of a task whose request failed with err: the S3
// error's status, code and message go to the report, and errors that may
// pass on a second try are marked retryable. ctx is the task's context: a
// failure caused by the engine stopping abandons the task instead.
func failure(ctx context.Context, err error) outcome {
	if ctx.Err() != nil {
		return outcome{abandon: true}
	}
	if c, ok := apierror.As(err); ok {
		o := outcome{failed: true, status: c.HTTPStatusCode(), code: c.ErrorCode(), msg: c.ErrorMessage()}
		o.retry = retryableStatus(o.status) || o.code == "SlowDown" || o.code == "RequestTimeout" ||
			o.code == "Throttling" || o.code == "ThrottlingException" || o.code == "TooManyRequestsException"
		if o.msg == "" {
			o.msg = http.StatusText(o.status)
		}
		return o
	}
	o := outcome{failed: true, status: http.StatusInternalServerError, code: "InternalError",
		msg: "We encountered an internal error. Please try again.", retry: true}
	var ne net.Error
	if errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout() {
		o.code, o.msg = "RequestTimeout", "The task timed out."
	}
	return o
}

// failed is an outcome the engine decides itself (not a request's error).
func failed(status int, code, msg string) outcome {
	return outcome{failed: true, status: status, code: code, msg: msg}
}

func retryableStatus(status int) bool {
	return status == http.StatusInternalServerError || status == http.StatusBadGateway ||
		status == http.StatusServiceUnavailable || status == http.StatusGatewayTimeout ||
		status == http.StatusTooManyRequests
}

// result turns a task's outcome into its report row. Each field is cut to
// what the spool holds: a longer one (a Lambda resultString is the
// function's to choose) could be written but not read back, and the report
// could never be written.
func (t *task) result(o outcome) report.Result {
	r := report.Result{Bucket: t.entry.Bucket, Key: t.entry.RawKey, VersionID: t.entry.VersionID,
		Status: report.Succeeded, HTTPStatus: o.status, Message: o.msg}
	if o.failed {
		r.Status, r.ErrorCode = report.Failed, o.code
	}
	for _, f := range []*string{&r.Bucket, &r.Key, &r.VersionID, &r.ErrorCode, &r.Message} {
		*f = truncate(*f, maxSpoolField)
	}
	return r
}

// truncate returns s cut to at most n bytes, ending in "..." where it was
// cut, and never inside a UTF-8 sequence.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n - len("...")
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "..."
}

// Retry is how often and how patiently a task that failed with a
// retryable error is tried again.
type Retry struct {
	// Attempts is how many times a task runs at most (1 means no retry).
	Attempts int
	// Base is the first backoff; each further one doubles, up to Max, and
	// the wait is drawn at random up to it ("full jitter").
	Base, Max time.Duration
}

// DefaultRetry tries a task five times, backing off from 100 ms to 5 s.
var DefaultRetry = Retry{Attempts: 5, Base: 100 * time.Millisecond, Max: 5 * time.Second}

// backoff is the wait before attempt n+1 (n ≥ 1).
func (r Retry) backoff(n int) time.Duration {
	d := r.Base
	for i := 1; i < n && d < r.Max; i++ {
		d *= 2
	}
	d = min(d, r.Max)
	if d <= 0 {
		return 0
	}
	return time.Duration(rand.Int64N(int64(d))) + 1
}
