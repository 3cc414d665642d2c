-- The store's identity: one row, written when the store is created.
CREATE TABLE meta (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    instance_id TEXT    NOT NULL,
    created_at  TEXT    NOT NULL
);
