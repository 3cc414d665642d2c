// Package report writes S3 Batch Operations completion reports as AWS does
// (spec/s3-batch-operations.md §9): under {Prefix}/job-{JobId}/, result CSV
// files results/{40 hex}.csv, one set per task status, and a manifest.json
// that lists them with their MD5 checksums.
package report

import (
	"crypto/md5"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"strconv"
	"strings"
	"time"
)

// Task statuses as reports write them.
const (
	Succeeded = "succeeded"
	Failed    = "failed"
)

// Format is the only report format of the model.
const Format = "Report_CSV_20180820"

// Schema is the ReportSchema line of manifest.json. The result rows
// themselves put HTTPStatusCode before ErrorCode, as every published and
// observed AWS report does (spec §9).
const Schema = "Bucket, Key, VersionId, TaskStatus, ErrorCode, HTTPStatusCode, ResultMessage"

// Result is the outcome of one task.
type Result struct {
	// Bucket is the bucket name of the manifest entry.
	Bucket string
	// Key is the key exactly as the manifest wrote it (URL-encoded).
	Key string
	// VersionID is the manifest's version id, or "".
	VersionID string
	// Status is Succeeded or Failed.
	Status string
	// HTTPStatus is the status of the task's request (200 on success).
	HTTPStatus int
	// ErrorCode is empty on success.
	ErrorCode string
	// Message is the result message ("Successful", a Lambda resultString,
	// a checksum JSON document, an error message).
	Message string
}

// AppendRow appends r as one CSV line: Bucket, Key, VersionId, TaskStatus,
// HTTPStatusCode, ErrorCode, ResultMessage, RFC 4180 quoted where needed.
func AppendRow(dst []byte, r Result) []byte {
	dst = appendField(dst, r.Bucket)
	dst = append(dst, ',')
	dst = appendField(dst, r.Key)
	dst = append(dst, ',')
	dst = appendField(dst, r.VersionID)
	dst = append(dst, ',')
	dst = appendField(dst, r.Status)
	dst = append(dst, ',')
	dst = strconv.AppendInt(dst, int64(r.HTTPStatus), 10)
	dst = append(dst, ',')
	dst = appendField(dst, r.ErrorCode)
	dst = append(dst, ',')
	dst = appendField(dst, r.Message)
	return append(dst, '\n')
}

func appendField(dst []byte, s string) []byte {
	if !strings.ContainsAny(s, ",\"\r\n") {
		return append(dst, s...)
	}
	dst = append(dst, '"')
	for i := 0; i < len(s); i++ {
		if s[i] == '"' {
			dst = append(dst, '"')
		}
		dst = append(dst, s[i])
	}
	return append(dst, '"')
}

// JobPrefix is the folder of a job's report: {Prefix}/job-{JobId}, or
// job-{JobId} without a prefix.
func JobPrefix(prefix, jobID string) string {
	prefix = strings.Trim(prefix, "/")
	if prefix == "" {
		return "job-" + jobID
	}
	return prefix + "/job-" + jobID
}

// ManifestKey is the key of a job's report manifest.json.
func ManifestKey(prefix, jobID string) string { return JobPrefix(prefix, jobID) + "/manifest.json" }

// ResultKey is the key of one result file: results/ and 40 hex digits,
// derived from the job, the status and the file's sequence number so that a
// report written again after a crash lands on the same keys.
func ResultKey(prefix, jobID, status string, seq int) string {
	sum := sha1.Sum([]byte(jobID + "/" + status + "/" + strconv.Itoa(seq)))
	return JobPrefix(prefix, jobID) + "/results/" + hex.EncodeToString(sum[:]) + ".csv"
}

// File is one result file listed in manifest.json.
type File struct {
	TaskExecutionStatus string `json:"TaskExecutionStatus"`
	Bucket              string `json:"Bucket"`
	MD5Checksum         string `json:"MD5Checksum"`
	Key                 string `json:"Key"`
}

// NewFile describes a result file of body written to bucket (a bucket name,
// not an ARN) at key.
func NewFile(status, bucket, key string, body []byte) File {
	sum := md5.Sum(body)
	return File{TaskExecutionStatus: status, Bucket: bucket, MD5Checksum: hex.EncodeToString(sum[:]), Key: key}
}

// Manifest returns the report's manifest.json.
func Manifest(created time.Time, files []File) []byte {
	doc := struct {
		Format             string `json:"Format"`
		ReportCreationDate string `json:"ReportCreationDate"`
		Results            []File `json:"Results"`
		ReportSchema       string `json:"ReportSchema"`
	}{Format, created.UTC().Format("2006-01-02T15:04:05.000Z"), files, Schema}
	if doc.Results == nil {
		doc.Results = []File{}
	}
	b, _ := json.Marshal(doc) // a fixed struct of strings cannot fail
	return b
}
