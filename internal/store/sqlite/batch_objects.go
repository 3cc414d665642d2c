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
			v, err := objFindVersion(wq, bucket, r.Key, r.VersionID)
			if sameBucket && !planned[i] && errs[i] != nil && before[i].Seq != 0 &&
				err == nil && v.Seq == before[i].Seq && v.StorageClass == before[i].StorageClass &&
				bytes.Equal(v.Attrs, before[i].Attrs) && bytes.Equal(v.Tags, before[i].Tags) {
				// fn refused the version it saw, and the version is still
				// the same: keep that verdict.
				continue
			}
			// The slow path: decide again on the version as it is now.
			out[i], errs[i], planned[i] = store.ObjectVersion{}, nil, false
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
			if err := objSetVersion(wq, v); err != nil {
				return err
			}
			out[i], planned[i] = v, true
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	return out, errs, nil
}

// casVersions sets the attributes, tags and storage class fn chose for the
// versions at idx, each only if its record is still the one fn saw, with
// one UPDATE ... FROM (VALUES ...) per group, and returns the seqs it set.
func casVersions(q objQ, refs []store.VersionRef, idx []int, before, after []store.ObjectVersion) (map[int64]bool, error) {
	swapped := make(map[int64]bool, len(idx))
	for len(idx) > 0 {
		group := idx[:min(len(idx), maxBatchCAS)]
		idx = idx[len(group):]
		args := make([]any, 0, 8*len(group))
		for _, i := range group {
			current := 0
			if refs[i].VersionID == "" {
				current = 1
			}
			args = append(args, before[i].Seq, current, before[i].StorageClass, after[i].StorageClass,
				before[i].Attrs, after[i].Attrs, before[i].Tags, after[i].Tags)
		}
		rows, err := q.query(`UPDATE s3_versions SET storage_class = v.column4, attrs = v.column6, tags = v.column8
			FROM (VALUES `+batchPlaceholders(len(group), "(?, ?, ?, ?, ?, ?, ?, ?)")+`) AS v
			WHERE s3_versions.seq = v.column1 AND (v.column2 = 0 OR s3_versions.is_latest = 1)
				AND s3_versions.storage_class = v.column3 AND s3_versions.attrs IS v.column5 AND s3_versions.tags IS v.column7
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

// maxBatchCAS bounds the versions one compare-and-set statement names (eight
// parameters each).
const maxBatchCAS = 256

// batchFind reads the versions refs name with one statement per kind of
// ref and group. Refs it does not find are left for the transaction to
// decide.
func (o *ObjectStore) batchFind(q objQ, bucket string, refs []store.VersionRef) (map[store.VersionRef]store.ObjectVersion, error) {
	found := make(map[store.VersionRef]store.ObjectVersion, len(refs))
	err := eachRefGroup(refs, func(k refKind, group []int) error {
		rows, err := q.query(`SELECT `+objVersionCols+` FROM s3_versions WHERE bucket = ? AND `+k.where(len(group)), k.args(bucket, refs, group)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			v, err := objScanVersion(rows)
			if err != nil {
				return err
			}
			found[k.ref(v.Key, v.VersionID)] = v
		}
		return rows.Err()
	})
	return found, err
}

// refKind is one way a statement names versions: current versions by key,
// or versions by key and id.
type refKind struct {
	named bool
}

var refKinds = [...]refKind{{named: false}, {named: true}}

// where is the condition naming n refs of the kind.
func (k refKind) where(n int) string {
	if k.named {
		return "(key, version_id) IN (VALUES " + batchPlaceholders(n, "(?, ?)") + ")"
	}
	return "is_latest = 1 AND key IN (" + batchPlaceholders(n, "?") + ")"
}

// args are the bucket and then the parameters of where for refs[group].
func (k refKind) args(bucket string, refs []store.VersionRef, group []int) []any {
	args := make([]any, 0, 1+2*len(group))
	args = append(args, bucket)
	for _, i := range group {
		args = append(args, []byte(refs[i].Key))
		if k.named {
			args = append(args, refs[i].VersionID)
		}
	}
	return args
}

// ref is the ref of the kind that names a version found.
func (k refKind) ref(key string, version string) store.VersionRef {
	if k.named {
		return store.VersionRef{Key: key, VersionID: version}
	}
	return store.VersionRef{Key: key}
}

// eachRefGroup calls fn for the indexes of refs of each kind, at most
// maxBatchFind at a time.
func eachRefGroup(refs []store.VersionRef, fn func(k refKind, group []int) error) error {
	for _, k := range refKinds {
		var idx []int
		for i, r := range refs {
			if (r.VersionID != "") == k.named {
				idx = append(idx, i)
			}
		}
		for len(idx) > 0 {
			group := idx[:min(len(idx), maxBatchFind)]
			idx = idx[len(group):]
			if err := fn(k, group); err != nil {
				return err
			}
		}
	}
	return nil
}

// maxBatchFind bounds the refs one statement looks up (SQLite allows 32,766
// parameters; a few hundred keeps statements cacheable and quick).
const maxBatchFind = 256

// batchPlaceholders returns n copies of one, the placeholders of one
// value, separated by commas.
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
// per group of refs, so that the single writer neither reads rows into Go
// nor encodes JSON: the cost per version is little more than finding and
// rewriting its row. A tag set is set as it is; an attrs patch is applied
// by SQLite's own json_patch. Attrs stay BLOBs (SQLite would read a BLOB
// argument of json_patch as its binary JSONB format, hence the casts).
func (o *ObjectStore) PatchVersions(ctx context.Context, bucket string, refs []store.VersionRef, p store.VersionPatch) ([]bool, error) {
	var set []string
	var args []any
	if p.Attrs != nil {
		set = append(set, `attrs = CAST(json_patch(COALESCE(CAST(attrs AS TEXT), '{}'), ?) AS BLOB)`)
		args = append(args, string(p.Attrs))
	}
	if p.SetTags {
		set = append(set, `tags = ?`)
		args = append(args, p.Tags)
	}
	if len(set) == 0 {
		set = append(set, `seq = seq`) // changes nothing, but still tells which versions exist
	}
	stmt := versionPatch{set: `UPDATE s3_versions SET ` + strings.Join(set, ", ") + ` WHERE `, args: args}
	applied := make([]bool, len(refs))
	err := o.db.write(ctx, func(tx *sql.Tx) error {
		clear(applied)
		q := o.q(ctx, tx)
		if _, err := objGetBucket(q, bucket); err != nil {
			return err
		}
		return patchByKey(q, bucket, refs, stmt, applied)
	})
	if err != nil {
		return nil, err
	}
	return applied, nil
}

// versionPatch is the start of an UPDATE statement, up to its condition,
// and the parameters of its SET clause.
type versionPatch struct {
	set  string
	args []any
}

// patchByKey patches the current versions or named versions that refs
// name, as they are now, with one statement per group, and marks the refs
// it patched in applied. When a statement changes fewer rows than it names
// (a missing key, a delete marker), one more read tells which.
func patchByKey(q objQ, bucket string, refs []store.VersionRef, p versionPatch, applied []bool) error {
	return eachRefGroup(refs, func(k refKind, group []int) error {
		at := make(map[store.VersionRef][]int, len(group))
		for _, i := range group {
			at[refs[i]] = append(at[refs[i]], i)
		}
		where := `bucket = ? AND delete_marker = 0 AND ` + k.where(len(group))
		cond := k.args(bucket, refs, group)
		res, err := q.exec(p.set+where, append(append(make([]any, 0, len(p.args)+len(cond)), p.args...), cond...)...)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return err
		}
		if int(n) == len(at) {
			for _, i := range group {
				applied[i] = true
			}
			return nil
		}
		rows, err := q.query(`SELECT key, version_id FROM s3_versions WHERE `+where, cond...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var key []byte
			var version string
			if err := rows.Scan(&key, &version); err != nil {
				return err
			}
			for _, i := range at[k.ref(string(key), version)] {
				applied[i] = true
			}
		}
		return rows.Err()
	})
}
