package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jobplane/jobplane/internal/store"
)

// ObjectStore is the embedded driver's store.Objects. Its statements are
// prepared once per DB (DB.stmt), whichever ObjectStore runs them.
type ObjectStore struct {
	db *DB
}

var _ store.Objects = (*ObjectStore)(nil)

// Objects returns the object store's metadata.
func (s *DB) Objects() *ObjectStore { return &ObjectStore{db: s} }

func objNanos(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

func objTime(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}

// objEncodeData renders data references as "id:size;id:size".
func objEncodeData(refs []store.DataRef) string {
	var b strings.Builder
	for i, r := range refs {
		if i > 0 {
			b.WriteByte(';')
		}
		b.WriteString(r.ID)
		b.WriteByte(':')
		b.WriteString(strconv.FormatInt(r.Size, 10))
	}
	return b.String()
}

func objDecodeData(s string) ([]store.DataRef, error) {
	if s == "" {
		return nil, nil
	}
	parts := strings.Split(s, ";")
	refs := make([]store.DataRef, 0, len(parts))
	for _, p := range parts {
		id, size, ok := strings.Cut(p, ":")
		n, err := strconv.ParseInt(size, 10, 64)
		if !ok || err != nil {
			return nil, fmt.Errorf("store: corrupt data reference %q", p)
		}
		refs = append(refs, store.DataRef{ID: id, Size: n})
	}
	return refs, nil
}

// objAddData records data as referenced.
func objAddData(q objQ, refs []store.DataRef) error {
	for _, r := range refs {
		if _, err := q.exec(`INSERT INTO s3_data (id) VALUES (?) ON CONFLICT (id) DO NOTHING`, r.ID); err != nil {
			return err
		}
	}
	return nil
}

// objDropData moves references to the garbage list.
func objDropData(q objQ, refs []store.DataRef) error {
	for _, r := range refs {
		if _, err := q.exec(`DELETE FROM s3_data WHERE id = ?`, r.ID); err != nil {
			return err
		}
		if _, err := q.exec(`INSERT INTO s3_garbage (id, size) VALUES (?, ?)`, r.ID, r.Size); err != nil {
			return err
		}
	}
	return nil
}

const objBucketCols = `name, owner, region, created, versioning, attrs`

func objScanBucket(row rowScanner) (store.ObjectBucket, error) {
	var b store.ObjectBucket
	var created int64
	err := row.Scan(&b.Name, &b.Owner, &b.Region, &created, &b.Versioning, &b.Attrs)
	b.Created = objTime(created)
	return b, err
}

func objGetBucket(q objQ, name string) (store.ObjectBucket, error) {
	b, err := objScanBucket(q.row(`SELECT `+objBucketCols+` FROM s3_buckets WHERE name = ?`, name))
	if errors.Is(err, sql.ErrNoRows) {
		return b, store.ErrNoSuchBucket
	}
	return b, err
}

// CreateBucket implements store.Objects.
func (o *ObjectStore) CreateBucket(ctx context.Context, b store.ObjectBucket) error {
	return o.db.write(ctx, func(tx *sql.Tx) error {
		q := o.q(ctx, tx)
		var owner string
		err := q.row(`SELECT owner FROM s3_buckets WHERE name = ?`, b.Name).Scan(&owner)
		if err == nil {
			return &store.BucketExistsError{Owner: owner}
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		_, err = q.exec(`INSERT INTO s3_buckets (`+objBucketCols+`) VALUES (?, ?, ?, ?, ?, ?)`,
			b.Name, b.Owner, b.Region, objNanos(b.Created), b.Versioning, b.Attrs)
		return err
	})
}

// GetBucket implements store.Objects.
func (o *ObjectStore) GetBucket(ctx context.Context, name string) (store.ObjectBucket, error) {
	_, err := o.db.read()
	if err != nil {
		return store.ObjectBucket{}, err
	}
	q := o.q(ctx, nil)
	return objGetBucket(q, name)
}

// ListBuckets implements store.Objects.
func (o *ObjectStore) ListBuckets(ctx context.Context, owner string) ([]store.ObjectBucket, error) {
	_, err := o.db.read()
	if err != nil {
		return nil, err
	}
	q := o.q(ctx, nil)
	var out []store.ObjectBucket
	if owner == "" {
		err = objCollect(q, &out, objScanBucket, `SELECT `+objBucketCols+` FROM s3_buckets ORDER BY name`)
	} else {
		err = objCollect(q, &out, objScanBucket, `SELECT `+objBucketCols+` FROM s3_buckets WHERE owner = ? ORDER BY name`, owner)
	}
	if err != nil {
		return nil, err
	}
	return out, nil
}

// UpdateBucket implements store.Objects.
func (o *ObjectStore) UpdateBucket(ctx context.Context, name string, fn func(b *store.ObjectBucket) error) (store.ObjectBucket, error) {
	var out store.ObjectBucket
	err := o.db.write(ctx, func(tx *sql.Tx) error {
		q := o.q(ctx, tx)
		b, err := objGetBucket(q, name)
		if err != nil {
			return err
		}
		if err := fn(&b); err != nil {
			return err
		}
		if _, err := q.exec(`UPDATE s3_buckets SET versioning = ?, attrs = ? WHERE name = ?`, b.Versioning, b.Attrs, name); err != nil {
			return err
		}
		out = b
		return nil
	})
	return out, err
}

// DeleteBucket implements store.Objects.
func (o *ObjectStore) DeleteBucket(ctx context.Context, name string) ([]store.DataRef, error) {
	var garbage []store.DataRef
	err := o.db.write(ctx, func(tx *sql.Tx) error {
		q := o.q(ctx, tx)
		garbage = garbage[:0]
		if _, err := objGetBucket(q, name); err != nil {
			return err
		}
		var one int
		err := q.row(`SELECT 1 FROM s3_versions WHERE bucket = ? LIMIT 1`, name).Scan(&one)
		if err == nil {
			return store.ErrBucketNotEmpty
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		rows, err := q.query(`SELECT p.data FROM s3_parts p JOIN s3_uploads u ON u.seq = p.upload_seq WHERE u.bucket = ?`, name)
		if err != nil {
			return err
		}
		for rows.Next() {
			var data string
			if err := rows.Scan(&data); err != nil {
				rows.Close()
				return err
			}
			refs, err := objDecodeData(data)
			if err != nil {
				rows.Close()
				return err
			}
			garbage = append(garbage, refs...)
		}
		rows.Close()
		if err := objDropData(q, garbage); err != nil {
			return err
		}
		for _, stmt := range []string{
			`DELETE FROM s3_parts WHERE upload_seq IN (SELECT seq FROM s3_uploads WHERE bucket = ?)`,
			`DELETE FROM s3_uploads WHERE bucket = ?`,
			`DELETE FROM s3_buckets WHERE name = ?`,
		} {
			if _, err := q.exec(stmt, name); err != nil {
				return err
			}
		}
		return nil
	})
	return garbage, err
}

// Garbage implements store.Objects.
func (o *ObjectStore) Garbage(ctx context.Context, limit int) ([]store.DataRef, error) {
	_, err := o.db.read()
	if err != nil {
		return nil, err
	}
	var out []store.DataRef
	if err := objCollect(o.q(ctx, nil), &out, func(row rowScanner) (store.DataRef, error) {
		var r store.DataRef
		err := row.Scan(&r.ID, &r.Size)
		return r, err
	}, `SELECT id, size FROM s3_garbage ORDER BY seq LIMIT ?`, limit); err != nil {
		return nil, err
	}
	return out, nil
}

// ReleaseGarbage implements store.Objects.
func (o *ObjectStore) ReleaseGarbage(ctx context.Context, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	return o.db.write(ctx, func(tx *sql.Tx) error {
		q := o.q(ctx, tx)
		for _, id := range ids {
			if _, err := q.exec(`DELETE FROM s3_garbage WHERE id = ?`, id); err != nil {
				return err
			}
		}
		return nil
	})
}

// DataInUse implements store.Objects.
func (o *ObjectStore) DataInUse(ctx context.Context, ids []string) (map[string]bool, error) {
	_, err := o.db.read()
	if err != nil {
		return nil, err
	}
	q := o.q(ctx, nil)
	out := make(map[string]bool, len(ids))
	for len(ids) > 0 {
		n := min(len(ids), 500)
		chunk := ids[:n]
		ids = ids[n:]
		args := make([]any, len(chunk))
		for i, id := range chunk {
			args[i] = id
		}
		rows, err := q.query(`SELECT id FROM s3_data WHERE id IN (`+batchPlaceholders(len(chunk), "?")+`)`, args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return nil, err
			}
			out[id] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// DataInUseWithPrefix implements store.Objects.
func (o *ObjectStore) DataInUseWithPrefix(ctx context.Context, prefix string) (bool, error) {
	if _, err := o.db.read(); err != nil {
		return false, err
	}
	q := o.q(ctx, nil)
	var one int
	var err error
	if hi := objPrefixEnd(prefix); hi != nil {
		err = q.row(`SELECT 1 FROM s3_data WHERE id >= ? AND id < ? LIMIT 1`, prefix, string(hi)).Scan(&one)
	} else {
		err = q.row(`SELECT 1 FROM s3_data WHERE id >= ? LIMIT 1`, prefix).Scan(&one)
	}
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}
