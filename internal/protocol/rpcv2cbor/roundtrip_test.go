package rpcv2cbor_test

import (
	"net/http/httptest"
	"reflect"
	"testing"

	"github.com/jobplane/jobplane/internal/api/snowball"
	"github.com/jobplane/jobplane/internal/protocol/document/doctest"
)

func TestEveryOperationDecodesRequestsAndEncodesOutputs(t *testing.T) {
	t.Parallel()
	if len(snowball.Model.Operations) != 27 {
		t.Fatalf("model has %d operations, want 27", len(snowball.Model.Operations))
	}
	for _, op := range snowball.Model.Operations {
		t.Run(op.Name+" reads a full request map and writes a full output map", func(t *testing.T) {
			t.Parallel()
			want := doctest.Fill(op.Input)
			body := must(encMode.Marshal(doctest.Tree(op.Input, reflect.ValueOf(want))))
			got, err := decode(request(op.Name, body))
			if err != nil {
				t.Fatalf("DecodeInput: %v", err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("decoded\n got %s\nwant %s", dump(got), dump(want))
			}

			out := doctest.Fill(op.Output)
			rec := httptest.NewRecorder()
			if err := codec.EncodeOutput(rec, request(op.Name, nil), op, out); err != nil {
				t.Fatalf("EncodeOutput: %v", err)
			}
			if rec.Code != 200 || rec.Header().Get("Smithy-Protocol") != "rpc-v2-cbor" || rec.Header().Get("Content-Type") != "application/cbor" {
				t.Errorf("status %d, headers %v", rec.Code, rec.Header())
			}
			var tree any
			if err := decMode.Unmarshal(rec.Body.Bytes(), &tree); err != nil {
				t.Fatalf("fxamacker cannot read the output: %v", err)
			}
			if wantTree := shapeTree(op.Output, out); !reflect.DeepEqual(normalize(tree), wantTree) {
				t.Errorf("output\n got %v\nwant %v", normalize(tree), wantTree)
			}
		})
	}
}
