-- NUT-19 cached responses (Specs/ledger.md, "Cached responses"): the answer to a swap, mint or melt request, keyed by
-- SHA-256 of its method, path and body, kept until expires_at. A row with no response yet is a claim: the request is
-- being processed by `owner`, and a replay waits for it (or takes over once the claim is older than the lease).
-- UNLOGGED: its writes wait for no WAL flush (two per swap would otherwise cost the swap path two more fsyncs), at
-- the price that a PostgreSQL crash (not a clean restart, not a mint restart) empties it, and replicas do not have it.
-- It holds copies of answers, never ledger facts: a lost answer leaves the wallet NUT-09 restore, as without NUT-19.
CREATE UNLOGGED TABLE cached_responses (
    key TEXT PRIMARY KEY,
    endpoint TEXT NOT NULL,
    owner TEXT NOT NULL,
    response BYTEA,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX cached_responses_expiry ON cached_responses (expires_at);
