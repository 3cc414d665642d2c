package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"time"
)

// rawConn is one load-generator worker's keep-alive HTTP/1.1 connection, in
// the manner of wrk: each request leaves in one write (head and body
// together) and its answer is read through one buffered reader, with no
// goroutine besides the worker's. net/http's client runs two goroutines per
// connection and writes head and body separately; on two cores that cost
// as much CPU as the servers under measurement, and the measurement is of
// the servers. It speaks just enough HTTP for the servers measured here:
// Content-Length or chunked answers, or answers ending with the connection.
type rawConn struct {
	addr string // host:port
	c    net.Conn
	r    *bufio.Reader
	out  []byte
}

func newRawConn(baseURL string) *rawConn {
	return &rawConn{addr: strings.TrimPrefix(baseURL, "http://")}
}

// do sends one request, reads the whole answer and checks its status.
func (c *rawConn) do(method, path string, body []byte, want int) error {
	status, err := c.send(method, path, body)
	if err != nil {
		return err
	}
	if status != want {
		return fmt.Errorf("%s %s answered %d, want %d", method, path, status, want)
	}
	return nil
}

// send sends one request as the 12-digit account the access key names, and
// reads the whole answer. Neither server verifies the signature (jobplane
// runs with authentication off, moto_server accepts any), but both then
// treat the request as authenticated.
func (c *rawConn) send(method, path string, body []byte) (status int, err error) {
	if c.c == nil {
		conn, err := net.Dial("tcp", c.addr)
		if err != nil {
			return 0, err
		}
		c.c, c.r = conn, bufio.NewReaderSize(conn, 64<<10)
	}
	now := time.Now().UTC()
	b := c.out[:0]
	b = append(b, method...)
	b = append(b, ' ')
	b = append(b, path...)
	b = append(b, " HTTP/1.1\r\nHost: "...)
	b = append(b, c.addr...)
	b = append(b, "\r\nX-Amz-Date: "...)
	b = now.AppendFormat(b, "20060102T150405Z")
	b = append(b, "\r\nAuthorization: AWS4-HMAC-SHA256 Credential=123456789012/"...)
	b = now.AppendFormat(b, "20060102")
	b = append(b, "/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-date, Signature=00\r\n"...)
	b = append(b, "X-Amz-Content-Sha256: UNSIGNED-PAYLOAD\r\n"...)
	if body != nil || method == "PUT" || method == "POST" {
		b = append(b, "Content-Length: "...)
		b = strconv.AppendInt(b, int64(len(body)), 10)
		b = append(b, "\r\n"...)
	}
	b = append(b, "\r\n"...)
	b = append(b, body...)
	c.out = b
	if _, err := c.c.Write(b); err != nil {
		c.close()
		return 0, err
	}
	status, keep, err := c.readResponse(method)
	if !keep || err != nil {
		c.close()
	}
	return status, err
}

func (c *rawConn) close() {
	if c.c != nil {
		c.c.Close()
		c.c, c.r = nil, nil
	}
}

var errBadResponse = errors.New("malformed HTTP response")

// readResponse reads one answer, discarding its body. keep is false when
// the server ends the connection after it.
func (c *rawConn) readResponse(method string) (status int, keep bool, err error) {
	line, err := c.line()
	if err != nil {
		return 0, false, err
	}
	// "HTTP/1.1 200 OK"
	if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.")) {
		return 0, false, fmt.Errorf("%w: status line %q", errBadResponse, line)
	}
	keep = line[7] == '1'
	status, err = strconv.Atoi(string(line[9:12]))
	if err != nil {
		return 0, false, fmt.Errorf("%w: status line %q", errBadResponse, line)
	}
	length, chunked := int64(-1), false
	for {
		h, err := c.line()
		if err != nil {
			return 0, false, err
		}
		if len(h) == 0 {
			break
		}
		name, value, ok := bytes.Cut(h, []byte(":"))
		if !ok {
			return 0, false, fmt.Errorf("%w: header %q", errBadResponse, h)
		}
		value = bytes.TrimSpace(value)
		switch {
		case bytes.EqualFold(name, []byte("Content-Length")):
			if length, err = strconv.ParseInt(string(value), 10, 64); err != nil {
				return 0, false, fmt.Errorf("%w: header %q", errBadResponse, h)
			}
		case bytes.EqualFold(name, []byte("Transfer-Encoding")):
			chunked = bytes.EqualFold(value, []byte("chunked"))
		case bytes.EqualFold(name, []byte("Connection")):
			if bytes.EqualFold(value, []byte("close")) {
				keep = false
			} else if bytes.EqualFold(value, []byte("keep-alive")) {
				keep = true
			}
		}
	}
	switch {
	case method == "HEAD" || status == 204 || status == 304 || status < 200:
	case chunked:
		err = c.discardChunks()
	case length >= 0:
		_, err = c.r.Discard(int(length))
	default:
		_, err = io.Copy(io.Discard, c.r)
		keep = false
	}
	return status, keep, err
}

func (c *rawConn) discardChunks() error {
	for {
		line, err := c.line()
		if err != nil {
			return err
		}
		size, _, _ := bytes.Cut(line, []byte(";"))
		n, err := strconv.ParseInt(string(bytes.TrimSpace(size)), 16, 64)
		if err != nil {
			return fmt.Errorf("%w: chunk size %q", errBadResponse, line)
		}
		if n == 0 {
			for { // trailers, up to the empty line
				t, err := c.line()
				if err != nil || len(t) == 0 {
					return err
				}
			}
		}
		if _, err := c.r.Discard(int(n) + 2); err != nil {
			return err
		}
	}
}

// line reads one line without its CRLF; it is valid until the next read.
func (c *rawConn) line() ([]byte, error) {
	l, err := c.r.ReadSlice('\n')
	if err != nil {
		return nil, err
	}
	return bytes.TrimRight(l, "\r\n"), nil
}
