package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"testing"
	"time"

	"github.com/jobplane/jobplane/internal/store"
)

func TestScratchStatementCosts(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	o := db.Objects()
	o.CreateBucket(ctx, store.ObjectBucket{Name: "bkt", Owner: "1", Region: "r", Attrs: []byte(`{}`)})
	const n = 51200
	attrs := []byte(`{"o":"111111111111","c":{"Algorithm":"CRC64NVME","Type":"FULL_OBJECT","Value":"AAAAAAAAAAA="},"e":{"Algorithm":"AES256","KMSKeyID":"","BucketKeyEnabled":false,"Context":""}}`)
	err = db.write(ctx, func(tx *sql.Tx) error {
		for i := range n {
			if _, err := tx.Exec(`INSERT INTO s3_versions (bucket, key, version_id, is_latest, delete_marker, size, etag, last_modified, storage_class, data, attrs) VALUES ('bkt', ?, 'null', 1, 0, 0, '"e"', 0, 'STANDARD', '', ?)`, []byte(fmt.Sprintf("k%07d", i)), attrs); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	patch := `{"t":[{"Key":"a","Value":"b"}]}`
	run := func(name string, fn func(tx *sql.Tx, keys []any) error) {
		start := time.Now()
		for b := 0; b < n; b += 256 * 8 {
			err := db.write(ctx, func(tx *sql.Tx) error {
				for g := b; g < b+256*8; g += 256 {
					keys := make([]any, 0, 256)
					for i := g; i < g+256; i++ {
						keys = append(keys, []byte(fmt.Sprintf("k%07d", i)))
					}
					if err := fn(tx, keys); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(name, err)
			}
		}
		t.Logf("%s: %.2f µs/row", name, float64(time.Since(start).Microseconds())/n)
	}
	in := batchPlaceholders(256, "?")
	run("json_patch returning", func(tx *sql.Tx, keys []any) error {
		rows, err := tx.Query(`UPDATE s3_versions SET attrs = CAST(json_patch(COALESCE(CAST(attrs AS TEXT), '{}'), CAST(? AS TEXT)) AS BLOB) WHERE bucket = ? AND delete_marker = 0 AND is_latest = 1 AND key IN (`+in+`) RETURNING key`, append([]any{patch, "bkt"}, keys...)...)
		if err != nil {
			return err
		}
		for rows.Next() {
		}
		return rows.Close()
	})
	run("json_patch exec", func(tx *sql.Tx, keys []any) error {
		_, err := tx.Exec(`UPDATE s3_versions SET attrs = CAST(json_patch(COALESCE(CAST(attrs AS TEXT), '{}'), CAST(? AS TEXT)) AS BLOB) WHERE bucket = ? AND delete_marker = 0 AND is_latest = 1 AND key IN (`+in+`)`, append([]any{patch, "bkt"}, keys...)...)
		return err
	})
	run("json_patch exec nocast", func(tx *sql.Tx, keys []any) error {
		_, err := tx.Exec(`UPDATE s3_versions SET attrs = json_patch(attrs, ?) WHERE bucket = ? AND delete_marker = 0 AND is_latest = 1 AND key IN (`+in+`)`, append([]any{patch, "bkt"}, keys...)...)
		return err
	})
	run("set constant blob", func(tx *sql.Tx, keys []any) error {
		_, err := tx.Exec(`UPDATE s3_versions SET attrs = ? WHERE bucket = ? AND delete_marker = 0 AND is_latest = 1 AND key IN (`+in+`)`, append([]any{attrs, "bkt"}, keys...)...)
		return err
	})
	run("select attrs", func(tx *sql.Tx, keys []any) error {
		rows, err := tx.Query(`SELECT seq, attrs FROM s3_versions WHERE bucket = ? AND delete_marker = 0 AND is_latest = 1 AND key IN (`+in+`)`, append([]any{"bkt"}, keys...)...)
		if err != nil {
			return err
		}
		for rows.Next() {
			var s int64
			var a []byte
			rows.Scan(&s, &a)
		}
		return rows.Close()
	})
}
