-- Cashew ledger, SQLite. Amounts are INTEGER holding the UInt64 bit pattern (values of 2^63 and more read as
-- negative in raw SQL); the mint reads them back exactly, and audit sums split them into 32-bit halves.

CREATE TABLE keysets (
    id               TEXT PRIMARY KEY,
    unit             TEXT NOT NULL,
    active           INTEGER NOT NULL CHECK (active IN (0, 1)),
    input_fee_ppk    INTEGER NOT NULL,
    final_expiry     INTEGER,
    derivation_path  TEXT NOT NULL,
    derivation_index INTEGER NOT NULL,
    amounts          TEXT NOT NULL,          -- comma-separated denominations, ascending
    id_version       INTEGER NOT NULL,
    valid_from       INTEGER NOT NULL
);
-- One active keyset per unit, enforced by the database.
CREATE UNIQUE INDEX keysets_one_active_per_unit ON keysets (unit) WHERE active = 1;

CREATE TABLE operations (
    id         TEXT PRIMARY KEY,
    kind       TEXT NOT NULL CHECK (kind IN ('mint', 'swap', 'melt')),
    quote_id   TEXT,
    unit       TEXT NOT NULL,
    fee        INTEGER NOT NULL,             -- input fees kept by the mint
    created_at INTEGER NOT NULL
);

-- Redeemed proofs by Y = hash_to_curve(secret): the double-spend ledger.
CREATE TABLE proofs (
    y             TEXT PRIMARY KEY,
    amount        INTEGER NOT NULL,
    keyset_id     TEXT NOT NULL,
    secret        TEXT NOT NULL,
    c             TEXT NOT NULL,
    witness       TEXT,
    state         TEXT NOT NULL CHECK (state IN ('pending', 'spent')),
    operation_id  TEXT NOT NULL,
    melt_quote_id TEXT,                      -- set while a melt holds the proof pending
    created_at    INTEGER NOT NULL
);
CREATE INDEX proofs_operation ON proofs (operation_id);
CREATE INDEX proofs_melt_quote ON proofs (melt_quote_id) WHERE melt_quote_id IS NOT NULL;

-- Issued blind signatures by B_: no output is signed twice; NUT-09 restores from here.
CREATE TABLE blind_signatures (
    b            TEXT PRIMARY KEY,
    amount       INTEGER NOT NULL,
    keyset_id    TEXT NOT NULL,
    c            TEXT NOT NULL,
    dleq_e       TEXT NOT NULL,
    dleq_s       TEXT NOT NULL,
    operation_id TEXT NOT NULL,
    created_at   INTEGER NOT NULL
);
CREATE INDEX blind_signatures_operation ON blind_signatures (operation_id);

CREATE TABLE mint_quotes (
    id           TEXT PRIMARY KEY,
    method       TEXT NOT NULL,
    request      TEXT NOT NULL,
    payment_hash TEXT NOT NULL UNIQUE,
    amount       INTEGER NOT NULL,
    unit         TEXT NOT NULL,
    state        TEXT NOT NULL CHECK (state IN ('UNPAID', 'PAID', 'ISSUED')),
    pubkey       TEXT,
    expiry       INTEGER NOT NULL,
    created_at   INTEGER NOT NULL,
    paid_at      INTEGER,
    issued_at    INTEGER
);

CREATE TABLE melt_quotes (
    id               TEXT PRIMARY KEY,
    method           TEXT NOT NULL,
    request          TEXT NOT NULL,
    payment_hash     TEXT NOT NULL,
    unit             TEXT NOT NULL,
    amount           INTEGER NOT NULL,
    fee_reserve      INTEGER NOT NULL,
    amount_msat      INTEGER NOT NULL,
    state            TEXT NOT NULL CHECK (state IN ('UNPAID', 'PENDING', 'PAID')),
    expiry           INTEGER NOT NULL,
    payment_preimage TEXT,
    fee_paid         INTEGER,
    created_at       INTEGER NOT NULL,
    paid_at          INTEGER,
    blank_outputs    TEXT,                   -- JSON array of the NUT-08 blank outputs of a started melt
    input_amount     INTEGER,
    input_fee        INTEGER
);
-- An invoice is paid by at most one melt: only one quote per payment hash may be PENDING or PAID.
CREATE UNIQUE INDEX melt_quotes_one_payment ON melt_quotes (payment_hash) WHERE state IN ('PENDING', 'PAID');
CREATE INDEX melt_quotes_pending ON melt_quotes (state) WHERE state = 'PENDING';
