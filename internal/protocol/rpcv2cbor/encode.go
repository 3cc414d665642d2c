package rpcv2cbor

import (
	"net/http"
	"reflect"
	"strconv"
	"strings"
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

// EncodeOutput writes status 200 and the output as a definite-length CBOR
// map. An output with no members, or a nil out, is the empty map a0, never
// an empty body: botocore fails on an empty body for an operation whose
// output has members (spec sheet §1.3).
func (c *Codec) EncodeOutput(w http.ResponseWriter, _ *http.Request, op *schema.Operation, out any) error {
	cw := getWriter()
	defer putWriter(cw)
	v := reflect.ValueOf(out)
	if op.Output == nil || !v.IsValid() || (v.Kind() == reflect.Pointer && v.IsNil()) {
		cw.BeginStruct(0)
	} else if err := document.Walk(cw, op.Output, v); err != nil {
		return err
	}
	send(w, http.StatusOK, cw.buf)
	return nil
}

// EncodeError writes err as a CBOR map whose __type is the absolute shape ID
// of the error ("com.amazonaws.snowball#InvalidJobStateException"), with
// Message and the error's other members. No X-Amzn-ErrorType header is sent:
// the spec says servers SHOULD NOT and clients ignore it (spec sheet §1.3).
func (c *Codec) EncodeError(w http.ResponseWriter, _ *http.Request, err apierror.Coded, _ protocol.ErrorMeta) {
	code := err.ErrorCode()
	typ := code
	if !strings.Contains(code, "#") {
		typ = c.namespace + "#" + code
	}
	apierror.CopyHeader(w.Header(), err)
	cw := getWriter()
	defer putWriter(cw)
	if werr := document.WriteError(cw, typ, err); werr != nil {
		// A generated error type out of step with its shape is a bug; the
		// client still gets the type and message.
		cw.buf = cw.buf[:0]
		cw.BeginStruct(2)
		cw.String("__type")
		cw.String(typ)
		cw.String("Message")
		cw.String(err.ErrorMessage())
	}
	send(w, err.HTTPStatusCode(), cw.buf)
}

func send(w http.ResponseWriter, status int, body []byte) {
	h := w.Header()
	h.Set("Smithy-Protocol", ProtocolID)
	h.Set("Content-Type", ContentType)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
