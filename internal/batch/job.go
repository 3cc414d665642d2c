package batch

import (
	"fmt"
	"strings"
	"time"

	api "github.com/jobplane/jobplane/internal/api/s3control"
	"github.com/jobplane/jobplane/internal/provider/s3control"
)

// jobKey names a job.
type jobKey struct {
	account, id string
}

func (k jobKey) String() string { return k.account + "/" + k.id }

// jobSpec is what the engine reads of a job: its operation, manifest,
// report and the state DescribeJob shows.
type jobSpec struct {
	key      jobKey
	status   api.JobStatus
	priority int32
	created  time.Time
	op       *api.JobOperation
	opName   string
	manifest *api.JobManifest
	gen      *api.S3JobManifestGenerator
	report   reportSpec
	total    int64
	// generated is the manifest the generator wrote, when it wrote one to
	// the account's bucket.
	generated *api.S3GeneratedManifestDescriptor
}

// reportSpec is the job's completion report setting.
type reportSpec struct {
	enabled       bool
	bucket        string // bucket name
	prefix        string
	failedOnly    bool
	expectedOwner string
}

// parseJob reads a job as the control plane hands it over.
func parseJob(j *s3control.Job) (*jobSpec, error) {
	d := j.Descriptor
	if d == nil || d.JobId == nil {
		return nil, fmt.Errorf("batch: a job of account %s without a descriptor", j.AccountID)
	}
	s := &jobSpec{
		key: jobKey{j.AccountID, *d.JobId}, status: deref(d.Status), priority: deref(d.Priority),
		created: deref(d.CreationTime), op: d.Operation, manifest: d.Manifest, generated: d.GeneratedManifestDescriptor,
	}
	if d.ManifestGenerator != nil {
		s.gen = d.ManifestGenerator.S3JobManifestGenerator
	}
	if p := d.ProgressSummary; p != nil {
		s.total = deref(p.TotalNumberOfTasks)
	}
	s.opName, _ = s3control.OperationName(d.Operation)
	if s.opName == "" {
		return nil, fmt.Errorf("batch: job %s has no single operation", s.key)
	}
	if r := d.Report; r != nil && deref(r.Enabled) {
		s.report = reportSpec{
			enabled: true, prefix: deref(r.Prefix), expectedOwner: deref(r.ExpectedBucketOwner),
			failedOnly: deref(r.ReportScope) == api.JobReportScopeFailedTasksOnly,
		}
		var ok bool
		if s.report.bucket, ok = bucketOfARN(deref(r.Bucket)); !ok {
			return nil, fmt.Errorf("batch: job %s: report bucket %q is not a bucket ARN", s.key, deref(r.Bucket))
		}
	}
	if s.manifest == nil && s.gen == nil {
		return nil, fmt.Errorf("batch: job %s has neither a manifest nor a manifest generator", s.key)
	}
	return s, nil
}

// bucketOfARN returns the bucket of arn:PARTITION:s3:::bucket (or, for a
// directory bucket, arn:...:s3express:region:account:bucket/name).
func bucketOfARN(arn string) (string, bool) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" {
		return "", false
	}
	res := parts[5]
	if parts[2] == "s3express" {
		name, ok := strings.CutPrefix(res, "bucket/")
		return name, ok && name != ""
	}
	if parts[2] != "s3" || res == "" || strings.Contains(res, "/") {
		return "", false
	}
	return res, true
}

// objectOfARN returns the bucket and key of arn:PARTITION:s3:::bucket/key.
func objectOfARN(arn string) (bucket, key string, ok bool) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "s3" {
		return "", "", false
	}
	bucket, key, ok = strings.Cut(parts[5], "/")
	return bucket, key, ok && bucket != "" && key != ""
}

// bucketARN is the ARN of a general-purpose bucket.
func bucketARN(bucket string) string { return "arn:aws:s3:::" + bucket }

// trimETag returns an entity tag without its quotes: jobs name manifests
// by ETag with or without them (JobManifestLocation), the store quotes it.
func trimETag(etag string) string {
	etag = strings.TrimPrefix(etag, "W/")
	return strings.Trim(etag, `"`)
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

func ptr[T any](v T) *T { return &v }
