-- Cashew ledger, PostgreSQL. Amounts are NUMERIC(20, 0): exact for the full UInt64 range (2^63 keys included)
-- and summed exactly by the database. Points and keyset IDs are lower-case hex text.
-- No foreign keys on the hot tables: they would take a share lock on the keyset row for every inserted proof.

CREATE TABLE keysets (
    id               TEXT PRIMARY KEY,
    unit             TEXT NOT NULL,
    active           BOOLEAN NOT NULL,
    input_fee_ppk    BIGINT NOT NULL,
    final_expiry     BIGINT,
    derivation_path  TEXT NOT NULL,
    derivation_index BIGINT NOT NULL,
    amounts          TEXT NOT NULL,          -- comma-separated denominations, ascending
    id_version       SMALLINT NOT NULL,
    valid_from       BIGINT NOT NULL
);
-- One active keyset per unit, enforced by the database.
CREATE UNIQUE INDEX keysets_one_active_per_unit ON keysets (unit) WHERE active;

CREATE TABLE operations (
    id         TEXT PRIMARY KEY,
    kind       TEXT NOT NULL CHECK (kind IN ('mint', 'swap', 'melt')),
    quote_id   TEXT,
    unit       TEXT NOT NULL,
    fee        NUMERIC(20, 0) NOT NULL,      -- input fees kept by the mint
    created_at BIGINT NOT NULL
);
CREATE INDEX operations_quote ON operations (quote_id) WHERE quote_id IS NOT NULL;

-- Redeemed proofs by Y = hash_to_curve(secret): the double-spend ledger.
CREATE TABLE proofs (
    y             TEXT PRIMARY KEY,
    amount        NUMERIC(20, 0) NOT NULL,
    keyset_id     TEXT NOT NULL,
    secret        TEXT NOT NULL,
    c             TEXT NOT NULL,
    witness       TEXT,
    state         TEXT NOT NULL CHECK (state IN ('pending', 'spent')),
    operation_id  TEXT NOT NULL,
    melt_quote_id TEXT,                      -- set while a melt holds the proof pending
    created_at    BIGINT NOT NULL
);
CREATE INDEX proofs_operation ON proofs (operation_id);
CREATE INDEX proofs_melt_quote ON proofs (melt_quote_id) WHERE melt_quote_id IS NOT NULL;

-- Issued blind signatures by B_: no output is signed twice; NUT-09 restores from here.
CREATE TABLE blind_signatures (
    b            TEXT PRIMARY KEY,
    amount       NUMERIC(20, 0) NOT NULL,
    keyset_id    TEXT NOT NULL,
    c            TEXT NOT NULL,
    dleq_e       TEXT NOT NULL,
    dleq_s       TEXT NOT NULL,
    operation_id TEXT NOT NULL,
    created_at   BIGINT NOT NULL
);
CREATE INDEX blind_signatures_operation ON blind_signatures (operation_id);

CREATE TABLE mint_quotes (
    id           TEXT PRIMARY KEY,
    method       TEXT NOT NULL,
    request      TEXT NOT NULL,
    payment_hash TEXT NOT NULL UNIQUE,
    amount       NUMERIC(20, 0) NOT NULL,
    unit         TEXT NOT NULL,
    state        TEXT NOT NULL CHECK (state IN ('UNPAID', 'PAID', 'ISSUED')),
    pubkey       TEXT,
    expiry       BIGINT NOT NULL,
    created_at   BIGINT NOT NULL,
    paid_at      BIGINT,
    issued_at    BIGINT
);

CREATE TABLE melt_quotes (
    id               TEXT PRIMARY KEY,
    method           TEXT NOT NULL,
    request          TEXT NOT NULL,
    payment_hash     TEXT NOT NULL,
    unit             TEXT NOT NULL,
    amount           NUMERIC(20, 0) NOT NULL,
    fee_reserve      NUMERIC(20, 0) NOT NULL,
    amount_msat      NUMERIC(20, 0) NOT NULL,
    state            TEXT NOT NULL CHECK (state IN ('UNPAID', 'PENDING', 'PAID')),
    expiry           BIGINT NOT NULL,
    payment_preimage TEXT,
    fee_paid         NUMERIC(20, 0),
    created_at       BIGINT NOT NULL,
    paid_at          BIGINT,
    blank_outputs    TEXT,                   -- JSON array of the NUT-08 blank outputs of a started melt
    input_amount     NUMERIC(20, 0),
    input_fee        NUMERIC(20, 0)
);
-- An invoice is paid by at most one melt: only one quote per payment hash may be PENDING or PAID.
CREATE UNIQUE INDEX melt_quotes_one_payment ON melt_quotes (payment_hash) WHERE state IN ('PENDING', 'PAID');
CREATE INDEX melt_quotes_pending ON melt_quotes (state) WHERE state = 'PENDING';
