import Bolt11
import CashewEncoding
import CashuCrypto
import CashuMint
import CashuProtocol
import FakeLightning
import Foundation
import Testing

/// Fake nodes on one network directory: the parts of a multi-path payment are held until they add up, then settled
/// together; an incomplete set fails after the timeout; the payee learns of the payment.
@Suite("Fake Lightning network: multi-path payments")
struct FakeNetworkTests {
    static func node(_ dir: String, name: String, mppTimeout: Double = 30) -> FakeLightningBackend {
        var s = FakeLightningSettings()
        s.incomingDelay = 86_400  // paid only over the network
        s.networkDirectory = dir
        s.mppTimeout = mppTimeout
        return FakeLightningBackend(settings: s, stateFile: URL(fileURLWithPath: dir + "/" + name + ".json"))
    }

    static func withNetwork(_ body: (String) async throws -> Void) async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("fake-network-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try await body(dir)
    }

    @Test("two parts from two nodes: both held until the second arrives, then both paid with the payee's preimage; the payee's invoice is paid")
    func partsSettleTogether() async throws {
        try await Self.withNetwork { dir in
            let (payee, a, b) = (Self.node(dir, name: "payee"), Self.node(dir, name: "a"), Self.node(dir, name: "b"))
            let created = try await payee.createInvoice(amountMsat: 100_000, description: "mpp", expiry: 600)
            let invoice = try Invoice(parsing: created.bolt11)
            #expect(try await payee.invoiceStatus(created.paymentHash) == .unpaid)
            async let first = a.pay(invoice: invoice, amountMsat: 60_000, maxFeeMsat: 2000)
            // The first part is held: still in flight while the second has not been sent.
            try await Task.sleep(for: .milliseconds(300))
            #expect(try await a.paymentStatus(created.paymentHash) == .pending)
            #expect(try await payee.invoiceStatus(created.paymentHash) == .unpaid)
            let second = try await b.pay(invoice: invoice, amountMsat: 40_000, maxFeeMsat: 2000)
            let firstResult = try await first
            guard case let .paid(_, preimageA) = firstResult, case let .paid(_, preimageB) = second else {
                Issue.record("expected both parts paid: \(firstResult), \(second)")
                return
            }
            let preimage = try #require(preimageA)
            #expect(preimage == preimageB)
            #expect(preimage.count == 64)
            #expect(try await payee.invoiceStatus(created.paymentHash) == .paid)
            // A restarted payer still knows its part was paid.
            #expect(try await Self.node(dir, name: "a").paymentStatus(created.paymentHash) == firstResult)
            // A part sent after the invoice was settled fails.
            let late = Self.node(dir, name: "c")
            guard case .failed = try await late.pay(invoice: invoice, amountMsat: 10_000, maxFeeMsat: 2000) else {
                Issue.record("a part for a settled invoice must fail")
                return
            }
        }
    }

    @Test("an incomplete set fails after the timeout, the payee is not paid, and the payer may send again")
    func incompleteFails() async throws {
        try await Self.withNetwork { dir in
            let payee = Self.node(dir, name: "payee", mppTimeout: 1)
            let a = Self.node(dir, name: "a", mppTimeout: 1)
            let created = try await payee.createInvoice(amountMsat: 100_000, description: nil, expiry: 600)
            let invoice = try Invoice(parsing: created.bolt11)
            let started = ContinuousClock.now
            guard case .failed = try await a.pay(invoice: invoice, amountMsat: 60_000, maxFeeMsat: 2000) else {
                Issue.record("a part alone must fail once the timeout passes")
                return
            }
            #expect(ContinuousClock.now - started >= .milliseconds(900))
            #expect(try await payee.invoiceStatus(created.paymentHash) == .unpaid)
            let before = try await a.balanceMsat()
            // Sent again, in full this time: paid.
            guard case .paid = try await a.pay(invoice: invoice, amountMsat: 100_000, maxFeeMsat: 2000) else {
                Issue.record("the full amount settles at once")
                return
            }
            #expect(try await a.balanceMsat() + 100_000 + 1000 == before)
            #expect(try await payee.invoiceStatus(created.paymentHash) == .paid)
        }
    }

    @Test("an invoice its own node already counts as paid (by the pretended outside payer) is not paid again over the network")
    func paidOutsideNotTwice() async throws {
        try await Self.withNetwork { dir in
            var s = FakeLightningSettings()
            s.incomingDelay = 0
            s.networkDirectory = dir
            let payee = FakeLightningBackend(settings: s, stateFile: URL(fileURLWithPath: dir + "/payee.json"))
            let created = try await payee.createInvoice(amountMsat: 50_000, description: nil, expiry: 600)
            #expect(try await payee.invoiceStatus(created.paymentHash) == .paid)
            guard case .failed = try await Self.node(dir, name: "a").pay(invoice: try Invoice(parsing: created.bolt11), amountMsat: 50_000, maxFeeMsat: 2000) else {
                Issue.record("a paid invoice must not be paid again")
                return
            }
        }
    }
}
