-- When a PENDING melt's payment was last handed to the Lightning backend (unix seconds). A melt whose backend has no
-- record of the payment is sent again only when this is older than `melt_resend_after` (see Specs/melt.md).
ALTER TABLE melt_quotes ADD COLUMN payment_attempt_at BIGINT;
