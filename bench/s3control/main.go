// Command s3control measures the S3 Batch Operations job API end to end:
// the gateway, the provider and the embedded store (durable: WAL with
// synchronous commits), driven over loopback by a load generator in the
// same process. It loads jobs into a fresh store with CreateJob (measuring
// durable creation), then measures ListJobs (MaxResults=100 and a status
// filter, paging through NextTokens) and DescribeJob of random jobs. Each
// figure is printed with a baseline measured in the same run: a bare
// net/http handler that reads the same request and answers the same bytes
// without understanding them.
//
//	go run ./bench/s3control [-jobs 100000] [-duration 5s] [-concurrency 16]
//
// The targets on a 2-core machine, generator included: CreateJob
// ≥2,000/s; ListJobs ≥3,000/s with p99 ≤20 ms; DescribeJob ≥10,000/s.
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"runtime"
	"runtime/pprof"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jobplane/jobplane/internal/gateway"
	"github.com/jobplane/jobplane/internal/procs"
	"github.com/jobplane/jobplane/internal/provider/s3control"
	"github.com/jobplane/jobplane/internal/store/sqlite"
)

const account = "123456789012"

func main() {
	procs.Tune() // as jobplane serve does
	jobs := flag.Int("jobs", 100000, "jobs to create before measuring the reads")
	duration := flag.Duration("duration", 5*time.Second, "how long each read measurement and each baseline runs")
	concurrency := flag.Int("concurrency", 16, "requests in flight at once")
	profile := flag.String("cpuprofile", "", "write a CPU profile of one measurement (-profile) to this file")
	phase := flag.String("profile", "list", "the measurement -cpuprofile covers: create, list or describe")
	flag.Parse()
	cpuProfile, profilePhase = *profile, *phase
	if err := run(*jobs, *duration, *concurrency); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func run(jobs int, d time.Duration, concurrency int) error {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "jobplane-bench-s3control")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	st, err := sqlite.Open(ctx, dir)
	if err != nil {
		return err
	}
	defer st.Close()
	key, err := st.Secret(ctx, s3control.SecretName)
	if err != nil {
		return err
	}
	prov, err := s3control.New(s3control.Options{Jobs: st.Jobs(), TokenKey: key, Logger: slog.New(slog.NewTextHandler(os.Stderr, nil))})
	if err != nil {
		return err
	}
	if err := prov.Start(ctx); err != nil {
		return err
	}
	defer prov.Stop()
	gw, err := gateway.New(gateway.Options{Region: "us-east-1", S3Domain: "localhost", S3Control: prov})
	if err != nil {
		return err
	}
	base := serve(gw)
	fmt.Printf("GOMAXPROCS=%d, %d jobs, %d in flight, data in %s\n\n", runtime.GOMAXPROCS(0), jobs, concurrency, dir)
	fmt.Printf("%-44s %10s %8s %8s %11s %7s  %s\n", "scenario", "jobplane/s", "p50 ms", "p99 ms", "baseline/s", "ratio", "target")

	// CreateJob: every request is a new job (its own ClientRequestToken);
	// half leave ConfirmationRequired out (→ Suspended), half set it false
	// (→ Ready).
	var next atomic.Int64
	create := func() *http.Request {
		i := next.Add(1)
		return newRequest(base, "POST", "/v20180820/jobs", []byte(createJobXML(i)))
	}
	sample := doOnce(create())
	stopProfile := startProfile("create")
	createRes := measureCount(create, jobs, concurrency, sample.status)
	stopProfile()
	if err := waitPrepared(prov); err != nil {
		return err
	}
	createBase := measureFor(baseline(sample), func() *http.Request { return newRequest("", "POST", "/v20180820/jobs", []byte(createJobXML(0))) }, d, concurrency, sample.status)
	report("CreateJob (durable, new job each)", createRes, createBase, "≥2,000/s")

	ids, err := collectIDs(base)
	if err != nil {
		return err
	}
	// Cancel one job in ten, so the store holds three statuses.
	for i, id := range ids {
		if i%10 == 0 {
			if r := doOnce(newRequest(base, "POST", "/v20180820/jobs/"+id+"/status?requestedJobStatus=Cancelled", nil)); r.status != 200 {
				return fmt.Errorf("cancelling %s: %d %s", id, r.status, r.body)
			}
		}
	}

	// ListJobs: each worker pages through the Suspended jobs, 100 at a
	// time, up to 20 pages deep, then starts again.
	listPath := "/v20180820/jobs?jobStatuses=Suspended&maxResults=100"
	tokens := make(chan string, 4096)
	list := func() *http.Request {
		path := listPath
		select {
		case tok := <-tokens:
			path += "&nextToken=" + url.QueryEscape(tok)
		default:
		}
		return newRequest(base, "GET", path, nil)
	}
	listSample := doOnce(newRequest(base, "GET", listPath, nil))
	if n := bytes.Count(listSample.body, []byte("<member><JobId>")); n != 100 {
		return fmt.Errorf("ListJobs returned %d jobs, want 100: %.300s", n, listSample.body)
	}
	stopProfile = startProfile("list")
	listRes := measureFor(base, list, d, concurrency, 200, func(body []byte) {
		if tok := findNextToken(body); tok != "" {
			select {
			case tokens <- tok:
			default:
			}
		}
	})
	stopProfile()
	listBase := measureFor(baseline(listSample), func() *http.Request { return newRequest("", "GET", listPath, nil) }, d, concurrency, 200)
	report("ListJobs (Suspended, MaxResults=100, paging)", listRes, listBase, "≥3,000/s, p99 ≤20 ms")

	describe := func() *http.Request {
		return newRequest(base, "GET", "/v20180820/jobs/"+ids[rand.IntN(len(ids))], nil)
	}
	descSample := doOnce(describe())
	stopProfile = startProfile("describe")
	descRes := measureFor(base, describe, d, concurrency, 200)
	stopProfile()
	descBase := measureFor(baseline(descSample), func() *http.Request { return newRequest("", "GET", "/v20180820/jobs/"+ids[0], nil) }, d, concurrency, 200)
	report("DescribeJob (random job)", descRes, descBase, "≥10,000/s")
	return nil
}

// cpuProfile, when set, is where the CPU profile of the measurement named
// profilePhase goes.
var cpuProfile, profilePhase string

func startProfile(phase string) func() {
	if cpuProfile == "" || phase != profilePhase {
		return func() {}
	}
	f, err := os.Create(cpuProfile)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	pprof.StartCPUProfile(f)
	return func() { pprof.StopCPUProfile(); f.Close() }
}

// findNextToken returns the NextToken of a ListJobs answer, or "". It uses
// no regexp: the load generator reads every ListJobs answer and should cost
// as little as the baseline's.
func findNextToken(body []byte) string {
	const open, close = "<NextToken>", "</NextToken>"
	i := bytes.Index(body, []byte(open))
	if i < 0 {
		return ""
	}
	rest := body[i+len(open):]
	j := bytes.Index(rest, []byte(close))
	if j < 0 {
		return ""
	}
	return string(rest[:j])
}

func createJobXML(i int64) string {
	confirm := ""
	if i%2 == 0 {
		confirm = "<ConfirmationRequired>false</ConfirmationRequired>"
	}
	return fmt.Sprintf(`<CreateJobRequest xmlns="http://awss3control.amazonaws.com/doc/2018-08-20/">%s`+
		`<Operation><S3PutObjectTagging><TagSet><member><Key>k</Key><Value>v</Value></member></TagSet></S3PutObjectTagging></Operation>`+
		`<Report><Bucket>arn:aws:s3:::reports</Bucket><Format>Report_CSV_20180820</Format><Enabled>true</Enabled><Prefix>p</Prefix><ReportScope>AllTasks</ReportScope></Report>`+
		`<Manifest><Spec><Format>S3BatchOperations_CSV_20180820</Format><Fields><member>Bucket</member><member>Key</member></Fields></Spec>`+
		`<Location><ObjectArn>arn:aws:s3:::manifests/m.csv</ObjectArn><ETag>69f52a4e9f797e987155d9c8f5880897</ETag></Location></Manifest>`+
		`<Priority>%d</Priority><RoleArn>arn:aws:iam::123456789012:role/batch</RoleArn>`+
		`<Tags><member><Key>team</Key><Value>bench</Value></member></Tags><Description>bench job %d</Description>`+
		`<ClientRequestToken>bench-%d</ClientRequestToken></CreateJobRequest>`, confirm, i%100, i, i)
}

// waitPrepared waits until every created job has left New and Preparing.
func waitPrepared(prov *s3control.Provider) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	return prov.WaitPrepared(ctx)
}

// collectIDs lists every job of the account.
func collectIDs(base string) ([]string, error) {
	var ids []string
	token := ""
	idRe := regexp.MustCompile(`<JobId>([^<]+)</JobId>`)
	for {
		path := "/v20180820/jobs?maxResults=1000"
		if token != "" {
			path += "&nextToken=" + url.QueryEscape(token)
		}
		r := doOnce(newRequest(base, "GET", path, nil))
		if r.status != 200 {
			return nil, fmt.Errorf("ListJobs: %d %s", r.status, r.body)
		}
		for _, m := range idRe.FindAllSubmatch(r.body, -1) {
			ids = append(ids, string(m[1]))
		}
		if token = findNextToken(r.body); token == "" {
			return ids, nil
		}
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

func newRequest(base, method, path string, body []byte) *http.Request {
	req, _ := http.NewRequest(method, base+path, bytes.NewReader(body))
	req.Header.Set("X-Amz-Account-Id", account)
	return req
}

type response struct {
	status int
	header http.Header
	body   []byte
}

func doOnce(req *http.Request) response {
	resp, err := client.Do(req)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	h := resp.Header.Clone()
	h.Del("Content-Length")
	h.Del("Date")
	return response{resp.StatusCode, h, body}
}

// baseline serves r's bytes for any request, after reading its body, and
// returns its base URL.
func baseline(r response) string {
	return serve(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		io.Copy(io.Discard, req.Body)
		for k, v := range r.header {
			w.Header()[k] = v
		}
		w.WriteHeader(r.status)
		w.Write(r.body)
	}))
}

// result is one measurement.
type result struct {
	rate     float64
	p50, p99 time.Duration
	errors   int64
}

// measureFor sends requests from concurrency workers for d; newReq's URL is
// rebased onto base. Each answer's body goes to the optional inspect.
func measureFor(base string, newReq func() *http.Request, d time.Duration, concurrency, want int, inspect ...func([]byte)) result {
	deadline := time.Now().Add(d)
	return measure(base, newReq, concurrency, want, func() bool { return time.Now().Before(deadline) }, inspect...)
}

// measureCount sends n requests from concurrency workers.
func measureCount(newReq func() *http.Request, n, concurrency, want int) result {
	var sent atomic.Int64
	return measure("", newReq, concurrency, want, func() bool { return sent.Add(1) <= int64(n) })
}

// measure sends newReq's requests from concurrency workers while more
// allows; when base is set, each request goes there instead.
func measure(base string, newReq func() *http.Request, concurrency, want int, more func() bool, inspect ...func([]byte)) result {
	var to *url.URL
	if base != "" {
		u, err := url.Parse(base)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		to = u
	}
	var ok, failed atomic.Int64
	lat := make([][]time.Duration, concurrency)
	var wg sync.WaitGroup
	start := time.Now()
	for w := range concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// One body buffer per worker: growing a fresh slice for every
			// answer would make the load generator cost more than the server.
			var buf bytes.Buffer
			for more() {
				req := newReq()
				if to != nil {
					req.URL.Scheme, req.URL.Host, req.Host = to.Scheme, to.Host, to.Host
				}
				t0 := time.Now()
				resp, err := client.Do(req)
				if err != nil {
					failed.Add(1)
					continue
				}
				buf.Reset()
				buf.ReadFrom(resp.Body)
				resp.Body.Close()
				body := buf.Bytes()
				lat[w] = append(lat[w], time.Since(t0))
				if resp.StatusCode != want {
					failed.Add(1)
					continue
				}
				ok.Add(1)
				for _, f := range inspect {
					f(body)
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	all := slices.Concat(lat...)
	slices.Sort(all)
	r := result{rate: float64(ok.Load()) / elapsed.Seconds(), errors: failed.Load()}
	if len(all) > 0 {
		r.p50, r.p99 = all[len(all)/2], all[len(all)*99/100]
	}
	return r
}

func report(name string, jp, base result, target string) {
	ms := func(d time.Duration) string { return fmt.Sprintf("%.2f", float64(d)/float64(time.Millisecond)) }
	fmt.Printf("%-44s %10.0f %8s %8s %11.0f %7.2f  %s\n", name, jp.rate, ms(jp.p50), ms(jp.p99), base.rate, jp.rate/base.rate, target)
	if jp.errors > 0 {
		fmt.Printf("  %d requests failed\n", jp.errors)
	}
}
