package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awss3control "github.com/aws/aws-sdk-go-v2/service/s3control"
	"github.com/aws/aws-sdk-go-v2/service/s3control/types"
)

// s3cClient is an aws-sdk-go-v2 client of account for the server p.
// SDKs send S3 Control requests to {AccountId}.host, so its dialer sends
// every host to p.
func s3cClient(p *proc, account string) *awss3control.Client {
	addr := strings.TrimPrefix(p.url, "http://")
	d := &net.Dialer{}
	return awss3control.New(awss3control.Options{
		Region: "us-east-1", BaseEndpoint: aws.String(p.url), RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider(account, "secret", ""),
		HTTPClient: &http.Client{Timeout: 30 * time.Second, Transport: &sdkTransport{http.Transport{
			DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
				return d.DialContext(ctx, network, addr)
			},
		}}},
	})
}

// s3cControlPlane are the flags that keep the job engine out of a test of
// the control plane alone: these tests name manifests that do not exist and
// check the statuses a job holds while nothing runs it (with the engine,
// preparation would fail such jobs, and Ready jobs would run).
var s3cControlPlane = []string{"--batch-engine", "off"}

func s3cJobInput(account string, priority int32, confirm *bool) *awss3control.CreateJobInput {
	return &awss3control.CreateJobInput{
		AccountId: aws.String(account), Priority: aws.Int32(priority), ConfirmationRequired: confirm,
		RoleArn:   aws.String("arn:aws:iam::" + account + ":role/batch"),
		Operation: &types.JobOperation{S3PutObjectTagging: &types.S3SetObjectTaggingOperation{TagSet: []types.S3Tag{{Key: aws.String("k"), Value: aws.String("v")}}}},
		Report:    &types.JobReport{Enabled: false},
		Manifest: &types.JobManifest{
			Spec:     &types.JobManifestSpec{Format: types.JobManifestFormatS3BatchOperationsCsv20180820, Fields: []types.JobManifestFieldName{"Bucket", "Key"}},
			Location: &types.JobManifestLocation{ObjectArn: aws.String("arn:aws:s3:::manifests/m.csv"), ETag: aws.String("etag")},
		},
		Description: aws.String(fmt.Sprintf("priority %d", priority)),
	}
}

// s3cWaitJob polls DescribeJob until the job's status is one of want.
func s3cWaitJob(t *testing.T, c *awss3control.Client, account, id string, want ...types.JobStatus) *types.JobDescriptor {
	t.Helper()
	var (
		out *awss3control.DescribeJobOutput
		err error
	)
	if !eventually(t, 30*time.Second, func() bool {
		out, err = c.DescribeJob(context.Background(), &awss3control.DescribeJobInput{AccountId: aws.String(account), JobId: aws.String(id)})
		return err == nil && slices.Contains(want, out.Job.Status)
	}) {
		t.Fatalf("job %s never reached %v (last: %+v, %v)", id, want, out, err)
	}
	return out.Job
}

// s3cAckedJob is what a client was told about a job before the crash.
type s3cAckedJob struct {
	id, token string
	priority  int32
	// maybe is a priority whose update was sent but not acknowledged: the
	// crash may have come before or after its commit.
	maybe  int32
	status types.JobStatus // "" when only its creation was acknowledged
	tags   []string
}

// TestS3ControlAcknowledgedWritesSurviveKill9 kills the real server with
// SIGKILL while clients are writing, restarts it on the same data directory
// and checks that every write the server acknowledged is there.
func TestS3ControlAcknowledgedWritesSurviveKill9(t *testing.T) {
	const account = "919191919191"
	flags := s3cControlPlane
	p := start(t, "", flags...)
	c := s3cClient(p, account)
	bg := context.Background()

	// Settled jobs: confirmed, cancelled, reprioritised and tagged.
	var settled []*s3cAckedJob
	for i := range 12 {
		in := s3cJobInput(account, 10, nil)
		in.ClientRequestToken = aws.String(fmt.Sprintf("settled-%d", i))
		out, err := c.CreateJob(bg, in)
		if err != nil {
			t.Fatal(err)
		}
		j := &s3cAckedJob{id: *out.JobId, token: *in.ClientRequestToken, priority: 10}
		s3cWaitJob(t, c, account, j.id, types.JobStatusSuspended)
		j.status = types.JobStatusSuspended
		switch i % 4 {
		case 0:
			if _, err := c.UpdateJobStatus(bg, &awss3control.UpdateJobStatusInput{AccountId: aws.String(account), JobId: &j.id, RequestedJobStatus: types.RequestedJobStatusReady}); err != nil {
				t.Fatal(err)
			}
			j.status = types.JobStatusReady
		case 1:
			if _, err := c.UpdateJobStatus(bg, &awss3control.UpdateJobStatusInput{AccountId: aws.String(account), JobId: &j.id, RequestedJobStatus: types.RequestedJobStatusCancelled}); err != nil {
				t.Fatal(err)
			}
			j.status = types.JobStatusCancelled
		case 2:
			if _, err := c.UpdateJobPriority(bg, &awss3control.UpdateJobPriorityInput{AccountId: aws.String(account), JobId: &j.id, Priority: 500 + int32(i)}); err != nil {
				t.Fatal(err)
			}
			j.priority = 500 + int32(i)
		case 3:
			if _, err := c.PutJobTagging(bg, &awss3control.PutJobTaggingInput{AccountId: aws.String(account), JobId: &j.id,
				Tags: []types.S3Tag{{Key: aws.String("durable"), Value: aws.String(fmt.Sprint(i))}}}); err != nil {
				t.Fatal(err)
			}
			j.tags = []string{"durable=" + fmt.Sprint(i)}
		}
		settled = append(settled, j)
	}

	// Writers in full flight when the server dies: each creates a job and
	// then raises its priority; only acknowledged steps are recorded.
	var (
		mu    sync.Mutex
		acked []*s3cAckedJob
		wg    sync.WaitGroup
	)
	enough := make(chan struct{})
	var once sync.Once
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				in := s3cJobInput(account, 1, aws.Bool(i%2 == 0))
				in.ClientRequestToken = aws.String(fmt.Sprintf("flight-%d-%d", w, i))
				out, err := c.CreateJob(bg, in)
				if err != nil {
					return // the server is gone
				}
				j := &s3cAckedJob{id: *out.JobId, token: *in.ClientRequestToken, priority: 1}
				mu.Lock()
				acked = append(acked, j)
				if len(acked) >= 150 {
					once.Do(func() { close(enough) })
				}
				j.maybe = 1000 + int32(i)
				mu.Unlock()
				if _, err := c.UpdateJobPriority(bg, &awss3control.UpdateJobPriorityInput{AccountId: aws.String(account), JobId: out.JobId, Priority: 1000 + int32(i)}); err != nil {
					return
				}
				mu.Lock()
				j.priority = 1000 + int32(i)
				mu.Unlock()
			}
		}()
	}
	select {
	case <-enough:
	case <-time.After(60 * time.Second):
		t.Fatal("the writers did not get 150 acknowledgements")
	}
	if err := p.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	<-p.exited
	wg.Wait()

	p = start(t, p.dataDir, flags...)
	c = s3cClient(p, account)
	check := func(j *s3cAckedJob) {
		t.Helper()
		out, err := c.DescribeJob(bg, &awss3control.DescribeJobInput{AccountId: aws.String(account), JobId: aws.String(j.id)})
		if err != nil {
			t.Fatalf("acknowledged job %s is gone after kill -9: %v", j.id, err)
		}
		if got := out.Job.Priority; got != j.priority && got != j.maybe {
			t.Errorf("job %s has priority %d, the client was told %d", j.id, got, j.priority)
		}
		if j.status != "" && out.Job.Status != j.status {
			t.Errorf("job %s is %s, the client was told %s", j.id, out.Job.Status, j.status)
		}
		tags, err := c.GetJobTagging(bg, &awss3control.GetJobTaggingInput{AccountId: aws.String(account), JobId: aws.String(j.id)})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, tag := range tags.Tags {
			got = append(got, *tag.Key+"="+*tag.Value)
		}
		if strings.Join(got, ",") != strings.Join(j.tags, ",") {
			t.Errorf("job %s has tags %v, the client was told %v", j.id, got, j.tags)
		}
		// The token still names the job: a retry of the create is no new job.
		in := s3cJobInput(account, 10, nil)
		if strings.HasPrefix(j.token, "flight-") {
			in = s3cJobInput(account, 1, aws.Bool(s3cTokenIndex(j.token)%2 == 0))
		}
		in.ClientRequestToken = aws.String(j.token)
		again, err := c.CreateJob(bg, in)
		if err != nil || *again.JobId != j.id {
			t.Errorf("retrying the create of %s: %v, %v", j.id, again, err)
		}
	}
	for _, j := range settled {
		check(j)
	}
	mu.Lock()
	defer mu.Unlock()
	for _, j := range acked {
		check(j)
	}
	// Jobs the crash caught in New or Preparing are prepared after the restart.
	for _, j := range acked {
		s3cWaitJob(t, c, account, j.id, types.JobStatusSuspended, types.JobStatusReady)
	}
	t.Logf("%d jobs acknowledged before kill -9, all present after restart", len(acked)+len(settled))
}

func s3cTokenIndex(token string) int {
	var w, i int
	fmt.Sscanf(token, "flight-%d-%d", &w, &i)
	return i
}

// TestS3ControlStateSurvivesAGracefulRestart stops the server with SIGTERM
// and checks that a restarted server has the jobs, their state and the
// ListJobs tokens it handed out.
func TestS3ControlStateSurvivesAGracefulRestart(t *testing.T) {
	const account = "929292929292"
	flags := s3cControlPlane
	p := start(t, "", flags...)
	c := s3cClient(p, account)
	bg := context.Background()
	var ids []string
	for i := range 5 {
		out, err := c.CreateJob(bg, s3cJobInput(account, int32(i), nil))
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, *out.JobId)
	}
	for _, id := range ids {
		s3cWaitJob(t, c, account, id, types.JobStatusSuspended)
	}
	if _, err := c.UpdateJobStatus(bg, &awss3control.UpdateJobStatusInput{AccountId: aws.String(account), JobId: &ids[0], RequestedJobStatus: types.RequestedJobStatusReady, StatusUpdateReason: aws.String("go")}); err != nil {
		t.Fatal(err)
	}
	page, err := c.ListJobs(bg, &awss3control.ListJobsInput{AccountId: aws.String(account), MaxResults: aws.Int32(2)})
	if err != nil || page.NextToken == nil {
		t.Fatalf("first page: %+v, %v", page, err)
	}
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	<-p.exited

	p = start(t, p.dataDir, flags...)
	c = s3cClient(p, account)
	rest, err := c.ListJobs(bg, &awss3control.ListJobsInput{AccountId: aws.String(account), NextToken: page.NextToken})
	if err != nil || len(rest.Jobs)+len(page.Jobs) != 5 {
		t.Fatalf("the token from before the restart: %d + %d jobs, %v", len(page.Jobs), len(rest.Jobs), err)
	}
	d := s3cWaitJob(t, c, account, ids[0], types.JobStatusReady)
	if aws.ToString(d.StatusUpdateReason) != "go" || d.SuspendedDate == nil {
		t.Fatalf("confirmed job after restart: %+v", d)
	}
}

// TestS3ControlLifecycleFlagsAndTheSweepEndpoint runs the lifecycle rules
// of the real binary with short durations: a Suspended job fails, vanishes
// after the retention, and the sweep endpoint deletes it.
func TestS3ControlLifecycleFlagsAndTheSweepEndpoint(t *testing.T) {
	const account = "939393939393"
	p := start(t, "", slices.Concat(s3cControlPlane, []string{"--s3control-suspended-expiry", "1ms", "--s3control-retention", "1s", "--s3control-sweep-interval", "1h"})...)
	c := s3cClient(p, account)
	bg := context.Background()
	out, err := c.CreateJob(bg, s3cJobInput(account, 1, nil))
	if err != nil {
		t.Fatal(err)
	}
	d := s3cWaitJob(t, c, account, *out.JobId, types.JobStatusFailed)
	if len(d.FailureReasons) != 1 || aws.ToString(d.FailureReasons[0].FailureCode) != "SuspendedTimeout" || d.TerminationDate == nil {
		t.Fatalf("expired job: %+v", d)
	}
	if !eventually(t, 30*time.Second, func() bool {
		_, err = c.DescribeJob(bg, &awss3control.DescribeJobInput{AccountId: aws.String(account), JobId: out.JobId})
		var nf *types.NotFoundException
		return errors.As(err, &nf)
	}) {
		t.Fatalf("the job is still visible past its retention: %v", err)
	}
	resp, err := http.Post(p.url+"/_jobplane/s3control/sweep", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var res struct{ Expired, Purged, Requeued int }
	if err := json.Unmarshal(body, &res); err != nil || resp.StatusCode != 200 || res.Purged != 1 {
		t.Fatalf("sweep answered %d %s", resp.StatusCode, body)
	}
	if resp, err := http.Get(p.url + "/_jobplane/s3control/sweep"); err != nil || resp.StatusCode != http.StatusMethodNotAllowed {
		t.Fatalf("GET sweep: %v %v", resp, err)
	}
}

// TestS3ControlAWSCLI drives every operation and every error it answers
// with the AWS CLI (`aws s3control ...`).
func TestS3ControlAWSCLI(t *testing.T) {
	requireTool(t, "the AWS CLI", haveCLI())
	const account = "949494949494"
	p := start(t, "", s3cControlPlane...)
	env := append(cleanAWSEnv(),
		"AWS_ENDPOINT_URL="+p.url, "AWS_ACCESS_KEY_ID="+account, "AWS_SECRET_ACCESS_KEY=secret",
		"AWS_DEFAULT_REGION=us-east-1", "HTTP_PROXY="+p.url, "AWS_MAX_ATTEMPTS=1",
	)
	must, fails := cliChecks(t, env, "s3control")
	acct := []string{"--account-id", account}
	manifest := `{"Spec":{"Format":"S3BatchOperations_CSV_20180820","Fields":["Bucket","Key"]},"Location":{"ObjectArn":"arn:aws:s3:::manifests/m.csv","ETag":"69f52a4e9f797e987155d9c8f5880897"}}`
	create := func(extra ...string) []string {
		return append(append([]string{"create-job"}, acct...), append([]string{
			"--operation", `{"S3PutObjectTagging":{"TagSet":[{"Key":"confidential","Value":"true"}]}}`,
			"--report", `{"Bucket":"arn:aws:s3:::reports","Prefix":"batch","Format":"Report_CSV_20180820","Enabled":true,"ReportScope":"AllTasks"}`,
			"--manifest", manifest, "--role-arn", "arn:aws:iam::" + account + ":role/batch"}, extra...)...)
	}

	id := must(create("--priority", "42", "--client-request-token", "cli-token", "--description", "from the CLI", "--tags", "Key=team,Value=cli")...)["JobId"].(string)
	job := func() map[string]any {
		return must(append(append([]string{"describe-job"}, acct...), "--job-id", id)...)["Job"].(map[string]any)
	}
	var j map[string]any
	if !eventually(t, 30*time.Second, func() bool { j = job(); return j["Status"] == "Suspended" }) {
		t.Fatalf("the job never got Suspended: %v", j)
	}
	if j["JobArn"] != "arn:aws:s3:us-east-1:"+account+":job/"+id || j["Description"] != "from the CLI" || j["Priority"] != 42.0 || j["ConfirmationRequired"] != true {
		t.Fatalf("describe-job: %v", j)
	}
	ready := must(create("--priority", "1", "--no-confirmation-required")...)["JobId"].(string)

	list := must(append(append([]string{"list-jobs"}, acct...), "--job-statuses", "Suspended")...)
	if jobs := list["Jobs"].([]any); len(jobs) != 1 || jobs[0].(map[string]any)["JobId"] != id || jobs[0].(map[string]any)["Operation"] != "S3PutObjectTagging" {
		t.Fatalf("list-jobs: %v", list)
	}
	if v := must(append(append([]string{"update-job-priority"}, acct...), "--job-id", id, "--priority", "7")...); v["Priority"] != 7.0 {
		t.Fatalf("update-job-priority: %v", v)
	}
	if v := must(append(append([]string{"update-job-status"}, acct...), "--job-id", id, "--requested-job-status", "Ready", "--status-update-reason", "cli says go")...); v["Status"] != "Ready" || v["StatusUpdateReason"] != "cli says go" {
		t.Fatalf("update-job-status: %v", v)
	}
	tagsOf := func() string {
		v := must(append(append([]string{"get-job-tagging"}, acct...), "--job-id", id)...)
		b, _ := json.Marshal(v["Tags"])
		return string(b)
	}
	if got := tagsOf(); got != `[{"Key":"team","Value":"cli"}]` {
		t.Fatalf("get-job-tagging: %s", got)
	}
	must(append(append([]string{"put-job-tagging"}, acct...), "--job-id", id, "--tags", "Key=a,Value=1", "Key=b,Value=2")...)
	if got := tagsOf(); got != `[{"Key":"a","Value":"1"},{"Key":"b","Value":"2"}]` {
		t.Fatalf("after put-job-tagging: %s", got)
	}
	arn := "arn:aws:s3:us-east-1:" + account + ":job/" + id
	must(append(append([]string{"tag-resource"}, acct...), "--resource-arn", arn, "--tags", "Key=c,Value=3")...)
	must(append(append([]string{"untag-resource"}, acct...), "--resource-arn", arn, "--tag-keys", "a")...)
	if v := must(append(append([]string{"list-tags-for-resource"}, acct...), "--resource-arn", arn)...); fmt.Sprint(v["Tags"]) != "[map[Key:b Value:2] map[Key:c Value:3]]" {
		t.Fatalf("list-tags-for-resource: %v", v)
	}
	must(append(append([]string{"delete-job-tagging"}, acct...), "--job-id", id)...)
	if got := tagsOf(); got != `[]` {
		t.Fatalf("after delete-job-tagging: %s", got)
	}

	var many []string
	for i := range 51 {
		many = append(many, fmt.Sprintf("Key=k%d,Value=v", i))
	}
	missing := "00000000-0000-4000-8000-000000000000"
	fails("NotFoundException", append(append([]string{"describe-job"}, acct...), "--job-id", missing)...)
	fails("NotFoundException", append(append([]string{"get-job-tagging"}, acct...), "--job-id", missing)...)
	fails("JobStatusException", append(append([]string{"update-job-status"}, acct...), "--job-id", id, "--requested-job-status", "Ready")...)
	fails("IdempotencyException", create("--priority", "43", "--client-request-token", "cli-token")...)
	fails("BadRequestException", append(create("--priority", "1"), "--role-arn", "arn:aws:iam::"+account+":user/me")...)
	fails("BadRequestException", append(create("--priority", "1"), "--manifest", `{"Spec":{"Format":"S3BatchOperations_CSV_20180820","Fields":["Bucket"]},"Location":{"ObjectArn":"arn:aws:s3:::m/m.csv","ETag":"e"}}`)...)
	fails("InvalidNextTokenException", append(append([]string{"list-jobs"}, acct...), "--next-token", "bm90LWEtdG9rZW4tYXQtYWxsLW5vdC1hdC1hbGw")...)
	fails("InvalidRequestException", append(append([]string{"list-jobs"}, acct...), "--max-results", "5000")...)
	fails("TooManyTagsException", append(append(append([]string{"put-job-tagging"}, acct...), "--job-id", id, "--tags"), many...)...)
	if v := must(append(append([]string{"describe-job"}, acct...), "--job-id", ready)...); v["Job"].(map[string]any)["ConfirmationRequired"] != false {
		t.Fatalf("--no-confirmation-required: %v", v)
	}
}

func TestS3ControlSettingsAreChecked(t *testing.T) {
	testRefusals(t, []refusal{
		{"a zero duration", []string{"--s3control-retention", "0s"}, "", "--s3control-retention: must be a positive duration"},
		{"days that are not a number", []string{"--s3control-suspended-expiry", "xd"}, "", "--s3control-suspended-expiry: must be a positive number of days"},
		{"a bad environment variable", nil, "JOBPLANE_S3CONTROL_SWEEP_INTERVAL=soon", "JOBPLANE_S3CONTROL_SWEEP_INTERVAL: must be a positive duration"},
	})
}
