package batch

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	api "github.com/jobplane/jobplane/internal/api/s3control"
	"github.com/jobplane/jobplane/internal/batch/lambda"
	"github.com/jobplane/jobplane/internal/batch/report"
	"github.com/jobplane/jobplane/internal/caller"
	"github.com/jobplane/jobplane/internal/objectstore"
	"github.com/jobplane/jobplane/internal/objectstore/embedded"
	"github.com/jobplane/jobplane/internal/provider/s3control"
	"github.com/jobplane/jobplane/internal/store/sqlite"
)

const testAccount = "111122223333"

// harness is a control plane and an engine over a real embedded store in a
// temporary directory, acting on the embedded object store or on a remote
// one (moto_server).
type harness struct {
	t       *testing.T
	dir     string
	db      *sqlite.DB
	objects objectstore.Store
	closer  func() error // closes the embedded store
	remote  func(t *testing.T) objectstore.Store
	wrap    func(objectstore.Store) objectstore.Store
	prov    *s3control.Provider
	eng     *Engine
	opts    Options
	// suffix makes bucket names unique, as a remote endpoint is shared by
	// every test.
	suffix    string
	reports   string
	manifests string // the bucket of runOp's manifests
	seq       int
}

type harnessOption func(*harness)

// withOptions adjusts the engine's options.
func withOptions(f func(*Options)) harnessOption {
	return func(h *harness) { f(&h.opts) }
}

// withWrap puts a wrapper around the object store (to inject failures).
func withWrap(w func(objectstore.Store) objectstore.Store) harnessOption {
	return func(h *harness) { h.wrap = w }
}

// withRemote makes the tasks act on a remote store.
func withRemote(open func(t *testing.T) objectstore.Store) harnessOption {
	return func(h *harness) { h.remote = open }
}

func newHarness(t *testing.T, opts ...harnessOption) *harness {
	t.Helper()
	h := &harness{t: t, dir: t.TempDir(), suffix: "-" + strings.ToLower(uuid.NewString()[:8]), opts: Options{
		JobConcurrency: 8, Concurrency: 32, CheckpointInterval: 20 * time.Millisecond,
		Retry: Retry{Attempts: 3, Base: time.Millisecond, Max: 5 * time.Millisecond},
	}}
	for _, o := range opts {
		o(h)
	}
	h.open()
	t.Cleanup(h.close)
	h.reports = h.bucket("reports")
	return h
}

func (h *harness) open() {
	t := h.t
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, h.dir)
	if err != nil {
		t.Fatal(err)
	}
	h.db = db
	if h.remote != nil {
		h.objects = h.remote(t)
	} else {
		obj, err := embedded.Open(ctx, embedded.Options{Dir: filepath.Join(h.dir, "objects"), Meta: db.Objects(),
			Restore: objectstore.RestoreDelays{"GLACIER/Standard": time.Hour, "GLACIER/Bulk": time.Hour, "DEEP_ARCHIVE/Standard": time.Hour,
				"DEEP_ARCHIVE/Bulk": time.Hour, "GLACIER/Expedited": time.Minute}})
		if err != nil {
			t.Fatal(err)
		}
		h.objects, h.closer = obj, obj.Close
	}
	if h.wrap != nil {
		h.objects = h.wrap(h.objects)
	}
	key, err := db.Secret(ctx, s3control.SecretName)
	if err != nil {
		t.Fatal(err)
	}
	h.prov, err = s3control.New(s3control.Options{Jobs: db.Jobs(), TokenKey: key, Region: "us-east-1", Clock: h.opts.Clock})
	if err != nil {
		t.Fatal(err)
	}
	o := h.opts
	o.Control, o.Objects, o.Runs, o.Dir, o.Node = h.prov, h.objects, db.BatchRuns(), filepath.Join(h.dir, "batch"), "test-node"
	h.eng, err = New(o)
	if err != nil {
		t.Fatal(err)
	}
	h.prov.SetEngine(h.eng, h.eng)
	if err := h.prov.Start(ctx); err != nil {
		t.Fatal(err)
	}
	if err := h.eng.Start(ctx); err != nil {
		t.Fatal(err)
	}
}

func (h *harness) close() {
	if h.db == nil {
		return
	}
	h.eng.Stop()
	h.prov.Stop()
	if h.closer != nil {
		h.closer()
		h.closer = nil
	}
	h.db.Close()
	h.db = nil
}

// restart stops everything and starts it again over the same data.
func (h *harness) restart() {
	h.t.Helper()
	h.close()
	h.open()
}

// ctx is a request context of the test account.
func (h *harness) ctx() context.Context {
	return caller.With(context.Background(), caller.Info{AccountID: testAccount, Region: "us-east-1", RequestID: "REQ"})
}

// bucket creates a bucket named base plus the harness's suffix and
// returns its name.
func (h *harness) bucket(base string) string {
	h.t.Helper()
	return h.bucketWith(objectstore.CreateBucketInput{Bucket: base})
}

func (h *harness) bucketWith(in objectstore.CreateBucketInput) string {
	h.t.Helper()
	in.Bucket += h.suffix
	in.Owner, in.Region = testAccount, "us-east-1"
	if _, err := h.objects.CreateBucket(context.Background(), in); err != nil {
		h.t.Fatalf("CreateBucket %s: %v", in.Bucket, err)
	}
	return in.Bucket
}

// replicate turns versioning on in src and dst and gives src one
// replication rule: keys under prefix go to dst.
func (h *harness) replicate(src, dst, prefix string) {
	h.t.Helper()
	ctx := context.Background()
	for _, b := range []string{src, dst} {
		if err := h.objects.PutBucketVersioning(ctx, b, objectstore.VersioningEnabled); err != nil {
			h.t.Fatal(err)
		}
	}
	if err := h.objects.PutBucketReplication(ctx, src, &objectstore.ReplicationConfiguration{Role: "arn:aws:iam::111122223333:role/r",
		Rules: []objectstore.ReplicationRule{{ID: "r1", Status: "Enabled", Filter: &objectstore.ReplicationFilter{Prefix: ptr(prefix)},
			Destination: objectstore.ReplicationDestination{Bucket: "arn:aws:s3:::" + dst}}}}); err != nil {
		h.t.Fatal(err)
	}
}

func (h *harness) put(bucket, key, body string) objectstore.ObjectInfo {
	h.t.Helper()
	return h.putWith(objectstore.PutObjectInput{Bucket: bucket, Key: key, Body: strings.NewReader(body), Size: int64(len(body))})
}

func (h *harness) putWith(in objectstore.PutObjectInput) objectstore.ObjectInfo {
	h.t.Helper()
	in.Owner = testAccount
	oi, err := h.objects.PutObject(context.Background(), in)
	if err != nil {
		h.t.Fatalf("PutObject %s/%s: %v", in.Bucket, in.Key, err)
	}
	return oi
}

func (h *harness) head(bucket, key, version string) objectstore.ObjectInfo {
	h.t.Helper()
	oi, err := h.objects.HeadObject(context.Background(), objectstore.GetObjectInput{Bucket: bucket, Key: key, VersionID: version})
	if err != nil {
		h.t.Fatalf("HeadObject %s/%s: %v", bucket, key, err)
	}
	return oi
}

func (h *harness) read(bucket, key string) string {
	h.t.Helper()
	o, err := h.objects.GetObject(context.Background(), objectstore.GetObjectInput{Bucket: bucket, Key: key})
	if err != nil {
		h.t.Fatalf("GetObject %s/%s: %v", bucket, key, err)
	}
	defer o.Body.Close()
	b, err := io.ReadAll(o.Body)
	if err != nil {
		h.t.Fatal(err)
	}
	return string(b)
}

// csvManifest writes a CSV manifest of rows ("bucket,key" lines, keys
// URL-encoded by the caller) and returns its location.
func (h *harness) csvManifest(bucket, key string, rows []string) *api.JobManifest {
	h.t.Helper()
	oi := h.put(bucket, key, strings.Join(rows, "\n")+"\n")
	fields := []api.JobManifestFieldName{"Bucket", "Key"}
	if len(rows) > 0 && strings.Count(rows[0], ",") == 2 {
		fields = append(fields, "VersionId")
	}
	return &api.JobManifest{
		Spec:     &api.JobManifestSpec{Format: ptr(api.JobManifestFormatS3BatchOperationsCSV20180820), Fields: fields},
		Location: &api.JobManifestLocation{ObjectArn: ptr("arn:aws:s3:::" + bucket + "/" + key), ETag: ptr(trimETag(oi.ETag))},
	}
}

// objects puts n objects key-00000... into bucket and returns manifest rows
// naming them.
func (h *harness) objectsN(bucket, prefix string, n int) []string {
	h.t.Helper()
	rows := make([]string, n)
	for i := range n {
		k := fmt.Sprintf("%s%05d", prefix, i)
		h.put(bucket, k, "body "+k)
		rows[i] = bucket + "," + url.QueryEscape(k)
	}
	return rows
}

// job is a CreateJob request without confirmation, reporting every task to
// the harness's report bucket under the prefix "rep".
func (h *harness) job(op *api.JobOperation, m *api.JobManifest) *api.CreateJobRequest {
	return &api.CreateJobRequest{
		AccountId: ptr(testAccount), ClientRequestToken: ptr(uuid.NewString()), Priority: ptr(int32(10)),
		RoleArn: ptr("arn:aws:iam::111122223333:role/batch"), ConfirmationRequired: ptr(false), Operation: op, Manifest: m,
		Report: &api.JobReport{Enabled: ptr(true), Bucket: ptr("arn:aws:s3:::" + h.reports), Prefix: ptr("rep"),
			Format: ptr(api.JobReportFormatReportCSV20180820), ReportScope: ptr(api.JobReportScopeAllTasks)},
	}
}

func (h *harness) create(req *api.CreateJobRequest) string {
	h.t.Helper()
	out, err := h.prov.CreateJob(h.ctx(), req)
	if err != nil {
		h.t.Fatalf("CreateJob: %v", err)
	}
	return *out.JobId
}

func (h *harness) describe(id string) *api.JobDescriptor {
	h.t.Helper()
	out, err := h.prov.DescribeJob(h.ctx(), &api.DescribeJobRequest{AccountId: ptr(testAccount), JobId: ptr(id)})
	if err != nil {
		h.t.Fatalf("DescribeJob %s: %v", id, err)
	}
	return out.Job
}

// wait polls the job until it is in one of statuses, failing after the
// deadline.
func (h *harness) wait(id string, statuses ...api.JobStatus) *api.JobDescriptor {
	h.t.Helper()
	deadline := time.After(30 * time.Second)
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for {
		d := h.describe(id)
		if slices.Contains(statuses, *d.Status) {
			return d
		}
		select {
		case <-tick.C:
		case <-deadline:
			h.t.Fatalf("job %s is %s, want one of %v (failures %s)", id, *d.Status, statuses, failures(d))
		}
	}
}

func failures(d *api.JobDescriptor) string {
	var parts []string
	for _, f := range d.FailureReasons {
		parts = append(parts, deref(f.FailureCode)+": "+deref(f.FailureReason))
	}
	return "[" + strings.Join(parts, "; ") + "]"
}

// run creates a job and waits for it to end.
func (h *harness) run(req *api.CreateJobRequest) (string, *api.JobDescriptor) {
	h.t.Helper()
	id := h.create(req)
	return id, h.wait(id, api.JobStatusComplete, api.JobStatusFailed, api.JobStatusCancelled)
}

// reportOf reads a job's completion report: its manifest.json and every
// row of its result files, by status.
type jobReport struct {
	manifest struct {
		Format       string
		ReportSchema string
		Results      []report.File
	}
	rows map[string][][]string
}

func (h *harness) report(id string) *jobReport {
	h.t.Helper()
	var r jobReport
	body := h.read(h.reports, "rep/job-"+id+"/manifest.json")
	if err := json.Unmarshal([]byte(body), &r.manifest); err != nil {
		h.t.Fatalf("manifest.json: %v: %s", err, body)
	}
	r.rows = map[string][][]string{}
	for _, f := range r.manifest.Results {
		rows, err := csv.NewReader(bytes.NewReader([]byte(h.read(f.Bucket, f.Key)))).ReadAll()
		if err != nil {
			h.t.Fatal(err)
		}
		r.rows[f.TaskExecutionStatus] = append(r.rows[f.TaskExecutionStatus], rows...)
	}
	return &r
}

func (h *harness) reportMissing(id string) bool {
	_, err := h.objects.HeadObject(context.Background(), objectstore.GetObjectInput{Bucket: h.reports, Key: "rep/job-" + id + "/manifest.json"})
	return objectstore.Code(err) == objectstore.CodeNoSuchKey
}

func progress(d *api.JobDescriptor) (total, succeeded, failed int64) {
	p := deref(d.ProgressSummary)
	return deref(p.TotalNumberOfTasks), deref(p.NumberOfTasksSucceeded), deref(p.NumberOfTasksFailed)
}

// stubInvoker is a function the test writes: it answers each payload.
type stubInvoker func(payload []byte) ([]byte, string, error)

func (s stubInvoker) Invoke(_ context.Context, _ string, payload []byte) ([]byte, string, error) {
	return s(payload)
}

var _ lambda.Invoker = stubInvoker(nil)

func gzipString(t *testing.T, s string) string {
	t.Helper()
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	w.Write([]byte(s))
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.String()
}
