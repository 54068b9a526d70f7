import CashewEncoding
import CashuCrypto
import CashuProtocol
import Crypto
import Foundation
import Secp256k1

extension Wallet {
    /// The pool `name` this wallet holds.
    public func pool(_ name: String) async throws -> PoolDefinition {
        guard let pool = try await store.pools().first(where: { $0.name == name }) else {
            throw WalletError(.invalidInput, "no pool called \(name.prefix(64)) in this wallet (`cashew pool create`)")
        }
        return pool
    }

    /// Records a pool this wallet's key is a member of (or a refund key of).
    public func createPool(_ pool: PoolDefinition) async throws {
        let me = try lockingPublicKey().hex
        guard pool.members.contains(me) || pool.refund.contains(me) else {
            throw WalletError(.invalidInput, "this wallet's key (\(me)) is not among the pool's members")
        }
        do { try await store.savePool(pool) } catch let error as WalletStoreError { throw WalletError(.invalidInput, error.description) }
        try await store.addMint(pool.mint)
    }

    /// Sends `amount` into the pool: a token locked to it, which every member can add (`receivePoolToken`).
    public func depositToPool(_ name: String, amount: Amount) async throws -> Token {
        let pool = try await pool(name)
        let token = try await send(amount: amount, unit: pool.unit, mintURL: pool.mint, memo: "pool \(name)", lock: pool.lock)
        try await store.addPoolProofs(token.proofs, pool: name)
        try await store.addPoolHistory(pool: name, PoolHistoryEntry(kind: "deposit", amount: amount, fee: 0, detail: "by this member", time: Self.now()))
        return token
    }

    /// Adds a token of the pool's proofs (a deposit or change another member shared): every proof must be locked to
    /// exactly this pool at its mint, and not yet spent. Returns the amount added.
    public func receivePoolToken(_ name: String, token: Token) async throws -> Amount {
        let pool = try await pool(name)
        guard client(token.mint).url == client(pool.mint).url, (token.unit ?? .sat) == pool.unit else {
            throw WalletError(.invalidInput, "the token is of \(token.mint) in \(token.unit ?? .sat), the pool's e-cash is at \(pool.mint) in \(pool.unit)")
        }
        guard !token.proofs.isEmpty, let matcher = pool.matcher, token.proofs.allSatisfy({ matcher.matches($0.secret) }) else {
            throw WalletError(.invalidInput, "the token is not locked to this pool (its members, threshold and refund path)")
        }
        // The DLEQ proof is required, not just checked when present: the mint reports a made-up proof as unspent, and
        // one would inflate the pool's balance and make every spend that includes it fail.
        let keysets = try await refreshKeysets(client(pool.mint))
        let proofs = try checkedProofs(token.proofs, keysets: keysets, mintURL: pool.mint, requireDLEQ: true)
        for p in proofs where keysets.first(where: { $0.id == p.id })?.unit != pool.unit {
            throw WalletError(.invalidInput, "the token's keyset \(p.id) is not of the pool's unit \(pool.unit)")
        }
        let known = Set(try await store.poolProofs(name).map(\.proof.secret))
        let fresh = proofs.filter { !known.contains($0.secret) }
        guard !fresh.isEmpty else { return 0 }
        let unspent = zip(fresh, try await proofStates(fresh, client: client(pool.mint))).filter { $0.1 == .unspent }.map(\.0)
        guard !unspent.isEmpty else { throw WalletError(.invalidInput, "the token's proofs are spent already") }
        try await store.addPoolProofs(unspent, pool: name)
        let amount = Amount.sum(unspent.map(\.amount)) ?? 0
        if amount > 0 {
            try await store.addPoolHistory(pool: name, PoolHistoryEntry(kind: "received", amount: amount, fee: 0, detail: "proofs shared by a member", time: Self.now()))
        }
        return amount
    }

    /// The pool's balance as this member knows it: its unspent proofs, checked at the mint (NUT-07; spent ones are
    /// marked spent).
    public func poolBalance(_ name: String) async throws -> Amount {
        let pool = try await pool(name)
        let proofs = try await store.poolProofs(name, state: "unspent").map(\.proof)
        guard !proofs.isEmpty else { return 0 }
        let spent = zip(proofs, try await proofStates(proofs, client: client(pool.mint))).filter { $0.1 == .spent }.map(\.0)
        try await store.markPoolProofsSpent(spent)
        let left = Set(spent.map(\.secret))
        return Amount.sum(proofs.filter { !left.contains($0.secret) }.map(\.amount)) ?? 0
    }

    // MARK: Proposals

    /// A proposal to pay `amount` from the pool: to `to` (a token locked to that key) or, with `invoice`, over
    /// Lightning. The pool's unspent proofs are checked first; this wallet signs it when it is a member.
    public func proposePoolSpend(_ name: String, amount: Amount?, to: Point?, invoice: String?, memo: String? = nil) async throws -> PoolProposal {
        let pool = try await pool(name)
        _ = try await poolBalance(name)
        let client = client(pool.mint)
        let keysets = try await refreshKeysets(client)
        guard let keyset = keysets.filter({ $0.active && $0.unit == pool.unit }).min(by: { $0.inputFeePPK < $1.inputFeePPK }) else {
            throw WalletError(.unsupported, "\(pool.mint) has no active keyset for \(pool.unit)")
        }
        var quote: MeltQuoteBolt11Response?
        let pays: Amount
        if let invoice {
            let q = try await client.createMeltQuote(MeltQuoteBolt11Request(request: invoice, unit: pool.unit))
            if let amount, amount != q.amount { throw WalletError(.invalidInput, "the invoice asks for \(q.amount) \(pool.unit), not \(amount)") }
            quote = q
            pays = q.amount
        } else {
            guard let amount, amount > 0 else { throw WalletError(.invalidInput, "give the amount to pay") }
            guard to != nil else { throw WalletError(.invalidInput, "give --to KEY or --invoice") }
            pays = amount
        }
        guard let needed = pays.adding(quote?.feeReserve ?? 0) else { throw WalletError(.invalidInput, "the amount is too large") }
        // Largest first, until the proofs cover what is paid, the fee reserve and their own input fee.
        var inputs = [Proof]()
        for p in try await store.poolProofs(name, state: "unspent").map(\.proof).sorted(by: { $0.amount > $1.amount }) {
            if !inputs.isEmpty, let total = Amount.sum(inputs.map(\.amount)), let want = needed.adding(try inputFee(inputs, keysets: keysets)), total >= want { break }
            inputs.append(p)
        }
        guard let total = Amount.sum(inputs.map(\.amount)) else { throw WalletError(.invalidInput, "the pool's proofs overflow") }
        let fee = try inputFee(inputs, keysets: keysets)
        guard let want = needed.adding(fee), total >= want else {
            throw WalletError(.insufficientFunds, "the pool holds \(total) \(pool.unit) (as this member knows it); \(needed.rawValue &+ fee.rawValue) are needed")
        }
        // What is left after paying, the fee reserve (a melt) and the input fee.
        let rest = Amount(total.rawValue - want.rawValue)
        var secrets = [String](), amounts = [Amount]()
        if quote == nil, let to {
            let pay = try SpendingLock(kind: .p2pk, keys: [to]).outputs(count: pays.powersOfTwo.count)
            secrets += pay.map(\.secret)
            amounts += pays.powersOfTwo
            let back = try pool.lock.outputs(count: rest.powersOfTwo.count)
            secrets += back.map(\.secret)
            amounts += rest.powersOfTwo
        } else {
            // NUT-08 blank outputs for whatever of the reserve and the surplus comes back.
            let count = PoolProposal.changeOutputCount(upTo: rest.rawValue &+ (quote?.feeReserve.rawValue ?? 0))
            secrets += try pool.lock.outputs(count: count).map(\.secret)
            amounts += Array(repeating: Amount(1), count: count)
        }
        let prepared = try PreparedOutputs(secrets: secrets, amounts: amounts, keyset: keyset)
        let outputs = zip(prepared.messages, zip(prepared.secrets, prepared.factors)).map { m, sr in
            PoolProposal.Output(amount: m.amount, keyset: m.id.hex, blinded: m.blindedSecret.hex, secret: sr.0, r: sr.1.hex)
        }
        var proposal = PoolProposal(
            pool: pool, kind: quote == nil ? .swap : .melt, inputs: inputs.map { var p = $0; p.witness = nil; p.dleq = nil; return p }, outputs: outputs,
            amount: pays, to: quote == nil ? to?.hex : nil, invoice: invoice, quote: quote?.quote, memo: memo, createdAt: Self.now())
        if pool.members.contains(try lockingPublicKey().hex) { proposal = try await signPoolProposal(proposal).proposal }
        return proposal
    }

    /// Checks a proposal against this wallet's own copy of the pool and against the mint, and says what it does.
    /// Refused (`invalidInput`, with the reason) when anything does not add up: a pool other than the one this
    /// member holds, an input not locked to it, an output that is not what its secret makes or goes to neither the
    /// recipient nor the pool, amounts or fees that differ from what it claims, a melt quote that is not the
    /// invoice's, or a signature that does not sign this exact spend (it was changed after someone signed it).
    public func reviewPoolProposal(_ proposal: PoolProposal) async throws -> PoolReview {
        func refuse(_ why: String) -> WalletError { WalletError(.invalidInput, "the proposal does not check out: " + why) }
        func add(_ a: UInt64, _ b: UInt64) throws -> UInt64 {
            let (sum, overflow) = a.addingReportingOverflow(b)
            if overflow { throw refuse("its amounts overflow") }
            return sum
        }
        guard let mine = try await store.pools().first(where: { $0.sameFunds(as: proposal.pool) }) else {
            throw refuse("it spends a pool this wallet does not hold (fingerprint \(proposal.pool.fingerprint))")
        }
        let pool = mine
        guard let matcher = pool.matcher else { throw refuse("its pool makes no lock") }
        guard !proposal.inputs.isEmpty else { throw refuse("it spends nothing") }
        for p in proposal.inputs where !matcher.matches(p.secret) { throw refuse("an input is not locked to the pool") }
        guard Set(proposal.inputs.map(\.secret)).count == proposal.inputs.count else { throw refuse("an input is spent twice") }
        let keysets = try await refreshKeysets(client(pool.mint))
        let messages = try proposal.messages()
        guard !messages.isEmpty || proposal.kind == .swap else { throw refuse("a melt without outputs for its change") }
        // A swap carries no quote: with one, the signatures would sign a melt of that quote (NUT-11's message for a
        // melt is the swap's plus the quote ID), which the proposer could then submit to pay any invoice.
        if proposal.kind == .swap, proposal.quote != nil || proposal.invoice != nil { throw refuse("a swap that names a melt quote or invoice") }
        // Each output's secret once, and none an input's: a proof per secret can be spent once, so a repeated secret
        // burns what it holds.
        let secrets = proposal.outputs.map(\.secret)
        guard Set(secrets).count == secrets.count, Set(secrets).isDisjoint(with: proposal.inputs.map(\.secret)) else {
            throw refuse("an output's secret is used twice")
        }
        guard Set(messages.map(\.id)).count <= 1 else { throw refuse("its outputs are for more than one keyset") }
        var toRecipient: UInt64 = 0, back: UInt64 = 0
        for (o, m) in zip(proposal.outputs, messages) {
            guard let r = try? Scalar(hex: o.r), (try? BDHKE.blind(secret: o.secret, r: r)) == m.blindedSecret else {
                throw refuse("an output is not what its secret and blinding factor make")
            }
            guard keysets.contains(where: { $0.id == m.id && $0.active && $0.unit == pool.unit }) else { throw refuse("an output is for a keyset the mint does not sign with") }
            if matcher.matches(o.secret) {
                back = try add(back, o.amount.rawValue)
            } else if proposal.kind == .swap, let to = proposal.to, let secret = try? WellKnownSecret.parse(o.secret), let condition = try SpendingCondition(secret),
                condition.keys.map(\.hex) == [try Point(hex: to).hex], condition.refundKeys.isEmpty, condition.locktime == nil, condition.hashLock == nil
            {
                toRecipient = try add(toRecipient, o.amount.rawValue)
            } else {
                throw refuse("an output goes to neither the recipient nor the pool")
            }
        }
        guard let total = Amount.sum(proposal.inputs.map(\.amount))?.rawValue else { throw refuse("its inputs overflow") }
        let inputFee = try inputFee(proposal.inputs, keysets: keysets).rawValue
        var fee = inputFee
        switch proposal.kind {
        case .swap:
            guard proposal.to != nil, toRecipient == proposal.amount.rawValue else {
                throw refuse("it pays \(toRecipient) to the recipient, not the \(proposal.amount) it says")
            }
            guard total == (try add(try add(toRecipient, back), inputFee)) else { throw refuse("its inputs (\(total)) are not its outputs plus the input fee (\(inputFee))") }
        case .melt:
            guard toRecipient == 0, let quoteID = proposal.quote, let invoice = proposal.invoice else { throw refuse("a melt pays an invoice, nothing else") }
            let quote = try await client(pool.mint).meltQuote(id: quoteID)
            guard let request = quote.request, request.lowercased() == invoice.lowercased(), quote.amount == proposal.amount, quote.unit == pool.unit else {
                throw refuse("the melt quote is not for the invoice, amount and unit it says")
            }
            guard quote.state == .unpaid else { throw refuse("its melt quote is \(quote.state.rawValue)") }
            fee = try add(inputFee, quote.feeReserve.rawValue)
            guard total >= (try add(quote.amount.rawValue, fee)) else { throw refuse("its inputs do not cover the invoice, the fee reserve and the input fee") }
            back = total - quote.amount.rawValue - fee
            // NUT-08: change comes back only into the blank outputs given; too few would leave it with the mint.
            guard messages.count >= PoolProposal.changeOutputCount(upTo: back &+ quote.feeReserve.rawValue) else {
                throw refuse("it has too few outputs for its change")
            }
        }
        // Outputs whose secrets were spent already would be worthless.
        if !proposal.outputs.isEmpty {
            let ys = try proposal.outputs.map { try HashToCurve.point(forSecret: $0.secret) }
            guard try await states(of: ys, client: client(pool.mint)).allSatisfy({ $0 == .unspent }) else { throw refuse("an output's secret was spent already") }
        }
        let signers = try poolSigners(proposal, pool: pool)
        return PoolReview(
            pool: pool.name, fingerprint: pool.fingerprint, unit: pool.unit, kind: proposal.kind, pays: proposal.amount, to: proposal.to,
            invoice: proposal.invoice, inputs: Amount(total), change: Amount(back), fee: Amount(fee), signers: signers, threshold: pool.threshold)
    }

    /// The members whose signatures on the first input sign this exact spend; throws when one does not.
    func poolSigners(_ proposal: PoolProposal, pool: PoolDefinition) throws -> [String] {
        guard let witness = proposal.inputs[0].witness else { return [] }
        guard let parsed = try? Witness(parsing: witness) else { throw WalletError(.invalidInput, "the proposal does not check out: its witness does not parse") }
        let message = SpendingConditionVerifier.sigAllMessage(inputs: proposal.inputs, outputs: try proposal.messages(), quoteID: proposal.signedQuote)
        let digest = Array(SHA256.hash(data: Array(message.utf8)))
        var signers = [String]()
        for signature in parsed.signatures {
            guard let key = pool.members.compactMap({ try? Point(hex: $0) }).first(where: { $0.verifySchnorr(signature, message: digest) }) else {
                throw WalletError(.invalidInput, "the proposal does not check out: a signature does not sign this spend (it was changed after it was signed)")
            }
            if !signers.contains(key.hex) { signers.append(key.hex) }
        }
        return signers
    }

    /// Reviews the proposal and adds this member's signature; returns the signed proposal and its review.
    public func signPoolProposal(_ proposal: PoolProposal) async throws -> (proposal: PoolProposal, review: PoolReview) {
        let review = try await reviewPoolProposal(proposal)
        let me = try lockingPublicKey().hex
        // This wallet's own copy of the pool (the proposal's is only what it says).
        guard try await pool(review.pool).members.contains(me) else { throw WalletError(.invalidInput, "this wallet's key is not a member of the pool") }
        guard !review.signers.contains(me) else { throw WalletError(.invalidInput, "this wallet has signed the proposal already") }
        var signed = proposal
        signed.inputs = try spendingKeys(preimages: []).sign(
            inputs: proposal.inputs, outputs: try proposal.messages(), quoteID: proposal.signedQuote, now: Date().timeIntervalSince1970)
        let after = try await reviewPoolProposal(signed)
        guard after.signers.contains(me) else { throw WalletError(.locked, "this wallet's key could not sign the proposal") }
        return (signed, after)
    }

    /// Sends the proposal to the mint as it is (the mint refuses it without enough signatures). On success the
    /// payment (a token locked to the recipient) and the pool's change are built from the mint's signatures; the
    /// change is kept as the pool's and returned as a token for the other members.
    ///
    /// The spend is journaled before it is sent: if the answer is lost, or a melt stays `PENDING`, the change is
    /// collected later by `settlePoolSubmissions` (its outputs are not derived from the seed, so nothing else could).
    public func submitPoolProposal(_ proposal: PoolProposal) async throws -> PoolSpendResult {
        let review = try await reviewPoolProposal(proposal)
        let pool = try await pool(review.pool)
        let client = client(pool.mint)
        let outputs = try proposal.preparedOutputs(try await refreshKeysets(client))
        let id = proposal.submissionID
        try await store.savePoolSubmission(id: id, pool: pool.name, proposal: proposal.encoded)
        do {
            switch proposal.kind {
            case .swap:
                let response = try await client.swap(SwapRequest(inputs: proposal.inputs, outputs: outputs.messages))
                let (payment, change) = try finishedSwap(outputs.proofs(response.signatures), pool: pool)
                try await store.finishPoolSpend(
                    submission: id, pool: pool.name, spent: proposal.inputs, change: change, history: paidEntry(review, proposal))
                return PoolSpendResult(pool: pool, state: "PAID", payment: poolToken(payment, pool), change: poolToken(change, pool), preimage: nil)
            case .melt:
                let response = try await client.melt(MeltRequest(quote: proposal.signedQuote ?? "", inputs: proposal.inputs, outputs: outputs.messages))
                switch response.state {
                case .unpaid:
                    try await store.dropPoolSubmission(id)
                    throw WalletError(.invalidInput, "the payment failed; nothing was spent")
                case .pending:
                    // Settled once the payment is: the inputs are out of the balance until then.
                    try await store.markPoolProofsSpent(proposal.inputs)
                    return PoolSpendResult(pool: pool, state: response.state.rawValue, payment: nil, change: nil, preimage: nil)
                case .paid:
                    let change = try outputs.changeProofs(response.change ?? [])
                    try await store.finishPoolSpend(
                        submission: id, pool: pool.name, spent: proposal.inputs, change: change, history: meltedEntry(review, proposal, change: change))
                    return PoolSpendResult(pool: pool, state: response.state.rawValue, payment: nil, change: poolToken(change, pool), preimage: response.paymentPreimage)
                }
            }
        } catch let error as MintClientError where error.mintRefused {
            // Refused: nothing happened at the mint.
            try await store.dropPoolSubmission(id)
            throw error
        }
    }

    /// Settles the pool's spends this wallet sent whose outcome it did not learn (a lost answer, a melt left
    /// `PENDING`), from the mint's records: a paid melt's change and a carried-out swap's outputs are restored
    /// (NUT-09) and kept; a spend the mint never carried out gives its inputs back to the pool. Nothing is guessed:
    /// what the mint cannot tell yet stays journaled.
    public func settlePoolSubmissions(_ name: String) async throws -> [PoolSettlement] {
        let pool = try await pool(name)
        let submissions = try await store.poolSubmissions(name)
        guard !submissions.isEmpty else { return [] }
        let client = client(pool.mint)
        let keysets = try await refreshKeysets(client)
        var settled = [PoolSettlement]()
        for (id, text) in submissions {
            do {
                settled.append(try await settlePoolSubmission(id: id, text: text, pool: pool, client: client, keysets: keysets))
            } catch {
                // One that cannot be settled now does not hold up the others; it is tried again next time.
                let proposal = try? PoolProposal(decoding: text)
                settled.append(PoolSettlement(
                    kind: proposal?.kind ?? .swap, outcome: .stillPending, pays: proposal?.amount ?? 0, error: String(describing: error)))
            }
        }
        return settled
    }

    func settlePoolSubmission(id: String, text: String, pool: PoolDefinition, client: MintClient, keysets: [WalletKeyset]) async throws -> PoolSettlement {
        let name = pool.name
        let proposal = try PoolProposal(decoding: text)
        let review = try await poolReviewForSettling(proposal, pool: pool, keysets: keysets)
        let outputs = try proposal.preparedOutputs(keysets)
        let inputStates = try await proofStates(proposal.inputs, client: client)
        let inputsSpent = inputStates.allSatisfy { $0 == .spent }
        let inputsUnspent = inputStates.allSatisfy { $0 == .unspent }
        var result = PoolSettlement(kind: proposal.kind, outcome: .stillPending, pays: proposal.amount)
        switch proposal.kind {
        case .melt:
            let quote = try await client.meltQuote(id: proposal.quote ?? "")
            if quote.state == .paid, inputsSpent {
                let change = try outputs.changeProofs(try await changeSignatures(of: quote, blank: outputs, client: client))
                try await store.finishPoolSpend(
                    submission: id, pool: name, spent: proposal.inputs, change: change, history: meltedEntry(review, proposal, change: change))
                result.outcome = .completed
                result.change = poolToken(change, pool)
            } else if quote.state != .pending, inputsUnspent {
                // The payment failed (the mint released the inputs), or the quote was paid by another member's melt.
                try await store.dropPoolSubmission(id, marking: proposal.inputs)
                result.outcome = .rolledBack
            } else if quote.state == .unpaid, inputsSpent {
                // The inputs went into another spend: this one never happened.
                try await store.dropPoolSubmission(id, marking: proposal.inputs, as: "spent")
                result.outcome = .rolledBack
            }
        case .swap:
            if inputsUnspent {
                try await store.dropPoolSubmission(id, marking: proposal.inputs)
                result.outcome = .rolledBack
            } else if inputsSpent {
                let signed = try await restoredSignatures(outputs, client: client)
                if signed.count == outputs.messages.count {
                    let (payment, change) = try finishedSwap(outputs.proofs(signed.map(\.1)), pool: pool)
                    try await store.finishPoolSpend(
                        submission: id, pool: name, spent: proposal.inputs, change: change, history: paidEntry(review, proposal))
                    result = PoolSettlement(
                        kind: .swap, outcome: .completed, pays: proposal.amount, payment: poolToken(payment, pool), change: poolToken(change, pool))
                } else if signed.isEmpty {
                    // The inputs went into another spend (another member's proposal): this one never happened.
                    try await store.dropPoolSubmission(id, marking: proposal.inputs, as: "spent")
                    result.outcome = .rolledBack
                }
            }
        }
        return result
    }

    /// What a submitted proposal pays and costs, for its history line, without asking the mint about its quote again
    /// (by settling time the quote is paid, which the full review refuses).
    func poolReviewForSettling(_ proposal: PoolProposal, pool: PoolDefinition, keysets: [WalletKeyset]) async throws -> PoolReview {
        let total = Amount.sum(proposal.inputs.map(\.amount)) ?? 0
        let fee = try inputFee(proposal.inputs, keysets: keysets)
        return PoolReview(
            pool: pool.name, fingerprint: pool.fingerprint, unit: pool.unit, kind: proposal.kind, pays: proposal.amount, to: proposal.to,
            invoice: proposal.invoice, inputs: total, change: 0, fee: fee, signers: [], threshold: pool.threshold)
    }

    /// A swap's new proofs: those locked back to the pool are its change, the rest pay the recipient.
    func finishedSwap(_ proofs: [Proof], pool: PoolDefinition) -> (payment: [Proof], change: [Proof]) {
        let matcher = pool.matcher
        return (proofs.filter { matcher?.matches($0.secret) != true }, proofs.filter { matcher?.matches($0.secret) == true })
    }

    func poolToken(_ proofs: [Proof], _ pool: PoolDefinition) -> Token? {
        proofs.isEmpty ? nil : Token(mint: pool.mint, unit: pool.unit, memo: "pool \(pool.name)", proofs: proofs)
    }

    func paidEntry(_ review: PoolReview, _ proposal: PoolProposal) -> PoolHistoryEntry {
        PoolHistoryEntry(kind: "paid", amount: review.pays, fee: review.fee, detail: "to \(proposal.to ?? "")", time: Self.now())
    }

    /// A melt's history line: its fee is what the inputs held beyond the payment and the change.
    func meltedEntry(_ review: PoolReview, _ proposal: PoolProposal, change: [Proof]) -> PoolHistoryEntry {
        let returned = Amount.sum(change.map(\.amount))?.rawValue ?? 0
        let beyond = review.inputs.rawValue &- review.pays.rawValue
        return PoolHistoryEntry(
            kind: "melted", amount: review.pays, fee: Amount(beyond &- min(returned, beyond)), detail: "invoice \(proposal.invoice?.prefix(24) ?? "")…",
            time: Self.now())
    }

    /// Takes the pool's proofs this member knows back into the wallet through the refund path, once the locktime
    /// has passed and this wallet holds a refund key. Returns what was received.
    public func refundFromPool(_ name: String) async throws -> Amount {
        let pool = try await pool(name)
        guard let locktime = pool.locktime, pool.refund.contains(try lockingPublicKey().hex) else {
            throw WalletError(.invalidInput, "this wallet holds no refund key of the pool")
        }
        guard Self.now() > locktime else { throw WalletError(.invalidInput, "the refund path opens at \(locktime)") }
        _ = try await poolBalance(name)
        let proofs = try await store.poolProofs(name, state: "unspent").map(\.proof)
        guard !proofs.isEmpty else { throw WalletError(.invalidInput, "this member knows no unspent e-cash of the pool") }
        let received = try await receive(Token(mint: pool.mint, unit: pool.unit, memo: "pool \(name) refund", proofs: proofs))
        try await store.markPoolProofsSpent(proofs)
        try await store.addPoolHistory(pool: name, PoolHistoryEntry(kind: "refunded", amount: received, fee: 0, detail: "refund path", time: Self.now()))
        return received
    }
}
