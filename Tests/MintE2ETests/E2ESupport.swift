import Bolt11
import CashewEncoding
import CashuCrypto
import CashuProtocol
import Crypto
import Foundation
import Secp256k1
import TestSupport
import Testing

/// The ledgers end-to-end tests run on.
enum Ledger: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case sqlite
    case postgres
    var testDescription: String { rawValue }
    static var available: [Ledger] { PostgresTestServer.available ? allCases : [.sqlite] }
}

/// Runs `body` with a database URL for `ledger` (nil: SQLite in the mint's data directory).
func withLedger<T>(_ ledger: Ledger, _ body: (String?) async throws -> T) async throws -> T {
    switch ledger {
    case .sqlite: return try await body(nil)
    case .postgres: return try await PostgresTestServer.withDatabase { try await body($0) }
    }
}

/// The wallet side over HTTP, enough to drive a mint in tests.
struct HTTPWallet {
    let url: String

    func keyset() async throws -> KeysetKeysEntry {
        let keys = try HTTPJSON.value(try await HTTPJSON.get(KeysResponse.self, url + "/v1/keys"))
        return try #require(keys.keysets.first { $0.unit == .sat })
    }

    /// Mints `amount` (waits for the fake node to mark the invoice paid).
    func mint(_ amount: Amount, split: [Amount]? = nil) async throws -> [Proof] {
        let keyset = try await keyset()
        let quote = try HTTPJSON.value(try await HTTPJSON.post(MintQuoteBolt11Response.self, url + "/v1/mint/quote/bolt11", MintQuoteBolt11Request(amount: amount, unit: .sat)))
        for _ in 0..<100 {
            let state = try HTTPJSON.value(try await HTTPJSON.get(MintQuoteBolt11Response.self, url + "/v1/mint/quote/bolt11/\(quote.quote)")).state
            if state == .paid { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        let outputs = try BlindedOutputs(split ?? amount.powersOfTwo, keyset: keyset.id)
        let minted = try HTTPJSON.value(try await HTTPJSON.post(MintResponse.self, url + "/v1/mint/bolt11", MintRequest(quote: quote.quote, outputs: outputs.messages)))
        try #require(minted.signatures.count == outputs.messages.count, "one signature per output")
        return try outputs.proofs(minted.signatures) { _, a in keyset.keys[a] }
    }

    func states(_ proofs: [Proof]) async throws -> [ProofState] {
        try HTTPJSON.value(try await HTTPJSON.post(CheckStateResponse.self, url + "/v1/checkstate", CheckStateRequest(ys: proofs.map { try $0.y }))).states.map(\.state)
    }
}

/// A signed invoice of some other node, `sat` satoshis.
func foreignInvoice(sat: UInt64) throws -> String {
    try Invoice.Builder(
        amountMsat: sat * 1000, paymentHash: Array(SHA256.hash(data: SecureRandom.bytes(32))), paymentSecret: SecureRandom.bytes(32),
        description: "e2e"
    ).sign(with: .random()).bolt11
}
