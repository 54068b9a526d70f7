-- Proof of liabilities (Specs/audit.md): per liabilities epoch, each keyset's sum-MMRs over the blind signatures
-- and the redeemed proofs of the closed epochs (operations.epoch <= through_epoch), signed by the mint's key.
-- Rows are written once, by whichever process closes the epoch (the primary key keeps it to one).
CREATE TABLE liability_epochs (
    epoch         BIGINT PRIMARY KEY,
    through_epoch BIGINT NOT NULL,     -- the last ledger epoch (epochs.number) whose operations are in the trees
    closed_at     BIGINT NOT NULL,
    previous      TEXT NOT NULL,       -- the previous epoch's global digest, hex (64 zeros for the first)
    global_digest TEXT NOT NULL,
    keyset_root   TEXT NOT NULL
);

CREATE TABLE liability_keysets (
    epoch              BIGINT NOT NULL REFERENCES liability_epochs (epoch),
    keyset_id          TEXT NOT NULL,
    unit               TEXT NOT NULL,
    issued_size        BIGINT NOT NULL,
    issued_hash        TEXT NOT NULL,
    issued_sum         NUMERIC(20, 0) NOT NULL,
    issued_peaks       TEXT NOT NULL,  -- JSON [{"hash","sum"}], left to right: the next epoch appends to them
    spent_size         BIGINT NOT NULL,
    spent_hash         TEXT NOT NULL,
    spent_sum          NUMERIC(20, 0) NOT NULL,
    spent_peaks        TEXT NOT NULL,
    active             BOOLEAN NOT NULL,
    deactivation_epoch BIGINT NOT NULL,
    signature          TEXT NOT NULL,  -- BIP-340 over SHA-256 of the manifest message
    PRIMARY KEY (epoch, keyset_id)
);
