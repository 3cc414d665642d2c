package restxml_test

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3control"

	api "github.com/jobplane/jobplane/internal/api/s3control"
	"github.com/jobplane/jobplane/internal/schema"
)

func describeInput() *s3control.DescribeJobInput {
	return &s3control.DescribeJobInput{AccountId: aws.String(account), JobId: aws.String("job-1")}
}

// capturedCreateJob is the body the Go SDK sends for fullCreateJob.
func capturedCreateJob(b *testing.B) []byte {
	var body []byte
	srv := &fakeServer{respond: func(*schema.Operation, any) (any, error) { return &api.CreateJobResult{}, nil }}
	client := newControlClient(srv)
	in := fullCreateJob()
	if _, err := client.CreateJob(ctx, in, func(o *s3control.Options) {
		o.HTTPClient = doerFunc(func(r *http.Request) (*http.Response, error) {
			body, _ = io.ReadAll(r.Body)
			r.Body = io.NopCloser(bytes.NewReader(body))
			return srv.Do(r)
		})
	}); err != nil {
		b.Fatal(err)
	}
	return body
}

type doerFunc func(*http.Request) (*http.Response, error)

func (f doerFunc) Do(r *http.Request) (*http.Response, error) { return f(r) }

func BenchmarkDecodeCreateJob(b *testing.B) {
	body := capturedCreateJob(b)
	op := api.Model.Operation("CreateJob")
	r := httptest.NewRequest(http.MethodPost, "/v20180820/jobs", nil)
	r.Header.Set("x-amz-account-id", account)
	rd := bytes.NewReader(body)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		rd.Reset(body)
		r.Body = io.NopCloser(rd)
		r.ContentLength = int64(len(body))
		if _, err := controlCodec.DecodeInput(r, op, nil); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEncodeDescribeJob(b *testing.B) {
	benchEncode(b, "DescribeJob", "/v20180820/jobs/job-1", &api.DescribeJobResult{Job: fullJobDescriptor()})
}

// benchEncode measures encoding out as the answer of an S3 Control GET.
func benchEncode(b *testing.B, opName, path string, out any) {
	op := api.Model.Operation(opName)
	r := httptest.NewRequest(http.MethodGet, path, nil)
	w := &discardWriter{h: http.Header{}}
	b.ReportAllocs()
	for b.Loop() {
		clear(w.h)
		if err := controlCodec.EncodeOutput(w, r, op, out); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRouteS3PutObject(b *testing.B) {
	r := httptest.NewRequest(http.MethodPut, "/bucket/"+strings.Repeat("dir/", 4)+"key.txt", nil)
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := s3Codec.Route(r); err != nil {
			b.Fatal(err)
		}
	}
}

type discardWriter struct{ h http.Header }

func (w *discardWriter) Header() http.Header         { return w.h }
func (w *discardWriter) Write(p []byte) (int, error) { return len(p), nil }
func (w *discardWriter) WriteHeader(int)             {}

// BenchmarkEncodeListJobs encodes a page of 100 jobs, what a ListJobs
// with MaxResults=100 answers.
func BenchmarkEncodeListJobs(b *testing.B) {
	created := time.Date(2026, 11, 21, 12, 30, 45, 123e6, time.UTC)
	out := &api.ListJobsResult{NextToken: aws.String(strings.Repeat("t", 80))}
	for i := range 100 {
		out.Jobs = append(out.Jobs, api.JobListDescriptor{
			JobId:        aws.String(fmt.Sprintf("00e123a4-c0d8-41f4-a0eb-b46f9ba5%04d", i)),
			Description:  aws.String("nightly retag"),
			Operation:    ptrTo(api.OperationNameS3PutObjectTagging),
			Priority:     aws.Int32(10),
			Status:       ptrTo(api.JobStatusSuspended),
			CreationTime: aws.Time(created.Add(time.Duration(i) * time.Second)),
			ProgressSummary: &api.JobProgressSummary{
				TotalNumberOfTasks: aws.Int64(1000), NumberOfTasksSucceeded: aws.Int64(0), NumberOfTasksFailed: aws.Int64(0),
				Timers: &api.JobTimers{ElapsedTimeInActiveSeconds: aws.Int64(0)},
			},
		})
	}
	benchEncode(b, "ListJobs", "/v20180820/jobs", out)
}

func ptrTo[T any](v T) *T { return &v }
