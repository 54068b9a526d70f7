import CashuCrypto
import CashuProtocol
import Foundation
import Secp256k1

/// What `recover` did with one open operation.
public struct RecoveredOperation: Sendable {
    public enum Outcome: String, Sendable { case completed, rolledBack, stillPending, failed }
    public var id: String
    public var kind: WalletOperation.Kind
    public var outcome: Outcome
    /// Why it could not be settled (`failed`): it stays open and is tried again next time.
    public var error: String? = nil
}

extension Wallet {
    /// Settles operations left open by a crash or a lost answer, from the mint's own records: outputs the mint
    /// signed are restored (NUT-09) and stored; inputs the mint never spent are released (NUT-07); melts follow
    /// their quote's state. Nothing is guessed: an operation whose outcome the mint cannot tell yet stays open.
    @discardableResult
    public func recover(mintURL: String) async throws -> [RecoveredOperation] {
        let client = client(mintURL)
        var results = [RecoveredOperation]()
        for operation in try await store.openOperations() where operation.mintURL == client.url {
            do {
                results.append(try await recover(operation, client: client))
            } catch {
                // One operation that cannot be settled now does not hold up the others.
                results.append(RecoveredOperation(id: operation.id, kind: operation.kind, outcome: .failed, error: "\(error)"))
            }
        }
        return results
    }

    func recover(_ operation: WalletOperation, client: MintClient) async throws -> RecoveredOperation {
        let journal = try JSONDecoder().decode(Journal.self, from: Data(operation.data.utf8))
        let outputs = try await journal.outputs.asyncMap { try await self.outputs(from: $0, mintURL: client.url) }
        let outcome: RecoveredOperation.Outcome
        switch operation.kind {
        case .melt:
            guard let quoteID = journal.quote, let blank = outputs.first else { throw WalletError(.invalidInput, "melt journal without quote") }
            let quote = try await client.meltQuote(id: quoteID)
            let held = try await store.proofs(operationID: operation.id)
            let inputTotal = Amount.sum(held.map(\.proof.amount)) ?? 0
            var response = quote
            if quote.state == .paid { response.change = try await changeSignatures(of: quote, blank: blank, client: client) }
            let keysets = try await store.keysets(mintURL: client.url)
            let result = try await settleMelt(
                response, unit: blank.keyset.unit, operationID: operation.id, blank: blank, inputTotal: inputTotal,
                inputFee: try inputFee(held.map(\.proof), keysets: keysets), mintURL: client.url)
            outcome = result.state == .paid ? .completed : result.state == .unpaid ? .rolledBack : .stillPending
        case .mint, .swap, .send, .receive, .restore:
            var proofs = [Proof]()
            var lockedProofs = [Proof]()
            var lockedUnit = CurrencyUnit.sat
            var complete = !outputs.isEmpty || journal.locked != nil
            for prepared in outputs {
                let signed = try await restoredSignatures(prepared, client: client)
                if signed.count != prepared.messages.count { complete = false }
                proofs += try prepared.subset(signed.map(\.0)).proofs(signed.map(\.1))
            }
            if let locked = journal.locked {
                let prepared = try await lockedOutputs(from: locked, mintURL: client.url)
                let signed = try await restoredSignatures(prepared, client: client)
                if signed.count != prepared.messages.count { complete = false }
                lockedProofs = try prepared.subset(signed.map(\.0)).proofs(signed.map(\.1))
                lockedUnit = prepared.keyset.unit
            }
            if complete, !lockedProofs.isEmpty {
                // A locked send the mint carried out: its proofs belong to the lock's keys, not to us. They are kept
                // as sent, and the token goes into the history so that it can still be handed over (or reclaimed
                // with a refund key after the locktime).
                let token = Token(mint: client.url, unit: lockedUnit, memo: journal.memo, proofs: lockedProofs)
                try await store.finishOperation(
                    operation.id, state: .done, inputsTo: .spent, newProofs: proofs, sentProofs: lockedProofs, mintURL: client.url,
                    history: HistoryEntry(
                        kind: "sent", mintURL: client.url, unit: lockedUnit, amount: Amount.sum(lockedProofs.map(\.amount)) ?? 0, memo: journal.memo,
                        token: try token.serialized(), createdAt: Self.now()))
                outcome = .completed
            } else if complete {
                // The mint carried it out: the outputs are ours (a token being sent never reached anyone, so its
                // proofs are kept unspent), the inputs are spent.
                try await store.finishOperation(operation.id, state: .done, inputsTo: .spent, newProofs: proofs, mintURL: client.url)
                outcome = .completed
            } else if proofs.isEmpty, lockedProofs.isEmpty, try await heldInputsUnspent(operation.id, client: client) {
                // The mint never carried it out: release the inputs (a mint quote stays mintable).
                try await store.finishOperation(operation.id, state: .failed, inputsTo: .unspent, mintURL: client.url)
                outcome = .rolledBack
            } else {
                outcome = .stillPending
            }
        }
        return RecoveredOperation(id: operation.id, kind: operation.kind, outcome: outcome)
    }

    /// The outputs a journal entry names, re-derived from the seed.
    func outputs(from journal: OutputsJournal, mintURL: String) async throws -> PreparedOutputs {
        let keyset = try await journalKeyset(journal.keyset, mintURL: mintURL)
        return try PreparedOutputs(amounts: journal.amounts.map { Amount($0) }, keyset: keyset, counterStart: journal.counterStart, seed: seed)
    }

    /// The stored keyset a journal entry names (by hex ID).
    func journalKeyset(_ hex: String, mintURL: String) async throws -> WalletKeyset {
        let id = try KeysetID(hex: hex)
        guard let keyset = try await store.keysets(mintURL: mintURL).first(where: { $0.id == id }) else {
            throw WalletError(.invalidInput, "journal names unknown keyset \(hex)")
        }
        return keyset
    }

    /// A locked send's outputs as journaled.
    func lockedOutputs(from journal: LockedOutputsJournal, mintURL: String) async throws -> PreparedOutputs {
        let keyset = try await journalKeyset(journal.keyset, mintURL: mintURL)
        return try PreparedOutputs(
            secrets: journal.secrets, amounts: journal.amounts.map { Amount($0) }, keyset: keyset,
            factors: try journal.factors.map { try Scalar(hex: $0) }, ephemeralKeys: try journal.ephemeralKeys.map { try $0.map { try Point(hex: $0) } })
    }

    /// The change signatures of a paid melt quote for its `blank` outputs: the quote's own, or, from mints that do not
    /// repeat the change on the quote, the blank outputs' signatures restored (NUT-09).
    func changeSignatures(of quote: MeltQuoteBolt11Response, blank: PreparedOutputs, client: MintClient) async throws -> [BlindSignature] {
        if let change = quote.change, !change.isEmpty { return change }
        return try await restoredSignatures(blank, client: client).map(\.1)
    }

    /// The signatures the mint holds for `outputs`, with each one's index in `outputs`.
    func restoredSignatures(_ outputs: PreparedOutputs, client: MintClient) async throws -> [(Int, BlindSignature)] {
        guard !outputs.messages.isEmpty else { return [] }
        let response = try await client.restore(RestoreRequest(outputs: outputs.messages))
        guard response.outputs.count == response.signatures.count else {
            throw WalletError(.protocolViolation, "the mint's restore answer pairs \(response.outputs.count) outputs with \(response.signatures.count) signatures")
        }
        let index = Dictionary(outputs.messages.enumerated().map { ($1.blindedSecret, $0) }, uniquingKeysWith: { a, _ in a })
        return try zip(response.outputs, response.signatures).map { output, signature in
            guard let i = index[output.blindedSecret] else { throw WalletError(.protocolViolation, "the mint restored an output that was not asked for") }
            return (i, signature)
        }.sorted { $0.0 < $1.0 }
    }

    /// Whether every input the operation holds is unspent at the mint (so releasing them is safe).
    func heldInputsUnspent(_ operationID: String, client: MintClient) async throws -> Bool {
        let held = try await store.proofs(operationID: operationID)
        guard !held.isEmpty else { return true }
        let states = try await client.checkState(CheckStateRequest(ys: held.map { try $0.proof.y }))
        return states.states.count == held.count && states.states.allSatisfy { $0.state == .unspent }
    }
}

extension Array {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async throws -> [T] {
        var out = [T]()
        out.reserveCapacity(count)
        for e in self { out.append(try await transform(e)) }
        return out
    }
}
