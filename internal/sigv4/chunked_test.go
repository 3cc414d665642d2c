package sigv4

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"hash/crc32"
	"io"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"testing/iotest"
)

// testChunkSigner signs aws-chunked bodies for tests. It is written apart
// from the decoder, with plain string concatenation as the AWS page spells
// the strings to sign, so the two do not share mistakes.
type testChunkSigner struct {
	key     []byte
	amzDate string
	scope   string
	prev    string
}

func newTestChunkSigner(secret, amzDate, region, seed string) *testChunkSigner {
	mac := func(key []byte, s string) []byte {
		h := hmac.New(sha256.New, key)
		h.Write([]byte(s))
		return h.Sum(nil)
	}
	date := amzDate[:8]
	key := mac(mac(mac(mac([]byte("AWS4"+secret), date), region), "s3"), "aws4_request")
	return &testChunkSigner{key: key, amzDate: amzDate, scope: date + "/" + region + "/s3/aws4_request", prev: seed}
}

func (s *testChunkSigner) next(algorithm, payloadHash string, extra string) string {
	sts := algorithm + "\n" + s.amzDate + "\n" + s.scope + "\n" + s.prev + "\n" + extra + payloadHash
	h := hmac.New(sha256.New, s.key)
	h.Write([]byte(sts))
	s.prev = hex.EncodeToString(h.Sum(nil))
	return s.prev
}

func (s *testChunkSigner) chunk(data []byte) string {
	return s.next("AWS4-HMAC-SHA256-PAYLOAD", SHA256Hex(data), EmptySHA256+"\n")
}

func (s *testChunkSigner) trailer(canonical string) string {
	return s.next("AWS4-HMAC-SHA256-TRAILER", SHA256Hex([]byte(canonical)), "")
}

func (s *testChunkSigner) signing(seed string, signedTrailer bool) *ChunkSigning {
	date, region, _ := strings.Cut(strings.TrimSuffix(s.scope, "/s3/aws4_request"), "/")
	return &ChunkSigning{Key: s.key, Seed: seed, AmzDate: s.amzDate,
		Scope: Scope{Date: date, Region: region, Service: "s3"}, SignedTrailer: signedTrailer}
}

// encodeChunked frames data in chunks of chunkSize, signing them when s is
// non-nil, and appends the trailers (signed too, when s is non-nil).
func encodeChunked(data []byte, chunkSize int, s *testChunkSigner, trailers ...string) []byte {
	var b bytes.Buffer
	header := func(n int, chunk []byte) {
		fmt.Fprintf(&b, "%x", n)
		if s != nil {
			b.WriteString(";chunk-signature=" + s.chunk(chunk))
		}
		b.WriteString("\r\n")
	}
	for len(data) > 0 {
		n := min(chunkSize, len(data))
		header(n, data[:n])
		b.Write(data[:n])
		b.WriteString("\r\n")
		data = data[n:]
	}
	header(0, nil)
	var canonical string
	for _, tr := range trailers {
		b.WriteString(tr + "\r\n")
		canonical += tr + "\n"
	}
	if s != nil && len(trailers) > 0 {
		b.WriteString("x-amz-trailer-signature:" + s.trailer(canonical) + "\r\n")
	}
	b.WriteString("\r\n")
	return b.Bytes()
}

func crc32Trailer(data []byte) string {
	var sum [4]byte
	binary.BigEndian.PutUint32(sum[:], crc32.ChecksumIEEE(data))
	return base64.StdEncoding.EncodeToString(sum[:])
}

// decodeAll reads r through readers of several shapes and returns what one
// of them read; every shape must agree.
func decodeAll(t *testing.T, body []byte, opts ChunkedOptions) ([]byte, http.Header, error) {
	t.Helper()
	var first []byte
	var firstErr error
	var trailers http.Header
	shapes := []func(io.Reader) io.Reader{
		func(r io.Reader) io.Reader { return r },
		iotest.OneByteReader,
		iotest.HalfReader,
		iotest.DataErrReader,
	}
	for i, shape := range shapes {
		cr := NewChunkedReader(shape(bytes.NewReader(body)), opts)
		got, err := io.ReadAll(cr)
		if i == 0 {
			first, firstErr, trailers = got, err, cr.Trailers()
			continue
		}
		if kindOf(err) != kindOf(firstErr) || (err == nil && !bytes.Equal(got, first)) {
			t.Fatalf("reader shape %d: got %d bytes, %v; plain reader got %d bytes, %v", i, len(got), err, len(first), firstErr)
		}
	}
	return first, trailers, firstErr
}

// The AWS documentation's example: 66560 bytes of 'a' in a 64 KiB chunk, a
// 1 KiB chunk and the final chunk, with the published signatures.
var awsExampleChunkSignatures = [3]string{
	"ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648",
	"0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497",
	"b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9",
}

func awsExampleBody(sigs [3]string, trailer string) []byte {
	a := strings.Repeat("a", 66560)
	return []byte("10000;chunk-signature=" + sigs[0] + "\r\n" + a[:65536] + "\r\n" +
		"400;chunk-signature=" + sigs[1] + "\r\n" + a[65536:] + "\r\n" +
		"0;chunk-signature=" + sigs[2] + "\r\n" + trailer + "\r\n")
}

func TestChunkedReaderVerifiesTheAWSDocumentationExample(t *testing.T) {
	t.Parallel()
	r := readWire(t, awsChunkedExampleRequest)
	q, err := Parse(r)
	if err != nil {
		t.Fatal(err)
	}
	if err := q.Verify(r, testSecret, awsExampleTime, ""); err != nil {
		t.Fatal(err)
	}
	opts, err := ChunkedOptionsFor(r, q, testSecret)
	if err != nil || opts.Signing == nil || opts.DecodedLength != 66560 {
		t.Fatalf("ChunkedOptionsFor = %+v, %v", opts, err)
	}
	body := awsExampleBody(awsExampleChunkSignatures, "")
	if len(body) != 66824 {
		t.Fatalf("example body is %d bytes, the documented Content-Length is 66824", len(body))
	}

	t.Run("the documented body decodes to 66560 bytes of 'a'", func(t *testing.T) {
		got, _, err := decodeAll(t, body, opts)
		if err != nil || string(got) != strings.Repeat("a", 66560) {
			t.Fatalf("decoded %d bytes, %v", len(got), err)
		}
	})
	for i := range awsExampleChunkSignatures {
		t.Run(fmt.Sprintf("changing signature %d of 3 is a signature mismatch", i+1), func(t *testing.T) {
			sigs := awsExampleChunkSignatures
			sigs[i] = strings.Repeat("0", 64)
			if _, _, err := decodeAll(t, awsExampleBody(sigs, ""), opts); KindOf(err) != SignatureMismatch {
				t.Fatalf("err = %v, want SignatureMismatch", err)
			}
		})
	}
	t.Run("changing one data byte is a signature mismatch", func(t *testing.T) {
		tampered := bytes.Clone(body)
		tampered[1000] = 'b'
		_, _, err := decodeAll(t, tampered, opts)
		if KindOf(err) != SignatureMismatch || !strings.HasPrefix(err.(*Error).StringToSign, "AWS4-HMAC-SHA256-PAYLOAD\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n4f232c") {
			t.Fatalf("err = %#v, want SignatureMismatch with the chunk's string to sign", err)
		}
	})
	t.Run("the same body checked against another secret is a signature mismatch", func(t *testing.T) {
		other, _ := ChunkedOptionsFor(r, q, "another secret")
		if _, _, err := decodeAll(t, body, other); KindOf(err) != SignatureMismatch {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("without a secret the body is decoded unchecked", func(t *testing.T) {
		plain, _ := ChunkedOptionsFor(r, q, "")
		sigs := awsExampleChunkSignatures
		sigs[0] = strings.Repeat("0", 64)
		if got, _, err := decodeAll(t, awsExampleBody(sigs, ""), plain); err != nil || len(got) != 66560 {
			t.Fatalf("decoded %d bytes, %v", len(got), err)
		}
	})
}

func TestChunkedReaderVerifiesTheAWSDocumentationTrailerExample(t *testing.T) {
	t.Parallel()
	// "Signature calculations for trailing headers (chunked uploads)": the
	// same upload with a signed CRC32C trailer and its published signatures.
	sigs := [3]string{
		"b474d8862b1487a5145d686f57f013e54db672cee1c953b3010fb58501ef5aa2",
		"1c1344b170168f8e65b41376b44b20fe354e373826ccbbe2c1d40a8cae51e5c7",
		"2ca2aba2005185cf7159c6277faf83795951dd77a3a99e6e65d5c9f85863f992",
	}
	trailer := "x-amz-checksum-crc32c:sOO8/Q==\r\nx-amz-trailer-signature:d81f82fc3505edab99d459891051a732e8730629a2e4a59689829ca17fe2e435\r\n"
	seed := "106e2a8a18243abcf37539882f36619c00e2dfc72633413f02d3b74544bfeb8e"
	opts := ChunkedOptions{
		Signing: &ChunkSigning{Key: SigningKey(testSecret, Scope{"20130524", "us-east-1", "s3"}), Seed: seed,
			AmzDate: "20130524T000000Z", Scope: Scope{"20130524", "us-east-1", "s3"}, SignedTrailer: true},
		DecodedLength: 66560,
		Trailers:      []string{"x-amz-checksum-crc32c"},
	}
	for _, c := range []struct {
		name string
		body []byte
		want Kind
	}{
		{"the documented body decodes with its checksum trailer", awsExampleBody(sigs, trailer), 0},
		{"a bare LF after the checksum, as some clients send, is tolerated",
			awsExampleBody(sigs, strings.Replace(trailer, "\r\nx-amz-trailer-signature", "\n\r\nx-amz-trailer-signature", 1)), 0},
		{"a changed checksum value is a signature mismatch", awsExampleBody(sigs, strings.Replace(trailer, "sOO8/Q==", "sOO8/A==", 1)), SignatureMismatch},
		{"a changed trailer signature is a signature mismatch", awsExampleBody(sigs, strings.Replace(trailer, ":d81f", ":d81e", 1)), SignatureMismatch},
		{"a trailer without its signature is an invalid chunk", awsExampleBody(sigs, "x-amz-checksum-crc32c:sOO8/Q==\r\n"), InvalidChunk},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			got, trailers, err := decodeAll(t, c.body, opts)
			if kindOf(err) != c.want {
				t.Fatalf("err = %v, want kind %v", err, c.want)
			}
			if c.want == 0 && (len(got) != 66560 || trailers.Get("x-amz-checksum-crc32c") != "sOO8/Q==" || len(trailers) != 1) {
				t.Fatalf("decoded %d bytes, trailers %v", len(got), trailers)
			}
		})
	}
}

func TestChunkedReaderRoundTripsSignedBodies(t *testing.T) {
	t.Parallel()
	data := make([]byte, 100_000)
	for i := range data {
		data[i] = byte(i * 7)
	}
	const seed = "0000000000000000000000000000000000000000000000000000000000000000"
	signer := func() *testChunkSigner { return newTestChunkSigner(testSecret, "20261121T101500Z", "us-east-1", seed) }
	for _, c := range []struct {
		name      string
		data      []byte
		chunkSize int
		trailers  []string
		mutate    func([]byte) []byte
		want      Kind
	}{
		{name: "one-byte chunks decode", data: data[:300], chunkSize: 1},
		{name: "8 KiB chunks decode", data: data, chunkSize: 8192},
		{name: "a single chunk larger than the read buffer decodes", data: data, chunkSize: len(data)},
		{name: "an empty body decodes", data: nil, chunkSize: 8192},
		{name: "a signed crc32 trailer decodes", data: data, chunkSize: 5000, trailers: []string{"x-amz-checksum-crc32:" + crc32Trailer(data)}},
		{name: "a flipped data bit is a signature mismatch", data: data, chunkSize: 8192,
			mutate: func(b []byte) []byte { b[9000] ^= 1; return b }, want: SignatureMismatch},
		{name: "two equal chunks swapped are a signature mismatch", data: data, chunkSize: 4096,
			mutate: func(b []byte) []byte {
				// Each record is "1000;chunk-signature=...\r\n" + data + "\r\n";
				// both are valid on their own, only the chain orders them.
				at := func(from int) int { return from + bytes.Index(b[from:], []byte("1000;chunk-signature=")) }
				first := at(0)
				second := at(first + 1)
				third := at(second + 1)
				swapped := append(bytes.Clone(b[second:third]), b[first:second]...)
				return append(append(bytes.Clone(b[:first]), swapped...), b[third:]...)
			}, want: SignatureMismatch},
		{name: "a dropped chunk is a signature mismatch", data: data, chunkSize: 4096,
			mutate: func(b []byte) []byte {
				i := bytes.Index(b, []byte("\r\n1000;")) + 2
				j := bytes.Index(b[i:], []byte("\r\n1000;")) + 2
				return append(b[:i:i], b[i+j:]...)
			}, want: SignatureMismatch},
		{name: "a zeroed chunk signature is a signature mismatch", data: data, chunkSize: 8192,
			mutate: func(b []byte) []byte {
				i := bytes.Index(b, []byte("chunk-signature=")) + len("chunk-signature=")
				copy(b[i:], strings.Repeat("0", 64))
				return b
			}, want: SignatureMismatch},
		{name: "a chunk without its signature is an invalid chunk", data: data, chunkSize: 8192,
			mutate: func(b []byte) []byte {
				return bytes.Replace(b, []byte(";chunk-signature="), []byte(";chunk-signatur="), 1)
			}, want: InvalidChunk},
		{name: "a changed trailer is a signature mismatch", data: data, chunkSize: 5000, trailers: []string{"x-amz-checksum-crc32:" + crc32Trailer(data)},
			mutate: func(b []byte) []byte {
				return bytes.Replace(b, []byte("x-amz-checksum-crc32:"+crc32Trailer(data)), []byte("x-amz-checksum-crc32:AAAAAA=="), 1)
			}, want: SignatureMismatch},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			s := signer()
			body := encodeChunked(c.data, c.chunkSize, s, c.trailers...)
			if c.mutate != nil {
				body = c.mutate(body)
			}
			opts := ChunkedOptions{Signing: s.signing(seed, len(c.trailers) > 0), DecodedLength: int64(len(c.data))}
			got, trailers, err := decodeAll(t, body, opts)
			want := c.want
			if kindOf(err) != want {
				t.Fatalf("err = %v, want kind %v", err, want)
			}
			if want == 0 {
				if !bytes.Equal(got, c.data) {
					t.Fatalf("decoded %d bytes, want %d", len(got), len(c.data))
				}
				if len(c.trailers) > 0 && trailers.Get("X-Amz-Checksum-Crc32") != crc32Trailer(c.data) {
					t.Fatalf("trailers = %v", trailers)
				}
			}
		})
	}
}

func TestChunkedReaderDecodesUnsignedTrailerBodies(t *testing.T) {
	t.Parallel()
	data := bytes.Repeat([]byte("boto3 "), 20000)
	crc := crc32Trailer(data)
	announced := []string{"x-amz-checksum-crc32"}
	for _, c := range []struct {
		name     string
		body     []byte
		trailers []string
		want     Kind
	}{
		{"a boto3-style body with an announced crc32 trailer decodes",
			encodeChunked(data, 65536, nil, "x-amz-checksum-crc32:"+crc), announced, 0},
		{"a trailer that was not announced is an invalid chunk",
			encodeChunked(data, 65536, nil, "x-amz-checksum-crc32:"+crc, "x-amz-checksum-sha1:AAAA"), announced, InvalidChunk},
		{"an announced trailer that never came is an invalid chunk",
			encodeChunked(data, 65536, nil), announced, InvalidChunk},
		{"trailers are accepted as they come when none were announced",
			encodeChunked(data, 65536, nil, "x-amz-checksum-crc32:"+crc), nil, 0},
		{"a body ending right after the final chunk, as the JavaScript SDK sends it, decodes",
			bytes.TrimSuffix(encodeChunked(data, 65536, nil), []byte("\r\n")), nil, 0},
		{"chunk signatures in an unverified body are ignored",
			encodeChunked(data, 65536, newTestChunkSigner("x", "20261121T101500Z", "us-east-1", "seed")), nil, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			got, trailers, err := decodeAll(t, c.body, ChunkedOptions{DecodedLength: int64(len(data)), Trailers: c.trailers})
			if kindOf(err) != c.want {
				t.Fatalf("err = %v, want kind %v", err, c.want)
			}
			if c.want == 0 && !bytes.Equal(got, data) {
				t.Fatalf("decoded %d bytes, want %d", len(got), len(data))
			}
			if c.want == 0 && c.trailers != nil && trailers.Get("x-amz-checksum-crc32") != crc {
				t.Fatalf("trailers = %v", trailers)
			}
		})
	}
}

func TestChunkedReaderRejectsBadFraming(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("0", maxChunkLine)
	for _, c := range []struct {
		name   string
		body   string
		length int64
		signed bool
		want   Kind
	}{
		{name: "a size that is not hex is an invalid chunk", body: "zz\r\nab\r\n0\r\n\r\n", want: InvalidChunk},
		{name: "an empty size is an invalid chunk", body: ";chunk-signature=x\r\n0\r\n\r\n", want: InvalidChunk},
		{name: "a size with a sign is an invalid chunk", body: "+2\r\nab\r\n0\r\n\r\n", want: InvalidChunk},
		{name: "a chunk header ending in a bare LF is an invalid chunk", body: "2\nab\r\n0\r\n\r\n", want: InvalidChunk},
		{name: "chunk data longer than declared is an invalid chunk", body: "2\r\nabc\r\n0\r\n\r\n", want: InvalidChunk},
		{name: "chunk data without its CRLF is an invalid chunk", body: "2\r\nab0\r\n\r\n", want: InvalidChunk},
		{name: "a size that overflows int64 is an invalid chunk", body: "8000000000000000\r\nab\r\n", want: InvalidChunk},
		{name: "a size of seventeen hex digits is an invalid chunk", body: "00000000000000002\r\nab\r\n0\r\n\r\n", want: InvalidChunk},
		{name: "a body cut inside a chunk is an invalid chunk", body: "10\r\nabc", want: InvalidChunk},
		{name: "a huge declared chunk that never comes is an invalid chunk", body: "7fffffffffffffff\r\nabc", want: InvalidChunk},
		{name: "a body cut before the final chunk is an invalid chunk", body: "2\r\nab\r\n", want: InvalidChunk},
		{name: "a body cut inside a chunk header is an invalid chunk", body: "2\r\nab\r\n0", want: InvalidChunk},
		{name: "an empty body is an invalid chunk", body: "", want: InvalidChunk},
		{name: "a chunk header line longer than the limit is an invalid chunk", body: "2;" + long + "\r\nab\r\n0\r\n\r\n", want: InvalidChunk},
		{name: "a trailer line without a colon is an invalid chunk", body: "2\r\nab\r\n0\r\nnocolon\r\n\r\n", want: InvalidChunk},
		{name: "trailers cut before their blank line are an invalid chunk", body: "2\r\nab\r\n0\r\nx-amz-checksum-crc32:AAAA\r\n", want: InvalidChunk},
		{name: "data after the final chunk is an invalid chunk", body: "2\r\nab\r\n0\r\n\r\nextra", want: InvalidChunk},
		{name: "a body shorter than x-amz-decoded-content-length is incomplete", body: "2\r\nab\r\n0\r\n\r\n", length: 3, want: IncompleteBody},
		{name: "a body longer than x-amz-decoded-content-length is incomplete", body: "2\r\nab\r\n0\r\n\r\n", length: 1, want: IncompleteBody},
		{name: "uppercase hex sizes decode", body: "A\r\n0123456789\r\n0\r\n\r\n", length: 10},
		{name: "trailers in a signed stream without trailer signing are an invalid chunk", signed: true, want: InvalidChunk},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			opts := ChunkedOptions{DecodedLength: c.length}
			if c.length == 0 {
				opts.DecodedLength = -1
			}
			body := []byte(c.body)
			if c.signed {
				s := newTestChunkSigner(testSecret, "20261121T101500Z", "us-east-1", "seed")
				body = encodeChunked([]byte("abc"), 2, s, "x-amz-checksum-crc32:AAAA")
				opts.Signing = newTestChunkSigner(testSecret, "20261121T101500Z", "us-east-1", "seed").signing("seed", false)
			}
			_, _, err := decodeAll(t, body, opts)
			if kindOf(err) != c.want {
				t.Fatalf("err = %v, want kind %v", err, c.want)
			}
		})
	}
}

func TestChunkedReaderReturnsErrorsOfTheUnderlyingBody(t *testing.T) {
	t.Parallel()
	boom := fmt.Errorf("connection reset")
	r := NewChunkedReader(io.MultiReader(strings.NewReader("10\r\nabc"), iotest.ErrReader(boom)), ChunkedOptions{DecodedLength: -1})
	if _, err := io.ReadAll(r); err != boom {
		t.Fatalf("err = %v, want the body's own error", err)
	}
	if r.Trailers() != nil {
		t.Fatal("Trailers before EOF must be nil")
	}
}

func TestChunkedReaderUsesBoundedMemoryForHugeChunks(t *testing.T) {
	const size = 256 << 20
	body := io.MultiReader(
		strings.NewReader(fmt.Sprintf("%x\r\n", size)),
		io.LimitReader(zeroReader{}, size),
		strings.NewReader("\r\n0\r\n\r\n"),
	)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	n, err := io.Copy(io.Discard, NewChunkedReader(body, ChunkedOptions{DecodedLength: size}))
	runtime.ReadMemStats(&after)
	if err != nil || n != size {
		t.Fatalf("decoded %d bytes, %v", n, err)
	}
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 1<<20 {
		t.Fatalf("decoding a %d MiB chunk allocated %d bytes", size>>20, grew)
	}
}

type zeroReader struct{}

func (zeroReader) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

func TestChunkedOptionsFor(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name    string
		headers string
		want    Kind
		length  int64
		trail   []string
	}{
		{"absent headers leave the length unknown", "", 0, -1, nil},
		{"x-amz-decoded-content-length and x-amz-trailer are read", "x-amz-decoded-content-length: 42\r\nx-amz-trailer: X-Amz-Checksum-CRC32, x-amz-checksum-sha256\r\n", 0, 42, []string{"x-amz-checksum-crc32", "x-amz-checksum-sha256"}},
		{"a negative decoded length is malformed", "x-amz-decoded-content-length: -1\r\n", Malformed, 0, nil},
		{"a non-numeric decoded length is malformed", "x-amz-decoded-content-length: lots\r\n", Malformed, 0, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			r := readWire(t, "PUT /b/k HTTP/1.1\r\nHost: h\r\n"+c.headers+"\r\n")
			opts, err := ChunkedOptionsFor(r, nil, testSecret)
			if kindOf(err) != c.want {
				t.Fatalf("err = %v, want kind %v", err, c.want)
			}
			if err == nil && (opts.DecodedLength != c.length || strings.Join(opts.Trailers, ",") != strings.Join(c.trail, ",") || opts.Signing != nil) {
				t.Fatalf("opts = %+v", opts)
			}
		})
	}
}

// FuzzChunkedReader checks that no input panics or decodes to more than it
// holds; `go test` runs the seeds.
func FuzzChunkedReader(f *testing.F) {
	f.Add([]byte("2\r\nab\r\n0\r\n\r\n"), false)
	// Seeds stay small: the fuzzer minimizes every new input, and a
	// 66 KiB one keeps it busy for minutes.
	f.Add(encodeChunked([]byte("hello, world"), 5, newTestChunkSigner(testSecret, "20130524T000000Z", "us-east-1", "seed"), "x-amz-checksum-crc32:AAAA"), true)
	f.Add([]byte("0\r\nx-amz-checksum-crc32:AAAA\r\n\r\n"), false)
	f.Add([]byte("0;chunk-signature=00\r\nx-amz-trailer-signature:00\r\n\r\n"), true)
	f.Add([]byte("ffffffffffffffff\r\n"), false)
	f.Fuzz(func(t *testing.T, body []byte, signed bool) {
		opts := ChunkedOptions{DecodedLength: -1}
		if signed {
			s := newTestChunkSigner(testSecret, "20130524T000000Z", "us-east-1", "seed")
			opts.Signing = s.signing("seed", true)
		}
		got, err := io.ReadAll(NewChunkedReader(bytes.NewReader(body), opts))
		if len(got) > len(body) {
			t.Fatalf("decoded %d bytes from %d", len(got), len(body))
		}
		if err != nil && KindOf(err) == 0 {
			t.Fatalf("error is not an *Error: %v", err)
		}
	})
}
