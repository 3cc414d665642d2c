package schema_test

import (
	"io"
	"strings"
	"testing"
	"time"

	"github.com/jobplane/jobplane/internal/api/s3"
	"github.com/jobplane/jobplane/internal/api/s3control"
	"github.com/jobplane/jobplane/internal/api/snowball"
	"github.com/jobplane/jobplane/internal/schema"
)

func ptr[T any](v T) *T { return &v }

func TestEveryModelPatternCompiles(t *testing.T) {
	for _, m := range []*schema.Service{s3.Model, s3control.Model, snowball.Model} {
		if err := m.CheckPatterns(); err != nil {
			t.Errorf("%s: %v (correct it in internal/api/models/%s.patch.json)", m.Name, err, m.Name)
		}
	}
}

func validCreateJob() *s3control.CreateJobRequest {
	return &s3control.CreateJobRequest{
		AccountId:            ptr("123456789012"),
		ConfirmationRequired: ptr(false),
		Operation: &s3control.JobOperation{S3PutObjectTagging: &s3control.S3SetObjectTaggingOperation{
			TagSet: []s3control.S3Tag{{Key: ptr("k"), Value: ptr("")}},
		}},
		Report:             &s3control.JobReport{Enabled: ptr(false)},
		ClientRequestToken: ptr("bf1469eb-7099-4982-946b-57b332ec98f0"),
		Priority:           ptr(int32(10)),
		RoleArn:            ptr("arn:aws:iam::123456789012:role/batch"),
		Manifest: &s3control.JobManifest{
			Spec:     &s3control.JobManifestSpec{Format: ptr(s3control.JobManifestFormatS3BatchOperationsCSV20180820), Fields: []s3control.JobManifestFieldName{"Bucket", "Key"}},
			Location: &s3control.JobManifestLocation{ObjectArn: ptr("arn:aws:s3:::m/manifest.csv"), ETag: ptr("abc")},
		},
		ManifestGenerator: nil,
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		edit   func(*s3control.CreateJobRequest)
		kind   schema.ViolationKind
		path   string
		inText string
	}{
		{"a valid request passes", func(*s3control.CreateJobRequest) {}, 0, "", ""},
		{"a missing required member is reported by its path", func(r *s3control.CreateJobRequest) { r.RoleArn = nil },
			schema.MissingRequired, "roleArn", "Member must not be null"},
		{"a missing required member of a nested structure", func(r *s3control.CreateJobRequest) { r.Report.Enabled = nil },
			schema.MissingRequired, "report.enabled", "must not be null"},
		{"a value outside the enum", func(r *s3control.CreateJobRequest) {
			r.Manifest.Spec.Fields = []s3control.JobManifestFieldName{"Bucket", "Nope"}
		}, schema.NotInEnum, "manifest.spec.fields.2.member", "enum value set: [Ignore, Bucket, Key, VersionId]"},
		{"an integer below its range", func(r *s3control.CreateJobRequest) { r.Priority = ptr(int32(-1)) },
			schema.BelowMin, "priority", "greater than or equal to 0"},
		{"a string longer than its maximum", func(r *s3control.CreateJobRequest) { r.Description = ptr(strings.Repeat("d", 257)) },
			schema.TooLong, "description", "length less than or equal to 256"},
		{"an empty string shorter than its minimum", func(r *s3control.CreateJobRequest) { r.Description = ptr("") },
			schema.TooShort, "description", "length greater than or equal to 1"},
		{"lengths count characters, not bytes", func(r *s3control.CreateJobRequest) { r.Description = ptr(strings.Repeat("é", 256)) }, 0, "", ""},
		{"a pattern mismatch", func(r *s3control.CreateJobRequest) { r.RoleArn = ptr("arn:aws:iam::12345:role/x") },
			schema.PatternMismatch, "roleArn", "regular expression pattern"},
		{"a header-bound member is checked too", func(r *s3control.CreateJobRequest) { r.AccountId = ptr("12") },
			schema.PatternMismatch, "accountId", "pattern"},
		{"a map with more entries than its maximum", func(r *s3control.CreateJobRequest) {
			args := map[string]string{}
			for i := 0; i < 11; i++ {
				args[strings.Repeat("k", i+1)] = "v"
			}
			r.Operation = &s3control.JobOperation{LambdaInvoke: &s3control.LambdaInvokeOperation{
				FunctionArn: ptr("arn:aws:lambda:us-east-1:123456789012:function:f"), UserArguments: args}}
		}, schema.TooLong, "operation.lambdaInvoke.userArguments", "length less than or equal to 10"},
		{"a union with two members set", func(r *s3control.CreateJobRequest) {
			r.ManifestGenerator = &s3control.JobManifestGenerator{}
		}, schema.UnionNotOne, "manifestGenerator", "exactly one member"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := validCreateJob()
			tt.edit(in)
			err := schema.Validate(s3control.Model.Operation("CreateJob").Input, in)
			if tt.kind == 0 {
				if err != nil {
					t.Fatalf("Validate = %v, want nil", err)
				}
				return
			}
			ve, ok := err.(*schema.ValidationError)
			if !ok {
				t.Fatalf("Validate = %v, want a *ValidationError", err)
			}
			v := ve.Violations[0]
			if v.Kind != tt.kind || v.Path != tt.path || !strings.Contains(v.Message, tt.inText) {
				t.Fatalf("violation = %+v, want kind %d at %q mentioning %q", v, tt.kind, tt.path, tt.inText)
			}
			if !strings.HasPrefix(err.Error(), "1 validation error detected: ") {
				t.Fatalf("message %q", err.Error())
			}
		})
	}
}

func TestValidateLocatesTheMember(t *testing.T) {
	in := &snowball.ListJobsRequest{MaxResults: ptr(int32(500))}
	err := schema.Validate(snowball.Model.Operation("ListJobs").Input, in).(*schema.ValidationError)
	v := err.Violations[0]
	if v.Member == nil || v.Member.Name != "MaxResults" || v.Location != schema.Body {
		t.Fatalf("violation %+v", v)
	}
	hdr := &s3control.ListJobsRequest{AccountId: ptr("x")}
	v = schema.Validate(s3control.Model.Operation("ListJobs").Input, hdr).(*schema.ValidationError).Violations[0]
	if v.Location != schema.Header || v.Member.WireName() != "x-amz-account-id" {
		t.Fatalf("violation %+v", v)
	}
}

func TestValidateBoundsItsWork(t *testing.T) {
	in := validCreateJob()
	for i := 0; i < 10000; i++ {
		in.Tags = append(in.Tags, s3control.S3Tag{})
	}
	err := schema.Validate(s3control.Model.Operation("CreateJob").Input, in).(*schema.ValidationError)
	if n := len(err.Violations); n > 10 {
		t.Fatalf("%d violations reported, want at most 10", n)
	}
}

func TestValidateSkipsStreamsAndTimestamps(t *testing.T) {
	put := &s3.PutObjectRequest{Bucket: ptr("b"), Key: ptr("k"), Body: io.NopCloser(strings.NewReader("data"))}
	if err := schema.Validate(s3.Model.Operation("PutObject").Input, put); err != nil {
		t.Fatalf("Validate(PutObject) = %v", err)
	}
	get := &s3.GetObjectRequest{Bucket: ptr("b"), Key: ptr("k"), IfModifiedSince: ptr(time.Now())}
	if err := schema.Validate(s3.Model.Operation("GetObject").Input, get); err != nil {
		t.Fatalf("Validate(GetObject) = %v", err)
	}
}
