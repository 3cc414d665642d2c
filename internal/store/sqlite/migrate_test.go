package sqlite

import (
	"database/sql"
	"path/filepath"
	"testing"
)

// The objects migration 2 moves the tag set the embedded object store kept
// under "t" of a version's attrs into the tags column, and leaves every
// other attribute, and attrs that hold no tag set, as they were.
func TestObjectsMigrationMovesTagSetsOutOfAttrs(t *testing.T) {
	all, err := loadMigrations()
	if err != nil {
		t.Fatal(err)
	}
	ms := all["objects"]
	if len(ms) < 2 {
		t.Fatalf("objects has %d migrations", len(ms))
	}
	db, err := sql.Open("sqlite", "file:"+filepath.Join(t.TempDir(), "m.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(ms[0].sql); err != nil {
		t.Fatal(err)
	}
	rows := []struct{ key, attrs, wantAttrs, wantTags string }{
		{"tagged", `{"o":"111","t":[{"Key":"k","Value":"v"}],"h":true}`, `{"o":"111","h":true}`, `[{"Key":"k","Value":"v"}]`},
		{"untagged", `{"o":"111"}`, `{"o":"111"}`, ""},
		{"not an object", `7`, `7`, ""},
		{"not JSON", `{oops`, `{oops`, ""},
	}
	for i, r := range rows {
		if _, err := db.Exec(`INSERT INTO s3_versions (bucket, key, version_id, is_latest, delete_marker, size, etag,
			last_modified, storage_class, data, attrs) VALUES ('b', ?, 'null', 1, 0, 0, '""', ?, 'STANDARD', '', ?)`,
			[]byte(r.key), i, []byte(r.attrs)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.Exec(`INSERT INTO s3_versions (bucket, key, version_id, is_latest, delete_marker, size, etag,
		last_modified, storage_class, data, attrs) VALUES ('b', ?, 'null', 1, 0, 0, '""', 0, 'STANDARD', '', NULL)`, []byte("no attrs")); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(ms[1].sql); err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		var attrs, tags []byte
		if err := db.QueryRow(`SELECT attrs, tags FROM s3_versions WHERE key = ?`, []byte(r.key)).Scan(&attrs, &tags); err != nil {
			t.Fatal(err)
		}
		if string(attrs) != r.wantAttrs || string(tags) != r.wantTags || (r.wantTags == "") != (tags == nil) {
			t.Errorf("%s: attrs %s, tags %q; want %s, %q", r.key, attrs, tags, r.wantAttrs, r.wantTags)
		}
	}
	var attrs, tags []byte
	if err := db.QueryRow(`SELECT attrs, tags FROM s3_versions WHERE key = ?`, []byte("no attrs")).Scan(&attrs, &tags); err != nil || attrs != nil || tags != nil {
		t.Errorf("no attrs: %q, %q, %v", attrs, tags, err)
	}
}
