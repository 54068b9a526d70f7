import CLNBackend
import CashewSQLiteStore
import CashuCrypto
import CashuMint
import CashewWallet
import CashuProtocol
import Foundation
import LNDBackend
import LNbitsBackend
import Logging
import Secp256k1
import Synchronization
import TestSupport
import Testing

/// Every backend (LNbits, LND, Core Lightning) against a node that fails at each step, in that node's own wire
/// format (`ScriptedNode` behind `LNbitsFace`, `LNDFace`, `CLNFace`; LND and Core Lightning over TLS). The rules
/// under test (Specs/melt.md): the inputs are released only after a definite failure, nothing is paid twice,
/// nothing is lost, and a melt whose call went wrong stays PENDING and settles later by itself.
@Suite("Melt faults: every backend against a node failing at each step", .serialized)
struct MeltFaultTests {
    enum AtMelt: String, Sendable { case paid, pending, failed }
    enum Final: String, Sendable { case paid, unpaid }

    struct Case: Sendable, CustomStringConvertible {
        var step: ScriptedNode.Step
        var fault: ScriptedNode.Fault
        var moment: ScriptedNode.Moment = .before
        var outcome: ScriptedNode.Outcome = .succeed
        var atMelt: AtMelt
        var final: Final
        /// Payments that leave the node (a second send of a paid or held hash is refused by the node).
        var sends: Int
        var description: String { "\(step) \(fault) \(moment) (network: \(outcome))" }
    }

    static let payTimeout: Duration = .seconds(3)
    static let requestTimeout: Duration = .seconds(2)

    static var cases: [Case] {
        var all = [Case]()
        // The node refuses before sending: a definite failure, the inputs come back.
        all.append(Case(step: .pay, fault: .refuse, atMelt: .failed, final: .unpaid, sends: 0))
        for fault in ScriptedNode.Fault.allCases where fault != .refuse {
            // The call never reached the node: no record, so the melt stays PENDING until it is sent again.
            all.append(Case(step: .pay, fault: fault, atMelt: .pending, final: .paid, sends: 1))
        }
        for fault in ScriptedNode.Fault.allCases {
            // The payment went out and the answer was lost (or said "failed"): the record decides at once.
            all.append(Case(step: .pay, fault: fault, moment: .after, atMelt: .paid, final: .paid, sends: 1))
            all.append(Case(step: .pay, fault: fault, moment: .after, outcome: .fail, atMelt: .failed, final: .unpaid, sends: 1))
            // The answer was lost and the record cannot be read either: PENDING, settled later from the record.
            all.append(Case(step: .status, fault: fault, atMelt: .pending, final: .paid, sends: 1))
        }
        return all
    }

    /// One melt per case on a fresh mint and a fresh node, all through one server per backend.
    @Test("each fault at each step: the ledger ends right", arguments: Face.allCases)
    func faults(_ face: Face) async throws {
        let box = NodeBox()
        try await FaceServer.run(face, box) { url, certificate in
            for c in Self.cases {
                try await Rig.with(face, box, url: url, certificate: certificate) { rig in
                    try await Self.run(c, rig, face)
                }
            }
        }
    }

    static func run(_ c: Case, _ rig: Rig, _ face: Face) async throws {
        let node = rig.node
        let label = "\(face) \(c)"
        let proofs = try await rig.mintProofs(200)
        let target = try node.externalInvoice(amountMsat: 100_000)
        let quote = try await rig.mint.createMeltQuote(MeltQuoteBolt11Request(request: target.bolt11, unit: .sat))
        node.set(c.step, c.fault, c.moment)
        if c.step == .status { node.set(.pay, .timeout, .after) }  // the pay answer is lost, so the record is asked
        node.set(outcome: c.outcome)
        let started = ContinuousClock.now
        let atMelt = await rig.melt(quote.quote, proofs)
        #expect(ContinuousClock.now - started < payTimeout + .seconds(12), "\(label): the melt call must not hang")
        #expect(atMelt == c.atMelt, "\(label): the melt answered \(atMelt)")
        let expectedInputs: ProofState = switch atMelt {
        case .paid?: .spent
        case .pending?: .pending
        case .failed?, nil: .unspent
        }
        #expect(try await rig.states(proofs) == [expectedInputs], "\(label): inputs after the melt")

        // Recovery (the maintenance service, or a wallet checking the quote) settles what is pending.
        let final = try await rig.settle(quote.quote)
        #expect(final == c.final, "\(label): the quote ended \(final)")
        #expect(try await rig.states(proofs) == [c.final == .paid ? .spent : .unspent], "\(label): inputs at the end")
        let (sends, paidOut) = node.state.withLock { ($0.sends, $0.paidOutMsat) }
        #expect(sends == c.sends, "\(label): \(sends) payments left the node")
        #expect(paidOut == (c.final == .paid ? 100_000 : 0), "\(label): \(paidOut) msat paid out")
        if c.final == .paid {
            let settled = try await rig.mint.meltQuote(id: quote.quote)
            #expect(settled.paymentPreimage != nil, "\(label): the preimage is kept")
        }
    }

    @Test("a fault at LNbits' fee-reserve call: no melt quote, nothing reserved (LND and Core Lightning make no call for a quote)")
    func feeQuote() async throws {
        let box = NodeBox()
        try await FaceServer.run(.lnbits, box) { url, certificate in
            for fault in ScriptedNode.Fault.allCases {
                try await Rig.with(.lnbits, box, url: url, certificate: certificate) { rig in
                    let target = try rig.node.externalInvoice(amountMsat: 100_000)
                    rig.node.set(.feeQuote, fault)
                    do {
                        _ = try await rig.mint.createMeltQuote(MeltQuoteBolt11Request(request: target.bolt11, unit: .sat))
                        Issue.record("\(fault): a melt quote was made without LNbits' fee reserve")
                    } catch let error as MintUnavailableError {
                        #expect(error.error.code == .transactionError, "\(fault)")
                    } catch {
                        Issue.record("\(fault): \(error)")
                    }
                }
            }
        }
    }

    @Test("special cases: a stale FAILED, a hold invoice that never settles, a payment in flight across a restart, two quotes for one invoice",
          arguments: Face.allCases)
    func specials(_ face: Face) async throws {
        let box = NodeBox()
        try await FaceServer.run(face, box) { url, certificate in
            try await Rig.with(face, box, url: url, certificate: certificate) { rig in try await Self.staleFailed(rig, face) }
            try await Rig.with(face, box, url: url, certificate: certificate) { rig in try await Self.holdNeverSettles(rig, face) }
            try await Self.inFlightAcrossRestart(face, box, url, certificate)
            try await Rig.with(face, box, url: url, certificate: certificate) { rig in try await Self.twoQuotesOneInvoice(rig, face) }
            try await Rig.with(face, box, url: url, certificate: certificate) { rig in try await Self.incoming(rig, face) }
            if face == .cln {
                try await Rig.with(face, box, url: url, certificate: certificate) { rig in try await Self.xpayStillRetrying(rig) }
            }
        }
    }

    @Test("cashew-mint built from settings on LND and Core Lightning (TLS with the node's certificate, macaroon or rune file): our wallet mints and melts; a melt left PENDING by a lost answer is settled by the mint and then by the wallet's recovery",
          arguments: [Face.lnd, Face.cln])
    func mintProcess(_ face: Face) async throws {
        let box = NodeBox()
        try await FaceServer.run(face, box) { url, certificate in
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cashew-\(face)-secrets-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: dir) }
            var environment = ["CASHEW_LIGHTNING_BACKEND": face.rawValue, "CASHEW_MELT_RESEND_AFTER": "60", "CASHEW_QUOTE_CHECK_INTERVAL": "0"]
            switch face {
            case .lnd:
                // The macaroon file as lncli writes it: binary.
                FileManager.default.createFile(atPath: dir + "/admin.macaroon", contents: Data(Reply.bytes(hex: LNDFace.macaroonHex)))
                environment.merge(["CASHEW_LND_URL": url, "CASHEW_LND_CERT_FILE": certificate!, "CASHEW_LND_MACAROON_FILE": dir + "/admin.macaroon",
                                   "CASHEW_LND_PAY_TIMEOUT": "3", "CASHEW_LND_REQUEST_TIMEOUT": "2", "CASHEW_LND_HEALTH_INTERVAL": "0.2"]) { $1 }
            case .cln:
                try "scripted-rune\n".write(toFile: dir + "/rune", atomically: true, encoding: .utf8)
                environment.merge(["CASHEW_CLN_URL": url, "CASHEW_CLN_CERT_FILE": certificate!, "CASHEW_CLN_RUNE_FILE": dir + "/rune",
                                   "CASHEW_CLN_PAY_TIMEOUT": "3", "CASHEW_CLN_REQUEST_TIMEOUT": "2", "CASHEW_CLN_HEALTH_INTERVAL": "0.2"]) { $1 }
            case .lnbits: return
            }
            let mint = try await CashewMintProcess(environment: environment)
            defer {
                mint.stop()
                mint.removeData()
            }
            let node = box.node
            try await LNbitsEndToEndTests.withWallet { wallet in
                let quote = try await wallet.requestMint(amount: 200, mintURL: mint.url)
                try await wallet.waitUntilPaid(quote: quote.quote, mintURL: mint.url, timeout: .seconds(30), poll: .milliseconds(100))
                _ = try await wallet.mint(quote: quote.quote, amount: 200, mintURL: mint.url)

                // A plain melt: paid, fee 1 sat, the rest of the reserve back as change.
                let first = try node.externalInvoice(amountMsat: 50_000)
                let paid = try await wallet.melt(try await wallet.meltQuote(invoice: first.bolt11, mintURL: mint.url), mintURL: mint.url)
                #expect(paid.state == .paid && paid.fee == 1, "\(face): \(paid)")
                #expect(try await wallet.balance(mintURL: mint.url) == 149)

                // The node pays but its answer is lost, and its record cannot be read at first: PENDING.
                let second = try node.externalInvoice(amountMsat: 100_000)
                let meltQuote = try await wallet.meltQuote(invoice: second.bolt11, mintURL: mint.url)
                node.set(.pay, .timeout, .after)
                node.set(.status, .http500, count: 3)
                let pending = try await wallet.melt(meltQuote, mintURL: mint.url)
                #expect(pending.state == .pending, "\(face): \(pending)")
                // The mint settles it from the node's record (maintenance every 5 s), and the wallet's recovery
                // completes its side with the change.
                var recovered: [RecoveredOperation] = []
                for _ in 0..<100 where !recovered.contains(where: { $0.kind == .melt && $0.outcome == .completed }) {
                    recovered = try await wallet.recover(mintURL: mint.url)
                    if !recovered.contains(where: { $0.kind == .melt && $0.outcome == .completed }) { try await Task.sleep(for: .milliseconds(200)) }
                }
                #expect(recovered.contains { $0.kind == .melt && $0.outcome == .completed }, "\(face): \(recovered) \(mint.logs.suffix(1500))")
                #expect(try await wallet.balance(mintURL: mint.url) == 48, "\(face)")
                #expect(node.state.withLock { ($0.sends, $0.paidOutMsat) } == (2, 150_000), "\(face): paid once each")
            }
            #expect(!mint.logs.contains("scripted-rune") && !mint.logs.contains(LNDFace.macaroonHex), "a secret was logged")
        }
    }

    /// An earlier attempt of the hash failed; the mint's own attempt is in flight: the record must read PENDING
    /// (never the stale FAILED), then PAID when the attempt completes.
    static func staleFailed(_ rig: Rig, _ face: Face) async throws {
        let node = rig.node
        let proofs = try await rig.mintProofs(200)
        let target = try node.externalInvoice(amountMsat: 100_000)
        let quote = try await rig.mint.createMeltQuote(MeltQuoteBolt11Request(request: target.bolt11, unit: .sat))
        node.recordFailedAttempt(target.hash, amountMsat: 100_000)
        node.set(outcome: .hold)
        node.set(.pay, .drop, .after)
        #expect(await rig.melt(quote.quote, proofs) == .pending, "\(face): stale FAILED")
        for _ in 0..<3 { try await rig.mint.recoverPendingMelts() }
        #expect(try await rig.states(proofs) == [.pending], "\(face): a stale FAILED released the inputs")
        node.resolve(target.hash, succeed: true)
        #expect(try await rig.settle(quote.quote) == .paid, "\(face): stale FAILED then success")
        #expect(node.state.withLock { $0.paidOutMsat } == 100_000)
    }

    /// Core Lightning before 26.06 lists an `xpay` payment as failed between two attempts while `xpay` is still
    /// retrying: a recent "every attempt failed" must not release the inputs; the same record once older than the pay
    /// timeout does; and a retry that succeeds meanwhile is PAID.
    static func xpayStillRetrying(_ rig: Rig) async throws {
        let node = rig.node
        let proofs = try await rig.mintProofs(200)
        let target = try node.externalInvoice(amountMsat: 100_000)
        let quote = try await rig.mint.createMeltQuote(MeltQuoteBolt11Request(request: target.bolt11, unit: .sat))
        node.recentAttempts.withLock { $0 = true }
        node.set(outcome: .fail)
        node.set(.pay, .timeout, .after)  // xpay's answer is lost; its record: one failed attempt, just now
        #expect(await rig.melt(quote.quote, proofs) == .pending)
        for _ in 0..<3 { try await rig.mint.recoverPendingMelts() }
        #expect(try await rig.states(proofs) == [.pending], "a recent failed attempt released the inputs")
        // xpay's next attempt succeeds.
        node.set(outcome: .succeed)
        _ = node.send(target.bolt11)
        #expect(try await rig.settle(quote.quote) == .paid)
        #expect(node.state.withLock { $0.paidOutMsat } == 100_000)

        // Another melt whose only attempt failed long ago: released.
        let more = try await rig.mintProofs(200)
        let other = try node.externalInvoice(amountMsat: 50_000)
        let second = try await rig.mint.createMeltQuote(MeltQuoteBolt11Request(request: other.bolt11, unit: .sat))
        node.set(outcome: .fail)
        node.set(.pay, .timeout, .after)
        #expect(await rig.melt(second.quote, more) == .pending)
        node.recentAttempts.withLock { $0 = false }
        #expect(try await rig.settle(second.quote) == .unpaid)
        #expect(try await rig.states(more) == [.unspent])
    }

    /// The payee holds the HTLC: the melt answers PENDING within the pay timeout (no hang), stays PENDING with its
    /// inputs pending while the node says in flight, and releases them when the hold is cancelled.
    static func holdNeverSettles(_ rig: Rig, _ face: Face) async throws {
        let node = rig.node
        let proofs = try await rig.mintProofs(200)
        let target = try node.externalInvoice(amountMsat: 100_000)
        let quote = try await rig.mint.createMeltQuote(MeltQuoteBolt11Request(request: target.bolt11, unit: .sat))
        node.set(outcome: .hold)
        let started = ContinuousClock.now
        #expect(await rig.melt(quote.quote, proofs) == .pending, "\(face): hold invoice")
        #expect(ContinuousClock.now - started < payTimeout + .seconds(8), "\(face): the melt waited for the hold invoice")
        for _ in 0..<3 {
            try await rig.mint.recoverPendingMelts()
            #expect(try await rig.mint.meltQuote(id: quote.quote).state == .pending)
        }
        #expect(try await rig.states(proofs) == [.pending])
        #expect(node.state.withLock { $0.sends } == 1, "\(face): a held payment was sent again")
        node.resolve(target.hash, succeed: false)
        #expect(try await rig.settle(quote.quote) == .unpaid, "\(face): cancelled hold")
        #expect(try await rig.states(proofs) == [.unspent])
    }

    /// The mint stops with a payment in flight; the payment completes while it is down; the restarted mint settles
    /// it PAID from the record, with change, without sending it again.
    static func inFlightAcrossRestart(_ face: Face, _ box: NodeBox, _ url: String, _ certificate: String?) async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cashew-restart-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let node = ScriptedNode()
        var state: (quote: String, proofs: [Proof], hash: String, blank: BlindedOutputs)?
        try await Rig.with(face, box, url: url, certificate: certificate, node: node, database: dir + "/ledger.sqlite") { rig in
            let proofs = try await rig.mintProofs(256)
            let target = try node.externalInvoice(amountMsat: 100_000)
            let quote = try await rig.mint.createMeltQuote(MeltQuoteBolt11Request(request: target.bolt11, unit: .sat))
            node.set(outcome: .hold)
            let blank = try BlindedOutputs([1, 1, 1, 1, 1, 1, 1, 1], keyset: try rig.activeKeyset())
            #expect(await rig.melt(quote.quote, proofs, outputs: blank.messages) == .pending)
            state = (quote.quote, proofs, target.hash, blank)
        }
        let s = try #require(state)
        node.resolve(s.hash, succeed: true)
        try await Rig.with(face, box, url: url, certificate: certificate, node: node, database: dir + "/ledger.sqlite") { rig in
            try await rig.mint.recoverPendingMelts()
            let settled = try await rig.mint.meltQuote(id: s.quote)
            #expect(settled.state == .paid, "\(face): restart")
            #expect(try await rig.states(s.proofs) == [.spent])
            // 256 in, 100 paid, 1 sat fee: 155 back as change (at most the reserve unused).
            let change = (settled.change ?? []).reduce(0) { $0 + $1.amount.rawValue }
            #expect(change > 0, "\(face): no change after restart")
            #expect(node.state.withLock { ($0.sends, $0.paidOutMsat) } == (1, 100_000))
        }
    }

    /// Two quotes for one invoice, melted at once: one pays, the other is refused with its inputs untouched.
    static func twoQuotesOneInvoice(_ rig: Rig, _ face: Face) async throws {
        let node = rig.node
        let a = try await rig.mintProofs(200)
        let b = try await rig.mintProofs(200)
        let target = try node.externalInvoice(amountMsat: 100_000)
        let q1 = try await rig.mint.createMeltQuote(MeltQuoteBolt11Request(request: target.bolt11, unit: .sat))
        let q2 = try await rig.mint.createMeltQuote(MeltQuoteBolt11Request(request: target.bolt11, unit: .sat))
        async let r1 = rig.melt(q1.quote, a)
        async let r2 = rig.melt(q2.quote, b)
        let results = await [r1, r2]
        #expect(results.filter { $0 == .paid }.count == 1, "\(face): two quotes one invoice: \(results)")
        let (sends, paidOut) = node.state.withLock { ($0.sends, $0.paidOutMsat) }
        #expect(sends == 1 && paidOut == 100_000, "\(face): the invoice was paid \(sends) times")
        let states = [try await rig.states(a), try await rig.states(b)]
        #expect(states.filter { $0 == [.spent] }.count == 1 && states.filter { $0 == [.unspent] }.count == 1, "\(face): \(states)")
    }

    /// The backend's stream of incoming payments (LNbits' poll, LND's subscription, Core Lightning's waitanyinvoice)
    /// announces a paid invoice.
    static func incoming(_ rig: Rig, _ face: Face) async throws {
        let events = rig.backend.incoming.subscribe()
        let invoice = try await rig.backend.createInvoice(amountMsat: 5000, description: "listen", expiry: 600)
        let seen = try await withThrowingTaskGroup(of: PaymentHash?.self) { group in
            group.addTask {
                for await hash in events where hash == invoice.paymentHash { return hash }
                return nil
            }
            group.addTask {
                try await Task.sleep(for: .seconds(15))
                return nil
            }
            defer { group.cancelAll() }
            return try await group.next() ?? nil
        }
        #expect(seen == invoice.paymentHash, "\(face): the paid invoice was not announced")
    }
}

/// A mint on SQLite with one backend pointed at a face server, and the steps the scenarios share.
struct Rig {
    let node: ScriptedNode
    let backend: any PaymentBackend
    let mint: Mint
    let store: SQLiteMintStore
    /// The mint's clock, which recovery moves on so that a payment with no record is sent again without waiting.
    let clock: OffsetClock

    /// `requestTimeout`: the fault scenarios' short one by default; a test that runs beside the whole suite (under
    /// load) gives a longer one.
    static func backend(_ face: Face, url: String, certificate: String?, requestTimeout: Duration = MeltFaultTests.requestTimeout) throws -> any PaymentBackend {
        var logger = Logger(label: "backend")
        logger.logLevel = .critical
        switch face {
        case .lnbits:
            var s = LNbitsBackend.Settings(url: url, adminKey: "scripted-key")
            s.requestTimeout = requestTimeout
            s.payTimeout = MeltFaultTests.payTimeout
            s.pollInterval = .milliseconds(200)
            return LNbitsBackend(settings: s, logger: logger)
        case .lnd:
            var s = LNDBackend.Settings(url: url, macaroonHex: LNDFace.macaroonHex)
            s.certificateFile = certificate
            s.requestTimeout = requestTimeout
            s.payTimeout = MeltFaultTests.payTimeout
            s.healthInterval = .milliseconds(200)
            return try LNDBackend(settings: s, logger: logger)
        case .cln:
            var s = CLNBackend.Settings(url: url, rune: "scripted-rune")
            s.certificateFile = certificate
            s.requestTimeout = requestTimeout
            s.payTimeout = MeltFaultTests.payTimeout
            s.healthInterval = .milliseconds(200)
            return try CLNBackend(settings: s, logger: logger)
        }
    }

    static func with(
        _ face: Face, _ box: NodeBox, url: String, certificate: String?, node: ScriptedNode = ScriptedNode(), database: String = ":memory:",
        requestTimeout: Duration = MeltFaultTests.requestTimeout, _ body: (Rig) async throws -> Void
    ) async throws {
        box.reset(node)
        let backend = try backend(face, url: url, certificate: certificate, requestTimeout: requestTimeout)
        var logger = Logger(label: "mint")
        logger.logLevel = .critical
        let store = try await SQLiteMintStore.open(path: database, logger: logger)
        try await store.migrate()
        var settings = MintSettings()
        settings.meltResendAfter = .seconds(60)
        settings.quoteCheckInterval = .zero
        let clock = OffsetClock()
        let mint = try Mint(
            store: store, backend: backend, master: ExtendedPrivateKey(seed: Array("melt faults".utf8)), settings: settings, clock: clock.clock, logger: logger)
        try await mint.start()
        let rig = Rig(node: node, backend: backend, mint: mint, store: store, clock: clock)
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await backend.run() }
                defer { group.cancelAll() }
                for _ in 0..<200 where await backend.health() != nil { try await Task.sleep(for: .milliseconds(50)) }
                try await body(rig)
            }
        } catch {
            try? await store.close()
            throw error
        }
        try await store.close()
    }

    func activeKeyset() throws -> KeysetID {
        try #require(mint.keys().keysets.first { $0.unit == .sat }).id
    }

    /// Mints `amount` through a quote whose invoice the node reports paid.
    func mintProofs(_ amount: Amount) async throws -> [Proof] {
        try await waitForBackend()
        let quote = try await mint.createMintQuote(MintQuoteBolt11Request(amount: amount, unit: .sat))
        let outputs = try BlindedOutputs(amount.powersOfTwo, keyset: activeKeyset())
        let response = try await mint.mint(MintRequest(quote: quote.quote, outputs: outputs.messages))
        return try outputs.proofs(response.signatures) { id, amount in try mint.keys(id: id).keysets.first?.keys[amount] }
    }

    /// A fault may have marked the node down; its health check brings it back within a moment.
    func waitForBackend() async throws {
        for _ in 0..<200 where await backend.health() != nil { try await Task.sleep(for: .milliseconds(50)) }
    }

    func melt(_ quote: String, _ proofs: [Proof], outputs: [BlindedMessage]? = nil) async -> MeltFaultTests.AtMelt? {
        try? await waitForBackend()
        do {
            let response = try await mint.melt(MeltRequest(quote: quote, inputs: proofs, outputs: outputs))
            return response.state == .paid ? .paid : response.state == .pending ? .pending : nil
        } catch let error as CashuError where error.code == .lightningPaymentFailed {
            return .failed
        } catch {
            return nil
        }
    }

    /// The distinct states of `proofs`.
    func states(_ proofs: [Proof]) async throws -> Set<ProofState> {
        Set(try await mint.checkState(CheckStateRequest(ys: proofs.map { try $0.y })).states.map(\.state))
    }

    /// Runs recovery until the quote leaves PENDING (or 10 rounds), as the maintenance service does, each round a
    /// minute later on the mint's clock (past `melt_resend_after`).
    func settle(_ quote: String) async throws -> MeltFaultTests.Final? {
        for _ in 0..<10 {
            let state = try await mint.meltQuote(id: quote).state
            if state == .paid { return .paid }
            if state == .unpaid { return .unpaid }
            clock.advance(61)
            try await mint.recoverPendingMelts()
            try await Task.sleep(for: .milliseconds(100))
        }
        return nil
    }
}

/// The wall clock, moved on by hand.
final class OffsetClock: Sendable {
    let offset = Mutex<Double>(0)
    var clock: MintClock { MintClock(time: { [self] in Date().timeIntervalSince1970 + offset.withLock { $0 } }) }
    func advance(_ seconds: Double) { offset.withLock { $0 += seconds } }
}
