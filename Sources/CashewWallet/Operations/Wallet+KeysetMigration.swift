import CashuCrypto
import CashuProtocol
import Foundation

extension Wallet {
    /// What moving proofs off retired keysets did.
    public struct KeysetMove: Sendable, Equatable {
        /// Proofs swapped into the active keyset, and what they were worth before and after the input fee.
        public var proofs: Int
        public var amount: Amount
        public var fee: Amount
    }

    /// E-cash on a keyset with a final expiry (NUT-02 `final_expiry`) that has passed or comes within `window`
    /// seconds of `now`.
    public struct ExpiringHolding: Sendable, Equatable {
        public var mintURL: String
        public var keyset: KeysetID
        public var unit: CurrencyUnit
        public var amount: Amount
        public var finalExpiry: UInt64
        /// Whether the keyset is still active at the mint (as last seen): then only the mint's rotation moves it.
        public var active: Bool
        /// Past its expiry: the mint no longer redeems it.
        public var expired: Bool
    }

    /// Unspent e-cash of every mint on keysets expiring within `window` seconds (or expired), from the stored keyset
    /// list (as last refreshed; no mint is asked).
    public func expiringHoldings(within window: UInt64, now: UInt64? = nil) async throws -> [ExpiringHolding] {
        let now = now ?? Self.now()
        var found = [ExpiringHolding]()
        for mint in try await store.mints() {
            let keysets = try await store.keysets(mintURL: mint.url).filter { $0.finalExpiry.map { $0 <= now &+ window } ?? false }
            guard !keysets.isEmpty else { continue }
            let proofs = try await store.proofs(mintURL: mint.url).map(\.proof)
            for keyset in keysets {
                guard let expiry = keyset.finalExpiry, let amount = Amount.sum(proofs.filter { $0.id == keyset.id }.map(\.amount)), amount > 0 else { continue }
                found.append(ExpiringHolding(
                    mintURL: mint.url, keyset: keyset.id, unit: keyset.unit, amount: amount, finalExpiry: expiry, active: keyset.active, expired: expiry <= now))
            }
        }
        return found.sorted { $0.finalExpiry < $1.finalExpiry }
    }

    /// Moves this unit's proofs of inactive keysets of the mint into its active keyset, by one swap that pays their
    /// input fee (NUT-02), so that a retired keyset's proofs are spent before it expires. Proofs of keysets past their
    /// final expiry are left alone (the mint refuses them), and so are proofs worth no more than their fee. Runs at the
    /// start of a send or a payment at the mint (and from `cashew check`); a failure here does not stop the operation.
    @discardableResult
    public func moveInactiveProofs(mintURL: String, unit: CurrencyUnit = .sat) async throws -> KeysetMove? {
        try await moveInactiveProofs(client(mintURL), unit: unit, failQuietly: false)
    }

    @discardableResult
    func moveInactiveProofs(_ client: MintClient, unit: CurrencyUnit, failQuietly: Bool = true) async throws -> KeysetMove? {
        do {
            let held = try await store.proofs(mintURL: client.url, unit: unit).map(\.proof)
            guard !held.isEmpty else { return nil }
            // One quick look at the mint's keysets (a single attempt: a send works offline, and then nothing moves).
            var quick = client
            quick.attempts = 1
            quick.timeout = .seconds(3)
            _ = try? await refreshKeysets(quick)
            var keysets = try await store.keysets(mintURL: client.url)
            let inactive = Set(keysets.filter { !$0.active }.map(\.id))
            guard held.contains(where: { inactive.contains($0.id) }) else { return nil }
            let keyset = try await activeKeyset(client.url, unit: unit)
            keysets = try await store.keysets(mintURL: client.url)
            let retired = Set(keysets.filter { !$0.active && $0.unit == unit }.map(\.id))
            let inputs = spendable(held, keysets: keysets).filter { retired.contains($0.id) }
            guard !inputs.isEmpty, let total = Amount.sum(inputs.map(\.amount)) else { return nil }
            let fee = try inputFee(inputs, keysets: keysets)
            guard let amount = total.subtracting(fee), amount > 0 else { return nil }
            let holding = held.filter { !retired.contains($0.id) }.map(\.amount)
            let outputs = try await prepare(Denominations.keepSplit(amount, holding: holding), keyset: keyset)
            let operation = try await store.beginOperation(
                .swap, mintURL: client.url, data: try Self.json(Journal(quote: nil, outputs: [outputs.journal])), inputs: try inputs.map { try $0.y.hex })
            try await store.markSent(operation.id)
            let response: SwapResponse
            do {
                response = try await client.swap(SwapRequest(inputs: inputs, outputs: outputs.messages))
            } catch let error as MintClientError where error.mintRefused {
                try await closeRefused(operation.id, client: client)
                throw error
            }
            let proofs = try outputs.proofs(response.signatures)
            try await store.finishOperation(
                operation.id, state: .done, inputsTo: .spent, newProofs: proofs, mintURL: client.url,
                history: HistoryEntry(kind: "keyset_move", mintURL: client.url, unit: unit, amount: amount, fee: fee, createdAt: Self.now()))
            return KeysetMove(proofs: inputs.count, amount: amount, fee: fee)
        } catch where failQuietly {
            // The operation that called goes on with what the wallet holds (proofs of an inactive keyset still redeem).
            return nil
        }
    }
}
