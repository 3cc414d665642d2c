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
// then manifest.json listing them. Keys are stable, so writing the report
// again after a crash replaces the same objects.
func WriteReport(ctx context.Context, spool *Spool, t ReportTarget, put PutFunc) error {
	statuses := []string{report.Succeeded, report.Failed}
	if t.FailedOnly {
		statuses = statuses[1:]
	}
	var files []report.File
	for _, status := range statuses {
		seq := 0
		var body []byte
		flush := func() error {
			if len(body) == 0 {
				return nil
			}
			key := report.ResultKey(t.Prefix, t.JobID, status, seq)
			if err := put(ctx, key, body); err != nil {
				return err
			}
			files = append(files, report.NewFile(status, t.Bucket, key, body))
			seq++
			body = body[:0:0]
			return nil
		}
		err := spool.Each(status, func(r report.Result) error {
			body = report.AppendRow(body, r)
			if len(body) >= maxResultFile {
				return flush()
			}
			return nil
		})
		if err != nil {
			return err
		}
		if err := flush(); err != nil {
			return err
		}
	}
	return put(ctx, report.ManifestKey(t.Prefix, t.JobID), report.Manifest(t.CreatedTime, files))
}
