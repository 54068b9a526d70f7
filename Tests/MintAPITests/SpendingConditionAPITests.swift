import CashewEncoding
import CashuCrypto
import CashuMint
import CashuProtocol
import Crypto
import Foundation
import Hummingbird
import HummingbirdTesting
import Secp256k1
import TestSupport
import Testing

/// Every valid and invalid NUT-10/11/14/20 case against the mint over its real HTTP API: locked proofs are minted by
/// blinding chosen secrets, then spent with `/v1/swap` or `/v1/melt/bolt11`. A refusal must be HTTP 400 with the
/// NUT code, and must spend nothing (`/v1/checkstate` still says UNSPENT); a success must sign the outputs and
/// record the witness (NUT-07 returns it).
///
/// Signatures and SIG_ALL/NUT-20 messages are built here from the NUT text, not with the library's helpers, so
/// that a mistake shared by the library and the mint would show.
@Suite("Spending conditions over HTTP (NUT-10, 11, 14, 20)")
struct SpendingConditionAPITests {
    // MARK: - P2PK basic case (NUT-11)

    @Test("P2PK: only the data key's signature on the secret spends; checkstate returns the witness")
    func p2pkBasic() async throws {
        try await Lab.with { lab in
            let key = Scalar.random()
            var proof = try await lab.mint(secrets: [p2pk(try pub(key))])[0]
            let outputs = try lab.outputs(for: [proof])
            try await lab.refuseSwap([proof], outputs: outputs, "no witness")
            proof.witness = try witness(proof.secret, [.random()])
            try await lab.refuseSwap([proof], outputs: outputs, "signature by another key")
            proof.witness = try witness(proof.secret + " ", [key])
            try await lab.refuseSwap([proof], outputs: outputs, "signature on a different message")
            proof.witness = #"{"signatures":[]}"#
            try await lab.refuseSwap([proof], outputs: outputs, "empty signature list")
            proof.witness = "not json"
            try await lab.refuseSwap([proof], outputs: outputs, "witness is not JSON")
            proof.witness = #"{"signatures":["zz"]}"#
            try await lab.refuseSwap([proof], outputs: outputs, "signature is not 64 bytes of hex")
            // The refusals signed nothing either: the same outputs are accepted now.
            let sent = try witness(proof.secret, [key])
            proof.witness = sent
            try await lab.acceptSwap([proof], outputs: outputs, "data key signature")
            let state = try #require(try await lab.states([proof]).first)
            #expect(state.state == .spent)
            #expect(state.witness == sent, "checkstate must return exactly the witness that was sent")
            // Spent is spent.
            try await lab.refuseSwap([proof], code: .proofsAlreadySpent, "second spend", expectUnspent: false)
        }
    }

    @Test("P2PK keys compare by x coordinate: an uppercase or 02/03-twin key is signed by the same secret key")
    func p2pkKeyCanonicalisation() async throws {
        try await Lab.with { lab in
            let k1 = Scalar.random()
            let k2 = Scalar.random()
            let r = Scalar.random()
            let secrets = [
                p2pk(upper(try pub(k1))),
                p2pk(try pub(k1), [["pubkeys", twin(try pub(k2))]]),
                // The same key may be in both pathways.
                p2pk(try pub(k1), [["locktime", past], ["refund", twin(try pub(k1))]]),
                p2pk(try pub(r), [["locktime", past], ["refund", upper(twin(try pub(k1)))]]),
            ]
            let proofs = try await lab.mint(secrets: secrets)
            try await lab.acceptSwap([try signed(proofs[0], [k1])], "uppercase data key")
            try await lab.acceptSwap([try signed(proofs[1], [k2])], "pubkeys lists the twin of k2")
            try await lab.acceptSwap([try signed(proofs[2], [k1])], "data key's twin in refund")
            try await lab.acceptSwap([try signed(proofs[3], [k1])], "uppercase twin as refund key after expiry")
        }
    }

    // MARK: - Multisig

    @Test("P2PK multisig n_sigs=2: two distinct keys needed; one key signing twice is one signer")
    func p2pkMultisig() async throws {
        try await Lab.with { lab in
            let (k1, k2, k3) = (Scalar.random(), Scalar.random(), Scalar.random())
            let secret = p2pk(try pub(k1), [["pubkeys", try pub(k2), try pub(k3)], ["n_sigs", "2"]])
            var proof = try await lab.mint(secrets: [secret])[0]
            let outputs = try lab.outputs(for: [proof])
            for (label, keys, detail) in [
                ("k1 only", [k1], "not enough pubkeys (3) or signatures (1) present for n_sigs (2)."),
                ("k3 only", [k3], "not enough pubkeys (3) or signatures (1) present for n_sigs (2)."),
                ("k1 and a stranger", [k1, Scalar.random()], "signature threshold not met. 1 < 2."),
            ] {
                proof.witness = try witness(proof.secret, keys)
                try await lab.refuseSwap([proof], outputs: outputs, label, detail: detail)
            }
            let twice = [try sign(proof.secret, k2), try sign(proof.secret, k2)]
            #expect(twice[0] != twice[1], "BIP-340 signatures with fresh aux randomness differ")
            proof.witness = Witness(signatures: twice).serialized
            try await lab.refuseSwap([proof], outputs: outputs, "k2 signing twice", detail: "signature threshold not met. 1 < 2.")
            proof.witness = try witness(proof.secret, [k2, k3])
            try await lab.acceptSwap([proof], outputs: outputs, "k2 and k3")

            // n_sigs=2 where pubkeys repeats the data key as its 02/03 twin: a key listed twice makes the secret
            // malformed, even with valid signatures by every distinct key.
            let twinSecret = p2pk(try pub(k1), [["pubkeys", twin(try pub(k1)), try pub(k2)], ["n_sigs", "2"]])
            let twinProof = try await lab.mint(secrets: [twinSecret])[0]
            try await lab.refuseSwap(
                [try signed(twinProof, [k1, k2])], "data key repeated as its twin in pubkeys", detail: "pubkeys must have unique x-coordinates.")
            try await lab.refuseSwap([try signed(twinProof, [k1])], "data key repeated as its twin, one signature")
        }
    }

    // MARK: - Locktime and refund

    @Test("P2PK active locktime: refund key refused, data key accepted")
    func p2pkActiveLocktime() async throws {
        try await Lab.with { lab in
            let (key, refund) = (Scalar.random(), Scalar.random())
            let secret = p2pk(try pub(key), [["locktime", future], ["refund", try pub(refund)]])
            let proofs = try await lab.mint(secrets: [secret, try secret.replacingNonce()])
            try await lab.refuseSwap([try signed(proofs[0], [refund])], "refund key before locktime", detail: "signature threshold not met. 0 < 1.")
            try await lab.refuseSwap([proofs[0]], "no witness before locktime", detail: "no signatures in proof.")
            try await lab.acceptSwap([try signed(proofs[0], [key])], "data key before locktime")
            try await lab.acceptSwap([try signed(proofs[1], [refund, key])], "refund and data key before locktime")
            // Without a refund tag, an active lock still needs the data key.
            let plainLock = try await lab.mint(secrets: [p2pk(try pub(key), [["locktime", future]])])[0]
            try await lab.refuseSwap([plainLock], "active lock without refund, no witness")
            try await lab.acceptSwap([try signed(plainLock, [key])], "active lock without refund, data key")
        }
    }

    @Test("P2PK expired locktime: refund key and data key both spend, nothing else does")
    func p2pkExpiredLocktime() async throws {
        try await Lab.with { lab in
            let (key, refund) = (Scalar.random(), Scalar.random())
            let (h, hr) = (try pub(key), try pub(refund))
            let secrets = (0..<3).map { _ in p2pk(h, [["locktime", past], ["refund", hr]]) }
            let proofs = try await lab.mint(secrets: secrets)
            try await lab.refuseSwap([proofs[0]], "no witness after expiry, refund tag present", detail: "no signatures in proof.")
            try await lab.refuseSwap([try signed(proofs[0], [.random()])], "stranger after expiry", detail: "signature threshold not met. 0 < 1.")
            try await lab.acceptSwap([try signed(proofs[0], [refund])], "refund key after expiry")
            try await lab.acceptSwap([try signed(proofs[1], [key])], "data key after expiry")
            try await lab.acceptSwap([try signed(proofs[2], [key, refund])], "both keys after expiry")
        }
    }

    @Test("P2PK expired locktime without refund tag: anyone can spend, no witness needed")
    func p2pkExpiredWithoutRefund() async throws {
        try await Lab.with { lab in
            let key = Scalar.random()
            let proofs = try await lab.mint(secrets: [p2pk(try pub(key), [["locktime", past]]), p2pk(try pub(key), [["locktime", "0"]])])
            try await lab.acceptSwap([proofs[0]], "expired, no refund, no witness")
            var stranger = proofs[1]
            stranger.witness = try witness(stranger.secret, [.random()])
            try await lab.acceptSwap([stranger], "locktime 0, no refund, a stranger's witness")
        }
    }

    @Test("P2PK refund multisig n_sigs_refund=2: one refund signature refused, two accepted")
    func p2pkRefundMultisig() async throws {
        try await Lab.with { lab in
            let (key, r1, r2) = (Scalar.random(), Scalar.random(), Scalar.random())
            let secret = p2pk(try pub(key), [["locktime", past], ["refund", try pub(r1), try pub(r2)], ["n_sigs_refund", "2"]])
            var proof = try await lab.mint(secrets: [secret])[0]
            let outputs = try lab.outputs(for: [proof])
            proof.witness = try witness(proof.secret, [r1])
            try await lab.refuseSwap(
                [proof], outputs: outputs, "one refund signature of two", detail: "not enough pubkeys (2) or signatures (1) present for n_sigs (2).")
            proof.witness = Witness(signatures: [try sign(proof.secret, r2), try sign(proof.secret, r2)]).serialized
            try await lab.refuseSwap([proof], outputs: outputs, "one refund key signing twice", detail: "signature threshold not met. 1 < 2.")
            // Pathways do not mix: a main and a refund signature are one of each, not two refund signatures.
            proof.witness = try witness(proof.secret, [r1, .random()])
            try await lab.refuseSwap([proof], outputs: outputs, "refund key and a stranger", detail: "signature threshold not met. 1 < 2.")
            proof.witness = try witness(proof.secret, [r1, r2])
            try await lab.acceptSwap([proof], outputs: outputs, "both refund keys")
        }
    }

    @Test("P2PK locktime that is not a unix time is a permanent lock")
    func p2pkLocktimeNotANumber() async throws {
        try await Lab.with { lab in
            let (key, refund) = (Scalar.random(), Scalar.random())
            let secret = p2pk(try pub(key), [["locktime", "abc"], ["refund", try pub(refund)]])
            let proofs = try await lab.mint(secrets: [secret, p2pk(try pub(key), [["locktime", "abc"]])])
            try await lab.refuseSwap([try signed(proofs[0], [refund])], "refund key on a permanent lock")
            try await lab.refuseSwap([proofs[0]], "no witness on a permanent lock")
            try await lab.acceptSwap([try signed(proofs[0], [key])], "data key on a permanent lock")
            try await lab.refuseSwap([proofs[1]], "permanent lock without refund tag, no witness")
            try await lab.acceptSwap([try signed(proofs[1], [key])], "permanent lock without refund tag, data key")
        }
    }

    // MARK: - Malformed secrets

    @Test("malformed P2PK secrets are unspendable (10001), even with every signature", arguments: MalformedP2PK.allCases)
    func p2pkMalformed(_ kind: MalformedP2PK) async throws {
        try await Lab.with { lab in
            let keys = MalformedP2PK.Keys()
            let (secret, signers) = try kind.make(keys)
            var proof = try await lab.mint(secrets: [secret])[0]
            proof.witness = try witness(proof.secret, signers)
            try await lab.refuseSwap([proof], "\(kind): \(secret)")
            // The very same key spends a well-formed lock: the refusal was the secret's fault.
            let control = try await lab.mint(secrets: [p2pk(keys.h1)])[0]
            try await lab.acceptSwap([try signed(control, [keys.k1])], "control")
        }
    }

    // MARK: - SIG_ALL (swap)

    @Test("SIG_ALL swap: the first input signs all inputs and outputs")
    func sigAllSwap() async throws {
        try await Lab.with { lab in
            let key = Scalar.random()
            let tags = [["sigflag", "SIG_ALL"]]
            let proofs = try await lab.mint(secrets: [p2pk(try pub(key), tags), p2pk(try pub(key), tags)])
            #expect(proofs[0].secret != proofs[1].secret)
            let outputs = try lab.outputs([16])
            let other = try lab.outputs([8, 8])
            let message = sigAllMessage(proofs, outputs.messages)
            #expect(message == SwapRequest(inputs: proofs, outputs: outputs.messages).sigAllMessage, "library message differs from NUT-11's")

            func withWitness(_ first: String?, _ second: String? = nil) -> [Proof] {
                var p = proofs
                p[0].witness = first
                p[1].witness = second
                return p
            }
            try await lab.refuseSwap(withWitness(nil), outputs: outputs, "no witness")
            try await lab.refuseSwap(
                withWitness(try witness(sigAllMessage(proofs, other.messages), [key])), outputs: outputs, "signature over other outputs")
            try await lab.refuseSwap(withWitness(try witness(message, [.random()])), outputs: outputs, "stranger signs the message")
            try await lab.refuseSwap(
                withWitness(try witness(proofs[0].secret, [key]), try witness(proofs[1].secret, [key])), outputs: outputs,
                "SIG_INPUTS-style signatures on each secret")
            try await lab.refuseSwap(withWitness(nil, try witness(message, [key])), outputs: outputs, "signature only on the second input")
            // Inputs in the other order change the message.
            var reversed = [proofs[1], proofs[0]]
            reversed[0].witness = try witness(message, [key])
            try await lab.refuseSwap(reversed, outputs: outputs, "signature for the other input order")
            try await lab.acceptSwap(withWitness(try witness(message, [key])), outputs: outputs, "valid SIG_ALL")
        }
    }

    @Test("SIG_ALL swap: every input must carry the same condition")
    func sigAllMismatchedInputs() async throws {
        try await Lab.with { lab in
            let (key, k2) = (Scalar.random(), Scalar.random())
            let tags = [["sigflag", "SIG_ALL"]]
            let h = try pub(key)
            let secrets = [
                p2pk(h, tags), p2pk(h, tags + [["locktime", future]]),  // different tags
                p2pk(h, tags), p2pk(try pub(k2), tags),  // different data
                p2pk(h, tags), p2pk(h),  // SIG_ALL with SIG_INPUTS
                p2pk(h, tags), htlc(Hex.encode(Array(SHA256.hash(data: [1]))), tags + [["pubkeys", h]]),  // another kind
            ]
            let locked = try await lab.mint(secrets: secrets)
            let plain = try await lab.mint(secrets: [randomSecret(), randomSecret()])
            let sigAllOnly = try await lab.mint(secrets: [p2pk(h, tags), p2pk(h, tags)])

            /// Signs the full SIG_ALL message with `key` (and `k2`) on every input, so that only the mismatch is wrong.
            func attempt(_ inputs: [Proof], _ label: String, detail: String = "not all secrets are equal.") async throws {
                let outputs = try lab.outputs(for: inputs)
                let message = sigAllMessage(inputs, outputs.messages)
                let w = try witness(message, [key, k2])
                try await lab.refuseSwap(inputs.map { var p = $0; p.witness = w; return p }, outputs: outputs, label, detail: detail)
            }
            try await attempt([locked[0], locked[1]], "second input has another tag set")
            try await attempt([locked[2], locked[3]], "second input has other data")
            try await attempt([locked[4], locked[5]], "second input is SIG_INPUTS")
            try await attempt([locked[5], locked[4]], "SIG_INPUTS input first, SIG_ALL second")
            try await attempt([locked[6], locked[7]], "second input is an HTLC locked to the same key")
            try await attempt([sigAllOnly[0], plain[0]], "SIG_ALL with a plain input", detail: "SIG_ALL transaction contains an ordinary secret.")
            try await attempt([plain[1], sigAllOnly[1]], "plain input first, SIG_ALL second", detail: "SIG_ALL transaction contains an ordinary secret.")

            // The same SIG_ALL inputs go through together once signed properly.
            var good = sigAllOnly
            let outputs = try lab.outputs(for: good)
            good[0].witness = try witness(sigAllMessage(good, outputs.messages), [key])
            try await lab.acceptSwap(good, outputs: outputs, "matching SIG_ALL inputs")
        }
    }

    @Test("SIG_ALL with multisig n_sigs=2: two signatures on the first input")
    func sigAllMultisig() async throws {
        try await Lab.with { lab in
            let (k1, k2) = (Scalar.random(), Scalar.random())
            let tags = [["sigflag", "SIG_ALL"], ["pubkeys", try pub(k2)], ["n_sigs", "2"]]
            var proofs = try await lab.mint(secrets: [p2pk(try pub(k1), tags), p2pk(try pub(k1), tags)])
            let outputs = try lab.outputs(for: proofs)
            let message = sigAllMessage(proofs, outputs.messages)
            proofs[0].witness = try witness(message, [k1])
            try await lab.refuseSwap(proofs, outputs: outputs, "one of two signatures")
            proofs[0].witness = try witness(message, [k1])
            proofs[1].witness = try witness(message, [k2])
            try await lab.refuseSwap(proofs, outputs: outputs, "signatures split over the inputs")
            proofs[1].witness = nil
            proofs[0].witness = try witness(message, [k1, k2])
            try await lab.acceptSwap(proofs, outputs: outputs, "both signatures on the first input")
        }
    }

    // MARK: - SIG_ALL (melt)

    @Test("SIG_ALL melt: the message ends with the quote ID and covers the blank outputs")
    func sigAllMelt() async throws {
        try await Lab.with { lab in
            let key = Scalar.random()
            let tags = [["sigflag", "SIG_ALL"]]
            var proofs = try await lab.mint(secrets: [p2pk(try pub(key), tags), p2pk(try pub(key), tags)], amount: 32)
            let invoice = try MintAPITestsSupport.externalInvoice(sat: 40)
            let quote = try await lab.client.ok(MeltQuoteBolt11Response.self, .post, "/v1/melt/quote/bolt11", MeltQuoteBolt11Request(request: invoice, unit: .sat))
            try #require(quote.amount.rawValue + quote.feeReserve.rawValue <= 64)
            let blank = try lab.outputs([1, 1, 1])
            let message = sigAllMessage(proofs, blank.messages, quote: quote.quote)
            #expect(message.hasSuffix(quote.quote))
            #expect(message == MeltRequest(quote: quote.quote, inputs: proofs, outputs: blank.messages).sigAllMessage, "library message differs from NUT-11's")

            func refuse(_ signedMessage: String, outputs: [BlindedMessage]?, _ label: String) async throws {
                proofs[0].witness = try witness(signedMessage, [key])
                try await lab.expectError(.proofVerificationFailed, .post, "/v1/melt/bolt11", MeltRequest(quote: quote.quote, inputs: proofs, outputs: outputs), label)
                try await lab.expectStates(proofs, .unspent, label)
                let state = try await lab.client.ok(MeltQuoteBolt11Response.self, .get, "/v1/melt/quote/bolt11/\(quote.quote)")
                #expect(state.state == .unpaid, "\(label): quote must stay unpaid")
            }
            try await refuse(sigAllMessage(proofs, blank.messages), outputs: blank.messages, "swap-style message without the quote ID")
            try await refuse(sigAllMessage(proofs, [], quote: quote.quote), outputs: blank.messages, "message without the blank outputs")
            try await refuse(sigAllMessage(proofs, blank.messages, quote: quote.quote + "x"), outputs: blank.messages, "another quote ID")
            try await refuse(message, outputs: Array(blank.messages.prefix(2)), "blank outputs changed after signing")
            try await refuse(sigAllMessage(proofs, blank.messages, quote: quote.quote), outputs: nil, "blank outputs signed but not sent")

            proofs[0].witness = try witness(message, [key])
            let paid = try await lab.client.ok(MeltQuoteBolt11Response.self, .post, "/v1/melt/bolt11", MeltRequest(quote: quote.quote, inputs: proofs, outputs: blank.messages))
            #expect(paid.state == .paid)
            let change = try blank.proofs(paid.change ?? []) { _, a in lab.keyset.keys[a] }
            #expect(change.reduce(0) { $0 + $1.amount.rawValue } <= 64 - 40)
            let states = try await lab.states(proofs)
            #expect(states.map(\.state) == [.spent, .spent])
            #expect(states.first?.witness == proofs[0].witness)
        }
    }

    @Test("SIG_INPUTS melt: a locked input needs its own signature on its secret")
    func sigInputsMelt() async throws {
        try await Lab.with { lab in
            let key = Scalar.random()
            var proofs = try await lab.mint(secrets: [p2pk(try pub(key)), p2pk(try pub(key))], amount: 32)
            let invoice = try MintAPITestsSupport.externalInvoice(sat: 40)
            let quote = try await lab.client.ok(MeltQuoteBolt11Response.self, .post, "/v1/melt/quote/bolt11", MeltQuoteBolt11Request(request: invoice, unit: .sat))
            proofs[0] = try signed(proofs[0], [key])
            try await lab.expectError(.proofVerificationFailed, .post, "/v1/melt/bolt11", MeltRequest(quote: quote.quote, inputs: proofs), "second input unsigned")
            try await lab.expectStates(proofs, .unspent, "second input unsigned")
            proofs[1] = try signed(proofs[1], [key])
            let paid = try await lab.client.ok(MeltQuoteBolt11Response.self, .post, "/v1/melt/bolt11", MeltRequest(quote: quote.quote, inputs: proofs))
            #expect(paid.state == .paid)
            #expect(try await lab.states(proofs).map(\.witness) == proofs.map(\.witness))
        }
    }

    // MARK: - SIG_INPUTS with several inputs

    @Test("SIG_INPUTS: every locked input carries its own witness")
    func sigInputsEachInput() async throws {
        try await Lab.with { lab in
            let (k1, k2) = (Scalar.random(), Scalar.random())
            var proofs = try await lab.mint(secrets: [p2pk(try pub(k1)), p2pk(try pub(k2), [["sigflag", "SIG_INPUTS"]]), randomSecret()])
            let outputs = try lab.outputs(for: proofs)
            proofs[0] = try signed(proofs[0], [k1])
            try await lab.refuseSwap(proofs, outputs: outputs, "second locked input without witness")
            proofs[1].witness = proofs[0].witness
            try await lab.refuseSwap(proofs, outputs: outputs, "second input carries the first input's witness")
            proofs[1].witness = try witness(proofs[0].secret, [k2])
            try await lab.refuseSwap(proofs, outputs: outputs, "second key signs the first secret")
            proofs[1] = try signed(proofs[1], [k2])
            try await lab.acceptSwap(proofs, outputs: outputs, "each input signed")
        }
    }

    // MARK: - HTLC (NUT-14)

    @Test("HTLC without pubkeys: the preimage alone spends; checkstate returns it")
    func htlcPreimageOnly() async throws {
        try await Lab.with { lab in
            let preimage = SecureRandom.bytes(32)
            let hash = Hex.encode(Array(SHA256.hash(data: preimage)))
            var proof = try await lab.mint(secrets: [htlc(hash)])[0]
            let outputs = try lab.outputs(for: [proof])
            let bad: [(String, String?, String?)] = [
                ("no witness", nil, "no HTLC preimage provided"),
                ("empty witness", "{}", "no HTLC preimage provided"),
                ("signatures but no preimage", try witness(proof.secret, [.random()]), "no HTLC preimage provided"),
                ("wrong preimage", Witness(preimage: Hex.encode(SecureRandom.bytes(32))).serialized, "HTLC preimage does not match."),
                ("the hash as preimage", Witness(preimage: hash).serialized, "HTLC preimage does not match."),
                ("preimage of 31 bytes", Witness(preimage: Hex.encode(preimage.prefix(31))).serialized, "HTLC preimage must be 64 characters hex."),
                ("preimage of 33 bytes", Witness(preimage: Hex.encode(preimage + [0])).serialized, "HTLC preimage must be 64 characters hex."),
                ("preimage not hex", Witness(preimage: String(repeating: "zz", count: 32)).serialized, "invalid preimage for HTLC: not a hex string."),
                ("preimage as a number", #"{"preimage":1,"signatures":[]}"#, nil),
            ]
            for (label, w, detail) in bad {
                proof.witness = w
                try await lab.refuseSwap([proof], outputs: outputs, label, detail: detail)
            }
            let sent = Witness(preimage: Hex.encode(preimage)).serialized
            proof.witness = sent
            try await lab.acceptSwap([proof], outputs: outputs, "right preimage")
            let state = try #require(try await lab.states([proof]).first)
            #expect(state.state == .spent && state.witness == sent)
            #expect(try Witness(parsing: try #require(state.witness)).preimage == Hex.encode(preimage))
        }
    }

    @Test("HTLC with pubkeys: preimage and receiver signature, both required")
    func htlcReceiver() async throws {
        try await Lab.with { lab in
            let receiver = Scalar.random()
            let preimage = Hex.encode(SecureRandom.bytes(32))
            let hash = Hex.encode(Array(SHA256.hash(data: Hex.decode(preimage)!)))
            var proof = try await lab.mint(secrets: [htlc(hash, [["pubkeys", try pub(receiver)]])])[0]
            let outputs = try lab.outputs(for: [proof])
            proof.witness = Witness(preimage: preimage).serialized
            try await lab.refuseSwap([proof], outputs: outputs, "preimage without signature", detail: "no signatures in proof.")
            proof.witness = try witness(proof.secret, [receiver])
            try await lab.refuseSwap([proof], outputs: outputs, "signature without preimage", detail: "no HTLC preimage provided")
            proof.witness = try witness(proof.secret, [.random()], preimage: preimage)
            try await lab.refuseSwap([proof], outputs: outputs, "preimage and a stranger's signature", detail: "signature threshold not met. 0 < 1.")
            proof.witness = try witness(proof.secret, [receiver], preimage: Hex.encode(SecureRandom.bytes(32)))
            try await lab.refuseSwap([proof], outputs: outputs, "wrong preimage and receiver signature")
            let sent = try witness(proof.secret, [receiver], preimage: preimage)
            proof.witness = sent
            try await lab.acceptSwap([proof], outputs: outputs, "preimage and receiver signature")
            let state = try #require(try await lab.states([proof]).first)
            #expect(state.witness == sent)
            let stored = try Witness(parsing: try #require(state.witness))
            #expect(stored.preimage == preimage && stored.signatures.count == 1)
        }
    }

    @Test("HTLC locktime: the refund key spends without preimage only after expiry")
    func htlcRefund() async throws {
        try await Lab.with { lab in
            let (receiver, sender) = (Scalar.random(), Scalar.random())
            let preimage = Hex.encode(SecureRandom.bytes(32))
            let hash = Hex.encode(Array(SHA256.hash(data: Hex.decode(preimage)!)))
            let expired = htlc(hash, [["pubkeys", try pub(receiver)], ["locktime", past], ["refund", try pub(sender)]])
            let active = htlc(hash, [["pubkeys", try pub(receiver)], ["locktime", future], ["refund", try pub(sender)]])
            let permanent = htlc(hash, [["locktime", "abc"], ["refund", try pub(sender)]])
            let open = htlc(hash, [["locktime", past]])
            let proofs = try await lab.mint(secrets: [expired, try expired.replacingNonce(), active, permanent, open])

            try await lab.refuseSwap([proofs[0]], "expired, no witness", detail: "no signatures in proof.")
            try await lab.refuseSwap([try signed(proofs[0], [.random()])], "expired, stranger", detail: "signature threshold not met. 0 < 1.")
            try await lab.acceptSwap([try signed(proofs[0], [sender])], "expired, refund signature without preimage")
            try await lab.acceptSwap([try signed(proofs[1], [receiver], preimage: preimage)], "expired, receiver pathway still open")

            try await lab.refuseSwap([try signed(proofs[2], [sender])], "active, refund signature", detail: "no HTLC preimage provided")
            try await lab.refuseSwap([try signed(proofs[2], [sender], preimage: preimage)], "active, refund signature with preimage")
            try await lab.acceptSwap([try signed(proofs[2], [receiver], preimage: preimage)], "active, receiver pathway")

            try await lab.refuseSwap([try signed(proofs[3], [sender])], "permanent (locktime not a number), refund signature")
            try await lab.acceptSwap([try signed(proofs[3], [], preimage: preimage)], "permanent, preimage")

            try await lab.acceptSwap([proofs[4]], "expired without refund tag: anyone can spend")
        }
    }

    @Test("HTLC whose data is not a 32-byte hex hash is unspendable", arguments: ["abcd", String(repeating: "zz", count: 32), String(repeating: "a", count: 63), String(repeating: "ab", count: 33)])
    func htlcMalformedData(_ data: String) async throws {
        try await Lab.with { lab in
            var proof = try await lab.mint(secrets: [htlc(data)])[0]
            proof.witness = Witness(preimage: Hex.encode(SecureRandom.bytes(32))).serialized
            try await lab.refuseSwap([proof], "HTLC data \(data)")
            proof.witness = nil
            try await lab.refuseSwap([proof], "HTLC data \(data), no witness")
        }
    }

    // MARK: - NUT-20

    @Test("NUT-20: a quote with a pubkey mints only with a valid signature over quote and outputs")
    func nut20SignedQuote() async throws {
        try await Lab.with { lab in
            let key = Scalar.random()
            let quote = try await lab.client.ok(
                MintQuoteBolt11Response.self, .post, "/v1/mint/quote/bolt11", MintQuoteBolt11Request(amount: 16, unit: .sat, pubkey: try key.publicPoint))
            #expect(quote.pubkey == (try key.publicPoint))
            let outputs = try lab.outputs([16])
            let other = try lab.outputs([8, 8])
            let unsigned = MintRequest(quote: quote.quote, outputs: outputs.messages)
            let specMessage = quote.quote + outputs.messages.map(\.blindedSecret.hex).joined()
            #expect(Array(specMessage.utf8) == unsigned.signatureMessage(.specification), "library message differs from NUT-20's")

            let bad: [(String, String?)] = [
                ("no signature", nil),
                ("signature by another key", try sign(specMessage, .random()).hex),
                ("signature over other outputs", try sign(quote.quote + other.messages.map(\.blindedSecret.hex).joined(), key).hex),
                ("signature over another quote ID", try sign("x" + specMessage, key).hex),
                ("signature over the outputs only", try sign(outputs.messages.map(\.blindedSecret.hex).joined(), key).hex),
                ("signature not hex", String(repeating: "zz", count: 64)),
                ("signature too short", String(try sign(specMessage, key).hex.dropLast(2))),
            ]
            for (label, signature) in bad {
                var request = unsigned
                request.signature = signature
                try await lab.expectError(.mintRequestSignatureInvalid, .post, "/v1/mint/bolt11", request, label)
            }
            let pending = try await lab.client.ok(MintQuoteBolt11Response.self, .get, "/v1/mint/quote/bolt11/\(quote.quote)")
            #expect(pending.state == .paid, "refused mint requests must not issue the quote")
            // The refusals signed nothing: the same outputs mint now.
            var request = unsigned
            request.signature = try sign(specMessage, key).hex
            let minted = try await lab.client.ok(MintResponse.self, .post, "/v1/mint/bolt11", request)
            #expect(try outputs.proofs(minted.signatures) { _, a in lab.keyset.keys[a] }.count == 1)
            let issued = try await lab.client.ok(MintQuoteBolt11Response.self, .get, "/v1/mint/quote/bolt11/\(quote.quote)")
            #expect(issued.state == .issued)
            #expect(issued.pubkey == (try key.publicPoint))
        }
    }

    @Test("NUT-20: both signature formats the library produces are accepted", arguments: MintRequest.SignatureFormat.allCases)
    func nut20Formats(_ format: MintRequest.SignatureFormat) async throws {
        try await Lab.with { lab in
            let key = Scalar.random()
            let quote = try await lab.client.ok(
                MintQuoteBolt11Response.self, .post, "/v1/mint/quote/bolt11", MintQuoteBolt11Request(amount: 24, unit: .sat, pubkey: try key.publicPoint))
            let outputs = try lab.outputs([16, 8])
            let request = try MintRequest(quote: quote.quote, outputs: outputs.messages).signed(with: key, format: format)
            let minted = try await lab.client.ok(MintResponse.self, .post, "/v1/mint/bolt11", request)
            #expect(try outputs.proofs(minted.signatures) { _, a in lab.keyset.keys[a] }.count == 2)
            // Signed by another key in the same format: refused.
            let quote2 = try await lab.client.ok(
                MintQuoteBolt11Response.self, .post, "/v1/mint/quote/bolt11", MintQuoteBolt11Request(amount: 8, unit: .sat, pubkey: try key.publicPoint))
            let forged = try MintRequest(quote: quote2.quote, outputs: try lab.outputs([8]).messages).signed(with: .random(), format: format)
            try await lab.expectError(.mintRequestSignatureInvalid, .post, "/v1/mint/bolt11", forged, "\(format), another key")
        }
    }

    @Test("NUT-20: requireQuotePubkey refuses quotes without a pubkey (20009)")
    func nut20RequiredPubkey() async throws {
        var settings = MintSettings()
        settings.requireQuotePubkey = true
        try await Lab.with(settings: settings) { lab in
            try await lab.expectError(.pubkeyRequired, .post, "/v1/mint/quote/bolt11", json: #"{"amount":8,"unit":"sat"}"#, "no pubkey")
            try await lab.expectError(.pubkeyRequired, .post, "/v1/mint/quote/bolt11", json: #"{"amount":8,"unit":"sat","pubkey":null}"#, "null pubkey")
            let key = Scalar.random()
            let quote = try await lab.client.ok(
                MintQuoteBolt11Response.self, .post, "/v1/mint/quote/bolt11", json: #"{"amount":8,"unit":"sat","pubkey":"\#(try pub(key))"}"#)
            #expect(quote.pubkey == (try key.publicPoint))
            let outputs = try lab.outputs([8])
            let request = MintRequest(quote: quote.quote, outputs: outputs.messages)
            try await lab.expectError(.mintRequestSignatureInvalid, .post, "/v1/mint/bolt11", request, "required key, unsigned")
            _ = try await lab.client.ok(MintResponse.self, .post, "/v1/mint/bolt11", try request.signed(with: key))
        }
    }

    @Test("NUT-20: a quote pubkey that is not a compressed point is 20009; no pubkey is fine by default")
    func nut20InvalidPubkey() async throws {
        try await Lab.with { lab in
            let key = Scalar.random()
            let point = try key.publicPoint
            let invalid: [(String, String)] = [
                ("02zz", #""02zz""#),
                ("x-only 32 bytes", "\"\(Hex.encode(point.xOnly))\""),
                ("uncompressed 65 bytes", "\"\(Hex.encode(point.uncompressed))\""),
                ("not on the curve", "\"02\(String(repeating: "ff", count: 32))\""),
                ("33 bytes with prefix 05", "\"05\(Hex.encode(point.xOnly))\""),
                ("a number", "5"),
            ]
            for (label, value) in invalid {
                try await lab.expectError(
                    .pubkeyRequired, .post, "/v1/mint/quote/bolt11", json: #"{"amount":8,"unit":"sat","pubkey":\#(value)}"#, label)
            }
            let none = try await lab.client.ok(MintQuoteBolt11Response.self, .post, "/v1/mint/quote/bolt11", json: #"{"amount":8,"unit":"sat"}"#)
            #expect(none.pubkey == nil)
            let null = try await lab.client.ok(MintQuoteBolt11Response.self, .post, "/v1/mint/quote/bolt11", json: #"{"amount":8,"unit":"sat","pubkey":null}"#)
            #expect(null.pubkey == nil)
            // Without a key no signature is needed.
            _ = try await lab.client.ok(MintResponse.self, .post, "/v1/mint/bolt11", MintRequest(quote: none.quote, outputs: try lab.outputs([8]).messages))
        }
    }

    // MARK: - Info

    @Test("/v1/info advertises NUT-07, 10, 11, 14 and 20 as {\"supported\": true}")
    func info() async throws {
        try await Lab.with { lab in
            let (status, body) = try await lab.client.call(.get, "/v1/info")
            #expect(status == .ok)
            let json = try JSONValue(parsing: String(decoding: body, as: UTF8.self))
            for nut in ["7", "10", "11", "14", "20"] {
                let setting = json["nuts"]?[nut]
                #expect(setting?["supported"]?.boolValue == true, "NUT-\(nut): \(String(describing: setting))")
                #expect(setting?.objectValue?.count == 1, "NUT-\(nut) is exactly {\"supported\": true}: \(String(describing: setting))")
            }
        }
    }
}

// MARK: - Malformed secret cases

/// P2PK secrets that NUT-10/11 call malformed. Each is signed by every key it names (the data key at least), so a
/// mint that ignored the malformation would accept the spend.
enum MalformedP2PK: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case duplicateSigflag, conflictingSigflags, duplicatePubkeysTag, duplicateNSigs, duplicateLocktime, duplicateRefundTag,
        duplicateNSigsRefund
    case unknownSigflag, lowercaseSigflag
    case nSigsZero, nSigsNegative, nSigsNotANumber, nSigsFraction, nSigsAboveKeys
    case nSigsRefundZero, nSigsRefundNotANumber, nSigsRefundAboveRefundKeys
    case pubkeyTwiceUppercase, pubkeyTwiceTwin, dataKeyInPubkeys, dataKeyTwinInPubkeys, dataKeyUppercaseInPubkeys, refundKeyTwiceTwin
    case pubkeyNotHex, pubkeyXOnly, pubkeyUncompressed, pubkeyOffCurve, refundKeyNotAPoint
    case dataNotAKey, dataXOnly, dataUncompressed
    case emptyTagValue, emptyPubkeyValue, nonStringTagValue, nonStringNSigs, emptyTag, tagNotAnArray

    var testDescription: String { rawValue }

    struct Keys: Sendable {
        let k1 = Scalar.random(), k2 = Scalar.random(), k3 = Scalar.random(), r1 = Scalar.random()
        var h1: String { (try? k1.publicPoint.hex) ?? "" }
        var h2: String { (try? k2.publicPoint.hex) ?? "" }
        var h3: String { (try? k3.publicPoint.hex) ?? "" }
        var hr: String { (try? r1.publicPoint.hex) ?? "" }
    }

    /// The secret and the keys that sign it.
    func make(_ k: Keys) throws -> (String, [Scalar]) {
        let nonce = Hex.encode(SecureRandom.bytes(16))
        func raw(_ data: String, _ tagsJSON: String) -> String {
            #"["P2PK",{"nonce":"\#(nonce)","data":"\#(data)","tags":\#(tagsJSON)}]"#
        }
        let notAPoint = "02" + String(repeating: "zz", count: 32)
        switch self {
        case .duplicateSigflag: return (p2pk(k.h1, [["sigflag", "SIG_INPUTS"], ["sigflag", "SIG_INPUTS"]]), [k.k1])
        case .conflictingSigflags: return (p2pk(k.h1, [["sigflag", "SIG_INPUTS"], ["sigflag", "SIG_ALL"]]), [k.k1])
        case .duplicatePubkeysTag: return (p2pk(k.h1, [["pubkeys", k.h2], ["pubkeys", k.h3]]), [k.k1])
        case .duplicateNSigs: return (p2pk(k.h1, [["pubkeys", k.h2], ["n_sigs", "1"], ["n_sigs", "1"]]), [k.k1, k.k2])
        case .duplicateLocktime: return (p2pk(k.h1, [["locktime", future], ["locktime", future]]), [k.k1])
        case .duplicateRefundTag: return (p2pk(k.h1, [["locktime", past], ["refund", k.hr], ["refund", k.h2]]), [k.k1, k.r1])
        case .duplicateNSigsRefund:
            return (p2pk(k.h1, [["locktime", past], ["refund", k.hr, k.h2], ["n_sigs_refund", "1"], ["n_sigs_refund", "1"]]), [k.k1, k.r1])
        case .unknownSigflag: return (p2pk(k.h1, [["sigflag", "SIG_NONE"]]), [k.k1])
        case .lowercaseSigflag: return (p2pk(k.h1, [["sigflag", "sig_inputs"]]), [k.k1])
        case .nSigsZero: return (p2pk(k.h1, [["pubkeys", k.h2], ["n_sigs", "0"]]), [k.k1, k.k2])
        case .nSigsNegative: return (p2pk(k.h1, [["pubkeys", k.h2], ["n_sigs", "-1"]]), [k.k1, k.k2])
        case .nSigsNotANumber: return (p2pk(k.h1, [["pubkeys", k.h2], ["n_sigs", "abc"]]), [k.k1, k.k2])
        case .nSigsFraction: return (p2pk(k.h1, [["pubkeys", k.h2], ["n_sigs", "1.5"]]), [k.k1, k.k2])
        case .nSigsAboveKeys: return (p2pk(k.h1, [["pubkeys", k.h2], ["n_sigs", "3"]]), [k.k1, k.k2])
        case .nSigsRefundZero: return (p2pk(k.h1, [["locktime", future], ["refund", k.hr], ["n_sigs_refund", "0"]]), [k.k1])
        case .nSigsRefundNotANumber: return (p2pk(k.h1, [["locktime", future], ["refund", k.hr], ["n_sigs_refund", "abc"]]), [k.k1])
        case .nSigsRefundAboveRefundKeys: return (p2pk(k.h1, [["locktime", future], ["refund", k.hr], ["n_sigs_refund", "2"]]), [k.k1])
        case .pubkeyTwiceUppercase: return (p2pk(k.h1, [["pubkeys", k.h2, upper(k.h2)]]), [k.k1])
        case .pubkeyTwiceTwin: return (p2pk(k.h1, [["pubkeys", k.h2, twin(k.h2)]]), [k.k1])
        case .dataKeyInPubkeys: return (p2pk(k.h1, [["pubkeys", k.h1]]), [k.k1])
        case .dataKeyTwinInPubkeys: return (p2pk(k.h1, [["pubkeys", twin(k.h1), k.h2], ["n_sigs", "2"]]), [k.k1, k.k2])
        case .dataKeyUppercaseInPubkeys: return (p2pk(k.h1, [["pubkeys", upper(k.h1)]]), [k.k1])
        case .refundKeyTwiceTwin: return (p2pk(k.h1, [["locktime", past], ["refund", k.hr, twin(k.hr)]]), [k.k1, k.r1])
        case .pubkeyNotHex: return (p2pk(k.h1, [["pubkeys", notAPoint]]), [k.k1])
        case .pubkeyXOnly: return (p2pk(k.h1, [["pubkeys", String(k.h2.dropFirst(2))]]), [k.k1])
        case .pubkeyUncompressed: return (p2pk(k.h1, [["pubkeys", Hex.encode(try k.k2.publicPoint.uncompressed)]]), [k.k1])
        case .pubkeyOffCurve: return (p2pk(k.h1, [["pubkeys", "02" + String(repeating: "ff", count: 32)]]), [k.k1])
        case .refundKeyNotAPoint: return (p2pk(k.h1, [["locktime", past], ["refund", notAPoint]]), [k.k1])
        case .dataNotAKey: return (p2pk("not-a-key"), [k.k1])
        case .dataXOnly: return (p2pk(String(k.h1.dropFirst(2))), [k.k1])
        case .dataUncompressed: return (p2pk(Hex.encode(try k.k1.publicPoint.uncompressed)), [k.k1])
        case .emptyTagValue: return (raw(k.h1, #"[["locktime",""]]"#), [k.k1])
        case .emptyPubkeyValue: return (raw(k.h1, #"[["pubkeys",""]]"#), [k.k1])
        case .nonStringTagValue: return (raw(k.h1, #"[["locktime",1000]]"#), [k.k1])
        case .nonStringNSigs: return (raw(k.h1, #"[["pubkeys","\#(k.h2)"],["n_sigs",1]]"#), [k.k1, k.k2])
        case .emptyTag: return (raw(k.h1, #"[[]]"#), [k.k1])
        case .tagNotAnArray: return (raw(k.h1, #"["sigflag"]"#), [k.k1])
        }
    }
}

// MARK: - Helpers

/// A locktime long past, and one far in the future (the mint uses its real clock).
fileprivate let past = "1000"
fileprivate let future = "4000000000"

fileprivate func pub(_ key: Scalar) throws -> String { try key.publicPoint.hex }
/// The same x coordinate with the other y parity prefix (the negated point).
fileprivate func twin(_ hex: String) -> String { (hex.hasPrefix("02") ? "03" : "02") + hex.dropFirst(2) }
/// The key with its hex digits in uppercase.
fileprivate func upper(_ hex: String) -> String { String(hex.prefix(2)) + hex.dropFirst(2).uppercased() }

fileprivate func p2pk(_ data: String, _ tags: [[String]] = []) -> String { WellKnownSecret(kind: .p2pk, data: data, tags: tags).serialized }
fileprivate func htlc(_ hash: String, _ tags: [[String]] = []) -> String { WellKnownSecret(kind: .htlc, data: hash, tags: tags).serialized }
fileprivate func randomSecret() -> String { Hex.encode(SecureRandom.bytes(32)) }

fileprivate extension String {
    /// The same NUT-10 secret with a fresh nonce.
    func replacingNonce() throws -> String {
        var s = try WellKnownSecret(parsing: self)
        s.nonce = Hex.encode(SecureRandom.bytes(32))
        return s.serialized
    }
}

/// BIP-340 signature on SHA-256 of the UTF-8 message (NUT-11's signature scheme).
fileprivate func sign(_ message: String, _ key: Scalar) throws -> SchnorrSignature {
    try key.schnorrSign(message: Array(SHA256.hash(data: Array(message.utf8))))
}

/// A witness string with one signature per key on `message`, and the preimage if given.
fileprivate func witness(_ message: String, _ keys: [Scalar], preimage: String? = nil) throws -> String {
    Witness(signatures: try keys.map { try sign(message, $0) }, preimage: preimage).serialized
}

/// The proof with a SIG_INPUTS witness: each key signs the proof's secret.
fileprivate func signed(_ proof: Proof, _ keys: [Scalar], preimage: String? = nil) throws -> Proof {
    var p = proof
    p.witness = try witness(proof.secret, keys, preimage: preimage)
    return p
}

/// NUT-11 SIG_ALL message: secret_0 ‖ C_0 ‖ … ‖ amount_0 ‖ B_0 ‖ … [‖ quote_id], C and B_ as hex.
fileprivate func sigAllMessage(_ inputs: [Proof], _ outputs: [BlindedMessage], quote: String? = nil) -> String {
    inputs.map { $0.secret + $0.signature.hex }.joined() + outputs.map { String($0.amount.rawValue) + $0.blindedSecret.hex }.joined() + (quote ?? "")
}

/// A mint behind its HTTP API with the helpers these tests need.
fileprivate struct Lab: Sendable {
    let client: any TestClientProtocol
    let keyset: KeysetKeysEntry

    static func with(settings: MintSettings = MintSettings(), _ body: @escaping @Sendable (Lab) async throws -> Void) async throws {
        try await APIHarness.with(settings: settings) { _, client in
            let keyset = try #require(try await client.ok(KeysResponse.self, .get, "/v1/keys").keysets.first)
            try await body(Lab(client: client, keyset: keyset))
        }
    }

    /// Mints one proof of `amount` for each of `secrets` (blinding those exact secrets).
    func mint(secrets: [String], amount: Amount = 8) async throws -> [Proof] {
        let total = Amount(amount.rawValue * UInt64(secrets.count))
        let quote = try await client.ok(MintQuoteBolt11Response.self, .post, "/v1/mint/quote/bolt11", MintQuoteBolt11Request(amount: total, unit: .sat))
        var outputs = try BlindedOutputs(Array(repeating: amount, count: secrets.count), keyset: keyset.id)
        for (i, secret) in secrets.enumerated() {
            let r = Scalar.random()
            outputs.messages[i].blindedSecret = try BDHKE.blind(secret: secret, r: r)
            outputs.secrets[i] = secret
            outputs.factors[i] = r
        }
        let response = try await client.ok(MintResponse.self, .post, "/v1/mint/bolt11", MintRequest(quote: quote.quote, outputs: outputs.messages))
        let proofs = try outputs.proofs(response.signatures) { _, a in keyset.keys[a] }
        try #require(proofs.map(\.secret) == secrets)
        return proofs
    }

    func outputs(_ amounts: [Amount]) throws -> BlindedOutputs { try BlindedOutputs(amounts, keyset: keyset.id) }

    /// Outputs worth as much as `inputs` (the default keyset charges no input fee).
    func outputs(for inputs: [Proof]) throws -> BlindedOutputs {
        try outputs(Amount(inputs.reduce(0) { $0 + $1.amount.rawValue }).powersOfTwo)
    }

    func states(_ proofs: [Proof]) async throws -> [CheckStateResponse.Entry] {
        let ys = try proofs.map { try $0.y }
        let response = try await client.ok(CheckStateResponse.self, .post, "/v1/checkstate", CheckStateRequest(ys: ys))
        #expect(response.states.map(\.y) == ys)
        return response.states
    }

    func expectStates(_ proofs: [Proof], _ state: ProofState, _ label: String, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let states = try await self.states(proofs)
        #expect(states.map(\.state) == Array(repeating: state, count: proofs.count), "\(label)", sourceLocation: sourceLocation)
    }

    /// Expects HTTP 400 with NUT error `code`.
    func expectError(
        _ code: CashuError.Code, _ method: HTTPRequest.Method, _ uri: String, json: String, _ label: String, detail: String? = nil,
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        let (status, body) = try await client.call(method, uri, json: json)
        let text = String(decoding: body, as: UTF8.self)
        #expect(status == .badRequest, "\(label): HTTP \(status.code) \(text)", sourceLocation: sourceLocation)
        guard let error = try? JSONDecoder().decode(CashuError.self, from: body) else {
            Issue.record("\(label): not a NUT error body: \(text)", sourceLocation: sourceLocation)
            return
        }
        #expect(error.code == code, "\(label): expected \(code.rawValue), got \(error.code.rawValue): \(error.detail)", sourceLocation: sourceLocation)
        #expect(!error.detail.isEmpty, sourceLocation: sourceLocation)
        if let detail { #expect(error.detail == detail, "\(label)", sourceLocation: sourceLocation) }
    }

    func expectError<B: Encodable>(
        _ code: CashuError.Code, _ method: HTTPRequest.Method, _ uri: String, _ value: B, _ label: String, detail: String? = nil,
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        try await expectError(
            code, method, uri, json: String(decoding: try JSONEncoder().encode(value), as: UTF8.self), label, detail: detail, sourceLocation: sourceLocation)
    }

    /// Expects the swap to be refused with `code` (and `detail`, when given: nutshell's words for the same failure) and,
    /// unless told otherwise, every input to remain unspent.
    func refuseSwap(
        _ inputs: [Proof], outputs: BlindedOutputs? = nil, code: CashuError.Code = .proofVerificationFailed, _ label: String, detail: String? = nil,
        expectUnspent: Bool = true, sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        let outs = try outputs ?? self.outputs(for: inputs)
        try await expectError(
            code, .post, "/v1/swap", SwapRequest(inputs: inputs, outputs: outs.messages), label, detail: detail, sourceLocation: sourceLocation)
        if expectUnspent { try await expectStates(inputs, .unspent, "\(label): refused swap spent nothing", sourceLocation: sourceLocation) }
    }

    /// Expects the swap to succeed: every output signed (DLEQ checked), every input spent with its witness recorded.
    @discardableResult
    func acceptSwap(
        _ inputs: [Proof], outputs: BlindedOutputs? = nil, _ label: String, sourceLocation: SourceLocation = #_sourceLocation
    ) async throws -> [Proof] {
        let outs = try outputs ?? self.outputs(for: inputs)
        let (status, body) = try await client.call(.post, "/v1/swap", SwapRequest(inputs: inputs, outputs: outs.messages))
        #expect(status == .ok, "\(label): HTTP \(status.code) \(String(decoding: body, as: UTF8.self))", sourceLocation: sourceLocation)
        guard status == .ok else { return [] }
        let response = try JSONDecoder().decode(SwapResponse.self, from: body)
        #expect(response.signatures.count == outs.messages.count, "\(label)", sourceLocation: sourceLocation)
        let fresh = try outs.proofs(response.signatures) { _, a in keyset.keys[a] }
        #expect(fresh.map(\.amount) == outs.messages.map(\.amount), "\(label)", sourceLocation: sourceLocation)
        let states = try await self.states(inputs)
        #expect(states.map(\.state) == Array(repeating: .spent, count: inputs.count), "\(label): inputs spent", sourceLocation: sourceLocation)
        #expect(states.map(\.witness) == inputs.map(\.witness), "\(label): witnesses recorded", sourceLocation: sourceLocation)
        return fresh
    }
}
