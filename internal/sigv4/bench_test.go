package sigv4

import (
	"bytes"
	"io"
	"net/http"
	"net/url"
	"testing"
)

// The benchmarks sit beside the code rather than in bench/ because they
// measure unexported paths of this package only; the numbers are for the
// report, not assertions.

func benchmarkRequest(b *testing.B) *http.Request {
	c := sdkCase{service: "s3", method: "PUT",
		url: &url.URL{Scheme: "http", Host: "bucket.localhost:4588", Path: "/dir/object name.bin", RawQuery: "partNumber=3&uploadId=abc"},
		header: http.Header{"Content-Type": {"application/octet-stream"}, "X-Amz-Meta-Owner": {"alice"},
			"X-Amz-Checksum-Crc32": {"AAAAAA=="}, "X-Amz-Sdk-Checksum-Algorithm": {"CRC32"}},
		body: []byte("payload")}
	req := c.request(b)
	signWithSDK(b, req, c.body, "s3", testCreds)
	return overTheWire(b, req, c.body, false)
}

func BenchmarkParse(b *testing.B) {
	r := benchmarkRequest(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(r); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerifyHeader(b *testing.B) {
	r := benchmarkRequest(b)
	b.ReportAllocs()
	for b.Loop() {
		q, err := Parse(r)
		if err != nil {
			b.Fatal(err)
		}
		if err := q.Verify(r, testSecret, serverNow, ""); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkChunkedReader(b *testing.B) {
	data := bytes.Repeat([]byte("0123456789abcdef"), 1<<16) // 1 MiB
	const seed = "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9"
	signer := newTestChunkSigner(testSecret, "20261121T101500Z", "us-east-1", seed)
	signing := signer.signing(seed, false)
	signed := encodeChunked(data, 64<<10, signer)
	unsigned := encodeChunked(data, 64<<10, nil, "x-amz-checksum-crc32:"+crc32Trailer(data))
	for _, c := range []struct {
		name string
		body []byte
		opts ChunkedOptions
	}{
		{"signed 64KiB chunks", signed, ChunkedOptions{Signing: signing, DecodedLength: int64(len(data))}},
		{"unsigned with trailer", unsigned, ChunkedOptions{DecodedLength: int64(len(data))}},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			buf := make([]byte, 32<<10)
			for b.Loop() {
				n, err := io.CopyBuffer(io.Discard, NewChunkedReader(bytes.NewReader(c.body), c.opts), buf)
				if err != nil || n != int64(len(data)) {
					b.Fatal(n, err)
				}
			}
		})
	}
}
