-- A version's tag set gets a column of its own (store.ObjectVersion.Tags),
-- so that a batch replacing the tag sets of many versions rewrites one
-- column instead of patching the JSON of their attrs. The embedded object
-- store had kept the tag set, a JSON array, under the "t" member of attrs:
-- it moves here as it is.
ALTER TABLE s3_versions ADD COLUMN tags BLOB;

UPDATE s3_versions
SET tags  = CAST(json_extract(CAST(attrs AS TEXT), '$.t') AS BLOB),
    attrs = CAST(json_remove(CAST(attrs AS TEXT), '$.t') AS BLOB)
WHERE json_valid(CAST(attrs AS TEXT)) AND json_type(CAST(attrs AS TEXT), '$.t') = 'array';
