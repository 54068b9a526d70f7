-- Epochs (Specs/audit.md); see postgres_0009.
ALTER TABLE operations ADD COLUMN epoch INTEGER;
ALTER TABLE operations ADD COLUMN digest TEXT;
CREATE INDEX operations_open ON operations (id) WHERE epoch IS NULL;
CREATE INDEX operations_epoch ON operations (epoch) WHERE epoch IS NOT NULL;

CREATE TABLE epochs (
    number     INTEGER PRIMARY KEY,
    closed_at  INTEGER NOT NULL,
    operations INTEGER NOT NULL,
    root       TEXT NOT NULL,
    previous   TEXT NOT NULL,
    commitment TEXT NOT NULL,
    signature  TEXT NOT NULL,
    manifest   TEXT NOT NULL
);
