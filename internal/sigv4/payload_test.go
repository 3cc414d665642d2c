package sigv4

import (
	"bytes"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

func TestPayloadReader(t *testing.T) {
	t.Parallel()
	body := bytes.Repeat([]byte("jobplane "), 10000)
	for _, c := range []struct {
		name  string
		claim string
		want  Kind
	}{
		{"a body matching its claim reads to EOF", SHA256Hex(body), 0},
		{"a body matching an uppercase claim reads to EOF", strings.ToUpper(SHA256Hex(body)), 0},
		{"a body not matching its claim fails at the end", EmptySHA256, PayloadHashMismatch},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			p := NewPayloadReader(iotest.OneByteReader(bytes.NewReader(body)), c.claim)
			got, err := io.ReadAll(p)
			if kindOf(err) != c.want {
				t.Fatalf("ReadAll error = %v, want kind %v", err, c.want)
			}
			if !bytes.Equal(got, body) || p.Len() != int64(len(body)) {
				t.Fatalf("read %d bytes, want %d", len(got), len(body))
			}
			if _, again := p.Read(make([]byte, 1)); kindOf(again) != kindOf(err) && again != io.EOF {
				t.Fatalf("a second read after the end returned %v", again)
			}
		})
	}
}

func TestSHA256HexOfNothingIsEmptySHA256(t *testing.T) {
	t.Parallel()
	if SHA256Hex(nil) != EmptySHA256 {
		t.Fatal(SHA256Hex(nil))
	}
}
