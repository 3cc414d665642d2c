// Package e2e starts the real jobplane binary and drives it with the real
// clients: boto3 (python/ scripts) and the AWS CLI. Without python3, boto3 or
// the CLI these tests skip and say so, unless JOBPLANE_REQUIRE_E2E=1 (set by
// .ci/run), which turns the skip into a failure.
package e2e

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "jobplane-e2e")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "jobplane")
	build := exec.Command("go", "build", "-o", binary, "../cmd/jobplane")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building jobplane:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// requireTool skips the test when a client is missing, or fails it when the
// environment says the end-to-end tests must run.
func requireTool(t *testing.T, what string, ok bool) {
	t.Helper()
	if ok {
		return
	}
	msg := what + " is not installed: skipping the end-to-end test that drives jobplane with it"
	if os.Getenv("JOBPLANE_REQUIRE_E2E") == "1" {
		t.Fatal(msg + " (JOBPLANE_REQUIRE_E2E=1 requires it)")
	}
	t.Skip(msg)
}

func haveBoto3() bool {
	return exec.Command("python3", "-c", "import boto3").Run() == nil
}

func haveCLI() bool {
	_, err := exec.LookPath("aws")
	return err == nil
}

// proc is a running jobplane server.
type proc struct {
	cmd     *exec.Cmd
	url     string
	dataDir string
	mu      sync.Mutex
	logs    strings.Builder
	exited  chan struct{}
}

// start runs jobplane serve with the given extra flags on a free port and
// waits until it listens.
func start(t *testing.T, dataDir string, args ...string) *proc {
	t.Helper()
	if dataDir == "" {
		dataDir = t.TempDir()
	}
	all := append([]string{"serve", "--listen", "127.0.0.1:0", "--data-dir", dataDir, "--log-format", "json"}, args...)
	cmd := exec.Command(binary, all...)
	cmd.Env = append(os.Environ(), "JOBPLANE_LISTEN=", "JOBPLANE_AUTH=")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &proc{cmd: cmd, dataDir: dataDir, exited: make(chan struct{})}
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			line := sc.Text()
			p.mu.Lock()
			p.logs.WriteString(line + "\n")
			p.mu.Unlock()
			var rec struct {
				Msg     string `json:"msg"`
				Address string `json:"address"`
			}
			if json.Unmarshal([]byte(line), &rec) == nil && rec.Msg == "jobplane listening" {
				addr <- rec.Address
			}
		}
		cmd.Wait()
		close(p.exited)
	}()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-p.exited
	})
	select {
	case a := <-addr:
		p.url = "http://" + a
	case <-p.exited:
		t.Fatalf("jobplane exited before listening:\n%s", p.Logs())
	case <-time.After(30 * time.Second):
		t.Fatalf("jobplane did not start listening:\n%s", p.Logs())
	}
	return p
}

// Logs returns what the server has logged so far.
func (p *proc) Logs() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.logs.String()
}

// waitLog polls the log until it contains s.
func (p *proc) waitLog(t *testing.T, s string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(p.Logs(), s) {
		if time.Now().After(deadline) {
			t.Fatalf("log never contained %q:\n%s", s, p.Logs())
		}
		select {
		case <-p.exited:
		case <-time.After(10 * time.Millisecond):
		}
	}
}

func writeCredentials(t *testing.T) string {
	path := filepath.Join(t.TempDir(), "credentials")
	content := "# access key, secret, account\nAKIAE2ETESTKEY000001 e2e-secret-one 111111111111\nAKIAE2ETESTKEY000002,e2e-secret-two,222222222222\n"
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestBoto3(t *testing.T) {
	requireTool(t, "python3 with boto3", haveBoto3())
	open := start(t, "")
	authed := start(t, "", "--auth", "sigv4", "--credentials", writeCredentials(t))
	scripts, err := filepath.Glob("python/test_*.py")
	if err != nil || len(scripts) == 0 {
		t.Fatalf("no python tests found: %v", err)
	}
	for _, script := range scripts {
		t.Run(filepath.Base(script), func(t *testing.T) {
			out := runPython(t, []string{"JOBPLANE_URL=" + open.url, "JOBPLANE_SIGV4_URL=" + authed.url}, script, "-v")
			t.Logf("%s", lastLines(out, 3))
		})
	}
}

// runPython runs python3 with args (a script of python/ and its arguments)
// in cleanAWSEnv plus env, for at most five minutes, and returns what it
// printed; the test fails when the script does.
func runPython(t *testing.T, env []string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "python3", args...)
	cmd.Env = append(cleanAWSEnv(), env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s failed: %v\n%s", args[0], err, out)
	}
	return string(out)
}

// cleanAWSEnv is the environment without any AWS or proxy setting of the
// machine running the tests, so that every test says what it uses.
func cleanAWSEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "AWS_") || strings.EqualFold(k, "http_proxy") || strings.EqualFold(k, "https_proxy") || strings.EqualFold(k, "no_proxy") {
			continue
		}
		env = append(env, kv)
	}
	return env
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

func TestAWSCLI(t *testing.T) {
	requireTool(t, "the AWS CLI", haveCLI())
	p := start(t, "")
	env := append(cleanAWSEnv(),
		"AWS_ENDPOINT_URL="+p.url,
		"AWS_ACCESS_KEY_ID=123456789012", "AWS_SECRET_ACCESS_KEY=secret", "AWS_DEFAULT_REGION=us-east-1",
		"HTTP_PROXY="+p.url,
	)
	tests := []struct {
		name string
		args []string
		ok   string // what a successful answer prints
		want string // else what the error must say
	}{
		{"s3control list-jobs answers", []string{"s3control", "list-jobs", "--account-id", "123456789012"}, `"Jobs"`, "(NotImplemented) when calling the ListJobs operation"},
		{"snowball list-jobs answers", []string{"snowball", "list-jobs"}, `"JobListEntries"`, "(NotImplemented) when calling the ListJobs operation"},
		{"s3api list-buckets answers", []string{"s3api", "list-buckets"}, `"Buckets"`, "(NotImplemented) when calling the ListBuckets operation"},
		{"a snowball job id of the right length but wrong form is a ValidationException", []string{"snowball", "describe-job", "--job-id", "JID-not-a-real-job-id-000000000000000000"}, "", "(ValidationException) when calling the DescribeJob operation"},
		{"an S3 Control priority out of range is a BadRequestException", []string{"s3control", "update-job-priority", "--account-id", "123456789012", "--job-id", "00e123a4-c0d8-41f4-a0eb-b46f9ba5b07c", "--priority", "2147483648"}, "", "(BadRequestException) when calling the UpdateJobPriority operation"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			cmd := exec.CommandContext(ctx, "aws", tt.args...)
			cmd.Env = env
			out, err := cmd.CombinedOutput()
			if err == nil {
				if tt.ok == "" {
					t.Fatalf("aws %v succeeded with:\n%s\nwant an error", tt.args, out)
				}
				if !strings.Contains(string(out), tt.ok) {
					t.Fatalf("aws %v printed:\n%s\nwant output containing %s", tt.args, out, tt.ok)
				}
				return
			}
			if !strings.Contains(string(out), tt.want) {
				t.Fatalf("aws %v printed:\n%s\nwant it to contain %q", tt.args, out, tt.want)
			}
		})
	}
}

func TestGracefulShutdownFinishesInFlightRequests(t *testing.T) {
	p := start(t, "")
	conn, err := net.Dial("tcp", strings.TrimPrefix(p.url, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	// A request whose handler is running, blocked reading the body, when the
	// signal comes. With Expect: 100-continue the server answers "100
	// Continue" exactly when the handler first reads the body, which tells
	// the test that the request is in flight.
	if _, err := io.WriteString(conn, "POST / HTTP/1.1\r\nHost: localhost\r\n"+
		"X-Amz-Target: AWSIESnowballJobManagementService.ListJobs\r\n"+
		"Content-Type: application/x-amz-json-1.1\r\nContent-Length: 2\r\n"+
		"Expect: 100-continue\r\nConnection: close\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(conn)
	status, err := br.ReadString('\n')
	if err != nil || !strings.HasPrefix(status, "HTTP/1.1 100") {
		t.Fatalf("waiting for 100 Continue: %q %v", status, err)
	}
	if blank, err := br.ReadString('\n'); err != nil || blank != "\r\n" {
		t.Fatalf("after 100 Continue: %q %v", blank, err)
	}
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	p.waitLog(t, `"msg":"shutting down"`)
	if _, err := io.WriteString(conn, "{}"); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatalf("the in-flight request was dropped: %v\n%s", err, p.Logs())
	}
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || !strings.Contains(string(body), "JobListEntries") {
		t.Fatalf("in-flight request answered %d %s", resp.StatusCode, body)
	}
	select {
	case <-p.exited:
	case <-time.After(30 * time.Second):
		t.Fatal("jobplane did not exit after SIGTERM")
	}
	if code := p.cmd.ProcessState.ExitCode(); code != 0 {
		t.Fatalf("exit code %d after SIGTERM:\n%s", code, p.Logs())
	}
	if !strings.Contains(p.Logs(), `"msg":"stopped"`) {
		t.Fatalf("no clean stop logged:\n%s", p.Logs())
	}
	// A clean close checkpoints the write-ahead log into the database.
	if fi, err := os.Stat(filepath.Join(p.dataDir, "jobplane.db-wal")); err == nil && fi.Size() > 0 {
		t.Fatalf("the store was not closed cleanly: WAL holds %d bytes", fi.Size())
	}
}

func TestServeHelpDocumentsEveryFlagAndVariable(t *testing.T) {
	out, err := exec.Command(binary, "serve", "--help").CombinedOutput()
	if err != nil {
		t.Fatalf("serve --help: %v\n%s", err, out)
	}
	for _, want := range []string{"--listen", "JOBPLANE_LISTEN", "--data-dir", "JOBPLANE_DATA_DIR", "--region", "JOBPLANE_REGION",
		"--auth", "JOBPLANE_AUTH", "--credentials", "JOBPLANE_CREDENTIALS", "--s3-domain", "JOBPLANE_S3_DOMAIN",
		"--s3control-suspended-expiry", "JOBPLANE_S3CONTROL_SUSPENDED_EXPIRY", "--s3control-retention", "JOBPLANE_S3CONTROL_RETENTION",
		"--s3control-sweep-interval", "JOBPLANE_S3CONTROL_SWEEP_INTERVAL",
		"--batch-engine", "JOBPLANE_BATCH_ENGINE", "--batch-job-concurrency", "JOBPLANE_BATCH_JOB_CONCURRENCY",
		"--batch-concurrency", "--batch-write-size", "--batch-task-attempts", "--batch-checkpoint-interval", "--batch-task-timeout",
		"--lambda-function", "JOBPLANE_LAMBDA_FUNCTION", "--lambda-endpoint", "--lambda-timeout"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("serve --help does not mention %s:\n%s", want, out)
		}
	}
}

// refusal is a setting serve must refuse: args on the command line, env
// (NAME=VALUE) in the environment, and what the refusal says.
type refusal struct {
	name string
	args []string
	env  string
	want string
}

// testRefusals checks that serve exits with status 2 and the message of
// each refusal, without starting.
func testRefusals(t *testing.T, refusals []refusal) {
	for _, tt := range refusals {
		t.Run(tt.name+" is refused", func(t *testing.T) {
			cmd := exec.Command(binary, append([]string{"serve", "--listen", "127.0.0.1:0", "--data-dir", t.TempDir()}, tt.args...)...)
			cmd.Env = cleanAWSEnv()
			if tt.env != "" {
				cmd.Env = append(cmd.Env, tt.env)
			}
			out, err := cmd.CombinedOutput()
			var exit *exec.ExitError
			if !errors.As(err, &exit) || exit.ExitCode() != 2 || !strings.Contains(string(out), tt.want) {
				t.Fatalf("serve %v %s: %v\n%s\nwant exit 2 saying %q", tt.args, tt.env, err, out, tt.want)
			}
		})
	}
}

func TestEnvironmentVariablesConfigureTheServer(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "from-env")
	cmd := exec.Command(binary, "serve", "--listen", "127.0.0.1:0", "--log-format", "json")
	cmd.Env = append(os.Environ(), "JOBPLANE_DATA_DIR="+dir, "JOBPLANE_REGION=eu-west-3")
	stderr, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	sc := bufio.NewScanner(stderr)
	for sc.Scan() {
		if strings.Contains(sc.Text(), "jobplane listening") {
			if !strings.Contains(sc.Text(), `"region":"eu-west-3"`) || !strings.Contains(sc.Text(), dir) {
				t.Fatalf("environment not applied: %s", sc.Text())
			}
			if _, err := os.Stat(filepath.Join(dir, "jobplane.db")); err != nil {
				t.Fatalf("data dir from JOBPLANE_DATA_DIR not created: %v", err)
			}
			return
		}
	}
	t.Fatal("server never listened")
}

// sdkTransport is the HTTP transport of the e2e tests' aws-sdk-go-v2 clients
// (s3cClient's also has a DialContext that sends every host to the server).
// It gives the transport its own copy of every request body: the SDK closes
// the body it sent once the response has arrived, and when jobplane answers
// before the transport has finished with the body (after writing it, the
// transport reads on to check that it holds nothing more), that read fails,
// the transport treats it as a failed write and closes the connection under
// the response the SDK is reading: "use of closed network connection"
// (aws/aws-sdk-go-v2#1825, #2737). Seen here once in a few runs of
// TestSnowballWritesSurviveKill9, always on the client side.
type sdkTransport struct{ http.Transport }

func (t *sdkTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil && r.Body != http.NoBody {
		body, err := io.ReadAll(r.Body)
		r.Body.Close()
		if err != nil {
			return nil, err
		}
		r = r.Clone(r.Context())
		r.Body = io.NopCloser(bytes.NewReader(body))
		r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	}
	return t.Transport.RoundTrip(r)
}

// sdkHTTPClient is the HTTP client of the e2e tests' SDK clients.
func sdkHTTPClient() *http.Client { return &http.Client{Transport: &sdkTransport{}} }
