-- The payment backend a PENDING melt's payment was handed to (its registry name): a payment is only ever sent again
-- through the same backend, never through one that was configured later and has no record of it.
ALTER TABLE melt_quotes ADD COLUMN payment_backend TEXT;
