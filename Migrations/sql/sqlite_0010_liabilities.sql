-- Proof of liabilities (Specs/audit.md); see postgres_0010. Sums are UInt64 bit patterns, as amounts are.
CREATE TABLE liability_epochs (
    epoch         INTEGER PRIMARY KEY,
    through_epoch INTEGER NOT NULL,     -- the last ledger epoch (epochs.number) whose operations are in the trees
    closed_at     INTEGER NOT NULL,
    previous      TEXT NOT NULL,       -- the previous epoch's global digest, hex (64 zeros for the first)
    global_digest TEXT NOT NULL,
    keyset_root   TEXT NOT NULL
);

CREATE TABLE liability_keysets (
    epoch              INTEGER NOT NULL REFERENCES liability_epochs (epoch),
    keyset_id          TEXT NOT NULL,
    unit               TEXT NOT NULL,
    issued_size        INTEGER NOT NULL,
    issued_hash        TEXT NOT NULL,
    issued_sum         INTEGER NOT NULL,
    issued_peaks       TEXT NOT NULL,  -- JSON [{"hash","sum"}], left to right: the next epoch appends to them
    spent_size         INTEGER NOT NULL,
    spent_hash         TEXT NOT NULL,
    spent_sum          INTEGER NOT NULL,
    spent_peaks        TEXT NOT NULL,
    active             INTEGER NOT NULL CHECK (active IN (0, 1)),
    deactivation_epoch INTEGER NOT NULL,
    signature          TEXT NOT NULL,  -- BIP-340 over SHA-256 of the manifest message
    PRIMARY KEY (epoch, keyset_id)
);
