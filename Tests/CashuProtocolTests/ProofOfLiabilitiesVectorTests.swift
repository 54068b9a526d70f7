import Foundation
import CashewEncoding
import CashuProtocol
import Secp256k1
import Testing

/// The Proof of Liabilities draft's own vectors (cashubtc/nuts PR #388, tests/pol-tests.md, the version with `unit`):
/// the sum-MMR, its proofs, and the epoch-1 keyset leaf, global digest, manifest message and signature.
@Suite("PoL draft vectors (nuts PR #388)")
struct ProofOfLiabilitiesVectorTests {
    static let points = [
        "02b1a03e1b10a23429fa221087e53f19001b97ad89498a44b93b3f23a851121df4", "02c3a50646bc1a1fef3da21973b064eb6897de58231c5f3e2730bf18361592394a",
        "03c0029b38423f03b6d203a55e2d6778035740e40dd3d888301b3b47aede737b6f", "021111111111111111111111111111111111111111111111111111111111111111",
    ]
    static let values: [UInt64] = [100, 250, 500, 1000]
    static var leaves: [SumMMR.Node] { zip(points, values).map { SumMMR.leaf(point: Hex.decode($0)!, amount: $1) } }

    @Test("leaves, roots of 2, 3 and 4 leaves, the empty root")
    func roots() throws {
        #expect(Self.leaves.map { Hex.encode($0.hash) } == [
            "6711094bb65007f6313a7c2edc4833378ef715aaf8f62ce0f9478c591dba1e85", "aa80cd1d9ae985f212fd6c41cdf4c8747c92d787e9d8fd45e5d7e3f85941937f",
            "95b7ec67b1f85ca98781f08fc4613559820b99f178707b29c8ebb4577aca5f40", "e1577700e127f1ce6e20a4efc2d96a986979c755d9ab559af6b1755eb3f3220e",
        ])
        var acc = SumMMR.Accumulator()
        var roots = [SumMMR.Node]()
        for leaf in Self.leaves {
            try acc.append(leaf)
            roots.append(try acc.root)
        }
        #expect(Hex.encode(roots[1].hash) == "90e8e647a08f35b5b24653ab52e5d27a2deddb05d1e54d5d21777ef02036b29f" && roots[1].sum == 350)
        #expect(Hex.encode(roots[2].hash) == "2518b42edfff24ecc53c8897d1860783d1d26c41d61c378fe612cddeed877040" && roots[2].sum == 850)
        #expect(Hex.encode(roots[3].hash) == "52bab3d1d98672c800ec1b86b360e18b738be260c1d1a2f4108998b336bc56d6" && roots[3].sum == 1850)
        // The 3 → 4 consistency vector's appended subtree: B2 and B3 under one parent.
        let appended = try SumMMR.parent(Self.leaves[2], Self.leaves[3])
        #expect(Hex.encode(appended.hash) == "197e3fd28f9b41840f7fa83cd78d0cd40436925fadeb6a87f0d89bf41a810f30" && appended.sum == 1500)
        #expect(Hex.encode(SumMMR.empty.hash) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(throws: SumMMR.OverflowError.self) { _ = try SumMMR.parent(.init(hash: [], sum: .max), .init(hash: [], sum: 1)) }
    }

    @Test("inclusion proofs: every leaf of ranges of 1 to 13 leaves verifies; a wrong index, value or root does not")
    func inclusion() throws {
        var leaves = Self.leaves
        for i in 4..<13 { leaves.append(SumMMR.leaf(point: [0x02] + Array(repeating: UInt8(i), count: 32), amount: UInt64(i))) }
        for size in 1...leaves.count {
            let range = Array(leaves.prefix(size))
            var acc = SumMMR.Accumulator()
            for leaf in range { try acc.append(leaf) }
            let root = try acc.root
            for index in 0..<size {
                let (path, peaks) = try SumMMR.proof(of: index, among: range)
                #expect(SumMMR.verify(leaf: range[index], index: UInt64(index), path: path, peaks: peaks, size: UInt64(size), root: root), "size \(size) index \(index)")
                if size > 1 {
                    #expect(!SumMMR.verify(leaf: range[index], index: UInt64((index + 1) % size), path: path, peaks: peaks, size: UInt64(size), root: root))
                }
                var wrong = range[index]
                wrong.sum += 1
                #expect(!SumMMR.verify(leaf: wrong, index: UInt64(index), path: path, peaks: peaks, size: UInt64(size), root: root))
            }
        }
        // The draft's 2-leaf proofs: index 0's sibling is B1 on the right, index 1's is B0 on the left.
        let (p0, _) = try SumMMR.proof(of: 0, among: Array(Self.leaves.prefix(2)))
        let (p1, _) = try SumMMR.proof(of: 1, among: Array(Self.leaves.prefix(2)))
        #expect(p0 == [.init(sibling: Self.leaves[1], isLeft: false)] && p1 == [.init(sibling: Self.leaves[0], isLeft: true)])
        // Index 2 of 3 is a peak of its own: an empty path.
        #expect(try SumMMR.proof(of: 2, among: Array(Self.leaves.prefix(3))).path.isEmpty)
    }

    @Test("epoch 1 of keyset 009a6154b71113b7 (sat): keyset leaf, global digest, manifest message, its digest and signature")
    func manifest() throws {
        var issued = SumMMR.Accumulator()
        for leaf in Self.leaves.prefix(3) { try issued.append(leaf) }
        let keyset = LiabilityCommitment.Keyset(
            id: "009a6154b71113b7", unit: "sat", issuedSize: 3, issuedRoot: try issued.root, spentSize: 0, spentRoot: SumMMR.empty, active: true,
            deactivationEpoch: 12)
        #expect(Hex.encode(keyset.leafHash) == "e5e9ab7244c98ae4a133a567a8fc8b1d176ffa5b25113733eeb190a4d89b85a7")
        #expect(LiabilityCommitment.keysetRoot([keyset]) == keyset.leafHash)
        let zero = [UInt8](repeating: 0, count: 32)
        #expect(Hex.encode(LiabilityCommitment.globalDigest(previous: zero, epoch: 1, keysets: [keyset])) == "0f2035e358a37706bd93f5fa629b5576d074b5eed67e46f8932f4eb79c23e81a")
        let message = keyset.manifestMessage(epoch: 1, timestamp: 1_781_179_200, previousDigest: zero)
        #expect(message.hasPrefix("009a6154b71113b7:sat:1:2026-06-11T12:00:00Z:" + String(repeating: "0", count: 64) + ":3:2518b42e"))
        #expect(message.hasSuffix(":0:850:true:12"))
        let digest = LiabilityCommitment.messageDigest(message)
        #expect(Hex.encode(digest) == "472b6a1c342e87e75c0e7183fd4219baebb9a6cb97fe47be2a156cb00f03fa7a")
        let key = try Scalar(hex: "371b3102088ee8fa21744920b996fa717417631271730ad34269646465998245")
        let signature = try key.schnorrSign(message: digest, auxiliaryRandomness: Hex.decode("b777e0270e6f6bd9302268a253ffda221ce9257a6e13349e198169745c45d72e"))
        #expect(signature.hex == "01cb753c8fad0182e39d7f4543bd3bee77519a599268f51a8d260aa6f8acc721b5d46726296c57488fed0bb60b8e03d1c7a30093bf9537d30569be4bd52889f2")
        #expect(Hex.encode(Array(LiabilityCommitment.keysetRoot([]))) == "66b7de363bb498c9cf01f2997ec7f658b8734dd8bb5e959ea240c9ea9a951180")
    }

    @Test("the mint's tree: the same paths and peaks as the reference construction for 1 to 40 leaves; an accumulator continued from published peaks")
    func tree() throws {
        var leaves = Self.leaves
        for i in 4..<40 { leaves.append(SumMMR.leaf(point: [0x03] + Array(repeating: UInt8(i), count: 32), amount: UInt64(i * 7))) }
        for size in 1...leaves.count {
            let range = Array(leaves.prefix(size))
            let tree = try SumMMR.Tree(leaves: range)
            var acc = SumMMR.Accumulator()
            for leaf in range { try acc.append(leaf) }
            #expect(try tree.root == acc.root && tree.peaks == acc.peaks.map(\.node))
            for index in 0..<size {
                let reference = try SumMMR.proof(of: index, among: range)
                #expect(tree.path(of: index) == reference.path && tree.leaf(index) == range[index], "size \(size) index \(index)")
                let proof = try #require(LiabilityInclusionProof(item: "02" + String(repeating: "00", count: 32), index: index, tree: tree))
                #expect(proof.leafIndex == UInt64(index) && proof.peaks.count == SumMMR.peakHeights(size: UInt64(size)).count)
            }
            #expect(tree.path(of: size) == nil && tree.path(of: -1) == nil)
            // Continued from the peaks alone, as the next epoch is from the last one's stored peaks.
            var restored = try #require(SumMMR.Accumulator(size: UInt64(size), peaks: acc.peaks.map(\.node)))
            for leaf in leaves[size...] { try restored.append(leaf) }
            var whole = SumMMR.Accumulator()
            for leaf in leaves { try whole.append(leaf) }
            #expect(try restored.root == whole.root && restored.size == whole.size)
            #expect(SumMMR.Accumulator(size: UInt64(size) + 1, peaks: acc.peaks.map(\.node)) == nil || (size + 1).nonzeroBitCount == size.nonzeroBitCount)
        }
        // A proof over the wire verifies against the root, for the real point only.
        let tree = try SumMMR.Tree(leaves: Array(Self.leaves.prefix(3)))
        let root = try tree.root
        let proof = try #require(LiabilityInclusionProof(item: Self.points[1], index: 1, tree: tree))
        #expect(proof.verifies(size: 3, rootHash: Hex.encode(root.hash), rootSum: root.sum))
        #expect(!proof.verifies(size: 4, rootHash: Hex.encode(root.hash), rootSum: root.sum))
        var other = proof
        other.item = Self.points[0]
        #expect(!other.verifies(size: 3, rootHash: Hex.encode(root.hash), rootSum: root.sum))
        var shifted = proof
        shifted.leafIndex = 0
        #expect(!shifted.verifies(size: 3, rootHash: Hex.encode(root.hash), rootSum: root.sum))
    }

    @Test("a published manifest holds up under the mint's key; each tampered field, another key or a reordered epoch_keysets does not")
    func publishedManifest() throws {
        var issued = SumMMR.Accumulator()
        for leaf in Self.leaves.prefix(3) { try issued.append(leaf) }
        let mine = LiabilityCommitment.Keyset(
            id: "009a6154b71113b7", unit: "sat", issuedSize: 3, issuedRoot: try issued.root, spentSize: 0, spentRoot: SumMMR.empty, active: true,
            deactivationEpoch: 12)
        let other = LiabilityCommitment.Keyset(
            id: "00ffffffffffffff", unit: "usd", issuedSize: 0, issuedRoot: SumMMR.empty, spentSize: 0, spentRoot: SumMMR.empty, active: false,
            deactivationEpoch: 5)
        let key = try Scalar(hex: "371b3102088ee8fa21744920b996fa717417631271730ad34269646465998245")
        let mintKey = try key.publicPoint
        let previous = [UInt8](repeating: 0x11, count: 32)
        let message = mine.manifestMessage(epoch: 4, timestamp: 1_781_179_200, previousDigest: previous)
        let signature = try key.schnorrSign(message: LiabilityCommitment.messageDigest(message)).hex
        let manifest = try LiabilityManifest(
            keyset: mine, epoch: 4, closedAt: 1_781_179_200, previous: previous, all: [other, mine], signingKey: mintKey, signature: signature)
        #expect(manifest.problems(mintKey: mintKey).isEmpty, "\(manifest.problems(mintKey: mintKey))")
        #expect(manifest.message == message && manifest.timestamp == "2026-06-11T12:00:00Z" && manifest.outstandingBalance == 850)
        #expect(manifest.epochKeysets.map(\.keysetID) == ["009a6154b71113b7", "00ffffffffffffff"])
        // Through JSON and back, with the draft's field names.
        let json = String(decoding: try JSONEncoder().encode(manifest), as: UTF8.self)
        for field in ["\"issued_mmr_root_hash\"", "\"epoch_keysets\"", "\"previous_global_digest\"", "\"mint_signature\"", "\"deactivation_epoch\""] {
            #expect(json.contains(field))
        }
        #expect(try JSONDecoder().decode(LiabilityManifest.self, from: Data(json.utf8)) == manifest)

        #expect(!manifest.problems(mintKey: try Scalar.random().publicPoint).isEmpty)
        var edits: [(String, (inout LiabilityManifest) -> Void)] = [
            ("issued sum", { $0.issuedMMRRootSum -= 100 }), ("spent size", { $0.spentMMRSize += 1 }), ("active", { $0.active = false }),
            ("deactivation", { $0.deactivationEpoch = 13 }), ("timestamp", { $0.timestamp = "2026-06-11T12:00:01Z" }),
            ("previous", { $0.previousGlobalDigest = String(repeating: "22", count: 32) }), ("outstanding", { $0.outstandingBalance = 849 }),
            ("global digest", { $0.globalDigest = String(repeating: "00", count: 32) }), ("keyset root", { $0.keysetMerkleRoot = String(repeating: "00", count: 32) }),
            ("order", { $0.epochKeysets.reverse() }), ("other keyset", { $0.epochKeysets[1].issuedMMRSize = 1 }),
            ("missing", { $0.epochKeysets.removeFirst() }), ("signing key", { $0.signingPubkey = String(repeating: "00", count: 32) }),
        ]
        edits.append(("epoch", { $0.epochIndex = 5 }))
        for (name, edit) in edits {
            var tampered = manifest
            edit(&tampered)
            #expect(!tampered.problems(mintKey: mintKey).isEmpty, "\(name)")
        }
        #expect(LiabilityCommitment.parseRFC3339("2026-06-11T12:00:00+00:00") == nil && LiabilityCommitment.parseRFC3339("2026-06-11T12:00:00Z") == 1_781_179_200)
    }
}
