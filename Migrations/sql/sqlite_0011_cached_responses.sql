-- NUT-19 cached responses (Specs/ledger.md, "Cached responses"): the answer to a swap, mint or melt request, keyed by
-- SHA-256 of its method, path and body, kept until expires_at. A row with no response yet is a claim: the request is
-- being processed by `owner`, and a replay waits for it (or takes over once the claim is older than the lease).
CREATE TABLE cached_responses (
    key TEXT PRIMARY KEY,
    endpoint TEXT NOT NULL,
    owner TEXT NOT NULL,
    response BLOB,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX cached_responses_expiry ON cached_responses (expires_at);
