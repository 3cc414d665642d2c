package restxml_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3control"

	s3api "github.com/jobplane/jobplane/internal/api/s3"
	s3controlapi "github.com/jobplane/jobplane/internal/api/s3control"
	"github.com/jobplane/jobplane/internal/apierror"
	"github.com/jobplane/jobplane/internal/protocol"
	"github.com/jobplane/jobplane/internal/protocol/restxml"
	"github.com/jobplane/jobplane/internal/schema"
)

var (
	controlCodec = restxml.New(s3controlapi.Model, restxml.Options{WrappedErrors: true})
	s3Codec      = restxml.New(s3api.Model, restxml.Options{})
	errMeta      = protocol.ErrorMeta{RequestID: "REQ123", HostID: "HOST456"}
)

// fakeServer is the HTTP client the SDK clients use: it runs each request
// through the codec in process, records what was decoded, and answers with
// whatever respond returns, encoded by the codec.
type fakeServer struct {
	codec   *restxml.Codec
	respond func(op *schema.Operation, in any) (any, error)

	mu        sync.Mutex
	op        *schema.Operation
	in        any
	req       *http.Request
	decodeErr error
	rec       *httptest.ResponseRecorder
}

func (s *fakeServer) Do(r *http.Request) (*http.Response, error) {
	rec := httptest.NewRecorder()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.req, s.rec = r, rec
	op, params, err := s.codec.Route(r)
	var in any
	if err == nil {
		s.op = op
		in, err = s.codec.DecodeInput(r, op, params)
		s.in = in
	}
	if err != nil {
		s.decodeErr = err
		s.codec.EncodeError(rec, r, apierror.New("DecodeFailed", http.StatusBadRequest, err.Error()), errMeta)
		return result(rec, r), nil
	}
	var out any
	if s.respond != nil {
		out, err = s.respond(op, in)
	}
	if err != nil {
		coded, ok := apierror.As(err)
		if !ok {
			coded = apierror.Internal("InternalError")
		}
		s.codec.EncodeError(rec, r, coded, errMeta)
		return result(rec, r), nil
	}
	if err := s.codec.EncodeOutput(rec, r, op, out); err != nil {
		return nil, fmt.Errorf("EncodeOutput: %w", err)
	}
	return result(rec, r), nil
}

func result(rec *httptest.ResponseRecorder, r *http.Request) *http.Response {
	resp := rec.Result()
	resp.Request = r
	return resp
}

// lastOp returns the name of the operation the last request routed to.
func (s *fakeServer) lastOp() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.op == nil {
		return ""
	}
	return s.op.Name
}

func (s *fakeServer) lastIn() any {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.in
}

func (s *fakeServer) body() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.rec.Body.String()
}

func newControlClient(srv *fakeServer) *s3control.Client {
	srv.codec = controlCodec
	return s3control.New(s3control.Options{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("AKID", "SECRET", ""),
		HTTPClient:   srv,
		BaseEndpoint: aws.String("http://localhost:4588"),
		Retryer:      aws.NopRetryer{},
	})
}

func newS3Client(srv *fakeServer) *s3.Client {
	srv.codec = s3Codec
	return s3.New(s3.Options{
		Region:                     "us-east-1",
		Credentials:                credentials.NewStaticCredentialsProvider("AKID", "SECRET", ""),
		HTTPClient:                 srv,
		BaseEndpoint:               aws.String("http://localhost:4588"),
		UsePathStyle:               true,
		Retryer:                    aws.NopRetryer{},
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenRequired,
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenRequired,
	})
}

// sameAs reports the differences between one of our generated values and
// the aws-sdk-go-v2 value that should carry the same data. Fields are matched
// by name; an SDK union (an interface holding a *XMemberY{Value}) matches
// our struct with exactly field Y set; a nil pointer of ours matches an SDK
// zero value (the SDK holds some members by value).
func sameAs(ours, sdk any, skip ...string) []string {
	var diffs []string
	skipSet := map[string]bool{}
	for _, s := range skip {
		skipSet[s] = true
	}
	compareValues("", reflect.ValueOf(ours), reflect.ValueOf(sdk), skipSet, &diffs)
	return diffs
}

func derefAll(v reflect.Value) reflect.Value {
	for v.IsValid() && (v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface) {
		if v.IsNil() {
			return reflect.Value{}
		}
		v = v.Elem()
	}
	return v
}

var timeType = reflect.TypeFor[time.Time]()

func compareValues(path string, ours, sdk reflect.Value, skip map[string]bool, diffs *[]string) {
	o, s := derefAll(ours), derefAll(sdk)
	fail := func(format string, args ...any) {
		*diffs = append(*diffs, path+": "+fmt.Sprintf(format, args...))
	}
	switch {
	case !o.IsValid() && !s.IsValid():
		return
	case !o.IsValid():
		if !s.IsZero() {
			fail("ours is nil, SDK has %v", s.Interface())
		}
		return
	case !s.IsValid():
		if o.Kind() == reflect.Slice && o.Len() == 0 {
			return
		}
		fail("ours has %v, SDK has nil", o.Interface())
		return
	}
	if o.Type() == timeType {
		if s.Type() != timeType || !o.Interface().(time.Time).Equal(s.Interface().(time.Time)) {
			fail("time %v != %v", o.Interface(), s.Interface())
		}
		return
	}
	switch o.Kind() {
	case reflect.Struct:
		if s.Kind() != reflect.Struct {
			fail("ours is a struct, SDK has %s", s.Type())
			return
		}
		// An SDK union member: ...MemberX{Value}.
		if name := s.Type().Name(); strings.Contains(name, "Member") && s.NumField() > 0 && s.Type().Field(0).Name == "Value" {
			member := name[strings.LastIndex(name, "Member")+len("Member"):]
			for i := 0; i < o.NumField(); i++ {
				f := o.Type().Field(i)
				if f.Name == member {
					compareValues(path+"."+member, o.Field(i), s.Field(0), skip, diffs)
				} else if !o.Field(i).IsZero() {
					fail("union member %s set besides %s", f.Name, member)
				}
			}
			return
		}
		for i := 0; i < o.NumField(); i++ {
			f := o.Type().Field(i)
			if !f.IsExported() || skip[f.Name] {
				continue
			}
			sf := s.FieldByName(f.Name)
			if !sf.IsValid() {
				if !o.Field(i).IsZero() {
					fail("SDK type %s has no field %s", s.Type(), f.Name)
				}
				continue
			}
			compareValues(path+"."+f.Name, o.Field(i), sf, skip, diffs)
		}
	case reflect.Slice:
		if o.Type().Elem().Kind() == reflect.Uint8 {
			if s.Kind() != reflect.Slice || !bytes.Equal(o.Bytes(), s.Bytes()) {
				fail("bytes %q != %q", o.Bytes(), s.Interface())
			}
			return
		}
		if s.Kind() != reflect.Slice || o.Len() != s.Len() {
			fail("list %v != %v", o.Interface(), s.Interface())
			return
		}
		for i := 0; i < o.Len(); i++ {
			compareValues(fmt.Sprintf("%s[%d]", path, i), o.Index(i), s.Index(i), skip, diffs)
		}
	case reflect.Map:
		if s.Kind() != reflect.Map || o.Len() != s.Len() {
			fail("map %v != %v", o.Interface(), s.Interface())
			return
		}
		for _, k := range o.MapKeys() {
			sv := s.MapIndex(reflect.ValueOf(k.String()).Convert(s.Type().Key()))
			if !sv.IsValid() {
				fail("SDK map lacks key %q", k.String())
				continue
			}
			compareValues(path+"["+k.String()+"]", o.MapIndex(k), sv, skip, diffs)
		}
	case reflect.String:
		if s.Kind() != reflect.String || o.String() != s.String() {
			fail("%q != %v", o.String(), s.Interface())
		}
	case reflect.Interface:
		// Streams: compared by the tests that care.
	default:
		if fmt.Sprint(o.Interface()) != fmt.Sprint(s.Interface()) {
			fail("%v != %v", o.Interface(), s.Interface())
		}
	}
}

func assertSame(t *testing.T, what string, ours, sdk any, skip ...string) {
	t.Helper()
	for _, d := range sameAs(ours, sdk, skip...) {
		t.Errorf("%s%s", what, d)
	}
}

var ctx = context.Background()
