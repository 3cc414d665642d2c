package awsjson_test

import (
	"encoding/json"
	"errors"
	"math"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/jobplane/jobplane/internal/api/snowball"
	"github.com/jobplane/jobplane/internal/apierror"
	"github.com/jobplane/jobplane/internal/protocol"
	"github.com/jobplane/jobplane/internal/protocol/awsjson"
)

var codec = awsjson.New(snowball.Model)

func request(method, op, body string) *http.Request {
	r := httptest.NewRequest(method, "/", strings.NewReader(body))
	if op != "" {
		r.Header.Set("X-Amz-Target", "AWSIESnowballJobManagementService."+op)
	}
	r.Header.Set("Content-Type", awsjson.ContentType)
	return r
}

func decode(r *http.Request) (any, error) {
	op, p, err := codec.Route(r)
	if err != nil {
		return nil, err
	}
	return codec.DecodeInput(r, op, p)
}

func TestDecodeInputReadsRequestsAsClientsSendThem(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		op   string
		body string
		want any
	}{
		{
			name: "botocore's captured CreateJob decodes member by member",
			op:   "CreateJob",
			body: `{"JobType": "IMPORT", "SnowballType": "EDGE", "AddressId": "ADID1234ab12-3eec-4eb3-9be6-9374c10eb51b",
			 "Resources": {"S3Resources": [{"BucketArn": "arn:aws:s3:::b"}]}, "ShippingOption": "SECOND_DAY"}`,
			want: &snowball.CreateJobRequest{
				JobType: ptr(snowball.JobType("IMPORT")), SnowballType: ptr(snowball.SnowballType("EDGE")),
				AddressId:      aws.String("ADID1234ab12-3eec-4eb3-9be6-9374c10eb51b"),
				Resources:      &snowball.JobResource{S3Resources: []snowball.S3Resource{{BucketArn: aws.String("arn:aws:s3:::b")}}},
				ShippingOption: ptr(snowball.ShippingOption("SECOND_DAY")),
			},
		},
		{name: "an empty body is the empty input", op: "GetSnowballUsage", body: "", want: &snowball.GetSnowballUsageRequest{}},
		{name: "a blank body is the empty input", op: "ListJobs", body: " \r\n", want: &snowball.ListJobsRequest{}},
		{name: "{} is the empty input", op: "GetSnowballUsage", body: "{}", want: &snowball.GetSnowballUsageRequest{}},
		{name: "null members are absent", op: "ListJobs", body: `{"MaxResults":null,"NextToken":null}`, want: &snowball.ListJobsRequest{}},
		{name: "unknown members are ignored", op: "ListJobs", body: `{"Unknown":{"deep":[1,2,{"x":null}]},"MaxResults":5}`, want: &snowball.ListJobsRequest{MaxResults: aws.Int32(5)}},
		{name: "an integral float is an integer", op: "ListJobs", body: `{"MaxResults":5.0}`, want: &snowball.ListJobsRequest{MaxResults: aws.Int32(5)}},
		{
			name: "integer epoch seconds are a timestamp",
			op:   "UpdateJob",
			body: `{"JobId":"J","PickupDetails":{"IdentificationExpirationDate":1735787045}}`,
			want: &snowball.UpdateJobRequest{JobId: aws.String("J"), PickupDetails: &snowball.PickupDetails{IdentificationExpirationDate: ptr(time.Unix(1735787045, 0).UTC())}},
		},
		{
			name: "fractional epoch seconds keep milliseconds",
			op:   "UpdateJob",
			body: `{"PickupDetails":{"IdentificationExpirationDate":1735787045.1234}}`,
			want: &snowball.UpdateJobRequest{PickupDetails: &snowball.PickupDetails{IdentificationExpirationDate: ptr(time.UnixMilli(1735787045123).UTC())}},
		},
		{
			name: "an ISO-8601 timestamp is accepted leniently",
			op:   "UpdateJob",
			body: `{"PickupDetails":{"IdentificationExpirationDate":"2025-01-02T03:04:05.5Z"}}`,
			want: &snowball.UpdateJobRequest{PickupDetails: &snowball.PickupDetails{IdentificationExpirationDate: ptr(time.UnixMilli(1735787045500).UTC())}},
		},
		{
			name: "a double accepts integers and fractions",
			op:   "CreateJob",
			body: `{"OnDeviceServiceConfiguration":{"S3OnDeviceService":{"StorageLimit":7,"ServiceSize":3,"FaultTolerance":1}}}`,
			want: &snowball.CreateJobRequest{OnDeviceServiceConfiguration: &snowball.OnDeviceServiceConfiguration{
				S3OnDeviceService: &snowball.S3OnDeviceServiceConfiguration{StorageLimit: aws.Float64(7), ServiceSize: aws.Int32(3), FaultTolerance: aws.Int32(1)},
			}},
		},
		{
			name: "a list of enums and a null element",
			op:   "UpdateJob",
			body: `{"Notification":{"JobStatesToNotify":["New",null,"Complete"],"NotifyAll":false}}`,
			want: &snowball.UpdateJobRequest{Notification: &snowball.Notification{
				JobStatesToNotify: []snowball.JobState{"New", "Complete"}, NotifyAll: aws.Bool(false),
			}},
		},
		{
			name: "an empty list stays an empty list",
			op:   "CreateCluster",
			body: `{"LongTermPricingIds":[]}`,
			want: &snowball.CreateClusterRequest{LongTermPricingIds: []string{}},
		},
		{
			name: "escaped strings are unescaped",
			op:   "CreateAddress",
			body: `{"Address":{"Name":"J\u00f6rg \"Q\" \\ \ud83d\ude00","IsRestricted":true}}`,
			want: &snowball.CreateAddressRequest{Address: &snowball.Address{Name: aws.String("Jörg \"Q\" \\ 😀"), IsRestricted: aws.Bool(true)}},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := decode(request(http.MethodPost, tc.op, tc.body))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %s\nwant %s", dump(got), dump(tc.want))
			}
		})
	}
}

func TestBadRequestsGetTheRightDecodeError(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		method string
		op     string
		target string
		body   string
		kind   protocol.DecodeKind
		member string
	}{
		{name: "GET is not allowed", method: http.MethodGet, op: "ListJobs", kind: protocol.MethodNotAllowed},
		{name: "a missing X-Amz-Target is an unknown operation", op: "", kind: protocol.UnknownOperation},
		{name: "an unknown operation is reported", target: "AWSIESnowballJobManagementService.Nope", kind: protocol.UnknownOperation},
		{name: "another service's prefix is an unknown operation", target: "AmazonS3.ListJobs", kind: protocol.UnknownOperation},
		{name: "a body that is not JSON is malformed", op: "ListJobs", body: `{"MaxResults":`, kind: protocol.Malformed},
		{name: "a JSON array is not an object", op: "ListJobs", body: `[]`, kind: protocol.Malformed},
		{name: "a JSON string is not an object", op: "ListJobs", body: `"x"`, kind: protocol.Malformed},
		{name: "a JSON null is not an object", op: "ListJobs", body: `null`, kind: protocol.Malformed},
		{name: "trailing garbage is malformed", op: "ListJobs", body: `{} x`, kind: protocol.Malformed},
		{name: "a second object is malformed", op: "ListJobs", body: `{}{}`, kind: protocol.Malformed},
		{name: "a string for an integer names the member", op: "ListJobs", body: `{"MaxResults":"5"}`, kind: protocol.Malformed, member: "MaxResults"},
		{name: "an int32 overflow names the member", op: "ListJobs", body: `{"MaxResults":2147483648}`, kind: protocol.Malformed, member: "MaxResults"},
		{name: "an int64 overflow is malformed", op: "ListJobs", body: `{"MaxResults":92233720368547758070}`, kind: protocol.Malformed, member: "MaxResults"},
		{name: "a fraction for an integer is malformed", op: "ListJobs", body: `{"MaxResults":1.5}`, kind: protocol.Malformed, member: "MaxResults"},
		{name: "a huge exponent for an integer is malformed", op: "ListJobs", body: `{"MaxResults":1e400}`, kind: protocol.Malformed, member: "MaxResults"},
		{name: "a number for a string is malformed", op: "CancelJob", body: `{"JobId":5}`, kind: protocol.Malformed, member: "JobId"},
		{name: "a string for a boolean is malformed", op: "CreateAddress", body: `{"Address":{"IsRestricted":"true"}}`, kind: protocol.Malformed, member: "Address.IsRestricted"},
		{name: "an object for a list names the path", op: "CreateJob", body: `{"Resources":{"S3Resources":{}}}`, kind: protocol.Malformed, member: "Resources.S3Resources"},
		{name: "a bad list element names its index", op: "CreateJob", body: `{"Resources":{"S3Resources":[{},{"BucketArn":1}]}}`, kind: protocol.Malformed, member: "Resources.S3Resources[1].BucketArn"},
		{name: "a string for a double is malformed", op: "CreateJob", body: `{"OnDeviceServiceConfiguration":{"S3OnDeviceService":{"StorageLimit":"big"}}}`, kind: protocol.Malformed, member: "OnDeviceServiceConfiguration.S3OnDeviceService.StorageLimit"},
		{name: "a boolean for a timestamp is malformed", op: "UpdateJob", body: `{"PickupDetails":{"IdentificationExpirationDate":true}}`, kind: protocol.Malformed, member: "PickupDetails.IdentificationExpirationDate"},
		{name: "a timestamp past year 9999 is malformed", op: "UpdateJob", body: `{"PickupDetails":{"IdentificationExpirationDate":1e15}}`, kind: protocol.Malformed, member: "PickupDetails.IdentificationExpirationDate"},
		{name: "an unparsable timestamp string is malformed", op: "UpdateJob", body: `{"PickupDetails":{"IdentificationExpirationDate":"tomorrow"}}`, kind: protocol.Malformed},
		{name: "deep nesting under an unknown key is bounded by the JSON parser", op: "ListJobs", body: `{"x":` + strings.Repeat("[", 20000) + strings.Repeat("]", 20000) + `}`, kind: protocol.Malformed},
		{name: "a body over the limit is too large", op: "ListJobs", body: `{"NextToken":"` + strings.Repeat("a", protocol.MaxDocumentBytes) + `"}`, kind: protocol.TooLarge},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			method := tc.method
			if method == "" {
				method = http.MethodPost
			}
			r := request(method, tc.op, tc.body)
			if tc.target != "" {
				r.Header.Set("X-Amz-Target", tc.target)
			}
			_, err := decode(r)
			var de *protocol.DecodeError
			if !errors.As(err, &de) {
				t.Fatalf("got %v, want a DecodeError", err)
			}
			if de.Kind != tc.kind {
				t.Errorf("kind %d, want %d (%v)", de.Kind, tc.kind, err)
			}
			if tc.member != "" && de.Member != tc.member {
				t.Errorf("member %q, want %q (%v)", de.Member, tc.member, err)
			}
		})
	}
}

func TestABodyOfExactlyTheLimitIsRead(t *testing.T) {
	t.Parallel()
	prefix, suffix := `{"NextToken":"`, `"}`
	body := prefix + strings.Repeat("a", protocol.MaxDocumentBytes-len(prefix)-len(suffix)) + suffix
	got, err := decode(request(http.MethodPost, "ListJobs", body))
	if err != nil {
		t.Fatal(err)
	}
	if n := len(*got.(*snowball.ListJobsRequest).NextToken); n != protocol.MaxDocumentBytes-len(prefix)-len(suffix) {
		t.Errorf("NextToken has %d bytes", n)
	}
}

func encodeOutput(t *testing.T, op string, out any) *httptest.ResponseRecorder {
	t.Helper()
	rec := httptest.NewRecorder()
	if err := codec.EncodeOutput(rec, request(http.MethodPost, op, ""), snowball.Model.Operation(op), out); err != nil {
		t.Fatal(err)
	}
	return rec
}

func TestEncodeOutputWritesTheWireForm(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		op   string
		out  any
		want string
	}{
		{
			name: "the model's ListJobs example with an integral timestamp",
			op:   "ListJobs",
			out: &snowball.ListJobsResult{JobListEntries: []snowball.JobListEntry{{
				JobId: aws.String("JID123e4567-e89b-12d3-a456-426655440000"), JobState: ptr(snowball.JobState("New")),
				IsMaster: aws.Bool(false), JobType: ptr(snowball.JobType("IMPORT")), SnowballType: ptr(snowball.SnowballType("STANDARD")),
				CreationDate: ptr(time.Unix(1460678186, 0)), Description: aws.String("MyJob"),
			}}},
			want: `{"JobListEntries":[{"JobId":"JID123e4567-e89b-12d3-a456-426655440000","JobState":"New","IsMaster":false,"JobType":"IMPORT","SnowballType":"STANDARD","CreationDate":1460678186,"Description":"MyJob"}]}`,
		},
		{
			name: "timestamps with milliseconds have a fraction without trailing zeros",
			op:   "DescribeReturnShippingLabel",
			out:  &snowball.DescribeReturnShippingLabelResult{ExpirationDate: ptr(time.UnixMilli(1460678186120))},
			want: `{"ExpirationDate":1460678186.12}`,
		},
		{
			name: "sub-millisecond time is dropped",
			op:   "DescribeReturnShippingLabel",
			out:  &snowball.DescribeReturnShippingLabelResult{ExpirationDate: ptr(time.Unix(1460678186, 123999999))},
			want: `{"ExpirationDate":1460678186.123}`,
		},
		{
			name: "times before 1970 keep their sign",
			op:   "DescribeReturnShippingLabel",
			out:  &snowball.DescribeReturnShippingLabelResult{ExpirationDate: ptr(time.UnixMilli(-1500))},
			want: `{"ExpirationDate":-1.5}`,
		},
		{name: "an output with no members is {}", op: "CancelJob", out: &snowball.CancelJobResult{}, want: `{}`},
		{name: "a nil output is {}", op: "CancelJob", out: nil, want: `{}`},
		{name: "a typed nil output is {}", op: "CancelJob", out: (*snowball.CancelJobResult)(nil), want: `{}`},
		{name: "nil members are left out", op: "GetSnowballUsage", out: &snowball.GetSnowballUsageResult{SnowballsInUse: aws.Int32(0)}, want: `{"SnowballsInUse":0}`},
		{
			name: "strings are escaped like encoding/json",
			op:   "CreateAddress",
			out:  &snowball.CreateAddressResult{AddressId: aws.String("a\"b\\c\n\t\x01\u2028ö\xff<")},
			want: `{"AddressId":"a\"b\\c\n\t\u0001\u2028ö\ufffd<"}`,
		},
		{
			name: "an empty list is written as empty",
			op:   "DescribeAddresses",
			out:  &snowball.DescribeAddressesResult{Addresses: []snowball.Address{}},
			want: `{"Addresses":[]}`,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rec := encodeOutput(t, tc.op, tc.out)
			if rec.Code != 200 || rec.Header().Get("Content-Type") != "application/x-amz-json-1.1" {
				t.Errorf("status %d, Content-Type %q", rec.Code, rec.Header().Get("Content-Type"))
			}
			if got := rec.Body.String(); got != tc.want {
				t.Errorf("body\n got %s\nwant %s", got, tc.want)
			}
			if !json.Valid(rec.Body.Bytes()) {
				t.Error("body is not valid JSON")
			}
		})
	}
}

func TestDoublesAreWrittenAsJSONNumbersOrAwsJsonStrings(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		f    float64
		want string
	}{
		{"a fraction", 0.125, `0.125`},
		{"an integral double", 7, `7`},
		{"a tiny double uses an exponent", 1e-9, `1e-09`},
		{"a huge double uses an exponent", 1e300, `1e+300`},
		{"NaN is a string", math.NaN(), `"NaN"`},
		{"positive infinity is a string", math.Inf(1), `"Infinity"`},
		{"negative infinity is a string", math.Inf(-1), `"-Infinity"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			out := &snowball.DescribeJobResult{JobMetadata: &snowball.JobMetadata{OnDeviceServiceConfiguration: &snowball.OnDeviceServiceConfiguration{
				S3OnDeviceService: &snowball.S3OnDeviceServiceConfiguration{StorageLimit: aws.Float64(tc.f)},
			}}}
			want := `{"JobMetadata":{"OnDeviceServiceConfiguration":{"S3OnDeviceService":{"StorageLimit":` + tc.want + `}}}}`
			if got := encodeOutput(t, "DescribeJob", out).Body.String(); got != want {
				t.Errorf("got %s\nwant %s", got, want)
			}
			// What we write, we read back.
			r := request(http.MethodPost, "CreateJob", `{"OnDeviceServiceConfiguration":{"S3OnDeviceService":{"StorageLimit":`+tc.want+`}}}`)
			in, err := decode(r)
			if err != nil {
				t.Fatal(err)
			}
			got := *in.(*snowball.CreateJobRequest).OnDeviceServiceConfiguration.S3OnDeviceService.StorageLimit
			if got != tc.f && !(math.IsNaN(got) && math.IsNaN(tc.f)) {
				t.Errorf("read back %v", got)
			}
		})
	}
}

func TestEncodeErrorWritesTypeMessageAndMembers(t *testing.T) {
	t.Parallel()
	hdr := http.Header{"Allow": {"POST"}}
	cases := []struct {
		name   string
		err    apierror.Coded
		status int
		want   string
		header http.Header
	}{
		{
			name:   "a modeled error with an extra member",
			err:    &snowball.InvalidResourceException{Message: aws.String("no such job"), ResourceType: aws.String("JOB")},
			status: 400,
			want:   `{"__type":"InvalidResourceException","Message":"no such job","ResourceType":"JOB"}`,
		},
		{
			name:   "a modeled error without a message",
			err:    &snowball.InvalidJobStateException{},
			status: 400,
			want:   `{"__type":"InvalidJobStateException"}`,
		},
		{
			name:   "a generic error with fields and headers",
			err:    &apierror.Error{Code: "ThrottlingException", Status: 400, Message: "slow down", Fields: []apierror.Field{{Name: "Reason", Value: "rate"}, {Name: "Message", Value: "dup"}}, Header: hdr},
			status: 400,
			want:   `{"__type":"ThrottlingException","Message":"slow down","Reason":"rate"}`,
			header: hdr,
		},
		{
			name:   "an internal error",
			err:    apierror.Internal("InternalFailure"),
			status: 500,
			want:   `{"__type":"InternalFailure","Message":"We encountered an internal error. Please try again."}`,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rec := httptest.NewRecorder()
			codec.EncodeError(rec, request(http.MethodPost, "ListJobs", ""), tc.err, protocol.ErrorMeta{})
			if rec.Code != tc.status {
				t.Errorf("status %d, want %d", rec.Code, tc.status)
			}
			if got := rec.Header().Get("X-Amzn-ErrorType"); got != tc.err.ErrorCode() {
				t.Errorf("X-Amzn-ErrorType %q", got)
			}
			if got := rec.Header().Get("Content-Type"); got != awsjson.ContentType {
				t.Errorf("Content-Type %q", got)
			}
			for k := range tc.header {
				if rec.Header().Get(k) != tc.header.Get(k) {
					t.Errorf("header %s = %q", k, rec.Header().Get(k))
				}
			}
			if got := rec.Body.String(); got != tc.want {
				t.Errorf("body\n got %s\nwant %s", got, tc.want)
			}
		})
	}
}
