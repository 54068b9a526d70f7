-- Running totals of the ledger (issued, redeemed and pending per keyset, fees per unit), kept by the database
-- itself: every statement that writes signatures, proofs or operations adds its rows' sums here, whichever process
-- or tool wrote them. Metrics, the solvency watchdog and max_balance read these few rows instead of summing the
-- tables; the audit recomputes the sums and compares.
--
-- Statement-level triggers with transition tables add one row per kind and key per statement. Each database
-- session writes its own shard (its backend PID modulo 1024), so concurrent transactions do not queue on one row;
-- a total is the sum over its shards. Amounts are exact (NUMERIC).
CREATE TABLE ledger_totals (
    kind   TEXT NOT NULL CHECK (kind IN ('issued', 'redeemed', 'pending', 'fees')),
    key    TEXT NOT NULL,
    shard  INTEGER NOT NULL,
    amount NUMERIC(40, 0) NOT NULL,
    count  BIGINT NOT NULL,
    PRIMARY KEY (kind, key, shard)
);

-- One function per table and event: a function may name only the transition tables its event has.
CREATE FUNCTION ledger_totals_signatures_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO ledger_totals (kind, key, shard, amount, count)
    SELECT 'issued', keyset_id, pg_backend_pid() % 1024, sum(amount), count(*) FROM new_rows GROUP BY keyset_id
    ON CONFLICT (kind, key, shard) DO UPDATE SET amount = ledger_totals.amount + EXCLUDED.amount, count = ledger_totals.count + EXCLUDED.count;
    RETURN NULL;
END
$$;

CREATE FUNCTION ledger_totals_signatures_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO ledger_totals (kind, key, shard, amount, count)
    SELECT 'issued', keyset_id, pg_backend_pid() % 1024, -sum(amount), -count(*) FROM old_rows GROUP BY keyset_id
    ON CONFLICT (kind, key, shard) DO UPDATE SET amount = ledger_totals.amount + EXCLUDED.amount, count = ledger_totals.count + EXCLUDED.count;
    RETURN NULL;
END
$$;

CREATE FUNCTION ledger_totals_proofs_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO ledger_totals (kind, key, shard, amount, count)
    SELECT CASE state WHEN 'spent' THEN 'redeemed' ELSE 'pending' END, keyset_id, pg_backend_pid() % 1024, sum(amount), count(*) FROM new_rows GROUP BY 1, keyset_id
    ON CONFLICT (kind, key, shard) DO UPDATE SET amount = ledger_totals.amount + EXCLUDED.amount, count = ledger_totals.count + EXCLUDED.count;
    RETURN NULL;
END
$$;

CREATE FUNCTION ledger_totals_proofs_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO ledger_totals (kind, key, shard, amount, count)
    SELECT CASE state WHEN 'spent' THEN 'redeemed' ELSE 'pending' END, keyset_id, pg_backend_pid() % 1024, -sum(amount), -count(*) FROM old_rows GROUP BY 1, keyset_id
    ON CONFLICT (kind, key, shard) DO UPDATE SET amount = ledger_totals.amount + EXCLUDED.amount, count = ledger_totals.count + EXCLUDED.count;
    RETURN NULL;
END
$$;

CREATE FUNCTION ledger_totals_proofs_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO ledger_totals (kind, key, shard, amount, count)
    SELECT kind, keyset_id, pg_backend_pid() % 1024, sum(amount), sum(n) FROM (
        SELECT CASE state WHEN 'spent' THEN 'redeemed' ELSE 'pending' END AS kind, keyset_id, amount, 1 AS n FROM new_rows
        UNION ALL
        SELECT CASE state WHEN 'spent' THEN 'redeemed' ELSE 'pending' END, keyset_id, -amount, -1 FROM old_rows
    ) AS t GROUP BY kind, keyset_id HAVING sum(amount) <> 0 OR sum(n) <> 0
    ON CONFLICT (kind, key, shard) DO UPDATE SET amount = ledger_totals.amount + EXCLUDED.amount, count = ledger_totals.count + EXCLUDED.count;
    RETURN NULL;
END
$$;

CREATE FUNCTION ledger_totals_operations_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO ledger_totals (kind, key, shard, amount, count)
    SELECT 'fees', unit, pg_backend_pid() % 1024, sum(fee), count(*) FROM new_rows GROUP BY unit
    ON CONFLICT (kind, key, shard) DO UPDATE SET amount = ledger_totals.amount + EXCLUDED.amount, count = ledger_totals.count + EXCLUDED.count;
    RETURN NULL;
END
$$;

CREATE FUNCTION ledger_totals_operations_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO ledger_totals (kind, key, shard, amount, count)
    SELECT 'fees', unit, pg_backend_pid() % 1024, -sum(fee), -count(*) FROM old_rows GROUP BY unit
    ON CONFLICT (kind, key, shard) DO UPDATE SET amount = ledger_totals.amount + EXCLUDED.amount, count = ledger_totals.count + EXCLUDED.count;
    RETURN NULL;
END
$$;

CREATE TRIGGER blind_signatures_totals_insert AFTER INSERT ON blind_signatures REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_totals_signatures_insert();
CREATE TRIGGER blind_signatures_totals_delete AFTER DELETE ON blind_signatures REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_totals_signatures_delete();
CREATE TRIGGER proofs_totals_insert AFTER INSERT ON proofs REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_totals_proofs_insert();
CREATE TRIGGER proofs_totals_delete AFTER DELETE ON proofs REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_totals_proofs_delete();
CREATE TRIGGER proofs_totals_update AFTER UPDATE ON proofs REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_totals_proofs_update();
CREATE TRIGGER operations_totals_insert AFTER INSERT ON operations REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_totals_operations_insert();
CREATE TRIGGER operations_totals_delete AFTER DELETE ON operations REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_totals_operations_delete();

-- What the ledger holds now (the triggers above already lock out writers until this migration commits).
INSERT INTO ledger_totals (kind, key, shard, amount, count)
SELECT 'issued', keyset_id, 0, sum(amount), count(*) FROM blind_signatures GROUP BY keyset_id;
INSERT INTO ledger_totals (kind, key, shard, amount, count)
SELECT CASE state WHEN 'spent' THEN 'redeemed' ELSE 'pending' END, keyset_id, 0, sum(amount), count(*) FROM proofs GROUP BY 1, keyset_id;
INSERT INTO ledger_totals (kind, key, shard, amount, count)
SELECT 'fees', unit, 0, sum(fee), count(*) FROM operations GROUP BY unit;
