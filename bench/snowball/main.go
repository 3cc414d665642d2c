// Command snowball measures the Snowball API over a store holding 100,000
// jobs: requests per second for DescribeJob and ListJobs through the whole
// request path (gateway, codec, provider, embedded store), against a baseline
// in the same run: a bare net/http handler that reads the same request and
// writes the same response bytes.
//
//	go run ./bench/snowball [-jobs 100000] [-duration 3s] [-concurrency 8]
//
// The store lives in a temporary directory; the jobs are created through the
// provider (CreateJob), as clients would. Servers and load generator run in
// this process on loopback.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"runtime/pprof"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fxamacker/cbor/v2"

	api "github.com/jobplane/jobplane/internal/api/snowball"
	"github.com/jobplane/jobplane/internal/caller"
	"github.com/jobplane/jobplane/internal/gateway"
	"github.com/jobplane/jobplane/internal/procs"
	"github.com/jobplane/jobplane/internal/provider/snowball"
	"github.com/jobplane/jobplane/internal/store/sqlite"
)

// account is the one requests without credentials act as.
const account = caller.DefaultAccountID

func main() {
	procs.Tune() // as jobplane serve does
	jobs := flag.Int("jobs", 100_000, "jobs in the store")
	duration := flag.Duration("duration", 3*time.Second, "how long each measurement runs")
	concurrency := flag.Int("concurrency", 8, "requests in flight at once")
	only := flag.String("only", "", "run only the scenarios whose name contains this")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of the measurements to this file")
	flag.Parse()

	dir, err := os.MkdirTemp("", "jobplane-bench-snowball")
	check(err)
	defer os.RemoveAll(dir)
	ctx := context.Background()
	db, err := sqlite.Open(ctx, dir)
	check(err)
	defer db.Close()
	secret, err := db.Secret(ctx, snowball.SecretName)
	check(err)
	prov, err := snowball.New(snowball.Options{Store: db, Region: "us-east-1", StageDuration: 1000 * time.Hour,
		LabelDuration: time.Minute, Limit: 1, Secret: secret})
	check(err)

	start := time.Now()
	ids := seed(prov, *jobs)
	fmt.Printf("seeded %d jobs through CreateJob in %s (%.0f jobs/s)\n\n", len(ids), time.Since(start).Round(time.Millisecond),
		float64(len(ids))/time.Since(start).Seconds())

	gw, err := gateway.New(gateway.Options{Region: "us-east-1", S3Domain: "localhost", Snowball: prov})
	check(err)
	jobplane := serve(gw)

	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		check(err)
		check(pprof.StartCPUProfile(f))
		defer pprof.StopCPUProfile()
	}
	fmt.Printf("%-44s %12s %12s %8s\n", "scenario", "jobplane/s", "baseline/s", "ratio")
	for _, sc := range scenarios(jobplane, ids) {
		if !strings.Contains(sc.name, *only) {
			continue
		}
		status, header, body := roundTrip(jobplane, sc.request(0))
		if status != 200 {
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
		fmt.Printf("%-44s %12.0f %12.0f %8.2f\n", sc.name, jp, base, jp/base)
	}
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// seed creates n jobs from 64 concurrent callers, a mix of types.
func seed(p *snowball.Provider, n int) []string {
	ctx := caller.With(context.Background(), caller.Info{AccountID: account, Region: "us-east-1"})
	addr, err := p.CreateAddress(ctx, &api.CreateAddressRequest{Address: &api.Address{Name: ptr("Bench"), Street1: ptr("1 Main St"),
		City: ptr("Seattle"), StateOrProvince: ptr("WA"), Country: ptr("US"), PostalCode: ptr("98101"), PhoneNumber: ptr("425-555-5555")}})
	check(err)
	ids := make([]string, n)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range 64 {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				in := &api.CreateJobRequest{JobType: ptr(api.JobTypeLOCALUSE), SnowballType: ptr(api.SnowballTypeV35C),
					AddressId: addr.AddressId, ShippingOption: ptr(api.ShippingOptionNEXTDAY), Description: ptr(fmt.Sprintf("bench job %d", i))}
				if i%3 == 0 {
					in.JobType, in.SnowballType = ptr(api.JobTypeIMPORT), ptr(api.SnowballTypeV35S)
					in.Resources = &api.JobResource{S3Resources: []api.S3Resource{{BucketArn: ptr("arn:aws:s3:::bench-bucket")}}}
				}
				out, err := p.CreateJob(ctx, in)
				check(err)
				ids[i] = *out.JobId
			}
		})
	}
	wg.Wait()
	return ids
}

func ptr[T any](v T) *T { return &v }

type scenario struct {
	name    string
	request func(i uint64) *http.Request
}

func jsonRequest(base, op string, body any) *http.Request {
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest("POST", base+"/", bytes.NewReader(b))
	req.Header.Set("X-Amz-Target", "AWSIESnowballJobManagementService."+op)
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	return req
}

func cborRequest(base, op string, body any) *http.Request {
	b, _ := cbor.Marshal(body)
	req, _ := http.NewRequest("POST", base+"/service/AWSIESnowballJobManagementService/operation/"+op, bytes.NewReader(b))
	req.Header.Set("Smithy-Protocol", "rpc-v2-cbor")
	req.Header.Set("Content-Type", "application/cbor")
	return req
}

// scenarios builds the requests; base is filled in per server by measure.
func scenarios(jobplane string, ids []string) []scenario {
	// A token from the middle of the listing, for a deep page.
	var token any
	for range 500 {
		_, _, body := roundTrip(jobplane, jsonRequest(jobplane, "ListJobs", map[string]any{"MaxResults": 100, "NextToken": token}))
		var page struct{ NextToken string }
		check(json.Unmarshal(body, &page))
		token = page.NextToken
	}
	pick := func(i uint64) string { return ids[rand.IntN(len(ids))] }
	return []scenario{
		{"DescribeJob, random of 100k jobs (JSON)", func(i uint64) *http.Request {
			return jsonRequest("", "DescribeJob", map[string]string{"JobId": pick(i)})
		}},
		{"DescribeJob, random of 100k jobs (CBOR)", func(i uint64) *http.Request {
			return cborRequest("", "DescribeJob", map[string]string{"JobId": pick(i)})
		}},
		{"ListJobs, first page, default 100 (JSON)", func(uint64) *http.Request {
			return jsonRequest("", "ListJobs", map[string]any{})
		}},
		{"ListJobs, page 501 of 100 (JSON)", func(uint64) *http.Request {
			return jsonRequest("", "ListJobs", map[string]any{"MaxResults": 100, "NextToken": token})
		}},
		{"ListJobs, MaxResults 10 (CBOR)", func(uint64) *http.Request {
			return cborRequest("", "ListJobs", map[string]any{"MaxResults": 10})
		}},
	}
}

func serve(h http.Handler) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	check(err)
	go http.Serve(ln, h)
	return "http://" + ln.Addr().String()
}

var client = &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 256, MaxConnsPerHost: 256}}

// retarget points a scenario request at a server.
func retarget(req *http.Request, base string) *http.Request {
	u := *req.URL
	b, err := url.Parse(base)
	check(err)
	u.Scheme, u.Host = b.Scheme, b.Host
	req.URL = &u
	req.Host = b.Host
	return req
}

func roundTrip(base string, req *http.Request) (int, http.Header, []byte) {
	resp, err := client.Do(retarget(req, base))
	check(err)
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	h := resp.Header.Clone()
	h.Del("Content-Length")
	h.Del("Date")
	return resp.StatusCode, h, body
}

// measure runs requests from concurrency workers for d and returns
// successful requests per second.
func measure(base string, sc scenario, d time.Duration, concurrency int) float64 {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	var n atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for w := range concurrency {
		wg.Go(func() {
			for i := uint64(w); ctx.Err() == nil; i += uint64(concurrency) {
				resp, err := client.Do(retarget(sc.request(i), base))
				if err != nil {
					continue
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode == 200 {
					n.Add(1)
				}
			}
		})
	}
	wg.Wait()
	return float64(n.Load()) / time.Since(start).Seconds()
}
