package batch

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"

	api "github.com/jobplane/jobplane/internal/api/s3control"
	"github.com/jobplane/jobplane/internal/apierror"
	"github.com/jobplane/jobplane/internal/batch/lambda"
)

// lambdaOp is LambdaInvoke (spec §8.11): one synchronous invocation per
// task, with the payload of the job's schema version. The function's
// verdict is the task's: Succeeded (its resultString is the report's
// message), PermanentFailure, or TemporaryFailure, which the engine
// re-drives like any retryable failure; a function error fails the task
// permanently. Every verdict has HTTP status 200, the status of the Invoke
// call. A function that cannot be reached at all is retried, then fails
// the task.
type lambdaOp struct {
	env     opEnv
	arn     string
	version string
	args    map[string]string
}

func newLambdaOp(env opEnv, op *api.LambdaInvokeOperation) (operation, error) {
	if env.invoker == nil {
		// Without --lambda-function or --lambda-endpoint no function can
		// be reached: each task fails as for an unknown function.
		msg := "Function not found: " + deref(op.FunctionArn) + " (jobplane has no --lambda-function or --lambda-endpoint for it)"
		return funcOp(func(context.Context, *task) error {
			return apierror.New("ResourceNotFoundException", http.StatusNotFound, msg)
		}), nil
	}
	return &lambdaOp{env: env, arn: deref(op.FunctionArn), version: deref(op.InvocationSchemaVersion), args: op.UserArguments}, nil
}

// opaqueID returns a random id of the kind AWS puts in invocationId and
// taskId (opaque strings).
func opaqueID() string {
	var b [18]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

func (l *lambdaOp) run(ctx context.Context, t *task) outcome {
	req := lambda.Request{
		SchemaVersion: l.version, InvocationID: opaqueID(), JobID: l.env.job.key.id,
		Task: lambda.Task{TaskID: opaqueID(), Bucket: t.entry.Bucket, Key: t.entry.RawKey, VersionID: t.entry.VersionID},
	}
	if l.version == "2.0" {
		req.UserArguments = l.args
	}
	payload, err := req.Payload()
	if err != nil {
		return failed(http.StatusBadRequest, "InvalidRequest", err.Error())
	}
	resp, fnErr, err := l.env.invoker.Invoke(ctx, l.arn, payload)
	if err != nil {
		if ctx.Err() != nil {
			return outcome{abandon: true}
		}
		var nf *lambda.NotFoundError
		if errors.As(err, &nf) {
			return failed(http.StatusNotFound, "ResourceNotFoundException", fmt.Sprintf("Function not found: %s", l.arn))
		}
		o := failed(http.StatusInternalServerError, "ServiceException", "Lambda invocation failed: "+err.Error())
		var he *lambda.HTTPError
		o.retry = !errors.As(err, &he) || he.Retryable()
		if errors.As(err, &he) {
			o.status = he.Status
		}
		return o
	}
	out := lambda.Interpret(req.Task.TaskID, resp, fnErr)
	switch out.Code {
	case lambda.Succeeded:
		return outcome{status: http.StatusOK, msg: out.Message}
	case lambda.TemporaryFailure:
		o := failed(http.StatusOK, lambda.TemporaryFailure, out.Message)
		o.retry = true
		return o
	}
	return failed(http.StatusOK, lambda.PermanentFailure, out.Message)
}
