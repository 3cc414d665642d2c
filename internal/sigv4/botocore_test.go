package sigv4

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"os/exec"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// botocoreScript signs a handful of requests with botocore's own signers,
// at a fixed clock, and prints them as JSON. It also frames a body the way
// boto3 does for an unsigned upload with a CRC32 trailer.
const botocoreScript = `
import base64, datetime, io, json, sys
import botocore.auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.httpchecksum import AwsChunkedWrapper, Crc32Checksum

botocore.auth.get_current_datetime = lambda *a, **k: datetime.datetime(2026, 11, 21, 10, 15, 0)
creds = Credentials(sys.argv[1], sys.argv[2])
out = []

def emit(name, auth, method, url, headers=None, body=b""):
    req = AWSRequest(method=method, url=url, headers=headers or {}, data=body)
    auth.add_auth(req)
    out.append({"name": name, "method": method, "url": req.url,
                "headers": {k: v for k, v in req.headers.items()},
                "body": base64.b64encode(body).decode()})

s3 = lambda: botocore.auth.S3SigV4Auth(creds, "s3", "us-east-1")
emit("an S3 PUT of a unicode key signed by S3SigV4Auth", s3(), "PUT",
     "http://localhost:4588/bucket/dir/my%20file/%C3%BCn%C3%AF%2B.txt?tagging",
     {"Content-Type": "text/plain", "x-amz-meta-note": "  two   spaces "}, b"hello world")
emit("an S3 Control list signed by S3SigV4Auth", s3(), "GET",
     "http://123456789012.localhost:4588/v20180820/jobs?maxResults=10&jobStatuses=Complete&jobStatuses=Active",
     {"x-amz-account-id": "123456789012"})
emit("a Snowball awsJson1_1 call signed by SigV4Auth", botocore.auth.SigV4Auth(creds, "snowball", "us-east-1"), "POST",
     "http://localhost:4588/",
     {"X-Amz-Target": "AWSIESnowballJobManagementService.DescribeJob", "Content-Type": "application/x-amz-json-1.1"},
     b'{"JobId": "JID123"}')
emit("a Snowball call whose path needs normalizing signed by SigV4Auth", botocore.auth.SigV4Auth(creds, "snowball", "us-east-1"), "POST",
     "http://localhost:4588/a%20b//c/./d/../e", {"Content-Type": "application/cbor"}, b"\xbf\xff")
emit("an S3 GET URL presigned by S3SigV4QueryAuth", botocore.auth.S3SigV4QueryAuth(creds, "s3", "us-east-1", expires=3600), "GET",
     "http://localhost:4588/bucket/report%202026.csv?response-content-disposition=attachment%3B%20filename%3D%22r.csv%22")

data = b"boto3 chunk " * 10000
framed = AwsChunkedWrapper(io.BytesIO(data), checksum_cls=Crc32Checksum,
                           checksum_name="x-amz-checksum-crc32", chunk_size=65536).read()
json.dump({"requests": out, "chunked": {"data": base64.b64encode(data).decode(),
                                         "framed": base64.b64encode(framed).decode()}}, sys.stdout)
`

type botocoreOutput struct {
	Requests []struct {
		Name    string            `json:"name"`
		Method  string            `json:"method"`
		URL     string            `json:"url"`
		Headers map[string]string `json:"headers"`
		Body    []byte            `json:"body"`
	} `json:"requests"`
	Chunked struct {
		Data   []byte `json:"data"`
		Framed []byte `json:"framed"`
	} `json:"chunked"`
}

// skipReason is the error botocoreRun returns when the oracle is absent.
type skipReason string

func (s skipReason) Error() string { return string(s) }

// botocoreRun runs the script once for all tests.
var botocoreRun = sync.OnceValues(func() (out botocoreOutput, err error) {
	python, err := exec.LookPath("python3")
	if err != nil {
		return out, skipReason("python3 is not installed; skipping the botocore oracle")
	}
	if err := exec.Command(python, "-c", "import botocore").Run(); err != nil {
		return out, skipReason("botocore is not importable by python3; skipping the botocore oracle")
	}
	cmd := exec.Command(python, "-c", botocoreScript, testAccessKey, testSecret)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.Output()
	if err != nil {
		return out, fmt.Errorf("botocore script failed: %v\n%s", err, stderr.String())
	}
	if err := json.Unmarshal(stdout, &out); err != nil {
		return out, fmt.Errorf("decoding botocore output: %v\n%s", err, stdout)
	}
	return out, nil
})

func runBotocore(t *testing.T) botocoreOutput {
	t.Helper()
	out, err := botocoreRun()
	if skip, ok := err.(skipReason); ok {
		t.Skip(string(skip))
	}
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestVerifyAcceptsWhatBotocoreSigns(t *testing.T) {
	t.Parallel()
	out := runBotocore(t)
	if len(out.Requests) == 0 {
		t.Fatal("botocore signed nothing")
	}
	for _, br := range out.Requests {
		t.Run(br.Name+" is accepted", func(t *testing.T) {
			t.Parallel()
			u, err := url.Parse(br.URL)
			if err != nil {
				t.Fatal(err)
			}
			raw := br.Method + " " + u.RequestURI() + " HTTP/1.1\r\nHost: " + u.Host + "\r\n"
			names := make([]string, 0, len(br.Headers))
			for k := range br.Headers {
				names = append(names, k)
			}
			sort.Strings(names)
			for _, k := range names {
				raw += k + ": " + br.Headers[k] + "\r\n"
			}
			raw += "Content-Length: " + strconv.Itoa(len(br.Body)) + "\r\n\r\n" + string(br.Body)
			r := readWire(t, raw)

			q, err := Parse(r)
			if err != nil || q == nil {
				t.Fatalf("Parse = %v, %v", q, err)
			}
			body, _ := io.ReadAll(r.Body)
			bodyHash := SHA256Hex(body)
			if err := q.Verify(r, testSecret, signedAt.Add(time.Minute), bodyHash); err != nil {
				t.Fatalf("Verify: %v\n%s\nrequest:\n%s", err, debugMismatch(err), raw)
			}
			if q.Presigned != strings.Contains(br.URL, "X-Amz-Signature") {
				t.Errorf("Presigned = %v", q.Presigned)
			}
		})
	}
}

func TestChunkedReaderDecodesWhatBotocoreFrames(t *testing.T) {
	t.Parallel()
	out := runBotocore(t)
	opts := ChunkedOptions{DecodedLength: int64(len(out.Chunked.Data)), Trailers: []string{"x-amz-checksum-crc32"}}
	got, trailers, err := decodeAll(t, out.Chunked.Framed, opts)
	if err != nil {
		t.Fatalf("decoding botocore's aws-chunked body: %v\n%q", err, out.Chunked.Framed[max(0, len(out.Chunked.Framed)-80):])
	}
	if !bytes.Equal(got, out.Chunked.Data) {
		t.Fatalf("decoded %d bytes, want %d", len(got), len(out.Chunked.Data))
	}
	if want := crc32Trailer(out.Chunked.Data); trailers.Get("x-amz-checksum-crc32") != want {
		t.Fatalf("crc32 trailer = %q, want %q", trailers.Get("x-amz-checksum-crc32"), want)
	}
	if base64.StdEncoding.EncodedLen(4) != len(trailers.Get("x-amz-checksum-crc32")) {
		t.Fatalf("trailer %q is not a base64 CRC32", trailers.Get("x-amz-checksum-crc32"))
	}
}
