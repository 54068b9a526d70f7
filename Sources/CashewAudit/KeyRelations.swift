import CashuCrypto
import Secp256k1

/// Relations `C = k·P` that the seed lets the auditor check (`k·Y = C` for a redeemed proof, `k·B_ = C_` for a
/// blind signature), gathered over a batch and checked together: with random 64-bit weights z,
/// `Σ z·C = Σ_k k·(Σ z·P)` holds for a batch in which one relation fails with probability at most 2^-64, and costs
/// additions instead of one multiplication per relation (`MultiScalar`). Only a batch that fails is checked
/// relation by relation, to name its rows.
struct KeyRelations: Sendable {
    struct Item: Sendable {
        /// Which private key (keyset and amount): relations of one key share a multiplication.
        let keyID: String
        let key: Scalar
        let point: Point
        let result: Point
        /// Reported when the relation does not hold.
        let finding: AuditFinding
    }

    private(set) var items = [Item]()

    mutating func append(keyID: String, key: Scalar, point: Point, result: Point, finding: AuditFinding) {
        items.append(Item(keyID: keyID, key: key, point: point, result: result, finding: finding))
    }

    /// The findings of the relations that do not hold.
    func failures() -> [AuditFinding] {
        guard !items.isEmpty, !holdTogether() else { return [] }
        return items.filter { (try? $0.point.multiplied(by: $0.key)) != $0.result }.map(\.finding)
    }

    func holdTogether() -> Bool {
        var rng = SystemRandomNumberGenerator()
        let weights = items.map { _ in UInt64.random(in: 1...UInt64.max, using: &rng) }
        let left = MultiScalar.sum(weights, items.map(\.result))
        var groups = [String: [Int]]()
        for (i, item) in items.enumerated() { groups[item.keyID, default: []].append(i) }
        var right: Point?
        for indices in groups.values {
            guard let partial = MultiScalar.sum(indices.map { weights[$0] }, indices.map { items[$0].point }) else { continue }
            guard let scaled = try? partial.multiplied(by: items[indices[0]].key) else { return false }
            right = MultiScalar.add(right, scaled)
        }
        return left == right
    }
}
