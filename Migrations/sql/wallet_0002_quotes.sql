-- Quotes the wallet asked for: a mint quote whose invoice was paid can still be minted after an interruption
-- (`cashew mint --quote ID`, `cashew check`), and a melt quote's outcome stays on record.
CREATE TABLE IF NOT EXISTS quotes (
    id          TEXT NOT NULL,
    mint_url    TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('mint', 'melt')),
    request     TEXT NOT NULL,               -- the invoice
    amount      INTEGER NOT NULL,
    unit        TEXT NOT NULL,
    fee_reserve INTEGER,
    state       TEXT NOT NULL,               -- as the mint last reported it (UNPAID, PAID, ISSUED, PENDING)
    expiry      INTEGER,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    PRIMARY KEY (mint_url, id)
);
