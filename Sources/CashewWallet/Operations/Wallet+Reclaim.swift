import CashuCrypto
import CashuProtocol
import Foundation

/// What taking back sent tokens did.
public struct ReclaimResult: Sendable, Equatable {
    /// What came back into the wallet, after the input fee of the swap that took it back.
    public var reclaimed: Amount = 0
    public var fee: Amount = 0
    /// Proofs the receiver had already swapped (now marked spent here).
    public var received: Int = 0
    /// Proofs this wallet cannot take back: locked to someone else's key (until a refund path opens).
    public var locked: Int = 0
    /// Proofs the mint holds pending (in a melt): neither taken back nor spent yet.
    public var pendingAtMint: Int = 0

    mutating func add(_ other: ReclaimResult) {
        reclaimed = reclaimed.adding(other.reclaimed) ?? reclaimed
        fee = fee.adding(other.fee) ?? fee
        received += other.received
        locked += other.locked
        pendingAtMint += other.pendingAtMint
    }
}

extension Wallet {
    /// Takes back the proofs of `token` that nobody received: checks them at the mint (NUT-07), marks the spent ones
    /// spent, and swaps the unspent ones into new proofs of this wallet (paying their input fee). A token locked to
    /// another key cannot be taken back until its refund path opens (counted in `locked`).
    public func reclaim(_ token: Token) async throws -> ReclaimResult {
        try await reclaim(token.proofs, mintURL: token.mint, unit: token.unit ?? .sat, memo: token.memo)
    }

    /// Takes back every sent token's proofs that were not received, at every mint of the wallet (or `mintURL`):
    /// the proofs this wallet handed over in tokens, still `pending` here.
    public func reclaimAll(mintURL: String? = nil) async throws -> ReclaimResult {
        var total = ReclaimResult()
        var mints = [String]()
        if let mintURL { mints = [client(mintURL).url] } else { mints = try await store.mints().map(\.url) }
        for url in mints {
            let keysets = try await store.keysets(mintURL: url)
            for unit in Set(keysets.map(\.unit)) {
                // Handed over in a token: pending with no operation holding them.
                let sent = try await store.proofs(mintURL: url, unit: unit, states: [.pending]).filter { $0.operationID == nil }
                guard !sent.isEmpty else { continue }
                total.add(try await reclaim(sent.map(\.proof), mintURL: url, unit: unit, memo: nil))
            }
        }
        return total
    }

    /// Schedules `token` (one this wallet sent) to be taken back, if nobody received it, by the first command at its
    /// mint `seconds` from now (`reclaimDue`).
    public func scheduleReclaim(_ token: Token, after seconds: UInt64) async throws {
        try await store.scheduleReclaim(token: try token.serialized(), mintURL: client(token.mint).url, dueAt: Self.now() &+ seconds)
    }

    /// Takes back the scheduled tokens of `mintURL` that are due; each is forgotten once handled.
    public func reclaimDue(mintURL: String) async throws -> ReclaimResult {
        var total = ReclaimResult()
        for text in try await store.dueReclaims(mintURL: client(mintURL).url, now: Self.now()) {
            guard let token = try? Token(decoding: text) else {
                try await store.removeReclaim(token: text)
                continue
            }
            total.add(try await reclaim(token))
            try await store.removeReclaim(token: text)
        }
        return total
    }

    func reclaim(_ proofs: [Proof], mintURL: String, unit: CurrencyUnit, memo: String?) async throws -> ReclaimResult {
        let client = client(mintURL)
        var result = ReclaimResult()
        var unspent = [Proof]()
        for chunk in proofs.chunks(of: 100) {
            let ys = try chunk.map { try $0.y }
            let states = try await client.checkState(CheckStateRequest(ys: ys))
            guard states.states.count == chunk.count else { throw WalletError(.protocolViolation, "checkstate answered a different number of states") }
            var spent = [String]()
            for (proof, state) in zip(chunk, states.states) {
                switch state.state {
                case .spent: spent.append(try proof.y.hex)
                case .pending: result.pendingAtMint += 1
                case .unspent: unspent.append(proof)
                }
            }
            result.received += spent.count
            _ = try await store.transition(spent, from: [.pending, .unspent], to: .spent, operationID: nil)
        }
        guard !unspent.isEmpty else { return result }
        // Proofs locked to another key stay with their lock (this wallet can only unlock its own and, after the
        // locktime, refund paths to its key); the others are swapped back in one receive.
        var mine = [Proof]()
        for proof in unspent {
            if (try? WellKnownSecret(parsing: proof.secret)) != nil, (try? unlock([proof], outputs: [], preimages: [])) == nil {
                result.locked += 1
            } else {
                mine.append(proof)
            }
        }
        guard !mine.isEmpty, let gross = Amount.sum(mine.map(\.amount)) else { return result }
        do {
            let received = try await receive(Token(mint: client.url, unit: unit, memo: memo, proofs: mine))
            result.reclaimed = received
            result.fee = gross.subtracting(received) ?? 0
        } catch let error as WalletError where error.code == .locked {
            result.locked += mine.count
            return result
        }
        // The old copies are gone at the mint: spent here too.
        _ = try await store.transition(try mine.map { try $0.y.hex }, from: [.pending, .unspent], to: .spent, operationID: nil)
        return result
    }
}
