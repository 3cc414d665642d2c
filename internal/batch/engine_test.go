package batch

import (
	"testing"

	api "github.com/jobplane/jobplane/internal/api/s3control"
	"github.com/jobplane/jobplane/internal/objectstore"
)

func TestATaggingJobRunsEveryRowAndReportsIt(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	data, man := h.bucket("data"), h.bucket("manifests")
	rows := h.objectsN(data, "obj-", 300)
	rows = append(rows, data+",missing-key")
	m := h.csvManifest(man, "m.csv", rows)
	id, d := h.run(h.job(&api.JobOperation{S3PutObjectTagging: &api.S3SetObjectTaggingOperation{
		TagSet: []api.S3Tag{{Key: ptr("color"), Value: ptr("blue")}}}}, m))
	if *d.Status != api.JobStatusComplete {
		t.Fatalf("status %s %s", *d.Status, failures(d))
	}
	total, succ, fail := progress(d)
	if total != 301 || succ != 300 || fail != 1 {
		t.Fatalf("progress %d/%d/%d", total, succ, fail)
	}
	if got := h.head(data, "obj-00007", "").Tags; len(got) != 1 || got[0] != (objectstore.Tag{Key: "color", Value: "blue"}) {
		t.Fatalf("tags %v", got)
	}
	r := h.report(id)
	if len(r.rows["succeeded"]) != 300 || len(r.rows["failed"]) != 1 {
		t.Fatalf("report rows: %d succeeded, %d failed", len(r.rows["succeeded"]), len(r.rows["failed"]))
	}
	if f := r.rows["failed"][0]; f[1] != "missing-key" || f[3] != "failed" || f[4] != "404" || f[5] != "NoSuchKey" {
		t.Fatalf("failed row %q", f)
	}
}
