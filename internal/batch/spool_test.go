package batch

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/jobplane/jobplane/internal/batch/manifest"
	"github.com/jobplane/jobplane/internal/batch/report"
)

func result(i int) report.Result {
	if i%3 == 0 {
		return report.Result{Bucket: "b", Key: fmt.Sprintf("k%d", i), Status: report.Failed, HTTPStatus: 404, ErrorCode: "NoSuchKey", Message: "The specified key does not exist."}
	}
	return report.Result{Bucket: "b", Key: fmt.Sprintf("k%d", i), VersionID: "v", Status: report.Succeeded, HTTPStatus: 200, Message: "Successful"}
}

// collect returns the records of a status, in the order they were
// appended.
func collect(t *testing.T, s *Spool, status string) []report.Result {
	t.Helper()
	var out []report.Result
	err := s.EachAll(func(r report.Result) error {
		if r.Status == status {
			out = append(out, r)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// checkpoint makes the records appended so far durable, as a checkpoint
// does, and returns the spool's size.
func checkpoint(t *testing.T, s *Spool) int64 {
	t.Helper()
	size, err := s.Flush()
	if err == nil {
		err = s.SyncFile()
	}
	if err != nil {
		t.Fatal(err)
	}
	return size
}

func TestASpoolResumesAtItsCheckpoint(t *testing.T) {
	path := filepath.Join(t.TempDir(), "results.spool")
	s, err := OpenSpool(path, 0)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 100 {
		s.Append(result(i))
	}
	size := checkpoint(t, s)
	for i := 100; i < 150; i++ { // appended after the checkpoint, then a crash
		s.Append(result(i))
	}
	checkpoint(t, s)
	s.Close()

	s, err = OpenSpool(path, size)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ok, failed := collect(t, s, report.Succeeded), collect(t, s, report.Failed)
	if len(ok)+len(failed) != 100 || len(failed) != 34 || ok[0] != result(1) || failed[33] != result(99) {
		t.Fatalf("after resuming: %d succeeded, %d failed", len(ok), len(failed))
	}
	s.Append(result(102)) // a failure
	if n := len(collect(t, s, report.Failed)); n != 35 {
		t.Fatalf("appending after the resume: %d failed", n)
	}
	if _, err := OpenSpool(path, 1<<30); err == nil {
		t.Fatal("a checkpoint larger than the spool was accepted")
	}
}

func TestAResultTooLongForTheSpoolIsCutAndReadsBack(t *testing.T) {
	s, err := OpenSpool(filepath.Join(t.TempDir(), "s"), 0)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	long := strings.Repeat("é", maxSpoolField) // two bytes each: the cut falls inside one
	tk := &task{entry: manifest.Entry{Bucket: "b", RawKey: "k"}}
	s.Append(tk.result(succeeded(long)))
	s.Append(tk.result(succeeded("short")))
	recs := collect(t, s, report.Succeeded)
	if len(recs) != 2 || recs[1].Message != "short" {
		t.Fatalf("%d records read back", len(recs))
	}
	msg := recs[0].Message
	if len(msg) > maxSpoolField || len(msg) < maxSpoolField-4 || !utf8.ValidString(msg) ||
		!strings.HasSuffix(msg, "...") || !strings.HasPrefix(long, strings.TrimSuffix(msg, "...")) {
		t.Fatalf("the long message read back as %d bytes ending %q", len(msg), msg[max(0, len(msg)-8):])
	}
}

func TestWriteReport(t *testing.T) {
	s, _ := OpenSpool(filepath.Join(t.TempDir(), "s"), 0)
	defer s.Close()
	for i := range 10 {
		s.Append(result(i))
	}
	for _, failedOnly := range []bool{false, true} {
		t.Run(fmt.Sprintf("failed only %v", failedOnly), func(t *testing.T) {
			objects := map[string]string{}
			put := func(ctx context.Context, key string, body []byte) error { objects[key] = string(body); return nil }
			target := ReportTarget{Bucket: "reports", Prefix: "p", JobID: "job1", FailedOnly: failedOnly, CreatedTime: time.Unix(0, 0)}
			if err := WriteReport(context.Background(), s, target, put); err != nil {
				t.Fatal(err)
			}
			var m struct {
				Results []report.File
			}
			if err := json.Unmarshal([]byte(objects["p/job-job1/manifest.json"]), &m); err != nil {
				t.Fatal(err)
			}
			want := 2
			if failedOnly {
				want = 1
			}
			if len(m.Results) != want || len(objects) != want+1 {
				t.Fatalf("%d result files listed, %d objects written", len(m.Results), len(objects))
			}
			rows := 0
			for _, f := range m.Results {
				body := objects[f.Key]
				rows += strings.Count(body, "\n")
				if f.Bucket != "reports" || f != report.NewFile(f.TaskExecutionStatus, "reports", f.Key, []byte(body)) {
					t.Fatalf("listed %+v", f)
				}
			}
			if (failedOnly && rows != 4) || (!failedOnly && rows != 10) {
				t.Fatalf("%d rows", rows)
			}
		})
	}
}
