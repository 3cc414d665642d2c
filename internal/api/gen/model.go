package main

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"os"
)

// model is the part of a botocore service-2.json document the generator reads.
type model struct {
	Metadata   metadata              `json:"metadata"`
	Operations map[string]*operation `json:"operations"`
	Shapes     map[string]*shape     `json:"shapes"`
}

type metadata struct {
	APIVersion     string   `json:"apiVersion"`
	EndpointPrefix string   `json:"endpointPrefix"`
	JSONVersion    string   `json:"jsonVersion"`
	Protocol       string   `json:"protocol"`
	Protocols      []string `json:"protocols"`
	ServiceID      string   `json:"serviceId"`
	SigningName    string   `json:"signingName"`
	TargetPrefix   string   `json:"targetPrefix"`
	XMLNamespace   string   `json:"xmlNamespace"`
}

type operation struct {
	Name string `json:"name"`
	HTTP struct {
		Method       string `json:"method"`
		RequestURI   string `json:"requestUri"`
		ResponseCode int    `json:"responseCode"`
	} `json:"http"`
	Input                *shapeRef   `json:"input"`
	Output               *shapeRef   `json:"output"`
	Errors               []*shapeRef `json:"errors"`
	HTTPChecksumRequired bool        `json:"httpChecksumRequired"`
	Deprecated           bool        `json:"deprecated"`
	// Unroutable is jobplane's own model extension, set by a patch file, for
	// an operation whose route another operation must win.
	Unroutable bool `json:"x-jobplane-unroutable"`
}

type xmlNamespace struct {
	Prefix string `json:"prefix"`
	URI    string `json:"uri"`
}

// shapeRef is a reference to a shape with the binding traits of a member.
type shapeRef struct {
	Shape            string        `json:"shape"`
	Location         string        `json:"location"`
	LocationName     string        `json:"locationName"`
	XMLNamespace     *xmlNamespace `json:"xmlNamespace"`
	XMLAttribute     bool          `json:"xmlAttribute"`
	Flattened        bool          `json:"flattened"`
	Streaming        bool          `json:"streaming"`
	HostLabel        bool          `json:"hostLabel"`
	IdempotencyToken bool          `json:"idempotencyToken"`
	TimestampFormat  string        `json:"timestampFormat"`
	Deprecated       bool          `json:"deprecated"`
	JSONValue        bool          `json:"jsonvalue"`
}

type shape struct {
	Type            string               `json:"type"`
	Members         map[string]*shapeRef `json:"members"`
	Required        []string             `json:"required"`
	Member          *shapeRef            `json:"member"`
	Key             *shapeRef            `json:"key"`
	Value           *shapeRef            `json:"value"`
	Enum            []string             `json:"enum"`
	Min             *float64             `json:"min"`
	Max             *float64             `json:"max"`
	Pattern         string               `json:"pattern"`
	Flattened       bool                 `json:"flattened"`
	LocationName    string               `json:"locationName"`
	XMLNamespace    *xmlNamespace        `json:"xmlNamespace"`
	TimestampFormat string               `json:"timestampFormat"`
	Exception       bool                 `json:"exception"`
	Fault           bool                 `json:"fault"`
	Error           *struct {
		Code           string `json:"code"`
		HTTPStatusCode int    `json:"httpStatusCode"`
		SenderFault    bool   `json:"senderFault"`
	} `json:"error"`
	Union     bool   `json:"union"`
	Payload   string `json:"payload"`
	Sensitive bool   `json:"sensitive"`
	Streaming bool   `json:"streaming"`
	Event     bool   `json:"event"`
	EventStr  bool   `json:"eventstream"`

	// memberOrder keeps the members in the order the model lists them; Go
	// maps lose it and member order is wire order for XML output.
	memberOrder []string
}

// loadModel reads a model and applies its patch (a JSON merge patch, RFC 7396)
// when patchPath names an existing file.
func loadModel(path, patchPath string) (*model, error) {
	raw, err := readMaybeGzip(path)
	if err != nil {
		return nil, err
	}
	var doc any
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	order, err := memberOrders(raw)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if patchPath != "" {
		if p, err := os.ReadFile(patchPath); err == nil {
			var patch any
			if err := json.Unmarshal(p, &patch); err != nil {
				return nil, fmt.Errorf("%s: %w", patchPath, err)
			}
			doc = mergePatch(doc, patch)
		} else if !os.IsNotExist(err) {
			return nil, err
		}
	}
	patched, err := json.Marshal(doc)
	if err != nil {
		return nil, err
	}
	var m model
	if err := json.Unmarshal(patched, &m); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	for name, s := range m.Shapes {
		s.memberOrder = order[name]
		// A patch may add members: keep them, after the model's own.
		seen := map[string]bool{}
		for _, n := range s.memberOrder {
			seen[n] = true
		}
		var extra []string
		for n := range s.Members {
			if !seen[n] {
				extra = append(extra, n)
			}
		}
		sortStrings(extra)
		s.memberOrder = append(s.memberOrder, extra...)
		// And may remove them (merge patch null).
		kept := s.memberOrder[:0]
		for _, n := range s.memberOrder {
			if _, ok := s.Members[n]; ok {
				kept = append(kept, n)
			}
		}
		s.memberOrder = kept
	}
	for name, op := range m.Operations {
		if op.Name == "" {
			op.Name = name
		}
	}
	return &m, nil
}

func readMaybeGzip(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if len(b) > 2 && b[0] == 0x1f && b[1] == 0x8b {
		zr, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			return nil, err
		}
		return io.ReadAll(zr)
	}
	return b, nil
}

// mergePatch applies an RFC 7396 JSON merge patch.
func mergePatch(target, patch any) any {
	p, ok := patch.(map[string]any)
	if !ok {
		return patch
	}
	t, ok := target.(map[string]any)
	if !ok {
		t = map[string]any{}
	}
	for k, v := range p {
		if v == nil {
			delete(t, k)
			continue
		}
		t[k] = mergePatch(t[k], v)
	}
	return t
}

// memberOrders returns, for every structure shape, its member names in
// document order, by reading the JSON token stream.
func memberOrders(raw []byte) (map[string][]string, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	out := map[string][]string{}
	var shapes map[string]json.RawMessage
	var top map[string]json.RawMessage
	if err := dec.Decode(&top); err != nil {
		return nil, err
	}
	if err := json.Unmarshal(top["shapes"], &shapes); err != nil {
		return nil, err
	}
	for name, body := range shapes {
		var s map[string]json.RawMessage
		if err := json.Unmarshal(body, &s); err != nil {
			return nil, err
		}
		mem, ok := s["members"]
		if !ok {
			continue
		}
		keys, err := objectKeys(mem)
		if err != nil {
			return nil, err
		}
		out[name] = keys
	}
	return out, nil
}

func objectKeys(raw json.RawMessage) ([]string, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	if _, err := dec.Token(); err != nil {
		return nil, err
	}
	var keys []string
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, err
		}
		keys = append(keys, t.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return nil, err
		}
	}
	return keys, nil
}

// stripDocs removes documentation strings from a model document, keeping
// everything else byte-for-byte in meaning and key order.
func stripDocs(raw []byte) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var out bytes.Buffer
	if err := copyValue(dec, &out, 0); err != nil {
		return nil, err
	}
	var pretty bytes.Buffer
	if err := json.Indent(&pretty, out.Bytes(), "", "  "); err != nil {
		return nil, err
	}
	pretty.WriteByte('\n')
	return pretty.Bytes(), nil
}

var droppedKeys = map[string]bool{"documentation": true, "documentationUrl": true, "deprecatedMessage": true}

// copyValue copies one JSON value from dec to out, dropping documentation keys
// of objects and preserving key order.
func copyValue(dec *json.Decoder, out *bytes.Buffer, depth int) error {
	t, err := dec.Token()
	if err != nil {
		return err
	}
	switch v := t.(type) {
	case json.Delim:
		switch v {
		case '{':
			out.WriteByte('{')
			first := true
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return err
				}
				key := kt.(string)
				if droppedKeys[key] {
					var skip json.RawMessage
					if err := dec.Decode(&skip); err != nil {
						return err
					}
					continue
				}
				if !first {
					out.WriteByte(',')
				}
				first = false
				kb, _ := json.Marshal(key)
				out.Write(kb)
				out.WriteByte(':')
				if err := copyValue(dec, out, depth+1); err != nil {
					return err
				}
			}
			if _, err := dec.Token(); err != nil {
				return err
			}
			out.WriteByte('}')
		case '[':
			out.WriteByte('[')
			first := true
			for dec.More() {
				if !first {
					out.WriteByte(',')
				}
				first = false
				if err := copyValue(dec, out, depth+1); err != nil {
					return err
				}
			}
			if _, err := dec.Token(); err != nil {
				return err
			}
			out.WriteByte(']')
		}
	default:
		b, err := json.Marshal(v)
		if err != nil {
			return err
		}
		out.Write(b)
	}
	return nil
}
