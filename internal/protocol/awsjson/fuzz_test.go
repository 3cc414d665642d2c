package awsjson_test

import (
	"errors"
	"net/http"
	"testing"

	"github.com/jobplane/jobplane/internal/api/snowball"
	"github.com/jobplane/jobplane/internal/protocol"
)

// FuzzDecodeInput feeds arbitrary bodies to every operation: decoding must
// either succeed with a non-nil input or fail with a DecodeError, and never
// panic.
func FuzzDecodeInput(f *testing.F) {
	seeds := []string{
		``, `{}`, `null`, `[]`, `{"JobType":"IMPORT","Resources":{"S3Resources":[{"BucketArn":"arn:aws:s3:::b"}]}}`,
		`{"MaxResults":2147483648}`, `{"PickupDetails":{"IdentificationExpirationDate":1735787045.123}}`,
		`{"OnDeviceServiceConfiguration":{"S3OnDeviceService":{"StorageLimit":"NaN"}}}`,
		`{"Notification":{"JobStatesToNotify":["New",null]}}`, `{} {}`, `{"a":[[[[[]]]]]}`,
	}
	for i, s := range seeds {
		f.Add(uint8(i), []byte(s))
	}
	ops := snowball.Model.Operations
	f.Fuzz(func(t *testing.T, opIndex uint8, body []byte) {
		op := ops[int(opIndex)%len(ops)]
		r := request(http.MethodPost, op.Name, "")
		r.Body = http.NoBody
		if len(body) > 0 {
			r = request(http.MethodPost, op.Name, string(body))
		}
		in, err := codec.DecodeInput(r, op, nil)
		if err != nil {
			var de *protocol.DecodeError
			if !errors.As(err, &de) {
				t.Fatalf("error %T is not a DecodeError", err)
			}
			return
		}
		if in == nil {
			t.Fatal("nil input without an error")
		}
	})
}
