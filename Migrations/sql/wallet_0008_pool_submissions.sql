-- Pool spends sent to the mint and not yet settled (Specs/wallet.md "Pools"). Written before the request goes out,
-- so that a lost answer, or a melt the mint left PENDING, is settled later from the mint's own records (the quote's
-- state, NUT-07 for the inputs, NUT-09 for the outputs): the proposal holds every output's secret and blinding
-- factor, which nothing else keeps (a pool's outputs are not derived from the seed).
CREATE TABLE IF NOT EXISTS pool_submissions (
    id         TEXT PRIMARY KEY,
    pool       TEXT NOT NULL,
    proposal   TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
