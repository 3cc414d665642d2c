package lambda_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/jobplane/jobplane/internal/batch/lambda"
	"github.com/jobplane/jobplane/internal/sigv4"
)

func TestPayloadsFollowTheTwoSchemas(t *testing.T) {
	task := lambda.Task{TaskID: "t1", Bucket: "amzn-s3-demo-bucket", Key: "customerImage1.jpg"}
	tests := []struct {
		name string
		req  lambda.Request
		want string
	}{
		{"schema 1.0 names the bucket by ARN and sends a null version",
			lambda.Request{InvocationID: "inv", JobID: "job", Task: task},
			`{"invocationSchemaVersion":"1.0","invocationId":"inv","job":{"id":"job"},"tasks":[{"taskId":"t1","s3Key":"customerImage1.jpg","s3VersionId":null,"s3BucketArn":"arn:aws:s3:::amzn-s3-demo-bucket"}]}`},
		{"schema 2.0 names the bucket and carries user arguments",
			lambda.Request{SchemaVersion: "2.0", InvocationID: "inv", JobID: "job", UserArguments: map[string]string{"k1": "v1"},
				Task: lambda.Task{TaskID: "t1", Bucket: "b", Key: "prefix/obj.json.gz", VersionID: "v7"}},
			`{"invocationSchemaVersion":"2.0","invocationId":"inv","job":{"id":"job","userArguments":{"k1":"v1"}},"tasks":[{"taskId":"t1","s3Key":"prefix/obj.json.gz","s3VersionId":"v7","s3Bucket":"b"}]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.req.Payload()
			if err != nil || string(got) != tt.want {
				t.Fatalf("payload\n %s, %v\nwant\n %s", got, err, tt.want)
			}
		})
	}
	if _, err := (lambda.Request{SchemaVersion: "3.0"}).Payload(); err == nil {
		t.Fatal("an unknown schema version was accepted")
	}
}

func TestInterpret(t *testing.T) {
	tests := []struct {
		name, response, fnErr string
		want                  lambda.Outcome
	}{
		{"a succeeded task keeps its result string", `{"invocationSchemaVersion":"1.0","treatMissingKeysAs":"PermanentFailure","invocationId":"i","results":[{"taskId":"t1","resultCode":"Succeeded","resultString":"done"}]}`, "",
			lambda.Outcome{lambda.Succeeded, "done"}},
		{"a temporary failure asks for a retry", `{"results":[{"taskId":"t1","resultCode":"TemporaryFailure","resultString":"busy"}]}`, "",
			lambda.Outcome{lambda.TemporaryFailure, "busy"}},
		{"a permanent failure", `{"results":[{"taskId":"t1","resultCode":"PermanentFailure","resultString":"nope"}]}`, "",
			lambda.Outcome{lambda.PermanentFailure, "nope"}},
		{"a function error fails the task with the error document", "{\"errorMessage\": \"Task timed out after 3.00 seconds\"}\n", "Unhandled",
			lambda.Outcome{lambda.PermanentFailure, `Lambda returned function error: {"errorMessage":"Task timed out after 3.00 seconds"}`}},
		{"output that is not JSON", `not json`, "", lambda.Outcome{lambda.PermanentFailure, "Invalid JSON returned in Lambda payload"}},
		{"a task the response omits follows treatMissingKeysAs", `{"treatMissingKeysAs":"Succeeded","results":[]}`, "", lambda.Outcome{lambda.Succeeded, ""}},
		{"and fails by default", `{"results":[{"taskId":"other","resultCode":"Succeeded"}]}`, "",
			lambda.Outcome{lambda.PermanentFailure, "The Lambda response has no result for the task"}},
		{"an unknown result code fails", `{"results":[{"taskId":"t1","resultCode":"Maybe"}]}`, "",
			lambda.Outcome{lambda.PermanentFailure, `Lambda returned an invalid resultCode "Maybe"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := lambda.Interpret("t1", []byte(tt.response), tt.fnErr)
			if got != tt.want {
				t.Fatalf("Interpret = %+v, want %+v", got, tt.want)
			}
			if got.Retry() != (tt.want.Code == lambda.TemporaryFailure) {
				t.Fatal("Retry disagrees with the code")
			}
		})
	}
}

func TestFunctionNames(t *testing.T) {
	for in, want := range map[string][2]string{
		"f":                       {"f", ""},
		"f:prod":                  {"f", "prod"},
		"123456789012:function:f": {"f", ""},
		"arn:aws:lambda:us-west-2:123456789012:function:f":         {"f", ""},
		"arn:aws:lambda:us-west-2:123456789012:function:f:$LATEST": {"f", "$LATEST"},
		"arn:aws-cn:lambda:cn-north-1:123456789012:function:f:7":   {"f", "7"},
	} {
		if n, q := lambda.FunctionName(in); n != want[0] || q != want[1] {
			t.Errorf("FunctionName(%q) = %q, %q; want %q, %q", in, n, q, want[0], want[1])
		}
	}
	if _, _, err := lambda.ParseFunction("resize=/usr/local/bin/resize"); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"resize", "=x", "x=", "arn:aws:lambda:us-east-1:1:function:f=/x", "f:prod=/x"} {
		if _, _, err := lambda.ParseFunction(bad); err == nil {
			t.Errorf("ParseFunction(%q) accepted", bad)
		}
	}
}

func script(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "fn")
	if err := os.WriteFile(p, []byte("#!/bin/sh\n"+body+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLocalFunctions(t *testing.T) {
	l := &lambda.Local{Timeout: 2 * time.Second, Functions: map[string]string{
		// Echoes the task id it was given back as a success.
		"echo": script(t, `in=$(cat); id=$(printf '%s' "$in" | sed 's/.*"taskId":"\([^"]*\)".*/\1/'); printf '{"results":[{"taskId":"%s","resultCode":"Succeeded","resultString":"ok"}]}' "$id"`),
		"fail": script(t, `cat >/dev/null; echo "something broke" >&2; exit 3`),
		"slow": script(t, `exec sleep 30`),
	}}
	ctx := context.Background()
	payload, _ := lambda.Request{InvocationID: "i", JobID: "j", Task: lambda.Task{TaskID: "task-42", Bucket: "b", Key: "k"}}.Payload()

	t.Run("the payload goes to stdin and stdout is the response", func(t *testing.T) {
		resp, fnErr, err := l.Invoke(ctx, "arn:aws:lambda:us-east-1:123456789012:function:echo:$LATEST", payload)
		if err != nil || fnErr != "" {
			t.Fatal(fnErr, err)
		}
		if got := lambda.Interpret("task-42", resp, fnErr); got != (lambda.Outcome{lambda.Succeeded, "ok"}) {
			t.Fatalf("outcome %+v from %s", got, resp)
		}
	})
	t.Run("a non-zero exit is a function error carrying stderr", func(t *testing.T) {
		resp, fnErr, err := l.Invoke(ctx, "fail", payload)
		if err != nil || fnErr != "Unhandled" || !strings.Contains(string(resp), "something broke") {
			t.Fatalf("%s %q %v", resp, fnErr, err)
		}
	})
	t.Run("a timeout is a function error", func(t *testing.T) {
		short := &lambda.Local{Timeout: 100 * time.Millisecond, Functions: l.Functions}
		resp, fnErr, err := short.Invoke(ctx, "slow", payload)
		if err != nil || fnErr != "Unhandled" || !strings.Contains(string(resp), "Task timed out after 0.10 seconds") {
			t.Fatalf("%s %q %v", resp, fnErr, err)
		}
	})
	t.Run("an unknown function is not found", func(t *testing.T) {
		var nf *lambda.NotFoundError
		if _, _, err := l.Invoke(ctx, "missing", payload); !errors.As(err, &nf) || nf.Name != "missing" {
			t.Fatalf("err = %v", err)
		}
	})
}

func TestRemoteInvokeAPI(t *testing.T) {
	creds := sigv4.Credential{AccessKeyID: "AKIALAMBDATEST000001", SecretAccessKey: "lambda-secret", AccountID: "123456789012"}
	set, _ := sigv4.NewCredentialSet([]sigv4.Credential{creds})
	var seen *http.Request
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		seen = r
		q, err := sigv4.Parse(r)
		if err == nil {
			_, err = set.Verify(r, q, time.Now(), sigv4.SHA256Hex(body))
		}
		switch {
		case err != nil:
			http.Error(w, err.Error(), http.StatusForbidden)
		case strings.Contains(r.URL.Path, "/functions/missing/"):
			http.Error(w, `{"Type":"User","message":"Function not found"}`, http.StatusNotFound)
		case strings.Contains(r.URL.Path, "/functions/busy/"):
			http.Error(w, `{"message":"Rate exceeded"}`, http.StatusTooManyRequests)
		case strings.Contains(r.URL.Path, "/functions/crash/"):
			w.Header().Set("X-Amz-Function-Error", "Unhandled")
			w.Write([]byte(`{"errorMessage":"boom"}`))
		default:
			var p struct {
				Tasks []struct{ TaskID string } `json:"tasks"`
			}
			json.Unmarshal(body, &p)
			json.NewEncoder(w).Encode(map[string]any{"results": []map[string]string{{"taskId": p.Tasks[0].TaskID, "resultCode": "Succeeded", "resultString": "remote"}}})
		}
	}))
	defer srv.Close()
	r := &lambda.Remote{Endpoint: srv.URL, Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider(creds.AccessKeyID, creds.SecretAccessKey, "")}
	ctx := context.Background()
	payload, _ := lambda.Request{SchemaVersion: "2.0", InvocationID: "i", JobID: "j", Task: lambda.Task{TaskID: "t9", Bucket: "b", Key: "k"}}.Payload()

	resp, fnErr, err := r.Invoke(ctx, "arn:aws:lambda:us-east-1:123456789012:function:good:live", payload)
	if err != nil || lambda.Interpret("t9", resp, fnErr) != (lambda.Outcome{lambda.Succeeded, "remote"}) {
		t.Fatalf("%s %q %v", resp, fnErr, err)
	}
	if seen.URL.Path != "/2015-03-31/functions/good/invocations" || seen.URL.Query().Get("Qualifier") != "live" ||
		seen.Header.Get("X-Amz-Invocation-Type") != "RequestResponse" {
		t.Fatalf("request %s %v", seen.URL, seen.Header)
	}
	if resp, fnErr, err := r.Invoke(ctx, "crash", payload); err != nil || fnErr != "Unhandled" || string(resp) != `{"errorMessage":"boom"}` {
		t.Fatalf("function error: %s %q %v", resp, fnErr, err)
	}
	var nf *lambda.NotFoundError
	if _, _, err := r.Invoke(ctx, "missing", payload); !errors.As(err, &nf) {
		t.Fatalf("missing function: %v", err)
	}
	var he *lambda.HTTPError
	if _, _, err := r.Invoke(ctx, "busy", payload); !errors.As(err, &he) || !he.Retryable() {
		t.Fatalf("throttled: %v", err)
	}
	bad := &lambda.Remote{Endpoint: srv.URL, Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider(creds.AccessKeyID, "wrong", "")}
	if _, _, err := bad.Invoke(ctx, "good", payload); !errors.As(err, &he) || he.Status != 403 || he.Retryable() {
		t.Fatalf("badly signed: %v", err)
	}
	if !reflect.DeepEqual(lambda.Interpret("x", nil, ""), lambda.Outcome{lambda.PermanentFailure, "Invalid JSON returned in Lambda payload"}) {
		t.Fatal("a nil response must be invalid JSON")
	}
}

func TestAFunctionReadsItsRequestAndAnswers(t *testing.T) {
	for _, version := range []string{"1.0", "2.0"} {
		t.Run("a schema "+version+" request parses and its response decides the task", func(t *testing.T) {
			payload, err := lambda.Request{SchemaVersion: version, InvocationID: "inv-1", JobID: "job-1",
				UserArguments: map[string]string{"a": "b"}, Task: lambda.Task{TaskID: "task-1", Bucket: "bkt", Key: "k%20y"}}.Payload()
			if err != nil {
				t.Fatal(err)
			}
			inv, err := lambda.ParseRequest(payload)
			if err != nil || inv.InvocationID != "inv-1" || inv.Tasks[0].TaskID != "task-1" || inv.Tasks[0].S3Key != "k%20y" {
				t.Fatalf("ParseRequest = %+v, %v", inv, err)
			}
			out := lambda.Interpret("task-1", lambda.Response(inv, lambda.TemporaryFailure, "busy"), "")
			if out.Code != lambda.TemporaryFailure || out.Message != "busy" || !out.Retry() {
				t.Fatalf("Interpret = %+v", out)
			}
		})
	}
	t.Run("a request of several tasks is refused", func(t *testing.T) {
		if _, err := lambda.ParseRequest([]byte(`{"tasks":[{},{}]}`)); err == nil {
			t.Fatal("accepted")
		}
	})
}

func TestMultiPrefersALocalFunctionThenTheEndpoint(t *testing.T) {
	dir := t.TempDir()
	local := filepath.Join(dir, "fn.sh")
	if err := os.WriteFile(local, []byte("#!/bin/sh\necho local\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "remote "+strings.Split(r.URL.Path, "/")[3])
	}))
	defer srv.Close()
	for _, tc := range []struct {
		name, fn, want string
		remote         bool
	}{
		{"a function mapped locally runs locally", "arn:aws:lambda:us-east-1:111122223333:function:here", "local\n", true},
		{"another function goes to the endpoint", "elsewhere", "remote elsewhere", true},
		{"without an endpoint an unmapped function is not found", "elsewhere", "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := &lambda.Multi{Local: &lambda.Local{Functions: map[string]string{"here": local}}}
			if tc.remote {
				m.Remote = &lambda.Remote{Endpoint: srv.URL, Region: "us-east-1"}
			}
			out, _, err := m.Invoke(context.Background(), tc.fn, []byte("{}"))
			var nf *lambda.NotFoundError
			if tc.want == "" {
				if !errors.As(err, &nf) {
					t.Fatalf("err = %v, want NotFoundError", err)
				}
				return
			}
			if err != nil || string(out) != tc.want {
				t.Fatalf("Invoke = %q, %v; want %q", out, err, tc.want)
			}
		})
	}
}
