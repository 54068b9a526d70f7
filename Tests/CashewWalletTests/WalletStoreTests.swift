import CashewEncoding
@testable import CashewWallet
import CashuCrypto
import CashuProtocol
import Foundation
import Secp256k1
import Testing

@Suite("Wallet store")
struct WalletStoreTests {
    static let mintURL = "http://127.0.0.1:3338"

    static func keyset(_ version: KeysetID.Version = .v2, fee: UInt64 = 0) throws -> (MintKeyset, KeysetKeysEntry) {
        let master = try ExtendedPrivateKey(seed: SecureRandom.bytes(32))
        let k = try MintKeyset(
            master: master, path: DerivationPath(parsing: "m/129372'/0'/0'"), unit: .sat, amounts: MintKeyset.powersOfTwo(count: 8),
            inputFeePPK: fee, idVersion: version)
        return (k, KeysetKeysEntry(id: k.id, unit: .sat, active: true, inputFeePPK: fee, finalExpiry: nil, keys: k.publicKeys))
    }

    /// Proofs signed by `keyset` (valid, so that their Ys and signatures are real).
    static func proofs(_ amounts: [Amount], _ keyset: MintKeyset) throws -> [Proof] {
        try amounts.map { amount in
            let secret = Hex.encode(SecureRandom.bytes(32))
            return Proof(amount: amount, id: keyset.id, secret: secret, signature: try HashToCurve.point(forSecret: secret).multiplied(by: keyset.privateKeys[amount]!))
        }
    }

    static func withStore(path: String = ":memory:", _ body: (WalletStore) async throws -> Void) async throws {
        let store = try await WalletStore.open(path: path)
        do { try await body(store) } catch {
            try? await store.close()
            throw error
        }
        try await store.close()
    }

    @Test("a mint quote's state never goes back on a stale answer (NUT-04); a melt quote's may (a failed payment)")
    func quoteStates() async throws {
        try await Self.withStore { store in
            let url = "http://127.0.0.1:1"
            try await store.addMint(url)
            try await store.saveQuote(WalletQuote(id: "m", mintURL: url, kind: .mint, request: "lnbc1", amount: 10, unit: .sat, state: "UNPAID", expiry: nil))
            try await store.saveQuote(WalletQuote(id: "x", mintURL: url, kind: .melt, request: "lnbc2", amount: 10, unit: .sat, state: "UNPAID", expiry: nil))
            func state(_ id: String, _ kind: WalletQuote.Kind) async throws -> String? {
                try await store.quotes(mintURL: url, kind: kind).first { $0.id == id }?.state
            }
            for (next, expected) in [("PAID", "PAID"), ("UNPAID", "PAID"), ("ISSUED", "ISSUED"), ("PAID", "ISSUED"), ("UNPAID", "ISSUED")] {
                try await store.setQuoteState(mintURL: url, id: "m", state: next)
                #expect(try await state("m", .mint) == expected, "after \(next)")
            }
            for next in ["PENDING", "UNPAID", "PENDING", "PAID"] {
                try await store.setQuoteState(mintURL: url, id: "x", state: next)
                #expect(try await state("x", .melt) == next)
            }
        }
    }

    @Test("mints: the first is the default; the default can move; unknown mints are refused")
    func mints() async throws {
        try await Self.withStore { store in
            try await store.addMint("http://a")
            try await store.addMint("http://b")
            try await store.addMint("http://a")
            #expect(try await store.mints().map(\.url) == ["http://a", "http://b"])
            #expect(try await store.mints().filter(\.isDefault).map(\.url) == ["http://a"])
            try await store.setDefaultMint("http://b")
            #expect(try await store.mints().filter(\.isDefault).map(\.url) == ["http://b"])
            await #expect(throws: WalletStoreError.self) { try await store.setDefaultMint("http://c") }
        }
    }

    @Test("keysets are stored only when their ID matches their keys; counters only grow and never overlap")
    func keysetsAndCounters() async throws {
        try await Self.withStore { store in
            for version in [KeysetID.Version.v1, .v2] {
                let (_, entry) = try Self.keyset(version, fee: 100)
                try await store.saveKeyset(entry, mintURL: Self.mintURL)
            }
            // A mint that lies about its keys (one key swapped) is refused.
            let (_, honest) = try Self.keyset()
            var keys = honest.keys.keys
            keys[1] = try Scalar.random().publicPoint
            let forged = KeysetKeysEntry(id: honest.id, unit: .sat, active: true, inputFeePPK: 0, finalExpiry: nil, keys: KeysetKeys(keys))
            await #expect(throws: WalletStoreError.self) { try await store.saveKeyset(forged, mintURL: Self.mintURL) }
            // So is a fee other than the one the V2 ID commits to.
            let wrongFee = KeysetKeysEntry(id: honest.id, unit: .sat, active: true, inputFeePPK: 5, finalExpiry: nil, keys: honest.keys)
            await #expect(throws: WalletStoreError.self) { try await store.saveKeyset(wrongFee, mintURL: Self.mintURL) }
            let stored = try await store.keysets(mintURL: Self.mintURL)
            #expect(stored.count == 2 && stored.allSatisfy { $0.inputFeePPK == 100 && $0.counter == 0 })

            let first = try #require(stored.first)
            let id = first.id
            let starts = try await withThrowingTaskGroup(of: UInt32.self) { group in
                for _ in 0..<20 { group.addTask { try await store.reserveCounter(id, count: 3) } }
                return try await group.reduce(into: [UInt32]()) { $0.append($1) }
            }
            #expect(Set(starts) == Set(stride(from: UInt32(0), to: 60, by: 3)))
            try await store.advanceCounter(id, to: 10)
            #expect(try await store.keysets(mintURL: Self.mintURL).first { $0.id == id }?.counter == 60)
            try await store.advanceCounter(id, to: 100)
            #expect(try await store.reserveCounter(id, count: 1) == 100)
            // Saving the keyset again (e.g. after a refresh) keeps its counter.
            try await store.saveKeyset(KeysetKeysEntry(id: id, unit: .sat, active: false, inputFeePPK: 100, finalExpiry: nil, keys: first.keys), mintURL: Self.mintURL)
            let again = try #require(try await store.keysets(mintURL: Self.mintURL).first { $0.id == id })
            #expect(again.counter == 101 && !again.active)
        }
    }

    @Test("an operation reserves its inputs exclusively; finishing it spends them and stores the new proofs at once")
    func operations() async throws {
        try await Self.withStore { store in
            let (keyset, entry) = try Self.keyset()
            try await store.addMint(Self.mintURL)
            try await store.saveKeyset(entry, mintURL: Self.mintURL)
            let inputs = try Self.proofs([1, 2, 4], keyset)
            try await store.addProofs(inputs, mintURL: Self.mintURL)
            try await store.addProofs(inputs, mintURL: Self.mintURL)  // never stored twice
            #expect(try await store.balance(mintURL: Self.mintURL, unit: .sat) == 7)
            let ys = try inputs.map { try $0.y.hex }

            let swap = try await store.beginOperation(.swap, mintURL: Self.mintURL, data: "{}", inputs: Array(ys[0...1]))
            #expect(try await store.balance(mintURL: Self.mintURL, unit: .sat) == 4)
            // A second operation cannot take a proof the first holds, and takes nothing when it fails.
            await #expect(throws: WalletStoreError.self) {
                _ = try await store.beginOperation(.send, mintURL: Self.mintURL, data: "{}", inputs: [ys[1], ys[2]])
            }
            #expect(try await store.proofs(mintURL: Self.mintURL).map(\.y) == [ys[2]])
            #expect(try await store.openOperations().map(\.id) == [swap.id])

            try await store.markSent(swap.id)
            #expect(try await store.proofs(operationID: swap.id).allSatisfy { $0.state == .pending })
            let outputs = try Self.proofs([1, 2], keyset)
            try await store.finishOperation(
                swap.id, state: .done, inputsTo: .spent, newProofs: outputs, mintURL: Self.mintURL,
                history: HistoryEntry(kind: "swapped", mintURL: Self.mintURL, unit: .sat, amount: 3, createdAt: 1))
            #expect(try await store.balance(mintURL: Self.mintURL, unit: .sat) == 7)
            #expect(try await store.proofs(mintURL: Self.mintURL, states: [.spent]).map(\.y).sorted() == Array(ys[0...1]).sorted())
            #expect(try await store.openOperations().isEmpty)
            #expect(try await store.history().map(\.kind) == ["swapped"])
            await #expect(throws: WalletStoreError.self) {
                try await store.finishOperation(swap.id, state: .done, inputsTo: .spent, mintURL: Self.mintURL)
            }
            // Stored proofs read back exactly (secret, signature, keyset, amount).
            let back = try await store.proofs(mintURL: Self.mintURL).map(\.proof)
            #expect(Set(back) == Set([inputs[2]] + outputs))
        }
    }

    @Test("an operation left open survives a restart and can be rolled back")
    func restart() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("cashew-wallet-\(UUID().uuidString).sqlite3").path
        defer {
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        }
        let (keyset, entry) = try Self.keyset()
        let inputs = try Self.proofs([8, 8], keyset)
        var operationID = ""
        try await Self.withStore(path: path) { store in
            try await store.addMint(Self.mintURL)
            try await store.saveKeyset(entry, mintURL: Self.mintURL)
            try await store.addProofs(inputs, mintURL: Self.mintURL)
            operationID = try await store.beginOperation(.melt, mintURL: Self.mintURL, data: #"{"quote":"q"}"#, inputs: inputs.map { try $0.y.hex }).id
            try await store.markSent(operationID)
        }
        try await Self.withStore(path: path) { store in
            let open = try await store.openOperations()
            #expect(open.map(\.id) == [operationID] && open[0].kind == .melt && open[0].data == #"{"quote":"q"}"#)
            #expect(try await store.balance(mintURL: Self.mintURL, unit: .sat) == 0)
            // The mint said the inputs are unspent (the melt never happened): they come back.
            try await store.finishOperation(operationID, state: .failed, inputsTo: .unspent, mintURL: Self.mintURL)
            #expect(try await store.balance(mintURL: Self.mintURL, unit: .sat) == 16)
        }
    }
}

@Suite("Denominations kept by the wallet")
struct DenominationTests {
    @Test("keepSplit tops up small denominations to three, then splits the rest; always exact")
    func keepSplit() throws {
        #expect(Denominations.keepSplit(7, holding: []) == [1, 1, 1, 2, 2])
        #expect(Denominations.keepSplit(7, holding: [1, 1, 1, 2, 2, 2]) == [1, 2, 4])
        #expect(Denominations.keepSplit(0, holding: []) == [])
        for _ in 0..<200 {
            let amount = Amount(UInt64.random(in: 0...UInt64.max) >> UInt64.random(in: 0...63))
            let holding = (0..<Int.random(in: 0...20)).map { _ in Amount(1 << UInt64.random(in: 0...10)) }
            let split = Denominations.keepSplit(amount, holding: holding)
            #expect(Amount.sum(split) == amount)
            #expect(split.allSatisfy { $0.rawValue.nonzeroBitCount == 1 })
            #expect(split.count <= 3 * 64 + 64)
        }
    }
}
