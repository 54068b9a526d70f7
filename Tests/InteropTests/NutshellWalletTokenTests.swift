import CashewEncoding
import CashuCrypto
import CashuProtocol
import Foundation
import FoundationNetworking
import Secp256k1
import TestSupport
import Testing

/// Real tokens both ways: nutshell's wallet mints and sends against nutshell's mint; Cashew decodes the tokens,
/// checks their DLEQ proofs and the keyset IDs with the mint's keys, re-encodes them, and nutshell's wallet
/// receives Cashew's tokens.
@Suite("Interop: nutshell's mint and wallet", .enabled(if: Interop.available), .serialized)
struct NutshellWalletTokenTests {
    static func token(in output: Interop.Output, prefix: String) throws -> String {
        let text = output.stdout + output.stderr
        guard let range = text.range(of: prefix + "[A-Za-z0-9_=-]+", options: .regularExpression) else {
            throw Interop.Failure(description: "no \(prefix) token in output:\n\(text)")
        }
        return String(text[range])
    }

    static func get<T: Decodable>(_ type: T.Type, _ url: String) async throws -> T {
        let (data, _) = try await URLSession.shared.data(from: URL(string: url)!)
        return try JSONDecoder().decode(T.self, from: data)
    }

    static func balance(_ mint: NutshellMint, _ wallet: String) async throws -> Int? {
        let out = try await mint.wallet(wallet, ["balance"])
        guard let range = out.stdout.range(of: "Balance: [0-9]+", options: .regularExpression) else { return nil }
        return Int(out.stdout[range].dropFirst("Balance: ".count))
    }

    @Test("tokens from nutshell's wallet decode and verify; nutshell's wallet receives Cashew's tokens")
    func tokensBothWays() async throws {
        let mint = try await NutshellMint()
        defer { mint.stop() }

        // Our models read nutshell's API responses, and our keyset IDs match its keysets.
        let keysets = try await Self.get(KeysetsResponse.self, mint.url + "/v1/keysets").keysets
        let keys = try await Self.get(KeysResponse.self, mint.url + "/v1/keys").keysets
        let info = try await Self.get(MintInfo.self, mint.url + "/v1/info")
        #expect(info.supports(nut: 12))
        let active = try #require(keys.first { $0.unit == .sat })
        #expect(keysets.contains { $0.id == active.id && $0.active })
        #expect(KeysetID.v2(keys: active.keys, unit: .sat, inputFeePPK: active.inputFeePPK ?? 0, finalExpiry: active.finalExpiry) == active.id)

        let minted = try await mint.wallet("alice", ["invoice", "64"])
        #expect(minted.status == 0, "\(minted.stderr)")

        // V4 with DLEQ, V3 with DLEQ, V4 without.
        let v4 = try await Token(decoding: Self.token(in: mint.wallet("alice", ["send", "8", "--dleq"]), prefix: "cashuB"))
        let v3 = try await Token(decoding: Self.token(in: mint.wallet("alice", ["send", "4", "--dleq", "--legacy"]), prefix: "cashuA"))
        let plain = try await Token(decoding: Self.token(in: mint.wallet("alice", ["send", "2"]), prefix: "cashuB"))
        for (token, amount, withDLEQ) in [(v4, 8, true), (v3, 4, true), (plain, 2, false)] {
            #expect(token.amount == Amount(UInt64(amount)))
            #expect(token.unit == .sat)
            #expect(token.normalizedMint == mint.url)
            for proof in token.proofs {
                let id = try proof.id.resolve(among: keysets.map(\.id))
                #expect(id == active.id)
                #expect(try HashToCurve.point(forSecret: proof.secret) != proof.signature)
                if withDLEQ {
                    let dleq = try #require(proof.dleq)
                    let key = try #require(active.keys[proof.amount])
                    #expect(DLEQ.verify(dleq.proof, blindingFactor: dleq.r, secret: proof.secret, signature: proof.signature, publicKey: key))
                    // A DLEQ checked against the wrong amount's key fails.
                    let other = try #require(active.keys[Amount(proof.amount.rawValue == 1 ? 2 : 1)])
                    #expect(!DLEQ.verify(dleq.proof, blindingFactor: dleq.r, secret: proof.secret, signature: proof.signature, publicKey: other))
                } else {
                    #expect(proof.dleq == nil)
                }
            }
        }

        // Cashew re-encodes: V4 (short keyset IDs) and V3; nutshell's wallet receives both at its mint.
        let ours4 = try Token(mint: mint.url, unit: .sat, memo: "via cashew", proofs: v4.proofs).serialized(.v4)
        let ours3 = try Token(mint: mint.url + "/", unit: .sat, proofs: v3.proofs.map { var p = $0; p.id = active.id; return p }).serialized(.v3)
        let received4 = try await mint.wallet("bob", ["receive", ours4])
        #expect(received4.status == 0, "\(received4.stdout)\(received4.stderr)")
        let received3 = try await mint.wallet("bob", ["receive", ours3])
        #expect(received3.status == 0, "\(received3.stdout)\(received3.stderr)")
        // Receiving with an input fee of 100 ppk costs 1 sat per receive.
        #expect(try await Self.balance(mint, "bob") == 8 + 4 - 2)
        // The same token again is a double spend.
        let again = try await mint.wallet("carol", ["receive", ours4])
        #expect((again.stdout + again.stderr).lowercased().contains("spent"), "\(again.stdout)\(again.stderr)")
        #expect(try await Self.balance(mint, "carol") == 0)
    }
}
