-- Cashew wallet database (SQLite, one file per wallet directory). Amounts are UInt64 bit patterns in INTEGER,
-- as in the mint's SQLite ledger; points, keyset IDs and Ys are lower-case hex.

-- Mints the wallet knows, with their last /v1/info.
CREATE TABLE mints (
    url        TEXT PRIMARY KEY,
    info       TEXT,                         -- JSON of the last /v1/info, or NULL
    is_default INTEGER NOT NULL DEFAULT 0 CHECK (is_default IN (0, 1)),
    added_at   INTEGER NOT NULL
);
CREATE UNIQUE INDEX mints_one_default ON mints (is_default) WHERE is_default = 1;

-- Keysets and their keys, stored only after the ID was checked against the keys (NUT-02). `counter` is the next
-- NUT-13 derivation index: it only grows, and is advanced before outputs derived from it are sent.
CREATE TABLE keysets (
    id            TEXT PRIMARY KEY,
    mint_url      TEXT NOT NULL,
    unit          TEXT NOT NULL,
    active        INTEGER NOT NULL CHECK (active IN (0, 1)),
    input_fee_ppk INTEGER NOT NULL,
    final_expiry  INTEGER,
    keys          TEXT NOT NULL,             -- JSON object amount -> compressed public key
    counter       INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX keysets_mint ON keysets (mint_url, unit);

-- Proofs by Y. unspent: ours to spend; reserved: selected for an operation not yet sent (released if it never
-- is); pending: sent to the mint (swap, melt) or handed over in a token, outcome not yet known; spent: gone.
CREATE TABLE proofs (
    y            TEXT PRIMARY KEY,
    mint_url     TEXT NOT NULL,
    keyset_id    TEXT NOT NULL,
    amount       INTEGER NOT NULL,
    secret       TEXT NOT NULL,
    c            TEXT NOT NULL,
    dleq         TEXT,                       -- JSON {"e","s","r"} when the mint gave one
    witness      TEXT,
    state        TEXT NOT NULL CHECK (state IN ('unspent', 'reserved', 'pending', 'spent')),
    operation_id TEXT,                       -- the operation that holds a reserved or pending proof
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
);
CREATE INDEX proofs_mint_state ON proofs (mint_url, state);
CREATE INDEX proofs_operation ON proofs (operation_id) WHERE operation_id IS NOT NULL;

-- The journal of operations that talk to a mint. An operation is written before its request is sent (its inputs
-- point to it through proofs.operation_id; `data` names its quote and the keyset and NUT-13 counter range of its
-- outputs) and finished in the same transaction that stores the answer. One left open (a crash, a lost answer) is
-- completed or rolled back from the mint's records (NUT-09 restore, NUT-07 states) by `recover` (`cashew check`).
CREATE TABLE operations (
    id         TEXT PRIMARY KEY,
    kind       TEXT NOT NULL CHECK (kind IN ('mint', 'swap', 'send', 'receive', 'melt', 'restore')),
    mint_url   TEXT NOT NULL,
    state      TEXT NOT NULL CHECK (state IN ('open', 'done', 'failed')),
    data       TEXT NOT NULL,                -- JSON, per kind
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX operations_open ON operations (state) WHERE state = 'open';

-- What the user sees in `cashew history`.
CREATE TABLE history (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    kind       TEXT NOT NULL,                -- minted, sent, received, melted, restored
    mint_url   TEXT NOT NULL,
    unit       TEXT NOT NULL,
    amount     INTEGER NOT NULL,
    fee        INTEGER NOT NULL DEFAULT 0,
    memo       TEXT,
    token      TEXT,                         -- for sent tokens, so they can be shown or reclaimed
    created_at INTEGER NOT NULL
);
