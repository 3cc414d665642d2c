package rpcv2cbor_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"reflect"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/jobplane/jobplane/internal/api/snowball"
	"github.com/jobplane/jobplane/internal/apierror"
	"github.com/jobplane/jobplane/internal/protocol"
)

func ptr[T any](v T) *T { return &v }

const addressID = "ADID1234ab12-3eec-4eb3-9be6-9374c10eb51b"

func TestDecodeInputReadsTheSpecVectors(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		op   string
		body string // hex
		want any
	}{
		{name: "GetSnowballUsage with the empty definite map a0", op: "GetSnowballUsage", body: "a0", want: &snowball.GetSnowballUsageRequest{}},
		{name: "GetSnowballUsage with the empty indefinite map bf ff", op: "GetSnowballUsage", body: "bfff", want: &snowball.GetSnowballUsageRequest{}},
		{name: "GetSnowballUsage with an empty body", op: "GetSnowballUsage", body: "", want: &snowball.GetSnowballUsageRequest{}},
		{
			name: "botocore's captured CreateJob map",
			op:   "CreateJob",
			body: "a4 674a6f6254797065 66494d504f5254 6c536e6f7762616c6c54797065 6445444745" +
				"69416464726573734964 7828" + hexOf(addressID) +
				"6e5368697070696e674f7074696f6e 6a5345434f4e445f444159",
			want: &snowball.CreateJobRequest{
				JobType: ptr(snowball.JobType("IMPORT")), SnowballType: ptr(snowball.SnowballType("EDGE")),
				AddressId: aws.String(addressID), ShippingOption: ptr(snowball.ShippingOption("SECOND_DAY")),
			},
		},
		{
			name: "botocore's captured UpdateJob PickupDetails with a tag-1 integer timestamp",
			op:   "UpdateJob",
			body: "a1 6d5069636b757044657461696c73 a1 781c" + hexOf("IdentificationExpirationDate") + "c1 1a 67760225",
			want: &snowball.UpdateJobRequest{PickupDetails: &snowball.PickupDetails{IdentificationExpirationDate: ptr(time.Unix(1735787045, 0).UTC())}},
		},
		{
			name: "a tag-1 float64 timestamp keeps milliseconds",
			op:   "UpdateJob",
			body: "a1 6d5069636b757044657461696c73 a1 781c" + hexOf("IdentificationExpirationDate") + "c1 fb 41d9dd808947df3b",
			want: &snowball.UpdateJobRequest{PickupDetails: &snowball.PickupDetails{IdentificationExpirationDate: ptr(time.UnixMilli(1735787045123).UTC())}},
		},
		{
			name: "a half-precision double",
			op:   "CreateJob",
			body: "a1 781c" + hexOf("OnDeviceServiceConfiguration") + "a1 71" + hexOf("S3OnDeviceService") + "a1 6c" + hexOf("StorageLimit") + "f9 3e00",
			want: &snowball.CreateJobRequest{OnDeviceServiceConfiguration: &snowball.OnDeviceServiceConfiguration{S3OnDeviceService: &snowball.S3OnDeviceServiceConfiguration{StorageLimit: aws.Float64(1.5)}}},
		},
		{
			name: "a single-precision double",
			op:   "CreateJob",
			body: "a1 781c" + hexOf("OnDeviceServiceConfiguration") + "a1 71" + hexOf("S3OnDeviceService") + "a1 6c" + hexOf("StorageLimit") + "fa 3e200000",
			want: &snowball.CreateJobRequest{OnDeviceServiceConfiguration: &snowball.OnDeviceServiceConfiguration{S3OnDeviceService: &snowball.S3OnDeviceServiceConfiguration{StorageLimit: aws.Float64(0.15625)}}},
		},
		{
			name: "an integer for a double",
			op:   "CreateJob",
			body: "a1 781c" + hexOf("OnDeviceServiceConfiguration") + "a1 71" + hexOf("S3OnDeviceService") + "a1 6c" + hexOf("StorageLimit") + "18 64",
			want: &snowball.CreateJobRequest{OnDeviceServiceConfiguration: &snowball.OnDeviceServiceConfiguration{S3OnDeviceService: &snowball.S3OnDeviceServiceConfiguration{StorageLimit: aws.Float64(100)}}},
		},
		{
			name: "indefinite-length text strings, keys and maps",
			op:   "CancelJob",
			body: "bf 7f 634a6f62 6249 64 ff 7f 6441424344 60 ff ff",
			want: &snowball.CancelJobRequest{JobId: aws.String("ABCD")},
		},
		{
			name: "an indefinite-length array of enums",
			op:   "UpdateJob",
			body: "a1 6c" + hexOf("Notification") + "a1 71" + hexOf("JobStatesToNotify") + "9f 634e6577 68436f6d706c657465 ff",
			want: &snowball.UpdateJobRequest{Notification: &snowball.Notification{JobStatesToNotify: []snowball.JobState{"New", "Complete"}}},
		},
		{
			name: "undefined f7 and null f6 are absent",
			op:   "ListJobs",
			body: "a2 6a" + hexOf("MaxResults") + "f7 69" + hexOf("NextToken") + "f6",
			want: &snowball.ListJobsRequest{},
		},
		{
			name: "negative and wide integers",
			op:   "ListJobs",
			body: "a1 6a" + hexOf("MaxResults") + "3a 7fffffff",
			want: &snowball.ListJobsRequest{MaxResults: aws.Int32(-2147483648)},
		},
		{
			name: "booleans and unknown keys with tags and simple values",
			op:   "CreateAddress",
			body: "a2 67" + hexOf("Unknown") + "83 d8 20 60 f8 ff e0 67" + hexOf("Address") + "a1 6c" + hexOf("IsRestricted") + "f5",
			want: &snowball.CreateAddressRequest{Address: &snowball.Address{IsRestricted: aws.Bool(true)}},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := decode(request(tc.op, unhex(tc.body)))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %s\nwant %s", dump(got), dump(tc.want))
			}
		})
	}
}

func TestEncodeOutputWritesTheSpecVectors(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		op   string
		out  any
		want string
	}{
		{name: "CreateJob's captured response", op: "CreateJob", out: &snowball.CreateJobResult{JobId: aws.String("JID123e4567-e89b-12d3-a456-426655440000")},
			want: "a1 654a6f624964 7827" + hexOf("JID123e4567-e89b-12d3-a456-426655440000")},
		{name: "an output with no members is a0", op: "CancelJob", out: &snowball.CancelJobResult{}, want: "a0"},
		{name: "a nil output is a0", op: "CancelJob", out: nil, want: "a0"},
		{name: "an unset GetSnowballUsage output is a0, not an empty body", op: "GetSnowballUsage", out: &snowball.GetSnowballUsageResult{}, want: "a0"},
		{name: "integers take their smallest encoding", op: "GetSnowballUsage", out: &snowball.GetSnowballUsageResult{SnowballLimit: aws.Int32(23), SnowballsInUse: aws.Int32(24)},
			want: "a2 6d" + hexOf("SnowballLimit") + "17 6e" + hexOf("SnowballsInUse") + "18 18"},
		{name: "a whole-second timestamp is tag 1 and an integer", op: "DescribeReturnShippingLabel", out: &snowball.DescribeReturnShippingLabelResult{ExpirationDate: ptr(time.Unix(1735787045, 0))},
			want: "a1 6e" + hexOf("ExpirationDate") + "c1 1a 67760225"},
		{name: "a timestamp with milliseconds is tag 1 and a float64", op: "DescribeReturnShippingLabel", out: &snowball.DescribeReturnShippingLabelResult{ExpirationDate: ptr(time.UnixMilli(1735787045123))},
			want: "a1 6e" + hexOf("ExpirationDate") + "c1 fb 41d9dd808947df3b"},
		{name: "a double is a float64 and a long past 32 bits uses eight bytes", op: "DescribeJob", out: &snowball.DescribeJobResult{JobMetadata: &snowball.JobMetadata{
			DataTransferProgress:         &snowball.DataTransfer{TotalBytes: aws.Int64(1 << 40)},
			OnDeviceServiceConfiguration: &snowball.OnDeviceServiceConfiguration{S3OnDeviceService: &snowball.S3OnDeviceServiceConfiguration{StorageLimit: aws.Float64(1.5)}},
		}}, want: "a1 6b" + hexOf("JobMetadata") + "a2 74" + hexOf("DataTransferProgress") + "a1 6a" + hexOf("TotalBytes") + "1b 0000010000000000" +
			"781c" + hexOf("OnDeviceServiceConfiguration") + "a1 71" + hexOf("S3OnDeviceService") + "a1 6c" + hexOf("StorageLimit") + "fb 3ff8000000000000"},
		{name: "an empty list is written as empty", op: "ListJobs", out: &snowball.ListJobsResult{JobListEntries: []snowball.JobListEntry{}},
			want: "a1 6e" + hexOf("JobListEntries") + "80"},
		{name: "booleans and a list of structures", op: "ListJobs", out: &snowball.ListJobsResult{JobListEntries: []snowball.JobListEntry{{IsMaster: aws.Bool(false)}, {IsMaster: aws.Bool(true)}}},
			want: "a1 6e" + hexOf("JobListEntries") + "82 a1 68" + hexOf("IsMaster") + "f4 a1 68" + hexOf("IsMaster") + "f5"},
		{name: "invalid UTF-8 becomes U+FFFD", op: "CreateAddress", out: &snowball.CreateAddressResult{AddressId: aws.String("a\xff")},
			want: "a1 69" + hexOf("AddressId") + "64 61efbfbd"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rec := httptest.NewRecorder()
			if err := codec.EncodeOutput(rec, request(tc.op, nil), snowball.Model.Operation(tc.op), tc.out); err != nil {
				t.Fatal(err)
			}
			if got, want := rec.Body.Bytes(), unhex(tc.want); !bytes.Equal(got, want) {
				t.Errorf("body\n got %x\nwant %x", got, want)
			}
			if rec.Header().Get("Smithy-Protocol") != "rpc-v2-cbor" || rec.Header().Get("Content-Type") != "application/cbor" || rec.Code != 200 {
				t.Errorf("status %d headers %v", rec.Code, rec.Header())
			}
		})
	}
}

func TestEncodeErrorWritesTheAbsoluteType(t *testing.T) {
	t.Parallel()
	msg := "Job is in a bad state.."
	cases := []struct {
		name   string
		err    apierror.Coded
		status int
		want   string
	}{
		{
			name:   "the spec's InvalidJobStateException vector",
			err:    &snowball.InvalidJobStateException{Message: aws.String(msg)},
			status: 400,
			want:   "a2 665f5f74797065 782f" + hexOf("com.amazonaws.snowball#InvalidJobStateException") + "674d657373616765 77" + hexOf(msg),
		},
		{
			name:   "an InvalidResourceException carries ResourceType",
			err:    &snowball.InvalidResourceException{Message: aws.String("m"), ResourceType: aws.String("JOB")},
			status: 400,
			want: "a3 665f5f74797065 782f" + hexOf("com.amazonaws.snowball#InvalidResourceException") + "674d657373616765 616d" +
				"6c" + hexOf("ResourceType") + "634a4f42",
		},
		{
			name:   "a generic error gets the service namespace and its fields",
			err:    apierror.New("ValidationException", 400, "bad").With("Reason", "r"),
			status: 400,
			want: "a3 665f5f74797065 782a" + hexOf("com.amazonaws.snowball#ValidationException") + "674d657373616765 63" + hexOf("bad") +
				"66" + hexOf("Reason") + "6172",
		},
		{
			name:   "an already absolute code is kept",
			err:    apierror.New("smithy.framework#ValidationException", 400, ""),
			status: 400,
			want:   "a1 665f5f74797065 7824" + hexOf("smithy.framework#ValidationException"),
		},
		{
			name:   "an internal error is a 500",
			err:    apierror.New("InternalFailure", 500, "x"),
			status: 500,
			want:   "a2 665f5f74797065 7826" + hexOf("com.amazonaws.snowball#InternalFailure") + "674d657373616765 6178",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rec := httptest.NewRecorder()
			codec.EncodeError(rec, request("CancelJob", nil), tc.err, protocol.ErrorMeta{RequestID: "r"})
			if rec.Code != tc.status {
				t.Errorf("status %d, want %d", rec.Code, tc.status)
			}
			if got, want := rec.Body.Bytes(), unhex(tc.want); !bytes.Equal(got, want) {
				t.Errorf("body\n got %x\nwant %x", got, want)
			}
			if rec.Header().Get("X-Amzn-ErrorType") != "" {
				t.Error("X-Amzn-ErrorType must not be sent")
			}
			if rec.Header().Get("Smithy-Protocol") != "rpc-v2-cbor" || rec.Header().Get("Content-Type") != "application/cbor" {
				t.Errorf("headers %v", rec.Header())
			}
		})
	}
}

func TestRouteFollowsTheRPCv2Rules(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		method string
		path   string
		header http.Header
		op     string
		kind   protocol.DecodeKind
	}{
		{name: "the bare service name routes", path: "/service/AWSIESnowballJobManagementService/operation/ListJobs", op: "ListJobs"},
		{name: "the absolute service ID routes", path: "/service/com.amazonaws.snowball.AWSIESnowballJobManagementService/operation/ListJobs", op: "ListJobs"},
		{name: "a path prefix is ignored", path: "/some/prefix/service/AWSIESnowballJobManagementService/operation/CreateJob", op: "CreateJob"},
		{name: "an unknown operation", path: "/service/AWSIESnowballJobManagementService/operation/Nope", kind: protocol.UnknownOperation},
		{name: "another service", path: "/service/AmazonS3/operation/ListJobs", kind: protocol.UnknownOperation},
		{name: "the absolute ID with # is not a path segment", path: "/service/com.amazonaws.snowball#AWSIESnowballJobManagementService/operation/ListJobs", kind: protocol.UnknownOperation},
		{name: "a path that is not an RPC path", path: "/", kind: protocol.UnknownOperation},
		{name: "a trailing slash is not an operation", path: "/service/AWSIESnowballJobManagementService/operation/ListJobs/", kind: protocol.UnknownOperation},
		{name: "an empty operation segment", path: "/service/AWSIESnowballJobManagementService/operation/", kind: protocol.UnknownOperation},
		{name: "GET is not allowed", method: http.MethodGet, path: "/service/AWSIESnowballJobManagementService/operation/ListJobs", kind: protocol.MethodNotAllowed},
		{name: "a missing Smithy-Protocol is malformed", path: "/service/AWSIESnowballJobManagementService/operation/ListJobs", header: http.Header{"Smithy-Protocol": nil}, kind: protocol.Malformed},
		{name: "a wrong Smithy-Protocol is malformed", path: "/service/AWSIESnowballJobManagementService/operation/ListJobs", header: http.Header{"Smithy-Protocol": {"rpc-v2-json"}}, kind: protocol.Malformed},
		{name: "X-Amz-Target is rejected", path: "/service/AWSIESnowballJobManagementService/operation/ListJobs", header: http.Header{"X-Amz-Target": {"AWSIESnowballJobManagementService.ListJobs"}}, kind: protocol.Malformed},
		{name: "an empty X-Amzn-Target is rejected", path: "/service/AWSIESnowballJobManagementService/operation/ListJobs", header: http.Header{"X-Amzn-Target": {""}}, kind: protocol.Malformed},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			method := tc.method
			if method == "" {
				method = http.MethodPost
			}
			r := httptest.NewRequest(method, "http://localhost"+tc.path, nil)
			r.Header.Set("Smithy-Protocol", "rpc-v2-cbor")
			for k, v := range tc.header {
				if v == nil {
					r.Header.Del(k)
				} else {
					r.Header[k] = v
				}
			}
			op, _, err := codec.Route(r)
			if tc.kind == 0 {
				if err != nil || op.Name != tc.op {
					t.Fatalf("got %v, %v; want %s", op, err, tc.op)
				}
				return
			}
			de, ok := err.(*protocol.DecodeError)
			if !ok || de.Kind != tc.kind {
				t.Fatalf("got %v, want kind %d", err, tc.kind)
			}
		})
	}
}

func TestBadBodiesAreMalformedOrTooLarge(t *testing.T) {
	t.Parallel()
	deep := bytes.Repeat([]byte{0x81}, 100)
	deep = append(append([]byte{0xa1, 0x61, 0x78}, deep...), 0x80)
	cases := []struct {
		name   string
		op     string
		body   []byte
		kind   protocol.DecodeKind
		member string
	}{
		{name: "a truncated map", op: "ListJobs", body: unhex("a2 6a" + hexOf("MaxResults") + "05"), kind: protocol.Malformed},
		{name: "trailing bytes after the map", op: "ListJobs", body: unhex("a0 00"), kind: protocol.Malformed},
		{name: "two maps", op: "ListJobs", body: unhex("a0 a0"), kind: protocol.Malformed},
		{name: "an array at the top level", op: "ListJobs", body: unhex("80"), kind: protocol.Malformed},
		{name: "null at the top level", op: "ListJobs", body: unhex("f6"), kind: protocol.Malformed},
		{name: "an integer map key", op: "ListJobs", body: unhex("a1 01 02"), kind: protocol.Malformed},
		{name: "a duplicate key", op: "ListJobs", body: unhex("a2 6a" + hexOf("MaxResults") + "01 6a" + hexOf("MaxResults") + "02"), kind: protocol.Malformed},
		{name: "a map declaring 2^32 pairs", op: "ListJobs", body: unhex("bb 0000000100000000 60 60"), kind: protocol.Malformed},
		{name: "an array declaring 2^63 elements under an unknown key", op: "ListJobs", body: unhex("a1 6178 9b 7fffffffffffffff 00"), kind: protocol.Malformed},
		{name: "a text string declaring 2^64-1 bytes", op: "ListJobs", body: unhex("a1 69" + hexOf("NextToken") + "7b ffffffffffffffff 61"), kind: protocol.Malformed},
		{name: "a byte string chunk in an indefinite text string", op: "ListJobs", body: unhex("a1 69" + hexOf("NextToken") + "7f 4161 ff"), kind: protocol.Malformed},
		{name: "a nested indefinite chunk", op: "ListJobs", body: unhex("a1 69" + hexOf("NextToken") + "7f 7f ff ff"), kind: protocol.Malformed},
		{name: "an unterminated indefinite map", op: "ListJobs", body: unhex("bf"), kind: protocol.Malformed},
		{name: "a stray break", op: "ListJobs", body: unhex("a1 6178 ff"), kind: protocol.Malformed},
		{name: "reserved additional information", op: "ListJobs", body: unhex("a1 6178 1c"), kind: protocol.Malformed},
		{name: "an indefinite integer", op: "ListJobs", body: unhex("a1 6178 1f"), kind: protocol.Malformed},
		{name: "a two-byte simple value below 32", op: "ListJobs", body: unhex("a1 6178 f8 10"), kind: protocol.Malformed},
		{name: "invalid UTF-8 in a text string", op: "ListJobs", body: unhex("a1 69" + hexOf("NextToken") + "61 ff"), kind: protocol.Malformed},
		{name: "nesting deeper than the limit", op: "ListJobs", body: deep, kind: protocol.Malformed},
		{name: "a text string for an integer names the member", op: "ListJobs", body: unhex("a1 6a" + hexOf("MaxResults") + "61 35"), kind: protocol.Malformed, member: "MaxResults"},
		{name: "an int32 overflow", op: "ListJobs", body: unhex("a1 6a" + hexOf("MaxResults") + "1a 80000000"), kind: protocol.Malformed, member: "MaxResults"},
		{name: "a uint64 past int64", op: "ListJobs", body: unhex("a1 6a" + hexOf("MaxResults") + "1b ffffffffffffffff"), kind: protocol.Malformed, member: "MaxResults"},
		{name: "a negative integer past int64", op: "ListJobs", body: unhex("a1 6a" + hexOf("MaxResults") + "3b ffffffffffffffff"), kind: protocol.Malformed, member: "MaxResults"},
		{name: "a fraction for an integer", op: "ListJobs", body: unhex("a1 6a" + hexOf("MaxResults") + "f9 3e00"), kind: protocol.Malformed, member: "MaxResults"},
		{name: "a byte string for a string", op: "CancelJob", body: unhex("a1 65" + hexOf("JobId") + "41 61"), kind: protocol.Malformed, member: "JobId"},
		{name: "an unknown tag for a string", op: "CancelJob", body: unhex("a1 65" + hexOf("JobId") + "d8 20 61 61"), kind: protocol.Malformed, member: "JobId"},
		{name: "undefined inside a list is dropped but a number is not a state", op: "UpdateJob",
			body: unhex("a1 6c" + hexOf("Notification") + "a1 71" + hexOf("JobStatesToNotify") + "82 f7 01"), kind: protocol.Malformed, member: "Notification.JobStatesToNotify[1]"},
		{name: "tag 1 around a string", op: "UpdateJob", body: unhex("a1 6d" + hexOf("PickupDetails") + "a1 781c" + hexOf("IdentificationExpirationDate") + "c1 61 31"), kind: protocol.Malformed},
		{name: "tag 1 around NaN", op: "UpdateJob", body: unhex("a1 6d" + hexOf("PickupDetails") + "a1 781c" + hexOf("IdentificationExpirationDate") + "c1 f9 7e00"), kind: protocol.Malformed},
		{name: "tag 1 past year 9999", op: "UpdateJob", body: unhex("a1 6d" + hexOf("PickupDetails") + "a1 781c" + hexOf("IdentificationExpirationDate") + "c1 1b 00000fffffffffff"), kind: protocol.Malformed},
		{name: "a body over the limit", op: "ListJobs", body: bytes.Repeat([]byte{0}, protocol.MaxDocumentBytes+1), kind: protocol.TooLarge},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := decode(request(tc.op, tc.body))
			de, ok := err.(*protocol.DecodeError)
			if !ok {
				t.Fatalf("got %v, want a DecodeError", err)
			}
			if de.Kind != tc.kind {
				t.Errorf("kind %d, want %d: %v", de.Kind, tc.kind, err)
			}
			if tc.member != "" && de.Member != tc.member {
				t.Errorf("member %q, want %q: %v", de.Member, tc.member, err)
			}
		})
	}
}

func TestHugeDeclaredLengthsFailWithoutAllocating(t *testing.T) {
	body := unhex("a1 6178 9b 7fffffffffffffff 00")
	allocs := testing.AllocsPerRun(20, func() {
		if _, err := decode(request("ListJobs", body)); err == nil {
			t.Fatal("decoded")
		}
	})
	// The request itself allocates a little; a buffer for 2^63 elements
	// would fail the test by crashing long before this check.
	if allocs > 200 {
		t.Errorf("%v allocations", allocs)
	}
}
