package e2e

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	awss3control "github.com/aws/aws-sdk-go-v2/service/s3control"
	"github.com/aws/aws-sdk-go-v2/service/s3control/types"
)

// batchS3 is an aws-sdk-go-v2 S3 client of account for the server at url.
func batchS3(url, account string) *awss3.Client {
	return awss3.New(awss3.Options{Region: "us-east-1", BaseEndpoint: aws.String(url), UsePathStyle: true, RetryMaxAttempts: 3,
		Credentials: credentials.NewStaticCredentialsProvider(account, "secret", ""), HTTPClient: sdkHTTPClient()})
}

// batchEnv is a server and the Go SDK clients of one account.
type batchEnv struct {
	t       *testing.T
	account string
	s3      *awss3.Client // writes objects
	check   *awss3.Client // reads them back
	control *awss3control.Client
	reports string
}

func (b *batchEnv) bucket(name string, lock bool) string {
	b.t.Helper()
	name = fmt.Sprintf("%s-%d", name, time.Now().UnixNano()%1e9)
	in := &awss3.CreateBucketInput{Bucket: aws.String(name)}
	if lock {
		in.ObjectLockEnabledForBucket = aws.Bool(true)
	}
	if _, err := b.s3.CreateBucket(context.Background(), in); err != nil {
		b.t.Fatalf("CreateBucket %s: %v", name, err)
	}
	return name
}

func (b *batchEnv) put(in *awss3.PutObjectInput) *awss3.PutObjectOutput {
	b.t.Helper()
	out, err := b.s3.PutObject(context.Background(), in)
	if err != nil {
		b.t.Fatalf("PutObject %s/%s: %v", *in.Bucket, *in.Key, err)
	}
	return out
}

// manifest writes a CSV manifest of rows and returns it.
func (b *batchEnv) manifest(bucket string, rows []string, fields ...types.JobManifestFieldName) *types.JobManifest {
	b.t.Helper()
	key := fmt.Sprintf("m-%d.csv", time.Now().UnixNano())
	out := b.put(&awss3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: strings.NewReader(strings.Join(rows, "\n") + "\n")})
	if len(fields) == 0 {
		fields = []types.JobManifestFieldName{"Bucket", "Key"}
	}
	return &types.JobManifest{
		Spec:     &types.JobManifestSpec{Format: types.JobManifestFormatS3BatchOperationsCsv20180820, Fields: fields},
		Location: &types.JobManifestLocation{ObjectArn: aws.String("arn:aws:s3:::" + bucket + "/" + key), ETag: aws.String(strings.Trim(*out.ETag, `"`))},
	}
}

func (b *batchEnv) create(op *types.JobOperation, m *types.JobManifest) string {
	b.t.Helper()
	out, err := b.control.CreateJob(context.Background(), &awss3control.CreateJobInput{
		AccountId: aws.String(b.account), Priority: aws.Int32(10), ConfirmationRequired: aws.Bool(false),
		RoleArn: aws.String("arn:aws:iam::" + b.account + ":role/batch"), Operation: op, Manifest: m,
		Report: &types.JobReport{Enabled: true, Bucket: aws.String("arn:aws:s3:::" + b.reports), Prefix: aws.String("rep"),
			Format: types.JobReportFormatReportCsv20180820, ReportScope: types.JobReportScopeAllTasks},
	})
	if err != nil {
		b.t.Fatalf("CreateJob: %v", err)
	}
	return *out.JobId
}

// report reads a job's completion report: its rows by task status.
func (b *batchEnv) report(id string) map[string][][]string {
	b.t.Helper()
	ctx := context.Background()
	out, err := b.check.GetObject(ctx, &awss3.GetObjectInput{Bucket: aws.String(b.reports), Key: aws.String("rep/job-" + id + "/manifest.json")})
	if err != nil {
		b.t.Fatalf("report manifest: %v", err)
	}
	var doc struct {
		Results []struct{ TaskExecutionStatus, Bucket, Key string }
	}
	err = json.NewDecoder(out.Body).Decode(&doc)
	out.Body.Close()
	if err != nil {
		b.t.Fatal(err)
	}
	rows := map[string][][]string{}
	for _, f := range doc.Results {
		o, err := b.check.GetObject(ctx, &awss3.GetObjectInput{Bucket: aws.String(f.Bucket), Key: aws.String(f.Key)})
		if err != nil {
			b.t.Fatal(err)
		}
		recs, err := csv.NewReader(o.Body).ReadAll()
		o.Body.Close()
		if err != nil {
			b.t.Fatal(err)
		}
		rows[f.TaskExecutionStatus] = append(rows[f.TaskExecutionStatus], recs...)
	}
	return rows
}

// TestBatchJobSurvivesKill9 kills the real server with SIGKILL at several
// moments of one job (during preparation, then while it runs), restarts it
// on the same data directory each time, and checks that the job completes
// with every manifest row exactly once in its report and counters equal to
// the report.
func TestBatchJobSurvivesKill9(t *testing.T) {
	dir := t.TempDir()
	// One writer changing two objects per store write: slow enough to be
	// killed several times while it runs.
	args := []string{"--batch-job-concurrency", "1", "--batch-write-size", "2", "--batch-checkpoint-interval", "50ms"}
	p := start(t, dir, args...)
	const account = "787878787878"
	b := &batchEnv{t: t, account: account, s3: batchS3(p.url, account)}
	b.check, b.control = b.s3, s3cClient(p, account)
	data, man := b.bucket("kill-data", false), b.bucket("kill-man", false)
	b.reports = b.bucket("kill-reports", false)
	const n = 8000
	var rows, keys []string
	var wg sync.WaitGroup
	var next atomic.Int64
	for range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := next.Add(1) - 1; i < n; i = next.Add(1) - 1 {
				if i%10 == 9 {
					continue // left missing: those tasks fail
				}
				b.put(&awss3.PutObjectInput{Bucket: aws.String(data), Key: aws.String(fmt.Sprintf("obj %05d", i)), Body: strings.NewReader("x")})
			}
		}()
	}
	wg.Wait()
	for i := range n {
		k := url.QueryEscape(fmt.Sprintf("obj %05d", i))
		rows, keys = append(rows, data+","+k), append(keys, k)
	}
	id := b.create(&types.JobOperation{S3PutObjectTagging: &types.S3SetObjectTaggingOperation{
		TagSet: []types.S3Tag{{Key: aws.String("run"), Value: aws.String("once")}}}}, b.manifest(man, rows))

	kill := func() {
		p.cmd.Process.Kill()
		<-p.exited
		p = start(t, dir, args...)
		b.s3, b.check, b.control = batchS3(p.url, account), batchS3(p.url, account), s3cClient(p, account)
	}
	kill() // at once: during preparation, or just after it
	kills := 1
	last := int64(0)
	deadline := time.Now().Add(3 * time.Minute)
	for {
		out, err := b.control.DescribeJob(context.Background(), &awss3control.DescribeJobInput{AccountId: aws.String(account), JobId: aws.String(id)})
		if err != nil {
			t.Fatal(err)
		}
		if out.Job.Status == types.JobStatusComplete {
			break
		}
		if out.Job.Status == types.JobStatusPausing || out.Job.Status == types.JobStatusPaused {
			t.Fatalf("job %s is %s: a job alone on the engine is never paused", id, out.Job.Status)
		}
		if out.Job.Status == types.JobStatusFailed || time.Now().After(deadline) {
			t.Fatalf("job %s: %s %+v", id, out.Job.Status, out.Job.FailureReasons)
		}
		done := aws.ToInt64(out.Job.ProgressSummary.NumberOfTasksSucceeded) + aws.ToInt64(out.Job.ProgressSummary.NumberOfTasksFailed)
		// Kill again as soon as the job has made progress since the last
		// kill: every run makes some, and none finishes the job alone.
		if out.Job.Status == types.JobStatusActive && kills < 6 && done > last {
			last = done
			kill()
			kills++
			continue
		}
		<-time.After(20 * time.Millisecond) // poll again
	}
	if kills < 3 {
		t.Fatalf("the job finished after %d kills; it should have been killed while running", kills)
	}
	out, err := b.control.DescribeJob(context.Background(), &awss3control.DescribeJobInput{AccountId: aws.String(account), JobId: aws.String(id)})
	if err != nil {
		t.Fatal(err)
	}
	ps := out.Job.ProgressSummary
	rep := b.report(id)
	seen := map[string]int{}
	for status, rs := range rep {
		for _, r := range rs {
			seen[r[1]]++
			if want := map[bool]string{true: "failed", false: "succeeded"}[strings.HasSuffix(r[1], "9")]; r[3] != want || status != want {
				t.Fatalf("row %q in the %s file", r, status)
			}
		}
	}
	for _, k := range keys {
		if seen[k] != 1 {
			t.Fatalf("row %s is in the report %d times (after %d kills)", k, seen[k], kills)
		}
	}
	if len(seen) != n || aws.ToInt64(ps.TotalNumberOfTasks) != n || aws.ToInt64(ps.NumberOfTasksSucceeded) != int64(len(rep["succeeded"])) ||
		aws.ToInt64(ps.NumberOfTasksFailed) != int64(len(rep["failed"])) || len(rep["failed"]) != n/10 {
		t.Fatalf("progress %d/%d/%d, report %d succeeded %d failed", aws.ToInt64(ps.TotalNumberOfTasks), aws.ToInt64(ps.NumberOfTasksSucceeded),
			aws.ToInt64(ps.NumberOfTasksFailed), len(rep["succeeded"]), len(rep["failed"]))
	}
	for i := 0; i < n; i += 97 {
		if i%10 == 9 {
			continue
		}
		tags, err := b.check.GetObjectTagging(context.Background(), &awss3.GetObjectTaggingInput{Bucket: aws.String(data), Key: aws.String(fmt.Sprintf("obj %05d", i))})
		if err != nil || len(tags.TagSet) != 1 {
			t.Fatalf("obj %05d tags %+v, %v", i, tags, err)
		}
	}
	t.Logf("the job completed after %d kills with every one of its %d rows reported once", kills, n)
}

// goSDKOps are the operations of the Go SDK test: each sets its objects up,
// builds the job's operation and checks its outcome.
type goSDKOp struct {
	name   string
	remote bool // also on moto_server
	run    func(b *batchEnv) (*types.JobOperation, []string, []types.JobManifestFieldName, func(rep map[string][][]string))
}

var goSDKOps = []goSDKOp{
	{"S3PutObjectTagging", true, func(b *batchEnv) (*types.JobOperation, []string, []types.JobManifestFieldName, func(map[string][][]string)) {
		data := b.bucket("go-tag", false)
		b.put(&awss3.PutObjectInput{Bucket: aws.String(data), Key: aws.String("a b"), Body: strings.NewReader("x")})
		return &types.JobOperation{S3PutObjectTagging: &types.S3SetObjectTaggingOperation{TagSet: []types.S3Tag{{Key: aws.String("k"), Value: aws.String("v")}}}},
			[]string{data + ",a+b"}, nil, func(rep map[string][][]string) {
				out, err := b.check.GetObjectTagging(context.Background(), &awss3.GetObjectTaggingInput{Bucket: aws.String(data), Key: aws.String("a b")})
				if err != nil || len(out.TagSet) != 1 || *out.TagSet[0].Key != "k" {
					b.t.Fatalf("tags %+v, %v", out, err)
				}
			}
	}},
	{"S3DeleteObjectTagging", true, func(b *batchEnv) (*types.JobOperation, []string, []types.JobManifestFieldName, func(map[string][][]string)) {
		data := b.bucket("go-deltag", false)
		b.put(&awss3.PutObjectInput{Bucket: aws.String(data), Key: aws.String("k"), Body: strings.NewReader("x"), Tagging: aws.String("a=b")})
		return &types.JobOperation{S3DeleteObjectTagging: &types.S3DeleteObjectTaggingOperation{}}, []string{data + ",k"}, nil, func(map[string][][]string) {
			out, err := b.check.GetObjectTagging(context.Background(), &awss3.GetObjectTaggingInput{Bucket: aws.String(data), Key: aws.String("k")})
			if err != nil || len(out.TagSet) != 0 {
				b.t.Fatalf("tags %+v, %v", out, err)
			}
		}
	}},
	{"S3PutObjectAcl", true, func(b *batchEnv) (*types.JobOperation, []string, []types.JobManifestFieldName, func(map[string][][]string)) {
		data := b.bucket("go-acl", false)
		b.put(&awss3.PutObjectInput{Bucket: aws.String(data), Key: aws.String("k"), Body: strings.NewReader("x")})
		return &types.JobOperation{S3PutObjectAcl: &types.S3SetObjectAclOperation{AccessControlPolicy: &types.S3AccessControlPolicy{
				CannedAccessControlList: types.S3CannedAccessControlListAuthenticatedRead}}}, []string{data + ",k"}, nil, func(map[string][][]string) {
				out, err := b.check.GetObjectAcl(context.Background(), &awss3.GetObjectAclInput{Bucket: aws.String(data), Key: aws.String("k")})
				if err != nil || len(out.Grants) != 2 {
					b.t.Fatalf("acl %+v, %v", out, err)
				}
			}
	}},
	{"S3PutObjectCopy", true, func(b *batchEnv) (*types.JobOperation, []string, []types.JobManifestFieldName, func(map[string][][]string)) {
		src, dst := b.bucket("go-src", false), b.bucket("go-dst", false)
		b.put(&awss3.PutObjectInput{Bucket: aws.String(src), Key: aws.String("dir/k"), Body: strings.NewReader("copied")})
		return &types.JobOperation{S3PutObjectCopy: &types.S3CopyObjectOperation{TargetResource: aws.String("arn:aws:s3:::" + dst),
				TargetKeyPrefix: aws.String("p")}}, []string{src + ",dir%2Fk"}, nil, func(map[string][][]string) {
				out, err := b.check.GetObject(context.Background(), &awss3.GetObjectInput{Bucket: aws.String(dst), Key: aws.String("p/dir/k")})
				if err != nil {
					b.t.Fatal(err)
				}
				body, _ := io.ReadAll(out.Body)
				out.Body.Close()
				if string(body) != "copied" {
					b.t.Fatalf("copy reads %q", body)
				}
			}
	}},
	{"S3InitiateRestoreObject", true, func(b *batchEnv) (*types.JobOperation, []string, []types.JobManifestFieldName, func(map[string][][]string)) {
		data := b.bucket("go-restore", false)
		b.put(&awss3.PutObjectInput{Bucket: aws.String(data), Key: aws.String("k"), Body: strings.NewReader("x"), StorageClass: s3types.StorageClassGlacier})
		return &types.JobOperation{S3InitiateRestoreObject: &types.S3InitiateRestoreObjectOperation{ExpirationInDays: aws.Int32(1),
				GlacierJobTier: types.S3GlacierJobTierStandard}}, []string{data + ",k"}, nil, func(map[string][][]string) {
				out, err := b.check.HeadObject(context.Background(), &awss3.HeadObjectInput{Bucket: aws.String(data), Key: aws.String("k")})
				if err != nil || out.Restore == nil {
					b.t.Fatalf("head %+v, %v", out, err)
				}
			}
	}},
	{"S3PutObjectLegalHold", true, func(b *batchEnv) (*types.JobOperation, []string, []types.JobManifestFieldName, func(map[string][][]string)) {
		data := b.bucket("go-hold", true)
		v := b.put(&awss3.PutObjectInput{Bucket: aws.String(data), Key: aws.String("k"), Body: strings.NewReader("x")}).VersionId
		return &types.JobOperation{S3PutObjectLegalHold: &types.S3SetObjectLegalHoldOperation{LegalHold: &types.S3ObjectLockLegalHold{Status: types.S3ObjectLockLegalHoldStatusOn}}},
			[]string{data + ",k," + *v}, []types.JobManifestFieldName{"Bucket", "Key", "VersionId"}, func(map[string][][]string) {
				out, err := b.check.GetObjectLegalHold(context.Background(), &awss3.GetObjectLegalHoldInput{Bucket: aws.String(data), Key: aws.String("k"), VersionId: v})
				if err != nil {
					b.t.Fatal(err)
				}
				if out.LegalHold == nil || out.LegalHold.Status != s3types.ObjectLockLegalHoldStatusOn {
					b.t.Fatalf("legal hold %+v, want ON", out.LegalHold)
				}
			}
	}},
	{"S3PutObjectRetention", true, func(b *batchEnv) (*types.JobOperation, []string, []types.JobManifestFieldName, func(map[string][][]string)) {
		data := b.bucket("go-retain", true)
		v := b.put(&awss3.PutObjectInput{Bucket: aws.String(data), Key: aws.String("k"), Body: strings.NewReader("x")}).VersionId
		until := time.Now().Add(time.Hour).UTC().Truncate(time.Second)
		return &types.JobOperation{S3PutObjectRetention: &types.S3SetObjectRetentionOperation{Retention: &types.S3Retention{
				Mode: types.S3ObjectLockRetentionModeGovernance, RetainUntilDate: &until}}},
			[]string{data + ",k," + *v}, []types.JobManifestFieldName{"Bucket", "Key", "VersionId"}, func(map[string][][]string) {
				out, err := b.check.HeadObject(context.Background(), &awss3.HeadObjectInput{Bucket: aws.String(data), Key: aws.String("k"), VersionId: v})
				if err != nil || out.ObjectLockMode != s3types.ObjectLockModeGovernance {
					b.t.Fatalf("head %+v, %v", out, err)
				}
			}
	}},
	{"S3ComputeObjectChecksum", true, func(b *batchEnv) (*types.JobOperation, []string, []types.JobManifestFieldName, func(map[string][][]string)) {
		data := b.bucket("go-sum", false)
		b.put(&awss3.PutObjectInput{Bucket: aws.String(data), Key: aws.String("k"), Body: strings.NewReader("abc")})
		return &types.JobOperation{S3ComputeObjectChecksum: &types.S3ComputeObjectChecksumOperation{ChecksumAlgorithm: types.ComputeObjectChecksumAlgorithmXxhash3,
				ChecksumType: types.ComputeObjectChecksumTypeFullObject}}, []string{data + ",k"}, nil, func(rep map[string][][]string) {
				// XXH3-64 of "abc" (libxxhash 0.8.1).
				if msg := rep["succeeded"][0][6]; !strings.Contains(msg, `"checksum_hex":"78af5f94892f3950"`) {
					b.t.Fatalf("result %s", msg)
				}
			}
	}},
	{"S3UpdateObjectEncryption", false, func(b *batchEnv) (*types.JobOperation, []string, []types.JobManifestFieldName, func(map[string][][]string)) {
		data := b.bucket("go-enc", false)
		b.put(&awss3.PutObjectInput{Bucket: aws.String(data), Key: aws.String("k"), Body: strings.NewReader("x")})
		key := "arn:aws:kms:us-east-1:" + b.account + ":key/1234abcd-12ab-34cd-56ef-1234567890ab"
		return &types.JobOperation{S3UpdateObjectEncryption: &types.S3UpdateObjectEncryptionOperation{ObjectEncryption: &types.ObjectEncryption{
				SSEKMS: &types.S3UpdateObjectEncryptionSSEKMS{KMSKeyArn: aws.String(key)}}}}, []string{data + ",k"}, nil, func(map[string][][]string) {
				out, err := b.check.HeadObject(context.Background(), &awss3.HeadObjectInput{Bucket: aws.String(data), Key: aws.String("k")})
				if err != nil || aws.ToString(out.SSEKMSKeyId) != key {
					b.t.Fatalf("head %+v, %v", out, err)
				}
			}
	}},
	{"S3ReplicateObject", false, func(b *batchEnv) (*types.JobOperation, []string, []types.JobManifestFieldName, func(map[string][][]string)) {
		ctx := context.Background()
		src, dst := b.bucket("go-rsrc", false), b.bucket("go-rdst", false)
		for _, name := range []string{src, dst} {
			if _, err := b.s3.PutBucketVersioning(ctx, &awss3.PutBucketVersioningInput{Bucket: aws.String(name),
				VersioningConfiguration: &s3types.VersioningConfiguration{Status: s3types.BucketVersioningStatusEnabled}}); err != nil {
				b.t.Fatal(err)
			}
		}
		if _, err := b.s3.PutBucketReplication(ctx, &awss3.PutBucketReplicationInput{Bucket: aws.String(src), ReplicationConfiguration: &s3types.ReplicationConfiguration{
			Role: aws.String("arn:aws:iam::" + b.account + ":role/r"), Rules: []s3types.ReplicationRule{{ID: aws.String("all"), Status: s3types.ReplicationRuleStatusEnabled,
				Priority: aws.Int32(1), Filter: &s3types.ReplicationRuleFilter{Prefix: aws.String("")},
				DeleteMarkerReplication: &s3types.DeleteMarkerReplication{Status: s3types.DeleteMarkerReplicationStatusDisabled},
				Destination:             &s3types.Destination{Bucket: aws.String("arn:aws:s3:::" + dst)}}}}}); err != nil {
			b.t.Fatal(err)
		}
		v := b.put(&awss3.PutObjectInput{Bucket: aws.String(src), Key: aws.String("k"), Body: strings.NewReader("r")}).VersionId
		return &types.JobOperation{S3ReplicateObject: &types.S3ReplicateObjectOperation{}}, []string{src + ",k," + *v},
			[]types.JobManifestFieldName{"Bucket", "Key", "VersionId"}, func(map[string][][]string) {
				out, err := b.check.HeadObject(ctx, &awss3.HeadObjectInput{Bucket: aws.String(dst), Key: aws.String("k")})
				if err != nil || out.ReplicationStatus != s3types.ReplicationStatusReplica {
					b.t.Fatalf("replica %+v, %v", out, err)
				}
			}
	}},
	{"LambdaInvoke", true, func(b *batchEnv) (*types.JobOperation, []string, []types.JobManifestFieldName, func(map[string][][]string)) {
		data := b.bucket("go-lambda", false)
		return &types.JobOperation{LambdaInvoke: &types.LambdaInvokeOperation{FunctionArn: aws.String("arn:aws:lambda:us-east-1:" + b.account + ":function:echo"),
				InvocationSchemaVersion: aws.String("2.0"), UserArguments: map[string]string{"greeting": "hello"}}},
			[]string{data + ",any%2Fkey"}, nil, func(rep map[string][][]string) {
				if msg := rep["succeeded"][0][6]; msg != "hello any%2Fkey" {
					b.t.Fatalf("result %q", msg)
				}
			}
	}},
}

// echoFunction writes a local Lambda function (a Python script) that
// answers Succeeded with its user argument and the task's key.
func echoFunction(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "echo.py")
	src := `#!/usr/bin/env python3
import json, sys
ev = json.load(sys.stdin)
task = ev["tasks"][0]
print(json.dumps({"invocationSchemaVersion": ev["invocationSchemaVersion"], "treatMissingKeysAs": "PermanentFailure",
    "invocationId": ev["invocationId"], "results": [{"taskId": task["taskId"], "resultCode": "Succeeded",
    "resultString": ev["job"]["userArguments"]["greeting"] + " " + task["s3Key"]}]}))
`
	if err := os.WriteFile(path, []byte(src), 0o755); err != nil {
		t.Fatal(err)
	}
	return path
}

// runGoSDKOps runs every operation of goSDKOps (those a remote endpoint
// serves, when remote) with aws-sdk-go-v2 clients.
func runGoSDKOps(t *testing.T, b *batchEnv, remote bool) {
	man := b.bucket("go-man", false)
	b.reports = b.bucket("go-reports", false)
	for _, op := range goSDKOps {
		if remote && !op.remote {
			continue
		}
		t.Run(op.name+" runs every task of its job", func(t *testing.T) {
			b.t = t
			jobOp, rows, fields, check := op.run(b)
			id := b.create(jobOp, b.manifest(man, rows, fields...))
			job := s3cWaitJob(t, b.control, b.account, id, types.JobStatusComplete, types.JobStatusFailed)
			ps := job.ProgressSummary
			if job.Status != types.JobStatusComplete || aws.ToInt64(ps.NumberOfTasksSucceeded) != int64(len(rows)) {
				t.Fatalf("job %s %+v %+v", job.Status, job.FailureReasons, ps)
			}
			check(b.report(id))
		})
	}
}

func TestBatchOperationsWithTheGoSDK(t *testing.T) {
	fn := echoFunction(t)
	if _, err := exec.LookPath("python3"); err != nil {
		requireTool(t, "python3 (the local Lambda function)", false)
	}
	t.Run("on the embedded store", func(t *testing.T) {
		p := start(t, "", "--lambda-function", "echo="+fn)
		const account = "797979797979"
		b := &batchEnv{t: t, account: account, s3: batchS3(p.url, account), control: s3cClient(p, account)}
		b.check = b.s3
		runGoSDKOps(t, b, false)
	})
	t.Run("on moto_server", func(t *testing.T) {
		p, moto := startOnMoto(t, "--lambda-function", "echo="+fn)
		const account = "808080808080"
		b := &batchEnv{t: t, account: account, s3: batchS3(p.url, account), check: batchS3(moto, account), control: s3cClient(p, account)}
		runGoSDKOps(t, b, true)
	})
}

// TestBatchOnMotoServer runs the boto3 scenarios of python/batch_moto.py
// against jobplane with --s3-endpoint on moto_server.
func TestBatchOnMotoServer(t *testing.T) {
	p, moto := startOnMoto(t)
	out := runPython(t, []string{"MOTO_URL=" + moto, "JOBPLANE_URL=" + p.url}, "python/batch_moto.py", "-v")
	t.Logf("%s", lastLines(out, 3))
}

func TestBatchSettingsAreChecked(t *testing.T) {
	testRefusals(t, []refusal{
		{"a concurrency that is not a number", []string{"--batch-job-concurrency", "many"}, "", "--batch-job-concurrency: must be auto or a positive whole number"},
		{"a zero write size", []string{"--batch-write-size", "0"}, "", "--batch-write-size: must be a positive whole number"},
		{"a Lambda function without a path", []string{"--lambda-function", "fn"}, "", `is not NAME=PATH`},
		{"an engine setting that is neither on nor off", []string{"--batch-engine", "maybe"}, "", "--batch-engine: must be on or off"},
	})
}
