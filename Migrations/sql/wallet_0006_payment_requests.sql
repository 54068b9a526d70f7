-- NUT-18 requests this wallet made with a Nostr transport, so that a payment that arrives while it is not listening
-- is received by a later `cashew check --requests` (Specs/wallet.md, "Payment requests over Nostr").
CREATE TABLE IF NOT EXISTS payment_requests (
    id         TEXT PRIMARY KEY,
    request    TEXT NOT NULL,
    relays     TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    paid_at    INTEGER,
    received   INTEGER
);
-- Gift wraps to this wallet's Nostr key that were handled, by event ID: a payment is received once, and a message
-- that is not one (or does not pay) is not looked at again.
CREATE TABLE IF NOT EXISTS nostr_inbox (
    wrap_id    TEXT PRIMARY KEY,
    request_id TEXT,
    outcome    TEXT NOT NULL,
    seen_at    INTEGER NOT NULL
);
