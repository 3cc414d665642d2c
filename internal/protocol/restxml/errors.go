package restxml

import (
	"bytes"
	"net/http"
	"reflect"
	"strconv"

	"github.com/jobplane/jobplane/internal/apierror"
	"github.com/jobplane/jobplane/internal/protocol"
	"github.com/jobplane/jobplane/internal/schema"
)

// modeledError is implemented by the generated error types.
type modeledError interface {
	ErrorShape() *schema.Shape
}

// EncodeError writes err as a restXml error response with status
// err.HTTPStatusCode().
//
// S3 (Options.WrappedErrors false) writes a bare root:
//
//	<Error><Code/><Message/>{fields}<RequestId/><HostId/></Error>
//
// S3 Control writes the wrapped form, the only one aws-sdk-go-v2 reads for
// it (spec sheet §3.2):
//
//	<ErrorResponse><Error><Code/><Message/>{fields}</Error><RequestId/><HostId/></ErrorResponse>
//
// The extra fields are an *apierror.Error's Fields, or a modeled error's
// non-nil members other than Message. An *apierror.Error's Header is copied
// into the response. HEAD responses carry no body.
func (c *Codec) EncodeError(w http.ResponseWriter, r *http.Request, err apierror.Coded, meta protocol.ErrorMeta) {
	status := err.HTTPStatusCode()
	if status == 0 {
		status = http.StatusInternalServerError
	}
	h := w.Header()
	apierror.CopyHeader(h, err)
	var fields func(xw *xmlWriter)
	switch e := err.(type) {
	case *apierror.Error:
		fields = func(xw *xmlWriter) {
			for _, f := range e.Fields {
				xw.buf.WriteByte('<')
				xw.buf.WriteString(f.Name)
				xw.buf.WriteByte('>')
				xw.text(f.Value)
				xw.close(f.Name)
			}
		}
	case modeledError:
		fields = c.modeledFields(e, h)
	}

	h.Set("Content-Type", "application/xml")
	if !allowBody(r) {
		w.WriteHeader(status)
		return
	}
	buf := bufPool.Get().(*bytes.Buffer)
	buf.Reset()
	defer bufPool.Put(buf)
	xw := &xmlWriter{c: c, buf: buf}
	buf.WriteString(xmlHeader)
	if c.opts.WrappedErrors {
		buf.WriteString("<ErrorResponse>")
	}
	buf.WriteString("<Error><Code>")
	xw.text(err.ErrorCode())
	buf.WriteString("</Code><Message>")
	xw.text(err.ErrorMessage())
	buf.WriteString("</Message>")
	if fields != nil {
		fields(xw)
	}
	if c.opts.WrappedErrors {
		buf.WriteString("</Error>")
	}
	buf.WriteString("<RequestId>")
	xw.text(meta.RequestID)
	buf.WriteString("</RequestId><HostId>")
	xw.text(meta.HostID)
	buf.WriteString("</HostId>")
	if c.opts.WrappedErrors {
		buf.WriteString("</ErrorResponse>")
	} else {
		buf.WriteString("</Error>")
	}
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// modeledFields sets a modeled error's header members on h and returns a
// writer for its other members. Members that fail to serialize are left out:
// an error response must still be written.
func (c *Codec) modeledFields(e modeledError, h http.Header) func(*xmlWriter) {
	sh := e.ErrorShape()
	v := deref(reflect.ValueOf(e))
	if sh == nil || !v.IsValid() || v.Kind() != reflect.Struct || v.NumField() < len(sh.Members) {
		return nil
	}
	for i, m := range sh.Members {
		if m.Location == schema.Header {
			if s, ok := headerValue(v.Field(i), m); ok {
				h.Set(m.LocationName, s)
			}
		}
	}
	return func(xw *xmlWriter) {
		for i, m := range sh.Members {
			f := v.Field(i)
			if m.Name == "Message" || m.Location != schema.Body || isAbsent(f) {
				continue
			}
			mark := xw.buf.Len()
			if err := xw.member(f, m); err != nil {
				xw.buf.Truncate(mark)
			}
		}
	}
}
