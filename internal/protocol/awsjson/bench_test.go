package awsjson_test

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/jobplane/jobplane/internal/api/snowball"
	"github.com/jobplane/jobplane/internal/protocol/document/doctest"
)

const createJobBody = `{"JobType":"IMPORT","SnowballType":"EDGE","AddressId":"ADID1234ab12-3eec-4eb3-9be6-9374c10eb51b",` +
	`"Resources":{"S3Resources":[{"BucketArn":"arn:aws:s3:::b","KeyRange":{"BeginMarker":"a","EndMarker":"z"}}],` +
	`"Ec2AmiResources":[{"AmiId":"ami-12345678"}]},"ShippingOption":"SECOND_DAY","Description":"My job",` +
	`"RoleARN":"arn:aws:iam::123456789012:role/snowball","KmsKeyARN":"arn:aws:kms:us-west-2:123456789012:key/abc",` +
	`"Notification":{"SnsTopicARN":"arn:aws:sns:us-west-2:123456789012:t","JobStatesToNotify":["New","Complete"],"NotifyAll":false},` +
	`"OnDeviceServiceConfiguration":{"S3OnDeviceService":{"StorageLimit":10.5,"StorageUnit":"TB","ServiceSize":3,"FaultTolerance":1}},` +
	`"PickupDetails":{"Name":"Jane","PhoneNumber":"+1 206 555 0100","Email":"j@example.com","IdentificationExpirationDate":1735787045}}`

func BenchmarkJSONDecodeCreateJob(b *testing.B) {
	op := snowball.Model.Operation("CreateJob")
	body := []byte(createJobBody)
	r := httptest.NewRequest(http.MethodPost, "/", nil)
	r.Header.Set("X-Amz-Target", "AWSIESnowballJobManagementService.CreateJob")
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		r.Body = io.NopCloser(bytes.NewReader(body))
		if _, err := codec.DecodeInput(r, op, nil); err != nil {
			b.Fatal(err)
		}
	}
}

// discard is a ResponseWriter that keeps nothing, so the benchmark measures
// the encoder and not a recorder's buffer.
type discard struct{ h http.Header }

func (d *discard) Header() http.Header         { return d.h }
func (d *discard) Write(p []byte) (int, error) { return len(p), nil }
func (d *discard) WriteHeader(int)             {}

func BenchmarkJSONEncodeDescribeJob(b *testing.B) {
	op := snowball.Model.Operation("DescribeJob")
	out := doctest.Fill(op.Output)
	r := httptest.NewRequest(http.MethodPost, "/", nil)
	w := &discard{h: http.Header{}}
	b.ReportAllocs()
	for b.Loop() {
		if err := codec.EncodeOutput(w, r, op, out); err != nil {
			b.Fatal(err)
		}
	}
}
