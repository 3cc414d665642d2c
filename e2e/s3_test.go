package e2e

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"

	"github.com/jobplane/jobplane/internal/motoserver"
)

// haveMoto reports whether moto_server can be run.
func haveMoto() bool {
	_, err := exec.LookPath("moto_server")
	return err == nil && haveBoto3()
}

// startMoto runs moto_server on a free loopback port until the test ends;
// without moto_server or boto3 the test skips (fails, when the end-to-end
// tests are required).
func startMoto(t *testing.T) string {
	t.Helper()
	requireTool(t, "moto_server with boto3", haveMoto())
	url, _, stop, err := motoserver.Start(cleanAWSEnv())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop)
	return url
}

// startOnMoto runs moto_server, and jobplane with args serving its S3 API
// from moto (--s3-endpoint, path-style), until the test ends.
func startOnMoto(t *testing.T, args ...string) (p *proc, moto string) {
	t.Helper()
	moto = startMoto(t)
	// jobplane signs its requests to moto with these; moto accepts any.
	t.Setenv("AWS_ACCESS_KEY_ID", "testing")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "testing")
	return start(t, "", append([]string{"--s3-endpoint", moto, "--s3-path-style", "true"}, args...)...), moto
}

// TestS3DifferentialAgainstMoto makes the same S3 calls with boto3 against
// moto_server and against jobplane (python/diff_s3_moto.py) and fails on any
// difference the script does not record as a moto deviation from S3.
func TestS3DifferentialAgainstMoto(t *testing.T) {
	moto := startMoto(t)
	p := start(t, "", "--s3-restore-delay", "0s")
	out := runPython(t, []string{"MOTO_URL=" + moto, "JOBPLANE_URL=" + p.url}, "python/diff_s3_moto.py")
	t.Logf("%s", lastLines(out, 1))
}

// TestS3RemoteModeServesAnotherEndpointsObjects runs jobplane with
// --s3-endpoint pointing at moto_server: its S3 API serves moto's objects,
// and what a client writes through jobplane is in moto.
func TestS3RemoteModeServesAnotherEndpointsObjects(t *testing.T) {
	p, moto := startOnMoto(t)
	ctx := context.Background()
	client := func(url string) *awss3.Client {
		return awss3.New(awss3.Options{Region: "us-east-1", BaseEndpoint: aws.String(url), UsePathStyle: true, RetryMaxAttempts: 1,
			Credentials: credentials.NewStaticCredentialsProvider("123456789012", "secret", ""), HTTPClient: sdkHTTPClient()})
	}
	viaJobplane, direct := client(p.url), client(moto)
	if _, err := viaJobplane.CreateBucket(ctx, &awss3.CreateBucketInput{Bucket: aws.String("through-jobplane")}); err != nil {
		t.Fatal(err)
	}
	if _, err := viaJobplane.PutObject(ctx, &awss3.PutObjectInput{Bucket: aws.String("through-jobplane"), Key: aws.String("a b/c"),
		Body: strings.NewReader("stored in moto")}); err != nil {
		t.Fatal(err)
	}
	out, err := direct.GetObject(ctx, &awss3.GetObjectInput{Bucket: aws.String("through-jobplane"), Key: aws.String("a b/c")})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(out.Body)
	out.Body.Close()
	if string(b) != "stored in moto" {
		t.Fatalf("moto holds %q", b)
	}
	if _, err := direct.PutObject(ctx, &awss3.PutObjectInput{Bucket: aws.String("through-jobplane"), Key: aws.String("from-moto"),
		Body: strings.NewReader("x")}); err != nil {
		t.Fatal(err)
	}
	list, err := viaJobplane.ListObjectsV2(ctx, &awss3.ListObjectsV2Input{Bucket: aws.String("through-jobplane")})
	if err != nil || len(list.Contents) != 2 {
		t.Fatalf("listing through jobplane = %+v, %v", list, err)
	}
	_, err = viaJobplane.GetObject(ctx, &awss3.GetObjectInput{Bucket: aws.String("through-jobplane"), Key: aws.String("nope")})
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "NoSuchKey" {
		t.Fatalf("a missing key through jobplane = %v", err)
	}
	if !strings.Contains(p.Logs(), "objects live in a remote S3 endpoint") {
		t.Fatalf("remote mode not logged:\n%s", p.Logs())
	}
}

// payload is the content of attempt n at key: a header naming both, then
// filler derived from them, so that any object read back can be checked for
// being whole and for which attempt wrote it.
func payload(key string, n, size int) []byte {
	head := fmt.Sprintf("%s|%d|%d|", key, n, size)
	b := make([]byte, size)
	copy(b, head)
	for i := len(head); i < size; i++ {
		b[i] = byte('a' + (i*7+n)%26)
	}
	return b
}

// wholeAttempt returns the attempt an object's bytes are the whole of, or -1.
func wholeAttempt(key string, b []byte) int {
	parts := strings.SplitN(string(b[:min(len(b), 2048)]), "|", 4)
	if len(parts) < 4 || parts[0] != key {
		return -1
	}
	n, err1 := strconv.Atoi(parts[1])
	size, err2 := strconv.Atoi(parts[2])
	if err1 != nil || err2 != nil || size != len(b) || !bytes.Equal(b, payload(key, n, size)) {
		return -1
	}
	return n
}

type s3HTTP struct {
	url string
	c   *http.Client
}

func (h s3HTTP) do(ctx context.Context, method, path string, body []byte) (int, []byte, http.Header, error) {
	req, err := http.NewRequestWithContext(ctx, method, h.url+path, bytes.NewReader(body))
	if err != nil {
		return 0, nil, nil, err
	}
	req.ContentLength = int64(len(body))
	resp, err := h.c.Do(req)
	if err != nil {
		return 0, nil, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, resp.Header, err
}

// multipart uploads data in two parts and completes the upload.
func (h s3HTTP) multipart(ctx context.Context, bucket, key string, data []byte) error {
	status, b, _, err := h.do(ctx, "POST", "/"+bucket+"/"+key+"?uploads", nil)
	if err != nil || status != 200 {
		return fmt.Errorf("create: %d %v %s", status, err, b)
	}
	var init struct{ UploadId string }
	if err := xml.Unmarshal(b, &init); err != nil {
		return err
	}
	cut := 5 << 20
	var complete strings.Builder
	complete.WriteString("<CompleteMultipartUpload>")
	for i, chunk := range [][]byte{data[:cut], data[cut:]} {
		status, b, hdr, err := h.do(ctx, "PUT", fmt.Sprintf("/%s/%s?partNumber=%d&uploadId=%s", bucket, key, i+1, init.UploadId), chunk)
		if err != nil || status != 200 {
			return fmt.Errorf("part %d: %d %v %s", i+1, status, err, b)
		}
		fmt.Fprintf(&complete, "<Part><PartNumber>%d</PartNumber><ETag>%s</ETag></Part>", i+1, hdr.Get("ETag"))
	}
	complete.WriteString("</CompleteMultipartUpload>")
	status, b, _, err = h.do(ctx, "POST", "/"+bucket+"/"+key+"?uploadId="+init.UploadId, []byte(complete.String()))
	if err != nil || status != 200 || bytes.Contains(b, []byte("<Error>")) {
		return fmt.Errorf("complete: %d %v %s", status, err, b)
	}
	return nil
}

// TestS3KillDuringUploads kills the real server with SIGKILL while uploads of
// every kind are in flight, restarts it on the same data directory, and
// checks that no acknowledged object was lost, that every visible object is
// whole, and that the files of what was never acknowledged are cleaned up.
func TestS3KillDuringUploads(t *testing.T) {
	dir := t.TempDir()
	p := start(t, dir)
	h := s3HTTP{url: p.url, c: &http.Client{Timeout: 30 * time.Second}}
	ctx := context.Background()
	if status, b, _, err := h.do(ctx, "PUT", "/crash-bucket", nil); err != nil || status != 200 {
		t.Fatalf("CreateBucket: %d %v %s", status, err, b)
	}

	var (
		mu       sync.Mutex
		acked    = map[string]int{} // key -> acknowledged attempt (unique keys)
		attempts = map[string]int{} // key -> attempts started
		ackCount atomic.Int64
		wg       sync.WaitGroup
	)
	stop := make(chan struct{})
	worker := func(w int, upload func(key string, data []byte) error, sizes []int, shared bool) {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			key := fmt.Sprintf("w%d/obj-%d", w, i)
			if shared {
				key = "contended/same-key" // every shared writer writes here
			}
			mu.Lock()
			n := attempts[key]
			attempts[key]++
			mu.Unlock()
			size := sizes[i%len(sizes)]
			if err := upload(key, payload(key, n, size)); err != nil {
				return // the server is gone
			}
			ackCount.Add(1)
			if !shared {
				mu.Lock()
				acked[key] = n
				mu.Unlock()
			}
		}
	}
	put := func(key string, data []byte) error {
		status, _, _, err := h.do(ctx, "PUT", "/crash-bucket/"+key, data)
		if err == nil && status != 200 {
			err = fmt.Errorf("status %d", status)
		}
		return err
	}
	mp := func(key string, data []byte) error { return h.multipart(ctx, "crash-bucket", key, data) }
	for w := range 8 {
		wg.Add(1)
		go worker(w, put, []int{100, 4096, 70_000, 1 << 20}, false)
	}
	for w := 8; w < 10; w++ {
		wg.Add(1)
		go worker(w, mp, []int{5<<20 + 1000}, false)
	}
	for w := 10; w < 14; w++ {
		wg.Add(1)
		go worker(w, put, []int{3000, 200_000}, true)
	}
	eventually(t, 20*time.Second, func() bool { return ackCount.Load() >= 300 })
	if err := p.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	<-p.exited
	close(stop)
	wg.Wait()
	if ackCount.Load() < 50 {
		t.Fatalf("only %d uploads were acknowledged before the kill:\n%s", ackCount.Load(), p.Logs())
	}

	p2 := start(t, dir)
	h.url = p2.url
	for key, n := range acked {
		status, b, _, err := h.do(ctx, "GET", "/crash-bucket/"+key, nil)
		if err != nil || status != 200 {
			t.Fatalf("acknowledged object %s lost: %d %v %s", key, status, err, b)
		}
		if got := wholeAttempt(key, b); got != n {
			t.Fatalf("acknowledged object %s holds attempt %d, want %d", key, got, n)
		}
	}
	// Every object listed is whole: the listing and the reads agree.
	status, b, _, err := h.do(ctx, "GET", "/crash-bucket?list-type=2&max-keys=1000", nil)
	if err != nil || status != 200 {
		t.Fatalf("ListObjectsV2: %d %v", status, err)
	}
	var list struct {
		Contents []struct {
			Key  string
			Size int
		}
		IsTruncated bool
	}
	if err := xml.Unmarshal(b, &list); err != nil || list.IsTruncated {
		t.Fatalf("listing: %v truncated=%v", err, list.IsTruncated)
	}
	for _, o := range list.Contents {
		status, b, _, err := h.do(ctx, "GET", "/crash-bucket/"+o.Key, nil)
		if err != nil || status != 200 || len(b) != o.Size || wholeAttempt(o.Key, b) < 0 {
			t.Fatalf("visible object %s is not whole: status %d, %d bytes of %d, %v", o.Key, status, len(b), o.Size, err)
		}
	}
	if len(list.Contents) < len(acked) {
		t.Fatalf("%d objects listed, %d acknowledged", len(list.Contents), len(acked))
	}
	t.Logf("%d uploads acknowledged before SIGKILL, %d objects visible after restart, all whole", ackCount.Load(), len(list.Contents))

	// What the crash left unreferenced goes away: temporary files at once,
	// orphaned data files in the background.
	objects := filepath.Join(dir, "objects")
	if n := countFiles(t, objects, ".tmp"); n != 0 {
		t.Fatalf("%d temporary files left after restart", n)
	}
	// Objects up to 1 MiB are packed into shared pack files; a two-part
	// upload keeps its 5 MiB part as a file and packs its small last part.
	want := 0
	for _, o := range list.Contents {
		if o.Size > 5<<20 {
			want++
		}
	}
	// Uploads the kill interrupted are still in progress, as in S3, and
	// keep their large parts.
	want += largeParts(t, h, "crash-bucket")
	var n int
	if !eventually(t, 30*time.Second, func() bool { n = countFiles(t, filepath.Join(objects, "data"), ""); return n == want }) {
		t.Fatalf("%d data files remain, want %d (one per large part)", n, want)
	}
}

// eventually polls cond until it holds or d has passed, and reports which.
func eventually(t *testing.T, d time.Duration, cond func() bool) bool {
	t.Helper()
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	deadline := time.After(d)
	for !cond() {
		select {
		case <-tick.C:
		case <-deadline:
			return cond()
		}
	}
	return true
}

// largeParts counts the parts over 1 MiB of a bucket's uploads in progress.
func largeParts(t *testing.T, h s3HTTP, bucket string) int {
	t.Helper()
	ctx := context.Background()
	status, b, _, err := h.do(ctx, "GET", "/"+bucket+"?uploads", nil)
	if err != nil || status != 200 {
		t.Fatalf("ListMultipartUploads: %d %v", status, err)
	}
	var uploads struct {
		Upload []struct{ Key, UploadId string }
	}
	if err := xml.Unmarshal(b, &uploads); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, u := range uploads.Upload {
		status, b, _, err := h.do(ctx, "GET", "/"+bucket+"/"+u.Key+"?uploadId="+u.UploadId, nil)
		if err != nil || status != 200 {
			t.Fatalf("ListParts: %d %v", status, err)
		}
		var parts struct{ Part []struct{ Size int } }
		if err := xml.Unmarshal(b, &parts); err != nil {
			t.Fatal(err)
		}
		for _, p := range parts.Part {
			if p.Size > 1<<20 {
				n++
			}
		}
	}
	return n
}

// countFiles counts the files under dir whose names end in suffix.
func countFiles(t *testing.T, dir, suffix string) int {
	t.Helper()
	n := 0
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(d.Name(), suffix) {
			n++
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}
