import CashewEncoding
import CashuCrypto
import CashuMint
import CashuProtocol
import FakeLightning
import Secp256k1
import Testing

@Suite("Mint core: keys, minting, swapping")
struct MintFlowTests {
    @Test("keys, keysets and info describe one active 64-key sat keyset")
    func keys() async throws {
        try await MintHarness.with { h in
            let keys = h.mint.keys()
            #expect(keys.keysets.count == 1)
            let keyset = try #require(keys.keysets.first)
            #expect(keyset.unit == .sat && keyset.active == true && keyset.keys.count == 64)
            #expect(keyset.id.version == .v2)
            #expect(KeysetID.v2(keys: keyset.keys, unit: .sat) == keyset.id)
            #expect(h.mint.keysetList().keysets.map(\.id) == [keyset.id])
            let info = h.mint.info(version: "Cashew/test")
            #expect(info.supports(nut: 4) && info.supports(nut: 7) && info.supports(nut: 12))
            #expect(info.nuts?["17"] == nil)
            await expectCashuError(.keysetUnknown) { try h.mint.keys(id: KeysetID(hex: "00ffffffffffffff")) }
        }
    }

    @Test("the same seed gives the same keysets; another seed other keysets")
    func deterministic() async throws {
        var ids = [String: KeysetID]()
        for (name, seed) in [("a", "one"), ("b", "one"), ("c", "two")] {
            try await MintHarness.with(seed: seed) { h in ids[name] = try h.activeKeyset().id }
        }
        #expect(ids["a"] == ids["b"])
        #expect(ids["a"] != ids["c"])
    }

    @Test("mint quote: UNPAID → PAID → ISSUED exactly once")
    func mintQuote() async throws {
        var fake = FakeLightningSettings()
        fake.incomingDelay = 60
        try await MintHarness.with(fake: fake) { h in
            let quote = try await h.mint.createMintQuote(MintQuoteBolt11Request(amount: 100, unit: .sat))
            #expect(quote.state == .unpaid && quote.amount == 100)
            let outputs = try MintHarness.outputs(Amount(100).powersOfTwo, keyset: h.activeKeyset().id)
            await expectCashuError(.quoteNotPaid) { try await h.mint.mint(MintRequest(quote: quote.quote, outputs: outputs.messages)) }
            // The backend reports the invoice paid.
            let hash = try #require(try await h.store.mintQuote(id: quote.quote)).paymentHash
            try await h.mint.invoicePaid(paymentHash: hash)
            #expect(try await h.mint.mintQuote(id: quote.quote).state == .paid)
            // Wrong total, then right.
            let wrong = try MintHarness.outputs([64, 32], keyset: h.activeKeyset().id)
            await expectCashuError(.transactionUnbalanced) { try await h.mint.mint(MintRequest(quote: quote.quote, outputs: wrong.messages)) }
            let response = try await h.mint.mint(MintRequest(quote: quote.quote, outputs: outputs.messages))
            #expect(response.signatures.map(\.amount) == outputs.messages.map(\.amount))
            _ = try h.proofs(response.signatures, outputs)
            #expect(try await h.mint.mintQuote(id: quote.quote).state == .issued)
            let again = try MintHarness.outputs(Amount(100).powersOfTwo, keyset: h.activeKeyset().id)
            await expectCashuError(.quoteAlreadyIssued) { try await h.mint.mint(MintRequest(quote: quote.quote, outputs: again.messages)) }
            await expectCashuError(.notAllowed) { try await h.mint.mint(MintRequest(quote: "nope", outputs: again.messages)) }
        }
    }

    @Test("concurrent mint requests for one quote issue exactly once")
    func concurrentMint() async throws {
        try await MintHarness.with { h in
            let quote = try await h.mint.createMintQuote(MintQuoteBolt11Request(amount: 8, unit: .sat))
            let keyset = try h.activeKeyset().id
            let results = await withTaskGroup(of: Bool.self) { group in
                for _ in 0..<20 {
                    group.addTask {
                        guard let outputs = try? MintHarness.outputs([8], keyset: keyset) else { return false }
                        return (try? await h.mint.mint(MintRequest(quote: quote.quote, outputs: outputs.messages))) != nil
                    }
                }
                return await group.reduce(into: [Bool]()) { $0.append($1) }
            }
            #expect(results.filter { $0 }.count == 1)
        }
    }

    @Test("mint quote limits and units")
    func mintQuoteErrors() async throws {
        var settings = MintSettings()
        settings.mintMaxAmount = 1000
        try await MintHarness.with(settings: settings) { h in
            await expectCashuError(.amountOutsideLimit) { try await h.mint.createMintQuote(MintQuoteBolt11Request(amount: 1001, unit: .sat)) }
            await expectCashuError(.amountOutsideLimit) { try await h.mint.createMintQuote(MintQuoteBolt11Request(amount: 0, unit: .sat)) }
            await expectCashuError(.unitNotSupported) { try await h.mint.createMintQuote(MintQuoteBolt11Request(amount: 10, unit: .usd)) }
        }
    }

    @Test("swap: balanced swaps work, proofs cannot be spent twice")
    func swap() async throws {
        try await MintHarness.with { h in
            let proofs = try await h.mintProofs(100)
            let swapped = try await h.swap(proofs, into: [Amount(32), Amount(32), Amount(16), Amount(16), Amount(4)])
            #expect(swapped.map(\.amount).reduce(0) { $0 + $1.rawValue } == 100)
            await expectCashuError(.proofsAlreadySpent) { try await h.swap(proofs, into: Amount(100).powersOfTwo) }
            // A proof spent in one swap cannot join another.
            await expectCashuError(.proofsAlreadySpent) { try await h.swap([proofs[0]] + swapped, into: Amount(100 + proofs[0].amount.rawValue).powersOfTwo) }
            // The failed swap changed nothing: the fresh proofs are still spendable.
            let final = try await h.swap(swapped, into: Amount(100).powersOfTwo)
            #expect(final.count == 3)
        }
    }

    @Test("swap errors carry the right NUT codes")
    func swapErrors() async throws {
        var settings = MintSettings()
        settings.maxInputs = 5
        settings.maxOutputs = 5
        settings.maxSecretLength = 100
        try await MintHarness.with(settings: settings) { h in
            let proofs = try await h.mintProofs(15)  // 1, 2, 4, 8
            let keyset = try h.activeKeyset().id
            func outs(_ amounts: [UInt64]) throws -> [BlindedMessage] { try MintHarness.outputs(amounts.map { Amount($0) }, keyset: keyset).messages }

            await expectCashuError(.transactionUnbalanced) { try await h.mint.swap(SwapRequest(inputs: proofs, outputs: try outs([8, 4, 2]))) }
            await expectCashuError(.duplicateInputs) { try await h.mint.swap(SwapRequest(inputs: [proofs[0], proofs[0]], outputs: try outs([2]))) }
            let dup = try outs([1])
            await expectCashuError(.duplicateOutputs) { try await h.mint.swap(SwapRequest(inputs: [proofs[1]], outputs: dup + dup)) }
            await expectCashuError(.maxInputsExceeded) { try await h.mint.swap(SwapRequest(inputs: Array(repeating: proofs[0], count: 6), outputs: try outs([1]))) }
            await expectCashuError(.maxOutputsExceeded) { try await h.mint.swap(SwapRequest(inputs: proofs, outputs: try outs([1, 1, 1, 1, 1, 1, 1, 8]))) }
            await expectCashuError(.amountOutsideLimit) { try await h.mint.swap(SwapRequest(inputs: [proofs[1]], outputs: try outs([0, 2]))) }
            await expectCashuError(.amountOutsideLimit) { try await h.mint.swap(SwapRequest(inputs: [proofs[1]], outputs: try outs([3]))) }
            var unknown = try outs([2])
            unknown[0].id = try KeysetID(hex: "00ffffffffffffff")
            await expectCashuError(.keysetUnknown) { try await h.mint.swap(SwapRequest(inputs: [proofs[1]], outputs: unknown)) }
            var forged = proofs[1]
            forged.secret = Hex.encode(SecureRandom.bytes(32))
            await expectCashuError(.proofVerificationFailed) { try await h.mint.swap(SwapRequest(inputs: [forged], outputs: try outs([2]))) }
            var wrongAmount = proofs[1]
            wrongAmount.amount = 4
            await expectCashuError(.proofVerificationFailed) { try await h.mint.swap(SwapRequest(inputs: [wrongAmount], outputs: try outs([4]))) }
            var long = proofs[1]
            long.secret = String(repeating: "a", count: 101)
            await expectCashuError(.notAllowed) { try await h.mint.swap(SwapRequest(inputs: [long], outputs: try outs([2]))) }
            // None of the failures spent anything.
            _ = try await h.swap(proofs, into: [8, 4, 2, 1])
        }
    }

    @Test("outputs cannot be signed twice (11003), and the failed swap spends nothing")
    func outputsSigned() async throws {
        try await MintHarness.with { h in
            let proofs = try await h.mintProofs(4)
            let keyset = try h.activeKeyset().id
            let outputs = try MintHarness.outputs([4], keyset: keyset)
            _ = try await h.mint.swap(SwapRequest(inputs: proofs, outputs: outputs.messages))
            let more = try await h.mintProofs(4)
            await expectCashuError(.outputsAlreadySigned) { try await h.mint.swap(SwapRequest(inputs: more, outputs: outputs.messages)) }
            _ = try await h.swap(more, into: [4])
        }
    }

    @Test("rotation: the old keyset redeems but no longer signs (12002)")
    func rotation() async throws {
        try await MintHarness.with { h in
            let old = try h.activeKeyset().id
            let proofs = try await h.mintProofs(8)
            let new = try await h.mint.rotate(unit: .sat, inputFeePPK: 0)
            #expect(new.id != old)
            #expect(try h.activeKeyset().id == new.id)
            #expect(h.mint.keysetList().keysets.first { $0.id == old }?.active == false)
            let oldOutputs = try MintHarness.outputs([8], keyset: old)
            await expectCashuError(.keysetInactive) { try await h.mint.swap(SwapRequest(inputs: proofs, outputs: oldOutputs.messages)) }
            let fresh = try await h.swap(proofs, into: [8])
            #expect(fresh.first?.id == new.id)
        }
    }

    @Test("input fees: inputs − ceil(Σ fee_ppk / 1000) must equal outputs")
    func fees() async throws {
        var settings = MintSettings()
        settings.inputFeePPK = 100
        try await MintHarness.with(settings: settings) { h in
            #expect(try h.activeKeyset().inputFeePPK == 100)
            let proofs = try await h.mintProofs(15)  // 4 proofs: fee ceil(400/1000) = 1
            await expectCashuError(.transactionUnbalanced) { try await h.swap(proofs, into: [8, 4, 2, 1]) }
            let swapped = try await h.swap(proofs, into: [8, 4, 2])
            #expect(swapped.count == 3)
            let totals = try await h.store.auditTotals()
            #expect(totals.fees[.sat] == 1)
        }
    }

    @Test("checkstate and restore")
    func checkStateAndRestore() async throws {
        try await MintHarness.with { h in
            let proofs = try await h.mintProofs(6)
            let ys = try proofs.map { try $0.y }
            #expect(try await h.mint.checkState(CheckStateRequest(ys: ys)).states.map(\.state) == [.unspent, .unspent])
            let keyset = try h.activeKeyset().id
            let outputs = try MintHarness.outputs([4, 2], keyset: keyset)
            let signed = try await h.mint.swap(SwapRequest(inputs: proofs, outputs: outputs.messages))
            let states = try await h.mint.checkState(CheckStateRequest(ys: ys.reversed()))
            #expect(states.states.map(\.state) == [.spent, .spent])
            #expect(states.states.map(\.y) == ys.reversed())
            // Restore returns exactly the signed outputs, in request order, with their signatures.
            let unknown = try MintHarness.outputs([1], keyset: keyset)
            let restored = try await h.mint.restore(RestoreRequest(outputs: unknown.messages + outputs.messages.reversed()))
            #expect(restored.outputs == outputs.messages.reversed())
            #expect(restored.signatures == signed.signatures.reversed())

            // Outputs sent with amount 0 (as cdk's and nutshell's wallets restore) come back exactly as sent; the
            // signatures carry the amounts they were issued for.
            var zeroed = outputs.messages
            for i in zeroed.indices { zeroed[i].amount = 0 }
            let restoredZero = try await h.mint.restore(RestoreRequest(outputs: zeroed))
            #expect(restoredZero.outputs == zeroed)
            #expect(restoredZero.signatures.map(\.amount) == [4, 2] && restoredZero.signatures == signed.signatures)
        }
    }
}

