package manifest

import (
	"compress/gzip"
	"encoding/json"
	"errors"
	"io"
	"strings"
)

// Inventory is an S3 Inventory report's manifest.json: the job's manifest
// location points at it, and it names the gzipped CSV files that list the
// objects (spec §7.1; S3 User Guide, "Locating your inventory list").
type Inventory struct {
	SourceBucket      string          `json:"sourceBucket"`
	DestinationBucket string          `json:"destinationBucket"`
	Version           string          `json:"version"`
	CreationTimestamp string          `json:"creationTimestamp"`
	FileFormat        string          `json:"fileFormat"`
	FileSchema        string          `json:"fileSchema"`
	Files             []InventoryFile `json:"files"`

	fields []string
}

// InventoryFile is one data file of an inventory report.
type InventoryFile struct {
	Key         string `json:"key"`
	Size        int64  `json:"size"`
	MD5Checksum string `json:"MD5checksum"`
}

// maxInventoryManifest bounds manifest.json; real ones list a few thousand
// files at most.
const maxInventoryManifest = 16 << 20

// ParseInventory reads an inventory manifest.json. Only CSV reports can drive
// a job, and their schema must have Bucket and Key columns.
func ParseInventory(r io.Reader) (*Inventory, error) {
	b, err := io.ReadAll(io.LimitReader(r, maxInventoryManifest+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxInventoryManifest {
		return nil, invalid("the inventory manifest.json is larger than %d bytes", maxInventoryManifest)
	}
	var inv Inventory
	if err := json.Unmarshal(b, &inv); err != nil {
		return nil, invalid("Invalid Manifest Content: the inventory manifest.json is not valid JSON")
	}
	if !strings.EqualFold(inv.FileFormat, "CSV") {
		return nil, invalid("Invalid Manifest Content: only CSV inventory reports are supported, not %q", inv.FileFormat)
	}
	if len(inv.Files) == 0 {
		return nil, invalid("Invalid Manifest Content: the inventory manifest lists no files")
	}
	for _, f := range inv.Files {
		if f.Key == "" {
			return nil, invalid("Invalid Manifest Content: an inventory file has no key")
		}
	}
	// The schema names every column ("Bucket, Key, VersionId, IsLatest, ...");
	// the job reads Bucket, Key and VersionId and ignores the rest.
	for _, name := range strings.Split(inv.FileSchema, ",") {
		switch name = strings.TrimSpace(name); name {
		case FieldBucket, FieldKey, FieldVersionID:
			inv.fields = append(inv.fields, name)
		default:
			inv.fields = append(inv.fields, FieldIgnore)
		}
	}
	if _, err := fieldColumns(inv.fields); err != nil {
		return nil, invalid("Required fields are missing in the schema: %q", inv.FileSchema)
	}
	return &inv, nil
}

// Fields returns the manifest fields of the report's CSV columns.
func (inv *Inventory) Fields() []string { return inv.fields }

// InventoryFileReader reads the entries of one gzipped data file of an
// inventory report. Compressed data cannot be entered in the middle, so a
// resuming reader starts at the file's beginning and skips the rows already
// done (skip).
type InventoryFileReader struct {
	gz   *gzip.Reader
	csv  *CSV
	skip int64
}

// OpenInventoryFile returns a reader of the gzipped CSV data in r with the
// report's columns, skipping the first skip entries.
func (inv *Inventory) OpenInventoryFile(r io.Reader, skip int64) (*InventoryFileReader, error) {
	gz, err := gzip.NewReader(r)
	if err != nil {
		return nil, invalid("Invalid Manifest Content: an inventory data file is not gzip-compressed")
	}
	c, err := NewCSV(gz, inv.fields, 0, 0)
	if err != nil {
		return nil, err
	}
	return &InventoryFileReader{gz: gz, csv: c, skip: skip}, nil
}

// Next returns the next entry of the file, io.EOF after its last, or a
// *Failure.
func (f *InventoryFileReader) Next() (Entry, error) {
	for f.csv.Rows() < f.skip {
		if _, err := f.csv.Next(); err != nil {
			if err == io.EOF {
				return Entry{}, invalid("Invalid Manifest Content: an inventory data file has fewer rows than were already processed")
			}
			return Entry{}, err
		}
	}
	e, err := f.csv.Next()
	if err == io.EOF {
		// Reading to the end checks the gzip trailer (CRC and length).
		if _, gerr := io.Copy(io.Discard, f.gz); gerr != nil {
			return Entry{}, invalid("Invalid Manifest Content: an inventory data file is corrupt: %v", gerr)
		}
	}
	if err != nil && err != io.EOF {
		var fail *Failure
		if !errors.As(err, &fail) {
			return Entry{}, invalid("Invalid Manifest Content: an inventory data file is corrupt: %v", err)
		}
	}
	return e, err
}

// Rows returns the entries read from this file, skipped ones included.
func (f *InventoryFileReader) Rows() int64 { return f.csv.Rows() }
