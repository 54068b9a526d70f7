import CashewAudit
import CashewSQLiteStore
import CashuCrypto
import CashuMint
import CashuProtocol
import Foundation
import Testing

/// The auditor's backend reconciliation (Specs/audit.md, check `reconciliation`) on LND and Core Lightning, through
/// their REST faces over TLS: the backends list every invoice and payment (`PaymentHistory`), a mint and a melt
/// reconcile clean, and a payment the node made for no melt is reported. It runs beside the whole suite, so its
/// backends wait up to 30 s for an answer (the fault scenarios' 2 s is for a quiet machine).
@Suite("Reconciliation with LND and Core Lightning", .serialized)
struct NodeReconciliationTests {
    static func reconciliation(_ rig: Rig) async throws -> (checked: UInt64, findings: [AuditFinding]) {
        var options = LedgerAuditor.Options(master: nil, now: UInt64(Date().timeIntervalSince1970))
        options.backends = [AuditBackend(rig.backend, units: [.sat], toleranceMsat: 0)]
        let auditor = LedgerAuditor(options: options)
        let report = try await rig.store.withAuditSnapshot { try await auditor.audit($0) }
        let checked = report.checks.first { $0.check == .reconciliation }?.checked ?? 0
        return (checked, report.findings.filter { $0.check == .reconciliation || $0.check == .solvency })
    }

    @Test("each node's invoices and payments: a mint and a melt reconcile; a payment no melt asked for is found", arguments: [Face.lnd, Face.cln])
    func reconcile(_ face: Face) async throws {
        let box = NodeBox()
        try await FaceServer.run(face, box) { url, certificate in
            try await Rig.with(face, box, url: url, certificate: certificate, requestTimeout: .seconds(30)) { rig in
                let proofs = try await rig.mintProofs(300)
                let target = try rig.node.externalInvoice(amountMsat: 100_000)
                let quote = try await rig.mint.createMeltQuote(MeltQuoteBolt11Request(request: target.bolt11, unit: .sat))
                #expect(await rig.melt(quote.quote, proofs) == .paid)

                // The backend's own lists: the settled invoice and the succeeded payment with its fee.
                let history = try #require(rig.backend as? any PaymentHistory)
                let payments = try await history.payments()
                #expect(payments.contains { $0.direction == .incoming && $0.status == .succeeded && $0.amountMsat == 300_000 }, "\(payments)")
                #expect(payments.contains { $0.direction == .outgoing && $0.paymentHash.hex == target.hash && $0.status == .succeeded && $0.feeMsat == 1000 },
                        "\(payments)")

                let clean = try await Self.reconciliation(rig)
                #expect(clean.findings.isEmpty, "\(clean.findings)")
                #expect(clean.checked >= 3, "\(clean.checked)")

                // The node pays an invoice behind the mint's back: nothing justifies it.
                let stray = try rig.node.externalInvoice(amountMsat: 5_000)
                guard case .sent(.succeeded) = rig.node.send(stray.bolt11) else { Issue.record("the node did not pay"); return }
                let caught = try await Self.reconciliation(rig)
                #expect(caught.findings.contains { $0.table == "backend" && $0.key == stray.hash && $0.severity == .critical }, "\(caught.findings)")
                #expect(caught.findings.count == 1, "\(caught.findings)")
            }
        }
    }

    @Test("NUT-15: a part's melt pays the part (Core Lightning `partial_msat`; LND a route with the invoice's MPP record) and reconciles; LNbits offers no parts",
          arguments: [Face.cln, Face.lnd, Face.lnbits])
    func multiPathPart(_ face: Face) async throws {
        let box = NodeBox()
        try await FaceServer.run(face, box) { url, certificate in
            try await Rig.with(face, box, url: url, certificate: certificate, requestTimeout: .seconds(30)) { rig in
                let target = try rig.node.externalInvoice(amountMsat: 100_000)
                let part = MeltQuoteBolt11Request(request: target.bolt11, unit: .sat, options: .init(mpp: .init(amount: 40_000)))
                guard face != .lnbits else {
                    #expect(rig.mint.info(version: "test").nuts?["15"] == nil)
                    await #expect(throws: CashuError.self) { _ = try await rig.mint.createMeltQuote(part) }
                    return
                }
                #expect(rig.mint.info(version: "test").nuts?["15"]?["methods"]?.arrayValue?.isEmpty == false)
                let proofs = try await rig.mintProofs(100)
                let quote = try await rig.mint.createMeltQuote(part)
                #expect(quote.amount == 40)
                #expect(await rig.melt(quote.quote, proofs) == .paid)
                #expect(rig.node.payment(target.hash)?.amountMsat == 40_000)
                let clean = try await Self.reconciliation(rig)
                #expect(clean.findings.isEmpty, "\(clean.findings)")
            }
        }
    }

    @Test("LND's lists are paged: 1,200 invoices and payments come back whole")
    func paging() async throws {
        let box = NodeBox()
        try await FaceServer.run(.lnd, box) { url, certificate in
            try await Rig.with(.lnd, box, url: url, certificate: certificate, requestTimeout: .seconds(30)) { rig in
                for _ in 0..<1200 { _ = try rig.node.createInvoice(amountMsat: 1000) }
                for _ in 0..<1200 { _ = rig.node.send(try rig.node.externalInvoice(amountMsat: 2000).bolt11) }
                let history = try #require(rig.backend as? any PaymentHistory)
                let payments = try await history.payments()
                #expect(payments.filter { $0.direction == .incoming }.count == 1200)
                #expect(Set(payments.filter { $0.direction == .outgoing }.map(\.paymentHash)).count == 1200)
            }
        }
    }
}
