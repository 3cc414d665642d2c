package document_test

import (
	"encoding/json"
	"errors"
	"math"
	"math/big"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/jobplane/jobplane/internal/protocol/document"
	"github.com/jobplane/jobplane/internal/schema"
)

// A synthetic model with the shapes Snowball lacks (maps, blobs, floats)
// and a recursive structure for the depth limit.
type node struct {
	Name     *string
	Tags     map[string]string
	Data     []byte
	Ratio    *float32
	Children []node
	Next     *node
}

var (
	str       = &schema.Shape{Name: "S", Type: schema.String}
	nodeShape = &schema.Shape{Name: "Node", Type: schema.Structure, GoType: reflect.TypeFor[node]()}
)

func init() {
	nodeShape.Members = []*schema.Member{
		{Name: "Name", Shape: str},
		{Name: "Tags", Shape: &schema.Shape{Name: "Tags", Type: schema.Map, Key: &schema.Member{Name: "key", Shape: str}, Value: &schema.Member{Name: "value", Shape: str}}},
		{Name: "Data", Shape: &schema.Shape{Name: "Blob", Type: schema.Blob}},
		{Name: "Ratio", Shape: &schema.Shape{Name: "F", Type: schema.Float}},
		{Name: "Children", Shape: &schema.Shape{Name: "Nodes", Type: schema.List, Member: &schema.Member{Name: "member", Shape: nodeShape}}},
		{Name: "Next", Shape: nodeShape},
	}
}

func ptr[T any](v T) *T { return &v }

func TestDecodeBindsMapsBlobsFloatsAndNesting(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		tree any
		opts document.Options
		want *node
	}{
		{name: "a nil tree is the empty structure", tree: nil, want: &node{}},
		{name: "a map with a null value drops the entry", tree: map[string]any{"Tags": map[string]any{"a": "1", "b": nil}}, want: &node{Tags: map[string]string{"a": "1"}}},
		{name: "a blob from a byte string", tree: map[string]any{"Data": []byte{1, 2}}, want: &node{Data: []byte{1, 2}}},
		{name: "a blob from base64 when allowed", tree: map[string]any{"Data": "AQI="}, opts: document.Options{Base64Blobs: true}, want: &node{Data: []byte{1, 2}}},
		{name: "a float from a JSON number", tree: map[string]any{"Ratio": json.Number("0.5")}, want: &node{Ratio: ptr(float32(0.5))}},
		{name: "a float from a big integer", tree: map[string]any{"Ratio": big.NewInt(3)}, want: &node{Ratio: ptr(float32(3))}},
		{name: "Infinity as awsJson writes it", tree: map[string]any{"Ratio": "Infinity"}, want: &node{Ratio: ptr(float32(math.Inf(1)))}},
		{name: "nested structures by value and by pointer", tree: map[string]any{"Children": []any{map[string]any{"Name": "c"}}, "Next": map[string]any{"Name": "n"}},
			want: &node{Children: []node{{Name: ptr("c")}}, Next: &node{Name: ptr("n")}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := document.Decode(nodeShape, tc.tree, tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestDecodeRejectsValuesThatDoNotFit(t *testing.T) {
	t.Parallel()
	deep := map[string]any{}
	cur := deep
	for range 100 {
		next := map[string]any{}
		cur["Next"] = next
		cur = next
	}
	cases := []struct {
		name string
		tree any
		path string
	}{
		{name: "base64 text for a CBOR blob", tree: map[string]any{"Data": "AQI="}, path: "Data"},
		{name: "bad base64", tree: map[string]any{"Data": []any{}}, path: "Data"},
		{name: "a float past float32", tree: map[string]any{"Ratio": 1e300}, path: "Ratio"},
		{name: "a list for a map", tree: map[string]any{"Tags": []any{}}, path: "Tags"},
		{name: "a bad map value names its key", tree: map[string]any{"Tags": map[string]any{"k": 1.0}}, path: "Tags.k"},
		{name: "a bad element of a nested list", tree: map[string]any{"Children": []any{map[string]any{}, map[string]any{"Children": []any{"x"}}}}, path: "Children[1].Children[0]"},
		{name: "nesting past the limit", tree: deep, path: "Next." + strings.Repeat("Next.", 62) + "Next"},
		{name: "a top level that is not an object", tree: []any{}, path: ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := document.Decode(nodeShape, tc.tree, document.Options{})
			var de *document.Error
			if !errors.As(err, &de) {
				t.Fatalf("got %v, want a document.Error", err)
			}
			if de.Path != tc.path {
				t.Errorf("path %q, want %q (%v)", de.Path, tc.path, err)
			}
		})
	}
}

func TestTimestampsAcceptEveryWireForm(t *testing.T) {
	t.Parallel()
	ts := &schema.Shape{Name: "T", Type: schema.Timestamp}
	want := time.UnixMilli(1460678186500).UTC()
	cases := []struct {
		name string
		tree any
		want time.Time
		bad  bool
	}{
		{name: "a JSON fraction", tree: json.Number("1460678186.5"), want: want},
		{name: "a JSON exponent", tree: json.Number("1.4606781865e9"), want: want},
		{name: "a float64", tree: 1460678186.5, want: want},
		{name: "a uint64", tree: uint64(1460678186), want: time.Unix(1460678186, 0).UTC()},
		{name: "a negative int64", tree: int64(-1), want: time.Unix(-1, 0).UTC()},
		{name: "a time from CBOR tag 1", tree: want, want: want},
		{name: "numeric text as the model examples write it", tree: "1460678186.5", want: want},
		{name: "ISO-8601 with an offset", tree: "2016-04-15T01:56:26.5+02:00", want: want},
		{name: "a uint64 past int64", tree: uint64(math.MaxUint64), bad: true},
		{name: "a year past 9999", tree: json.Number("253402300800"), bad: true},
		{name: "NaN", tree: math.NaN(), bad: true},
		{name: "garbage text", tree: "soon", bad: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var got time.Time
			err := document.DecodeInto(ts, reflect.ValueOf(&got).Elem(), tc.tree, document.Options{})
			if tc.bad {
				if err == nil {
					t.Fatalf("accepted %v as %v", tc.tree, got)
				}
				return
			}
			if err != nil || !got.Equal(tc.want) {
				t.Errorf("got %v, %v; want %v", got, err, tc.want)
			}
		})
	}
}

// recorder is an Encoder that writes a readable trace.
type recorder struct{ b strings.Builder }

func (r *recorder) BeginStruct(n int)         { r.b.WriteString("{" + itoa(n)) }
func (r *recorder) Member(i int, name string) { r.b.WriteString(" " + name + "=") }
func (r *recorder) EndStruct()                { r.b.WriteString("}") }
func (r *recorder) BeginList(n int)           { r.b.WriteString("[" + itoa(n)) }
func (r *recorder) Element(i int)             { r.b.WriteString(" ") }
func (r *recorder) EndList()                  { r.b.WriteString("]") }
func (r *recorder) BeginMap(n int)            { r.b.WriteString("<" + itoa(n)) }
func (r *recorder) MapKey(i int, k string)    { r.b.WriteString(" " + k + ":") }
func (r *recorder) EndMap()                   { r.b.WriteString(">") }
func (r *recorder) String(s string)           { r.b.WriteString("s" + s) }
func (r *recorder) Bool(b bool)               { r.b.WriteString("b") }
func (r *recorder) Int(i int64)               { r.b.WriteString("i") }
func (r *recorder) Double(f float64)          { r.b.WriteString("d") }
func (r *recorder) Float(f float32)           { r.b.WriteString("f") }
func (r *recorder) Timestamp(t time.Time)     { r.b.WriteString("t") }
func (r *recorder) Blob(p []byte)             { r.b.WriteString("x" + itoa(len(p))) }

func itoa(n int) string { return string(rune('0' + n)) }

func TestWalkStreamsSetMembersInModelOrder(t *testing.T) {
	t.Parallel()
	v := &node{
		Tags:     map[string]string{"z": "1", "a": "2"},
		Data:     []byte{},
		Ratio:    ptr(float32(1)),
		Children: []node{{Name: ptr("c")}, {}},
	}
	var r recorder
	if err := document.Walk(&r, nodeShape, reflect.ValueOf(v)); err != nil {
		t.Fatal(err)
	}
	want := "{4 Tags=<2 a:s2 z:s1> Data=x0 Ratio=f Children=[2 {1 Name=sc} {0}]}"
	if got := r.b.String(); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

func TestWalkReportsAGoTypeThatDoesNotMatchItsShape(t *testing.T) {
	t.Parallel()
	bad := &schema.Shape{Name: "Bad", Type: schema.Structure, GoType: reflect.TypeFor[struct{ N *int }](),
		Members: []*schema.Member{{Name: "N", Shape: str}}}
	v := struct{ N *int }{N: ptr(1)}
	var r recorder
	err := document.Walk(&r, bad, reflect.ValueOf(v))
	var de *document.Error
	if !errors.As(err, &de) || de.Path != "N" {
		t.Fatalf("got %v", err)
	}
	if _, err := document.Decode(bad, map[string]any{"N": "x"}, document.Options{}); err == nil {
		t.Error("Decode accepted a string for an int field")
	}
}
