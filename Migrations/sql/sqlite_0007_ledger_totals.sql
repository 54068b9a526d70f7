-- Running totals of the ledger (issued, redeemed and pending per keyset, fees per unit), kept by the database
-- itself: every row written to signatures, proofs or operations adds to its total, whichever process or tool wrote
-- it. Metrics, the solvency watchdog and max_balance read these few rows instead of summing the tables; the audit
-- recomputes the sums and compares. Amounts are kept as two 32-bit halves (lo, hi): they are stored as UInt64 bit
-- patterns, and SQLite sums signed 64-bit integers.
CREATE TABLE ledger_totals (
    kind  TEXT NOT NULL CHECK (kind IN ('issued', 'redeemed', 'pending', 'fees')),
    key   TEXT NOT NULL,
    lo    INTEGER NOT NULL,
    hi    INTEGER NOT NULL,
    count INTEGER NOT NULL,
    PRIMARY KEY (kind, key)
);

CREATE TRIGGER blind_signatures_totals_insert AFTER INSERT ON blind_signatures BEGIN
    INSERT INTO ledger_totals (kind, key, lo, hi, count)
    VALUES ('issued', NEW.keyset_id, (NEW.amount & 4294967295), ((NEW.amount >> 32) & 4294967295), 1)
    ON CONFLICT (kind, key) DO UPDATE SET lo = lo + excluded.lo, hi = hi + excluded.hi, count = count + excluded.count;
END;

CREATE TRIGGER blind_signatures_totals_delete AFTER DELETE ON blind_signatures BEGIN
    INSERT INTO ledger_totals (kind, key, lo, hi, count)
    VALUES ('issued', OLD.keyset_id, -(OLD.amount & 4294967295), -((OLD.amount >> 32) & 4294967295), -1)
    ON CONFLICT (kind, key) DO UPDATE SET lo = lo + excluded.lo, hi = hi + excluded.hi, count = count + excluded.count;
END;

CREATE TRIGGER proofs_totals_insert AFTER INSERT ON proofs BEGIN
    INSERT INTO ledger_totals (kind, key, lo, hi, count)
    VALUES (CASE NEW.state WHEN 'spent' THEN 'redeemed' ELSE 'pending' END, NEW.keyset_id, (NEW.amount & 4294967295), ((NEW.amount >> 32) & 4294967295), 1)
    ON CONFLICT (kind, key) DO UPDATE SET lo = lo + excluded.lo, hi = hi + excluded.hi, count = count + excluded.count;
END;

CREATE TRIGGER proofs_totals_delete AFTER DELETE ON proofs BEGIN
    INSERT INTO ledger_totals (kind, key, lo, hi, count)
    VALUES (CASE OLD.state WHEN 'spent' THEN 'redeemed' ELSE 'pending' END, OLD.keyset_id, -(OLD.amount & 4294967295), -((OLD.amount >> 32) & 4294967295), -1)
    ON CONFLICT (kind, key) DO UPDATE SET lo = lo + excluded.lo, hi = hi + excluded.hi, count = count + excluded.count;
END;

CREATE TRIGGER proofs_totals_update AFTER UPDATE OF state, keyset_id, amount ON proofs BEGIN
    INSERT INTO ledger_totals (kind, key, lo, hi, count)
    VALUES (CASE OLD.state WHEN 'spent' THEN 'redeemed' ELSE 'pending' END, OLD.keyset_id, -(OLD.amount & 4294967295), -((OLD.amount >> 32) & 4294967295), -1)
    ON CONFLICT (kind, key) DO UPDATE SET lo = lo + excluded.lo, hi = hi + excluded.hi, count = count + excluded.count;
    INSERT INTO ledger_totals (kind, key, lo, hi, count)
    VALUES (CASE NEW.state WHEN 'spent' THEN 'redeemed' ELSE 'pending' END, NEW.keyset_id, (NEW.amount & 4294967295), ((NEW.amount >> 32) & 4294967295), 1)
    ON CONFLICT (kind, key) DO UPDATE SET lo = lo + excluded.lo, hi = hi + excluded.hi, count = count + excluded.count;
END;

CREATE TRIGGER operations_totals_insert AFTER INSERT ON operations BEGIN
    INSERT INTO ledger_totals (kind, key, lo, hi, count)
    VALUES ('fees', NEW.unit, (NEW.fee & 4294967295), ((NEW.fee >> 32) & 4294967295), 1)
    ON CONFLICT (kind, key) DO UPDATE SET lo = lo + excluded.lo, hi = hi + excluded.hi, count = count + excluded.count;
END;

CREATE TRIGGER operations_totals_delete AFTER DELETE ON operations BEGIN
    INSERT INTO ledger_totals (kind, key, lo, hi, count)
    VALUES ('fees', OLD.unit, -(OLD.fee & 4294967295), -((OLD.fee >> 32) & 4294967295), -1)
    ON CONFLICT (kind, key) DO UPDATE SET lo = lo + excluded.lo, hi = hi + excluded.hi, count = count + excluded.count;
END;

-- What the ledger holds now.
INSERT INTO ledger_totals (kind, key, lo, hi, count)
SELECT 'issued', keyset_id, SUM(amount & 4294967295), SUM((amount >> 32) & 4294967295), COUNT(*) FROM blind_signatures GROUP BY keyset_id;
INSERT INTO ledger_totals (kind, key, lo, hi, count)
SELECT CASE state WHEN 'spent' THEN 'redeemed' ELSE 'pending' END, keyset_id, SUM(amount & 4294967295), SUM((amount >> 32) & 4294967295), COUNT(*)
FROM proofs GROUP BY 1, keyset_id;
INSERT INTO ledger_totals (kind, key, lo, hi, count)
SELECT 'fees', unit, SUM(fee & 4294967295), SUM((fee >> 32) & 4294967295), COUNT(*) FROM operations GROUP BY unit;
