package lambda

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os/exec"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// maxResponse is the largest synchronous response Lambda returns (6 MB).
const maxResponse = 6 << 20

// NotFoundError says that no function of that name can be invoked. It is not
// worth retrying.
type NotFoundError struct{ Name string }

func (e *NotFoundError) Error() string { return "lambda: function not found: " + e.Name }

// Local runs functions as local executables, so that Lambda-driven jobs can
// be tested with no cloud at all: the payload goes to the program's standard
// input, its standard output is the response. A non-zero exit or a timeout is
// a function error.
type Local struct {
	// Functions maps function names to executable paths.
	Functions map[string]string
	// Timeout bounds one invocation, as a function's timeout does.
	Timeout time.Duration
}

// ParseFunction parses a --lambda-function value, NAME=PATH.
func ParseFunction(v string) (name, path string, err error) {
	name, path, ok := strings.Cut(v, "=")
	if !ok || name == "" || path == "" {
		return "", "", fmt.Errorf("lambda: %q is not NAME=PATH", v)
	}
	if n, q := FunctionName(name); q != "" || n != name {
		return "", "", fmt.Errorf("lambda: %q: name the function without an ARN or qualifier", name)
	}
	return name, path, nil
}

// Invoke implements Invoker. The qualifier of an ARN is ignored: a local
// function has one version.
func (l *Local) Invoke(ctx context.Context, functionARN string, payload []byte) ([]byte, string, error) {
	name, _ := FunctionName(functionARN)
	path, ok := l.Functions[name]
	if !ok {
		return nil, "", &NotFoundError{Name: name}
	}
	timeout := l.Timeout
	if timeout <= 0 {
		timeout = time.Minute
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, path)
	cmd.Stdin = bytes.NewReader(payload)
	var stdout, stderr limitedBuffer
	stdout.max, stderr.max = maxResponse, 4<<10
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	switch {
	case ctx.Err() == context.DeadlineExceeded:
		return errorDoc(fmt.Sprintf("%s Task timed out after %.2f seconds", time.Now().UTC().Format(time.RFC3339), timeout.Seconds()), "Timeout"), "Unhandled", nil
	case ctx.Err() != nil:
		return nil, "", ctx.Err()
	case err != nil:
		var exit *exec.ExitError
		if !errors.As(err, &exit) {
			return nil, "", fmt.Errorf("lambda: running %s: %w", path, err)
		}
		msg := strings.TrimSpace(stderr.String())
		if msg == "" {
			msg = exit.Error()
		}
		return errorDoc(msg, "Runtime.ExitError"), "Unhandled", nil
	case stdout.over:
		return errorDoc("Response payload size exceeded maximum allowed payload size (6291556 bytes).", "Function.ResponseSizeTooLarge"), "Unhandled", nil
	}
	return stdout.Bytes(), "", nil
}

func errorDoc(message, typ string) []byte {
	b, _ := json.Marshal(map[string]string{"errorMessage": message, "errorType": typ})
	return b
}

// limitedBuffer keeps at most max bytes and remembers that there were more.
type limitedBuffer struct {
	bytes.Buffer
	max  int
	over bool
}

func (b *limitedBuffer) Write(p []byte) (int, error) {
	if room := b.max - b.Len(); len(p) > room {
		b.over = true
		if room > 0 {
			b.Buffer.Write(p[:room])
		}
		return len(p), nil
	}
	return b.Buffer.Write(p)
}

// Remote calls the Lambda Invoke API of an endpoint (AWS Lambda itself, or
// any service that implements the API), signing with SigV4.
type Remote struct {
	// Endpoint is the base URL, e.g. https://lambda.us-east-1.amazonaws.com.
	Endpoint    string
	Region      string
	Credentials aws.CredentialsProvider
	HTTP        *http.Client
}

// Invoke implements Invoker with POST /2015-03-31/functions/{name}/invocations.
func (l *Remote) Invoke(ctx context.Context, functionARN string, payload []byte) ([]byte, string, error) {
	name, qualifier := FunctionName(functionARN)
	u := strings.TrimSuffix(l.Endpoint, "/") + "/2015-03-31/functions/" + url.PathEscape(name) + "/invocations"
	if qualifier != "" {
		u += "?Qualifier=" + url.QueryEscape(qualifier)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(payload))
	if err != nil {
		return nil, "", err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Amz-Invocation-Type", "RequestResponse")
	if l.Credentials != nil {
		creds, err := l.Credentials.Retrieve(ctx)
		if err != nil {
			return nil, "", fmt.Errorf("lambda: credentials: %w", err)
		}
		sum := sha256.Sum256(payload)
		if err := v4.NewSigner().SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), "lambda", l.Region, time.Now()); err != nil {
			return nil, "", err
		}
	}
	hc := l.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse+1))
	if err != nil {
		return nil, "", err
	}
	switch {
	case resp.StatusCode == http.StatusNotFound:
		return nil, "", &NotFoundError{Name: name}
	case resp.StatusCode != http.StatusOK:
		return nil, "", &HTTPError{Status: resp.StatusCode, Body: compact(body)}
	}
	return body, resp.Header.Get("X-Amz-Function-Error"), nil
}

// HTTPError is a failed call of the Invoke API (throttling, a service
// error); 429 and 5xx are worth retrying.
type HTTPError struct {
	Status int
	Body   string
}

func (e *HTTPError) Error() string {
	return fmt.Sprintf("lambda: Invoke answered %d: %s", e.Status, e.Body)
}

// Retryable reports whether the call may succeed if made again.
func (e *HTTPError) Retryable() bool {
	return e.Status == http.StatusTooManyRequests || e.Status >= 500
}

// Multi invokes a function locally when Local maps its name, and through
// Remote otherwise; a function neither knows is not found.
type Multi struct {
	Local  *Local
	Remote *Remote
}

// Invoke implements Invoker.
func (m *Multi) Invoke(ctx context.Context, functionARN string, payload []byte) ([]byte, string, error) {
	name, _ := FunctionName(functionARN)
	if m.Local != nil {
		if _, ok := m.Local.Functions[name]; ok || m.Remote == nil {
			return m.Local.Invoke(ctx, functionARN, payload)
		}
	}
	if m.Remote != nil {
		return m.Remote.Invoke(ctx, functionARN, payload)
	}
	return nil, "", &NotFoundError{Name: name}
}
