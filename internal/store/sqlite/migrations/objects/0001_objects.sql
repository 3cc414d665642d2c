-- The embedded object store's metadata (internal/store/objects.go). Keys are
-- BLOBs so that they compare as raw bytes, S3's listing order, whatever bytes
-- they hold. Times are Unix nanoseconds.
CREATE TABLE s3_buckets (
	name       TEXT PRIMARY KEY,
	owner      TEXT NOT NULL,
	region     TEXT NOT NULL,
	created    INTEGER NOT NULL,
	versioning TEXT NOT NULL DEFAULT '',
	attrs      BLOB
);
CREATE INDEX s3_buckets_owner ON s3_buckets (owner, name);

-- One row per object version or delete marker. seq orders versions: a key's
-- current version is always its highest seq, and is_latest mirrors that so
-- that listings of current objects can use a partial index.
CREATE TABLE s3_versions (
	seq           INTEGER PRIMARY KEY AUTOINCREMENT,
	bucket        TEXT NOT NULL,
	key           BLOB NOT NULL,
	version_id    TEXT NOT NULL,
	is_latest     INTEGER NOT NULL,
	delete_marker INTEGER NOT NULL,
	size          INTEGER NOT NULL,
	etag          TEXT NOT NULL,
	last_modified INTEGER NOT NULL,
	storage_class TEXT NOT NULL,
	data          TEXT NOT NULL,
	attrs         BLOB
);
CREATE UNIQUE INDEX s3_versions_id ON s3_versions (bucket, key, version_id);
CREATE INDEX s3_versions_order ON s3_versions (bucket, key, seq DESC);
CREATE INDEX s3_versions_current ON s3_versions (bucket, key) WHERE is_latest = 1 AND delete_marker = 0;

CREATE TABLE s3_uploads (
	seq       INTEGER PRIMARY KEY AUTOINCREMENT,
	bucket    TEXT NOT NULL,
	key       BLOB NOT NULL,
	upload_id TEXT NOT NULL UNIQUE,
	initiated INTEGER NOT NULL,
	attrs     BLOB
);
CREATE INDEX s3_uploads_order ON s3_uploads (bucket, key, seq);

CREATE TABLE s3_parts (
	upload_seq    INTEGER NOT NULL,
	number        INTEGER NOT NULL,
	size          INTEGER NOT NULL,
	etag          TEXT NOT NULL,
	last_modified INTEGER NOT NULL,
	data          TEXT NOT NULL,
	attrs         BLOB,
	PRIMARY KEY (upload_seq, number)
);

-- Every data file a version or part references, so that a file found on
-- disk can be told in use or orphaned; and the files of removed records,
-- until the object store has unlinked them.
CREATE TABLE s3_data (id TEXT PRIMARY KEY) WITHOUT ROWID;
CREATE TABLE s3_garbage (
	seq  INTEGER PRIMARY KEY AUTOINCREMENT,
	id   TEXT NOT NULL,
	size INTEGER NOT NULL
);
