package batch

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	api "github.com/jobplane/jobplane/internal/api/s3control"
	"github.com/jobplane/jobplane/internal/batch/lambda"
	"github.com/jobplane/jobplane/internal/objectstore"
)

func lambdaJob(version string, args map[string]string) *api.JobOperation {
	return &api.JobOperation{LambdaInvoke: &api.LambdaInvokeOperation{
		FunctionArn: ptr("arn:aws:lambda:us-east-1:111122223333:function:fn"), InvocationSchemaVersion: ptr(version), UserArguments: args}}
}

func TestLambdaInvokeJobs(t *testing.T) {
	t.Parallel()
	t.Run("each verdict of the function decides its task and TemporaryFailure is re-driven", func(t *testing.T) {
		t.Parallel()
		var mu sync.Mutex
		seen := map[string]int{}
		var got []lambda.Invocation
		fn := stubInvoker(func(payload []byte) ([]byte, string, error) {
			inv, err := lambda.ParseRequest(payload)
			if err != nil {
				return nil, "", err
			}
			mu.Lock()
			seen[inv.Tasks[0].S3Key]++
			n := seen[inv.Tasks[0].S3Key]
			got = append(got, inv)
			mu.Unlock()
			switch key := inv.Tasks[0].S3Key; {
			case strings.HasPrefix(key, "ok"):
				return lambda.Response(inv, lambda.Succeeded, "done:"+key), "", nil
			case strings.HasPrefix(key, "perm"):
				return lambda.Response(inv, lambda.PermanentFailure, "no way"), "", nil
			case strings.HasPrefix(key, "temp") && n < 2:
				return lambda.Response(inv, lambda.TemporaryFailure, "later"), "", nil
			case strings.HasPrefix(key, "temp"):
				return lambda.Response(inv, lambda.Succeeded, "second time"), "", nil
			case strings.HasPrefix(key, "crash"):
				return []byte(`{"errorMessage":"boom","errorType":"Error"}`), "Unhandled", nil
			}
			return []byte("not json"), "", nil
		})
		h := newHarness(t, withOptions(func(o *Options) { o.Lambda = fn }))
		b := h.bucket("lam")
		d, r := h.runOp(lambdaJob("2.0", map[string]string{"k1": "v1"}),
			[]string{b + ",ok+1", b + ",perm", b + ",temp", b + ",crash", b + ",junk"})
		if _, s, f := progress(d); s != 2 || f != 3 {
			t.Fatalf("progress %d succeeded, %d failed", s, f)
		}
		if row := r.row(t, "ok+1"); row[3] != "succeeded" || row[4] != "200" || row[6] != "done:ok+1" {
			t.Fatalf("row %q", row)
		}
		if row := r.row(t, "temp"); row[3] != "succeeded" || row[6] != "second time" {
			t.Fatalf("row %q", row)
		}
		wantRow(t, r.row(t, "perm"), "failed", "200", "PermanentFailure")
		if row := r.row(t, "crash"); row[5] != "PermanentFailure" || !strings.HasPrefix(row[6], "Lambda returned function error:") {
			t.Fatalf("row %q", row)
		}
		if row := r.row(t, "junk"); row[6] != "Invalid JSON returned in Lambda payload" {
			t.Fatalf("row %q", row)
		}
		for _, inv := range got {
			// Schema 2.0: bucket name, user arguments, the key as the
			// manifest writes it (URL-encoded), a null version.
			if inv.SchemaVersion != "2.0" || inv.Job.UserArguments["k1"] != "v1" || inv.Tasks[0].S3Bucket != b || inv.Tasks[0].S3VersionID != nil || len(inv.Tasks) != 1 {
				t.Fatalf("invocation %+v", inv)
			}
		}
	})
	t.Run("schema 1.0 names the bucket by ARN", func(t *testing.T) {
		t.Parallel()
		var arn string
		fn := stubInvoker(func(payload []byte) ([]byte, string, error) {
			inv, err := lambda.ParseRequest(payload)
			if err != nil {
				return nil, "", err
			}
			arn = inv.Tasks[0].S3BucketARN
			return lambda.Response(inv, lambda.Succeeded, ""), "", nil
		})
		h := newHarness(t, withOptions(func(o *Options) { o.Lambda = fn }))
		b := h.bucket("lam1")
		h.runOp(lambdaJob("1.0", nil), []string{b + ",x"})
		if arn != "arn:aws:s3:::"+b {
			t.Fatalf("s3BucketArn %q", arn)
		}
	})
	t.Run("a resultString too long for the spool is cut short in the report", func(t *testing.T) {
		t.Parallel()
		long := strings.Repeat("r", maxSpoolField+100)
		fn := stubInvoker(func(payload []byte) ([]byte, string, error) {
			inv, err := lambda.ParseRequest(payload)
			if err != nil {
				return nil, "", err
			}
			return lambda.Response(inv, lambda.Succeeded, long), "", nil
		})
		h := newHarness(t, withOptions(func(o *Options) { o.Lambda = fn }))
		b := h.bucket("lamlong")
		d, r := h.runOp(lambdaJob("1.0", nil), []string{b + ",big"})
		if _, s, f := progress(d); s != 1 || f != 0 {
			t.Fatalf("progress %d succeeded, %d failed", s, f)
		}
		row := r.row(t, "big")
		if msg := row[6]; row[3] != "succeeded" || len(msg) != maxSpoolField || msg != long[:maxSpoolField-3]+"..." {
			t.Fatalf("the report's message has %d bytes, ending %q", len(msg), msg[max(0, len(msg)-8):])
		}
	})
	t.Run("a local executable is a function", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		script := filepath.Join(dir, "fn.sh")
		// The function echoes a Succeeded result for the task it got.
		body := "#!/bin/sh\nin=$(cat)\ntask=$(printf '%s' \"$in\" | sed 's/.*\"taskId\":\"\\([^\"]*\\)\".*/\\1/')\n" +
			"printf '{\"invocationSchemaVersion\":\"1.0\",\"treatMissingKeysAs\":\"PermanentFailure\",\"invocationId\":\"x\",\"results\":[{\"taskId\":\"%s\",\"resultCode\":\"Succeeded\",\"resultString\":\"local ok\"}]}' \"$task\"\n"
		if err := os.WriteFile(script, []byte(body), 0o755); err != nil {
			t.Fatal(err)
		}
		h := newHarness(t, withOptions(func(o *Options) {
			o.Lambda = &lambda.Local{Functions: map[string]string{"fn": script}}
		}))
		b := h.bucket("lamlocal")
		_, r := h.runOp(lambdaJob("1.0", nil), []string{b + ",a", b + ",b"})
		if row := r.row(t, "a"); row[3] != "succeeded" || row[6] != "local ok" {
			t.Fatalf("row %q", row)
		}
	})
}

// flakyStore answers SlowDown to the first calls of each key.
type flakyStore struct {
	objectstore.Store
	mu    sync.Mutex
	fails int
	calls map[string]int
}

func (f *flakyStore) PutObjectTagging(ctx context.Context, ref objectstore.ObjectRef, tags []objectstore.Tag) (objectstore.ObjectInfo, error) {
	f.mu.Lock()
	f.calls[ref.Key]++
	n := f.calls[ref.Key]
	f.mu.Unlock()
	if n <= f.fails {
		return objectstore.ObjectInfo{}, slowDown()
	}
	return f.Store.PutObjectTagging(ctx, ref, tags)
}

func slowDown() error {
	return &apiError{code: "SlowDown", status: 503, msg: "Please reduce your request rate."}
}

// apiError is an S3 error as a remote endpoint returns it.
type apiError struct {
	code, msg string
	status    int
}

func (e *apiError) Error() string        { return e.code + ": " + e.msg }
func (e *apiError) ErrorCode() string    { return e.code }
func (e *apiError) HTTPStatusCode() int  { return e.status }
func (e *apiError) ErrorMessage() string { return e.msg }

func TestRetryableFailuresAreRetriedWithBackoff(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		fails int
		want  string
	}{
		{"a task that throttles twice succeeds on its third attempt", 2, "succeeded"},
		{"a task that throttles on every attempt fails with SlowDown", 10, "failed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			// The store throttles; the harness's retry policy allows three
			// attempts.
			flaky := &flakyStore{fails: tc.fails, calls: map[string]int{}}
			h := newHarness(t, withWrap(func(s objectstore.Store) objectstore.Store { flaky.Store = s; return flaky }))
			b := h.bucket("flaky")
			h.put(b, "k", "x")
			_, r := h.runOp(&api.JobOperation{S3PutObjectTagging: &api.S3SetObjectTaggingOperation{TagSet: []api.S3Tag{tag("a", "b")}}}, []string{b + ",k"})
			row := r.row(t, "k")
			if row[3] != tc.want {
				t.Fatalf("row %q", row)
			}
			if tc.want == "failed" && (row[4] != "503" || row[5] != "SlowDown") {
				t.Fatalf("row %q", row)
			}
			if n := flaky.calls["k"]; n != min(tc.fails+1, 3) {
				t.Fatalf("%d attempts", n)
			}
		})
	}
}
