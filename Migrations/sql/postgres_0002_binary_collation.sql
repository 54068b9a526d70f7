-- Keys are lower-case hex or UUID text: compare them bytewise (COLLATE "C"). With the database's default
-- collation (often en_US.UTF-8 or C.UTF-8) every index comparison would go through the locale's strcoll, a large
-- part of the cost of inserting a proof or a signature. Hex order is the same either way.
ALTER TABLE proofs ALTER COLUMN y TYPE TEXT COLLATE "C";
ALTER TABLE proofs ALTER COLUMN operation_id TYPE TEXT COLLATE "C";
ALTER TABLE proofs ALTER COLUMN melt_quote_id TYPE TEXT COLLATE "C";
ALTER TABLE blind_signatures ALTER COLUMN b TYPE TEXT COLLATE "C";
ALTER TABLE blind_signatures ALTER COLUMN operation_id TYPE TEXT COLLATE "C";
ALTER TABLE operations ALTER COLUMN id TYPE TEXT COLLATE "C";
ALTER TABLE operations ALTER COLUMN quote_id TYPE TEXT COLLATE "C";
ALTER TABLE mint_quotes ALTER COLUMN id TYPE TEXT COLLATE "C";
ALTER TABLE mint_quotes ALTER COLUMN payment_hash TYPE TEXT COLLATE "C";
ALTER TABLE melt_quotes ALTER COLUMN id TYPE TEXT COLLATE "C";
ALTER TABLE melt_quotes ALTER COLUMN payment_hash TYPE TEXT COLLATE "C";
