import CashuMint
import PostgresNIO

/// One or more swaps written by one statement: every operation row, every spent proof and every signature, all or
/// nothing. Rows carry their operation's ID, so a batch of concurrent swaps costs one round trip and one commit.
///
/// It is sent as a plain statement with parameters, not a postgres-nio prepared statement: those have only an
/// async API whose answer is lost for good if the connection has just closed (see `LedgerSession`). Parsing and
/// planning it costs once per batch, not per swap.
struct SwapBatchStatement {
    static let sql = """
        WITH ins_operations AS (
            INSERT INTO operations (id, kind, quote_id, unit, fee, created_at)
            SELECT id, 'swap', NULL, u, f::numeric, t FROM unnest($1::text[], $2::text[], $3::text[], $4::int8[]) AS o(id, u, f, t)
        ), ins_proofs AS (
            INSERT INTO proofs (y, amount, keyset_id, secret, c, witness, state, operation_id, melt_quote_id, created_at, position)
            SELECT y, a::numeric, k, sec, c, NULLIF(w, ''), 'spent', op, NULL, t, NULLIF(pos, -1)
            FROM unnest($5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::int8[], $21::int4[])
                AS p(y, a, k, sec, c, w, op, t, pos)
        ), ins_signatures AS (
            INSERT INTO blind_signatures (b, amount, keyset_id, c, dleq_e, dleq_s, operation_id, created_at, position)
            SELECT b, a::numeric, k, c, e, s, op, t, NULLIF(pos, -1)
            FROM unnest($13::text[], $14::text[], $15::text[], $16::text[], $17::text[], $18::text[], $19::text[], $20::int8[], $22::int4[])
                AS s(b, a, k, c, e, s, op, t, pos)
        )
        SELECT 1::int4
        """

    var opIDs: [String] = [], opUnits: [String] = [], opFees: [String] = [], opTimes: [Int64] = []
    let proofs: ProofColumns
    let signatures: SignatureColumns
    /// Each proof's and signature's operation and time, aligned with `proofs` and `signatures`.
    let pOps: [String], pTimes: [Int64], sOps: [String], sTimes: [Int64]

    /// The swaps' rows, proofs and signatures each sorted by key across the whole batch, so that concurrent
    /// statements lock index entries in one order (no deadlocks).
    init(_ swaps: [(inputs: [ProofRecord], outputs: [SignatureRecord], operation: OperationRecord)]) {
        var tagged = [(ProofRecord, OperationRecord)]()
        var taggedSignatures = [(SignatureRecord, OperationRecord)]()
        for swap in swaps {
            let op = swap.operation
            opIDs.append(op.id)
            opUnits.append(op.unit.rawValue)
            opFees.append(String(op.fee.rawValue))
            opTimes.append(Int64(clamping: op.createdAt))
            tagged += swap.inputs.map { ($0, op) }
            taggedSignatures += swap.outputs.map { ($0, op) }
        }
        tagged.sort { $0.0.y < $1.0.y }
        taggedSignatures.sort { $0.0.blindedMessage < $1.0.blindedMessage }
        proofs = ProofColumns(sortedByY: tagged.map(\.0))
        signatures = SignatureColumns(sortedByB: taggedSignatures.map(\.0))
        pOps = tagged.map(\.1.id)
        pTimes = tagged.map { Int64(clamping: $0.1.createdAt) }
        sOps = taggedSignatures.map(\.1.id)
        sTimes = taggedSignatures.map { Int64(clamping: $0.1.createdAt) }
    }

    /// The statement with its parameters.
    var query: PostgresQuery { PostgresQuery(unsafeSQL: Self.sql, binds: makeBindings()) }

    func makeBindings() -> PostgresBindings {
        var b = PostgresBindings(capacity: 22)
        b.append(opIDs); b.append(opUnits); b.append(opFees); b.append(opTimes)
        let p = proofs, s = signatures
        b.append(p.ys); b.append(p.amounts); b.append(p.keysets); b.append(p.secrets); b.append(p.cs); b.append(p.witnesses); b.append(pOps); b.append(pTimes)
        b.append(s.bs); b.append(s.amounts); b.append(s.keysets); b.append(s.cs); b.append(s.es); b.append(s.ss); b.append(sOps); b.append(sTimes)
        b.append(p.positions); b.append(s.positions)
        return b
    }
}
