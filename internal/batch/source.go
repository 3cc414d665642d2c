package batch

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"

	api "github.com/jobplane/jobplane/internal/api/s3control"
	"github.com/jobplane/jobplane/internal/batch/manifest"
	"github.com/jobplane/jobplane/internal/objectstore"
)

// source streams the entries of a job's manifest from a position, so that
// a resumed job reads on from its checkpoint.
type source interface {
	// next returns the next entry, io.EOF after the last, or a
	// *manifest.Failure for an entry the job cannot run.
	next() (manifest.Entry, error)
	// position is where a reader resuming after the last entry returned
	// starts.
	position() int64
	close() error
}

// manifestObject is the object a job's manifest location names.
type manifestObject struct {
	bucket, key, version, etag string
}

func manifestOf(j *jobSpec) (manifestObject, error) {
	loc := deref(deref(j.manifest).Location)
	b, k, ok := objectOfARN(deref(loc.ObjectArn))
	if !ok {
		return manifestObject{}, fmt.Errorf("batch: job %s: manifest ObjectArn %q is not an object ARN", j.key, deref(loc.ObjectArn))
	}
	return manifestObject{bucket: b, key: k, version: deref(loc.ObjectVersionId), etag: deref(loc.ETag)}, nil
}

// openObject reads an object from offset, only if its ETag is still etag
// (when given): a manifest that changed under a job must not be read half
// old, half new. An offset at or past the end reads nothing.
func openObject(ctx context.Context, objects objectstore.Store, m manifestObject, offset int64) (io.ReadCloser, error) {
	in := objectstore.GetObjectInput{Bucket: m.bucket, Key: m.key, VersionID: m.version}
	if m.etag != "" {
		in.Conditions.IfMatch = `"` + trimETag(m.etag) + `"`
	}
	if offset > 0 {
		in.Range = "bytes=" + strconv.FormatInt(offset, 10) + "-"
	}
	obj, err := objects.GetObject(ctx, in)
	if objectstore.Code(err) == objectstore.CodeInvalidRange {
		return io.NopCloser(bytes.NewReader(nil)), nil
	}
	if err != nil {
		return nil, err
	}
	return obj.Body, nil
}

// fieldsOf returns a CSV manifest's column names.
func fieldsOf(spec *api.JobManifestSpec) []string {
	out := make([]string, len(spec.Fields))
	for i, f := range spec.Fields {
		out[i] = string(f)
	}
	return out
}

// csvSource reads a CSV manifest from an object or a local file.
type csvSource struct {
	body io.ReadCloser
	r    *manifest.CSV
}

func newCSVSource(body io.ReadCloser, fields []string, pos, rows int64) (*csvSource, error) {
	r, err := manifest.NewCSV(body, fields, pos, rows)
	if err != nil {
		body.Close()
		return nil, err
	}
	return &csvSource{body: body, r: r}, nil
}

func (s *csvSource) next() (manifest.Entry, error) { return s.r.Next() }
func (s *csvSource) position() int64               { return s.r.Offset() }
func (s *csvSource) close() error                  { return s.body.Close() }

// Inventory positions pack the data file's index and the rows read from it:
// a gzipped file cannot be entered in the middle, so a resumed job reopens
// the file and skips the rows already read.
const invFileShift = 40

// inventorySource reads the data files of an S3 Inventory report in order.
type inventorySource struct {
	ctx     context.Context
	objects objectstore.Store
	bucket  string // where the data files are
	inv     *manifest.Inventory
	file    int
	skip    int64
	cur     *manifest.InventoryFileReader
	body    io.ReadCloser
}

// readInventory reads an inventory report's manifest.json.
func readInventory(ctx context.Context, objects objectstore.Store, m manifestObject) (*manifest.Inventory, string, error) {
	body, err := openObject(ctx, objects, m, 0)
	if err != nil {
		return nil, "", err
	}
	defer body.Close()
	inv, err := manifest.ParseInventory(body)
	if err != nil {
		return nil, "", err
	}
	bucket := m.bucket
	if b, ok := bucketOfARN(inv.DestinationBucket); ok {
		bucket = b
	}
	return inv, bucket, nil
}

func newInventorySource(ctx context.Context, objects objectstore.Store, inv *manifest.Inventory, bucket string, pos int64) *inventorySource {
	return &inventorySource{ctx: ctx, objects: objects, bucket: bucket, inv: inv,
		file: int(pos >> invFileShift), skip: pos & (1<<invFileShift - 1)}
}

func (s *inventorySource) next() (manifest.Entry, error) {
	for {
		if s.file >= len(s.inv.Files) {
			return manifest.Entry{}, io.EOF
		}
		if s.cur == nil {
			f := s.inv.Files[s.file]
			body, err := openObject(s.ctx, s.objects, manifestObject{bucket: s.bucket, key: f.Key}, 0)
			if err != nil {
				return manifest.Entry{}, fmt.Errorf("reading inventory file %s: %w", f.Key, err)
			}
			r, err := s.inv.OpenInventoryFile(body, s.skip)
			if err != nil {
				body.Close()
				return manifest.Entry{}, err
			}
			s.cur, s.body = r, body
		}
		e, err := s.cur.Next()
		if err == io.EOF {
			s.body.Close()
			s.cur, s.body = nil, nil
			s.file++
			s.skip = 0
			continue
		}
		return e, err
	}
}

func (s *inventorySource) position() int64 {
	rows := s.skip
	if s.cur != nil {
		rows = s.cur.Rows()
	}
	return int64(s.file)<<invFileShift | rows
}

func (s *inventorySource) close() error {
	if s.body != nil {
		return s.body.Close()
	}
	return nil
}

// generatedFields are the columns of the local list the manifest generator
// writes (generate.go).
var generatedFields = []string{manifest.FieldBucket, manifest.FieldKey, manifest.FieldVersionID}

// openSource opens a job's manifest at a checkpoint's position (after rows
// entries): the CSV or inventory manifest it names, or the list the
// manifest generator wrote for it.
func (e *Engine) openSource(ctx context.Context, j *jobSpec, pos, rows int64) (source, error) {
	if j.gen != nil {
		f, err := os.Open(e.generatedPath(j.key))
		if err != nil {
			return nil, fmt.Errorf("batch: the generated manifest of job %s: %w", j.key, err)
		}
		if _, err := f.Seek(pos, io.SeekStart); err != nil {
			f.Close()
			return nil, err
		}
		return newCSVSource(f, generatedFields, pos, rows)
	}
	m, err := manifestOf(j)
	if err != nil {
		return nil, err
	}
	spec := deref(j.manifest.Spec)
	switch deref(spec.Format) {
	case api.JobManifestFormatS3InventoryReportCSV20161130:
		inv, bucket, err := readInventory(ctx, e.objects, m)
		if err != nil {
			return nil, err
		}
		return newInventorySource(ctx, e.objects, inv, bucket, pos), nil
	case api.JobManifestFormatS3BatchOperationsCSV20180820:
		body, err := openObject(ctx, e.objects, m, pos)
		if err != nil {
			return nil, err
		}
		return newCSVSource(body, fieldsOf(&spec), pos, rows)
	}
	return nil, &manifest.Failure{Code: manifest.InvalidContent, Reason: fmt.Sprintf("Unsupported manifest format %q", deref(spec.Format))}
}

// isManifestFailure reports whether err is a problem of the manifest itself.
func isManifestFailure(err error) (*manifest.Failure, bool) {
	var f *manifest.Failure
	return f, errors.As(err, &f)
}
