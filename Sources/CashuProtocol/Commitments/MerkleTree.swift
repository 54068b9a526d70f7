import Crypto

/// Binary Merkle trees as RFC 6962 defines them (Certificate Transparency): a leaf hashes as
/// `SHA-256(0x00 ‖ data)`, an inner node as `SHA-256(0x01 ‖ left ‖ right)`, and a tree of n leaves splits at the
/// largest power of two below n. The empty tree's root is `SHA-256()`.
public enum MerkleTree {
    /// The hash of a leaf holding `data`.
    public static func leafHash(_ data: [UInt8]) -> [UInt8] { Array(SHA256.hash(data: [0x00] + data)) }

    /// The hash of an inner node.
    public static func nodeHash(_ left: [UInt8], _ right: [UInt8]) -> [UInt8] { Array(SHA256.hash(data: [0x01] + left + right)) }

    /// The root over leaves already hashed with `leafHash`.
    public static func root(leafHashes: [[UInt8]]) -> [UInt8] {
        var accumulator = Accumulator()
        for leaf in leafHashes { accumulator.append(leafHash: leaf) }
        return accumulator.root
    }

    /// Builds the root leaf by leaf in O(log n) memory: the perfect subtrees ("peaks") of the leaves so far, which
    /// RFC 6962's root folds from the right.
    public struct Accumulator: Sendable {
        /// (height, hash) of each peak, left to right, heights strictly decreasing.
        var peaks: [(height: Int, hash: [UInt8])] = []
        public private(set) var count: UInt64 = 0

        public init() {}

        public mutating func append(leafHash: [UInt8]) {
            var node = (height: 0, hash: leafHash)
            while let last = peaks.last, last.height == node.height {
                peaks.removeLast()
                node = (last.height + 1, MerkleTree.nodeHash(last.hash, node.hash))
            }
            peaks.append(node)
            count += 1
        }

        /// The RFC 6962 root of the leaves appended so far.
        public var root: [UInt8] {
            guard var hash = peaks.last?.hash else { return Array(SHA256.hash(data: [UInt8]())) }
            for peak in peaks.dropLast().reversed() { hash = MerkleTree.nodeHash(peak.hash, hash) }
            return hash
        }
    }
}
