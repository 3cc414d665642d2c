package batch

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/jobplane/jobplane/internal/batch/report"
)

// Spool keeps a running job's task results on local disk until the report
// is written: an append-only file of records, made durable at each
// checkpoint. A checkpoint records the spool's durable size; a job resumed
// after a crash truncates its spool back to that size, dropping the records
// of tasks that will run again, so that the report names every row once.
type Spool struct {
	f    *os.File
	w    *bufio.Writer
	size int64 // bytes appended, flushed or not
}

// maxSpoolField bounds each string of a record (task.result cuts longer
// ones): the reader holds a whole field in its buffer.
const maxSpoolField = 1 << 20

// ErrSpoolLost says a spool is shorter than its checkpoint: results the
// checkpoint counts are gone (the file was removed or cut outside jobplane).
var ErrSpoolLost = errors.New("batch: the result spool lost results its checkpoint recorded")

// OpenSpool opens the spool at path, creating it, and cuts it to size (the
// size a checkpoint recorded; 0 for a new job).
func OpenSpool(path string, size int64) (*Spool, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if fi.Size() < size {
		f.Close()
		return nil, fmt.Errorf("%w: %s has %d bytes, the checkpoint recorded %d", ErrSpoolLost, path, fi.Size(), size)
	}
	if err := f.Truncate(size); err != nil {
		f.Close()
		return nil, err
	}
	if _, err := f.Seek(size, io.SeekStart); err != nil {
		f.Close()
		return nil, err
	}
	return &Spool{f: f, w: bufio.NewWriterSize(f, 256<<10), size: size}, nil
}

// Append adds a task's result, whose strings are at most maxSpoolField
// bytes each. Write errors are kept by the buffer and returned by the next
// Flush, which every checkpoint calls.
func (s *Spool) Append(r report.Result) {
	var buf [binary.MaxVarintLen64]byte
	put := func(v string) {
		n := binary.PutUvarint(buf[:], uint64(len(v)))
		s.w.Write(buf[:n])
		s.w.WriteString(v)
		s.size += int64(n + len(v))
	}
	status := byte(0)
	if r.Status == report.Failed {
		status = 1
	}
	s.w.WriteByte(status)
	n := binary.PutUvarint(buf[:], uint64(r.HTTPStatus))
	s.w.Write(buf[:n])
	s.size += int64(1 + n)
	put(r.Bucket)
	put(r.Key)
	put(r.VersionID)
	put(r.ErrorCode)
	put(r.Message)
}

// Flush hands every appended record to the file and returns the spool's
// size, to record in a checkpoint. A checkpoint flushes while appends are
// held off, so that the size matches the rows it records, then calls
// SyncFile without holding them off.
func (s *Spool) Flush() (int64, error) {
	return s.size, s.w.Flush()
}

// SyncFile makes what was flushed durable. It may run while other records
// are appended.
func (s *Spool) SyncFile() error { return s.f.Sync() }

// EachAll calls fn for every record in the order they were appended,
// reading the spool from its start; it flushes pending records first.
func (s *Spool) EachAll(fn func(report.Result) error) error {
	if err := s.w.Flush(); err != nil {
		return err
	}
	r := bufio.NewReaderSize(io.NewSectionReader(s.f, 0, s.size), maxSpoolField)
	for {
		rec, err := readRecord(r)
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("batch: reading the spool: %w", err)
		}
		if err := fn(rec); err != nil {
			return err
		}
	}
}

func readRecord(r *bufio.Reader) (report.Result, error) {
	var rec report.Result
	st, err := r.ReadByte()
	if err != nil {
		return rec, err
	}
	rec.Status = report.Succeeded
	if st == 1 {
		rec.Status = report.Failed
	}
	code, err := binary.ReadUvarint(r)
	if err != nil {
		return rec, io.ErrUnexpectedEOF
	}
	rec.HTTPStatus = int(code)
	for _, dst := range []*string{&rec.Bucket, &rec.Key, &rec.VersionID, &rec.ErrorCode, &rec.Message} {
		n, err := binary.ReadUvarint(r)
		if err != nil || n > maxSpoolField {
			return rec, io.ErrUnexpectedEOF
		}
		b, err := r.Peek(int(n)) // fits: the buffer holds maxSpoolField bytes
		if err != nil {
			return rec, io.ErrUnexpectedEOF
		}
		*dst = string(b)
		r.Discard(int(n))
	}
	return rec, nil
}

// Close closes the spool's file.
func (s *Spool) Close() error {
	ferr := s.w.Flush()
	return errors.Join(ferr, s.f.Close())
}
