package sqlite

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"strings"

	"github.com/jobplane/jobplane/internal/store"
)

var _ store.ObjectsBatch = (*ObjectStore)(nil)

// UpdateVersions implements store.ObjectsBatch optimistically, so that the
// single writer does as little as possible: the versions are read on the
// read pool (one statement for the whole batch) and fn runs on the caller's
// goroutine; the write transaction then only updates each version whose
// record is still the one fn saw (compare-and-swap on its attributes and
// storage class, and on the bucket's record). A version that changed
// meanwhile is read and decided again inside the transaction, so the
// outcome is the one UpdateVersion would have given at commit time.
func (o *ObjectStore) UpdateVersions(ctx context.Context, bucket string, refs []store.VersionRef,
	fn func(b *store.ObjectBucket, v *store.ObjectVersion) error) ([]store.ObjectVersion, []error, error) {
	if _, err := o.db.read(); err != nil {
		return nil, nil, err
	}
	q := o.q(ctx, nil)
	b, err := objGetBucket(q, bucket)
	if err != nil {
		return nil, nil, err
	}
	found, err := o.batchFind(q, bucket, refs)
	if err != nil {
		return nil, nil, err
	}
	out := make([]store.ObjectVersion, len(refs))
	errs := make([]error, len(refs))
	// before[i] is the record fn saw; planned[i] tells whether out[i]
	// holds fn's change to write.
	before := make([]store.ObjectVersion, len(refs))
	planned := make([]bool, len(refs))
	for i, r := range refs {
		v, ok := found[r]
		if !ok {
			continue // decided in the transaction: missing, or a version the read did not match
		}
		before[i] = v
		bb := b
		next := v
		if err := fn(&bb, &next); err != nil {
			errs[i] = err
			continue
		}
		out[i], planned[i] = next, true
	}
	err = o.db.write(ctx, func(tx *sql.Tx) error {
		wq := o.q(ctx, tx)
		cur, err := objGetBucket(wq, bucket)
		if err != nil {
			return err
		}
		sameBucket := cur.Versioning == b.Versioning && bytes.Equal(cur.Attrs, b.Attrs) && cur.Owner == b.Owner
		// The versions fn changed, each compared and set in one statement
		// per group; a version named twice takes the slow path the second
		// time.
		fast := make([]int, 0, len(refs))
		isFast := make([]bool, len(refs))
		seen := make(map[int64]bool, len(refs))
		for i := range refs {
			if sameBucket && planned[i] && !seen[before[i].Seq] {
				fast, isFast[i] = append(fast, i), true
				seen[before[i].Seq] = true
			}
		}
		swapped, err := casVersions(wq, refs, fast, before, out)
		if err != nil {
			return err
		}
		for i, r := range refs {
			if isFast[i] && swapped[before[i].Seq] {
				continue
			}
			if sameBucket && !planned[i] && errs[i] != nil && before[i].Seq != 0 {
				// fn refused the version it saw; keep that verdict if the
				// version is still the same.
				v, err := objFindVersion(wq, bucket, r.Key, r.VersionID)
				if err == nil && v.Seq == before[i].Seq && v.StorageClass == before[i].StorageClass && bytes.Equal(v.Attrs, before[i].Attrs) {
					continue
				}
			}
			// The slow path: decide again on the version as it is now.
			out[i], errs[i], planned[i] = store.ObjectVersion{}, nil, false
			v, err := objFindVersion(wq, bucket, r.Key, r.VersionID)
			if errors.Is(err, store.ErrNoSuchKey) || errors.Is(err, store.ErrNoSuchVersion) {
				errs[i] = err
				continue
			}
			if err != nil {
				return err
			}
			bb := cur
			if err := fn(&bb, &v); err != nil {
				errs[i] = err
				continue
			}
			if _, err := wq.exec(`UPDATE s3_versions SET storage_class = ?, attrs = ? WHERE seq = ?`, v.StorageClass, v.Attrs, v.Seq); err != nil {
				return err
			}
			out[i], planned[i] = v, true
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	for i := range out {
		if !planned[i] {
			out[i] = store.ObjectVersion{}
		}
	}
	return out, errs, nil
}

// casVersions sets the attributes and storage class fn chose for the
// versions at idx, each only if its record is still the one fn saw, with
// one UPDATE ... FROM (VALUES ...) per group, and returns the seqs it set.
func casVersions(q objQ, refs []store.VersionRef, idx []int, before, after []store.ObjectVersion) (map[int64]bool, error) {
	swapped := make(map[int64]bool, len(idx))
	for len(idx) > 0 {
		group := idx[:min(len(idx), maxBatchCAS)]
		idx = idx[len(group):]
		args := make([]any, 0, 6*len(group))
		for _, i := range group {
			current := 0
			if refs[i].VersionID == "" {
				current = 1
			}
			args = append(args, before[i].Seq, before[i].Attrs, after[i].Attrs, before[i].StorageClass, after[i].StorageClass, current)
		}
		rows, err := q.query(`UPDATE s3_versions SET attrs = v.column3, storage_class = v.column5
			FROM (VALUES `+batchPlaceholders(len(group), "(?, ?, ?, ?, ?, ?)")+`) AS v
			WHERE s3_versions.seq = v.column1 AND s3_versions.attrs IS v.column2 AND s3_versions.storage_class = v.column4
				AND (v.column6 = 0 OR s3_versions.is_latest = 1)
			RETURNING s3_versions.seq`, args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var seq int64
			if err := rows.Scan(&seq); err != nil {
				rows.Close()
				return nil, err
			}
			swapped[seq] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return swapped, nil
}

// maxBatchCAS bounds the versions one compare-and-set statement names (six
// parameters each).
const maxBatchCAS = 256

// batchFind reads the versions refs name with one statement per kind of
// ref: current versions by key, and named versions by key and id. Refs it
// does not find are left for the transaction to decide.
func (o *ObjectStore) batchFind(q objQ, bucket string, refs []store.VersionRef) (map[store.VersionRef]store.ObjectVersion, error) {
	found := make(map[store.VersionRef]store.ObjectVersion, len(refs))
	var current, named []store.VersionRef
	for _, r := range refs {
		if r.VersionID == "" {
			current = append(current, r)
		} else {
			named = append(named, r)
		}
	}
	scan := func(query string, args []any, key func(v store.ObjectVersion) store.VersionRef) error {
		rows, err := q.query(query, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			v, err := objScanVersion(rows)
			if err != nil {
				return err
			}
			found[key(v)] = v
		}
		return rows.Err()
	}
	for len(current) > 0 {
		n := min(len(current), maxBatchFind)
		args := make([]any, 0, n+1)
		args = append(args, bucket)
		for _, r := range current[:n] {
			args = append(args, []byte(r.Key))
		}
		err := scan(`SELECT `+objVersionCols+` FROM s3_versions WHERE bucket = ? AND is_latest = 1 AND key IN (`+batchPlaceholders(n, "?")+`)`,
			args, func(v store.ObjectVersion) store.VersionRef { return store.VersionRef{Key: v.Key} })
		if err != nil {
			return nil, err
		}
		current = current[n:]
	}
	for len(named) > 0 {
		n := min(len(named), maxBatchFind)
		args := make([]any, 0, 2*n+1)
		args = append(args, bucket)
		for _, r := range named[:n] {
			args = append(args, []byte(r.Key), r.VersionID)
		}
		err := scan(`SELECT `+objVersionCols+` FROM s3_versions WHERE bucket = ? AND (key, version_id) IN (VALUES `+batchPlaceholders(n, "(?, ?)")+`)`,
			args, func(v store.ObjectVersion) store.VersionRef {
				return store.VersionRef{Key: v.Key, VersionID: v.VersionID}
			})
		if err != nil {
			return nil, err
		}
		named = named[n:]
	}
	return found, nil
}

// maxBatchFind bounds the refs one statement looks up (SQLite allows 32,766
// parameters; a few hundred keeps statements cacheable and quick).
const maxBatchFind = 256

func batchPlaceholders(n int, one string) string {
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(one)
	}
	return b.String()
}

var _ store.ObjectsPatcher = (*ObjectStore)(nil)

// PatchVersions implements store.ObjectsPatcher with one UPDATE statement
// per group of refs, run by SQLite's own json_patch, so that the single
// writer neither reads rows into Go nor encodes JSON: the cost per version
// is little more than rewriting its row. When the statement changes fewer
// rows than it names (a missing key, a delete marker), one more read in the
// same transaction tells which. Attrs stay BLOBs (SQLite would read a BLOB
// argument of json_patch as its binary JSONB format, hence the casts).
func (o *ObjectStore) PatchVersions(ctx context.Context, bucket string, refs []store.VersionRef, patch []byte) ([]bool, error) {
	applied := make([]bool, len(refs))
	var current, named []int
	for i, r := range refs {
		if r.VersionID == "" {
			current = append(current, i)
		} else {
			named = append(named, i)
		}
	}
	const set = `UPDATE s3_versions SET attrs = CAST(json_patch(COALESCE(CAST(attrs AS TEXT), '{}'), ?) AS BLOB)
		WHERE bucket = ? AND delete_marker = 0 AND `
	const find = `SELECT key, version_id FROM s3_versions WHERE bucket = ? AND delete_marker = 0 AND `
	err := o.db.write(ctx, func(tx *sql.Tx) error {
		clear(applied)
		q := o.q(ctx, tx)
		if _, err := objGetBucket(q, bucket); err != nil {
			return err
		}
		for _, kind := range []struct {
			idx         []int
			cond, place string
			args        func(r store.VersionRef) []any
			ref         func(key []byte, version string) store.VersionRef
		}{
			{current, "is_latest = 1 AND key IN (", "?",
				func(r store.VersionRef) []any { return []any{[]byte(r.Key)} },
				func(key []byte, _ string) store.VersionRef { return store.VersionRef{Key: string(key)} }},
			{named, "(key, version_id) IN (VALUES ", "(?, ?)",
				func(r store.VersionRef) []any { return []any{[]byte(r.Key), r.VersionID} },
				func(key []byte, version string) store.VersionRef {
					return store.VersionRef{Key: string(key), VersionID: version}
				}},
		} {
			for idx := kind.idx; len(idx) > 0; {
				group := idx[:min(len(idx), maxBatchFind)]
				idx = idx[len(group):]
				args := []any{string(patch), bucket}
				distinct := make(map[store.VersionRef][]int, len(group))
				for _, i := range group {
					args = append(args, kind.args(refs[i])...)
					distinct[refs[i]] = append(distinct[refs[i]], i)
				}
				where := kind.cond + batchPlaceholders(len(group), kind.place) + ")"
				res, err := q.exec(set+where, args...)
				if err != nil {
					return err
				}
				n, err := res.RowsAffected()
				if err != nil {
					return err
				}
				if int(n) == len(distinct) {
					for _, i := range group {
						applied[i] = true
					}
					continue
				}
				rows, err := q.query(find+where, args[1:]...)
				if err != nil {
					return err
				}
				for rows.Next() {
					var key []byte
					var version string
					if err := rows.Scan(&key, &version); err != nil {
						rows.Close()
						return err
					}
					for _, i := range distinct[kind.ref(key, version)] {
						applied[i] = true
					}
				}
				rows.Close()
				if err := rows.Err(); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return applied, nil
}
