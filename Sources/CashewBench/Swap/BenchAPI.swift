import AsyncHTTPClient
import CashewEncoding
import CashuCrypto
import CashuProtocol
import Foundation
import NIOCore
import NIOHTTP1
import Secp256k1

/// Blinded outputs of amount 1 (the bench's own small wallet side).
struct BenchOutputs {
    var messages: [BlindedMessage]
    var secrets: [String]
    var factors: [Scalar]

    init(count: Int, keyset: KeysetID) throws {
        messages = []
        secrets = []
        factors = []
        for _ in 0..<count {
            let secret = Hex.encode(SecureRandom.bytes(32))
            let r = Scalar.random()
            messages.append(BlindedMessage(amount: 1, id: keyset, blindedSecret: try BDHKE.blind(secret: secret, r: r)))
            secrets.append(secret)
            factors.append(r)
        }
    }
}

/// The mint's API as the bench uses it.
struct BenchAPI: Sendable {
    let client: HTTPClient
    let base: String

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    func get(_ path: String) async throws -> (Int, Data) {
        let response = try await client.execute(HTTPClientRequest(url: base + path), timeout: .seconds(60))
        let body = try await response.body.collect(upTo: 64 << 20)
        return (Int(response.status.code), Data(body.readableBytesView))
    }

    func post(_ path: String, _ body: ByteBuffer) async throws -> (Int, Data) {
        var request = HTTPClientRequest(url: base + path)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(body)
        let response = try await client.execute(request, timeout: .seconds(120))
        let data = try await response.body.collect(upTo: 64 << 20)
        return (Int(response.status.code), Data(data.readableBytesView))
    }

    func decode<T: Decodable>(_ type: T.Type, _ result: (Int, Data)) throws -> T {
        guard result.0 == 200 else { throw Failure(description: "HTTP \(result.0): \(String(decoding: result.1.prefix(300), as: UTF8.self))") }
        return try JSONDecoder().decode(T.self, from: result.1)
    }

    func satKeyset() async throws -> KeysetKeysEntry {
        let keys = try decode(KeysResponse.self, try await get("/v1/keys"))
        guard let keyset = keys.keysets.first(where: { $0.unit == .sat }) else { throw Failure(description: "the mint has no sat keyset") }
        return keyset
    }

    /// A paid quote for `amount` (waits for the fake node).
    func paidQuote(_ amount: Amount) async throws -> String {
        let body = ByteBuffer(bytes: try JSONEncoder().encode(MintQuoteBolt11Request(amount: amount, unit: .sat)))
        let quote = try decode(MintQuoteBolt11Response.self, try await post("/v1/mint/quote/bolt11", body))
        for _ in 0..<600 {
            if try decode(MintQuoteBolt11Response.self, try await get("/v1/mint/quote/bolt11/\(quote.quote)")).state == .paid { return quote.quote }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw Failure(description: "quote \(quote.quote) was not paid within 60 s")
    }

    /// `count` proofs of 1 sat, minted in requests of at most 1000 outputs.
    func mintOnes(_ count: Int, keyset: KeysetKeysEntry) async throws -> [Proof] {
        guard let key = keyset.keys[1] else { throw Failure(description: "keyset has no key for amount 1") }
        var proofs = [Proof]()
        proofs.reserveCapacity(count)
        while proofs.count < count {
            let n = min(1000, count - proofs.count)
            let quote = try await paidQuote(Amount(UInt64(n)))
            let outputs = try BenchOutputs(count: n, keyset: keyset.id)
            let body = ByteBuffer(bytes: try JSONEncoder().encode(MintRequest(quote: quote, outputs: outputs.messages)))
            let minted = try decode(MintResponse.self, try await post("/v1/mint/bolt11", body))
            for (i, sig) in minted.signatures.enumerated() {
                proofs.append(Proof(
                    amount: 1, id: sig.id, secret: outputs.secrets[i], signature: try BDHKE.unblind(sig.blindSignature, r: outputs.factors[i], mintKey: key)))
            }
        }
        return proofs
    }

    /// Seconds for one POST /v1/mint/bolt11 with `outputs` outputs of 1 sat (the quote is paid beforehand).
    func timedMint(outputs count: Int, keyset: KeysetKeysEntry) async throws -> Double {
        let quote = try await paidQuote(Amount(UInt64(count)))
        let outputs = try BenchOutputs(count: count, keyset: keyset.id)
        let body = ByteBuffer(bytes: try JSONEncoder().encode(MintRequest(quote: quote, outputs: outputs.messages)))
        let clock = ContinuousClock()
        let start = clock.now
        let result = try await post("/v1/mint/bolt11", body)
        let d = clock.now - start
        _ = try decode(MintResponse.self, result)
        return Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
    }
}
