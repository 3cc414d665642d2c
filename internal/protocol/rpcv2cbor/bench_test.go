package rpcv2cbor_test

import (
	"bytes"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/jobplane/jobplane/internal/api/snowball"
	"github.com/jobplane/jobplane/internal/protocol/document/doctest"
)

// createJobRequest is the CBOR form of the awsjson benchmark's CreateJob
// body, so the two codecs' numbers compare like for like.
var createJobRequest = map[string]any{
	"JobType": "IMPORT", "SnowballType": "EDGE", "AddressId": "ADID1234ab12-3eec-4eb3-9be6-9374c10eb51b",
	"Resources": map[string]any{
		"S3Resources":     []any{map[string]any{"BucketArn": "arn:aws:s3:::b", "KeyRange": map[string]any{"BeginMarker": "a", "EndMarker": "z"}}},
		"Ec2AmiResources": []any{map[string]any{"AmiId": "ami-12345678"}},
	},
	"ShippingOption": "SECOND_DAY", "Description": "My job",
	"RoleARN": "arn:aws:iam::123456789012:role/snowball", "KmsKeyARN": "arn:aws:kms:us-west-2:123456789012:key/abc",
	"Notification":                 map[string]any{"SnsTopicARN": "arn:aws:sns:us-west-2:123456789012:t", "JobStatesToNotify": []any{"New", "Complete"}, "NotifyAll": false},
	"OnDeviceServiceConfiguration": map[string]any{"S3OnDeviceService": map[string]any{"StorageLimit": 10.5, "StorageUnit": "TB", "ServiceSize": 3, "FaultTolerance": 1}},
	"PickupDetails":                map[string]any{"Name": "Jane", "PhoneNumber": "+1 206 555 0100", "Email": "j@example.com", "IdentificationExpirationDate": time.Unix(1735787045, 0)},
}

func BenchmarkCBORDecodeCreateJob(b *testing.B) {
	op := snowball.Model.Operation("CreateJob")
	body := must(encMode.Marshal(createJobRequest))
	r := request("CreateJob", nil)
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

func BenchmarkCBOREncodeDescribeJob(b *testing.B) {
	op := snowball.Model.Operation("DescribeJob")
	out := doctest.Fill(op.Output)
	r := request("DescribeJob", nil)
	w := &discard{h: http.Header{}}
	b.ReportAllocs()
	for b.Loop() {
		if err := codec.EncodeOutput(w, r, op, out); err != nil {
			b.Fatal(err)
		}
	}
}
