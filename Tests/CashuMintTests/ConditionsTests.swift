import CashewEncoding
import CashuCrypto
import CashuMint
import CashuProtocol
import Crypto
import Secp256k1
import Testing

/// The conditions `/v1/info` advertises (NUT-10/11 P2PK, NUT-20) are enforced by the mint. The full matrix of
/// NUT-11/14 cases (SIG_ALL, multisig, locktime, HTLC) is asserted on the library against the NUT vectors; these
/// tests check that the mint applies it.
@Suite("Mint core: spending conditions and signed mint quotes")
struct ConditionsTests {
    /// Mints one proof of `amount` whose secret is `secret`.
    static func mintLocked(_ h: MintHarness, secret: String, amount: Amount) async throws -> Proof {
        let quote = try await h.mint.createMintQuote(MintQuoteBolt11Request(amount: amount, unit: .sat))
        var outputs = try MintHarness.outputs([amount], keyset: h.activeKeyset().id)
        let r = Scalar.random()
        outputs.messages[0].blindedSecret = try BDHKE.blind(secret: secret, r: r)
        outputs.secrets[0] = secret
        outputs.factors[0] = r
        let response = try await h.mint.mint(MintRequest(quote: quote.quote, outputs: outputs.messages))
        return try #require(try h.proofs(response.signatures, outputs).first)
    }

    static func witness(_ proof: Proof, key: Scalar) throws -> String {
        let digest = Array(SHA256.hash(data: Array(proof.secret.utf8)))
        return Witness(signatures: [try key.schnorrSign(message: digest)]).serialized
    }

    @Test("a P2PK-locked proof is spent only with the locking key's signature (NUT-11)")
    func p2pk() async throws {
        try await MintHarness.with { h in
            let key = Scalar.random()
            let secret = WellKnownSecret(kind: .p2pk, data: try key.publicPoint.hex).serialized
            var proof = try await Self.mintLocked(h, secret: secret, amount: 8)
            await expectCashuError(.proofVerificationFailed) { try await h.swap([proof], into: [8]) }
            proof.witness = try Self.witness(proof, key: .random())
            await expectCashuError(.proofVerificationFailed) { try await h.swap([proof], into: [8]) }
            // Nothing was spent by the refusals.
            #expect(try await h.mint.checkState(CheckStateRequest(ys: [try proof.y])).states.first?.state == .unspent)
            proof.witness = try Self.witness(proof, key: key)
            _ = try await h.swap([proof], into: [8])
            // The witness is kept with the spent proof and returned by NUT-07.
            let state = try #require(try await h.mint.checkState(CheckStateRequest(ys: [try proof.y])).states.first)
            #expect(state.state == .spent && state.witness == proof.witness)
        }
    }

    @Test("a locktime expires as soon as the clock passes it, to the fraction of a second (NUT-11)")
    func locktimeSubSecond() async throws {
        let locktime: UInt64 = 1_900_000_000
        let time = ManualClock(at: Double(locktime) - 2)
        try await MintHarness.with(clock: time.clock) { h in
            let (owner, refund) = (Scalar.random(), Scalar.random())
            let secret = WellKnownSecret(
                kind: .p2pk, data: try owner.publicPoint.hex, tags: [["locktime", String(locktime)], ["refund", try refund.publicPoint.hex]]
            ).serialized
            var proof = try await Self.mintLocked(h, secret: secret, amount: 8)
            proof.witness = try Self.witness(proof, key: refund)
            // At the locktime itself the lock holds: the clock must be greater than it.
            time.advance(2)
            await expectCashuError(.proofVerificationFailed) { try await h.swap([proof], into: [8]) }
            // 50 ms later the refund key spends (it used to take until the next whole second).
            time.advance(0.05)
            _ = try await h.swap([proof], into: [8])
        }
    }

    @Test("a quote locked to a key mints only with its BIP-340 signature (NUT-20, 20008)")
    func signedMintQuote() async throws {
        try await MintHarness.with { h in
            let key = Scalar.random()
            let quote = try await h.mint.createMintQuote(MintQuoteBolt11Request(amount: 4, unit: .sat, pubkey: try key.publicPoint))
            #expect(quote.pubkey == (try key.publicPoint))
            let outputs = try MintHarness.outputs([4], keyset: h.activeKeyset().id)
            let request = MintRequest(quote: quote.quote, outputs: outputs.messages)
            await expectCashuError(.mintRequestSignatureInvalid) { try await h.mint.mint(request) }
            await expectCashuError(.mintRequestSignatureInvalid) { try await h.mint.mint(try request.signed(with: .random())) }
            // Both message formats in use verify: the NUT-20 text's and nutshell/cdk's.
            let signed = try request.signed(with: key, format: MintRequest.SignatureFormat.allCases.randomElement()!)
            #expect(try await h.mint.mint(signed).signatures.count == 1)
        }
    }
}
