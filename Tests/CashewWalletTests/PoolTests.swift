import Bolt11
import CashewEncoding
import CashewWallet
import CashuCrypto
import CashuProtocol
import Foundation
import Secp256k1
import TestSupport
import Testing

/// Community pools with three `cashew` wallets (2 of 3, SIG_ALL) against cashew-mint: a deposit, a proposal the mint
/// refuses with one signature and pays with two, a tampered proposal caught by the second signer, a Lightning
/// payment from the pool, and the refund path after the locktime.
@Suite("Pools: n-of-m treasuries")
struct PoolTests {
    static func cashew(_ args: [String]) async throws -> Interop.Output { try await WalletCLITests.cashew(args) }

    static func json(_ out: Interop.Output) throws -> [String: Any] {
        #expect(out.status == 0, "\(out.stderr)")
        return try #require(try JSONSerialization.jsonObject(with: Data(out.stdout.utf8)) as? [String: Any], "\(out.stdout)")
    }

    static func errorLine(_ out: Interop.Output) -> String {
        out.stderr.split(separator: "\n").filter { $0.hasPrefix("Error:") }.joined(separator: " | ")
    }

    @Test("2 of 3: deposit; one signature is refused by the mint; a tampered proposal is caught; two signatures pay; a Lightning payment; the refund path after the locktime")
    func twoOfThree() async throws {
        try await CashewMintProcess.withScratch("cashew-pool") { mint, root in
            let (alice, bob, carol, dave) = (root + "/alice", root + "/bob", root + "/carol", root + "/dave")
            #expect(try await Self.cashew(["--dir", alice, "--mint", mint.url, "mint", "200"]).status == 0)
            for w in [bob, carol, dave] { #expect(try await Self.cashew(["--dir", w, "mints", "add", mint.url]).status == 0) }
            func key(_ w: String) async throws -> String { try await Self.cashew(["--dir", w, "pubkey"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines) }
            let (a, b, c, d) = (try await key(alice), try await key(bob), try await key(carol), try await key(dave))
            let members = ["--member", a, "--member", b, "--member", c, "--threshold", "2"]
            var fingerprints = Set<String>()
            for w in [alice, bob, carol] {
                fingerprints.insert(try #require(try Self.json(try await Self.cashew(["--dir", w, "pool", "create", "club"] + members + ["--json"]))["fingerprint"] as? String))
            }
            #expect(fingerprints.count == 1)
            // Not a member: refused.
            #expect(try await Self.cashew(["--dir", dave, "pool", "create", "club"] + members).status != 0)

            // Alice deposits 100; Bob and Carol add the token.
            let deposit = try #require(try await Self.json(try Self.cashew(["--dir", alice, "pool", "deposit", "club", "100", "--json"]))["token"] as? String)
            for w in [bob, carol] { #expect(try await Self.json(try Self.cashew(["--dir", w, "pool", "receive", "club", deposit, "--json"]))["added"] as? Int == 100) }
            #expect(try await WalletCLITests.balance(alice, mint.url) == 100)
            for w in [alice, bob, carol] { #expect(try await Self.json(try Self.cashew(["--dir", w, "pool", "balance", "club", "--json"]))["balance"] as? Int == 100) }
            // Proofs without their DLEQ proofs are not taken into a pool (made-up proofs would look unspent).
            let bare = try Token(decoding: deposit)
            let stripped = Token(mint: bare.mint, unit: bare.unit, proofs: bare.proofs.map { var p = $0; p.dleq = nil; return p })
            #expect(try await Self.cashew(["--dir", bob, "pool", "receive", "club", try stripped.serialized()]).status != 0)
            // Alice cannot spend the pool's e-cash as her own: the token is locked 2 of 3.
            #expect(try await Self.cashew(["--dir", alice, "receive", deposit]).status != 0)

            // Alice proposes paying Dave 30: signed by her alone, the mint refuses it.
            let proposed = try await Self.json(try Self.cashew(["--dir", alice, "pool", "propose", "club", "30", "--to", d, "--json"]))
            let blob = try #require(proposed["proposal"] as? String)
            #expect(proposed["signers"] as? [String] == [a] && proposed["pays"] as? Int == 30 && proposed["to"] as? String == d)
            let alone = try await Self.cashew(["--dir", alice, "pool", "submit", blob])
            #expect(alone.status != 0 && !Self.errorLine(alone).isEmpty, "\(alone.stderr)")
            #expect(try await Self.json(try Self.cashew(["--dir", bob, "pool", "balance", "club", "--json"]))["balance"] as? Int == 100)

            // Tampered on the way to Bob: the payment now goes to Mallory (outputs rebuilt consistently), or the proposal
            // claims another amount. Bob's review refuses both, before signing.
            let mallory = try Scalar.random().publicPoint
            var redirected = try PoolProposal(decoding: blob)
            let r = Scalar.random()
            let secret = try #require(try SpendingLock(kind: .p2pk, keys: [mallory]).outputs(count: 1).first?.secret)
            let i = try #require(redirected.outputs.firstIndex { !$0.secret.contains(c) })
            redirected.outputs[i].secret = secret
            redirected.outputs[i].r = r.hex
            redirected.outputs[i].blinded = try BDHKE.blind(secret: secret, r: r).hex
            redirected.to = mallory.hex
            var inflated = try PoolProposal(decoding: blob)
            inflated.amount = 29
            for tampered in [redirected.encoded, inflated.encoded] {
                for verb in ["show", "sign"] {
                    let out = try await Self.cashew(["--dir", bob, "pool", verb, tampered])
                    #expect(out.status != 0 && Self.errorLine(out).contains("does not check out"), "\(verb): \(out.stderr)")
                }
            }

            // Made that way by a dishonest proposer, before anyone signed (no signature to break): a "swap" that names a
            // melt quote (its signatures would authorise a melt of that quote), and two outputs with one secret (one of
            // them could never be spent). Each is refused for what it is.
            var disguised = try PoolProposal(decoding: blob)
            try #require(!disguised.inputs.isEmpty && disguised.outputs.count > 1, "\(blob)")
            disguised.inputs[0].witness = nil
            disguised.quote = "a-melt-quote"
            var burned = try PoolProposal(decoding: blob)
            burned.inputs[0].witness = nil
            burned.outputs[1].secret = burned.outputs[0].secret
            burned.outputs[1].r = burned.outputs[0].r
            burned.outputs[1].blinded = burned.outputs[0].blinded
            for (tampered, reason) in [(disguised.encoded, "names a melt quote"), (burned.encoded, "used twice")] {
                let out = try await Self.cashew(["--dir", bob, "pool", "sign", tampered])
                #expect(out.status != 0 && Self.errorLine(out).contains(reason), "\(out.stderr)")
            }

            // Bob reviews the real one and signs: with two signatures it is submitted and paid.
            let shown = try await Self.json(try Self.cashew(["--dir", bob, "pool", "show", blob, "--json"]))
            #expect(shown["pays"] as? Int == 30 && shown["to"] as? String == d && shown["fee"] as? Int == 0 && shown["signers"] as? [String] == [a])
            let paid = try await Self.json(try Self.cashew(["--dir", bob, "pool", "sign", blob, "--json"]))
            #expect(paid["state"] as? String == "PAID")
            let payment = try #require(paid["payment"] as? String)
            let change = try #require(paid["change"] as? String)
            #expect(try await Self.cashew(["--dir", dave, "receive", payment]).status == 0)
            #expect(try await WalletCLITests.balance(dave, mint.url) == 30)
            // Carol signs the same proposal too, late: it was carried out (Dave spent its payment), so her review refuses it.
            let late = try await Self.cashew(["--dir", carol, "pool", "sign", blob])
            #expect(late.status != 0 && Self.errorLine(late).contains("spent already"), "\(late.stderr)")
            #expect(try await WalletCLITests.balance(dave, mint.url) == 30)
            // The change (what the proofs spent held beyond the 30) goes to the members who did not submit.
            let changeAmount = try Token(decoding: change).proofs.reduce(0) { $0 + Int($1.amount.rawValue) }
            #expect(changeAmount > 0)
            for w in [alice, carol] { #expect(try await Self.json(try Self.cashew(["--dir", w, "pool", "receive", "club", change, "--json"]))["added"] as? Int == changeAmount) }
            for w in [alice, bob, carol] { #expect(try await Self.json(try Self.cashew(["--dir", w, "pool", "balance", "club", "--json"]))["balance"] as? Int == 70) }

            // A Lightning payment from the pool: Carol proposes, Alice completes it.
            let invoice = try Invoice.Builder(amountMsat: 20_000, paymentHash: SecureRandom.bytes(32), paymentSecret: SecureRandom.bytes(32), description: "hall")
                .sign(with: .random()).bolt11
            let melt = try await Self.json(try Self.cashew(["--dir", carol, "pool", "propose", "club", "--invoice", invoice, "--json"]))
            #expect(melt["kind"] as? String == "melt" && melt["pays"] as? Int == 20)
            // The same melt made with one blank output (the change would stay with the mint), or showing another invoice.
            var starved = try PoolProposal(decoding: try #require(melt["proposal"] as? String))
            try #require(!starved.inputs.isEmpty && !starved.outputs.isEmpty, "\(melt)")
            starved.inputs[0].witness = nil
            starved.outputs = [starved.outputs[0]]
            var swapped = try PoolProposal(decoding: try #require(melt["proposal"] as? String))
            swapped.inputs[0].witness = nil
            swapped.invoice = try Invoice.Builder(amountMsat: 20_000, paymentHash: SecureRandom.bytes(32), paymentSecret: SecureRandom.bytes(32), description: "x")
                .sign(with: .random()).bolt11
            for (tampered, reason) in [(starved.encoded, "too few outputs"), (swapped.encoded, "not for the invoice")] {
                let out = try await Self.cashew(["--dir", alice, "pool", "sign", tampered])
                #expect(out.status != 0 && Self.errorLine(out).contains(reason), "\(out.stderr)")
            }
            let melted = try await Self.json(try Self.cashew(["--dir", alice, "pool", "sign", try #require(melt["proposal"] as? String), "--json"]))
            #expect(melted["state"] as? String == "PAID", "\(melted)")
            let left = try #require(try await Self.json(try Self.cashew(["--dir", alice, "pool", "balance", "club", "--json"]))["balance"] as? Int)
            #expect(left >= 48 && left <= 50, "\(left)")  // 70 − 20 − the Lightning fee (the fake node charges up to 2)
            let history = try #require(try await Self.json(try Self.cashew(["--dir", alice, "pool", "history", "club", "--json"]))["history"] as? [[String: Any]])
            #expect(Set(history.compactMap { $0["kind"] as? String }) == ["deposit", "received", "melted"])

            // The refund path: a pool whose e-cash Alice may take back alone after its locktime.
            let locktime = UInt64(Date().timeIntervalSince1970) + 4
            let vault = members + ["--locktime", String(locktime), "--refund", a]
            for w in [alice, bob] { #expect(try await Self.cashew(["--dir", w, "pool", "create", "vault"] + vault).status == 0) }
            #expect(try await Self.cashew(["--dir", alice, "pool", "deposit", "vault", "16"]).status == 0)
            let early = try await Self.cashew(["--dir", alice, "pool", "refund", "vault"])
            #expect(early.status != 0 && Self.errorLine(early).contains("opens at"), "\(early.stderr)")
            let before = try #require(try await WalletCLITests.balance(alice, mint.url))
            while UInt64(Date().timeIntervalSince1970) <= locktime + 1 { try await Task.sleep(for: .milliseconds(250)) }
            #expect(try await Self.json(try Self.cashew(["--dir", alice, "pool", "refund", "vault", "--json"]))["refunded"] as? Int == 16)
            #expect(try await WalletCLITests.balance(alice, mint.url) == before + 16)
            #expect(try await Self.cashew(["--dir", bob, "pool", "refund", "vault"]).status != 0)  // not a refund key
        }
    }

    /// Stops `mint`, lets its fake node finish every payment still in flight with `outcome` (in the node's state
    /// file, as if the node settled them while the mint was down), and starts the mint again on the same data.
    static func settlePayments(_ mint: CashewMintProcess, outcome: String) async throws -> CashewMintProcess {
        #expect(mint.stop() == 0)
        let file = URL(fileURLWithPath: mint.dataDir + "/fake-lightning.json")
        var saved = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: file)) as? [String: Any])
        var payments = try #require(saved["payments"] as? [String: [String: Any]])
        var changed = 0
        for (hash, payment) in payments where payment["outcome"] as? String == "pending" {
            payments[hash]?["outcome"] = outcome
            payments[hash]?["resolvesAt"] = 0
            changed += 1
        }
        #expect(changed == 1)
        saved["payments"] = payments
        try JSONSerialization.data(withJSONObject: saved).write(to: file, options: .atomic)
        return try await mint.restarted()
    }

    /// `pool balance NAME --json` until it settles something other than a still pending spend (the restarted mint
    /// settles its pending melts in the background): the balance and what was settled.
    static func settledBalance(_ dir: String, _ pool: String) async throws -> (balance: Int, settled: [[String: Any]]) {
        for _ in 0..<100 {
            let out = try json(try await cashew(["--dir", dir, "pool", "balance", pool, "--json"]))
            let settled = out["settled"] as? [[String: Any]] ?? []
            if !settled.contains(where: { $0["outcome"] as? String == "stillPending" }) { return (out["balance"] as? Int ?? -1, settled) }
            try await Task.sleep(for: .milliseconds(200))
        }
        Issue.record("the pool's spend stayed pending")
        return (-1, [])
    }

    @Test("a Lightning payment from the pool that the mint leaves PENDING: the submitter collects its change once it is paid; a failed one gives the inputs back")
    func pendingMelt() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("cashew-pool-pending-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        // Payments stay in flight at the fake node until the test settles them.
        var mint = try await CashewMintProcess(environment: ["CASHEW_FAKE_PAYMENT_OUTCOME": "pending"])
        defer {
            mint.stop()
            mint.removeData()
        }
        let (alice, bob) = (root + "/alice", root + "/bob")
        #expect(try await Self.cashew(["--dir", alice, "--mint", mint.url, "mint", "200"]).status == 0)
        #expect(try await Self.cashew(["--dir", bob, "mints", "add", mint.url]).status == 0)
        var keys = [String]()
        for w in [alice, bob] { keys.append(try await Self.cashew(["--dir", w, "pubkey"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)) }
        for w in [alice, bob] {
            #expect(try await Self.cashew(["--dir", w, "pool", "create", "club", "--member", keys[0], "--member", keys[1], "--threshold", "2"]).status == 0)
        }
        let deposit = try #require(try Self.json(try await Self.cashew(["--dir", alice, "pool", "deposit", "club", "100", "--json"]))["token"] as? String)
        #expect(try Self.json(try await Self.cashew(["--dir", bob, "pool", "receive", "club", deposit, "--json"]))["added"] as? Int == 100)
        func invoice(_ sat: UInt64) throws -> String {
            try Invoice.Builder(amountMsat: sat * 1000, paymentHash: SecureRandom.bytes(32), paymentSecret: SecureRandom.bytes(32), description: "hall")
                .sign(with: .random()).bolt11
        }
        func meltProposal(_ sat: UInt64) async throws -> String {
            let proposed = try Self.json(try await Self.cashew(["--dir", alice, "pool", "propose", "club", "--invoice", try invoice(sat), "--json"]))
            return try #require(proposed["proposal"] as? String)
        }

        // Alice proposes paying 20 sat, Bob signs and submits: the mint leaves the melt PENDING, without change.
        let sent = try Self.json(try await Self.cashew(["--dir", bob, "pool", "sign", try await meltProposal(20), "--json"]))
        #expect(sent["state"] as? String == "PENDING" && sent["change"] == nil, "\(sent)")
        let whilePending = try Self.json(try await Self.cashew(["--dir", bob, "pool", "balance", "club", "--json"]))
        let pendingBalance = try #require(whilePending["balance"] as? Int)
        #expect(pendingBalance < 100, "the melt's inputs still count")
        #expect((whilePending["settled"] as? [[String: Any]])?.map { $0["outcome"] as? String } == ["stillPending"], "\(whilePending)")

        // Paid while the mint was down: Bob's next look at the pool collects the change from the mint's records.
        mint = try await Self.settlePayments(mint, outcome: "paid")
        let (paidBalance, paid) = try await Self.settledBalance(bob, "club")
        #expect(paid.count == 1 && paid.first?["outcome"] as? String == "completed", "\(paid)")
        let change = try #require(paid.first?["change"] as? String, "\(paid)")
        let changeAmount = try Token(decoding: change).proofs.reduce(0) { $0 + Int($1.amount.rawValue) }
        #expect(paidBalance == pendingBalance + changeAmount)
        #expect(paidBalance >= 78 && paidBalance <= 79, "\(paidBalance)")  // 100 − 20 − the fake node's fee of 1, and up to 1 of input fees
        let history = try #require(try Self.json(try await Self.cashew(["--dir", bob, "pool", "history", "club", "--json"]))["history"] as? [[String: Any]])
        #expect(history.filter { $0["kind"] as? String == "melted" }.count == 1, "\(history)")
        // Settled once: nothing more to settle, and the change is for Alice too.
        #expect((try Self.json(try await Self.cashew(["--dir", bob, "pool", "balance", "club", "--json"]))["settled"] as? [[String: Any]])?.isEmpty == true)
        #expect(try Self.json(try await Self.cashew(["--dir", alice, "pool", "receive", "club", change, "--json"]))["added"] as? Int == changeAmount)
        #expect(try Self.json(try await Self.cashew(["--dir", alice, "pool", "balance", "club", "--json"]))["balance"] as? Int == paidBalance)

        // A second payment, left PENDING and then failed: the mint releases the inputs, and they are the pool's again.
        let second = try Self.json(try await Self.cashew(["--dir", bob, "pool", "sign", try await meltProposal(10), "--json"]))
        #expect(second["state"] as? String == "PENDING", "\(second)")
        #expect(try Self.json(try await Self.cashew(["--dir", bob, "pool", "balance", "club", "--json"]))["balance"] as? Int ?? 0 < paidBalance)
        mint = try await Self.settlePayments(mint, outcome: "failed")
        let (failedBalance, failed) = try await Self.settledBalance(bob, "club")
        #expect(failed.map { $0["outcome"] as? String } == ["rolledBack"], "\(failed)")
        #expect(failedBalance == paidBalance)
    }
}
