-- What the auditor needs to check the ledger from the ledger alone (Specs/audit.md); see postgres_0008.
ALTER TABLE keysets ADD COLUMN public_keys TEXT;
ALTER TABLE keysets ADD COLUMN deactivated_at INTEGER;
UPDATE keysets SET deactivated_at = (
    SELECT min(n.valid_from) FROM keysets n WHERE n.unit = keysets.unit AND n.derivation_index > keysets.derivation_index
) WHERE active = 0;
ALTER TABLE proofs ADD COLUMN position INTEGER;
ALTER TABLE blind_signatures ADD COLUMN position INTEGER;
CREATE INDEX proofs_operation ON proofs (operation_id);
