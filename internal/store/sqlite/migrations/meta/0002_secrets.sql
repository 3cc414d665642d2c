-- Random keys the server keeps across restarts (e.g. the key that signs
-- list NextTokens), by name, created on first use.
CREATE TABLE secrets (
    name  TEXT PRIMARY KEY,
    value BLOB NOT NULL
);
