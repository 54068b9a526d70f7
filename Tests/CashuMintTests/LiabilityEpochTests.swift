import CashewEncoding
import CashuCrypto
import CashuMint
import CashuProtocol
import Secp256k1
import Testing

/// Liabilities epochs in the mint core (Specs/audit.md, "Proof of liabilities"): append-only trees across epochs,
/// inclusion proofs against the signed roots, and the keyset lifecycle (declared deactivation, rotation one epoch
/// ahead, the grace after a deactivation, locks that hold).
@Suite("Liabilities epochs")
struct LiabilityEpochTests {
    static func manifest(_ h: MintHarness, _ keyset: String, _ epoch: UInt64? = nil) async throws -> LiabilityManifest {
        let m = try await h.mint.liabilityManifest(keyset: keyset, epoch: epoch)
        #expect(m.problems(mintKey: h.mint.publicKey).isEmpty, "\(m.problems(mintKey: h.mint.publicKey))")
        return m
    }

    @Test("trees grow by appending; inclusion proofs of issued B_ and spent Y verify against the signed roots; unknown points are left out")
    func trees() async throws {
        let clock = ManualClock()
        try await MintHarness.with(clock: clock.clock) { h in
            let keyset = try h.activeKeyset().id.hex
            let minted = try await h.mintProofs(64, split: [32, 16, 8, 8])
            let first = try #require(try await h.mint.closeLiabilityEpoch(lifetime: 100, grace: 10))
            #expect(first.epoch == 1)
            let m1 = try await Self.manifest(h, keyset)
            #expect(m1.issuedMMRSize == 4 && m1.issuedMMRRootSum == 64 && m1.spentMMRSize == 0 && m1.outstandingBalance == 64)

            clock.advance(5)
            let outputs = try MintHarness.outputs([32, 8, 4, 4], keyset: try h.activeKeyset().id)
            _ = try await h.mint.swap(SwapRequest(inputs: Array(minted.prefix(2)), outputs: outputs.messages))
            _ = try #require(try await h.mint.closeLiabilityEpoch(lifetime: 100, grace: 10))
            let m2 = try await Self.manifest(h, keyset)
            #expect(m2.epochIndex == 2 && m2.issuedMMRSize == 8 && m2.issuedMMRRootSum == 112 && m2.spentMMRSize == 2 && m2.spentMMRRootSum == 48)
            #expect(m2.outstandingBalance == 64 && m2.previousGlobalDigest == m1.globalDigest)

            // The new outputs are in epoch 2's issued tree, and not in epoch 1's; the spent inputs in epoch 2's spent tree.
            let bs = outputs.messages.map(\.blindedSecret.hex)
            let issued = try await h.mint.liabilityProofs(keyset: keyset, tree: .issued, items: bs + ["02" + String(repeating: "ab", count: 32)], epoch: 2)
            #expect(Set(issued.proofs.map(\.item)) == Set(bs))
            #expect(issued.proofs.allSatisfy { $0.verifies(size: m2.issuedMMRSize, rootHash: m2.issuedMMRRootHash, rootSum: m2.issuedMMRRootSum) })
            #expect(try await h.mint.liabilityProofs(keyset: keyset, tree: .issued, items: bs, epoch: 1).proofs.isEmpty)
            let ys = try minted.prefix(2).map { try $0.y.hex }
            let spent = try await h.mint.liabilityProofs(keyset: keyset, tree: .spent, items: ys, epoch: nil)
            #expect(spent.proofs.count == 2 && spent.proofs.allSatisfy { $0.verifies(size: 2, rootHash: m2.spentMMRRootHash, rootSum: 48) })
            // A proof of epoch 1 is a prefix of the same leaf's proof in epoch 2 (the tree only appended).
            let b0 = try #require(try await h.mint.liabilityProofs(keyset: keyset, tree: .issued, items: [bs[0]], epoch: 2).proofs.first)
            #expect(b0.leafIndex == 4)
            let old = try await h.mint.liabilityProofs(keyset: keyset, tree: .issued, items: [], epoch: 1)
            #expect(old.proofs.isEmpty)

            // An epoch with nothing new repeats the roots; a second close of the same number by another process stands down.
            _ = try #require(try await h.mint.closeLiabilityEpoch(lifetime: 100, grace: 10))
            let m3 = try await Self.manifest(h, keyset)
            #expect(m3.issuedMMRRootHash == m2.issuedMMRRootHash && m3.spentMMRRootHash == m2.spentMMRRootHash && m3.epochIndex == 3)
            await #expect(throws: LiabilityNotFoundError.self) { _ = try await h.mint.liabilityManifest(keyset: keyset, epoch: 4) }
            await #expect(throws: LiabilityNotFoundError.self) { _ = try await h.mint.liabilityManifest(keyset: "00ffffffffffffff", epoch: nil) }
            await #expect(throws: CashuError.self) {
                _ = try await h.mint.liabilityProofs(keyset: keyset, tree: .spent, items: Array(repeating: ys[0], count: 1001), epoch: nil)
            }
        }
    }

    @Test("lifecycle: the deactivation epoch is declared at birth and kept; the keyset rotates one epoch ahead; it stays active through the grace, then is locked for good")
    func lifecycle() async throws {
        let clock = ManualClock()
        try await MintHarness.with(clock: clock.clock) { h in
            let k1 = try h.activeKeyset().id.hex
            _ = try await h.mintProofs(8)
            var states = [[String: LiabilityCommitment.Keyset]]()
            func close() async throws {
                clock.advance(60)
                let record = try #require(try await h.mint.closeLiabilityEpoch(lifetime: 3, grace: 30))
                states.append(Dictionary(uniqueKeysWithValues: record.keysets.map { ($0.keyset.id, $0.keyset) }))
            }
            try await close()  // epoch 1: birth, deadline 4
            #expect(states[0][k1]?.deactivationEpoch == 4 && states[0][k1]?.active == true)
            try await close()  // epoch 2
            #expect(try h.activeKeyset().id.hex == k1)
            try await close()  // epoch 3: the deadline is next, so the keyset rotates after this close
            #expect(states[2][k1]?.active == true)
            let k2 = try h.activeKeyset().id.hex
            #expect(k2 != k1)
            try await close()  // epoch 4: k1 locked at its deadline; k2 born with deadline 7
            #expect(states[3][k1]?.active == false && states[3][k1]?.deactivationEpoch == 4)
            #expect(states[3][k2]?.active == true && states[3][k2]?.deactivationEpoch == 7)

            // An operator's rotation: within the grace the old keyset is still published as active, then locked.
            _ = try await h.mint.rotateKeyset(unit: .sat, inputFeePPK: nil, maxOrder: nil, finalExpiry: nil)
            clock.advance(-50)  // the next close comes 10 s after the rotation: within the grace
            try await close()
            #expect(states[4][k2]?.active == true)
            try await close()
            #expect(states[5][k2]?.active == false && states[5][k2]?.deactivationEpoch == 7)
            try await close()
            #expect(states[6][k2]?.active == false)
            for (i, s) in states.enumerated() {
                #expect(s[k1]?.deactivationEpoch == 4 && s[k1]?.issuedSize == states[0][k1]?.issuedSize, "epoch \(i + 1)")
            }
        }
    }

    @Test("a keyset of a unit the mint no longer serves: listed, never rotated, and the close still succeeds")
    func unservedUnit() async throws {
        let clock = ManualClock()
        try await MintHarness.with(clock: clock.clock) { h in
            let manager = KeysetManager(master: try ExtendedPrivateKey(seed: Array("cashew test seed".utf8)))
            let usd = try manager.makeKeyset(unit: .usd, index: 0, inputFeePPK: 0, denominations: 8, idVersion: .v2, finalExpiry: nil, now: clock.clock.now())
            try await h.store.addKeyset(usd)
            let sat = try h.activeKeyset().id.hex
            // A lifetime of one epoch: both keysets' deadlines are the next epoch.
            let record = try #require(try await h.mint.closeLiabilityEpoch(lifetime: 1, grace: 0))
            #expect(Set(record.keysets.map(\.keyset.id)) == [sat, usd.id.hex])
            #expect(try h.activeKeyset().id.hex != sat, "the served unit's keyset rotates one epoch ahead")
            let keysets = try await h.store.keysets()
            #expect(keysets.first { $0.id == usd.id }?.active == true, "the unserved unit's keyset is left alone")
            clock.advance(10)
            #expect(try await h.mint.closeLiabilityEpoch(lifetime: 1, grace: 0) != nil)
        }
    }
}

