// Package manifest reads the object lists S3 Batch Operations jobs run over:
// CSV manifests (S3BatchOperations_CSV_20180820) and S3 Inventory reports
// (S3InventoryReport_CSV_20161130, a manifest.json naming gzipped CSV files).
// Readers stream: they hold one row at a time and report the byte offset
// after each row, so that a job can checkpoint its place and resume there.
package manifest

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
	"unicode/utf8"
)

// The manifest formats of the S3 Control model (JobManifestFormat).
const (
	FormatCSV       = "S3BatchOperations_CSV_20180820"
	FormatInventory = "S3InventoryReport_CSV_20161130"
)

// The manifest fields a CSV manifest's Spec.Fields may name, in the model's
// JobManifestFieldName enum.
const (
	FieldIgnore    = "Ignore"
	FieldBucket    = "Bucket"
	FieldKey       = "Key"
	FieldVersionID = "VersionId"
)

// MaxKeyLength is the longest object key a manifest may name
// (spec/s3-batch-operations.md §7.1, §10.3).
const MaxKeyLength = 1024

// Entry is one object a manifest names.
type Entry struct {
	// Bucket is the bucket name.
	Bucket string
	// Key is the object key, URL-decoded.
	Key string
	// RawKey is the key as the manifest writes it (URL-encoded); completion
	// reports echo it (spec §9).
	RawKey string
	// VersionID is the object version, or "" when the manifest has none.
	VersionID string
}

// Failure is a manifest the job cannot run: the job fails with it as its
// FailureReasons entry (spec §7.2).
type Failure struct {
	Code   string
	Reason string
}

func (f *Failure) Error() string { return f.Code + ": " + f.Reason }

// InvalidContent is the failure code AWS documents for manifest problems.
const InvalidContent = "InvalidManifestContent"

func invalid(format string, args ...any) *Failure {
	reason := fmt.Sprintf(format, args...)
	if len(reason) > 256 { // JobFailure.FailureReason is 1..256 characters
		reason = reason[:253] + "..."
	}
	return &Failure{Code: InvalidContent, Reason: reason}
}

// columns says which column of a row holds which field.
type columns struct {
	bucket, key, version int // -1 when absent
	n                    int // columns a row must have
}

// CSV streams the entries of a CSV manifest.
type CSV struct {
	r       *csv.Reader
	cols    columns
	base    int64 // offset of the stream's start within the manifest object
	rows    int64
	offset  int64
	version int // 0 unknown, 1 every row has a version id, 2 none has
}

// NewCSV returns a reader of a CSV manifest whose columns are fields (the
// job's Spec.Fields), reading r from offset base of the manifest object with
// rows rows already read before it (both 0 for a fresh start; a checkpoint's
// Offset and Rows to resume). It fails when fields do not name a Bucket and a
// Key column.
func NewCSV(r io.Reader, fields []string, base, rows int64) (*CSV, error) {
	cols, err := fieldColumns(fields)
	if err != nil {
		return nil, err
	}
	br := bufio.NewReaderSize(r, 64<<10)
	if base == 0 {
		// AWS expects UTF-8 without a byte-order mark (spec §7.2).
		if b, err := br.Peek(3); err == nil && bytes.Equal(b, []byte{0xEF, 0xBB, 0xBF}) {
			return nil, invalid("the manifest starts with a UTF-8 byte-order mark; manifests must be UTF-8 without one")
		}
	}
	cr := csv.NewReader(br)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	return &CSV{r: cr, cols: cols, base: base, rows: rows, offset: base}, nil
}

func fieldColumns(fields []string) (columns, error) {
	c := columns{bucket: -1, key: -1, version: -1, n: len(fields)}
	for i, f := range fields {
		var slot *int
		switch f {
		case FieldBucket:
			slot = &c.bucket
		case FieldKey:
			slot = &c.key
		case FieldVersionID:
			slot = &c.version
		case FieldIgnore:
			continue
		default:
			return c, invalid("unknown manifest field %q", f)
		}
		if *slot >= 0 {
			return c, invalid("the manifest field %s is named twice", f)
		}
		*slot = i
	}
	if c.bucket < 0 || c.key < 0 {
		return c, invalid("Required fields are missing in the schema: the manifest fields must include Bucket and Key")
	}
	return c, nil
}

// Next returns the next entry, io.EOF after the last, or a *Failure for a
// row the job cannot run.
func (c *CSV) Next() (Entry, error) {
	rec, err := c.r.Read()
	if err == io.EOF {
		return Entry{}, io.EOF
	}
	row := c.rows + 1
	if err != nil {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return Entry{}, invalid("Invalid Manifest Content: row %d: %v", row, pe.Err)
		}
		return Entry{}, err
	}
	e, ferr := c.entry(rec, row)
	if ferr != nil {
		return Entry{}, ferr
	}
	c.rows = row
	c.offset = c.base + c.r.InputOffset()
	return e, nil
}

func (c *CSV) entry(rec []string, row int64) (Entry, error) {
	if len(rec) != c.cols.n {
		return Entry{}, invalid("Invalid Manifest Content: row %d has %d columns, the manifest fields name %d", row, len(rec), c.cols.n)
	}
	e := Entry{Bucket: rec[c.cols.bucket], RawKey: rec[c.cols.key]}
	if c.cols.version >= 0 {
		e.VersionID = rec[c.cols.version]
	}
	return e, c.check(&e, row)
}

// check validates and decodes an entry, and enforces that either every row
// has a version id or none does.
func (c *CSV) check(e *Entry, row int64) error {
	if e.Bucket == "" || !utf8.ValidString(e.Bucket) {
		return invalid("Invalid Manifest Content: row %d has no valid bucket", row)
	}
	key, err := DecodeKey(e.RawKey)
	if err != nil {
		return invalid("Invalid object key format: row %d: %v", row, err)
	}
	e.Key = key
	has := 2
	if e.VersionID != "" {
		has = 1
		if !utf8.ValidString(e.VersionID) || strings.ContainsAny(e.VersionID, "\x00\r\n") {
			return invalid("Invalid version ID format: row %d", row)
		}
	}
	switch {
	case c.version == 0:
		c.version = has
	case c.version != has:
		return invalid("Invalid Manifest Content: row %d: either every row must have a version id or none may", row)
	}
	return nil
}

// DecodeKey decodes a manifest key. Keys are URL-encoded (spec §7.1); AWS's
// own samples decode them as form values, '+' meaning a space, so jobplane
// does too: a literal '+' must be written %2B.
func DecodeKey(raw string) (string, error) {
	key, err := url.QueryUnescape(raw)
	if err != nil {
		return "", errors.New("the key is not valid URL encoding")
	}
	switch {
	case key == "":
		return "", errors.New("the key is empty")
	case !utf8.ValidString(key):
		return "", errors.New("the key is not valid UTF-8")
	case utf8.RuneCountInString(key) > MaxKeyLength:
		return "", fmt.Errorf("the key is longer than %d characters", MaxKeyLength)
	}
	return key, nil
}

// Rows returns the number of entries read from the start of the manifest.
func (c *CSV) Rows() int64 { return c.rows }

// Offset returns the byte offset in the manifest object just after the last
// entry returned: where a reader resuming after that entry starts.
func (c *CSV) Offset() int64 { return c.offset }
