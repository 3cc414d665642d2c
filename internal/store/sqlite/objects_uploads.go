package sqlite

import (
	"context"
	"database/sql"
	"errors"

	"github.com/jobplane/jobplane/internal/store"
)

const objUploadCols = `seq, bucket, key, upload_id, initiated, attrs`

func objScanUpload(row rowScanner) (store.ObjectUpload, error) {
	var u store.ObjectUpload
	var key []byte
	var initiated int64
	err := row.Scan(&u.Seq, &u.Bucket, &key, &u.UploadID, &initiated, &u.Attrs)
	u.Key = string(key)
	u.Initiated = objTime(initiated)
	return u, err
}

func objFindUpload(q objQ, bucket, key, uploadID string) (store.ObjectUpload, error) {
	u, err := objScanUpload(q.row(`SELECT `+objUploadCols+` FROM s3_uploads
		WHERE upload_id = ? AND bucket = ? AND key = ?`, uploadID, bucket, []byte(key)))
	if errors.Is(err, sql.ErrNoRows) {
		return u, store.ErrNoSuchUpload
	}
	return u, err
}

const objPartCols = `number, size, etag, last_modified, data, attrs`

func objScanPart(row rowScanner) (store.ObjectUploadPart, error) {
	var p store.ObjectUploadPart
	var lm int64
	var data string
	if err := row.Scan(&p.Number, &p.Size, &p.ETag, &lm, &data, &p.Attrs); err != nil {
		return p, err
	}
	p.LastModified = objTime(lm)
	refs, err := objDecodeData(data)
	p.Data = refs
	return p, err
}

func objQueryParts(q objQ, uploadSeq int64, after, limit int) ([]store.ObjectUploadPart, error) {
	var out []store.ObjectUploadPart
	if err := objCollect(q, &out, objScanPart, `SELECT `+objPartCols+` FROM s3_parts WHERE upload_seq = ? AND number > ?
		ORDER BY number LIMIT ?`, uploadSeq, after, limit); err != nil {
		return nil, err
	}
	return out, nil
}

// objRemoveUpload moves drop to the garbage list and deletes the upload
// and its parts.
func objRemoveUpload(q objQ, seq int64, drop []store.DataRef) error {
	if err := objDropData(q, drop); err != nil {
		return err
	}
	if _, err := q.exec(`DELETE FROM s3_parts WHERE upload_seq = ?`, seq); err != nil {
		return err
	}
	_, err := q.exec(`DELETE FROM s3_uploads WHERE seq = ?`, seq)
	return err
}

// CreateUpload implements store.Objects.
func (o *ObjectStore) CreateUpload(ctx context.Context, u store.ObjectUpload) (store.ObjectUpload, error) {
	err := o.db.write(ctx, func(tx *sql.Tx) error {
		q := o.q(ctx, tx)
		if _, err := objGetBucket(q, u.Bucket); err != nil {
			return err
		}
		res, err := q.exec(`INSERT INTO s3_uploads (bucket, key, upload_id, initiated, attrs) VALUES (?, ?, ?, ?, ?)`,
			u.Bucket, []byte(u.Key), u.UploadID, objNanos(u.Initiated), u.Attrs)
		if err != nil {
			return err
		}
		u.Seq, err = res.LastInsertId()
		return err
	})
	return u, err
}

// GetUpload implements store.Objects.
func (o *ObjectStore) GetUpload(ctx context.Context, bucket, key, uploadID string) (store.ObjectBucket, store.ObjectUpload, error) {
	var (
		b store.ObjectBucket
		u store.ObjectUpload
	)
	err := o.snapshot(ctx, bucket, func(q objQ, bk store.ObjectBucket) error {
		b = bk
		var err error
		u, err = objFindUpload(q, bucket, key, uploadID)
		return err
	})
	return b, u, err
}

// PutPart implements store.Objects.
func (o *ObjectStore) PutPart(ctx context.Context, bucket, key, uploadID string, p store.ObjectUploadPart) ([]store.DataRef, error) {
	var garbage []store.DataRef
	err := o.db.write(ctx, func(tx *sql.Tx) error {
		q := o.q(ctx, tx)
		garbage = nil
		if _, err := objGetBucket(q, bucket); err != nil {
			return err
		}
		u, err := objFindUpload(q, bucket, key, uploadID)
		if err != nil {
			return err
		}
		old, err := objScanPart(q.row(`SELECT `+objPartCols+` FROM s3_parts WHERE upload_seq = ? AND number = ?`, u.Seq, p.Number))
		switch {
		case err == nil:
			garbage = old.Data
			if err := objDropData(q, old.Data); err != nil {
				return err
			}
		case !errors.Is(err, sql.ErrNoRows):
			return err
		}
		if _, err := q.exec(`INSERT INTO s3_parts (upload_seq, number, size, etag, last_modified, data, attrs)
			VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (upload_seq, number) DO UPDATE SET size = excluded.size,
			etag = excluded.etag, last_modified = excluded.last_modified, data = excluded.data, attrs = excluded.attrs`,
			u.Seq, p.Number, p.Size, p.ETag, objNanos(p.LastModified), objEncodeData(p.Data), p.Attrs); err != nil {
			return err
		}
		return objAddData(q, p.Data)
	})
	return garbage, err
}

// ListParts implements store.Objects.
func (o *ObjectStore) ListParts(ctx context.Context, bucket, key, uploadID string, after, limit int) ([]store.ObjectUploadPart, error) {
	var parts []store.ObjectUploadPart
	err := o.snapshot(ctx, bucket, func(q objQ, _ store.ObjectBucket) error {
		u, err := objFindUpload(q, bucket, key, uploadID)
		if err != nil {
			return err
		}
		parts, err = objQueryParts(q, u.Seq, after, limit)
		return err
	})
	return parts, err
}

// CompleteUpload implements store.Objects.
func (o *ObjectStore) CompleteUpload(ctx context.Context, bucket, key, uploadID string,
	build func(b *store.ObjectBucket, u store.ObjectUpload, parts []store.ObjectUploadPart, current *store.ObjectVersion) (*store.ObjectVersion, error)) (store.ObjectVersion, []store.DataRef, error) {
	var (
		out     store.ObjectVersion
		garbage []store.DataRef
	)
	err := o.db.write(ctx, func(tx *sql.Tx) error {
		q := o.q(ctx, tx)
		garbage = nil
		b, err := objGetBucket(q, bucket)
		if err != nil {
			return err
		}
		u, err := objFindUpload(q, bucket, key, uploadID)
		if err != nil {
			return err
		}
		parts, err := objQueryParts(q, u.Seq, 0, store.MaxPartsPerUpload+1)
		if err != nil {
			return err
		}
		cur, err := objCurrentVersion(q, bucket, key)
		if err != nil {
			return err
		}
		v, err := build(&b, u, parts, cur)
		if err != nil {
			return err
		}
		next := *v
		next.Bucket, next.Key = bucket, key
		used := make(map[string]bool, len(next.Data))
		for _, r := range next.Data {
			used[r.ID] = true
		}
		var unused []store.DataRef
		for _, p := range parts {
			for _, r := range p.Data {
				if !used[r.ID] {
					unused = append(unused, r)
				}
			}
		}
		if err := objRemoveUpload(q, u.Seq, unused); err != nil {
			return err
		}
		var freed []store.DataRef
		out, freed, err = objPutVersion(q, next, cur)
		garbage = append(unused, freed...)
		return err
	})
	return out, garbage, err
}

// DeleteUpload implements store.Objects.
func (o *ObjectStore) DeleteUpload(ctx context.Context, bucket, key, uploadID string) ([]store.DataRef, error) {
	var garbage []store.DataRef
	err := o.db.write(ctx, func(tx *sql.Tx) error {
		q := o.q(ctx, tx)
		garbage = nil
		if _, err := objGetBucket(q, bucket); err != nil {
			return err
		}
		u, err := objFindUpload(q, bucket, key, uploadID)
		if err != nil {
			return err
		}
		parts, err := objQueryParts(q, u.Seq, 0, store.MaxPartsPerUpload+1)
		if err != nil {
			return err
		}
		for _, p := range parts {
			garbage = append(garbage, p.Data...)
		}
		return objRemoveUpload(q, u.Seq, garbage)
	})
	return garbage, err
}

// ListUploads implements store.Objects.
func (o *ObjectStore) ListUploads(ctx context.Context, bucket string, lq store.ObjectUploadQuery) ([]store.ObjectUpload, error) {
	if _, err := o.db.read(); err != nil {
		return nil, err
	}
	if lq.Limit <= 0 {
		return nil, nil
	}
	var out []store.ObjectUpload
	err := o.snapshot(ctx, bucket, func(q objQ, _ store.ObjectBucket) error {
		lo, hi := objKeyRange(lq.Prefix, lq.From)
		collect := func(query string, args ...any) error { return objCollect(q, &out, objScanUpload, query, args...) }
		op := ">="
		if lq.From != "" && string(lo) == lq.From {
			if lq.AfterSeq > 0 {
				if err := collect(`SELECT `+objUploadCols+` FROM s3_uploads WHERE bucket = ? AND key = ? AND seq > ?
				ORDER BY seq LIMIT ?`, bucket, lo, lq.AfterSeq, lq.Limit); err != nil {
					return err
				}
				op = ">"
			} else if lq.FromExclusive {
				op = ">"
			}
		}
		if len(out) >= lq.Limit {
			return nil
		}
		query := `SELECT ` + objUploadCols + ` FROM s3_uploads WHERE bucket = ? AND key ` + op + ` ?`
		args := []any{bucket, lo}
		if hi != nil {
			query += ` AND key < ?`
			args = append(args, hi)
		}
		args = append(args, lq.Limit-len(out))
		return collect(query+` ORDER BY key, seq LIMIT ?`, args...)
	})
	return out, err
}
