-- What the auditor needs to check the ledger from the ledger alone (Specs/audit.md).
-- The keyset's public keys (compressed hex, comma-separated, in the order of `amounts`): an auditor without the
-- seed verifies every blind signature's DLEQ proof against them and re-derives the keyset ID from them. The mint
-- fills them when it creates a keyset, and for older keysets at its next start.
ALTER TABLE keysets ADD COLUMN public_keys TEXT;
-- When the keyset stopped signing (unix seconds; NULL while active). Older inactive keysets take the creation time
-- of the next keyset of their unit, which is when a rotation deactivated them.
ALTER TABLE keysets ADD COLUMN deactivated_at BIGINT;
UPDATE keysets k SET deactivated_at = (
    SELECT min(n.valid_from) FROM keysets n WHERE n.unit = k.unit AND n.derivation_index > k.derivation_index
) WHERE NOT k.active;
-- Each input's and output's index in its request: the NUT-11 SIG_ALL message is over inputs and outputs in request
-- order, so the auditor needs the order to re-verify a SIG_ALL witness. NULL for rows written before this.
ALTER TABLE proofs ADD COLUMN position INTEGER;
ALTER TABLE blind_signatures ADD COLUMN position INTEGER;
-- The auditor (and the epoch closer) read an operation's inputs.
CREATE INDEX proofs_operation ON proofs (operation_id);
