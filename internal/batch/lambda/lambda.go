// Package lambda is how S3 Batch Operations LambdaInvoke tasks reach their
// function: it builds the request payloads of invocation schemas 1.0 and 2.0,
// invokes the function through an Invoker (a local executable or the Lambda
// Invoke API of an endpoint), and turns the response into a task outcome
// (spec/s3-batch-operations.md §8.11).
package lambda

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
)

// Result codes a function answers per task.
const (
	Succeeded        = "Succeeded"
	TemporaryFailure = "TemporaryFailure"
	PermanentFailure = "PermanentFailure"
)

// Invoker calls a function synchronously (RequestResponse).
type Invoker interface {
	// Invoke MUST call the function named by functionARN (a name, a partial
	// or full ARN, possibly with a version or alias qualifier) with payload
	// and return its response payload. When the function itself failed (it
	// raised, timed out, or exited non-zero), Invoke MUST return the error
	// document as the payload and a non-empty functionError ("Unhandled"),
	// with a nil error. A nil payload and an error mean the function could
	// not be reached at all; the caller retries such errors.
	Invoke(ctx context.Context, functionARN string, payload []byte) (response []byte, functionError string, err error)
}

// Task is one manifest entry to hand to the function.
type Task struct {
	TaskID    string
	Bucket    string // bucket name
	Key       string // the key as the manifest writes it (URL-encoded)
	VersionID string
}

// Request is what a LambdaInvoke job sends per invocation: one task at a
// time, as S3 Batch Operations does.
type Request struct {
	SchemaVersion string // "1.0" (default) or "2.0"
	InvocationID  string
	JobID         string
	UserArguments map[string]string // schema 2.0 only
	Task          Task
}

// Payload returns the JSON document of the request.
func (r Request) Payload() ([]byte, error) {
	switch r.SchemaVersion {
	case "", "1.0":
		type task struct {
			TaskID      string  `json:"taskId"`
			S3Key       string  `json:"s3Key"`
			S3VersionID *string `json:"s3VersionId"`
			S3BucketARN string  `json:"s3BucketArn"`
		}
		doc := struct {
			Version      string            `json:"invocationSchemaVersion"`
			InvocationID string            `json:"invocationId"`
			Job          map[string]string `json:"job"`
			Tasks        []task            `json:"tasks"`
		}{"1.0", r.InvocationID, map[string]string{"id": r.JobID},
			[]task{{r.Task.TaskID, r.Task.Key, versionPtr(r.Task.VersionID), "arn:aws:s3:::" + r.Task.Bucket}}}
		return json.Marshal(doc)
	case "2.0":
		type task struct {
			TaskID      string  `json:"taskId"`
			S3Key       string  `json:"s3Key"`
			S3VersionID *string `json:"s3VersionId"`
			S3Bucket    string  `json:"s3Bucket"`
		}
		type job struct {
			ID            string            `json:"id"`
			UserArguments map[string]string `json:"userArguments,omitempty"`
		}
		doc := struct {
			Version      string `json:"invocationSchemaVersion"`
			InvocationID string `json:"invocationId"`
			Job          job    `json:"job"`
			Tasks        []task `json:"tasks"`
		}{"2.0", r.InvocationID, job{r.JobID, r.UserArguments},
			[]task{{r.Task.TaskID, r.Task.Key, versionPtr(r.Task.VersionID), r.Task.Bucket}}}
		return json.Marshal(doc)
	}
	return nil, fmt.Errorf("lambda: unknown invocation schema version %q", r.SchemaVersion)
}

// versionPtr writes a missing version id as JSON null, as AWS sends it.
func versionPtr(v string) *string {
	if v == "" {
		return nil
	}
	return &v
}

// Outcome is what one invocation decided for its task.
type Outcome struct {
	// Code is Succeeded, TemporaryFailure or PermanentFailure.
	Code string
	// Message goes to the report's ResultMessage (resultString, or why the
	// task failed).
	Message string
}

// Retry reports whether the task should be driven again.
func (o Outcome) Retry() bool { return o.Code == TemporaryFailure }

// Interpret turns a function's response into the outcome of taskID. A
// function error fails the task permanently with the function's error
// document; a response that is not the documented JSON does too ("Invalid
// JSON returned in Lambda payload", spec §8.11). A task the response omits is
// decided by treatMissingKeysAs, which defaults to PermanentFailure.
func Interpret(taskID string, response []byte, functionError string) Outcome {
	if functionError != "" {
		return Outcome{PermanentFailure, "Lambda returned function error: " + compact(response)}
	}
	var doc struct {
		TreatMissingKeysAs string `json:"treatMissingKeysAs"`
		Results            []struct {
			TaskID       string `json:"taskId"`
			ResultCode   string `json:"resultCode"`
			ResultString string `json:"resultString"`
		} `json:"results"`
	}
	if err := json.Unmarshal(response, &doc); err != nil {
		return Outcome{PermanentFailure, "Invalid JSON returned in Lambda payload"}
	}
	for _, r := range doc.Results {
		if r.TaskID != taskID {
			continue
		}
		switch r.ResultCode {
		case Succeeded, TemporaryFailure, PermanentFailure:
			return Outcome{r.ResultCode, r.ResultString}
		}
		return Outcome{PermanentFailure, fmt.Sprintf("Lambda returned an invalid resultCode %q", r.ResultCode)}
	}
	switch doc.TreatMissingKeysAs {
	case Succeeded, TemporaryFailure:
		return Outcome{doc.TreatMissingKeysAs, ""}
	}
	return Outcome{PermanentFailure, "The Lambda response has no result for the task"}
}

// compact returns a function's error document on one line, bounded so that
// it fits a report row.
func compact(b []byte) string {
	var buf bytes.Buffer
	if json.Compact(&buf, b) != nil {
		buf.Reset()
		buf.Write(bytes.TrimSpace(b))
	}
	s := strings.ReplaceAll(buf.String(), "\n", " ")
	if len(s) > 1024 {
		s = s[:1021] + "..."
	}
	return s
}

// FunctionName returns the function name of a name, partial ARN or full ARN
// (arn:aws:lambda:region:account:function:name[:qualifier],
// account:function:name, or name[:qualifier]) and its qualifier, if any.
func FunctionName(arn string) (name, qualifier string) {
	parts := strings.Split(arn, ":")
	for i, p := range parts {
		if p == "function" && i+1 < len(parts) {
			name = parts[i+1]
			if i+2 < len(parts) {
				qualifier = parts[i+2]
			}
			return name, qualifier
		}
	}
	if len(parts) == 2 {
		return parts[0], parts[1]
	}
	return arn, ""
}

// Invocation is a request payload as a function reads it (both schemas).
type Invocation struct {
	SchemaVersion string `json:"invocationSchemaVersion"`
	InvocationID  string `json:"invocationId"`
	Job           struct {
		ID            string            `json:"id"`
		UserArguments map[string]string `json:"userArguments,omitempty"`
	} `json:"job"`
	Tasks []struct {
		TaskID      string  `json:"taskId"`
		S3Key       string  `json:"s3Key"`
		S3VersionID *string `json:"s3VersionId"`
		S3BucketARN string  `json:"s3BucketArn,omitempty"`
		S3Bucket    string  `json:"s3Bucket,omitempty"`
	} `json:"tasks"`
}

// ParseRequest reads a request payload, as a function does.
func ParseRequest(payload []byte) (Invocation, error) {
	var inv Invocation
	if err := json.Unmarshal(payload, &inv); err != nil {
		return inv, err
	}
	if len(inv.Tasks) != 1 {
		return inv, fmt.Errorf("lambda: an invocation carries %d tasks, not one", len(inv.Tasks))
	}
	return inv, nil
}

// Response is a function's answer to inv: its one task's result code and
// result string, in the documented response document (spec §8.11).
func Response(inv Invocation, code, message string) []byte {
	type result struct {
		TaskID       string `json:"taskId"`
		ResultCode   string `json:"resultCode"`
		ResultString string `json:"resultString"`
	}
	doc := struct {
		Version            string   `json:"invocationSchemaVersion"`
		TreatMissingKeysAs string   `json:"treatMissingKeysAs"`
		InvocationID       string   `json:"invocationId"`
		Results            []result `json:"results"`
	}{inv.SchemaVersion, PermanentFailure, inv.InvocationID, nil}
	for _, t := range inv.Tasks {
		doc.Results = append(doc.Results, result{t.TaskID, code, message})
	}
	b, _ := json.Marshal(doc) // strings only: cannot fail
	return b
}
