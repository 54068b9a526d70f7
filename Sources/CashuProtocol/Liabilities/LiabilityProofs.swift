import CashewEncoding

/// `POST /v1/pol/{keyset_id}/proofs/issued` (`blinded_messages`) and `…/proofs/spent` (`ys`): the points whose
/// inclusion proofs a holder asks for.
public struct LiabilityProofsRequest: Codable, Sendable, Hashable {
    public var blindedMessages: [String]?
    public var ys: [String]?

    enum CodingKeys: String, CodingKey {
        case blindedMessages = "blinded_messages", ys
    }

    public init(blindedMessages: [String]? = nil, ys: [String]? = nil) {
        self.blindedMessages = blindedMessages
        self.ys = ys
    }
}

/// The answer: one inclusion proof per point found in the keyset's tree (points not in it are left out).
public struct LiabilityProofsResponse: Codable, Sendable, Hashable {
    public var proofs: [LiabilityInclusionProof]

    public init(proofs: [LiabilityInclusionProof]) { self.proofs = proofs }
}

/// One leaf's inclusion in a sum-MMR: the point, its index and value, the path to its peak and every peak.
public struct LiabilityInclusionProof: Codable, Sendable, Hashable {
    public struct Sibling: Codable, Sendable, Hashable {
        public var hash: String
        public var sum: UInt64
        /// The sibling is the left child.
        public var isLeft: Bool

        enum CodingKeys: String, CodingKey {
            case hash, sum, isLeft = "is_left"
        }

        public init(hash: String, sum: UInt64, isLeft: Bool) {
            self.hash = hash
            self.sum = sum
            self.isLeft = isLeft
        }
    }

    public struct Peak: Codable, Sendable, Hashable {
        public var hash: String
        public var sum: UInt64

        public init(hash: String, sum: UInt64) {
            self.hash = hash
            self.sum = sum
        }
    }

    /// `B_` or `Y`, compressed hex.
    public var item: String
    public var leafIndex: UInt64
    public var value: UInt64
    public var siblingPath: [Sibling]
    public var peaks: [Peak]

    enum CodingKeys: String, CodingKey {
        case item, leafIndex = "leaf_index", value, siblingPath = "sibling_path", peaks
    }

    public init(item: String, leafIndex: UInt64, value: UInt64, siblingPath: [Sibling], peaks: [Peak]) {
        self.item = item
        self.leafIndex = leafIndex
        self.value = value
        self.siblingPath = siblingPath
        self.peaks = peaks
    }

    /// The proof of leaf `index` of `tree`, whose point is `item`.
    public init?(item: String, index: Int, tree: SumMMR.Tree) {
        guard let leaf = tree.leaf(index), let path = tree.path(of: index) else { return nil }
        self.init(
            item: item, leafIndex: UInt64(index), value: leaf.sum,
            siblingPath: path.map { Sibling(hash: Hex.encode($0.sibling.hash), sum: $0.sibling.sum, isLeft: $0.isLeft) },
            peaks: tree.peaks.map { Peak(hash: Hex.encode($0.hash), sum: $0.sum) })
    }

    /// Whether this proves `item` (compressed hex) with `value` in a range of `size` leaves whose root is `root`
    /// (`SumMMR.verify`: the index is derived from the path, never trusted).
    public func verifies(size: UInt64, rootHash: String, rootSum: UInt64) -> Bool {
        guard let point = Hex.decode(item), point.count == 33, let rootBytes = Hex.decode(rootHash) else { return false }
        var steps = [SumMMR.Step]()
        for s in siblingPath {
            guard let h = Hex.decode(s.hash), h.count == 32 else { return false }
            steps.append(.init(sibling: .init(hash: h, sum: s.sum), isLeft: s.isLeft))
        }
        var nodes = [SumMMR.Node]()
        for p in peaks {
            guard let h = Hex.decode(p.hash), h.count == 32 else { return false }
            nodes.append(.init(hash: h, sum: p.sum))
        }
        return SumMMR.verify(
            leaf: SumMMR.leaf(point: point, amount: value), index: leafIndex, path: steps, peaks: nodes, size: size, root: .init(hash: rootBytes, sum: rootSum))
    }
}
