import CashuCrypto
import CashuProtocol
import Foundation
import Synchronization

extension Wallet {
    /// Receives a token: checks the DLEQ proofs it carries, then swaps its proofs into new ones of ours (so the
    /// sender can no longer spend them), paying the input fee. Returns the amount received (after fees).
    ///
    /// Locked proofs (NUT-11 P2PK, NUT-14 HTLC, NUT-28 blinded) are signed with the wallet's key and unlocked with
    /// `preimages`; a token this wallet cannot unlock is refused before anything is sent (`WalletError.locked`).
    /// `minimum`: refuse (before anything is sent, the token untouched) a token worth less after its input fee.
    @discardableResult
    /// `unit`: refuse a token whose proofs (by their keysets) are of another unit, whatever the token says.
    public func receive(_ token: Token, preimages: [[UInt8]] = [], minimum: Amount? = nil, unit expected: CurrencyUnit? = nil) async throws -> Amount {
        let client = client(token.mint)
        let keysets = try await refresh(mintURL: client.url)
        guard !token.proofs.isEmpty else { throw WalletError(.invalidInput, "the token holds no proofs") }
        // Offline check first (NUT-12): a proof whose DLEQ does not verify was not signed by this mint's key.
        var inputs = try checkedProofs(token.proofs, keysets: keysets, mintURL: client.url)
        let units = Set(inputs.compactMap { p in keysets.first { $0.id == p.id }?.unit })
        guard units.count == 1, let unit = units.first else { throw WalletError(.invalidInput, "the token mixes units") }
        if let expected, unit != expected { throw WalletError(.invalidInput, "the token's proofs are in \(unit), not \(expected)") }
        guard let total = Amount.sum(inputs.map(\.amount)) else { throw WalletError(.invalidInput, "token amounts overflow") }
        let fee = try inputFee(inputs, keysets: keysets)
        guard let amount = total.subtracting(fee), amount > 0 else { throw WalletError(.invalidInput, "the token is worth less than its input fee") }
        if let minimum, amount < minimum {
            throw WalletError(.insufficientFunds, "the token is worth \(amount) \(unit) after the mint's input fee of \(fee); \(minimum) was asked")
        }
        let holding = try await store.proofs(mintURL: client.url, unit: unit).map(\.proof.amount)
        let outputs = try await prepare(Denominations.keepSplit(amount, holding: holding), keyset: try await activeKeyset(client.url, unit: unit))
        inputs = try unlock(inputs, outputs: outputs.messages, preimages: preimages)
        let operation = try await store.beginOperation(
            .receive, mintURL: client.url, data: try Self.json(Journal(quote: nil, outputs: [outputs.journal], token: try token.serialized())))
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
            history: HistoryEntry(kind: "received", mintURL: client.url, unit: unit, amount: amount, fee: fee, memo: token.memo, createdAt: Self.now()))
        return amount
    }

    /// Makes a token worth exactly `amount`: from proofs that add up to it when there are such (offline, no mint
    /// call), otherwise by swapping for the amount and change first. The token's proofs carry their DLEQ proofs so
    /// that the receiver can check them offline; they stay `pending` here until `check` finds them spent.
    ///
    /// With a `lock` (NUT-11 P2PK, NUT-14 HTLC, NUT-28 blinded keys) the token's proofs are always new ones made by a
    /// swap, with the lock in their secrets, and only at a mint that advertises enforcing it.
    public func send(amount: Amount, unit: CurrencyUnit = .sat, mintURL: String, memo: String? = nil, lock: SpendingLock? = nil) async throws -> Token {
        guard amount > 0 else { throw WalletError(.invalidInput, "the amount must be positive") }
        let client = client(mintURL)
        if let lock {
            do { try lock.validate() } catch { throw WalletError(.invalidInput, "invalid lock: \(error)") }
            try await requireLockSupport(lock, client: client)
        }
        try await moveInactiveProofs(client, unit: unit)
        let keysets = try await store.keysets(mintURL: client.url)
        let available = spendable(try await store.proofs(mintURL: client.url, unit: unit).map(\.proof), keysets: keysets)
        if lock == nil, let exact = Self.exactSubset(available, amount: amount) {
            let operation = try await store.beginOperation(.send, mintURL: client.url, data: try Self.json(Journal(quote: nil, outputs: [])), inputs: try exact.map { try $0.y.hex })
            let token = Token(mint: client.url, unit: unit, memo: memo, proofs: exact)
            try await store.finishOperation(
                operation.id, state: .done, inputsTo: .pending, mintURL: client.url,
                history: HistoryEntry(kind: "sent", mintURL: client.url, unit: unit, amount: amount, memo: memo, token: try token.serialized(), createdAt: Self.now()))
            return token
        }
        // Swap: inputs covering amount + their own fee; outputs are the amount to send and the change.
        let (selected, total, fee) = try selectInputs(available, covering: amount, keysets: keysets)
        guard let needed = amount.adding(fee), total >= needed, let change = total.subtracting(needed) else {
            throw WalletError(.insufficientFunds, "not enough \(unit) at \(client.url): \(amount) + fee \(fee) needed")
        }
        let keyset = try await activeKeyset(client.url, unit: unit)
        let selectedYs = Set(try selected.map { try $0.y })
        let kept = try available.filter { !selectedYs.contains(try $0.y) }.map(\.amount)
        let sendOutputs: PreparedOutputs
        if let lock {
            let locked = try lock.outputs(count: amount.powersOfTwo.count)
            sendOutputs = try PreparedOutputs(
                secrets: locked.map(\.secret), amounts: amount.powersOfTwo, keyset: keyset, ephemeralKeys: locked.map(\.ephemeralKey))
        } else {
            sendOutputs = try await prepare(amount.powersOfTwo, keyset: keyset)
        }
        let changeOutputs = try await prepare(Denominations.keepSplit(change, holding: kept), keyset: keyset)
        let journal = lock == nil
            ? Journal(quote: nil, outputs: [sendOutputs.journal, changeOutputs.journal], memo: memo)
            : Journal(quote: nil, outputs: [changeOutputs.journal], locked: LockedOutputsJournal(sendOutputs), memo: memo)
        let operation = try await store.beginOperation(.send, mintURL: client.url, data: try Self.json(journal), inputs: try selected.map { try $0.y.hex })
        try await store.markSent(operation.id)
        let response: SwapResponse
        do {
            response = try await client.swap(SwapRequest(inputs: selected, outputs: sendOutputs.messages + changeOutputs.messages))
        } catch let error as MintClientError where error.mintRefused {
            try await closeRefused(operation.id, client: client)
            throw error
        }
        guard response.signatures.count == sendOutputs.messages.count + changeOutputs.messages.count else {
            throw WalletError(.protocolViolation, "the mint returned \(response.signatures.count) signatures for \(sendOutputs.messages.count + changeOutputs.messages.count) outputs")
        }
        let toSend = try sendOutputs.proofs(Array(response.signatures.prefix(sendOutputs.messages.count)))
        let changeProofs = try changeOutputs.proofs(Array(response.signatures.dropFirst(sendOutputs.messages.count)))
        let token = Token(mint: client.url, unit: unit, memo: memo, proofs: toSend)
        try await store.finishOperation(
            operation.id, state: .done, inputsTo: .spent, newProofs: changeProofs, sentProofs: toSend,
            mintURL: client.url,
            history: HistoryEntry(kind: "sent", mintURL: client.url, unit: unit, amount: amount, fee: fee, memo: memo, token: try token.serialized(), createdAt: Self.now()))
        return token
    }

    /// Proofs adding up to exactly `amount`, largest first, if the greedy choice finds them.
    static func exactSubset(_ proofs: [Proof], amount: Amount) -> [Proof]? {
        var remaining = amount.rawValue
        var chosen = [Proof]()
        for proof in proofs.sorted(by: { $0.amount > $1.amount }) where proof.amount.rawValue <= remaining {
            chosen.append(proof)
            remaining -= proof.amount.rawValue
            if remaining == 0 { return chosen }
        }
        return nil
    }
}

extension Wallet {
    /// The input fee (NUT-02) the receiver of `proofs` pays at `mintURL` when it swaps them, from the stored keysets.
    public func receiveFee(of proofs: [Proof], mintURL: String) async throws -> Amount {
        try inputFee(proofs, keysets: try await store.keysets(mintURL: client(mintURL).url))
    }

    /// Proofs that leave the receiver `amount` after the input fee its swap pays (a NUT-18 payment): one send of the
    /// smallest gross whose own split's fee it covers, topped up by further sends if the proofs chosen cost more.
    public func sendNetOfReceiveFee(
        amount: Amount, unit: CurrencyUnit = .sat, mintURL: String, memo: String? = nil, lock: SpendingLock? = nil
    ) async throws -> [Proof] {
        let url = client(mintURL).url
        let ppk = try await store.keysets(mintURL: url).first { $0.active && $0.unit == unit }?.inputFeePPK ?? 0
        /// The least gross `g` such that `held` plus `g` in `popcount(g)` new proofs nets `amount`.
        func gross(held: UInt64, count: Int) -> UInt64 {
            var g = amount.rawValue > held ? amount.rawValue - held : 0
            while true {
                let proofs = UInt64(count + g.nonzeroBitCount)
                let fee = (proofs * ppk + 999) / 1000
                if held &+ g >= amount.rawValue &+ fee { return g }
                g += 1
            }
        }
        var proofs = [Proof]()
        for _ in 0..<4 {
            let held = Amount.sum(proofs.map(\.amount)) ?? 0
            let fee = try await receiveFee(of: proofs, mintURL: url)
            if !proofs.isEmpty, (held.subtracting(fee) ?? 0) >= amount { return proofs }
            let more = gross(held: held.rawValue, count: proofs.count)
            guard more > 0 else { return proofs }
            proofs += try await send(amount: Amount(more), unit: unit, mintURL: url, memo: memo, lock: lock).proofs
        }
        return proofs
    }

    /// Waits up to `timeout` until every proof of a token this wallet sent is spent at its mint (the receiver
    /// swapped it): through a NUT-17 `proof_state` subscription when the mint offers one (for up to 100 proofs, the
    /// mint's filter limit), polling NUT-07 every second otherwise. Proofs found spent are marked spent here.
    /// Returns whether the whole token was received.
    public func waitUntilReceived(_ token: Token, timeout: Duration) async throws -> Bool {
        let client = client(token.mint)
        let ys = try token.proofs.map { try $0.y }
        let hexes = ys.map(\.hex)
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        if hexes.count <= 100, let info = try? await client.info(), MintSubscription.offered(info, kind: "proof_state", unit: token.unit ?? .sat) {
            let spent = SpentSet(hexes)
            _ = await MintSubscription.wait(mintURL: client.url, kind: "proof_state", filters: hexes, timeout: timeout) { payload in
                guard payload["state"]?.stringValue == "SPENT", let y = payload["Y"]?.stringValue else { return false }
                return spent.markSpent(y)
            }
        }
        // Confirmed (and recorded) by NUT-07, also after a subscription said so.
        while true {
            let states = try await client.checkState(CheckStateRequest(ys: ys))
            guard states.states.count == ys.count else { throw WalletError(.protocolViolation, "checkstate answered a different number of states") }
            let spent = zip(hexes, states.states).filter { $0.1.state == .spent }.map(\.0)
            _ = try await store.transition(spent, from: [.pending], to: .spent, operationID: nil)
            if spent.count == ys.count { return true }
            guard clock.now < deadline else { return false }
            try await Task.sleep(for: min(.seconds(1), deadline - clock.now))
        }
    }
}

/// The proofs of a token still to be seen spent, shared with a subscription's callback.
private final class SpentSet: Sendable {
    let remaining: Mutex<Set<String>>
    init(_ ys: [String]) { remaining = Mutex(Set(ys)) }
    /// Marks `y` spent; true when none is left.
    func markSpent(_ y: String) -> Bool {
        remaining.withLock { set in
            set.remove(y)
            return set.isEmpty
        }
    }
}
