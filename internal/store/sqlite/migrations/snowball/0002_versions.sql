-- A counter per account that every write of the account's jobs bumps, so
-- that a node can tell in one point read whether a cached job list is
-- still current.
CREATE TABLE snowball_versions (
    account TEXT    PRIMARY KEY,
    version INTEGER NOT NULL
);
