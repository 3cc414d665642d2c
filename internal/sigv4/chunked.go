package sigv4

import (
	"bufio"
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"hash"
	"io"
	"math"
	"net/http"
	"strconv"
	"strings"
)

// This file decodes Content-Encoding: aws-chunked bodies ("Signature
// Calculations for the Authorization Header: Transferring Payload in
// Multiple Chunks (Chunked Upload)" and "Signature calculations for
// trailing headers (chunked uploads)", S3 API reference):
//
//	hex-size[;chunk-signature=sig]\r\n
//	data\r\n
//	...
//	0[;chunk-signature=sig]\r\n
//	name:value\r\n                          (trailers, optional)
//	x-amz-trailer-signature:sig\r\n         (signed-trailer variant)
//	\r\n

// Limits that keep a hostile body from making the decoder buffer much: no
// line of the framing may exceed maxChunkLine, and the trailers together
// are bounded too.
const (
	maxChunkLine     = 4096
	maxTrailerBytes  = 16 << 10
	maxTrailerFields = 64
)

const trailerSignatureName = "x-amz-trailer-signature"

// ChunkSigning is what verifying the signatures of an aws-chunked body
// needs: the request's signing key and scope, and its signature, which
// seeds the chain of chunk signatures.
type ChunkSigning struct {
	// Key is SigningKey(secret, Scope).
	Key []byte
	// Seed is the signature of the request's headers.
	Seed    string
	AmzDate string
	Scope   Scope
	// SignedTrailer is set for StreamingPayloadTrailer: trailers must then
	// carry an x-amz-trailer-signature; otherwise trailers are refused.
	SignedTrailer bool
}

// ChunkedOptions configures a ChunkedReader.
type ChunkedOptions struct {
	// Signing, when non-nil, makes the reader verify every chunk signature
	// and the trailer signature. When nil (authentication off, or
	// StreamingUnsignedPayloadTrailer) the body is only decoded and any
	// signatures in it are ignored.
	Signing *ChunkSigning
	// DecodedLength is x-amz-decoded-content-length, or -1 when absent.
	DecodedLength int64
	// Trailers are the lowercase trailer names announced in x-amz-trailer.
	// When non-nil, the body must carry exactly those trailers.
	Trailers []string
}

// ChunkSigning returns the chunk-verification parameters for a request
// whose claim is StreamingPayload or StreamingPayloadTrailer, signed with
// secret; nil for any other claim. Call it only after Verify succeeded.
func (q *Request) ChunkSigning(secret string) *ChunkSigning {
	if q.PayloadHash != StreamingPayload && q.PayloadHash != StreamingPayloadTrailer {
		return nil
	}
	return &ChunkSigning{
		Key:           SigningKey(secret, q.Scope),
		Seed:          q.Signature,
		AmzDate:       q.AmzDate,
		Scope:         q.Scope,
		SignedTrailer: q.PayloadHash == StreamingPayloadTrailer,
	}
}

// ChunkedOptionsFor builds the options for decoding r's aws-chunked body
// from its x-amz-decoded-content-length and x-amz-trailer headers. q is the
// verified signature (nil for an anonymous request) and secret its key;
// with q nil or secret "" (authentication off) the body is decoded without
// verification. A bad x-amz-decoded-content-length is Malformed.
func ChunkedOptionsFor(r *http.Request, q *Request, secret string) (ChunkedOptions, error) {
	opts := ChunkedOptions{DecodedLength: -1}
	if v := headerValue(r.Header, "X-Amz-Decoded-Content-Length"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 || !isDigits(v, len(v)) {
			return opts, errorf(Malformed, "x-amz-decoded-content-length "+strconv.Quote(v)+" is not a non-negative integer")
		}
		opts.DecodedLength = n
	}
	for _, v := range r.Header["X-Amz-Trailer"] {
		for name := range strings.SplitSeq(v, ",") {
			if name = strings.ToLower(strings.TrimSpace(name)); name != "" {
				opts.Trailers = append(opts.Trailers, name)
			}
		}
	}
	if q != nil && secret != "" {
		opts.Signing = q.ChunkSigning(secret)
	}
	return opts, nil
}

type chunkState int

const (
	stateHeader chunkState = iota
	stateData
	stateTrailer
	stateDone
)

// ChunkedReader decodes an aws-chunked body, verifying its signatures when
// asked to. Data is handed out as it arrives, before the signature of its
// chunk has been checked; the verdict comes at the latest with the read
// that would return io.EOF, so a caller must discard what it read unless it
// reached io.EOF. Every failure is an *Error (InvalidChunk for framing,
// SignatureMismatch, IncompleteBody for a length that differs from
// x-amz-decoded-content-length) except errors of the underlying body, which
// are returned as they are. Memory use is bounded by a few KiB whatever the
// chunk sizes.
type ChunkedReader struct {
	body io.Reader
	br   *bufio.Reader
	opts ChunkedOptions

	state     chunkState
	remaining int64 // bytes left in the current chunk
	total     int64 // decoded bytes so far
	err       error

	// Verification state.
	chunkSig string // signature the current chunk claims
	prevSig  string // previous signature in the chain
	dataHash hash.Hash
	mac      hash.Hash

	trailers http.Header
}

// NewChunkedReader returns a reader of the decoded body.
func NewChunkedReader(body io.Reader, opts ChunkedOptions) *ChunkedReader {
	c := &ChunkedReader{body: body, br: bufio.NewReaderSize(body, maxChunkLine), opts: opts}
	if s := opts.Signing; s != nil {
		c.prevSig = s.Seed
		c.dataHash = sha256.New()
		c.mac = hmac.New(sha256.New, s.Key)
	}
	return c
}

// Trailers returns the trailing headers (x-amz-checksum-crc32 and the like,
// without x-amz-trailer-signature) once Read has returned io.EOF, and nil
// before.
func (c *ChunkedReader) Trailers() http.Header {
	if c.state != stateDone {
		return nil
	}
	return c.trailers
}

// DecodedLen returns the number of decoded bytes read so far.
func (c *ChunkedReader) DecodedLen() int64 { return c.total }

// Close closes the underlying body if it is an io.Closer.
func (c *ChunkedReader) Close() error {
	if cl, ok := c.body.(io.Closer); ok {
		return cl.Close()
	}
	return nil
}

// Read reads decoded bytes.
func (c *ChunkedReader) Read(p []byte) (int, error) {
	for {
		if c.err != nil {
			return 0, c.err
		}
		switch c.state {
		case stateHeader:
			if err := c.readChunkHeader(); err != nil {
				return 0, c.fail(err)
			}
		case stateData:
			return c.readData(p)
		case stateTrailer:
			if err := c.readTrailers(); err != nil {
				return 0, c.fail(err)
			}
			if err := c.finish(); err != nil {
				return 0, c.fail(err)
			}
			c.state = stateDone
		case stateDone:
			return 0, io.EOF
		}
	}
}

func (c *ChunkedReader) fail(err error) error {
	c.err = err
	return err
}

func (c *ChunkedReader) readData(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	if int64(len(p)) > c.remaining {
		p = p[:c.remaining]
	}
	n, err := c.br.Read(p)
	c.remaining -= int64(n)
	c.total += int64(n)
	if c.dataHash != nil {
		c.dataHash.Write(p[:n])
	}
	if c.opts.DecodedLength >= 0 && c.total > c.opts.DecodedLength {
		return n, c.fail(&Error{Kind: IncompleteBody,
			Message: "The body is longer than x-amz-decoded-content-length " + strconv.FormatInt(c.opts.DecodedLength, 10) + "."})
	}
	if err != nil {
		if err == io.EOF {
			err = truncated()
		}
		return n, c.fail(err)
	}
	if c.remaining == 0 {
		if err := c.endChunk(); err != nil {
			return n, c.fail(err)
		}
		c.state = stateHeader
	}
	return n, nil
}

func truncated() *Error {
	return errorf(InvalidChunk, "The aws-chunked body ended before its final chunk.")
}

// readLine returns the next line including its '\n', or an error: a line
// longer than maxChunkLine is InvalidChunk, and a line cut off by the end
// of the body returns what there was and io.EOF.
func (c *ChunkedReader) readLine() ([]byte, error) {
	line, err := c.br.ReadSlice('\n')
	if errors.Is(err, bufio.ErrBufferFull) {
		return nil, errorf(InvalidChunk, "An aws-chunked framing line is longer than "+strconv.Itoa(maxChunkLine)+" bytes.")
	}
	return line, err
}

func (c *ChunkedReader) readChunkHeader() error {
	line, err := c.readLine()
	if err != nil {
		if err == io.EOF {
			return truncated()
		}
		return err
	}
	body, ok := bytes.CutSuffix(line, []byte("\r\n"))
	if !ok {
		return errorf(InvalidChunk, "An aws-chunked chunk header does not end in CRLF.")
	}
	sizeHex, ext, _ := bytes.Cut(body, []byte(";"))
	size, ok := parseChunkSize(sizeHex)
	if !ok {
		return errorf(InvalidChunk, "Invalid chunk size "+strconv.Quote(string(sizeHex))+".")
	}
	if c.opts.Signing != nil {
		sig, found := chunkSignature(ext)
		if !found {
			return errorf(InvalidChunk, "A chunk of a signed aws-chunked body has no chunk-signature.")
		}
		c.chunkSig = sig
	}
	if size == 0 {
		if err := c.verifyChunk(); err != nil {
			return err
		}
		c.state = stateTrailer
		return nil
	}
	if c.total > math.MaxInt64-size {
		return errorf(InvalidChunk, "The aws-chunked body is too long.")
	}
	c.remaining = size
	c.state = stateData
	return nil
}

// parseChunkSize parses the hex chunk size, rejecting empty, non-hex and
// overflowing values.
func parseChunkSize(b []byte) (int64, bool) {
	if len(b) == 0 || len(b) > 16 {
		return 0, false
	}
	var n int64
	for _, ch := range b {
		var d byte
		switch {
		case '0' <= ch && ch <= '9':
			d = ch - '0'
		case 'a' <= ch && ch <= 'f':
			d = ch - 'a' + 10
		case 'A' <= ch && ch <= 'F':
			d = ch - 'A' + 10
		default:
			return 0, false
		}
		if n > math.MaxInt64>>4 {
			return 0, false
		}
		n = n<<4 | int64(d)
	}
	return n, true
}

// chunkSignature finds chunk-signature among the chunk extensions.
func chunkSignature(ext []byte) (string, bool) {
	for len(ext) > 0 {
		var one []byte
		one, ext, _ = bytes.Cut(ext, []byte(";"))
		if v, ok := bytes.CutPrefix(one, []byte("chunk-signature=")); ok {
			return string(v), true
		}
	}
	return "", false
}

// endChunk consumes the CRLF after a chunk's data and checks its signature.
func (c *ChunkedReader) endChunk() error {
	var crlf [2]byte
	if _, err := io.ReadFull(c.br, crlf[:]); err != nil {
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			return truncated()
		}
		return err
	}
	if crlf != [2]byte{'\r', '\n'} {
		return errorf(InvalidChunk, "An aws-chunked chunk is longer than its declared size, or lacks its CRLF.")
	}
	return c.verifyChunk()
}

// verifyChunk checks the current chunk's signature: HMAC over
// "AWS4-HMAC-SHA256-PAYLOAD", the date, the scope, the previous signature,
// the hash of the empty string and the hash of the chunk's data.
func (c *ChunkedReader) verifyChunk() error {
	s := c.opts.Signing
	if s == nil {
		return nil
	}
	var buf [320]byte
	sts := appendScopeLines(buf[:0], "AWS4-HMAC-SHA256-PAYLOAD", s.AmzDate, s.Scope)
	sts = append(sts, c.prevSig...)
	sts = append(sts, '\n')
	sts = append(sts, EmptySHA256...)
	sts = append(sts, '\n')
	var sum [sha256.Size]byte
	sts = hex.AppendEncode(sts, c.dataHash.Sum(sum[:0]))
	c.dataHash.Reset()
	if err := c.checkSignature(sts, c.chunkSig, "chunk"); err != nil {
		return err
	}
	c.prevSig = c.chunkSig
	return nil
}

func (c *ChunkedReader) checkSignature(sts []byte, provided, what string) error {
	var want [sha256.Size]byte
	c.mac.Reset()
	c.mac.Write(sts)
	got := c.mac.Sum(want[:0])
	var claimed [sha256.Size]byte
	if len(provided) == 2*sha256.Size {
		if _, err := hex.Decode(claimed[:], []byte(provided)); err == nil && hmac.Equal(got, claimed[:]) {
			return nil
		}
	}
	return &Error{
		Kind:              SignatureMismatch,
		Message:           "The " + what + " signature we calculated does not match the signature you provided.",
		SignatureProvided: provided,
		StringToSign:      string(sts),
	}
}

// readTrailers reads the trailer section after the final chunk.
func (c *ChunkedReader) readTrailers() error {
	c.trailers = http.Header{}
	var canonical []byte // "name:value\n" per trailer, in order, for the trailer signature
	var signature string
	var signed bool
	fields, size := 0, 0
	for first := true; ; first = false {
		line, err := c.readLine()
		if err == io.EOF && len(line) == 0 && first {
			// The body ends right after the final chunk, with no trailer
			// section; the AWS SDK for JavaScript does this when it has no
			// checksum to add.
			break
		}
		if err != nil {
			if err == io.EOF {
				return truncated()
			}
			return err
		}
		size += len(line)
		if size > maxTrailerBytes {
			return errorf(InvalidChunk, "The aws-chunked trailers are too long.")
		}
		line = bytes.TrimSuffix(bytes.TrimSuffix(line, []byte("\n")), []byte("\r"))
		if len(line) == 0 {
			// Some clients end the checksum with a bare LF and put a
			// CRLF before the signature line; anything else after an
			// empty line is the end of the trailers.
			if next, _ := c.br.Peek(len(trailerSignatureName) + 1); string(next) == trailerSignatureName+":" {
				continue
			}
			break
		}
		name, value, ok := bytes.Cut(line, []byte(":"))
		if !ok {
			return errorf(InvalidChunk, "An aws-chunked trailer line has no ':'.")
		}
		n := strings.ToLower(string(bytes.TrimSpace(name)))
		v := string(bytes.TrimSpace(value))
		if n == trailerSignatureName {
			if signed {
				return errorf(InvalidChunk, "The aws-chunked trailers repeat "+trailerSignatureName+".")
			}
			signature, signed = v, true
			continue
		}
		if fields++; fields > maxTrailerFields {
			return errorf(InvalidChunk, "The aws-chunked body has too many trailers.")
		}
		c.trailers.Add(n, v)
		canonical = append(canonical, n...)
		canonical = append(canonical, ':')
		canonical = append(canonical, v...)
		canonical = append(canonical, '\n')
	}
	if err := c.checkAnnounced(); err != nil {
		return err
	}
	s := c.opts.Signing
	switch {
	case s == nil:
		return nil
	case !s.SignedTrailer:
		if fields > 0 || signed {
			return errorf(InvalidChunk, "Trailers are not allowed with x-amz-content-sha256 "+StreamingPayload+".")
		}
		return nil
	case fields == 0 && !signed:
		return nil
	case !signed:
		return errorf(InvalidChunk, "The aws-chunked trailers lack "+trailerSignatureName+".")
	}
	// Trailer signature: HMAC over "AWS4-HMAC-SHA256-TRAILER", the date,
	// the scope, the final chunk's signature and the hash of the canonical
	// trailers.
	var buf [320]byte
	sts := appendScopeLines(buf[:0], "AWS4-HMAC-SHA256-TRAILER", s.AmzDate, s.Scope)
	sts = append(sts, c.prevSig...)
	sts = append(sts, '\n')
	sum := sha256.Sum256(canonical)
	sts = hex.AppendEncode(sts, sum[:])
	return c.checkSignature(sts, signature, "trailer")
}

// checkAnnounced holds the trailers to x-amz-trailer, when it was sent:
// S3 refuses a trailer it was not told about and one it was told about but
// did not get.
func (c *ChunkedReader) checkAnnounced() error {
	if c.opts.Trailers == nil {
		return nil
	}
	for name := range c.trailers {
		found := false
		for _, a := range c.opts.Trailers {
			if strings.EqualFold(a, name) {
				found = true
				break
			}
		}
		if !found {
			return errorf(InvalidChunk, "The trailer "+strconv.Quote(strings.ToLower(name))+" was not announced in x-amz-trailer.")
		}
	}
	for _, a := range c.opts.Trailers {
		if _, ok := c.trailers[http.CanonicalHeaderKey(a)]; !ok {
			return errorf(InvalidChunk, "The trailer "+strconv.Quote(a)+" announced in x-amz-trailer was not sent.")
		}
	}
	return nil
}

// finish checks that nothing follows the trailers and that the decoded
// length is the announced one.
func (c *ChunkedReader) finish() error {
	if _, err := c.br.ReadByte(); err == nil {
		return errorf(InvalidChunk, "The aws-chunked body has data after its final chunk.")
	} else if err != io.EOF {
		return err
	}
	if c.opts.DecodedLength >= 0 && c.total != c.opts.DecodedLength {
		return &Error{Kind: IncompleteBody, Message: "The decoded body has " + strconv.FormatInt(c.total, 10) +
			" bytes but x-amz-decoded-content-length is " + strconv.FormatInt(c.opts.DecodedLength, 10) + "."}
	}
	return nil
}
