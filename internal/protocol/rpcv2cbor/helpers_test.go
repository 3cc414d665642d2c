package rpcv2cbor_test

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"math/big"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"time"

	"github.com/fxamacker/cbor/v2"

	"github.com/jobplane/jobplane/internal/api/snowball"
	"github.com/jobplane/jobplane/internal/protocol/document/doctest"
	"github.com/jobplane/jobplane/internal/protocol/rpcv2cbor"
	"github.com/jobplane/jobplane/internal/schema"
)

const namespace = "com.amazonaws.snowball"

var codec = rpcv2cbor.New(snowball.Model, namespace)

// encMode writes request vectors the way a Smithy client would: tag 1 with
// an integer or float64, definite lengths.
var encMode = must(cbor.EncOptions{Time: cbor.TimeUnixDynamic, TimeTag: cbor.EncTagRequired, Sort: cbor.SortBytewiseLexical}.EncMode())

// decMode reads our responses: it rejects indefinite lengths, which our
// encoder never writes, and duplicate keys.
var decMode = must(cbor.DecOptions{
	DefaultMapType: reflect.TypeFor[map[string]any](),
	IndefLength:    cbor.IndefLengthForbidden,
	DupMapKey:      cbor.DupMapKeyEnforcedAPF,
	IntDec:         cbor.IntDecConvertSigned,
}.DecMode())

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func unhex(s string) []byte {
	return must(hex.DecodeString(strings.NewReplacer(" ", "", "\n", "", "\t", "").Replace(s)))
}

func hexOf(s string) string { return hex.EncodeToString([]byte(s)) }

// request is a CBOR request for op as the Smithy RPC v2 CBOR spec shapes it.
func request(op string, body []byte) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/service/AWSIESnowballJobManagementService/operation/"+op, bytes.NewReader(body))
	r.Header.Set("Smithy-Protocol", "rpc-v2-cbor")
	r.Header.Set("Content-Type", "application/cbor")
	r.Header.Set("Accept", "application/cbor")
	return r
}

func decode(r *http.Request) (any, error) {
	op, p, err := codec.Route(r)
	if err != nil {
		return nil, err
	}
	return codec.DecodeInput(r, op, p)
}

func dump(v any) string {
	t := reflect.TypeOf(v).Elem()
	for _, sh := range snowball.Model.Shapes {
		if sh.GoType == t {
			return fmt.Sprintf("%+v", doctest.Tree(sh, reflect.ValueOf(v)))
		}
	}
	return fmt.Sprintf("%+v", v)
}

// normalize makes a tree comparable across libraries: every integer becomes
// int64 and every time its epoch milliseconds.
func normalize(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = normalize(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = normalize(e)
		}
		return out
	case uint64:
		return int64(x)
	case *big.Int:
		return x.String()
	case time.Time:
		// A float64 epoch cannot hold .123 exactly and fxamacker truncates
		// to the nanosecond, so round back to the protocol's precision.
		return x.Round(time.Millisecond).UnixMilli()
	}
	return v
}

func shapeTree(sh *schema.Shape, v any) any {
	return normalize(doctest.Tree(sh, reflect.ValueOf(v)))
}
