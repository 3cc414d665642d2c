package awsjson

import (
	"net/http"
	"reflect"
	"strconv"
	"sync"

	"github.com/jobplane/jobplane/internal/apierror"
	"github.com/jobplane/jobplane/internal/protocol"
	"github.com/jobplane/jobplane/internal/protocol/document"
	"github.com/jobplane/jobplane/internal/schema"
)

var writers = sync.Pool{New: func() any { return &writer{buf: make([]byte, 0, 1024)} }}

// maxPooled keeps one huge response from pinning its buffer in the pool.
const maxPooled = 64 << 10

func getWriter() *writer { w := writers.Get().(*writer); w.buf = w.buf[:0]; return w }

func putWriter(w *writer) {
	if cap(w.buf) <= maxPooled {
		writers.Put(w)
	}
}

// EncodeOutput writes status 200 and the output as a JSON object. An
// operation without output, or a nil out, gets {} which every client accepts
// (the Smithy awsJson spec lets servers send an empty body, but botocore
// parses {} as readily and it keeps Content-Type meaningful).
func (c *Codec) EncodeOutput(w http.ResponseWriter, _ *http.Request, op *schema.Operation, out any) error {
	jw := getWriter()
	defer putWriter(jw)
	v := reflect.ValueOf(out)
	if op.Output == nil || !v.IsValid() || (v.Kind() == reflect.Pointer && v.IsNil()) {
		jw.buf = append(jw.buf, '{', '}')
	} else if err := document.Walk(jw, op.Output, v); err != nil {
		return err
	}
	send(w, http.StatusOK, jw.buf)
	return nil
}

// EncodeError writes err as {"__type": code, "Message": ...} plus the
// error's other members, with the code also in X-Amzn-ErrorType, which the Go
// SDK prefers over the body (spec sheet §1.2). __type is the bare code, as
// the Smithy awsJson spec asks of servers.
func (c *Codec) EncodeError(w http.ResponseWriter, _ *http.Request, err apierror.Coded, _ protocol.ErrorMeta) {
	code := err.ErrorCode()
	apierror.CopyHeader(w.Header(), err)
	w.Header().Set("X-Amzn-ErrorType", code)
	jw := getWriter()
	defer putWriter(jw)
	if werr := document.WriteError(jw, code, err); werr != nil {
		// A generated error type out of step with its shape is a bug; the
		// client still gets the code and message.
		jw.buf = jw.buf[:0]
		jw.BeginStruct(2)
		jw.Member(0, "__type")
		jw.String(code)
		jw.Member(1, "Message")
		jw.String(err.ErrorMessage())
		jw.EndStruct()
	}
	send(w, err.HTTPStatusCode(), jw.buf)
}

func send(w http.ResponseWriter, status int, body []byte) {
	h := w.Header()
	h.Set("Content-Type", ContentType)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
