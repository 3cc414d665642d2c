package restxml_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	s3api "github.com/jobplane/jobplane/internal/api/s3"
	api "github.com/jobplane/jobplane/internal/api/s3control"
)

func TestEncodeOutputWritesTheWireForm(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name       string
		op         string
		out        any
		status     int
		body       string // exact body, or "" for none
		wantXMLCTy bool
	}{
		{
			name:   "CreateJob writes its result root in the service namespace",
			op:     "CreateJob",
			out:    &api.CreateJobResult{JobId: aws.String("j<1>")},
			status: 200,
			body: `<?xml version="1.0" encoding="UTF-8"?>` + "\n" +
				`<CreateJobResult xmlns="http://awss3control.amazonaws.com/doc/2018-08-20/"><JobId>j&lt;1&gt;</JobId></CreateJobResult>`,
			wantXMLCTy: true,
		},
		{
			name:   "GetJobTagging writes list items as member",
			op:     "GetJobTagging",
			out:    &api.GetJobTaggingResult{Tags: []api.S3Tag{{Key: aws.String("k"), Value: aws.String("")}}},
			status: 200,
			body: `<?xml version="1.0" encoding="UTF-8"?>` + "\n" +
				`<GetJobTaggingResult xmlns="http://awss3control.amazonaws.com/doc/2018-08-20/"><Tags><member><Key>k</Key><Value></Value></member></Tags></GetJobTaggingResult>`,
			wantXMLCTy: true,
		},
		{
			name:   "PutJobTagging answers 200 with no body",
			op:     "PutJobTagging",
			out:    &api.PutJobTaggingResult{},
			status: 200,
		},
		{
			name:   "TagResource answers with the model's 204",
			op:     "TagResource",
			out:    &api.TagResourceResult{},
			status: 204,
		},
		{
			name:   "a nil output still gets the success status",
			op:     "DeleteJobTagging",
			out:    nil,
			status: 200,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rec := httptest.NewRecorder()
			r := httptest.NewRequest(http.MethodGet, "/", nil)
			if err := controlCodec.EncodeOutput(rec, r, api.Model.Operation(tc.op), tc.out); err != nil {
				t.Fatal(err)
			}
			if rec.Code != tc.status || rec.Body.String() != tc.body {
				t.Errorf("got %d %q, want %d %q", rec.Code, rec.Body.String(), tc.status, tc.body)
			}
			if got := rec.Header().Get("Content-Type") == "application/xml"; got != tc.wantXMLCTy {
				t.Errorf("Content-Type = %q", rec.Header().Get("Content-Type"))
			}
		})
	}
}

func TestEncodeOutputRefusesAWrongTypeBeforeWriting(t *testing.T) {
	t.Parallel()
	rec := httptest.NewRecorder()
	err := controlCodec.EncodeOutput(rec, httptest.NewRequest(http.MethodGet, "/", nil),
		api.Model.Operation("DescribeJob"), &api.CreateJobResult{})
	if err == nil {
		t.Fatal("no error for a mismatched output")
	}
	if len(rec.Header()) != 0 || rec.Body.Len() != 0 || rec.Flushed {
		t.Errorf("wrote headers %v body %q", rec.Header(), rec.Body.String())
	}
}

func TestS3HeadersAreWrittenInTheirWireFormat(t *testing.T) {
	t.Parallel()
	rec := httptest.NewRecorder()
	out := &s3api.HeadObjectOutput{
		LastModified:  aws.Time(created),
		Metadata:      map[string]string{"owner": "me"},
		ContentType:   aws.String("text/plain"),
		ContentLength: aws.Int64(0),
	}
	if err := s3Codec.EncodeOutput(rec, httptest.NewRequest(http.MethodHead, "/b/k", nil), s3api.Model.Operation("HeadObject"), out); err != nil {
		t.Fatal(err)
	}
	h := rec.Header()
	if h.Get("Last-Modified") != "Thu, 03 Oct 2019 21:48:48 GMT" || fmt.Sprint(h["x-amz-meta-owner"]) != "[me]" || h.Get("Content-Type") != "text/plain" || h.Get("Content-Length") != "0" {
		t.Errorf("headers = %v", h)
	}
	if rec.Body.Len() != 0 {
		t.Errorf("HEAD body = %q", rec.Body.String())
	}
	if strings.Contains(h.Get("Content-Type"), "xml") {
		t.Error("HEAD response claims an XML body")
	}
}
