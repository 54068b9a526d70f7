-- Community pools (n-of-m treasuries, Specs/wallet.md "Pools"): the pools this wallet is a member of, the pool's
-- e-cash this member knows of (locked proofs, which only a threshold of members can spend), and what happened.
CREATE TABLE IF NOT EXISTS pools (
    name       TEXT PRIMARY KEY,
    definition TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS pool_proofs (
    y        TEXT PRIMARY KEY,
    pool     TEXT NOT NULL,
    proof    TEXT NOT NULL,
    state    TEXT NOT NULL,
    added_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS pool_proofs_pool ON pool_proofs (pool, state);
CREATE TABLE IF NOT EXISTS pool_history (
    id     INTEGER PRIMARY KEY AUTOINCREMENT,
    pool   TEXT NOT NULL,
    kind   TEXT NOT NULL,
    amount INTEGER NOT NULL,
    fee    INTEGER NOT NULL,
    detail TEXT NOT NULL,
    time   INTEGER NOT NULL
);
