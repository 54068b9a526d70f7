import CashuCrypto
import CashuProtocol
import Foundation
import Secp256k1

extension Wallet {
    /// Rebuilds the wallet's proofs at `mintURL` from the seed alone (NUT-09): for every keyset of the mint, outputs
    /// are derived from counter 0 in batches until `emptyBatches` batches in a row come back with nothing; the
    /// mint's signatures are unblinded (DLEQ checked), their states asked (NUT-07), and the unspent and pending ones
    /// stored. Each keyset's counter moves past the last output found. Returns the unspent amount found, per unit
    /// (proofs the wallet already held count too: restore is meant for an empty wallet, and is harmless on a full one).
    @discardableResult
    public func restore(mintURL: String, batchSize: Int = 100, emptyBatches: Int = 3) async throws -> [CurrencyUnit: Amount] {
        let client = client(mintURL)
        var restored = [CurrencyUnit: Amount]()
        for keyset in try await refresh(mintURL: client.url) {
            var counter: UInt32 = 0
            var empty = 0
            var next: UInt32 = 0
            var found = [Proof]()
            while empty < emptyBatches {
                // A mint that answers every batch would otherwise keep this going until the counter overflowed.
                guard counter <= UInt32(Int32.max) - UInt32(batchSize) else {
                    throw WalletError(.protocolViolation, "the mint signed outputs at every counter up to \(counter); restore stopped")
                }
                // Amounts do not enter B_; the mint answers with the amounts it signed.
                let batch = try PreparedOutputs(
                    amounts: Array(repeating: Amount(1), count: batchSize), keyset: keyset, counterStart: counter, seed: seed)
                let signed = try await restoredSignatures(batch, client: client)
                if signed.isEmpty { empty += 1 } else { empty = 0 }
                found += try batch.subset(signed.map(\.0), amounts: signed.map(\.1.amount)).proofs(signed.map(\.1))
                if let last = signed.last?.0 { next = max(next, counter + UInt32(last) + 1) }
                counter += UInt32(batchSize)
            }
            guard !found.isEmpty else { continue }
            try await store.advanceCounter(keyset.id, to: next)
            for chunk in stride(from: 0, to: found.count, by: 100).map({ Array(found[$0..<min($0 + 100, found.count)]) }) {
                let states = try await client.checkState(CheckStateRequest(ys: chunk.map { try $0.y }))
                guard states.states.count == chunk.count else { throw WalletError(.protocolViolation, "checkstate answered a different number of states") }
                let unspent = zip(chunk, states.states).filter { $0.1.state == .unspent }.map(\.0)
                let pending = zip(chunk, states.states).filter { $0.1.state == .pending }.map(\.0)
                try await store.addProofs(unspent, mintURL: client.url, state: .unspent)
                try await store.addProofs(pending, mintURL: client.url, state: .pending)
                let sum = Amount.sum(unspent.map(\.amount)) ?? 0
                restored[keyset.unit] = restored[keyset.unit, default: 0].adding(sum) ?? restored[keyset.unit]
            }
        }
        for (unit, amount) in restored where amount > 0 {
            try await store.addHistory(HistoryEntry(kind: "restored", mintURL: client.url, unit: unit, amount: amount, createdAt: Self.now()))
        }
        return restored
    }

    /// Asks the mint about the pending proofs no open operation holds (tokens we sent) (NUT-07): spent ones are
    /// marked spent (the token was received); unspent ones stay pending (not claimed yet). Proofs held by an open
    /// operation are left to `recover`. Returns how many became spent.
    @discardableResult
    public func checkPending(mintURL: String) async throws -> Int {
        let client = client(mintURL)
        let pending = try await store.proofs(mintURL: client.url, states: [.pending]).filter { $0.operationID == nil }
        var spent = 0
        for chunk in stride(from: 0, to: pending.count, by: 100).map({ Array(pending[$0..<min($0 + 100, pending.count)]) }) {
            let states = try await client.checkState(CheckStateRequest(ys: chunk.map { try $0.proof.y }))
            guard states.states.count == chunk.count else { throw WalletError(.protocolViolation, "checkstate answered a different number of states") }
            let ys = zip(chunk, states.states).filter { $0.1.state == .spent }.map(\.0.y)
            spent += try await store.transition(ys, from: [.pending], to: .spent, operationID: nil)
        }
        return spent
    }
}
