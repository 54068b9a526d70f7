-- NUT-20: the private key a mint quote is locked to (hex), so that the quote can be minted later (after an
-- interruption) with a signature. One fresh key per quote, so quotes cannot be linked by their key.
ALTER TABLE quotes ADD COLUMN secret_key TEXT;
