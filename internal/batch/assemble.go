package batch

import (
	"context"
	"time"

	"github.com/jobplane/jobplane/internal/batch/report"
)

// maxResultFile bounds one result CSV file, so that a report of millions of
// rows is written as several files and never held whole in memory.
const maxResultFile = 16 << 20

// PutFunc stores one report object in the report bucket.
type PutFunc func(ctx context.Context, key string, body []byte) error

// ReportTarget is where and how a job's completion report is written.
type ReportTarget struct {
	Bucket      string // the bucket name (the job gives an ARN)
	Prefix      string
	JobID       string
	FailedOnly  bool // ReportScope FailedTasksOnly
	CreatedTime time.Time
}

// WriteReport writes the report of the results in spool: result files for
// succeeded tasks (unless the scope is FailedTasksOnly) and for failed tasks,
// then manifest.json listing them, succeeded files first. The spool is read
// once; each status fills its own file, written when it reaches
// maxResultFile. Keys are stable, so writing the report again after a crash
// replaces the same objects.
func WriteReport(ctx context.Context, spool *Spool, t ReportTarget, put PutFunc) error {
	type output struct {
		status string
		seq    int
		body   []byte
		files  []report.File
	}
	outs := map[string]*output{report.Succeeded: {status: report.Succeeded}, report.Failed: {status: report.Failed}}
	if t.FailedOnly {
		delete(outs, report.Succeeded)
	}
	flush := func(o *output) error {
		if len(o.body) == 0 {
			return nil
		}
		key := report.ResultKey(t.Prefix, t.JobID, o.status, o.seq)
		if err := put(ctx, key, o.body); err != nil {
			return err
		}
		o.files = append(o.files, report.NewFile(o.status, t.Bucket, key, o.body))
		o.seq++
		o.body = o.body[:0:0]
		return nil
	}
	err := spool.EachAll(func(r report.Result) error {
		o, ok := outs[r.Status]
		if !ok {
			return nil
		}
		o.body = report.AppendRow(o.body, r)
		if len(o.body) >= maxResultFile {
			return flush(o)
		}
		return nil
	})
	if err != nil {
		return err
	}
	var files []report.File
	for _, status := range []string{report.Succeeded, report.Failed} {
		if o, ok := outs[status]; ok {
			if err := flush(o); err != nil {
				return err
			}
			files = append(files, o.files...)
		}
	}
	return put(ctx, report.ManifestKey(t.Prefix, t.JobID), report.Manifest(t.CreatedTime, files))
}
