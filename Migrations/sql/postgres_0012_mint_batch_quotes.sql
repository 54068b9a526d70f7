-- NUT-29 batch mints (Specs/ledger.md, "mint_batch_quotes"): one row per quote issued by a batch operation, whose
-- operations.quote_id lists the batch's quotes joined by commas. The primary key lets a quote be issued by one batch.
CREATE TABLE mint_batch_quotes (
    quote_id TEXT PRIMARY KEY,
    operation_id TEXT NOT NULL,
    position INTEGER NOT NULL
);
CREATE INDEX mint_batch_quotes_operation ON mint_batch_quotes (operation_id);
