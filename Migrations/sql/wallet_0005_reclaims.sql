-- Tokens sent with `cashew send --reclaim-after`: when due, a later command at that mint takes back what was not
-- received (Specs/wallet.md, "Taking back sent tokens").
CREATE TABLE IF NOT EXISTS reclaims (
    token    TEXT PRIMARY KEY,
    mint_url TEXT NOT NULL,
    due_at   INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS reclaims_due ON reclaims (mint_url, due_at);
