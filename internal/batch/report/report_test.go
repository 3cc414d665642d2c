package report_test

import (
	"crypto/md5"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jobplane/jobplane/internal/batch/report"
)

func TestRowsAreWrittenAsAWSWritesThem(t *testing.T) {
	tests := []struct {
		name string
		r    report.Result
		want string
	}{
		{"a successful task", report.Result{"bucket", "image_17775", "", report.Succeeded, 200, "", "Successful"},
			"bucket,image_17775,,succeeded,200,,Successful\n"},
		{"a failed Lambda task with a quoted message", report.Result{"bucket", "image_14975", "", report.Failed, 200, "PermanentFailure", `Lambda returned function error: {"errorMessage":"boom, again"}`},
			`bucket,image_14975,,failed,200,PermanentFailure,"Lambda returned function error: {""errorMessage"":""boom, again""}"` + "\n"},
		{"a versioned key echoed encoded", report.Result{"b", "a%20b", "v1", report.Failed, 500, "SrcObjectNotEligible", "Object is not eligible for replication"},
			"b,a%20b,v1,failed,500,SrcObjectNotEligible,Object is not eligible for replication\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := string(report.AppendRow(nil, tt.r))
			if got != tt.want {
				t.Fatalf("row\n %q\nwant\n %q", got, tt.want)
			}
			rec, err := csv.NewReader(strings.NewReader(got)).Read()
			if err != nil || len(rec) != 7 || rec[6] != tt.r.Message || rec[1] != tt.r.Key {
				t.Fatalf("a CSV reader reads %q, %v", rec, err)
			}
		})
	}
}

func TestKeysAndManifest(t *testing.T) {
	const job = "93735294-df46-44d5-8638-6356f335324e"
	if got := report.ManifestKey("p/", job); got != "p/job-"+job+"/manifest.json" {
		t.Fatalf("ManifestKey = %s", got)
	}
	if got := report.ManifestKey("", job); got != "job-"+job+"/manifest.json" {
		t.Fatalf("ManifestKey without prefix = %s", got)
	}
	k1, k2 := report.ResultKey("p", job, report.Succeeded, 0), report.ResultKey("p", job, report.Failed, 0)
	if k1 == k2 || k1 != report.ResultKey("p", job, report.Succeeded, 0) || !strings.HasPrefix(k1, "p/job-"+job+"/results/") || len(k1) != len("p/job-"+job+"/results/")+40+4 {
		t.Fatalf("result keys %s %s", k1, k2)
	}
	body := []byte("b,k,,succeeded,200,,Successful\n")
	f := report.NewFile(report.Succeeded, "reports", k1, body)
	doc := report.Manifest(time.Date(2019, 4, 5, 17, 48, 39, 725e6, time.UTC), []report.File{f})
	var m map[string]any
	if err := json.Unmarshal(doc, &m); err != nil {
		t.Fatal(err)
	}
	if m["Format"] != "Report_CSV_20180820" || m["ReportCreationDate"] != "2019-04-05T17:48:39.725Z" ||
		m["ReportSchema"] != "Bucket, Key, VersionId, TaskStatus, ErrorCode, HTTPStatusCode, ResultMessage" {
		t.Fatalf("manifest %s", doc)
	}
	res := m["Results"].([]any)[0].(map[string]any)
	if res["TaskExecutionStatus"] != "succeeded" || res["Bucket"] != "reports" || res["Key"] != k1 || res["MD5Checksum"] != fmt.Sprintf("%x", md5.Sum(body)) {
		t.Fatalf("result entry %v", res)
	}
	if empty := report.Manifest(time.Now(), nil); !strings.Contains(string(empty), `"Results":[]`) {
		t.Fatalf("empty manifest %s", empty)
	}
}
