package s3control

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awss3control "github.com/aws/aws-sdk-go-v2/service/s3control"
	"github.com/aws/aws-sdk-go-v2/service/s3control/types"
	"github.com/aws/smithy-go"

	"github.com/jobplane/jobplane/internal/gateway"
)

// sdkClient serves e's provider through the gateway on a loopback server
// and returns an aws-sdk-go-v2 client of the account for it. SDKs send S3
// Control requests to {AccountId}.host, so the client's dialer sends every
// host to the server.
func sdkClient(t *testing.T, e *env) *awss3control.Client {
	t.Helper()
	gw, err := gateway.New(gateway.Options{Region: "us-east-1", S3Domain: "localhost", S3Control: e.p})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(gw)
	t.Cleanup(srv.Close)
	d := &net.Dialer{}
	return awss3control.New(awss3control.Options{
		Region: "us-east-1", BaseEndpoint: aws.String(srv.URL), RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider(account, "secret", ""),
		HTTPClient: &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return d.DialContext(ctx, network, srv.Listener.Addr().String())
		}}},
	})
}

func sdkCreateInput() *awss3control.CreateJobInput {
	return &awss3control.CreateJobInput{
		AccountId: aws.String(account), Priority: aws.Int32(10), RoleArn: aws.String("arn:aws:iam::123456789012:role/batch"),
		Operation: &types.JobOperation{S3PutObjectTagging: &types.S3SetObjectTaggingOperation{TagSet: []types.S3Tag{{Key: aws.String("k"), Value: aws.String("v")}}}},
		Report:    &types.JobReport{Enabled: false},
		Manifest: &types.JobManifest{
			Spec:     &types.JobManifestSpec{Format: types.JobManifestFormatS3BatchOperationsCsv20180820, Fields: []types.JobManifestFieldName{"Bucket", "Key"}},
			Location: &types.JobManifestLocation{ObjectArn: aws.String("arn:aws:s3:::manifests/m.csv"), ETag: aws.String("etag")},
		},
		Tags:        []types.S3Tag{{Key: aws.String("team"), Value: aws.String("data")}},
		Description: aws.String("from the Go SDK"),
	}
}

// TestEveryOperationThroughAwsSdkGoV2 drives every served operation with
// the real Go SDK: its serializers write the requests, its deserializers
// read jobplane's answers.
func TestEveryOperationThroughAwsSdkGoV2(t *testing.T) {
	e := newEnv(t, true)
	c := sdkClient(t, e)
	bg := context.Background()

	created, err := c.CreateJob(bg, sdkCreateInput())
	if err != nil {
		t.Fatal(err)
	}
	id := aws.ToString(created.JobId)
	e.prepared(t)
	d, err := c.DescribeJob(bg, &awss3control.DescribeJobInput{AccountId: aws.String(account), JobId: &id})
	if err != nil {
		t.Fatal(err)
	}
	j := d.Job
	if j.Status != types.JobStatusSuspended || !aws.ToBool(j.ConfirmationRequired) || aws.ToString(j.SuspendedCause) != SuspendedCause ||
		aws.ToString(j.Description) != "from the Go SDK" || aws.ToString(j.JobArn) != "arn:aws:s3:us-east-1:"+account+":job/"+id ||
		j.Manifest.Spec.Fields[1] != "Key" || aws.ToString(j.Operation.S3PutObjectTagging.TagSet[0].Key) != "k" ||
		j.ProgressSummary == nil || j.CreationTime == nil || j.FailureReasons == nil {
		t.Fatalf("DescribeJob = %+v", j)
	}

	pr, err := c.UpdateJobPriority(bg, &awss3control.UpdateJobPriorityInput{AccountId: aws.String(account), JobId: &id, Priority: 77})
	if err != nil || pr.Priority != 77 || aws.ToString(pr.JobId) != id {
		t.Fatalf("UpdateJobPriority = %+v, %v", pr, err)
	}
	st, err := c.UpdateJobStatus(bg, &awss3control.UpdateJobStatusInput{AccountId: aws.String(account), JobId: &id,
		RequestedJobStatus: types.RequestedJobStatusReady, StatusUpdateReason: aws.String("looks right")})
	if err != nil || st.Status != types.JobStatusReady || aws.ToString(st.StatusUpdateReason) != "looks right" {
		t.Fatalf("UpdateJobStatus = %+v, %v", st, err)
	}

	tags, err := c.GetJobTagging(bg, &awss3control.GetJobTaggingInput{AccountId: aws.String(account), JobId: &id})
	if err != nil || len(tags.Tags) != 1 || aws.ToString(tags.Tags[0].Key) != "team" {
		t.Fatalf("GetJobTagging = %+v, %v", tags, err)
	}
	if _, err := c.PutJobTagging(bg, &awss3control.PutJobTaggingInput{AccountId: aws.String(account), JobId: &id,
		Tags: []types.S3Tag{{Key: aws.String("a"), Value: aws.String("1")}}}); err != nil {
		t.Fatal(err)
	}
	arn := j.JobArn
	if _, err := c.TagResource(bg, &awss3control.TagResourceInput{AccountId: aws.String(account), ResourceArn: arn,
		Tags: []types.Tag{{Key: aws.String("b"), Value: aws.String("2")}}}); err != nil {
		t.Fatal(err)
	}
	lt, err := c.ListTagsForResource(bg, &awss3control.ListTagsForResourceInput{AccountId: aws.String(account), ResourceArn: arn})
	if err != nil || len(lt.Tags) != 2 {
		t.Fatalf("ListTagsForResource = %+v, %v", lt, err)
	}
	if _, err := c.UntagResource(bg, &awss3control.UntagResourceInput{AccountId: aws.String(account), ResourceArn: arn, TagKeys: []string{"a"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteJobTagging(bg, &awss3control.DeleteJobTaggingInput{AccountId: aws.String(account), JobId: &id}); err != nil {
		t.Fatal(err)
	}
	if tags, err := c.GetJobTagging(bg, &awss3control.GetJobTaggingInput{AccountId: aws.String(account), JobId: &id}); err != nil || len(tags.Tags) != 0 {
		t.Fatalf("after DeleteJobTagging: %+v, %v", tags, err)
	}

	for range 4 {
		if _, err := c.CreateJob(bg, sdkCreateInput()); err != nil {
			t.Fatal(err)
		}
	}
	e.prepared(t)
	var seen []string
	pages := awss3control.NewListJobsPaginator(c, &awss3control.ListJobsInput{AccountId: aws.String(account),
		JobStatuses: []types.JobStatus{types.JobStatusSuspended, types.JobStatusReady}}, func(o *awss3control.ListJobsPaginatorOptions) { o.Limit = 2 })
	for pages.HasMorePages() {
		page, err := pages.NextPage(bg)
		if err != nil {
			t.Fatal(err)
		}
		for _, j := range page.Jobs {
			seen = append(seen, aws.ToString(j.JobId))
			if j.Operation != types.OperationNameS3PutObjectTagging || j.ProgressSummary == nil || j.CreationTime == nil {
				t.Fatalf("list item %+v", j)
			}
		}
	}
	if len(seen) != 5 {
		t.Fatalf("the paginator saw %d jobs, want 5", len(seen))
	}
	if e.status(t, id) != sReady {
		t.Fatal("the confirmed job is not Ready")
	}
}

// TestEveryModeledErrorThroughAwsSdkGoV2 checks that each error jobplane
// answers reaches the Go SDK as its typed error.
func TestEveryModeledErrorThroughAwsSdkGoV2(t *testing.T) {
	e := newEnv(t, true)
	c := sdkClient(t, e)
	bg := context.Background()
	created, err := c.CreateJob(bg, sdkCreateInput())
	if err != nil {
		t.Fatal(err)
	}
	id := created.JobId
	e.prepared(t)
	if _, err := c.UpdateJobStatus(bg, &awss3control.UpdateJobStatusInput{AccountId: aws.String(account), JobId: id, RequestedJobStatus: types.RequestedJobStatusCancelled}); err != nil {
		t.Fatal(err)
	}
	missing := aws.String("00000000-0000-4000-8000-000000000000")
	token := aws.String(strings.Repeat("A", 40))
	tooMany := make([]types.S3Tag, 51)
	for i := range tooMany {
		tooMany[i] = types.S3Tag{Key: aws.String(strings.Repeat("k", i+1)), Value: aws.String("v")}
	}
	idem := sdkCreateInput()
	idem.ClientRequestToken = aws.String("reused-token")
	if _, err := c.CreateJob(bg, idem); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name string
		call func() error
		// is reports whether err is the expected typed error.
		is   func(error) bool
		code string
	}{
		{"CreateJob with two operations", func() error {
			in := sdkCreateInput()
			in.Operation.S3DeleteObjectTagging = &types.S3DeleteObjectTaggingOperation{}
			_, err := c.CreateJob(bg, in)
			return err
		}, as[*types.BadRequestException], "BadRequestException"},
		{"CreateJob with a description over 256 characters", func() error {
			in := sdkCreateInput()
			in.Description = aws.String(strings.Repeat("d", 257))
			_, err := c.CreateJob(bg, in)
			return err
		}, as[*types.BadRequestException], "BadRequestException"},
		{"CreateJob with a manifest ARN that is no object", func() error {
			in := sdkCreateInput()
			in.Manifest.Location.ObjectArn = aws.String("arn:aws:s3:::manifests")
			_, err := c.CreateJob(bg, in)
			return err
		}, as[*types.BadRequestException], "BadRequestException"},
		{"CreateJob reusing a token for another request", func() error {
			in := sdkCreateInput()
			in.ClientRequestToken, in.Priority = aws.String("reused-token"), aws.Int32(11)
			_, err := c.CreateJob(bg, in)
			return err
		}, as[*types.IdempotencyException], "IdempotencyException"},
		{"DescribeJob of an unknown job", func() error {
			_, err := c.DescribeJob(bg, &awss3control.DescribeJobInput{AccountId: aws.String(account), JobId: missing})
			return err
		}, as[*types.NotFoundException], "NotFoundException"},
		{"DescribeJob of an id too short to be one", func() error {
			_, err := c.DescribeJob(bg, &awss3control.DescribeJobInput{AccountId: aws.String(account), JobId: aws.String("abc")})
			return err
		}, as[*types.BadRequestException], "BadRequestException"},
		{"DescribeJob of another account's job", func() error {
			_, err := c.DescribeJob(bg, &awss3control.DescribeJobInput{AccountId: aws.String(other), JobId: id})
			return err
		}, as[*types.NotFoundException], "NotFoundException"},
		{"ListJobs with a forged token", func() error {
			_, err := c.ListJobs(bg, &awss3control.ListJobsInput{AccountId: aws.String(account), NextToken: token})
			return err
		}, as[*types.InvalidNextTokenException], "InvalidNextTokenException"},
		{"ListJobs with MaxResults above the model's maximum", func() error {
			_, err := c.ListJobs(bg, &awss3control.ListJobsInput{AccountId: aws.String(account), MaxResults: aws.Int32(1001)})
			return err
		}, as[*types.InvalidRequestException], "InvalidRequestException"},
		{"UpdateJobPriority of an unknown job", func() error {
			_, err := c.UpdateJobPriority(bg, &awss3control.UpdateJobPriorityInput{AccountId: aws.String(account), JobId: missing, Priority: 1})
			return err
		}, as[*types.NotFoundException], "NotFoundException"},
		{"UpdateJobPriority below zero", func() error {
			_, err := c.UpdateJobPriority(bg, &awss3control.UpdateJobPriorityInput{AccountId: aws.String(account), JobId: id, Priority: -1})
			return err
		}, as[*types.BadRequestException], "BadRequestException"},
		{"UpdateJobStatus of a cancelled job", func() error {
			_, err := c.UpdateJobStatus(bg, &awss3control.UpdateJobStatusInput{AccountId: aws.String(account), JobId: id, RequestedJobStatus: types.RequestedJobStatusReady})
			return err
		}, as[*types.JobStatusException], "JobStatusException"},
		{"UpdateJobStatus of an unknown job", func() error {
			_, err := c.UpdateJobStatus(bg, &awss3control.UpdateJobStatusInput{AccountId: aws.String(account), JobId: missing, RequestedJobStatus: types.RequestedJobStatusCancelled})
			return err
		}, as[*types.NotFoundException], "NotFoundException"},
		{"UpdateJobStatus with an overlong reason", func() error {
			_, err := c.UpdateJobStatus(bg, &awss3control.UpdateJobStatusInput{AccountId: aws.String(account), JobId: id,
				RequestedJobStatus: types.RequestedJobStatusCancelled, StatusUpdateReason: aws.String(strings.Repeat("r", 257))})
			return err
		}, as[*types.BadRequestException], "BadRequestException"},
		{"GetJobTagging of an unknown job", func() error {
			_, err := c.GetJobTagging(bg, &awss3control.GetJobTaggingInput{AccountId: aws.String(account), JobId: missing})
			return err
		}, as[*types.NotFoundException], "NotFoundException"},
		{"PutJobTagging with 51 tags", func() error {
			_, err := c.PutJobTagging(bg, &awss3control.PutJobTaggingInput{AccountId: aws.String(account), JobId: id, Tags: tooMany})
			return err
		}, as[*types.TooManyTagsException], "TooManyTagsException"},
		{"PutJobTagging of an unknown job", func() error {
			_, err := c.PutJobTagging(bg, &awss3control.PutJobTaggingInput{AccountId: aws.String(account), JobId: missing, Tags: []types.S3Tag{}})
			return err
		}, as[*types.NotFoundException], "NotFoundException"},
		{"DeleteJobTagging of an unknown job", func() error {
			_, err := c.DeleteJobTagging(bg, &awss3control.DeleteJobTaggingInput{AccountId: aws.String(account), JobId: missing})
			return err
		}, as[*types.NotFoundException], "NotFoundException"},
		{"TagResource of an unknown job", func() error {
			_, err := c.TagResource(bg, &awss3control.TagResourceInput{AccountId: aws.String(account),
				ResourceArn: aws.String("arn:aws:s3:us-east-1:" + account + ":job/" + *missing), Tags: []types.Tag{{Key: aws.String("a"), Value: aws.String("b")}}})
			return err
		}, nil, "NotFoundException"},
		{"UntagResource of an unknown job", func() error {
			_, err := c.UntagResource(bg, &awss3control.UntagResourceInput{AccountId: aws.String(account),
				ResourceArn: aws.String("arn:aws:s3:us-east-1:" + account + ":job/" + *missing), TagKeys: []string{"a"}})
			return err
		}, nil, "NotFoundException"},
		{"ListTagsForResource of an unknown job", func() error {
			_, err := c.ListTagsForResource(bg, &awss3control.ListTagsForResourceInput{AccountId: aws.String(account),
				ResourceArn: aws.String("arn:aws:s3:us-east-1:" + account + ":job/" + *missing)})
			return err
		}, nil, "NotFoundException"},
	}
	for _, tt := range tests {
		t.Run(tt.name+" is "+tt.code, func(t *testing.T) {
			err := tt.call()
			var api smithy.APIError
			if !errors.As(err, &api) || api.ErrorCode() != tt.code {
				t.Fatalf("error %v, want %s", err, tt.code)
			}
			if tt.is != nil && !tt.is(err) {
				t.Fatalf("error %T is not the SDK's typed %s", err, tt.code)
			}
		})
	}
}

func as[T error](err error) bool {
	var target T
	return errors.As(err, &target)
}

// TestAStoreFailureIsAnInternalServiceException closes the store under a
// running server: the SDK sees the modeled server error, with no detail.
func TestAStoreFailureIsAnInternalServiceException(t *testing.T) {
	e := newEnv(t, false)
	c := sdkClient(t, e)
	e.db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := c.DescribeJob(ctx, &awss3control.DescribeJobInput{AccountId: aws.String(account), JobId: aws.String("00000000-0000-4000-8000-000000000000")})
	var ise *types.InternalServiceException
	if !errors.As(err, &ise) || strings.Contains(ise.ErrorMessage(), "closed") {
		t.Fatalf("error %v, want an InternalServiceException without detail", err)
	}
}
