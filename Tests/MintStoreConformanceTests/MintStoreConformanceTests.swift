import CashewEncoding
import CashuCrypto
import CashuMint
import CashuProtocol
import Foundation
import Secp256k1
import TestSupport
import Testing

/// One suite, every ledger: the behaviour the mint relies on for double-spend safety.
@Suite("Ledger conformance (SQLite and PostgreSQL)")
struct MintStoreConformanceTests {
    @Test("PostgreSQL is configured when the test command requires it")
    func postgresPresent() {
        #expect(!PostgresTestServer.required || PostgresTestServer.available, "set POSTGRES_HOSTNAME etc. (scripts/with-postgres.sh)")
    }

    @Test("keysets: one active per unit, duplicates refused", arguments: StoreKind.available)
    func keysets(_ kind: StoreKind) async throws {
        try await StoreFixture.with(kind) { store in
            let a = try KeysetID(hex: "01" + String(repeating: "aa", count: 32))
            let b = try KeysetID(hex: "01" + String(repeating: "bb", count: 32))
            let u = try KeysetID(hex: "01" + String(repeating: "cc", count: 32))
            try await store.addKeyset(Records.keyset(id: a, index: 0))
            try await store.addKeyset(Records.keyset(id: u, unit: .usd, index: 0))
            try await store.addKeyset(Records.keyset(id: b, index: 1))
            let all = try await store.keysets()
            #expect(all.count == 3)
            #expect(all.first { $0.id == a }?.active == false)
            #expect(all.first { $0.id == b }?.active == true)
            #expect(all.first { $0.id == u }?.active == true)
            #expect(all.first { $0.id == b }?.amounts.last == Amount(1 << 63))
            #expect(try all.first { $0.id == b }?.derivationPath == DerivationPath(parsing: "m/129372'/0'/1'"))
            await expectStoreError(.duplicate) { try await store.addKeyset(Records.keyset(id: b, index: 1)) }
            try await store.deactivateKeysets(unit: .usd)
            #expect(try await store.keysets().first { $0.id == u }?.active == false)
        }
    }

    @Test("swap is all or nothing; spent inputs and signed outputs are refused", arguments: StoreKind.available)
    func swapAtomicity(_ kind: StoreKind) async throws {
        try await StoreFixture.with(kind) { store in
            let inputs = [Records.proof(8, witness: #"{"signatures":[]}"#), Records.proof(Amount(1 << 63))]
            let outputs = [Records.signature(4), Records.signature(4)]
            try await store.swap(inputs: inputs, outputs: outputs, operation: Records.operation(fee: 0))
            let states = try await store.proofStates(ys: inputs.map(\.y) + [Records.point()])
            #expect(states.count == 2 && states.values.allSatisfy { $0.state == .spent })
            #expect(states[inputs[0].y]?.witness == #"{"signatures":[]}"#)
            #expect(states[inputs[1].y]?.witness == nil)
            #expect(try await store.signatures(blindedMessages: outputs.map(\.blindedMessage)).count == 2)

            // One spent input among fresh ones: nothing of the second swap is written.
            let fresh = Records.proof()
            let newOutputs = [Records.signature()]
            await expectStoreError(.proofsSpent) {
                try await store.swap(inputs: [fresh, inputs[0]], outputs: newOutputs, operation: Records.operation())
            }
            #expect(try await store.proofStates(ys: [fresh.y]).isEmpty)
            #expect(try await store.signatures(blindedMessages: newOutputs.map(\.blindedMessage)).isEmpty)

            // An already signed output: the inputs stay unspent.
            await expectStoreError(.outputsSigned) {
                try await store.swap(inputs: [fresh], outputs: [Records.signature(), outputs[0]], operation: Records.operation())
            }
            #expect(try await store.proofStates(ys: [fresh.y]).isEmpty)
            // A spent input and an already signed output together: the input decides (11001) on every ledger.
            for _ in 0..<5 {
                await expectStoreError(.proofsSpent) {
                    try await store.swap(inputs: [inputs[1], Records.proof()], outputs: [outputs[1], Records.signature()], operation: Records.operation())
                }
            }
            // And the fresh input is still spendable.
            try await store.swap(inputs: [fresh], outputs: newOutputs, operation: Records.operation())
        }
    }

    @Test("mint quotes: paid once, issued once", arguments: StoreKind.available)
    func mintQuotes(_ kind: StoreKind) async throws {
        try await StoreFixture.with(kind) { store in
            let q = Records.mintQuote(Amount(1 << 63))
            try await store.addMintQuote(q)
            await expectStoreError(.duplicate) { try await store.addMintQuote(q) }
            #expect(try await store.mintQuote(id: q.id) == q)
            #expect(try await store.mintQuote(paymentHash: q.paymentHash)?.id == q.id)
            #expect(try await store.mintQuote(id: "nope") == nil)
            await expectStoreError(.quoteState) { try await store.issueMintQuote(id: q.id, outputs: [Records.signature()], operation: Records.operation(.mint, quote: q.id)) }
            #expect(try await store.markMintQuotePaid(id: q.id, at: Records.now + 1))
            #expect(try await !store.markMintQuotePaid(id: q.id, at: Records.now + 2))
            let outputs = [Records.signature()]
            try await store.issueMintQuote(id: q.id, outputs: outputs, operation: Records.operation(.mint, quote: q.id))
            let issued = try #require(try await store.mintQuote(id: q.id))
            #expect(issued.state == .issued && issued.paidAt == Records.now + 1 && issued.issuedAt == Records.now)
            let extra = [Records.signature()]
            await expectStoreError(.quoteState) { try await store.issueMintQuote(id: q.id, outputs: extra, operation: Records.operation(.mint, quote: q.id)) }
            #expect(try await store.signatures(blindedMessages: extra.map(\.blindedMessage)).isEmpty)
        }
    }

    @Test("melts: pending inputs, completion with change, failure releases, one payment per invoice", arguments: StoreKind.available)
    func melts(_ kind: StoreKind) async throws {
        try await StoreFixture.with(kind) { store in
            let quote = Records.meltQuote()
            try await store.addMeltQuote(quote)
            #expect(try await store.meltQuote(id: quote.id) == quote)
            let inputs = [Records.proof(64), Records.proof(32), Records.proof(8)]
            let blank = try (0..<2).map { _ in BlindedMessage(amount: 1, id: Records.keysetID, blindedSecret: try Scalar.random().publicPoint) }
            try await store.beginMelt(quoteID: quote.id, inputs: inputs, blankOutputs: blank, inputAmount: 104, inputFee: 0, operation: Records.operation(.melt, quote: quote.id))
            await expectStoreError(.quoteState) {
                try await store.beginMelt(quoteID: quote.id, inputs: [Records.proof()], blankOutputs: [], inputAmount: 8, inputFee: 0, operation: Records.operation(.melt, quote: quote.id))
            }
            let pending = try #require(try await store.meltQuote(id: quote.id))
            #expect(pending.state == .pending && pending.blankOutputs == blank && pending.inputAmount == 104)
            #expect(try await store.pendingMeltQuotes().map(\.id) == [quote.id])
            #expect(try await store.proofStates(ys: inputs.map(\.y)).values.allSatisfy { $0.state == .pending })
            // A swap touching a pending input is refused as pending, and writes nothing.
            let out = [Records.signature()]
            await expectStoreError(.proofsPending) { try await store.swap(inputs: [inputs[0], Records.proof()], outputs: out, operation: Records.operation()) }
            #expect(try await store.signatures(blindedMessages: out.map(\.blindedMessage)).isEmpty)
            // Another quote for the same invoice cannot start while this one is pending.
            let twin = Records.meltQuote(hash: quote.paymentHash)
            try await store.addMeltQuote(twin)
            await expectStoreError(.quoteState) {
                try await store.beginMelt(quoteID: twin.id, inputs: [Records.proof()], blankOutputs: [], inputAmount: 8, inputFee: 0, operation: Records.operation(.melt, quote: twin.id))
            }
            // Failure releases everything; the quote can start again.
            try await store.failMelt(quoteID: quote.id)
            await expectStoreError(.quoteState) { try await store.failMelt(quoteID: quote.id) }
            #expect(try await store.proofStates(ys: inputs.map(\.y)).isEmpty)
            #expect(try await store.meltQuote(id: quote.id)?.state == .unpaid)
            try await store.beginMelt(quoteID: quote.id, inputs: inputs, blankOutputs: blank, inputAmount: 104, inputFee: 1, operation: Records.operation(.melt, quote: quote.id, fee: 1))
            let change = [Records.signature(1)]
            try await store.completeMelt(quoteID: quote.id, preimage: "aa", feePaid: 1, change: change, at: Records.now + 5)
            let paid = try #require(try await store.meltQuote(id: quote.id))
            #expect(paid.state == .paid && paid.paymentPreimage == "aa" && paid.feePaid == 1 && paid.paidAt == Records.now + 5)
            #expect(try await store.proofStates(ys: inputs.map(\.y)).values.allSatisfy { $0.state == .spent })
            #expect(try await store.signatures(blindedMessages: change.map(\.blindedMessage)).count == 1)
            // The melt's change is found by its quote; other signatures and other quotes are not.
            try await store.swap(inputs: [Records.proof()], outputs: [Records.signature()], operation: Records.operation())
            #expect(try await store.meltChange(quoteID: quote.id) == [change[0].blindedMessage: change[0]])
            #expect(try await store.meltChange(quoteID: twin.id).isEmpty)
            #expect(try await store.pendingMeltQuotes().isEmpty)
            await expectStoreError(.quoteState) { try await store.completeMelt(quoteID: quote.id, preimage: nil, feePaid: 0, change: [], at: Records.now) }
            #expect(try await store.auditTotals().fees[.sat] == 1)
        }
    }

    @Test("a pending melt's payment attempt: stamped by beginMelt with the backend, claimed by exactly one caller, and a superseded attempt cannot release the inputs", arguments: StoreKind.available)
    func paymentAttempt(_ kind: StoreKind) async throws {
        try await StoreFixture.with(kind) { store in
            let quote = Records.meltQuote()
            try await store.addMeltQuote(quote)
            let t = Records.now
            // Not PENDING: nothing to claim.
            #expect(try await store.claimPaymentAttempt(quoteID: quote.id, from: nil, to: t) == false)
            let inputs = [Records.proof(128)]
            try await store.beginMelt(
                quoteID: quote.id, inputs: inputs, blankOutputs: [], inputAmount: 128, inputFee: 0, operation: Records.operation(.melt, quote: quote.id),
                paymentBackend: "lnd")
            let begun = try #require(try await store.meltQuote(id: quote.id))
            #expect(begun.paymentAttemptAt == t && begun.paymentBackend == "lnd")
            // A claim from a value that is not the current one fails.
            #expect(try await store.claimPaymentAttempt(quoteID: quote.id, from: nil, to: t + 10) == false)
            #expect(try await store.claimPaymentAttempt(quoteID: quote.id, from: t - 1, to: t + 10) == false)
            // 20 callers that read the same attempt race: exactly one claims it.
            let wins = try await withThrowingTaskGroup(of: Bool.self) { group in
                for i in 0..<20 { group.addTask { try await store.claimPaymentAttempt(quoteID: quote.id, from: t, to: t + 120 + UInt64(i)) } }
                return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
            #expect(wins == 1)
            let claimed = try #require(try await store.meltQuote(id: quote.id)?.paymentAttemptAt)
            #expect(claimed >= t + 120)
            // The first attempt's sender learns "failed": it may not release the inputs, the newer attempt decides.
            await expectStoreError(.quoteState) { try await store.failMelt(quoteID: quote.id, attempt: t) }
            #expect(try await store.meltQuote(id: quote.id)?.state == .pending)
            #expect(try await store.proofStates(ys: inputs.map(\.y)).values.allSatisfy { $0.state == .pending })
            // The current attempt's sender may.
            try await store.failMelt(quoteID: quote.id, attempt: claimed)
            let released = try #require(try await store.meltQuote(id: quote.id))
            #expect(released.state == .unpaid && released.paymentAttemptAt == nil && released.paymentBackend == nil)
            #expect(try await store.proofStates(ys: inputs.map(\.y)).isEmpty)
        }
    }

    @Test("internal melts settle the mint quote in the same transaction", arguments: StoreKind.available)
    func internalMelt(_ kind: StoreKind) async throws {
        try await StoreFixture.with(kind) { store in
            let mintQuote = Records.mintQuote(100)
            try await store.addMintQuote(mintQuote)
            let melt = Records.meltQuote(hash: mintQuote.paymentHash)
            try await store.addMeltQuote(melt)
            try await store.beginMelt(quoteID: melt.id, inputs: [Records.proof(128)], blankOutputs: [], inputAmount: 128, inputFee: 0, operation: Records.operation(.melt, quote: melt.id))
            try await store.completeInternalMelt(quoteID: melt.id, mintQuoteID: mintQuote.id, change: [], at: Records.now)
            #expect(try await store.mintQuote(id: mintQuote.id)?.state == .paid)
            #expect(try await store.meltQuote(id: melt.id)?.state == .paid)
            // A second internal settlement against a paid mint quote changes nothing.
            let again = Records.meltQuote()
            try await store.addMeltQuote(again)
            let inputs = [Records.proof(128)]
            try await store.beginMelt(quoteID: again.id, inputs: inputs, blankOutputs: [], inputAmount: 128, inputFee: 0, operation: Records.operation(.melt, quote: again.id))
            await expectStoreError(.quoteState) { try await store.completeInternalMelt(quoteID: again.id, mintQuoteID: mintQuote.id, change: [], at: Records.now) }
            #expect(try await store.meltQuote(id: again.id)?.state == .pending)
            #expect(try await store.proofStates(ys: inputs.map(\.y)).values.allSatisfy { $0.state == .pending })
        }
    }

    @Test("audit totals are exact beyond 64 bits, and the auditor's snapshot pages through every proof in operation order", arguments: StoreKind.available)
    func audit(_ kind: StoreKind) async throws {
        try await StoreFixture.with(kind) { store in
            let big = Amount(1 << 63)
            try await store.swap(inputs: [Records.proof(big), Records.proof(big), Records.proof(1)], outputs: [Records.signature(big), Records.signature(big)], operation: Records.operation(fee: 1))
            try await store.swap(inputs: [Records.proof(big)], outputs: [Records.signature(big), Records.signature(4)], operation: Records.operation(fee: big))
            let totals = try await store.auditTotals()
            let k = try #require(totals.keysets[Records.keysetID])
            #expect(k.issued == (UInt128(3) << 63) + 4 && k.issuedCount == 4)
            #expect(k.redeemed == (UInt128(3) << 63) + 1 && k.redeemedCount == 4)
            #expect(totals.fees[.sat] == (UInt128(1) << 63) + 1)
            // More proofs than a page holds, most of them in one operation: pages must continue within an operation.
            try await store.swap(inputs: (0..<2500).map { _ in Records.proof(1) }, outputs: [], operation: Records.operation())
            let auditing = try #require(store as? any LedgerAuditing)
            let seen = try await auditing.withAuditSnapshot { snapshot in
                let pages = try await snapshot.proofs()
                var rows = [(operation: String, y: String)]()
                while case let page = try await pages.next(), !page.isEmpty { rows += page.map { ($0.operationID, $0.y) } }
                return rows
            }
            #expect(seen.count == 2504 && Set(seen.map(\.y)).count == 2504)
            #expect(seen.map(\.operation) == seen.map(\.operation).sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) })
        }
    }

    @Test("50 concurrent swaps of the same inputs: exactly one wins, the rest are refused", arguments: StoreKind.available)
    func concurrentDoubleSpend(_ kind: StoreKind) async throws {
        try await StoreFixture.with(kind) { store in
            let inputs = [Records.proof(), Records.proof()]
            let results = await withTaskGroup(of: MintStoreError.Code?.self) { group in
                for _ in 0..<50 {
                    group.addTask {
                        do {
                            try await store.swap(inputs: inputs, outputs: [Records.signature()], operation: Records.operation())
                            return nil
                        } catch let e as MintStoreError {
                            return e.code
                        } catch {
                            return .unavailable
                        }
                    }
                }
                return await group.reduce(into: [MintStoreError.Code?]()) { $0.append($1) }
            }
            #expect(results.filter { $0 == nil }.count == 1)
            #expect(results.compactMap { $0 }.allSatisfy { $0 == .proofsSpent }, "\(results)")
            let totals = try await store.auditTotals()
            #expect(totals.keysets[Records.keysetID]?.issuedCount == 1)
        }
    }

    @Test("concurrent swaps of different inputs all succeed", arguments: StoreKind.available)
    func concurrentIndependent(_ kind: StoreKind) async throws {
        try await StoreFixture.with(kind) { store in
            let failures = await withTaskGroup(of: Int.self) { group in
                for _ in 0..<50 {
                    group.addTask {
                        (try? await store.swap(inputs: [Records.proof(), Records.proof()], outputs: [Records.signature(), Records.signature()], operation: Records.operation())) == nil ? 1 : 0
                    }
                }
                return await group.reduce(0, +)
            }
            #expect(failures == 0)
            let totals = try await store.auditTotals()
            #expect(totals.keysets[Records.keysetID]?.redeemedCount == 100)
        }
    }

    @Test("mint quotes: an operator's PAID → UNPAID, never from ISSUED", arguments: StoreKind.available)
    func mintQuoteUnpaid(_ kind: StoreKind) async throws {
        try await StoreFixture.with(kind) { store in
            let q = Records.mintQuote()
            try await store.addMintQuote(q)
            #expect(try await !store.markMintQuoteUnpaid(id: q.id))
            #expect(try await store.markMintQuotePaid(id: q.id, at: Records.now + 1))
            #expect(try await store.markMintQuoteUnpaid(id: q.id))
            let back = try #require(try await store.mintQuote(id: q.id))
            #expect(back.state == .unpaid && back.paidAt == nil)
            #expect(try await store.markMintQuotePaid(id: q.id, at: Records.now + 2))
            try await store.issueMintQuote(id: q.id, outputs: [Records.signature()], operation: Records.operation(.mint, quote: q.id))
            #expect(try await !store.markMintQuoteUnpaid(id: q.id))
            #expect(try await store.mintQuote(id: q.id)?.state == .issued)
            #expect(try await !store.markMintQuoteUnpaid(id: "nope"))
        }
    }

    @Test("settings overrides: saved under a version check, and 20 processes changing them at once lose no change", arguments: StoreKind.available)
    func settingsOverrides(_ kind: StoreKind) async throws {
        try await StoreFixture.with(kind) { store in
            #expect(try await store.settingsOverrides() == nil)
            #expect(try await !store.saveSettingsOverrides("{}", expected: 3, at: Records.now))
            #expect(try await store.saveSettingsOverrides(#"{"motd":"a"}"#, expected: 0, at: Records.now))
            #expect(try await !store.saveSettingsOverrides(#"{"motd":"b"}"#, expected: 0, at: Records.now))
            #expect(try await store.settingsOverrides()?.document == #"{"motd":"a"}"#)
            #expect(try await store.settingsOverrides()?.version == 1)
            #expect(try await store.saveSettingsOverrides(#"{"motd":"c"}"#, expected: 1, at: Records.now))
            #expect(try await !store.saveSettingsOverrides(#"{"motd":"d"}"#, expected: 1, at: Records.now))
            #expect(try await store.settingsOverrides()?.version == 2)

            // Each writer is a process of its own (its own LiveSettings), adding one URL by read-modify-write.
            let failures = await withTaskGroup(of: Int.self) { group in
                for i in 0..<20 {
                    group.addTask {
                        let live = LiveSettings(MintSettings())
                        do {
                            try await live.update(in: store, now: Records.now) { o in o.urls = (o.urls ?? []) + ["https://m\(i).example"] }
                            return 0
                        } catch {
                            return 1
                        }
                    }
                }
                return await group.reduce(0, +)
            }
            #expect(failures == 0)
            let (document, version) = try #require(try await store.settingsOverrides())
            let overrides = try SettingsOverrides.decode(document)
            #expect(Set(overrides.urls ?? []) == Set((0..<20).map { "https://m\($0).example" }))
            #expect(overrides.motd == "c" && version == 22)

            // A reader applies what is stored; an older version never replaces a newer one.
            let live = LiveSettings(MintSettings())
            #expect(try await live.reload(from: store))
            #expect(live.current.info.urls.count == 20 && live.current.info.motd == "c")
            #expect(!live.apply(SettingsOverrides(), version: 1))
            #expect(live.current.info.motd == "c")
        }
    }

    /// Writes one of everything the ledger records: a mint (with an amount beyond 2^63), swaps with fees, a melt that
    /// completes with change, one that fails (its proofs and operation deleted), and 30 concurrent swaps.
    static func exercise(_ store: any MintStore) async throws {
        let other = try KeysetID(hex: "00" + "11" + "223344556677")
        let q = Records.mintQuote(Amount((1 << 63) + 8))
        try await store.addMintQuote(q)
        _ = try await store.markMintQuotePaid(id: q.id, at: Records.now)
        try await store.issueMintQuote(id: q.id, outputs: [Records.signature(Amount(1 << 63)), Records.signature(8)], operation: Records.operation(.mint, quote: q.id))
        try await store.swap(inputs: [Records.proof(Amount(1 << 63))], outputs: [Records.signature(Amount(1 << 62), keyset: other), Records.signature(Amount((1 << 62) - 3), keyset: other)], operation: Records.operation(fee: 3))
        try await store.swap(inputs: [Records.proof(8), Records.proof(4, keyset: other)], outputs: [Records.signature(11)], operation: Records.operation(fee: 1))
        for outcome in ["complete", "fail"] {
            let quote = Records.meltQuote()
            try await store.addMeltQuote(quote)
            let blank = try (0..<2).map { _ in BlindedMessage(amount: 1, id: Records.keysetID, blindedSecret: try Scalar.random().publicPoint) }
            try await store.beginMelt(quoteID: quote.id, inputs: [Records.proof(64), Records.proof(64, keyset: other)], blankOutputs: blank, inputAmount: 128, inputFee: 2, operation: Records.operation(.melt, quote: quote.id, fee: 2))
            if outcome == "complete" {
                try await store.completeMelt(quoteID: quote.id, preimage: nil, feePaid: 1, change: [Records.signature(16), Records.signature(8)], at: Records.now)
            } else {
                try await store.failMelt(quoteID: quote.id)
            }
        }
        // A melt left pending.
        let pending = Records.meltQuote()
        try await store.addMeltQuote(pending)
        try await store.beginMelt(quoteID: pending.id, inputs: [Records.proof(32)], blankOutputs: [], inputAmount: 32, inputFee: 0, operation: Records.operation(.melt, quote: pending.id))
        await withTaskGroup(of: Void.self) { group in
            for i in 0..<30 {
                group.addTask {
                    _ = try? await store.swap(
                        inputs: [Records.proof(Amount(UInt64(i + 1))), Records.proof(2, keyset: other)], outputs: [Records.signature(Amount(UInt64(i + 1)), keyset: other)],
                        operation: Records.operation(fee: 2))
                }
            }
        }
    }

    @Test("running totals: the database keeps ledger_totals equal to the tables' sums through every kind of write", arguments: StoreKind.available)
    func runningTotals(_ kind: StoreKind) async throws {
        try await StoreFixture.with(kind) { store in
            #expect(try await store.ledgerTotals() == AuditTotals())
            try await Self.exercise(store)
            let audit = try await store.auditTotals()
            #expect(audit.running != nil)
            #expect(audit.runningMismatches.isEmpty, "\(audit.runningMismatches)")
            let running = try await store.ledgerTotals()
            #expect(running.keysets == audit.keysets && running.fees == audit.fees)
            #expect(audit.keysets[Records.keysetID]?.issued == UInt128(UInt64(1) << 63) + 8 + 11 + 16 + 8)
            let fees: UInt128 = audit.fees[.sat] ?? 0
            #expect(fees == 3 + 1 + 2 + 2 * 30)
            #expect(audit.keysets.values.reduce(0) { $0 + $1.pendingCount } == 1)
            #expect(try await store.pendingMeltCount() == 1)
        }
    }
}
