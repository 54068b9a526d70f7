-- No query looks proofs up by operation (audits scan the table): the index only cost every swap two inserts.
DROP INDEX proofs_operation;
