package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/jobplane/jobplane/internal/store"
)

const objVersionCols = `seq, bucket, key, version_id, is_latest, delete_marker, size, etag, last_modified, storage_class, data, attrs, tags`

func objScanVersion(row rowScanner) (store.ObjectVersion, error) {
	var v store.ObjectVersion
	var key []byte
	var lm int64
	var data string
	if err := row.Scan(&v.Seq, &v.Bucket, &key, &v.VersionID, &v.IsLatest, &v.DeleteMarker, &v.Size, &v.ETag, &lm,
		&v.StorageClass, &data, &v.Attrs, &v.Tags); err != nil {
		return v, err
	}
	v.Key = string(key)
	v.LastModified = objTime(lm)
	refs, err := objDecodeData(data)
	v.Data = refs
	return v, err
}

// objSetVersion stores what an update may change of a version.
func objSetVersion(q objQ, v store.ObjectVersion) error {
	_, err := q.exec(`UPDATE s3_versions SET storage_class = ?, attrs = ?, tags = ? WHERE seq = ?`, v.StorageClass, v.Attrs, v.Tags, v.Seq)
	return err
}

// objCurrentVersion returns the key's version with the highest seq, or nil.
func objCurrentVersion(q objQ, bucket, key string) (*store.ObjectVersion, error) {
	v, err := objScanVersion(q.row(`SELECT `+objVersionCols+` FROM s3_versions
		WHERE bucket = ? AND key = ? ORDER BY seq DESC LIMIT 1`, bucket, []byte(key)))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &v, nil
}

// objFindVersion returns a version as GetVersion chooses it.
func objFindVersion(q objQ, bucket, key, versionID string) (store.ObjectVersion, error) {
	if versionID == "" {
		cur, err := objCurrentVersion(q, bucket, key)
		if err != nil {
			return store.ObjectVersion{}, err
		}
		if cur == nil {
			return store.ObjectVersion{}, store.ErrNoSuchKey
		}
		return *cur, nil
	}
	v, err := objScanVersion(q.row(`SELECT `+objVersionCols+` FROM s3_versions
		WHERE bucket = ? AND key = ? AND version_id = ?`, bucket, []byte(key), versionID))
	if errors.Is(err, sql.ErrNoRows) {
		return v, store.ErrNoSuchVersion
	}
	return v, err
}

// objRemoveVersion deletes a version row, moves its data to the garbage list
// and, when it was current, makes the key's newest remaining version current.
func objRemoveVersion(q objQ, v store.ObjectVersion) error {
	if _, err := q.exec(`DELETE FROM s3_versions WHERE seq = ?`, v.Seq); err != nil {
		return err
	}
	if err := objDropData(q, v.Data); err != nil {
		return err
	}
	if !v.IsLatest {
		return nil
	}
	_, err := q.exec(`UPDATE s3_versions SET is_latest = 1 WHERE seq =
		(SELECT seq FROM s3_versions WHERE bucket = ? AND key = ? ORDER BY seq DESC LIMIT 1)`, v.Bucket, []byte(v.Key))
	return err
}

// objPutVersion stores v as the key's current version, applying the null
// version rule, and returns what it stored and the data it freed.
func objPutVersion(q objQ, v store.ObjectVersion, current *store.ObjectVersion) (store.ObjectVersion, []store.DataRef, error) {
	if v.VersionID == "" {
		return v, nil, fmt.Errorf("store: a version needs a version id")
	}
	var garbage []store.DataRef
	if v.VersionID == store.NullVersionID && current != nil {
		// The null version is most often the current one (unversioned
		// buckets hold nothing else); only otherwise is it looked up.
		var (
			old store.ObjectVersion
			err error
		)
		if current.VersionID == store.NullVersionID {
			old = *current
		} else {
			old, err = objFindVersion(q, v.Bucket, v.Key, store.NullVersionID)
		}
		switch {
		case err == nil:
			if err := objRemoveVersion(q, old); err != nil {
				return v, nil, err
			}
			garbage = append(garbage, old.Data...)
			if old.IsLatest {
				current = nil
			}
		case !errors.Is(err, store.ErrNoSuchVersion):
			return v, nil, err
		}
	}
	if current != nil {
		if _, err := q.exec(`UPDATE s3_versions SET is_latest = 0 WHERE bucket = ? AND key = ? AND is_latest = 1`,
			v.Bucket, []byte(v.Key)); err != nil {
			return v, nil, err
		}
	}
	v.IsLatest = true
	res, err := q.exec(`INSERT INTO s3_versions (bucket, key, version_id, is_latest, delete_marker, size, etag,
		last_modified, storage_class, data, attrs, tags) VALUES (?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?)`,
		v.Bucket, []byte(v.Key), v.VersionID, v.DeleteMarker, v.Size, v.ETag, objNanos(v.LastModified), v.StorageClass,
		objEncodeData(v.Data), v.Attrs, v.Tags)
	if err != nil {
		return v, nil, err
	}
	if v.Seq, err = res.LastInsertId(); err != nil {
		return v, nil, err
	}
	return v, garbage, objAddData(q, v.Data)
}

// PutVersion implements store.Objects.
func (o *ObjectStore) PutVersion(ctx context.Context, v store.ObjectVersion,
	prepare func(b *store.ObjectBucket, current *store.ObjectVersion, v *store.ObjectVersion) error) (store.ObjectVersion, []store.DataRef, error) {
	var (
		out     store.ObjectVersion
		garbage []store.DataRef
	)
	err := o.db.write(ctx, func(tx *sql.Tx) error {
		q := o.q(ctx, tx)
		b, err := objGetBucket(q, v.Bucket)
		if err != nil {
			return err
		}
		cur, err := objCurrentVersion(q, v.Bucket, v.Key)
		if err != nil {
			return err
		}
		next := v
		if err := prepare(&b, cur, &next); err != nil {
			return err
		}
		next.Bucket, next.Key = v.Bucket, v.Key
		out, garbage, err = objPutVersion(q, next, cur)
		return err
	})
	return out, garbage, err
}

// GetVersion implements store.Objects: one indexed lookup of the version;
// the bucket is looked at only when there is no version to return.
func (o *ObjectStore) GetVersion(ctx context.Context, bucket, key, versionID string) (store.ObjectVersion, error) {
	if _, err := o.db.read(); err != nil {
		return store.ObjectVersion{}, err
	}
	if err := ctx.Err(); err != nil {
		return store.ObjectVersion{}, err
	}
	q := o.q(ctx, nil)
	v, err := objFindVersion(q, bucket, key, versionID)
	if errors.Is(err, store.ErrNoSuchKey) || errors.Is(err, store.ErrNoSuchVersion) {
		if _, berr := objGetBucket(q, bucket); berr != nil {
			return v, berr
		}
	}
	return v, err
}

// UpdateVersion implements store.Objects.
func (o *ObjectStore) UpdateVersion(ctx context.Context, bucket, key, versionID string,
	fn func(b *store.ObjectBucket, v *store.ObjectVersion) error) (store.ObjectVersion, error) {
	var out store.ObjectVersion
	err := o.db.write(ctx, func(tx *sql.Tx) error {
		q := o.q(ctx, tx)
		b, err := objGetBucket(q, bucket)
		if err != nil {
			return err
		}
		v, err := objFindVersion(q, bucket, key, versionID)
		if err != nil {
			return err
		}
		if err := fn(&b, &v); err != nil {
			return err
		}
		if err := objSetVersion(q, v); err != nil {
			return err
		}
		out = v
		return nil
	})
	return out, err
}

// DeleteVersion implements store.Objects.
func (o *ObjectStore) DeleteVersion(ctx context.Context, bucket, key, versionID string,
	check func(b *store.ObjectBucket, v *store.ObjectVersion) error) (store.ObjectVersion, error) {
	var out store.ObjectVersion
	if versionID == "" {
		return out, store.ErrNoSuchVersion
	}
	err := o.db.write(ctx, func(tx *sql.Tx) error {
		q := o.q(ctx, tx)
		b, err := objGetBucket(q, bucket)
		if err != nil {
			return err
		}
		v, err := objFindVersion(q, bucket, key, versionID)
		if err != nil {
			return err
		}
		if check != nil {
			if err := check(&b, &v); err != nil {
				return err
			}
		}
		out = v
		return objRemoveVersion(q, v)
	})
	return out, err
}

// ListVersions implements store.Objects.
func (o *ObjectStore) ListVersions(ctx context.Context, bucket string, lq store.VersionQuery) ([]store.ObjectVersion, error) {
	if _, err := o.db.read(); err != nil {
		return nil, err
	}
	if lq.Limit <= 0 {
		return nil, nil
	}
	var out []store.ObjectVersion
	err := o.snapshot(ctx, bucket, func(q objQ, _ store.ObjectBucket) error {
		lo, hi := objKeyRange(lq.Prefix, lq.From)
		collect := func(query string, args ...any) error { return objCollect(q, &out, objScanVersion, query, args...) }
		bound := ``
		args := []any{bucket}
		if hi != nil {
			bound = ` AND key < ?`
		}
		if lq.CurrentOnly {
			op := ">="
			if lq.FromExclusive && lq.From != "" && string(lo) == lq.From {
				op = ">"
			}
			args = append(args, lo)
			if hi != nil {
				args = append(args, hi)
			}
			args = append(args, lq.Limit)
			return collect(`SELECT `+objVersionCols+` FROM s3_versions INDEXED BY s3_versions_current
			WHERE bucket = ? AND is_latest = 1 AND delete_marker = 0 AND key `+op+` ?`+bound+` ORDER BY key LIMIT ?`, args...)
		}
		start, op := lo, ">="
		if lq.From != "" && string(lo) == lq.From {
			if lq.BeforeSeq > 0 {
				if err := collect(`SELECT `+objVersionCols+` FROM s3_versions WHERE bucket = ? AND key = ? AND seq < ?
				ORDER BY seq DESC LIMIT ?`, bucket, lo, lq.BeforeSeq, lq.Limit); err != nil {
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
		args = append(args, start)
		if hi != nil {
			args = append(args, hi)
		}
		args = append(args, lq.Limit-len(out))
		return collect(`SELECT `+objVersionCols+` FROM s3_versions WHERE bucket = ? AND key `+op+` ?`+bound+`
		ORDER BY key, seq DESC LIMIT ?`, args...)
	})
	return out, err
}

// objKeyRange returns the first key to list (the later of prefix and from) and
// the exclusive upper bound of keys starting with prefix (nil for none).
func objKeyRange(prefix, from string) (lo, hi []byte) {
	lo = []byte(prefix)
	if from > prefix {
		lo = []byte(from)
	}
	return lo, objPrefixEnd(prefix)
}

// objPrefixEnd is the smallest byte string greater than every string starting
// with prefix, or nil when there is none (empty prefix or all 0xff).
func objPrefixEnd(prefix string) []byte {
	b := []byte(prefix)
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] < 0xff {
			b[i]++
			return b[:i+1]
		}
	}
	return nil
}
