-- The global digest of every proof-of-liabilities epoch `cashew audit-mint` has checked, per mint: a later audit
-- that is shown another digest for a seen epoch has caught the mint rewriting its history (Specs/wallet.md).
CREATE TABLE IF NOT EXISTS liability_digests (
    mint_url      TEXT NOT NULL,
    epoch         INTEGER NOT NULL,
    global_digest TEXT NOT NULL,
    PRIMARY KEY (mint_url, epoch)
);
