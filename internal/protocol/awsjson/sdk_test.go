package awsjson_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	sdk "github.com/aws/aws-sdk-go-v2/service/snowball"
	"github.com/aws/aws-sdk-go-v2/service/snowball/types"

	"github.com/jobplane/jobplane/internal/api/snowball"
	"github.com/jobplane/jobplane/internal/apierror"
	"github.com/jobplane/jobplane/internal/protocol"
	"github.com/jobplane/jobplane/internal/protocol/awsjson"
	"github.com/jobplane/jobplane/internal/protocol/document/doctest"
	"github.com/jobplane/jobplane/internal/schema"
)

// doer is the SDK's HTTP client: it hands the captured request to the codec
// and returns what the codec wrote.
type doer func(*http.Request) (*http.Response, error)

func (d doer) Do(r *http.Request) (*http.Response, error) { return d(r) }

func newClient(d doer) *sdk.Client {
	return sdk.New(sdk.Options{
		Region:           "us-west-2",
		Credentials:      credentials.NewStaticCredentialsProvider("AKID", "SECRET", ""),
		BaseEndpoint:     aws.String("http://localhost:4588"),
		HTTPClient:       d,
		RetryMaxAttempts: 1,
	})
}

// serve routes and decodes r with codec, checks the input against want,
// and answers with out (or with fail when it is not nil).
func serve(t *testing.T, codec *awsjson.Codec, r *http.Request, wantOp string, want any, out any, fail apierror.Coded) *http.Response {
	t.Helper()
	rec := httptest.NewRecorder()
	op, params, err := codec.Route(r)
	if err != nil {
		t.Fatalf("Route: %v", err)
	}
	if op.Name != wantOp {
		t.Fatalf("Route chose %s, want %s", op.Name, wantOp)
	}
	in, err := codec.DecodeInput(r, op, params)
	if err != nil {
		t.Fatalf("DecodeInput: %v", err)
	}
	if want != nil && !reflect.DeepEqual(in, want) {
		t.Errorf("decoded input\n got %s\nwant %s", dump(in), dump(want))
	}
	if fail != nil {
		rec.Header().Set("x-amzn-RequestId", "req-1")
		codec.EncodeError(rec, r, fail, protocol.ErrorMeta{RequestID: "req-1"})
	} else if err := codec.EncodeOutput(rec, r, op, out); err != nil {
		t.Fatalf("EncodeOutput: %v", err)
	}
	return rec.Result()
}

func dump(v any) string { return fmt.Sprintf("%+v", doctest.Tree(shapeOf(v), reflect.ValueOf(v))) }

func shapeOf(v any) *schema.Shape {
	t := reflect.TypeOf(v).Elem()
	for _, sh := range snowball.Model.Shapes {
		if sh.GoType == t {
			return sh
		}
	}
	panic("no shape for " + t.String())
}

// call invokes the SDK method named op with in, a pointer to the SDK's input
// type built from ours, and returns the SDK's output and error.
func call(client *sdk.Client, op string, in any) (any, error) {
	m := reflect.ValueOf(client).MethodByName(op)
	sdkIn := reflect.New(m.Type().In(1).Elem())
	if err := convert(sdkIn, reflect.ValueOf(in)); err != nil {
		return nil, fmt.Errorf("building the SDK input: %w", err)
	}
	res := m.Call([]reflect.Value{reflect.ValueOf(context.Background()), sdkIn})
	err, _ := res[1].Interface().(error)
	return res[0].Interface(), err
}

func TestSDKRoundTripOfEveryOperation(t *testing.T) {
	t.Parallel()
	codec := awsjson.New(snowball.Model)
	if len(snowball.Model.Operations) != 27 {
		t.Fatalf("model has %d operations, want 27", len(snowball.Model.Operations))
	}
	for _, op := range snowball.Model.Operations {
		t.Run(op.Name+" input and output survive the SDK", func(t *testing.T) {
			t.Parallel()
			in := doctest.Fill(op.Input)
			out := doctest.Fill(op.Output)
			client := newClient(func(r *http.Request) (*http.Response, error) {
				if got := r.Header.Get("X-Amz-Target"); got != "AWSIESnowballJobManagementService."+op.Name {
					t.Errorf("X-Amz-Target %q", got)
				}
				return serve(t, codec, r, op.Name, in, out, nil), nil
			})
			sdkOut, err := call(client, op.Name, in)
			if err != nil {
				t.Fatalf("SDK call: %v", err)
			}
			got := reflect.New(op.Output.GoType)
			if err := convert(got, reflect.ValueOf(sdkOut)); err != nil {
				t.Fatalf("reading the SDK output: %v", err)
			}
			if !reflect.DeepEqual(got.Interface(), out) {
				t.Errorf("SDK parsed\n got %s\nwant %s", dump(got.Interface()), dump(out))
			}
		})
	}
}

func TestSDKRoundTripOfSparseValues(t *testing.T) {
	t.Parallel()
	codec := awsjson.New(snowball.Model)
	cases := []struct {
		name string
		op   string
		in   any
		out  any
	}{
		{
			name: "an input with no members and an output with empty lists",
			op:   "ListJobs",
			in:   &snowball.ListJobsRequest{},
			out:  &snowball.ListJobsResult{JobListEntries: []snowball.JobListEntry{}},
		},
		{
			name: "whole-second timestamps and false booleans",
			op:   "ListClusterJobs",
			in:   &snowball.ListClusterJobsRequest{ClusterId: aws.String("CID123e4567-e89b-12d3-a456-426655440000"), MaxResults: aws.Int32(0)},
			out: &snowball.ListClusterJobsResult{JobListEntries: []snowball.JobListEntry{{
				JobId: aws.String("JID123e4567-e89b-12d3-a456-426655440000"), IsMaster: aws.Bool(true),
				JobState: ptr(snowball.JobState("New")), CreationDate: ptr(time.Unix(1460678186, 0).UTC()),
			}}},
		},
		{
			name: "a zero double and a large long",
			op:   "DescribeJob",
			in:   &snowball.DescribeJobRequest{JobId: aws.String("JID123e4567-e89b-12d3-a456-426655440000")},
			out: &snowball.DescribeJobResult{JobMetadata: &snowball.JobMetadata{
				DataTransferProgress: &snowball.DataTransfer{BytesTransferred: aws.Int64(1 << 62)},
				OnDeviceServiceConfiguration: &snowball.OnDeviceServiceConfiguration{
					S3OnDeviceService: &snowball.S3OnDeviceServiceConfiguration{StorageLimit: aws.Float64(0.125), ServiceSize: aws.Int32(3)},
				},
			}},
		},
		{
			name: "an output with no members",
			op:   "CancelJob",
			in:   &snowball.CancelJobRequest{JobId: aws.String("JID123e4567-e89b-12d3-a456-426655440000")},
			out:  &snowball.CancelJobResult{},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			client := newClient(func(r *http.Request) (*http.Response, error) {
				return serve(t, codec, r, tc.op, tc.in, tc.out, nil), nil
			})
			sdkOut, err := call(client, tc.op, tc.in)
			if err != nil {
				t.Fatalf("SDK call: %v", err)
			}
			got := reflect.New(reflect.TypeOf(tc.out).Elem())
			if err := convert(got, reflect.ValueOf(sdkOut)); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got.Interface(), tc.out) {
				t.Errorf("SDK parsed\n got %s\nwant %s", dump(got.Interface()), dump(tc.out))
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }

func TestSDKReceivesEveryModeledErrorAsItsType(t *testing.T) {
	t.Parallel()
	codec := awsjson.New(snowball.Model)
	msg := aws.String("something is wrong")
	cases := []struct {
		op    string
		err   apierror.Coded
		check func(t *testing.T, err error)
	}{
		{"CreateJob", &snowball.ClusterLimitExceededException{Message: msg}, expect[*types.ClusterLimitExceededException](func(e *types.ClusterLimitExceededException) []any {
			return []any{e.Message}
		})},
		{"CreateReturnShippingLabel", &snowball.ConflictException{Message: msg, ConflictResource: aws.String("JID123")}, expect[*types.ConflictException](func(e *types.ConflictException) []any {
			return []any{e.Message, e.ConflictResource}
		})},
		{"CreateJob", &snowball.Ec2RequestFailedException{Message: msg}, expect[*types.Ec2RequestFailedException](func(e *types.Ec2RequestFailedException) []any {
			return []any{e.Message}
		})},
		{"CreateAddress", &snowball.InvalidAddressException{Message: msg}, expect[*types.InvalidAddressException](func(e *types.InvalidAddressException) []any {
			return []any{e.Message}
		})},
		{"CreateJob", &snowball.InvalidInputCombinationException{Message: msg}, expect[*types.InvalidInputCombinationException](func(e *types.InvalidInputCombinationException) []any {
			return []any{e.Message}
		})},
		{"CancelJob", &snowball.InvalidJobStateException{Message: msg}, expect[*types.InvalidJobStateException](func(e *types.InvalidJobStateException) []any {
			return []any{e.Message}
		})},
		{"ListJobs", &snowball.InvalidNextTokenException{Message: msg}, expect[*types.InvalidNextTokenException](func(e *types.InvalidNextTokenException) []any {
			return []any{e.Message}
		})},
		{"DescribeJob", &snowball.InvalidResourceException{Message: msg, ResourceType: aws.String("JOB")}, expect[*types.InvalidResourceException](func(e *types.InvalidResourceException) []any {
			return []any{e.Message, e.ResourceType}
		})},
		{"CancelJob", &snowball.KMSRequestFailedException{Message: msg}, expect[*types.KMSRequestFailedException](func(e *types.KMSRequestFailedException) []any {
			return []any{e.Message}
		})},
		{"CreateReturnShippingLabel", &snowball.ReturnShippingLabelAlreadyExistsException{Message: msg}, expect[*types.ReturnShippingLabelAlreadyExistsException](func(e *types.ReturnShippingLabelAlreadyExistsException) []any {
			return []any{e.Message}
		})},
		{"CreateAddress", &snowball.UnsupportedAddressException{Message: msg}, expect[*types.UnsupportedAddressException](func(e *types.UnsupportedAddressException) []any {
			return []any{e.Message}
		})},
	}
	for _, tc := range cases {
		t.Run(tc.err.ErrorCode()+" from "+tc.op+" arrives typed with its members", func(t *testing.T) {
			t.Parallel()
			op := snowball.Model.Operation(tc.op)
			client := newClient(func(r *http.Request) (*http.Response, error) {
				return serve(t, codec, r, tc.op, nil, nil, tc.err), nil
			})
			_, err := call(client, tc.op, doctest.Fill(op.Input))
			tc.check(t, err)
		})
	}
}

// expect returns a check that err is an E whose members equal the ones the
// test set: "something is wrong" and, for the extras, what the case chose.
func expect[E error](members func(E) []any) func(*testing.T, error) {
	return func(t *testing.T, err error) {
		t.Helper()
		var e E
		if !errors.As(err, &e) {
			t.Fatalf("error %T %v is not %T", err, err, e)
		}
		got := members(e)
		if m := got[0].(*string); m == nil || *m != "something is wrong" {
			t.Errorf("Message = %v", m)
		}
		for _, extra := range got[1:] {
			if s := extra.(*string); s == nil || (*s != "JOB" && *s != "JID123") {
				t.Errorf("extra member = %v", s)
			}
		}
	}
}

func TestSDKReceivesGenericErrorsByCode(t *testing.T) {
	t.Parallel()
	codec := awsjson.New(snowball.Model)
	fail := apierror.New("ValidationException", 400, "1 validation error detected").With("Reason", "x")
	client := newClient(func(r *http.Request) (*http.Response, error) {
		return serve(t, codec, r, "ListJobs", nil, nil, fail), nil
	})
	_, err := client.ListJobs(context.Background(), &sdk.ListJobsInput{})
	var ae interface {
		ErrorCode() string
		ErrorMessage() string
	}
	if !errors.As(err, &ae) || ae.ErrorCode() != "ValidationException" || ae.ErrorMessage() != "1 validation error detected" {
		t.Fatalf("got %v", err)
	}
}

var timeType = reflect.TypeFor[time.Time]()

// convert copies src into dst between our generated types and the SDK's,
// matching fields by name. Nil and zero-valued fields are absent (the SDK
// uses plain bool and int32 for members with a default). Times are kept to
// the millisecond, the precision both protocols carry.
func convert(dst, src reflect.Value) error {
	for src.Kind() == reflect.Pointer || src.Kind() == reflect.Interface {
		if src.IsNil() {
			return nil
		}
		src = src.Elem()
	}
	if dst.Kind() == reflect.Pointer {
		if dst.IsNil() {
			dst.Set(reflect.New(dst.Type().Elem()))
		}
		dst = dst.Elem()
	}
	switch {
	case src.Type() == timeType:
		dst.Set(reflect.ValueOf(src.Interface().(time.Time).Round(time.Millisecond).UTC()))
	case src.Kind() == reflect.Struct:
		for i := range src.NumField() {
			sf := src.Type().Field(i)
			f := src.Field(i)
			if !sf.IsExported() || sf.Name == "ResultMetadata" || f.IsZero() {
				continue
			}
			df := dst.FieldByName(sf.Name)
			if !df.IsValid() {
				return fmt.Errorf("%s has no field %s", dst.Type(), sf.Name)
			}
			if err := convert(df, f); err != nil {
				return fmt.Errorf("%s.%w", sf.Name, err)
			}
		}
	case src.Kind() == reflect.Slice:
		s := reflect.MakeSlice(dst.Type(), src.Len(), src.Len())
		for i := range src.Len() {
			if err := convert(s.Index(i), src.Index(i)); err != nil {
				return err
			}
		}
		dst.Set(s)
	case src.Kind() == reflect.Map:
		m := reflect.MakeMap(dst.Type())
		for _, k := range src.MapKeys() {
			v := reflect.New(dst.Type().Elem()).Elem()
			if err := convert(v, src.MapIndex(k)); err != nil {
				return err
			}
			m.SetMapIndex(k.Convert(dst.Type().Key()), v)
		}
		dst.Set(m)
	case src.Kind() == reflect.String:
		dst.SetString(src.String())
	case src.CanInt():
		dst.SetInt(src.Int())
	case src.CanFloat():
		dst.SetFloat(src.Float())
	case src.Kind() == reflect.Bool:
		dst.SetBool(src.Bool())
	default:
		return fmt.Errorf("cannot convert %s", src.Type())
	}
	return nil
}
