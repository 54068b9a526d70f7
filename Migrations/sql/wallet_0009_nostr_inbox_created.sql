-- The gift wrap's own `created_at`, so that what no query can fetch again is pruned from the inbox (Specs/wallet.md,
-- "Payment requests over Nostr"): queries ask for wraps no older than the oldest open request less two days.
ALTER TABLE nostr_inbox ADD COLUMN created_at INTEGER;
