// Command gateway measures what jobplane's request path costs: requests per
// second through the gateway (detection, routing, decoding, validation,
// provider call, encoding) for one operation per wire protocol, against a
// baseline in the same run: a bare net/http handler that reads the same
// request and writes the same response bytes without understanding them.
//
//	go run ./bench/gateway [-duration 3s] [-concurrency 8]
//
// Both servers and the load generator run in this process on loopback, so
// the ratio is what the numbers mean on a shared machine.
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fxamacker/cbor/v2"

	"github.com/jobplane/jobplane/internal/api/s3control"
	"github.com/jobplane/jobplane/internal/api/snowball"
	"github.com/jobplane/jobplane/internal/gateway"
	"github.com/jobplane/jobplane/internal/procs"
)

func main() {
	procs.Tune() // as jobplane serve does
	duration := flag.Duration("duration", 3*time.Second, "how long each measurement runs")
	concurrency := flag.Int("concurrency", 8, "requests in flight at once")
	flag.Parse()

	gw, err := gateway.New(gateway.Options{Region: "us-east-1", S3Domain: "localhost", S3Control: benchS3Control{}, Snowball: benchSnowball{}})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	jobplane := serve(gw)

	fmt.Printf("%-36s %12s %12s %8s\n", "scenario", "jobplane/s", "baseline/s", "ratio")
	for _, sc := range scenarios() {
		// The baseline answers with exactly the bytes jobplane sends.
		status, header, body := roundTrip(jobplane, sc)
		if status != sc.wantStatus {
			fmt.Fprintf(os.Stderr, "%s: jobplane answered %d: %s\n", sc.name, status, body)
			os.Exit(1)
		}
		baseline := serve(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			io.Copy(io.Discard, r.Body)
			for k, v := range header {
				w.Header()[k] = v
			}
			w.WriteHeader(status)
			w.Write(body)
		}))
		jp := measure(jobplane, sc, *duration, *concurrency)
		base := measure(baseline, sc, *duration, *concurrency)
		fmt.Printf("%-36s %12.0f %12.0f %8.2f\n", sc.name, jp, base, jp/base)
	}
}

type scenario struct {
	name       string
	method     string
	path       string
	header     map[string]string
	body       []byte
	wantStatus int
}

func scenarios() []scenario {
	cborBody, _ := cbor.Marshal(map[string]any{"JobId": "JID123e4567-e89b-12d3-a456-426655440000"})
	return []scenario{
		{"s3control DescribeJob (restXml out)", "GET", "/v20180820/jobs/93735294-df46-44d5-8638-6356f335324e",
			map[string]string{"X-Amz-Account-Id": "123456789012"}, nil, 200},
		{"s3control CreateJob (restXml in)", "POST", "/v20180820/jobs",
			map[string]string{"X-Amz-Account-Id": "123456789012"}, []byte(createJobXML), 200},
		{"snowball DescribeJob (JSON)", "POST", "/",
			map[string]string{"X-Amz-Target": "AWSIESnowballJobManagementService.DescribeJob", "Content-Type": "application/x-amz-json-1.1"},
			[]byte(`{"JobId":"JID123e4567-e89b-12d3-a456-426655440000"}`), 200},
		{"snowball DescribeJob (CBOR)", "POST", "/service/AWSIESnowballJobManagementService/operation/DescribeJob",
			map[string]string{"Smithy-Protocol": "rpc-v2-cbor", "Content-Type": "application/cbor"}, cborBody, 200},
	}
}

func serve(h http.Handler) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	go http.Serve(ln, h)
	return "http://" + ln.Addr().String()
}

var client = &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 256, MaxConnsPerHost: 256}}

func request(base string, sc scenario) *http.Request {
	req, _ := http.NewRequest(sc.method, base+sc.path, bytes.NewReader(sc.body))
	for k, v := range sc.header {
		req.Header.Set(k, v)
	}
	return req
}

func roundTrip(base string, sc scenario) (int, http.Header, []byte) {
	resp, err := client.Do(request(base, sc))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	h := resp.Header.Clone()
	h.Del("Content-Length")
	h.Del("Date")
	return resp.StatusCode, h, body
}

// measure runs requests from concurrency workers for d and returns requests
// per second.
func measure(base string, sc scenario, d time.Duration, concurrency int) float64 {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	var n atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for range concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				resp, err := client.Do(request(base, sc))
				if err != nil {
					continue
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode == sc.wantStatus {
					n.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	return float64(n.Load()) / time.Since(start).Seconds()
}

func ptr[T any](v T) *T { return &v }

// benchS3Control answers with fixed, fully populated outputs.
type benchS3Control struct{ s3control.UnimplementedService }

func (benchS3Control) DescribeJob(ctx context.Context, in *s3control.DescribeJobRequest) (*s3control.DescribeJobResult, error) {
	created := time.Date(2019, 10, 3, 21, 48, 48, 48e6, time.UTC)
	return &s3control.DescribeJobResult{Job: &s3control.JobDescriptor{
		JobId: in.JobId, ConfirmationRequired: ptr(false), Description: ptr("tag job"),
		JobArn: ptr("arn:aws:s3:us-west-2:123456789012:job/" + *in.JobId), Status: ptr(s3control.JobStatusActive),
		Manifest: &s3control.JobManifest{
			Spec:     &s3control.JobManifestSpec{Format: ptr(s3control.JobManifestFormatS3BatchOperationsCSV20180820), Fields: []s3control.JobManifestFieldName{"Bucket", "Key"}},
			Location: &s3control.JobManifestLocation{ObjectArn: ptr("arn:aws:s3:::m/manifest.csv"), ETag: ptr("69f52a4e9f797e987155d9c8f5880897")},
		},
		Operation: &s3control.JobOperation{S3PutObjectTagging: &s3control.S3SetObjectTaggingOperation{TagSet: []s3control.S3Tag{{Key: ptr("k"), Value: ptr("v")}}}},
		Priority:  ptr(int32(42)),
		ProgressSummary: &s3control.JobProgressSummary{TotalNumberOfTasks: ptr(int64(8)), NumberOfTasksSucceeded: ptr(int64(3)), NumberOfTasksFailed: ptr(int64(5)),
			Timers: &s3control.JobTimers{ElapsedTimeInActiveSeconds: ptr(int64(61))}},
		Report:       &s3control.JobReport{Bucket: ptr("arn:aws:s3:::rep"), Format: ptr(s3control.JobReportFormatReportCSV20180820), Enabled: ptr(true), Prefix: ptr("p"), ReportScope: ptr(s3control.JobReportScopeAllTasks)},
		CreationTime: &created, RoleArn: ptr("arn:aws:iam::123456789012:role/r"),
	}}, nil
}

func (benchS3Control) CreateJob(ctx context.Context, in *s3control.CreateJobRequest) (*s3control.CreateJobResult, error) {
	return &s3control.CreateJobResult{JobId: ptr("93735294-df46-44d5-8638-6356f335324e")}, nil
}

type benchSnowball struct{ snowball.UnimplementedService }

func (benchSnowball) DescribeJob(ctx context.Context, in *snowball.DescribeJobRequest) (*snowball.DescribeJobResult, error) {
	created := time.Date(2016, 4, 15, 0, 0, 0, 0, time.UTC)
	return &snowball.DescribeJobResult{JobMetadata: &snowball.JobMetadata{
		JobId: in.JobId, JobState: ptr(snowball.JobStateWithCustomer), JobType: ptr(snowball.JobTypeIMPORT),
		SnowballType: ptr(snowball.SnowballTypeV35S), CreationDate: &created, Description: ptr("My job"),
		Resources: &snowball.JobResource{S3Resources: []snowball.S3Resource{{BucketArn: ptr("arn:aws:s3:::bucket"),
			KeyRange: &snowball.KeyRange{BeginMarker: ptr("a"), EndMarker: ptr("z")}}}},
		RoleARN: ptr("arn:aws:iam::123456789012:role/snow"), AddressId: ptr("ADID1234ab12-3eec-4eb3-9be6-9374c10eb51b"),
		ShippingDetails: &snowball.ShippingDetails{ShippingOption: ptr(snowball.ShippingOptionSECONDDAY),
			InboundShipment: &snowball.Shipment{Status: ptr("Delivered"), TrackingNumber: ptr("1Z999")}},
		SnowballCapacityPreference: ptr(snowball.SnowballCapacityT240),
	}}, nil
}

const createJobXML = `<CreateJobRequest xmlns="http://awss3control.amazonaws.com/doc/2018-08-20/"><ConfirmationRequired>false</ConfirmationRequired><Operation><LambdaInvoke><FunctionArn>arn:aws:lambda:us-west-2:123456789012:function:f</FunctionArn><InvocationSchemaVersion>2.0</InvocationSchemaVersion><UserArguments><entry><key>k1</key><value>v1</value></entry></UserArguments></LambdaInvoke></Operation><Report><Bucket>arn:aws:s3:::rep</Bucket><Format>Report_CSV_20180820</Format><Enabled>true</Enabled><Prefix>p</Prefix><ReportScope>AllTasks</ReportScope></Report><Manifest><Spec><Format>S3BatchOperations_CSV_20180820</Format><Fields><member>Bucket</member><member>Key</member></Fields></Spec><Location><ObjectArn>arn:aws:s3:::m/manifest.csv</ObjectArn><ETag>abc</ETag></Location></Manifest><Priority>10</Priority><RoleArn>arn:aws:iam::123456789012:role/r</RoleArn><Tags><member><Key>a</Key><Value>b</Value></member></Tags><Description>d</Description><ClientRequestToken>bf1469eb-7099-4982-946b-57b332ec98f0</ClientRequestToken></CreateJobRequest>`
