package rpcv2cbor_test

import (
	"testing"

	"github.com/fxamacker/cbor/v2"

	"github.com/jobplane/jobplane/internal/api/snowball"
	"github.com/jobplane/jobplane/internal/protocol"
)

// wellformed is fxamacker's verdict on a body, with limits loose enough that
// anything our decoder accepts is within them.
var wellformed = must(cbor.DecOptions{
	MaxNestedLevels:  256,
	MaxArrayElements: 1 << 30,
	MaxMapPairs:      1 << 30,
	IndefLength:      cbor.IndefLengthAllowed,
	TagsMd:           cbor.TagsAllowed,
}.DecMode())

// FuzzDecodeInput feeds arbitrary bodies to every operation. Decoding must
// never panic, must fail only with a DecodeError, and must accept only what
// fxamacker/cbor, an independent decoder, finds well-formed.
func FuzzDecodeInput(f *testing.F) {
	seeds := []string{
		"", "a0", "bfff", "f6", "80",
		"a4674a6f625479706566494d504f52546c536e6f7762616c6c54797065644544474569416464726573734964614161" +
			"6e5368697070696e674f7074696f6e6a5345434f4e445f444159",
		"a16d5069636b757044657461696c73a1781c4964656e74696669636174696f6e45787069726174696f6e44617465c11a67760225",
		"bf7f634a6f62626964ff7f6441424344ff60ff", "a1617886f7f6f5f4f93e00fb3ff8000000000000",
		"a16a4d6178526573756c74731a80000000", "bb000000010000000060", "a16178c1fb7ff8000000000000",
	}
	for i, s := range seeds {
		f.Add(uint8(i), unhex(s))
	}
	ops := snowball.Model.Operations
	f.Fuzz(func(t *testing.T, opIndex uint8, body []byte) {
		op := ops[int(opIndex)%len(ops)]
		in, err := codec.DecodeInput(request(op.Name, body), op, nil)
		if err != nil {
			if _, ok := err.(*protocol.DecodeError); !ok {
				t.Fatalf("error %T is not a DecodeError", err)
			}
			return
		}
		if in == nil {
			t.Fatal("nil input without an error")
		}
		if len(body) > 0 {
			if werr := wellformed.Wellformed(body); werr != nil {
				t.Fatalf("accepted a body fxamacker rejects: %v", werr)
			}
		}
	})
}
