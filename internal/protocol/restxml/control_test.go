package restxml_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3control"
	"github.com/aws/aws-sdk-go-v2/service/s3control/types"

	api "github.com/jobplane/jobplane/internal/api/s3control"
	"github.com/jobplane/jobplane/internal/schema"
)

const account = "123456789012"

var (
	created   = time.Date(2019, 10, 3, 21, 48, 48, 48_000_000, time.UTC)
	suspended = time.Date(2019, 10, 3, 21, 50, 1, 500_000_000, time.UTC)
	finished  = time.Date(2019, 10, 4, 1, 2, 3, 0, time.UTC)
)

// fullCreateJob exercises every member kind of CreateJobRequest: nested
// structures, a Fields list, a union with a filter, renamed list items,
// timestamps, maps and tags.
func fullCreateJob() *s3control.CreateJobInput {
	return &s3control.CreateJobInput{
		AccountId:            aws.String(account),
		ConfirmationRequired: aws.Bool(false),
		ClientRequestToken:   aws.String("bf1469eb-7099-4982-946b-57b332ec98f0"),
		Description:          aws.String("copy <everything> & more"),
		Priority:             aws.Int32(10),
		RoleArn:              aws.String("arn:aws:iam::123456789012:role/r"),
		Operation: &types.JobOperation{
			S3PutObjectCopy: &types.S3CopyObjectOperation{
				TargetResource:          aws.String("arn:aws:s3:::dst"),
				CannedAccessControlList: types.S3CannedAccessControlListBucketOwnerFullControl,
				MetadataDirective:       types.S3MetadataDirectiveReplace,
				ModifiedSinceConstraint: aws.Time(created),
				BucketKeyEnabled:        true,
				NewObjectMetadata: &types.S3ObjectMetadata{
					ContentType:     aws.String("text/plain"),
					HttpExpiresDate: aws.Time(finished),
					UserMetadata:    map[string]string{"owner": "team a", "x": "<y>"},
				},
				NewObjectTagging: []types.S3Tag{{Key: aws.String("k"), Value: aws.String("v")}},
				AccessControlGrants: []types.S3Grant{{
					Grantee:    &types.S3Grantee{TypeIdentifier: types.S3GranteeTypeIdentifierCanonical, Identifier: aws.String("abc")},
					Permission: types.S3PermissionRead,
				}},
			},
		},
		Report: &types.JobReport{
			Enabled:     true,
			Bucket:      aws.String("arn:aws:s3:::rep"),
			Format:      types.JobReportFormatReportCsv20180820,
			Prefix:      aws.String("p"),
			ReportScope: types.JobReportScopeAllTasks,
		},
		Manifest: &types.JobManifest{
			Spec: &types.JobManifestSpec{
				Format: types.JobManifestFormatS3BatchOperationsCsv20180820,
				Fields: []types.JobManifestFieldName{types.JobManifestFieldNameBucket, types.JobManifestFieldNameKey},
			},
			Location: &types.JobManifestLocation{ObjectArn: aws.String("arn:aws:s3:::m/manifest.csv"), ETag: aws.String(`"abc"`)},
		},
		Tags: []types.S3Tag{{Key: aws.String("a"), Value: aws.String("b")}, {Key: aws.String("empty"), Value: aws.String("")}},
	}
}

func generatorCreateJob() *s3control.CreateJobInput {
	return &s3control.CreateJobInput{
		AccountId:          aws.String(account),
		ClientRequestToken: aws.String("tok-2"),
		Priority:           aws.Int32(0),
		RoleArn:            aws.String("arn:aws:iam::123456789012:role/r"),
		Operation: &types.JobOperation{LambdaInvoke: &types.LambdaInvokeOperation{
			FunctionArn:             aws.String("arn:aws:lambda:us-west-2:123456789012:function:f"),
			InvocationSchemaVersion: aws.String("2.0"),
			UserArguments:           map[string]string{"k1": "v1", "k2": "v & 2"},
		}},
		Report: &types.JobReport{Enabled: false},
		ManifestGenerator: &types.JobManifestGeneratorMemberS3JobManifestGenerator{Value: types.S3JobManifestGenerator{
			SourceBucket:         aws.String("arn:aws:s3:::src"),
			EnableManifestOutput: true,
			ManifestOutputLocation: &types.S3ManifestOutputLocation{
				Bucket:             aws.String("arn:aws:s3:::m"),
				ManifestFormat:     types.GeneratedManifestFormatS3InventoryReportCsv20211130,
				ManifestEncryption: &types.GeneratedManifestEncryption{SSES3: &types.SSES3Encryption{}},
			},
			Filter: &types.JobManifestGeneratorFilter{
				CreatedAfter:               aws.Time(time.Date(2023, 9, 1, 0, 0, 0, 0, time.UTC)),
				ObjectSizeGreaterThanBytes: aws.Int64(1 << 40),
				KeyNameConstraint: &types.KeyNameConstraint{
					MatchAnyPrefix: []string{"a/", "b/"},
					MatchAnySuffix: []string{".csv"},
				},
				MatchAnyStorageClass:      []types.S3StorageClass{types.S3StorageClassStandard, types.S3StorageClassGlacier},
				ObjectReplicationStatuses: []types.ReplicationStatus{types.ReplicationStatusNone, types.ReplicationStatusFailed},
				MatchAnyObjectEncryption: []types.ObjectEncryptionFilter{&types.ObjectEncryptionFilterMemberSSEKMS{Value: types.SSEKMSFilter{
					KmsKeyArn:        aws.String("arn:aws:kms:us-west-2:123456789012:key/abcd"),
					BucketKeyEnabled: aws.Bool(true),
				}}},
			},
		}},
	}
}

func fullJobDescriptor() *api.JobDescriptor {
	return &api.JobDescriptor{
		JobId:                aws.String("00e123a4-c0d8-41f4-a0eb-b46f9ba5b07c"),
		ConfirmationRequired: aws.Bool(true),
		Description:          aws.String("a & b <c>"),
		JobArn:               aws.String("arn:aws:s3:us-east-1:123456789012:job/00e123a4-c0d8-41f4-a0eb-b46f9ba5b07c"),
		Status:               ptr(api.JobStatusFailed),
		Manifest: &api.JobManifest{
			Spec:     &api.JobManifestSpec{Format: ptr(api.JobManifestFormatS3BatchOperationsCSV20180820), Fields: []api.JobManifestFieldName{"Bucket", "Key", "VersionId"}},
			Location: &api.JobManifestLocation{ObjectArn: aws.String("arn:aws:s3:::m/k"), ETag: aws.String("e"), ObjectVersionId: aws.String("v1")},
		},
		Operation: &api.JobOperation{
			S3PutObjectTagging:    &api.S3SetObjectTaggingOperation{TagSet: []api.S3Tag{{Key: aws.String("k"), Value: aws.String("v")}}},
			S3DeleteObjectTagging: nil,
		},
		Priority: aws.Int32(42),
		ProgressSummary: &api.JobProgressSummary{
			TotalNumberOfTasks:     aws.Int64(1 << 33),
			NumberOfTasksSucceeded: aws.Int64(7),
			NumberOfTasksFailed:    aws.Int64(3),
			Timers:                 &api.JobTimers{ElapsedTimeInActiveSeconds: aws.Int64(12)},
		},
		StatusUpdateReason: aws.String("no longer needed"),
		FailureReasons: []api.JobFailure{
			{FailureCode: aws.String("ManifestNotFound"), FailureReason: aws.String("Reading the manifest failed")},
			{FailureCode: aws.String("TaskFailureThreshold"), FailureReason: aws.String("too many & failed")},
		},
		Report:          &api.JobReport{Enabled: aws.Bool(true), Bucket: aws.String("arn:aws:s3:::rep"), Format: ptr(api.JobReportFormatReportCSV20180820), ReportScope: ptr(api.JobReportScopeFailedTasksOnly)},
		CreationTime:    aws.Time(created),
		TerminationDate: aws.Time(finished),
		RoleArn:         aws.String("arn:aws:iam::123456789012:role/r"),
		SuspendedDate:   aws.Time(suspended),
		SuspendedCause:  aws.String("AwaitingConfirmation"),
		ManifestGenerator: &api.JobManifestGenerator{S3JobManifestGenerator: &api.S3JobManifestGenerator{
			SourceBucket:         aws.String("arn:aws:s3:::src"),
			EnableManifestOutput: aws.Bool(false),
			Filter: &api.JobManifestGeneratorFilter{
				MatchAnyObjectEncryption: []api.ObjectEncryptionFilter{{NOTSSE: &api.NotSSEFilter{}}},
			},
		}},
		GeneratedManifestDescriptor: &api.S3GeneratedManifestDescriptor{
			Format:   ptr(api.GeneratedManifestFormatS3InventoryReportCSV20211130),
			Location: &api.JobManifestLocation{ObjectArn: aws.String("arn:aws:s3:::m/gen"), ETag: aws.String("g")},
		},
	}
}

func ptr[T any](v T) *T { return &v }

// controlCase is one S3 Control operation driven through a real SDK client.
type controlCase struct {
	name string
	op   string
	// call makes the SDK call and returns the SDK input and output.
	call func(c *s3control.Client) (in, out any, err error)
	// out is what the fake service answers.
	out any
	// check makes extra assertions on the decoded input and the request.
	check func(t *testing.T, in any, srv *fakeServer)
}

func controlCases() []controlCase {
	return []controlCase{
		{
			name: "CreateJob with every kind of member round-trips",
			op:   "CreateJob",
			call: func(c *s3control.Client) (any, any, error) {
				in := fullCreateJob()
				out, err := c.CreateJob(ctx, in)
				return in, out, err
			},
			out: &api.CreateJobResult{JobId: aws.String("00e123a4-c0d8-41f4-a0eb-b46f9ba5b07c")},
			check: func(t *testing.T, in any, _ *fakeServer) {
				got := in.(*api.CreateJobRequest)
				if got.ConfirmationRequired == nil || *got.ConfirmationRequired {
					t.Errorf("ConfirmationRequired = %v, want explicit false", got.ConfirmationRequired)
				}
			},
		},
		{
			name: "CreateJob with a manifest generator and an SSE-KMS filter round-trips",
			op:   "CreateJob",
			call: func(c *s3control.Client) (any, any, error) {
				in := generatorCreateJob()
				out, err := c.CreateJob(ctx, in)
				return in, out, err
			},
			out: &api.CreateJobResult{JobId: aws.String("job-2")},
			check: func(t *testing.T, in any, srv *fakeServer) {
				got := in.(*api.CreateJobRequest)
				if got.ConfirmationRequired != nil {
					t.Errorf("ConfirmationRequired = %v, want absent", *got.ConfirmationRequired)
				}
				if got.ManifestGenerator == nil || got.ManifestGenerator.S3JobManifestGenerator == nil {
					t.Fatal("ManifestGenerator was not decoded")
				}
				enc := got.ManifestGenerator.S3JobManifestGenerator.Filter.MatchAnyObjectEncryption
				if len(enc) != 1 || enc[0].SSEKMS == nil || *enc[0].SSEKMS.KmsKeyArn != "arn:aws:kms:us-west-2:123456789012:key/abcd" {
					t.Errorf("MatchAnyObjectEncryption = %+v", enc)
				}
			},
		},
		{
			name: "DescribeJob returns a full job descriptor",
			op:   "DescribeJob",
			call: func(c *s3control.Client) (any, any, error) {
				in := &s3control.DescribeJobInput{AccountId: aws.String(account), JobId: aws.String("00e123a4-c0d8-41f4-a0eb-b46f9ba5b07c")}
				out, err := c.DescribeJob(ctx, in)
				return in, out, err
			},
			out: &api.DescribeJobResult{Job: fullJobDescriptor()},
			check: func(t *testing.T, _ any, srv *fakeServer) {
				if body := srv.body(); !strings.Contains(body, "<CreationTime>2019-10-03T21:48:48.048Z</CreationTime>") {
					t.Errorf("timestamps are not written with milliseconds:\n%s", body)
				}
			},
		},
		{
			name: "ListJobs binds repeated job statuses and returns the job list",
			op:   "ListJobs",
			call: func(c *s3control.Client) (any, any, error) {
				in := &s3control.ListJobsInput{
					AccountId:   aws.String(account),
					JobStatuses: []types.JobStatus{types.JobStatusActive, types.JobStatusComplete},
					MaxResults:  aws.Int32(25),
					NextToken:   aws.String("abc+/=="),
				}
				out, err := c.ListJobs(ctx, in)
				return in, out, err
			},
			out: &api.ListJobsResult{
				NextToken: aws.String("next/token=="),
				Jobs: []api.JobListDescriptor{
					{JobId: aws.String("j1"), Description: aws.String("d"), Operation: ptr(api.OperationNameS3PutObjectCopy), Priority: aws.Int32(1), Status: ptr(api.JobStatusActive), CreationTime: aws.Time(created), ProgressSummary: &api.JobProgressSummary{TotalNumberOfTasks: aws.Int64(5)}},
					{JobId: aws.String("j2"), Operation: ptr(api.OperationNameLambdaInvoke), Priority: aws.Int32(2), Status: ptr(api.JobStatusComplete), CreationTime: aws.Time(created), TerminationDate: aws.Time(finished)},
				},
			},
		},
		{
			name: "ListJobs with no jobs returns an empty list",
			op:   "ListJobs",
			call: func(c *s3control.Client) (any, any, error) {
				in := &s3control.ListJobsInput{AccountId: aws.String(account)}
				out, err := c.ListJobs(ctx, in)
				return in, out, err
			},
			out: &api.ListJobsResult{Jobs: []api.JobListDescriptor{}},
		},
		{
			name: "UpdateJobPriority binds the priority query parameter",
			op:   "UpdateJobPriority",
			call: func(c *s3control.Client) (any, any, error) {
				in := &s3control.UpdateJobPriorityInput{AccountId: aws.String(account), JobId: aws.String("job-1"), Priority: 2147483647}
				out, err := c.UpdateJobPriority(ctx, in)
				return in, out, err
			},
			out: &api.UpdateJobPriorityResult{JobId: aws.String("job-1"), Priority: aws.Int32(2147483647)},
		},
		{
			name: "UpdateJobStatus keeps spaces in the status update reason",
			op:   "UpdateJobStatus",
			call: func(c *s3control.Client) (any, any, error) {
				in := &s3control.UpdateJobStatusInput{AccountId: aws.String(account), JobId: aws.String("job-1"), RequestedJobStatus: types.RequestedJobStatusCancelled, StatusUpdateReason: aws.String("no longer needed & done")}
				out, err := c.UpdateJobStatus(ctx, in)
				return in, out, err
			},
			out: &api.UpdateJobStatusResult{JobId: aws.String("job-1"), Status: ptr(api.JobStatusCancelling), StatusUpdateReason: aws.String("no longer needed & done")},
		},
		{
			name: "GetJobTagging returns the tag list",
			op:   "GetJobTagging",
			call: func(c *s3control.Client) (any, any, error) {
				in := &s3control.GetJobTaggingInput{AccountId: aws.String(account), JobId: aws.String("job-1")}
				out, err := c.GetJobTagging(ctx, in)
				return in, out, err
			},
			out: &api.GetJobTaggingResult{Tags: []api.S3Tag{{Key: aws.String("a"), Value: aws.String("1")}, {Key: aws.String("b"), Value: aws.String("")}}},
		},
		{
			name: "PutJobTagging sends the tags in the request document",
			op:   "PutJobTagging",
			call: func(c *s3control.Client) (any, any, error) {
				in := &s3control.PutJobTaggingInput{AccountId: aws.String(account), JobId: aws.String("job-1"), Tags: []types.S3Tag{{Key: aws.String("a"), Value: aws.String("1")}}}
				out, err := c.PutJobTagging(ctx, in)
				return in, out, err
			},
			out: &api.PutJobTaggingResult{},
		},
		{
			name: "PutJobTagging with an empty tag set decodes an empty, non-nil list",
			op:   "PutJobTagging",
			call: func(c *s3control.Client) (any, any, error) {
				in := &s3control.PutJobTaggingInput{AccountId: aws.String(account), JobId: aws.String("job-1"), Tags: []types.S3Tag{}}
				out, err := c.PutJobTagging(ctx, in)
				return in, out, err
			},
			out: &api.PutJobTaggingResult{},
			check: func(t *testing.T, in any, _ *fakeServer) {
				if tags := in.(*api.PutJobTaggingRequest).Tags; tags == nil || len(tags) != 0 {
					t.Errorf("Tags = %#v, want an empty non-nil slice", tags)
				}
			},
		},
		{
			name: "DeleteJobTagging has no body either way",
			op:   "DeleteJobTagging",
			call: func(c *s3control.Client) (any, any, error) {
				in := &s3control.DeleteJobTaggingInput{AccountId: aws.String(account), JobId: aws.String("job-1")}
				out, err := c.DeleteJobTagging(ctx, in)
				return in, out, err
			},
			out: &api.DeleteJobTaggingResult{},
		},
		{
			name: "TagResource takes a greedy ARN label",
			op:   "TagResource",
			call: func(c *s3control.Client) (any, any, error) {
				in := &s3control.TagResourceInput{AccountId: aws.String(account), ResourceArn: aws.String("arn:aws:s3:us-east-1:123456789012:job/job-1"), Tags: []types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}}
				out, err := c.TagResource(ctx, in)
				return in, out, err
			},
			out: &api.TagResourceResult{},
		},
		{
			// SigV4 signing sorts repeated query values, so the keys are
			// given in sorted order to compare positionally.
			name: "UntagResource binds repeated tag keys",
			op:   "UntagResource",
			call: func(c *s3control.Client) (any, any, error) {
				in := &s3control.UntagResourceInput{AccountId: aws.String(account), ResourceArn: aws.String("arn:aws:s3:us-east-1:123456789012:job/job-1"), TagKeys: []string{"k 2", "k1"}}
				out, err := c.UntagResource(ctx, in)
				return in, out, err
			},
			out: &api.UntagResourceResult{},
		},
		{
			name: "ListTagsForResource returns the tags",
			op:   "ListTagsForResource",
			call: func(c *s3control.Client) (any, any, error) {
				in := &s3control.ListTagsForResourceInput{AccountId: aws.String(account), ResourceArn: aws.String("arn:aws:s3:us-east-1:123456789012:storage-lens-group/g")}
				out, err := c.ListTagsForResource(ctx, in)
				return in, out, err
			},
			out: &api.ListTagsForResourceResult{Tags: []api.Tag{{Key: aws.String("k"), Value: aws.String("v")}}},
		},
	}
}

func TestS3ControlOperationsRoundTripThroughTheSDK(t *testing.T) {
	t.Parallel()
	for _, tc := range controlCases() {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := &fakeServer{respond: func(*schema.Operation, any) (any, error) { return tc.out, nil }}
			client := newControlClient(srv)
			sdkIn, sdkOut, err := tc.call(client)
			if err != nil {
				t.Fatalf("SDK call failed: %v (decode error: %v)", err, srv.decodeErr)
			}
			if got := srv.lastOp(); got != tc.op {
				t.Fatalf("routed to %q, want %q", got, tc.op)
			}
			in := srv.lastIn()
			assertSame(t, "decoded input", in, sdkIn)
			assertSame(t, "parsed output", tc.out, sdkOut)
			if tc.check != nil {
				tc.check(t, in, srv)
			}
		})
	}
}

func TestS3ControlModeledErrorsArriveTyped(t *testing.T) {
	t.Parallel()
	describe := func(c *s3control.Client) error {
		_, err := c.DescribeJob(ctx, &s3control.DescribeJobInput{AccountId: aws.String(account), JobId: aws.String("job-1")})
		return err
	}
	updateStatus := func(c *s3control.Client) error {
		_, err := c.UpdateJobStatus(ctx, &s3control.UpdateJobStatusInput{AccountId: aws.String(account), JobId: aws.String("job-1"), RequestedJobStatus: types.RequestedJobStatusReady})
		return err
	}
	create := func(c *s3control.Client) error {
		_, err := c.CreateJob(ctx, fullCreateJob())
		return err
	}
	// The SDK maps codes to types per operation, so each error is raised by
	// an operation that models it.
	cases := []struct {
		name   string
		call   func(*s3control.Client) error
		err    error
		target func() any
	}{
		{"a missing job is a NotFoundException", describe, &api.NotFoundException{Message: aws.String("The specified job does not exist")}, func() any { return new(*types.NotFoundException) }},
		{"a bad transition is a JobStatusException", updateStatus, &api.JobStatusException{Message: aws.String("cannot go from Complete to Ready")}, func() any { return new(*types.JobStatusException) }},
		{"a reused token is an IdempotencyException", create, &api.IdempotencyException{Message: aws.String("token <reused> & changed")}, func() any { return new(*types.IdempotencyException) }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := &fakeServer{respond: func(*schema.Operation, any) (any, error) { return nil, tc.err }}
			client := newControlClient(srv)
			err := tc.call(client)
			target := tc.target()
			if !errors.As(err, target) {
				t.Fatalf("error %T %v is not the typed SDK error", err, err)
			}
			type messager interface{ ErrorMessage() string }
			want := tc.err.(messager).ErrorMessage()
			if got := errorMessage(target); got != want {
				t.Errorf("message = %q, want %q", got, want)
			}
			if body := srv.body(); !strings.HasPrefix(body, `<?xml version="1.0" encoding="UTF-8"?>`+"\n<ErrorResponse><Error><Code>") ||
				!strings.Contains(body, "<RequestId>REQ123</RequestId><HostId>HOST456</HostId></ErrorResponse>") {
				t.Errorf("error body is not wrapped:\n%s", body)
			}
		})
	}
}

func errorMessage(target any) string {
	switch e := target.(type) {
	case **types.NotFoundException:
		return (*e).ErrorMessage()
	case **types.JobStatusException:
		return (*e).ErrorMessage()
	case **types.IdempotencyException:
		return (*e).ErrorMessage()
	}
	return ""
}

// jobOperations are the S3 Control operations of S3 Batch Operations and
// the resource tagging jobplane serves alongside them.
var jobOperations = []string{
	"CreateJob", "DescribeJob", "ListJobs", "UpdateJobPriority", "UpdateJobStatus",
	"GetJobTagging", "PutJobTagging", "DeleteJobTagging",
	"TagResource", "UntagResource", "ListTagsForResource",
}

func TestEveryS3ControlJobOperationIsCovered(t *testing.T) {
	t.Parallel()
	covered := map[string]bool{}
	for _, tc := range controlCases() {
		covered[tc.op] = true
	}
	for _, name := range jobOperations {
		if api.Model.Operation(name) == nil {
			t.Errorf("model has no operation %s", name)
		}
		if !covered[name] {
			t.Errorf("no SDK round trip covers %s", name)
		}
	}
}
