package restxml_test

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	s3api "github.com/jobplane/jobplane/internal/api/s3"
	api "github.com/jobplane/jobplane/internal/api/s3control"
	"github.com/jobplane/jobplane/internal/protocol"
	"github.com/jobplane/jobplane/internal/protocol/restxml"
)

const minimalCreateJob = `<CreateJobRequest xmlns="http://awss3control.amazonaws.com/doc/2018-08-20/">` +
	`<Operation><S3DeleteObjectTagging/></Operation><Report><Enabled>false</Enabled></Report>` +
	`<ClientRequestToken>t</ClientRequestToken><Priority>%s</Priority><RoleArn>arn:aws:iam::123456789012:role/r</RoleArn>` +
	`</CreateJobRequest>`

func createJobRequest(body string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/v20180820/jobs", strings.NewReader(body))
	r.Header.Set("x-amz-account-id", account)
	return r
}

// decode routes and decodes r with codec.
func decode(codec *restxml.Codec, r *http.Request) (any, error) {
	op, p, err := codec.Route(r)
	if err != nil {
		return nil, err
	}
	return codec.DecodeInput(r, op, p)
}

func decodeKind(err error) protocol.DecodeKind {
	var de *protocol.DecodeError
	if errors.As(err, &de) {
		return de.Kind
	}
	return 0
}

func TestBadRequestsAreDecodeErrors(t *testing.T) {
	t.Parallel()
	deep := strings.Repeat("<Operation>", 200) + strings.Repeat("</Operation>", 200)
	unknownDeep := "<CreateJobRequest>" + strings.Repeat("<X>", 100) + strings.Repeat("</X>", 100) + "</CreateJobRequest>"
	huge := "<CreateJobRequest><Description>" + strings.Repeat("a", protocol.MaxDocumentBytes) + "</Description></CreateJobRequest>"
	get := func(target string) *http.Request {
		r := httptest.NewRequest(http.MethodGet, target, nil)
		r.Header.Set("x-amz-account-id", account)
		return r
	}
	cases := []struct {
		name string
		req  *http.Request
		want protocol.DecodeKind
	}{
		{"a truncated document is malformed", createJobRequest("<CreateJobRequest><Priority>1</Priority>"), protocol.Malformed},
		{"mismatched tags are malformed", createJobRequest("<CreateJobRequest><Priority>1</RoleArn></CreateJobRequest>"), protocol.Malformed},
		{"a JSON body is malformed", createJobRequest(`{"Priority": 1}`), protocol.Malformed},
		{"plain text is malformed", createJobRequest("hello"), protocol.Malformed},
		{"two root elements are malformed", createJobRequest("<A></A><B></B>"), protocol.Malformed},
		{"a non-integer priority is malformed", createJobRequest(strings.Replace(minimalCreateJob, "%s", "abc", 1)), protocol.Malformed},
		{"a priority past int32 is malformed", createJobRequest(strings.Replace(minimalCreateJob, "%s", "2147483648", 1)), protocol.Malformed},
		{"a non-boolean flag is malformed", createJobRequest("<CreateJobRequest><ConfirmationRequired>yes</ConfirmationRequired></CreateJobRequest>"), protocol.Malformed},
		{"a bad timestamp is malformed", createJobRequest("<CreateJobRequest><ManifestGenerator><S3JobManifestGenerator><Filter><CreatedAfter>yesterday</CreatedAfter></Filter></S3JobManifestGenerator></ManifestGenerator></CreateJobRequest>"), protocol.Malformed},
		{"an element inside a scalar is malformed", createJobRequest("<CreateJobRequest><Priority><X/></Priority></CreateJobRequest>"), protocol.Malformed},
		{"deep nesting is malformed", createJobRequest("<CreateJobRequest>" + deep + "</CreateJobRequest>"), protocol.Malformed},
		{"deep nesting inside unknown elements is malformed", createJobRequest(unknownDeep), protocol.Malformed},
		{"a body over the limit is too large", createJobRequest(huge), protocol.TooLarge},
		{"a non-integer maxResults is a bad parameter", get("/v20180820/jobs?maxResults=ten"), protocol.BadParameter},
		{"an unknown path is an unknown operation", get("/v20180820/nothing/here"), protocol.UnknownOperation},
		{"a known path with the wrong method is not allowed", httptest.NewRequest(http.MethodPatch, "/v20180820/jobs/job-1", nil), protocol.MethodNotAllowed},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := decode(controlCodec, tc.req)
			if got := decodeKind(err); got != tc.want {
				t.Errorf("error %v has kind %d, want %d", err, got, tc.want)
			}
		})
	}
}

func TestS3SubresourcesAreNotIgnored(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, method, target string
		want                 protocol.DecodeKind
	}{
		{"deleting a bucket's versioning is not deleting the bucket", http.MethodDelete, "/bucket?versioning", protocol.MethodNotAllowed},
		{"putting an object's unknown subresource is not putting the object", http.MethodPost, "/bucket/key?versioning", protocol.MethodNotAllowed},
		{"an unknown top-level path segment with a method S3 lacks is not allowed", http.MethodPatch, "/bucket", protocol.MethodNotAllowed},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, _, err := s3Codec.Route(httptest.NewRequest(tc.method, tc.target, nil))
			if got := decodeKind(err); got != tc.want {
				t.Errorf("error %v has kind %d, want %d", err, got, tc.want)
			}
		})
	}
}

func TestDecodingIsLenientWhereTheSDKsDiffer(t *testing.T) {
	t.Parallel()
	t.Run("a request without its required priority still routes to UpdateJobPriority", func(t *testing.T) {
		t.Parallel()
		r := httptest.NewRequest(http.MethodPost, "/v20180820/jobs/job-1/priority", nil)
		op, _, err := controlCodec.Route(r)
		if err != nil || op.Name != "UpdateJobPriority" {
			t.Fatalf("routed to %v, %v", op, err)
		}
	})
	t.Run("an empty CreateJob body leaves every body member absent", func(t *testing.T) {
		t.Parallel()
		in, err := decode(controlCodec, createJobRequest(""))
		if err != nil {
			t.Fatal(err)
		}
		got := in.(*api.CreateJobRequest)
		if got.AccountId == nil || got.Operation != nil || got.Priority != nil {
			t.Errorf("decoded %+v", got)
		}
	})
	t.Run("a botocore body without declaration, with prefixes and unknown elements decodes", func(t *testing.T) {
		t.Parallel()
		body := `<!-- hi --><s:CreateJobRequest xmlns:s="urn:x"><s:Priority> 7 </s:Priority><Unknown><Deep>1</Deep></Unknown>` +
			`<Operation><S3PutObjectTagging><TagSet><S3Tag><Key>k</Key><Value/></S3Tag></TagSet></S3PutObjectTagging></Operation>` +
			`<Report><Enabled>true</Enabled></Report><ManifestGenerator><S3JobManifestGenerator><Filter>` +
			`<CreatedBefore>2023-09-01T00:00:00.123456Z</CreatedBefore></Filter></S3JobManifestGenerator></ManifestGenerator>` +
			`</s:CreateJobRequest>`
		in, err := decode(controlCodec, createJobRequest(body))
		if err != nil {
			t.Fatal(err)
		}
		got := in.(*api.CreateJobRequest)
		if got.Priority == nil || *got.Priority != 7 {
			t.Errorf("Priority = %v", got.Priority)
		}
		tags := got.Operation.S3PutObjectTagging.TagSet
		if len(tags) != 1 || *tags[0].Key != "k" || tags[0].Value == nil || *tags[0].Value != "" {
			t.Errorf("TagSet = %+v", tags)
		}
		if ts := got.ManifestGenerator.S3JobManifestGenerator.Filter.CreatedBefore; ts == nil || ts.Nanosecond() != 123456000 {
			t.Errorf("CreatedBefore = %v", ts)
		}
	})
}

// FuzzDecodeCreateJob feeds arbitrary bodies to CreateJob: the decoder must
// return a value or a DecodeError, never panic or fail otherwise.
func FuzzDecodeCreateJob(f *testing.F) {
	f.Add(strings.Replace(minimalCreateJob, "%s", "10", 1))
	f.Add(`<CreateJobRequest><Tags/><ManifestGenerator><S3JobManifestGenerator><Filter><MatchAnyObjectEncryption>` +
		`<ObjectEncryption><SSE-KMS><KmsKeyArn>k</KmsKeyArn></SSE-KMS></ObjectEncryption></MatchAnyObjectEncryption>` +
		`</Filter></S3JobManifestGenerator></ManifestGenerator></CreateJobRequest>`)
	f.Add(`<CreateJobRequest><Operation><LambdaInvoke><UserArguments><entry><key>a</key><value>b</value></entry>` +
		`</UserArguments></LambdaInvoke></Operation></CreateJobRequest>`)
	f.Add("")
	f.Add("<")
	f.Add("<CreateJobRequest><Priority>99999999999</Priority></CreateJobRequest>")
	f.Fuzz(func(t *testing.T, body string) {
		_, err := decode(controlCodec, createJobRequest(body))
		if err != nil {
			var de *protocol.DecodeError
			if !errors.As(err, &de) {
				t.Fatalf("error %v is not a DecodeError", err)
			}
		}
	})
}

func TestStreamsAreClosedAndHeadHasNoBody(t *testing.T) {
	t.Parallel()
	op := s3api.Model.Operation("GetObject")
	body := &closeRecorder{Reader: strings.NewReader("data")}
	rec := httptest.NewRecorder()
	r := httptest.NewRequest(http.MethodHead, "/bucket/key", nil)
	out := &s3api.GetObjectOutput{Body: body, ContentLength: ptr(int64(4))}
	if err := s3Codec.EncodeOutput(rec, r, op, out); err != nil {
		t.Fatal(err)
	}
	if rec.Body.Len() != 0 || !body.closed || rec.Header().Get("Content-Length") != "4" {
		t.Errorf("HEAD wrote %q, closed=%v, Content-Length=%q", rec.Body.String(), body.closed, rec.Header().Get("Content-Length"))
	}
}

type closeRecorder struct {
	io.Reader
	closed bool
}

func (c *closeRecorder) Close() error { c.closed = true; return nil }
