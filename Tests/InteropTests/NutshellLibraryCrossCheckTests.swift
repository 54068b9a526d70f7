import CashewEncoding
import CashuCrypto
import CashuProtocol
import Foundation
import Secp256k1
import TestSupport
import Testing

/// Cashew against nutshell's own Python functions: the same inputs must give the same outputs, and each side must
/// accept what the other produces.
@Suite("Interop: nutshell's library", .enabled(if: Interop.available))
struct NutshellLibraryCrossCheckTests {
    @Test("crypto, keysets, tokens, NUT-20 and NUT-18 agree with nutshell 0.21.0")
    func crossCheck() async throws {
        let mintKey = Scalar.random()
        let mintPublicKey = try mintKey.publicPoint
        let secrets = (0..<8).map { _ in Hex.encode(SecureRandom.bytes(32)) } + ["a", "", "[\"P2PK\",{\"nonce\":\"00\"}]", "ünïcødé ✓"]
        let rs = secrets.map { _ in Scalar.random() }
        var blinded = [Point](), blindSigs = [Point](), proofsC = [Point](), es = [String](), ss = [String]()
        for (secret, r) in zip(secrets, rs) {
            let b = try BDHKE.blind(secret: secret, r: r)
            let (c, proof) = try DLEQ.sign(b, key: mintKey, publicKey: mintPublicKey)
            blinded.append(b)
            blindSigs.append(c)
            es.append(proof.e.hex)
            ss.append(proof.s.hex)
            proofsC.append(try BDHKE.unblind(c, r: r, mintKey: mintPublicKey))
        }

        // Tokens from us, for nutshell to decode.
        let keysetID = try KeysetID(hex: "01" + Hex.encode(SecureRandom.bytes(32)))
        let tokenProofs = (0..<3).map { i in
            Proof(amount: Amount(UInt64(1) << UInt64(i)), id: keysetID, secret: secrets[i], signature: proofsC[i],
                  witness: i == 2 ? #"{"signatures":[]}"# : nil,
                  dleq: ProofDLEQ(e: try! Scalar(hex: es[i]), s: try! Scalar(hex: ss[i]), r: rs[i]))
        }
        let ourToken = Token(mint: "http://127.0.0.1:3338", unit: .sat, memo: "from cashew ✓", proofs: tokenProofs)

        // NUT-20 request signed by us (spec format).
        let quoteKey = Scalar.random()
        let outputs = (0..<3).map { i in BlindedMessage(amount: Amount(UInt64(1) << UInt64(i)), id: keysetID, blindedSecret: blinded[i]) }
        let mintRequest = try MintRequest(quote: UUID().uuidString.lowercased(), outputs: outputs).signed(with: quoteKey)

        // NUT-18 request.
        let paymentRequest = PaymentRequest(
            id: "b7a90176", amount: 21, unit: .sat, singleUse: true, mints: ["https://mint.example"], description: "coffee",
            transports: [.post("https://shop.example/pay"), PaymentRequest.Transport(type: "nostr", target: "nprofile1xyz", tags: [["n", "17"]])],
            nut10: PaymentRequest.NUT10Option(kind: "P2PK", data: try quoteKey.publicPoint.hex, tags: [["locktime", "100"]]))

        let encoder = JSONEncoder()
        let request: JSONValue = .object([
            ("mint_key", .string(mintKey.hex)),
            ("secrets", .array(secrets.map(JSONValue.string))),
            ("r", .array(rs.map { .string($0.hex) })),
            ("ours", .object([
                ("B_", .array(blinded.map { .string($0.hex) })), ("C_", .array(blindSigs.map { .string($0.hex) })),
                ("C", .array(proofsC.map { .string($0.hex) })), ("e", .array(es.map(JSONValue.string))), ("s", .array(ss.map(JSONValue.string))),
            ])),
            ("keyset", .object([("seed", .string("cashew interop seed")), ("path", .string("m/0'/0'/7'")), ("orders", .uint(64)), ("fee", .uint(100))])),
            ("tokens", .object([("v4", .string(try ourToken.serialized(.v4))), ("v3", .string(try ourToken.serialized(.v3)))])),
            ("token_proofs", try JSONValue(parsing: Array(encoder.encode(tokenProofs)))),
            ("token_mint", .string("http://127.0.0.1:3338/")),
            ("token_memo", .string("from nutshell")),
            ("mint_request", try JSONValue(parsing: Array(encoder.encode(mintRequest)))),
            ("quote_pubkey", .string(try quoteKey.publicPoint.hex)),
            ("quote_privkey", .string(quoteKey.hex)),
            ("payment_request", .string(paymentRequest.encoded)),
            ("payment_request_json", .object([
                ("i", .string("x1")), ("a", .uint(5)), ("u", .string("sat")), ("m", .array([.string("https://m.example")])),
                ("t", .array([.object([("t", .string("post")), ("a", .string("https://p.example"))])])),
            ])),
        ])
        let inputFile = FileManager.default.temporaryDirectory.appendingPathComponent("cashew-interop-\(UUID().uuidString).json")
        try Data(request.serializedBytes).write(to: inputFile)
        defer { try? FileManager.default.removeItem(at: inputFile) }
        let output = try await Interop.python(
            String(decoding: try Vectors.data("interop/nutshell_crosscheck.py"), as: UTF8.self), arguments: [inputFile.path])
        let result = try JSONValue(parsing: output)
        func strings(_ key: String) -> [String] { result[key]?.arrayValue?.compactMap(\.stringValue) ?? [] }
        func bools(_ key: String) -> [Bool] { result[key]?.arrayValue?.compactMap(\.boolValue) ?? [] }

        // Crypto: identical values, deterministic DLEQ included; nutshell accepts our proofs.
        #expect(strings("hash_to_curve") == (try secrets.map { try HashToCurve.point(forSecret: $0).hex }))
        #expect(strings("B_") == blinded.map(\.hex))
        #expect(strings("C_") == blindSigs.map(\.hex))
        #expect(strings("e") == es)
        #expect(strings("s") == ss)
        #expect(strings("C") == proofsC.map(\.hex))
        #expect(bools("alice_verify_ours") == Array(repeating: true, count: secrets.count))
        #expect(bools("carol_verify_ours") == Array(repeating: true, count: secrets.count))
        #expect(bools("verify_ours") == Array(repeating: true, count: secrets.count))

        // Keysets: nutshell's derivation from its private-key string.
        let keyset = try MintKeyset(
            master: MintKeyset.nutshellMaster(privateKey: "cashew interop seed"), path: DerivationPath(parsing: "m/0'/0'/7'"),
            unit: .sat, amounts: MintKeyset.powersOfTwo(count: 64), idVersion: .v1)
        let theirKeys = result.at("keyset", "keys").objectValue ?? []
        #expect(theirKeys.count == 64)
        for (amount, key) in theirKeys {
            let value = try #require(UInt64(amount), "keyset amount \(amount)")
            #expect(keyset.publicKeys[Amount(value)]?.hex == key.stringValue)
        }
        #expect(keyset.id.hex == result.string("keyset", "id_v1"))
        #expect(KeysetID.v2(keys: keyset.publicKeys, unit: .sat).hex == result.string("keyset", "id_v2"))
        #expect(KeysetID.v2(keys: keyset.publicKeys, unit: .sat, inputFeePPK: 100).hex == result.string("keyset", "id_v2_fee"))

        // Tokens: nutshell decodes ours (V4 with short keyset IDs and V3 with full IDs)...
        for (key, expectedID) in [("decoded_v4", keysetID.shortID.hex), ("decoded_v3", keysetID.hex)] {
            let decoded = result.at(key)
            #expect(decoded.string("mint") == "http://127.0.0.1:3338")
            #expect(decoded.string("unit") == "sat")
            #expect(decoded.string("memo") == "from cashew ✓")
            let proofs = decoded.at("proofs").arrayValue ?? []
            #expect(proofs.count == 3)
            for (p, ours) in zip(proofs, tokenProofs) {
                #expect(p.string("id") == expectedID)
                #expect(p.at("amount").uint64Value == ours.amount.rawValue)
                #expect(p.string("secret") == ours.secret)
                #expect(p.string("C") == ours.signature.hex)
                #expect(p["witness"]?.stringValue == ours.witness)
                #expect(p.string("dleq", "e") == ours.dleq?.e.hex && p.string("dleq", "r") == ours.dleq?.r.hex)
            }
        }
        // ...and we decode nutshell's, DLEQ and witness included.
        for key in ["token_v4", "token_v3"] {
            let token = try Token(decoding: result.string(key))
            #expect(token.normalizedMint == "http://127.0.0.1:3338")
            #expect(token.memo == "from nutshell")
            #expect(token.proofs.map(\.secret) == tokenProofs.map(\.secret))
            #expect(token.proofs.map(\.signature) == tokenProofs.map(\.signature))
            #expect(token.proofs.map(\.dleq) == tokenProofs.map(\.dleq))
            #expect(token.proofs.map(\.witness) == tokenProofs.map(\.witness))
            #expect(try token.proofs.map { try $0.id.resolve(among: [keysetID]) } == tokenProofs.map(\.id))
            for p in token.proofs {
                let dleq = try #require(p.dleq)
                #expect(DLEQ.verify(dleq.proof, blindingFactor: dleq.r, secret: p.secret, signature: p.signature, publicKey: mintPublicKey))
            }
        }

        // NUT-20 both ways.
        #expect(result["nut20_ours_valid"]?.boolValue == true)
        var theirs = mintRequest
        theirs.signature = result.string("nut20_nutshell_signature")
        #expect(theirs.hasValidSignature(for: try quoteKey.publicPoint))

        // NUT-18 both ways.
        let creq = result.at("creq_decoded")
        #expect(creq.string("i") == "b7a90176" && creq.at("a").uint64Value == 21 && creq.string("d") == "coffee")
        #expect(creq.at("t").arrayValue?.count == 2)
        #expect(creq.string("nut10", "d") == paymentRequest.nut10?.data)
        #expect(creq.at("t")[1]?["g"]?[0]?[1]?.stringValue == "17")
        let fromNutshell = try PaymentRequest(decoding: result.string("creq_nutshell"))
        #expect(fromNutshell == PaymentRequest(id: "x1", amount: 5, unit: .sat, mints: ["https://m.example"], transports: [.post("https://p.example")]))
    }
}
