import Bolt11
import CashewEncoding
import CashewSQLiteStore
import CashuCrypto
import CashuMint
import CashuProtocol
import Logging
@testable import NutshellImport
import Secp256k1
import Testing

/// The importer on a nutshell ledger built here: what it checks before writing, pending melts, idempotence, and what
/// it refuses.
@Suite("Nutshell import: checks, pending melts, refusals")
struct NutshellImporterTests {
    static let key = "a-nutshell-private-key"

    /// A nutshell 0.21 ledger: one sat keyset at m/0'/0'/0' (fee 100 ppk), a few signatures, spent proofs, and a melt
    /// left PENDING with its two pending proofs.
    static func ledger() throws -> (NutshellLedger, MintKeyset) {
        let master = try ExtendedPrivateKey(seed: Array(key.utf8))
        let keyset = try MintKeyset(
            master: master, path: try DerivationPath(parsing: "m/0'/0'/0'"), unit: .sat, amounts: MintKeyset.powersOfTwo(), inputFeePPK: 100,
            finalExpiry: nil, idVersion: .v2)
        func proof(_ amount: UInt64, meltQuote: String? = nil) throws -> NutshellLedger.Proof {
            let secret = Hex.encode(SecureRandom.bytes(32))
            let y = try HashToCurve.point(forSecret: secret)
            let c = try y.multiplied(by: keyset.privateKeys[Amount(amount)]!)
            return .init(amount: amount, keysetID: keyset.id.hex, c: c.hex, secret: secret, y: y.hex, witness: nil, created: 1_800_000_000, meltQuote: meltQuote)
        }
        let promises = try [1, 2, 4, 64].map { (amount: UInt64) -> NutshellLedger.Promise in
            let b = try Scalar.random().publicPoint
            return .init(amount: amount, keysetID: keyset.id.hex, blindedMessage: b.hex, signature: try b.multiplied(by: keyset.privateKeys[Amount(amount)]!).hex, created: 1_800_000_000)
        }
        let invoice = try Invoice.Builder(
            amountMsat: 10_000, paymentHash: SecureRandom.bytes(32), paymentSecret: SecureRandom.bytes(32), description: "x"
        ).sign(with: .random()).bolt11
        let melt = NutshellLedger.MeltQuote(
            quote: "melt-1", method: "bolt11", request: invoice, checkingID: "", unit: "sat", amount: 10, feeReserve: 2, state: "PENDING",
            created: 1_800_000_000, paid: nil, feePaid: nil, preimage: nil, expiry: 1_800_003_600)
        let ledger = NutshellLedger(
            databaseVersion: 39,
            keysets: [.init(
                id: keyset.id.hex, derivationPath: "m/0'/0'/0'", seed: key, encrypted: false, active: true, unit: "sat", inputFeePPK: 100,
                amounts: nil, finalExpiry: nil, validFrom: 1_800_000_000, feesPaid: 3)],
            promises: promises, spent: try [proof(8), proof(16)], pending: try [proof(8, meltQuote: "melt-1"), proof(4, meltQuote: "melt-1")],
            mintQuotes: [], meltQuotes: [melt])
        return (ledger, keyset)
    }

    static func store() async throws -> SQLiteMintStore {
        let store = try await SQLiteMintStore.open(path: ":memory:", logger: Logger(label: "test"))
        try await store.migrate()
        return store
    }

    /// Runs `body` with a fresh ledger, closed afterwards whatever happens (an unclosed SQLite connection traps).
    static func withStore(_ body: (SQLiteMintStore) async throws -> Void) async throws {
        let store = try await Self.store()
        do {
            try await body(store)
        } catch {
            try? await store.close()
            throw error
        }
        try await store.close()
    }

    @Test("imports keysets, signatures with DLEQ, spent proofs, and a pending melt with its inputs pending; a second run writes nothing")
    func importsAndResumes() async throws {
        let (ledger, keyset) = try Self.ledger()
        try await Self.withStore { store in
        let importer = NutshellImporter(store: store, master: try ExtendedPrivateKey(seed: Array(Self.key.utf8)), logger: Logger(label: "test"))
        #expect(try NutshellImporter.privateKey(of: ledger) == Self.key)
        let summary = try await importer.run(ledger)
        #expect(summary.keysets == 1 && summary.signatures == 4 && summary.spentProofs == 2 && summary.pendingProofs == 2 && summary.meltQuotes == 1)
        #expect(summary.keysetPolicies[.sat] == KeysetPolicy(inputFeePPK: 100, denominations: 64))
        #expect(try await store.keysets().map(\.id) == [keyset.id])
        let melt = try #require(try await store.meltQuote(id: "melt-1"))
        #expect(melt.state == .pending && melt.inputAmount == 12 && melt.inputFee == 1 && melt.paymentBackend == nil)
        let pendingYs = ledger.pending.compactMap(\.y)
        #expect(try await store.proofStates(ys: pendingYs).values.allSatisfy { $0.state == .pending })
        // Signatures carry valid DLEQ proofs against the keyset's keys.
        for p in ledger.promises {
            let record = try #require(try await store.signatures(blindedMessages: [p.blindedMessage])[p.blindedMessage])
            let signature = try record.blindSignature
            let dleq = try #require(signature.dleq)
            #expect(DLEQ.verify(
                DLEQProof(e: dleq.e, s: dleq.s), publicKey: keyset.publicKeys[Amount(p.amount)]!, blindedMessage: try Point(hex: p.blindedMessage),
                blindSignature: signature.blindSignature))
        }
        let totals = try await store.ledgerTotals()
        let t = try #require(totals.keysets[keyset.id])
        #expect(t.issued == UInt128(71) && t.redeemed == UInt128(24) && t.pending == UInt128(12))
        #expect(totals.fees[.sat] ?? 0 == UInt128(3 + 1))

        let again = try await importer.run(ledger)
        #expect(again.keysets == 0 && again.signatures == 0 && again.spentProofs == 0 && again.meltQuotes == 0 && again.alreadyPresent > 0)
        #expect(try await store.ledgerTotals() == totals)
        }
    }

    @Test("a PENDING mint quote with signed outputs is ISSUED (never mintable again); a pending melt keeps its blank outputs; a quote that moved on refuses a re-run")
    func quoteStates() async throws {
        var (ledger, keyset) = try Self.ledger()
        func mintQuote(_ id: String, _ state: String) throws -> NutshellLedger.MintQuote {
            let invoice = try Invoice.Builder(
                amountMsat: 4000, paymentHash: SecureRandom.bytes(32), paymentSecret: SecureRandom.bytes(32), description: "m"
            ).sign(with: .random()).bolt11
            return .init(quote: id, method: "bolt11", request: invoice, checkingID: "", unit: "sat", amount: 4, state: state, pubkey: nil,
                         created: 1_800_000_000, paid: 1_800_000_001, issued: nil)
        }
        ledger.mintQuotes = [try mintQuote("crashed-while-issuing", "PENDING"), try mintQuote("paid-not-issued", "PENDING")]
        ledger.promises[2].mintQuote = "crashed-while-issuing"
        let blank = try Scalar.random().publicPoint
        ledger.blankOutputs = [.init(amount: 1, keysetID: keyset.id.hex, blindedMessage: blank.hex, meltQuote: "melt-1")]
        try await Self.withStore { store in
            let importer = NutshellImporter(store: store, master: try ExtendedPrivateKey(seed: Array(Self.key.utf8)), logger: Logger(label: "t"))
            _ = try await importer.run(ledger)
            #expect(try await store.mintQuote(id: "crashed-while-issuing")?.state == .issued)
            #expect(try await store.mintQuote(id: "paid-not-issued")?.state == .paid)
            #expect(try await store.meltQuote(id: "melt-1")?.blankOutputs?.map(\.blindedSecret) == [blank])
            // Nutshell moved on (restarted between two imports): the quote's state differs, and the re-run refuses.
            var later = ledger
            later.mintQuotes[1].state = "ISSUED"
            await #expect(throws: NutshellImporter.ImportError.self) { _ = try await importer.run(later) }
            #expect(try await store.mintQuote(id: "paid-not-issued")?.state == .paid)
        }
    }

    @Test("refused before anything is written: another key, a signature that is not k·B_, a wrong Y, a ledger with other keysets")
    func refusals() async throws {
        let (ledger, _) = try Self.ledger()
        let master = try ExtendedPrivateKey(seed: Array(Self.key.utf8))

        try await Self.withStore { empty in
            let wrongKey = NutshellImporter(store: empty, master: try ExtendedPrivateKey(seed: Array("another-private-key".utf8)), logger: Logger(label: "t"))
            await #expect(throws: NutshellImporter.ImportError.self) { _ = try await wrongKey.run(ledger) }
            #expect(try await empty.keysets().isEmpty)
        }

        var forged = ledger
        forged.promises[0].signature = try Scalar.random().publicPoint.hex
        try await Self.withStore { store in
        await #expect(throws: NutshellImporter.ImportError.self) { _ = try await NutshellImporter(store: store, master: master, logger: Logger(label: "t")).run(forged) }
        #expect(try await store.ledgerTotals().keysets.isEmpty)

        var badY = ledger
        badY.spent[0].y = try Scalar.random().publicPoint.hex
        await #expect(throws: NutshellImporter.ImportError.self) { _ = try await NutshellImporter(store: store, master: master, logger: Logger(label: "t")).run(badY) }
        // A pending proof without its pending melt: refused before the keysets or quotes are written.
        var orphan = ledger
        orphan.pending[0].meltQuote = "no-such-melt"
        await #expect(throws: NutshellImporter.ImportError.self) { _ = try await NutshellImporter(store: store, master: master, logger: Logger(label: "t")).run(orphan) }
        let nothing = try await store.keysets().isEmpty
        let noQuote = try await store.meltQuote(id: "melt-1") == nil
        #expect(nothing && noQuote)
        }

        // A ledger that already has a keyset of its own.
        try await Self.withStore { other in
        let own = try KeysetManager(master: master).makeKeyset(unit: .sat, index: 0, inputFeePPK: 0, denominations: 64, idVersion: .v2, finalExpiry: nil, now: 1)
        try await other.addKeyset(own)
        await #expect(throws: NutshellImporter.ImportError.self) { _ = try await NutshellImporter(store: other, master: master, logger: Logger(label: "t")).run(ledger) }
        #expect(try await other.keysets().count == 1)
        }
    }
}
