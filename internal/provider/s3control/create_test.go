package s3control

import (
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	api "github.com/jobplane/jobplane/internal/api/s3control"
)

func TestCreateJobRefusesWhatTheServiceRulesForbid(t *testing.T) {
	e := newEnv(t, false)
	tags := func(n int) []api.S3Tag {
		out := make([]api.S3Tag, n)
		for i := range out {
			out[i] = api.S3Tag{Key: ptr(strings.Repeat("k", i+1)), Value: ptr("v")}
		}
		return out
	}
	tests := []struct {
		name   string
		change func(*api.CreateJobRequest)
	}{
		{"both a manifest and a generator", func(in *api.CreateJobRequest) {
			in.ManifestGenerator = &api.JobManifestGenerator{S3JobManifestGenerator: &api.S3JobManifestGenerator{SourceBucket: ptr("arn:aws:s3:::src"), EnableManifestOutput: ptr(false)}}
		}},
		{"neither a manifest nor a generator", func(in *api.CreateJobRequest) { in.Manifest = nil }},
		{"no operation", func(in *api.CreateJobRequest) { in.Operation = &api.JobOperation{} }},
		{"two operations", func(in *api.CreateJobRequest) {
			in.Operation.S3DeleteObjectTagging = &api.S3DeleteObjectTaggingOperation{}
		}},
		{"a role ARN that only starts like one", func(in *api.CreateJobRequest) { in.RoleArn = ptr("arn:aws:iam::123456789012:role/") }},
		{"a role ARN with text before it", func(in *api.CreateJobRequest) { in.RoleArn = ptr("xarn:aws:iam::123456789012:role/r") }},
		{"a user ARN as role", func(in *api.CreateJobRequest) { in.RoleArn = ptr("arn:aws:iam::123456789012:user/r") }},
		{"a manifest ARN without a key", func(in *api.CreateJobRequest) {
			in.Manifest.Location.ObjectArn = ptr("arn:aws:s3:::manifests")
		}},
		{"a manifest ARN of an invalid bucket name", func(in *api.CreateJobRequest) {
			in.Manifest.Location.ObjectArn = ptr("arn:aws:s3:::Bad_Bucket/m.csv")
		}},
		{"a CSV manifest without fields", func(in *api.CreateJobRequest) { in.Manifest.Spec.Fields = nil }},
		{"a CSV manifest without a Key field", func(in *api.CreateJobRequest) {
			in.Manifest.Spec.Fields = []api.JobManifestFieldName{"Bucket", "Ignore"}
		}},
		{"a CSV manifest naming Bucket twice", func(in *api.CreateJobRequest) {
			in.Manifest.Spec.Fields = []api.JobManifestFieldName{"Bucket", "Key", "Bucket"}
		}},
		{"an enabled report without a bucket", func(in *api.CreateJobRequest) { in.Report = &api.JobReport{Enabled: ptr(true)} }},
		{"a report bucket that is an object", func(in *api.CreateJobRequest) {
			in.Report = &api.JobReport{Enabled: ptr(true), Bucket: ptr("arn:aws:s3:::reports/prefix")}
		}},
		{"a report bucket of an IP address", func(in *api.CreateJobRequest) {
			in.Report = &api.JobReport{Enabled: ptr(false), Bucket: ptr("arn:aws:s3:::192.168.1.1")}
		}},
		{"a generator without its source bucket ARN", func(in *api.CreateJobRequest) {
			in.Manifest = nil
			in.ManifestGenerator = &api.JobManifestGenerator{S3JobManifestGenerator: &api.S3JobManifestGenerator{SourceBucket: ptr("src"), EnableManifestOutput: ptr(false)}}
		}},
		{"a generator writing a manifest without saying where", func(in *api.CreateJobRequest) {
			in.Manifest = nil
			in.ManifestGenerator = &api.JobManifestGenerator{S3JobManifestGenerator: &api.S3JobManifestGenerator{SourceBucket: ptr("arn:aws:s3:::src"), EnableManifestOutput: ptr(true)}}
		}},
		{"an empty generator", func(in *api.CreateJobRequest) {
			in.Manifest = nil
			in.ManifestGenerator = &api.JobManifestGenerator{}
		}},
		{"a Lambda operation without a function", func(in *api.CreateJobRequest) {
			in.Operation = &api.JobOperation{LambdaInvoke: &api.LambdaInvokeOperation{}}
		}},
		{"Lambda user arguments with schema 1.0", func(in *api.CreateJobRequest) {
			in.Operation = &api.JobOperation{LambdaInvoke: &api.LambdaInvokeOperation{FunctionArn: ptr("f"), InvocationSchemaVersion: ptr("1.0"), UserArguments: map[string]string{"a": "b"}}}
		}},
		{"an unknown Lambda schema", func(in *api.CreateJobRequest) {
			in.Operation = &api.JobOperation{LambdaInvoke: &api.LambdaInvokeOperation{FunctionArn: ptr("f"), InvocationSchemaVersion: ptr("3.0")}}
		}},
		{"a copy to something that is not a bucket", func(in *api.CreateJobRequest) {
			in.Operation = &api.JobOperation{S3PutObjectCopy: &api.S3CopyObjectOperation{TargetResource: ptr("arn:aws:s3:::dest/key")}}
		}},
		{"51 tags", func(in *api.CreateJobRequest) { in.Tags = tags(51) }},
		{"a repeated tag key", func(in *api.CreateJobRequest) {
			in.Tags = []api.S3Tag{{Key: ptr("a"), Value: ptr("1")}, {Key: ptr("a"), Value: ptr("2")}}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name+" is a BadRequestException", func(t *testing.T) {
			in := createRequest()
			tt.change(in)
			_, err := e.p.CreateJob(ctx(), in)
			if code := errorCode(err); code != "BadRequestException" {
				t.Fatalf("error %q (%v), want BadRequestException", code, err)
			}
		})
	}
	page, err := e.jobs.ListJobs(ctx(), storeQuery(account))
	if err != nil || len(page.Jobs) != 0 {
		t.Fatalf("refused requests stored jobs: %+v, %v", page.Jobs, err)
	}
}

func TestCreateJobAcceptsWhatTheRulesAllow(t *testing.T) {
	e := newEnv(t, false)
	tests := []struct {
		name   string
		change func(*api.CreateJobRequest)
	}{
		{"a generator instead of a manifest", func(in *api.CreateJobRequest) {
			in.Manifest = nil
			in.ManifestGenerator = &api.JobManifestGenerator{S3JobManifestGenerator: &api.S3JobManifestGenerator{
				SourceBucket: ptr("arn:aws:s3:::src"), EnableManifestOutput: ptr(true),
				ManifestOutputLocation: &api.S3ManifestOutputLocation{Bucket: ptr("arn:aws:s3:::out"), ManifestFormat: ptr(api.GeneratedManifestFormatS3InventoryReportCSV20211130)},
			}}
		}},
		{"an inventory manifest without fields", func(in *api.CreateJobRequest) {
			in.Manifest.Spec = &api.JobManifestSpec{Format: ptr(api.JobManifestFormatS3InventoryReportCSV20161130)}
		}},
		{"a CSV manifest with a version and ignored columns", func(in *api.CreateJobRequest) {
			in.Manifest.Spec.Fields = []api.JobManifestFieldName{"Ignore", "Bucket", "Ignore", "Key", "VersionId"}
		}},
		{"a role with a path in another partition", func(in *api.CreateJobRequest) {
			in.RoleArn = ptr("arn:aws-cn:iam::123456789012:role/service-role/batch+ops@team")
		}},
		{"an enabled report", func(in *api.CreateJobRequest) {
			in.Report = &api.JobReport{Enabled: ptr(true), Bucket: ptr("arn:aws:s3:::my.reports-1"), Format: ptr(api.JobReportFormatReportCSV20180820), ReportScope: ptr(api.JobReportScopeFailedTasksOnly), Prefix: ptr("p")}
		}},
		{"a Lambda operation with user arguments", func(in *api.CreateJobRequest) {
			in.Operation = &api.JobOperation{LambdaInvoke: &api.LambdaInvokeOperation{FunctionArn: ptr("arn:aws:lambda:us-east-1:123456789012:function:f"), InvocationSchemaVersion: ptr("2.0"), UserArguments: map[string]string{"a": "b"}}}
		}},
		{"a copy into a directory bucket", func(in *api.CreateJobRequest) {
			in.Operation = &api.JobOperation{S3PutObjectCopy: &api.S3CopyObjectOperation{TargetResource: ptr("arn:aws:s3express:us-east-1:123456789012:bucket/dest--use1-az4--x-s3")}}
		}},
		{"fifty tags", func(in *api.CreateJobRequest) {
			for i := range 50 {
				in.Tags = append(in.Tags, api.S3Tag{Key: ptr(strings.Repeat("k", i+1)), Value: ptr("")})
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name+" is accepted", func(t *testing.T) {
			in := createRequest()
			tt.change(in)
			if _, err := e.p.CreateJob(ctx(), in); err != nil {
				t.Fatal(err)
			}
		})
	}
}

var uuidV4 = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestACreatedJobHasAWSIdentityAndEchoesItsRequest(t *testing.T) {
	e := newEnv(t, true)
	in := createRequest()
	in.Description = ptr("tag everything")
	in.Report = &api.JobReport{Enabled: ptr(true), Bucket: ptr("arn:aws:s3:::reports"), Format: ptr(api.JobReportFormatReportCSV20180820), ReportScope: ptr(api.JobReportScopeAllTasks)}
	id := e.create(t, in)
	if !uuidV4.MatchString(id) {
		t.Fatalf("JobId %q is not a lowercase UUIDv4", id)
	}
	e.prepared(t)
	d := e.describe(t, id)
	if want := "arn:aws:s3:us-west-2:" + account + ":job/" + id; *d.JobArn != want {
		t.Errorf("JobArn %s, want %s (the request's region)", *d.JobArn, want)
	}
	if want := t0.Truncate(time.Millisecond); !d.CreationTime.Equal(want) {
		t.Errorf("CreationTime %v, want %v (to the millisecond)", d.CreationTime, want)
	}
	if *d.Description != "tag everything" || *d.Priority != 10 || *d.RoleArn != *in.RoleArn ||
		*d.Report.Bucket != "arn:aws:s3:::reports" || *d.Manifest.Location.ETag != "etag" ||
		*d.Operation.S3PutObjectTagging.TagSet[0].Key != "k" {
		t.Errorf("DescribeJob does not echo the request: %+v", d)
	}
	if d.FailureReasons == nil || len(d.FailureReasons) != 0 || d.TerminationDate != nil {
		t.Errorf("a new job shows failures or an end: %+v", d)
	}
	p := d.ProgressSummary
	if p == nil || *p.TotalNumberOfTasks != 0 || *p.NumberOfTasksSucceeded != 0 || *p.NumberOfTasksFailed != 0 || *p.Timers.ElapsedTimeInActiveSeconds != 0 {
		t.Errorf("ProgressSummary %+v, want zeros", p)
	}
}

func TestConfirmationRequiredDecidesWhereAPreparedJobWaits(t *testing.T) {
	tests := []struct {
		name    string
		confirm *bool
		want    api.JobStatus
		// confirmed is what DescribeJob says of ConfirmationRequired.
		confirmed bool
	}{
		{"absent behaves as true: the job is suspended", nil, sSuspended, true},
		{"true suspends the job", ptr(true), sSuspended, true},
		{"false makes the job ready and hands it to the scheduler", ptr(false), sReady, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, true)
			in := createRequest()
			in.ConfirmationRequired = tt.confirm
			id := e.create(t, in)
			e.prepared(t)
			d := e.describe(t, id)
			if *d.Status != tt.want || *d.ConfirmationRequired != tt.confirmed {
				t.Fatalf("status %s, ConfirmationRequired %v; want %s, %v", *d.Status, *d.ConfirmationRequired, tt.want, tt.confirmed)
			}
			events := e.sched.got()
			if tt.want == sSuspended {
				if d.SuspendedDate == nil || *d.SuspendedCause != SuspendedCause || len(events) != 0 {
					t.Fatalf("suspended job: date %v, cause %v, scheduler heard %v", d.SuspendedDate, d.SuspendedCause, events)
				}
				return
			}
			if d.SuspendedDate != nil || !slices.Equal(events, []string{"submit " + id + " Ready"}) {
				t.Fatalf("ready job: suspended %v, scheduler heard %v", d.SuspendedDate, events)
			}
		})
	}
}

func TestConfirmingASuspendedJobHandsItToTheScheduler(t *testing.T) {
	e := newEnv(t, true)
	id := e.create(t, createRequest())
	e.prepared(t)
	if _, err := e.p.UpdateJobStatus(ctx(), &api.UpdateJobStatusRequest{AccountId: ptr(account), JobId: ptr(id), RequestedJobStatus: ptr(api.RequestedJobStatusReady)}); err != nil {
		t.Fatal(err)
	}
	if got := e.sched.got(); !slices.Equal(got, []string{"submit " + id + " Ready"}) {
		t.Fatalf("scheduler heard %v", got)
	}
	d := e.describe(t, id)
	if *d.Status != sReady || d.SuspendedDate == nil || d.StatusUpdateReason != nil {
		t.Fatalf("after confirmation: %s, suspended %v, reason %v", *d.Status, d.SuspendedDate, d.StatusUpdateReason)
	}
}

func TestIdempotencyIsPerTokenPerAccountAndPerRequest(t *testing.T) {
	e := newEnv(t, false)
	in := createRequest()
	first := e.create(t, in)
	t.Run("the same request with the same token returns the first job", func(t *testing.T) {
		again := *in
		if id := e.create(t, &again); id != first {
			t.Fatalf("retry created %s, want %s", id, first)
		}
	})
	t.Run("a different request with the same token is an IdempotencyException", func(t *testing.T) {
		changed := *in
		changed.Priority = ptr(int32(11))
		_, err := e.p.CreateJob(ctx(), &changed)
		if code := errorCode(err); code != "IdempotencyException" {
			t.Fatalf("error %q, want IdempotencyException", code)
		}
	})
	t.Run("the same token in another account is another job", func(t *testing.T) {
		elsewhere := *in
		elsewhere.AccountId = ptr(other)
		if id := e.create(t, &elsewhere); id == first {
			t.Fatal("another account got the same job")
		}
	})
	t.Run("only one job exists for the token", func(t *testing.T) {
		page, err := e.jobs.ListJobs(ctx(), storeQuery(account))
		if err != nil || len(page.Jobs) != 1 {
			t.Fatalf("%d jobs, %v; want 1", len(page.Jobs), err)
		}
	})
}
