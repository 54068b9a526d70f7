import Crypto

/// The append-only Merkle-sum mountain range of the Proof of Liabilities draft (cashubtc/nuts PR #388; Specs/audit.md,
/// "Proof of liabilities"): one per keyset for issued blinded messages and one for spent proofs. A leaf is
/// `(SHA-256(point), amount)` over the point's 33 compressed bytes; a parent is
/// `(SHA-256(hashL ‖ hashR ‖ u64be(sumL) ‖ u64be(sumR)), sumL + sumR)`, and a sum of 2^64 or more is refused. Perfect
/// subtrees ("mountains") of decreasing height; the root bags the peaks from the right with the same parent
/// function. The empty range's root is `(SHA-256(""), 0)`.
public enum SumMMR {
    /// A node: hash and the sum of the amounts below it.
    public struct Node: Sendable, Hashable {
        public var hash: [UInt8]
        public var sum: UInt64

        public init(hash: [UInt8], sum: UInt64) {
            self.hash = hash
            self.sum = sum
        }
    }

    /// A sum reached 2^64.
    public struct OverflowError: Error, Sendable {}

    public static let empty = Node(hash: Array(SHA256.hash(data: [UInt8]())), sum: 0)

    /// The leaf of a point (33 compressed bytes) and its amount.
    public static func leaf(point: [UInt8], amount: UInt64) -> Node { Node(hash: Array(SHA256.hash(data: point)), sum: amount) }

    public static func parent(_ left: Node, _ right: Node) throws -> Node {
        let (sum, overflow) = left.sum.addingReportingOverflow(right.sum)
        guard !overflow else { throw OverflowError() }
        var data = left.hash + right.hash
        withUnsafeBytes(of: left.sum.bigEndian) { data += $0 }
        withUnsafeBytes(of: right.sum.bigEndian) { data += $0 }
        return Node(hash: Array(SHA256.hash(data: data)), sum: sum)
    }

    /// The peaks' root: bagged right to left.
    public static func bag(_ peaks: [Node]) throws -> Node {
        guard var root = peaks.last else { return empty }
        for peak in peaks.dropLast().reversed() { root = try parent(peak, root) }
        return root
    }

    /// The heights of the peaks of a range of `size` leaves, left to right: its set bits, highest first.
    public static func peakHeights(size: UInt64) -> [Int] {
        (0..<64).reversed().filter { size & (1 << UInt64($0)) != 0 }
    }

    /// A range built leaf by leaf: its peaks only (O(log n) memory).
    public struct Accumulator: Sendable, Hashable {
        public private(set) var peaks: [(height: Int, node: Node)] = []
        public private(set) var size: UInt64 = 0

        public init() {}

        /// A range of `size` leaves continued from its published peaks (left to right); nil when their number is not
        /// the number of set bits of `size`.
        public init?(size: UInt64, peaks: [Node]) {
            let heights = SumMMR.peakHeights(size: size)
            guard heights.count == peaks.count else { return nil }
            self.size = size
            self.peaks = zip(heights, peaks).map { (height: $0, node: $1) }
        }

        public mutating func append(_ leaf: Node) throws {
            var node = (height: 0, node: leaf)
            while let last = peaks.last, last.height == node.height {
                peaks.removeLast()
                node = (last.height + 1, try SumMMR.parent(last.node, node.node))
            }
            peaks.append(node)
            size += 1
        }

        public var root: Node { get throws { try SumMMR.bag(peaks.map(\.node)) } }

        public static func == (a: Accumulator, b: Accumulator) -> Bool {
            a.size == b.size && a.peaks.map(\.node) == b.peaks.map(\.node)
        }

        public func hash(into hasher: inout Hasher) {
            hasher.combine(size)
            for p in peaks { hasher.combine(p.node) }
        }
    }

    /// One step of an inclusion path: the sibling, and whether it is the left child.
    public struct Step: Sendable, Hashable {
        public var sibling: Node
        public var isLeft: Bool

        public init(sibling: Node, isLeft: Bool) {
            self.sibling = sibling
            self.isLeft = isLeft
        }
    }

    /// The inclusion proof of leaf `index` among `leaves`: the path to its peak, and all the peaks.
    public static func proof(of index: Int, among leaves: [Node]) throws -> (path: [Step], peaks: [Node]) {
        var path = [Step]()
        var start = 0
        var peaks = [Node]()
        for height in peakHeights(size: UInt64(leaves.count)) {
            let width = 1 << height
            var level = Array(leaves[start..<start + width])
            var position = index - start
            let inside = (0..<width).contains(position)
            for _ in 0..<height {
                if inside {
                    let sibling = position ^ 1
                    path.append(Step(sibling: level[sibling], isLeft: sibling < position))
                    position /= 2
                }
                var next = [Node]()
                for i in stride(from: 0, to: level.count, by: 2) { next.append(try parent(level[i], level[i + 1])) }
                level = next
            }
            peaks.append(level[0])
            start += width
        }
        return (path, peaks)
    }

    /// Verifies an inclusion proof against a range of `size` leaves whose root is `root` (the draft's steps: the
    /// leaf climbs its path to a peak of the path's height, the leaf index is derived from the path and the widths
    /// of the peaks before it, never taken on trust, and the peaks bag to the root).
    public static func verify(leaf: Node, index: UInt64, path: [Step], peaks: [Node], size: UInt64, root: Node) -> Bool {
        let heights = peakHeights(size: size)
        guard peaks.count == heights.count, index < size, let bagged = try? bag(peaks), bagged == root else { return false }
        var node = leaf
        var offset: UInt64 = 0
        for (level, step) in path.enumerated() {
            guard let next = try? (step.isLeft ? parent(step.sibling, node) : parent(node, step.sibling)) else { return false }
            node = next
            if step.isLeft { offset += 1 << UInt64(level) }
        }
        var before: UInt64 = 0
        for (i, height) in heights.enumerated() {
            if height == path.count {
                return peaks[i] == node && before + offset == index
            }
            before += 1 << UInt64(height)
        }
        return false
    }

    /// Every node of a range, kept so that many inclusion proofs come from one build (O(n) memory, O(log n) per
    /// proof): per mountain, its levels from the leaves up.
    public struct Tree: Sendable {
        /// Per mountain, left to right: its levels, leaves first, its peak last.
        let mountains: [[[Node]]]
        public let size: Int

        public init(leaves: [Node]) throws {
            var mountains = [[[Node]]]()
            var start = 0
            for height in SumMMR.peakHeights(size: UInt64(leaves.count)) {
                let width = 1 << height
                var levels = [Array(leaves[start..<start + width])]
                while let level = levels.last, level.count > 1 {
                    var next = [Node]()
                    next.reserveCapacity(level.count / 2)
                    for i in stride(from: 0, to: level.count, by: 2) { next.append(try SumMMR.parent(level[i], level[i + 1])) }
                    levels.append(next)
                }
                mountains.append(levels)
                start += width
            }
            self.mountains = mountains
            self.size = leaves.count
        }

        /// The peaks, left to right.
        public var peaks: [Node] { mountains.map { $0.last![0] } }

        public var root: Node { get throws { try SumMMR.bag(peaks) } }

        /// The leaf at `index`.
        public func leaf(_ index: Int) -> Node? {
            guard let (m, offset) = locate(index) else { return nil }
            return mountains[m][0][offset]
        }

        /// The path from leaf `index` up to its peak (`Step.isLeft`: the sibling is the left child).
        public func path(of index: Int) -> [Step]? {
            guard let (m, offset) = locate(index) else { return nil }
            var path = [Step]()
            var position = offset
            for level in mountains[m].dropLast() {
                let sibling = position ^ 1
                path.append(Step(sibling: level[sibling], isLeft: sibling < position))
                position /= 2
            }
            return path
        }

        func locate(_ index: Int) -> (mountain: Int, offset: Int)? {
            guard index >= 0, index < size else { return nil }
            var start = 0
            for (m, levels) in mountains.enumerated() {
                let width = levels[0].count
                if index < start + width { return (m, index - start) }
                start += width
            }
            return nil
        }
    }
}
