package batch

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	api "github.com/jobplane/jobplane/internal/api/s3control"
	"github.com/jobplane/jobplane/internal/batch/lambda"
	"github.com/jobplane/jobplane/internal/objectstore"
)

// gated is a Lambda function whose invocations for keys with a gated
// prefix wait for a token (or for the gate to close) before answering
// Succeeded; other keys answer at once. It counts invocations per key.
type gated struct {
	prefix string
	gate   chan struct{}
	mu     sync.Mutex
	calls  map[string]int
}

func newGated(prefix string) *gated {
	return &gated{prefix: prefix, gate: make(chan struct{}), calls: map[string]int{}}
}

func (g *gated) invoker() stubInvoker {
	return func(payload []byte) ([]byte, string, error) {
		inv, err := lambda.ParseRequest(payload)
		if err != nil {
			return nil, "", err
		}
		key := inv.Tasks[0].S3Key
		if strings.HasPrefix(key, g.prefix) {
			<-g.gate
		}
		g.mu.Lock()
		g.calls[key]++
		g.mu.Unlock()
		return lambda.Response(inv, lambda.Succeeded, "ok"), "", nil
	}
}

func (g *gated) release(n int) {
	for range n {
		g.gate <- struct{}{}
	}
}

// stop stops h with tasks waiting at the gate, letting them through while
// the engine stops: they are abandoned, and run again after a restart.
func (g *gated) stop(h *harness) {
	done := make(chan struct{})
	go func() { h.close(); close(done) }()
	for {
		select {
		case g.gate <- struct{}{}:
			continue
		case <-done:
		}
		return
	}
}

// gatedJob starts a harness whose Lambda function is gated on keys
// starting with "k", with JobConcurrency perJob and then the options of
// set, creates a LambdaInvoke job over n such keys of a new bucket named
// for name, and waits for the job to be Active.
func gatedJob(t *testing.T, name string, n, perJob int, set ...func(*Options)) (g *gated, h *harness, id string, rows []string) {
	t.Helper()
	g = newGated("k")
	h = newHarness(t, withOptions(func(o *Options) {
		o.Lambda, o.JobConcurrency = g.invoker(), perJob
		for _, f := range set {
			f(o)
		}
	}))
	rows = rowsOf(h.bucket(name), "k", n)
	id = h.create(h.job(lambdaJob("1.0", nil), h.csvManifest(h.bucket(name+"man"), "m.csv", rows)))
	h.wait(id, api.JobStatusActive)
	return g, h, id, rows
}

// rowsOf returns n manifest rows of bucket with keys prefix0000...
func rowsOf(bucket, prefix string, n int) []string {
	rows := make([]string, n)
	for i := range rows {
		rows[i] = fmt.Sprintf("%s,%s%04d", bucket, prefix, i)
	}
	return rows
}

// exactlyOnce checks that the report names every key once and nothing else,
// and that the counters equal it.
func exactlyOnce(t *testing.T, d *api.JobDescriptor, r *jobReport, keys []string) {
	t.Helper()
	seen := map[string]int{}
	n := 0
	for _, rows := range r.rows {
		for _, row := range rows {
			seen[row[1]]++
			n++
		}
	}
	for _, k := range keys {
		if seen[k] != 1 {
			t.Fatalf("key %s is in the report %d times", k, seen[k])
		}
	}
	if n != len(keys) {
		t.Fatalf("the report has %d rows, want %d", n, len(keys))
	}
	_, s, f := progress(d)
	if s != int64(len(r.rows["succeeded"])) || f != int64(len(r.rows["failed"])) {
		t.Fatalf("counters %d/%d, report %d/%d", s, f, len(r.rows["succeeded"]), len(r.rows["failed"]))
	}
}

func keysOf(rows []string) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = r[strings.Index(r, ",")+1:]
	}
	return out
}

func TestAHigherPriorityJobPausesALowerOneWhichThenResumes(t *testing.T) {
	t.Parallel()
	g := newGated("a")
	h := newHarness(t, withOptions(func(o *Options) { o.Lambda, o.JobConcurrency, o.Concurrency = g.invoker(), 2, 2 }))
	b := h.bucket("prio")
	man := h.bucket("prioman")
	rowsA, rowsB := rowsOf(b, "a", 20), rowsOf(b, "b", 5)
	reqA := h.job(lambdaJob("1.0", nil), h.csvManifest(man, "a.csv", rowsA))
	reqA.Priority = ptr(int32(1))
	a := h.create(reqA)
	h.wait(a, api.JobStatusActive)
	g.release(3)
	reqB := h.job(lambdaJob("1.0", nil), h.csvManifest(man, "b.csv", rowsB))
	reqB.Priority = ptr(int32(10))
	bID := h.create(reqB)
	h.wait(a, api.JobStatusPausing)
	close(g.gate) // the tasks in flight finish
	h.wait(a, api.JobStatusPaused)
	db := h.wait(bID, api.JobStatusComplete)
	da := h.wait(a, api.JobStatusComplete)
	exactlyOnce(t, db, h.report(bID), keysOf(rowsB))
	exactlyOnce(t, da, h.report(a), keysOf(rowsA))
}

func TestCancellingARunningJobStopsItAndReportsWhatRan(t *testing.T) {
	t.Parallel()
	g, h, id, _ := gatedJob(t, "cancel", 200, 2)
	g.release(10)
	out, err := h.prov.UpdateJobStatus(h.ctx(), &api.UpdateJobStatusRequest{AccountId: ptr(testAccount), JobId: ptr(id),
		RequestedJobStatus: ptr(api.RequestedJobStatusCancelled), StatusUpdateReason: ptr("enough")})
	if err != nil || *out.Status != api.JobStatusCancelling {
		t.Fatalf("UpdateJobStatus = %v, %v", out, err)
	}
	close(g.gate)
	d := h.wait(id, api.JobStatusCancelled)
	r := h.report(id)
	n := len(r.rows["succeeded"])
	if n < 10 || n >= 200 {
		t.Fatalf("%d tasks ran before the cancel took effect", n)
	}
	var ran []string
	for _, row := range r.rows["succeeded"] {
		ran = append(ran, row[1])
	}
	exactlyOnce(t, d, r, ran)
	if d.TerminationDate == nil || deref(d.StatusUpdateReason) != "enough" {
		t.Fatalf("descriptor %+v", d)
	}
}

func TestTheFailureThreshold(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		rows   int
		status api.JobStatus
	}{
		{"a job whose tasks fail fails once 1,000 of them have run", 6000, api.JobStatusFailed},
		{"a job of fewer than 1,000 failing tasks still completes", 999, api.JobStatusComplete},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			b := h.bucket("thresh")
			id, d := h.run(h.job(&api.JobOperation{S3DeleteObjectTagging: &api.S3DeleteObjectTaggingOperation{}},
				h.csvManifest(h.bucket("threshman"), "m.csv", rowsOf(b, "missing", tc.rows))))
			if *d.Status != tc.status {
				t.Fatalf("status %s %s", *d.Status, failures(d))
			}
			_, s, f := progress(d)
			r := h.report(id)
			if s != 0 || f != int64(len(r.rows["failed"])) {
				t.Fatalf("counters %d/%d, report %d failed", s, f, len(r.rows["failed"]))
			}
			if tc.status == api.JobStatusFailed {
				if f < 1000 || f >= int64(tc.rows) || len(d.FailureReasons) != 1 || *d.FailureReasons[0].FailureCode != FailThreshold {
					t.Fatalf("failed %d, reasons %s", f, failures(d))
				}
			} else if f != int64(tc.rows) || len(d.FailureReasons) != 0 {
				t.Fatalf("failed %d, reasons %s", f, failures(d))
			}
		})
	}
}

func TestManifestProblemsFailTheJob(t *testing.T) {
	t.Parallel()
	tagging := &api.JobOperation{S3PutObjectTagging: &api.S3SetObjectTaggingOperation{TagSet: []api.S3Tag{tag("a", "b")}}}
	for _, tc := range []struct {
		name string
		body string // "" leaves the manifest missing
		edit func(h *harness, m *api.JobManifest)
		op   *api.JobOperation
		code string
	}{
		{name: "an ETag that does not match the manifest object", body: "b,k\n",
			edit: func(_ *harness, m *api.JobManifest) { m.Location.ETag = ptr("0123456789abcdef0123456789abcdef") }, code: FailInvalidManifest},
		{name: "a manifest object that does not exist", code: FailInvalidManifest},
		{name: "a row with the wrong number of columns", body: "b,k\nb,k2,extra\n", code: "InvalidManifestContent"},
		{name: "rows with and without version ids mixed", body: "b,k,v1\nb,k2,\n",
			edit: func(_ *harness, m *api.JobManifest) { m.Spec.Fields = append(m.Spec.Fields, "VersionId") }, code: "InvalidManifestContent"},
		{name: "a key that is not valid URL encoding", body: "b,bad%zzkey\n", code: "InvalidManifestContent"},
		{name: "a byte-order mark", body: "\uFEFFb,k\n", code: "InvalidManifestContent"},
		{name: "a report bucket that does not exist", body: "b,k\n", code: FailReportBucket,
			edit: func(h *harness, _ *api.JobManifest) { h.reports = "no-such-bucket" + h.suffix }},
		{name: "legal hold on a bucket without Object Lock", body: "b,k\n", code: FailObjectLock,
			op: &api.JobOperation{S3PutObjectLegalHold: &api.S3SetObjectLegalHoldOperation{LegalHold: &api.S3ObjectLockLegalHold{Status: ptr(api.S3ObjectLockLegalHoldStatusON)}}}},
		{name: "replication from a bucket without a replication configuration", body: "b,k\n", code: FailReplication,
			op: &api.JobOperation{S3ReplicateObject: &api.S3ReplicateObjectOperation{}}},
	} {
		t.Run(tc.name+" fails the job", func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			b := h.bucket("b")
			h.put(b, "k", "x")
			man := h.bucket("man")
			m := &api.JobManifest{
				Spec:     &api.JobManifestSpec{Format: ptr(api.JobManifestFormatS3BatchOperationsCSV20180820), Fields: []api.JobManifestFieldName{"Bucket", "Key"}},
				Location: &api.JobManifestLocation{ObjectArn: ptr("arn:aws:s3:::" + man + "/m.csv"), ETag: ptr("d41d8cd98f00b204e9800998ecf8427e")},
			}
			if tc.body != "" {
				oi := h.put(man, "m.csv", strings.ReplaceAll(tc.body, "b,", b+","))
				m.Location.ETag = ptr(trimETag(oi.ETag))
			}
			if tc.edit != nil {
				tc.edit(h, m)
			}
			op := tc.op
			if op == nil {
				op = tagging
			}
			id, d := h.run(h.job(op, m))
			if *d.Status != api.JobStatusFailed || len(d.FailureReasons) != 1 || *d.FailureReasons[0].FailureCode != tc.code {
				t.Fatalf("job ended %s with %s, want Failed with %s", *d.Status, failures(d), tc.code)
			}
			if total, s, f := progress(d); total != 0 || s != 0 || f != 0 {
				t.Fatalf("progress %d/%d/%d", total, s, f)
			}
			if h.reports == "reports"+h.suffix && !h.reportMissing(id) {
				t.Fatal("a report was written for a job that ran no task")
			}
		})
	}
}

func TestAJobThatNeedsConfirmationWaitsSuspendedThenRuns(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	b := h.bucket("confirm")
	rows := h.objectsN(b, "k", 10)
	req := h.job(&api.JobOperation{S3DeleteObjectTagging: &api.S3DeleteObjectTaggingOperation{}}, h.csvManifest(h.bucket("confirmman"), "m.csv", rows))
	req.ConfirmationRequired = nil // absent means required (spec §4.1)
	id := h.create(req)
	d := h.wait(id, api.JobStatusSuspended)
	if total, _, _ := progress(d); total != 10 {
		t.Fatalf("TotalNumberOfTasks %d while Suspended", total)
	}
	if _, err := h.prov.UpdateJobStatus(h.ctx(), &api.UpdateJobStatusRequest{AccountId: ptr(testAccount), JobId: ptr(id),
		RequestedJobStatus: ptr(api.RequestedJobStatusReady)}); err != nil {
		t.Fatal(err)
	}
	d = h.wait(id, api.JobStatusComplete)
	exactlyOnce(t, d, h.report(id), keysOf(rows))
}

func TestReportScopes(t *testing.T) {
	t.Parallel()
	t.Run("FailedTasksOnly writes only the failed tasks' file", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t)
		b := h.bucket("scope")
		rows := append(h.objectsN(b, "k", 5), b+",missing")
		req := h.job(&api.JobOperation{S3DeleteObjectTagging: &api.S3DeleteObjectTaggingOperation{}}, h.csvManifest(h.bucket("scopeman"), "m.csv", rows))
		req.Report.ReportScope = ptr(api.JobReportScopeFailedTasksOnly)
		id, _ := h.run(req)
		r := h.report(id)
		if len(r.manifest.Results) != 1 || r.manifest.Results[0].TaskExecutionStatus != "failed" || len(r.rows["failed"]) != 1 {
			t.Fatalf("report %+v", r)
		}
		if r.manifest.Format != "Report_CSV_20180820" || !strings.HasPrefix(r.manifest.Results[0].Key, "rep/job-"+id+"/results/") {
			t.Fatalf("report manifest %+v", r.manifest)
		}
	})
	t.Run("a disabled report writes nothing", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t)
		b := h.bucket("noreport")
		rows := h.objectsN(b, "k", 3)
		req := h.job(&api.JobOperation{S3DeleteObjectTagging: &api.S3DeleteObjectTaggingOperation{}}, h.csvManifest(h.bucket("noreportman"), "m.csv", rows))
		req.Report = &api.JobReport{Enabled: ptr(false)}
		id, d := h.run(req)
		if *d.Status != api.JobStatusComplete || !h.reportMissing(id) {
			t.Fatalf("status %s, report missing %v", *d.Status, h.reportMissing(id))
		}
	})
}

func TestARestartedEngineResumesEveryJobExactlyOnce(t *testing.T) {
	t.Parallel()
	g, h, id, rows := gatedJob(t, "resume", 120, 4)
	for range 3 {
		g.release(25)
		g.stop(h)
		h.open()
	}
	close(g.gate)
	d := h.wait(id, api.JobStatusComplete)
	exactlyOnce(t, d, h.report(id), keysOf(rows))
}

// jumpClock is the real time plus an offset that a test moves forward, so
// that hours pass without sleeping.
type jumpClock struct{ off atomic.Int64 }

func (c *jumpClock) Now() time.Time                         { return time.Now().Add(time.Duration(c.off.Load())) }
func (c *jumpClock) After(d time.Duration) <-chan time.Time { return time.After(d) }
func (c *jumpClock) jump(d time.Duration)                   { c.off.Add(int64(d)) }

// ElapsedTimeInActiveSeconds counts the time an engine ran the job, not
// the time between a stop and the restart.
func TestActiveTimeLeavesOutTheTimeTheEngineWasDown(t *testing.T) {
	t.Parallel()
	clk := &jumpClock{}
	g, h, id, rows := gatedJob(t, "downtime", 20, 4, func(o *Options) { o.Clock = clk })
	g.release(5)
	g.stop(h)
	clk.jump(time.Hour) // down for an hour
	h.open()
	close(g.gate)
	d := h.wait(id, api.JobStatusComplete)
	exactlyOnce(t, d, h.report(id), keysOf(rows))
	if got := *d.ProgressSummary.Timers.ElapsedTimeInActiveSeconds; got >= 60 {
		t.Fatalf("ElapsedTimeInActiveSeconds = %d: the hour the engine was down was counted", got)
	}
}

func TestAnInventoryReportDrivesAJob(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	b := h.bucket("inv")
	rows := h.objectsN(b, "k", 30)
	invBucket := h.bucket("invdest")
	var files []string
	for i, chunk := range [][]string{rows[:10], rows[10:25], rows[25:]} {
		var body strings.Builder
		for _, r := range chunk {
			bucket, key, _ := strings.Cut(r, ",")
			fmt.Fprintf(&body, "%q,%q,\"\",\"true\",\"5\"\n", bucket, key)
		}
		key := fmt.Sprintf("inv/data/file-%d.csv.gz", i)
		h.putWith(objectstore.PutObjectInput{Bucket: invBucket, Key: key, Body: strings.NewReader(gzipString(t, body.String())), Size: -1})
		files = append(files, fmt.Sprintf(`{"key":%q,"size":1,"MD5checksum":"x"}`, key))
	}
	doc := fmt.Sprintf(`{"sourceBucket":%q,"destinationBucket":"arn:aws:s3:::%s","version":"2016-11-30","creationTimestamp":"1","fileFormat":"CSV",`+
		`"fileSchema":"Bucket, Key, VersionId, IsLatest, Size","files":[%s]}`, b, invBucket, strings.Join(files, ","))
	oi := h.put(invBucket, "inv/manifest.json", doc)
	m := &api.JobManifest{Spec: &api.JobManifestSpec{Format: ptr(api.JobManifestFormatS3InventoryReportCSV20161130)},
		Location: &api.JobManifestLocation{ObjectArn: ptr("arn:aws:s3:::" + invBucket + "/inv/manifest.json"), ETag: ptr(trimETag(oi.ETag))}}
	id, d := h.run(h.job(&api.JobOperation{S3PutObjectTagging: &api.S3SetObjectTaggingOperation{TagSet: []api.S3Tag{tag("inv", "1")}}}, m))
	if *d.Status != api.JobStatusComplete {
		t.Fatalf("status %s %s", *d.Status, failures(d))
	}
	exactlyOnce(t, d, h.report(id), keysOf(rows))
	if tags := h.head(b, "k00029", "").Tags; len(tags) != 1 {
		t.Fatalf("tags %v", tags)
	}
}

func TestRaisingAWaitingJobsPriorityPausesTheRunningOne(t *testing.T) {
	t.Parallel()
	g := newGated("a")
	h := newHarness(t, withOptions(func(o *Options) { o.Lambda, o.JobConcurrency, o.Concurrency = g.invoker(), 1, 1 }))
	b, man := h.bucket("reprio"), h.bucket("reprioman")
	rowsA, rowsB := rowsOf(b, "a", 10), rowsOf(b, "b", 10)
	reqA := h.job(lambdaJob("1.0", nil), h.csvManifest(man, "a.csv", rowsA))
	reqA.Priority = ptr(int32(5))
	a := h.create(reqA)
	h.wait(a, api.JobStatusActive)
	reqB := h.job(lambdaJob("1.0", nil), h.csvManifest(man, "b.csv", rowsB))
	reqB.Priority = ptr(int32(5))
	bID := h.create(reqB)
	h.wait(bID, api.JobStatusReady) // waiting behind A, of equal priority
	if _, err := h.prov.UpdateJobPriority(h.ctx(), &api.UpdateJobPriorityRequest{AccountId: ptr(testAccount), JobId: ptr(bID), Priority: ptr(int32(6))}); err != nil {
		t.Fatal(err)
	}
	h.wait(a, api.JobStatusPausing, api.JobStatusPaused)
	close(g.gate)
	h.wait(bID, api.JobStatusComplete)
	d := h.wait(a, api.JobStatusComplete)
	exactlyOnce(t, d, h.report(a), keysOf(rowsA))
}

func TestAJobWhoseResultsWereLostFailsInsteadOfReportingWrong(t *testing.T) {
	t.Parallel()
	g, h, id, _ := gatedJob(t, "lost", 50, 1)
	g.release(5)
	g.stop(h)
	if err := os.Remove(filepath.Join(h.dir, "batch", testAccount, id+".spool")); err != nil {
		t.Fatal(err)
	}
	h.open()
	close(g.gate)
	d := h.wait(id, api.JobStatusFailed)
	if len(d.FailureReasons) != 1 || *d.FailureReasons[0].FailureCode != FailResultsLost {
		t.Fatalf("failures %s", failures(d))
	}
}

func TestAReportThatCannotBeWrittenFailsTheJob(t *testing.T) {
	t.Parallel()
	g, h, id, _ := gatedJob(t, "noreport", 5, 1)
	// The report bucket existed when the job was prepared; it is gone
	// when the report is due.
	if err := h.objects.DeleteBucket(context.Background(), h.reports); err != nil {
		t.Fatal(err)
	}
	close(g.gate)
	d := h.wait(id, api.JobStatusFailed)
	if len(d.FailureReasons) != 1 || *d.FailureReasons[0].FailureCode != FailReportWrite {
		t.Fatalf("failures %s", failures(d))
	}
	if _, s, _ := progress(d); s != 5 {
		t.Fatalf("%d tasks succeeded", s)
	}
}

// stallingRestores starts the restore of its first RestoreObject call and
// then holds the answer until the engine stops, as a crash between the
// request and its answer would.
type stallingRestores struct {
	objectstore.Store
	started chan struct{} // closed once the stalled restore has started
	once    sync.Once
}

func (s *stallingRestores) RestoreObject(ctx context.Context, in objectstore.RestoreObjectInput) (objectstore.RestoreResult, error) {
	stall := false
	s.once.Do(func() { stall = true })
	res, err := s.Store.RestoreObject(ctx, in)
	if !stall || err != nil {
		return res, err
	}
	close(s.started)
	<-ctx.Done()
	return objectstore.RestoreResult{}, ctx.Err()
}

// A restore the job initiated before a restart, whose success was not yet
// recorded, is not reported as RestoreAlreadyInProgress when the resumed
// job runs its row again; a job that did not stop still gets that error.
func TestAResumedRestoreJobDoesNotFailItsOwnRestores(t *testing.T) {
	t.Parallel()
	stalling := &stallingRestores{started: make(chan struct{})}
	h := newHarness(t, withWrap(func(s objectstore.Store) objectstore.Store { stalling.Store = s; return stalling }))
	b := h.bucket("restart-restore")
	rows := make([]string, 3)
	for i := range rows {
		key := fmt.Sprintf("cold%d", i)
		h.putWith(objectstore.PutObjectInput{Bucket: b, Key: key, Body: strings.NewReader("x"), Size: 1, StorageClass: "GLACIER"})
		rows[i] = b + "," + key
	}
	op := &api.JobOperation{S3InitiateRestoreObject: &api.S3InitiateRestoreObjectOperation{
		ExpirationInDays: ptr(int32(2)), GlacierJobTier: ptr(api.S3GlacierJobTierBULK)}}
	id := h.create(h.job(op, h.csvManifest(h.bucket("restart-restore-man"), "m.csv", rows)))
	<-stalling.started
	h.restart()
	d := h.wait(id, api.JobStatusComplete)
	r := h.report(id)
	exactlyOnce(t, d, r, keysOf(rows))
	for i := range rows {
		wantRow(t, r.row(t, fmt.Sprintf("cold%d", i)), "succeeded", "200", "")
	}
	_, again := h.runOp(op, rows[:1])
	wantRow(t, again.row(t, "cold0"), "failed", "409", "RestoreAlreadyInProgress")
}

// gatedCopies holds every CopyObject until its gate closes or the task
// stops.
type gatedCopies struct {
	objectstore.Store
	gate chan struct{}
}

func (g *gatedCopies) CopyObject(ctx context.Context, in objectstore.CopyObjectInput) (objectstore.CopyResult, error) {
	select {
	case <-g.gate:
	case <-ctx.Done():
		return objectstore.CopyResult{}, ctx.Err()
	}
	return g.Store.CopyObject(ctx, in)
}

// An account runs at most MaxReplicationJobs replication jobs at once
// (spec §8.8), whatever room the engine has: a seventh waits, and one of
// higher priority pauses the lowest-priority running one.
func TestAnAccountRunsAtMostSixReplicationJobs(t *testing.T) {
	t.Parallel()
	copies := &gatedCopies{gate: make(chan struct{})}
	h := newHarness(t, withWrap(func(s objectstore.Store) objectstore.Store { copies.Store = s; return copies }),
		withOptions(func(o *Options) { o.JobConcurrency, o.Concurrency = 1, 16 }))
	src, dst, man := h.bucket("limsrc"), h.bucket("limdst"), h.bucket("limman")
	h.replicate(src, dst, "")
	v := h.put(src, "k", "x")
	op := &api.JobOperation{S3ReplicateObject: &api.S3ReplicateObjectOperation{}}
	// Each job replicates the object several times, so that its reader
	// still waits for room in the window (a job whose every task is in
	// flight has nothing left to pause).
	rows := make([]string, 10)
	for i := range rows {
		rows[i] = src + ",k," + v.VersionID
	}
	create := func(priority int32) string {
		h.seq++
		req := h.job(op, h.csvManifest(man, fmt.Sprintf("m%d.csv", h.seq), rows))
		req.Priority = ptr(priority)
		return h.create(req)
	}
	var ids []string
	for i := range MaxReplicationJobs {
		ids = append(ids, create(int32(10+i)))
		h.wait(ids[i], api.JobStatusActive)
	}
	seventh := create(5)
	// Other operations are not limited: they run beside the six.
	tagging := h.create(h.job(&api.JobOperation{S3PutObjectTagging: &api.S3SetObjectTaggingOperation{TagSet: []api.S3Tag{tag("a", "b")}}},
		h.csvManifest(man, "tagging.csv", []string{src + ",k"})))
	h.wait(tagging, api.JobStatusComplete)
	if s := *h.describe(seventh).Status; s != api.JobStatusReady {
		t.Fatalf("the seventh replication job is %s while six run", s)
	}
	// The lowest priority of the six pauses (it stays Pausing while its
	// copy in flight waits at the gate); the others run on.
	urgent := create(50)
	h.wait(ids[0], api.JobStatusPausing)
	for _, id := range ids[1:] {
		if s := *h.describe(id).Status; s != api.JobStatusActive {
			t.Fatalf("job %s is %s", id, s)
		}
	}
	for _, id := range []string{seventh, urgent} {
		if s := *h.describe(id).Status; s != api.JobStatusReady {
			t.Fatalf("waiting job %s is %s", id, s)
		}
	}
	close(copies.gate)
	h.wait(urgent, api.JobStatusComplete)
	for _, id := range append(ids, seventh, urgent) {
		if d := h.wait(id, api.JobStatusComplete); *d.ProgressSummary.NumberOfTasksSucceeded != int64(len(rows)) {
			t.Fatalf("job %s: %s", id, failures(d))
		}
	}
}
