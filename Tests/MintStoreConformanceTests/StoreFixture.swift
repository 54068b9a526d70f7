import CashewEncoding
import CashewPostgresStore
import CashewSQLiteStore
import CashuCrypto
import CashuMint
import CashuProtocol
import Foundation
import Logging
import PostgresNIO
import Secp256k1
import TestSupport
import Testing

/// The ledger implementations under test.
enum StoreKind: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case sqlite
    case postgres
    /// PostgreSQL through PgBouncer in transaction pooling mode.
    case pgbouncer

    var testDescription: String { rawValue }

    /// The kinds that can run here: PostgreSQL only when a server is configured, PgBouncer when it runs in front.
    static var available: [StoreKind] {
        guard PostgresTestServer.available else { return [.sqlite] }
        return PostgresTestServer.pgbouncerPort == nil ? [.sqlite, .postgres] : allCases
    }
}

/// A fresh, migrated, empty ledger of a kind, dropped afterwards.
enum StoreFixture {
    static let logger = Logger(label: "store-test")

    static func with(_ kind: StoreKind, _ body: (any MintStore) async throws -> Void) async throws {
        switch kind {
        case .sqlite:
            let store = try await SQLiteMintStore.open(path: ":memory:", logger: logger)
            do {
                try await store.migrate()
                try await body(store)
            } catch {
                try? await store.close()
                throw error
            }
            try await store.close()
        case .postgres, .pgbouncer:
            try await withPostgresDatabase { direct in
                guard let url = kind == .postgres ? direct : PostgresTestServer.viaPgBouncer(direct) else { throw Interop.Failure(description: "no PgBouncer") }
                // A generous wait for connections: the whole suite shares one server, and these are not outage tests.
                let store = try await PostgresMintStore.connect(
                    url: url, maxConnections: 20, limits: PostgresLedgerLimits(acquireTimeout: .seconds(60)), logger: logger)
                do {
                    try await store.whileRunning {
                        try await store.migrate()
                        try await body(store)
                    }
                } catch {
                    await store.close()
                    throw error
                }
                await store.close()
            }
        }
    }

    static func withPostgresDatabase(_ body: (String) async throws -> Void) async throws {
        try await PostgresTestServer.withDatabase(body)
    }
}

/// Records with random keys.
enum Records {
    static let keysetID = try! KeysetID(hex: "00" + "aa" + "bbccddeeff00")
    static let now: UInt64 = 1_800_000_000

    static func point() -> String { try! Scalar.random().publicPoint.hex }

    static func proof(_ amount: Amount = 8, keyset: KeysetID = keysetID, witness: String? = nil) -> ProofRecord {
        ProofRecord(y: point(), amount: amount, keysetID: keyset, secret: Hex.encode(SecureRandom.bytes(32)), signature: point(), witness: witness)
    }

    static func signature(_ amount: Amount = 8, keyset: KeysetID = keysetID) -> SignatureRecord {
        SignatureRecord(blindedMessage: point(), amount: amount, keysetID: keyset, signature: point(), dleqE: Hex.encode(SecureRandom.bytes(32)), dleqS: Hex.encode(SecureRandom.bytes(32)))
    }

    static func operation(_ kind: OperationKind = .swap, quote: String? = nil, fee: Amount = 0) -> OperationRecord {
        OperationRecord(id: UUID().uuidString, kind: kind, quoteID: quote, unit: .sat, fee: fee, createdAt: now)
    }

    static func mintQuote(_ amount: Amount = 64) -> MintQuoteRecord {
        MintQuoteRecord(
            id: UUID().uuidString, method: "bolt11", request: "lnbc…", paymentHash: try! PaymentHash(bytes: SecureRandom.bytes(32)), amount: amount, unit: .sat,
            state: .unpaid, pubkey: nil, expiry: now + 3600, createdAt: now)
    }

    static func meltQuote(hash: PaymentHash = try! PaymentHash(bytes: SecureRandom.bytes(32))) -> MeltQuoteRecord {
        MeltQuoteRecord(
            id: UUID().uuidString, method: "bolt11", request: "lnbc…", paymentHash: hash, unit: .sat, amount: 100, feeReserve: 2,
            amountMsat: 100_000, state: .unpaid, expiry: now + 3600, createdAt: now)
    }

    static func keyset(id: KeysetID, unit: CurrencyUnit = .sat, active: Bool = true, index: UInt32 = 0) throws -> KeysetRecord {
        KeysetRecord(
            id: id, unit: unit, active: active, inputFeePPK: 100, finalExpiry: nil, derivationPath: try DerivationPath(parsing: "m/129372'/0'/\(index)'"),
            derivationIndex: index, amounts: [1, 2, 4, Amount(1 << 63)], idVersion: .v2, validFrom: now)
    }
}

/// Asserts that `body` throws `MintStoreError` with `code`.
func expectStoreError(_ code: MintStoreError.Code, sourceLocation: SourceLocation = #_sourceLocation, _ body: () async throws -> Void) async {
    do {
        try await body()
        Issue.record("expected \(code.rawValue), got success", sourceLocation: sourceLocation)
    } catch let error as MintStoreError {
        #expect(error.code == code, "expected \(code.rawValue), got \(error)", sourceLocation: sourceLocation)
    } catch {
        Issue.record("expected \(code.rawValue), got \(error)", sourceLocation: sourceLocation)
    }
}
