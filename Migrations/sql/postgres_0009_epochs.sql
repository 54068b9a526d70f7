-- Epochs (Specs/audit.md): every settled operation is assigned to one, and each closed epoch commits to its
-- operations' digests, chained to the previous epoch and signed by the mint's key. Writers leave `epoch` NULL, so
-- the hot path stays as it was; the epoch closer assigns waiting operations in one transaction.
ALTER TABLE operations ADD COLUMN epoch BIGINT;
-- The operation's digest (hex SHA-256 of its canonical text), set when its epoch closes.
ALTER TABLE operations ADD COLUMN digest TEXT;
-- Operations waiting for an epoch, in ID order: what the closer takes.
CREATE INDEX operations_open ON operations (id) WHERE epoch IS NULL;
CREATE INDEX operations_epoch ON operations (epoch) WHERE epoch IS NOT NULL;

CREATE TABLE epochs (
    number     BIGINT PRIMARY KEY,
    closed_at  BIGINT NOT NULL,
    operations BIGINT NOT NULL,
    root       TEXT NOT NULL,       -- RFC 6962 root over the operations' digests, hex
    previous   TEXT NOT NULL,       -- the previous epoch's commitment, hex (64 zeros for the first)
    commitment TEXT NOT NULL,       -- SHA-256 of manifest, hex
    signature  TEXT NOT NULL,       -- BIP-340 signature of the commitment by the mint's key, hex
    manifest   TEXT NOT NULL        -- the canonical manifest JSON
);
