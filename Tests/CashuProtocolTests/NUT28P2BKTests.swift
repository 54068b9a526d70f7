import CashewEncoding
import CashuCrypto
import CashuProtocol
import FoundationEssentials
import Secp256k1
import TestSupport
import Testing

@Suite("NUT-28 pay-to-blinded-key vectors, and locks made and unlocked by the library")
struct NUT28P2BKTests {
    static var now: Double { Date().timeIntervalSince1970 }
    static let inputs = try! Vectors.cases("nut28", group: "ecdh")[0].at("input")

    @Test("the ECDH shared secret is the same from both sides and matches the vector")
    func sharedSecret() throws {
        let v = try Vectors.cases("nut28", group: "ecdh")[0]
        let e = try Scalar(hex: v.string("input", "e")), p = try Scalar(hex: v.string("input", "p"))
        let E = try Point(hex: v.string("input", "E")), P = try Point(hex: v.string("input", "P"))
        #expect(try e.publicPoint == E)
        // The vector's P is the even-Y lift of p·G (p·G itself has odd Y), as for an x-only (Nostr) key.
        #expect(try p.publicPoint.xOnly == P.xOnly && !(try p.publicPoint.hasEvenY) && P.hasEvenY)
        let expected = v.string("expected", "Zx")
        #expect(Hex.encode(try P2BK.sharedSecret(P, e)) == expected)
        #expect(Hex.encode(try P2BK.sharedSecret(E, p)) == expected)
    }

    @Test("each slot's blinding scalar, blinded key and both private-key derivations", arguments: try Vectors.cases("nut28", group: "slot"))
    func slot(_ v: JSONValue) throws {
        let slot = Int(try #require(v.at("input", "slot_index").int64Value))
        let zx = try #require(Hex.decode(v.string("input", "Zx")))
        let P = try Point(hex: v.string("input", "P")), p = try Scalar(hex: v.string("input", "p"))
        let r = try P2BK.blindingScalar(sharedSecret: zx, slot: slot)
        #expect(r.hex == v.string("expected", "r"))
        let blinded = try P.addingGeneratorMultiple(r)
        #expect(blinded.hex == v.string("expected", "blinded_pubkey"))
        // The sender's path from e gives the same key.
        let e = try Scalar(hex: Self.inputs.string("e"))
        #expect(try P2BK.blind(P, ephemeral: e, slot: slot) == blinded)
        #expect((p + r).hex == v.string("expected", "sk_standard"))
        #expect((-p + r).hex == v.string("expected", "sk_negated"))
        // The receiver picks the negated key (P has the other parity than p·G), and it signs for P'.
        let E = try Point(hex: Self.inputs.string("E"))
        let k = try #require(try P2BK.signingKey(for: blinded, slot: slot, privateKey: p, ephemeral: E))
        #expect(k.hex == v.string("expected", "sk_negated"))
        #expect(try k.publicPoint.xOnly == blinded.xOnly)
        // Another slot index or another private key does not unlock it.
        #expect(try P2BK.signingKey(for: blinded, slot: (slot + 1) % P2BK.maxSlots, privateKey: p, ephemeral: E) == nil)
        #expect(try P2BK.signingKey(for: blinded, slot: slot, privateKey: .random(), ephemeral: E) == nil)
    }

    @Test("derivation choice by parity")
    func derivationChoice() throws {
        let v = try Vectors.cases("nut28", group: "derivation_choice")[0]
        let natural = try Point(hex: v.string("input", "pG")), actual = try Point(hex: v.string("input", "P"))
        #expect(natural.xOnly == actual.xOnly)
        #expect((natural.hasEvenY == actual.hasEvenY ? "standard" : "negated") == v.string("expected", "derivation"))
        // A receiver whose key has even Y uses the standard derivation.
        var p = Scalar.random()
        if !(try p.publicPoint.hasEvenY) { p = -p }
        let e = Scalar.random()
        let blinded = try P2BK.blind(try p.publicPoint, ephemeral: e, slot: 0)
        let k = try #require(try P2BK.signingKey(for: blinded, slot: 0, privateKey: p, ephemeral: try e.publicPoint))
        #expect(k == p + (try P2BK.blindingScalar(sharedSecret: try P2BK.sharedSecret(try e.publicPoint, p), slot: 0)))
    }

    @Test("the example proof's data is the slot-0 blinded key and its p2pk_e is E; the receiver can sign for it")
    func exampleProof() throws {
        let v = try Vectors.cases("nut28", group: "proof")[0]
        let proof = try JSONDecoder().decode(Proof.self, from: Data(v.at("input", "proof").serializedBytes))
        let slot0 = try #require(try Vectors.cases("nut28", group: "slot").first { $0.at("input", "slot_index").int64Value == 0 })
        let secret = try WellKnownSecret(parsing: proof.secret)
        #expect(secret.data == slot0.string("expected", "blinded_pubkey"))
        #expect(proof.p2pkEphemeralKey?.hex == Self.inputs.string("E"))
        // V4 tokens carry E as `pe`.
        let token = Token(mint: "https://mint.example", unit: .sat, proofs: [proof])
        let decoded = try Token(decoding: try token.serialized(.v4))
        #expect(decoded.proofs[0].p2pkEphemeralKey == proof.p2pkEphemeralKey)
        let keys = SpendingKeys(privateKeys: [try Scalar(hex: Self.inputs.string("p"))])
        let signed = try keys.sign(inputs: [proof], outputs: [], now: Self.now)
        #expect(signed[0].p2pkEphemeralKey == nil)
        try SpendingConditionVerifier.verify(inputs: signed, outputs: [], now: Self.now)
        // A wallet without the key adds nothing, and the proof stays locked.
        let other = try SpendingKeys(privateKeys: [.random()]).sign(inputs: [proof], outputs: [], now: Self.now)
        #expect(other[0].witness == nil)
        #expect(throws: CashuError.self) { try SpendingConditionVerifier.verify(inputs: other, outputs: [], now: Self.now) }
    }

    static func proofs(_ lock: SpendingLock, count: Int) throws -> [Proof] {
        try lock.outputs(count: count).map { output in
            Proof(amount: 1, id: try KeysetID(hex: "009a1f293253e41e"), secret: output.secret, signature: try Scalar.random().publicPoint,
                  p2pkEphemeralKey: output.ephemeralKey)
        }
    }

    @Test("locks made by SpendingLock unlock with the right keys only, blinded or not, SIG_INPUTS or SIG_ALL",
          arguments: [(false, SpendingCondition.SignatureFlag.sigInputs), (true, .sigInputs), (false, .sigAll), (true, .sigAll)])
    func lockRoundTrip(blinded: Bool, flag: SpendingCondition.SignatureFlag) throws {
        let (a, b, c, refund) = (Scalar.random(), Scalar.random(), Scalar.random(), Scalar.random())
        let lock = SpendingLock(
            keys: [try a.publicPoint, try b.publicPoint, try c.publicPoint], requiredSignatures: 2, locktime: 4_000_000_000,
            refundKeys: [try refund.publicPoint], signatureFlag: flag, blinded: blinded)
        let inputs = try Self.proofs(lock, count: 3)
        let secrets = try inputs.map { try WellKnownSecret(parsing: $0.secret) }
        // Blinded locks never show the receivers' keys; SIG_ALL outputs share data and tags (one ephemeral key).
        let shown = Set(secrets.flatMap { [$0.data] + $0.tags.flatMap { $0.dropFirst() } })
        #expect(shown.contains(try a.publicPoint.hex) == !blinded)
        if flag == .sigAll { #expect(Set(secrets.map(\.data)).count == 1 && Set(inputs.map(\.p2pkEphemeralKey)).count == 1) }
        if blinded && flag == .sigInputs { #expect(Set(inputs.map(\.p2pkEphemeralKey)).count == 3) }
        let outputs = try BlindedMessage(amount: 3, id: inputs[0].id, blindedSecret: Scalar.random().publicPoint)
        func verify(_ keys: [Scalar]) throws {
            let signed = try SpendingKeys(privateKeys: keys).sign(inputs: inputs, outputs: [outputs], now: Self.now)
            try SpendingConditionVerifier.verify(inputs: signed, outputs: [outputs], now: Self.now)
        }
        try verify([a, c])
        #expect(throws: CashuError.self) { try verify([a]) }
        #expect(throws: CashuError.self) { try verify([refund, b]) }
        // After the locktime the refund key alone suffices.
        let signed = try SpendingKeys(privateKeys: [refund]).sign(inputs: inputs, outputs: [outputs], now: 4_000_000_001)
        try SpendingConditionVerifier.verify(inputs: signed, outputs: [outputs], now: 4_000_000_001)
        // Two co-signers can sign one after the other (the first's signatures are kept).
        let half = try SpendingKeys(privateKeys: [b]).sign(inputs: inputs, outputs: [outputs], now: Self.now)
        let both = try SpendingKeys(privateKeys: [c]).sign(inputs: half, outputs: [outputs], now: Self.now)
        if !blinded { try SpendingConditionVerifier.verify(inputs: both, outputs: [outputs], now: Self.now) }
    }

    @Test("HTLC locks: preimage with receiver signature; refund after locktime; blinded keys start at slot 1")
    func htlc() throws {
        let (receiver, sender) = (Scalar.random(), Scalar.random())
        let (preimage, hash) = SpendingLock.newPreimage()
        for blinded in [false, true] {
            let lock = SpendingLock(
                kind: .htlc(hash: hash), keys: [try receiver.publicPoint], locktime: 4_000_000_000, refundKeys: [try sender.publicPoint],
                blinded: blinded)
            let inputs = try Self.proofs(lock, count: 2)
            #expect(try WellKnownSecret(parsing: inputs[0].secret).data == Hex.encode(hash))
            func signed(_ keys: SpendingKeys, now: Double = Self.now) throws -> [Proof] { try keys.sign(inputs: inputs, outputs: [], now: now) }
            try SpendingConditionVerifier.verify(inputs: try signed(SpendingKeys(privateKeys: [receiver], preimages: [preimage])), outputs: [], now: Self.now)
            #expect(throws: CashuError.self) {
                try SpendingConditionVerifier.verify(inputs: try signed(SpendingKeys(privateKeys: [receiver])), outputs: [], now: Self.now)
            }
            #expect(throws: CashuError.self) {
                try SpendingConditionVerifier.verify(inputs: try signed(SpendingKeys(preimages: [preimage])), outputs: [], now: Self.now)
            }
            let refunded = try signed(SpendingKeys(privateKeys: [sender]), now: 4_000_000_001)
            try SpendingConditionVerifier.verify(inputs: refunded, outputs: [], now: 4_000_000_001)
        }
    }

    @Test("invalid locks are refused before any secret is made")
    func invalidLocks() throws {
        let k = try Scalar.random().publicPoint
        #expect(throws: SpendingConditionError.self) { try SpendingLock(keys: []).validate() }
        #expect(throws: SpendingConditionError.self) { try SpendingLock(keys: [k, k]).validate() }
        #expect(throws: SpendingConditionError.self) { try SpendingLock(keys: [k], requiredSignatures: 2).validate() }
        #expect(throws: SpendingConditionError.self) { try SpendingLock(keys: [k], requiredRefundSignatures: 1).validate() }
        #expect(throws: SpendingConditionError.self) { try SpendingLock(kind: .htlc(hash: [1, 2, 3]), keys: []).validate() }
        let eleven = try (0..<11).map { _ in try Scalar.random().publicPoint }
        try SpendingLock(keys: eleven).validate()
        #expect(throws: SpendingConditionError.self) { try SpendingLock(keys: eleven + [k], blinded: true).validate() }
    }
}
