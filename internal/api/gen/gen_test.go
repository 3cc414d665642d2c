package main

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

func TestCommittedCodeIsWhatTheGeneratorWrites(t *testing.T) {
	for name := range services {
		t.Run(name, func(t *testing.T) {
			m, err := loadModel(filepath.Join("..", "models", name+".json"), filepath.Join("..", "models", name+".patch.json"))
			if err != nil {
				t.Fatal(err)
			}
			files, err := newGenerator(name, m).run()
			if err != nil {
				t.Fatal(err)
			}
			for file, want := range files {
				got, err := os.ReadFile(filepath.Join("..", name, file))
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got, want) {
					t.Errorf("internal/api/%s/%s is stale: run go generate ./internal/api/...", name, file)
				}
			}
		})
	}
}

func TestMergePatch(t *testing.T) {
	tests := []struct {
		name                string
		target, patch, want any
	}{
		{"a patch adds and replaces keys",
			map[string]any{"a": 1.0, "b": map[string]any{"c": "x"}},
			map[string]any{"b": map[string]any{"c": "y", "d": true}, "e": "new"},
			map[string]any{"a": 1.0, "b": map[string]any{"c": "y", "d": true}, "e": "new"}},
		{"null removes a key", map[string]any{"a": 1.0, "b": 2.0}, map[string]any{"b": nil}, map[string]any{"a": 1.0}},
		{"a non-object patch replaces the target", map[string]any{"a": 1.0}, []any{"x"}, []any{"x"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := mergePatch(tt.target, tt.patch); !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("mergePatch = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestStripDocsKeepsEverythingElseInOrder(t *testing.T) {
	in := []byte(`{"shapes":{"B":{"type":"string","documentation":"<p>x</p>"},"A":{"type":"structure","members":{"Z":{"shape":"B","documentation":"d"},"Y":{"shape":"B"}}}},"documentation":"top"}`)
	out, err := stripDocs(in)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(out, []byte("documentation")) {
		t.Fatalf("documentation left in:\n%s", out)
	}
	keys, err := memberOrders(out)
	if err != nil {
		t.Fatal(err)
	}
	if got := keys["A"]; !reflect.DeepEqual(got, []string{"Z", "Y"}) {
		t.Fatalf("member order %v, want [Z Y]", got)
	}
}

func TestExported(t *testing.T) {
	for in, want := range map[string]string{"JobStatus": "JobStatus", "s3:ObjectCreated:*": "S3ObjectCreated", "SSE-S3": "SSES3", "2016": "X2016", "x-amz-meta": "XAmzMeta"} {
		if got := exported(in); got != want {
			t.Errorf("exported(%q) = %q, want %q", in, got, want)
		}
	}
}
