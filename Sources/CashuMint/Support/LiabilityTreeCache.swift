import CashuProtocol

/// The last few sum-MMRs built for inclusion proofs, so that a burst of wallets auditing the same keyset costs one
/// build (a tree holds every node: about 100 bytes per leaf). Keyed by keyset, tree and liabilities epoch.
actor LiabilityTreeCache {
    struct Entry {
        var tree: SumMMR.Tree
        /// Each point's first leaf index.
        var index: [String: Int]
    }

    private var entries: [(key: String, entry: Entry)] = []
    private let capacity: Int

    init(capacity: Int = 4) { self.capacity = capacity }

    func entry(_ key: String, build: @Sendable () async throws -> Entry) async throws -> Entry {
        if let i = entries.firstIndex(where: { $0.key == key }) {
            let hit = entries.remove(at: i)
            entries.append(hit)
            return hit.entry
        }
        let built = try await build()
        entries.removeAll { $0.key == key }
        entries.append((key, built))
        if entries.count > capacity { entries.removeFirst(entries.count - capacity) }
        return built
    }
}
