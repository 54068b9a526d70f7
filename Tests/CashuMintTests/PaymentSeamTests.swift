import Bolt11
import Foundation
import CashuCrypto
import CashuMint
import CashuProtocol
@testable import FakeLightning
import Testing

/// The parts of the payment seam every backend shares: the incoming-payment fan-out, unit conversion and the
/// fee-reserve rule.
@Suite("Payment seam: incoming payments, units, fee reserve")
struct PaymentSeamTests {
    static func hash(_ byte: UInt8) throws -> PaymentHash { try PaymentHash(bytes: Array(repeating: byte, count: 32)) }

    @Test("every subscriber sees every payment; one that stops does not stop the others; finish ends them all")
    func fanOut() async throws {
        let incoming = IncomingPayments()
        let a = incoming.subscribe()
        var b: AsyncStream<PaymentHash>? = incoming.subscribe()
        #expect(incoming.subscriberCount == 2)
        incoming.publish(try Self.hash(1))
        var ia = a.makeAsyncIterator()
        var ib = b!.makeAsyncIterator()
        #expect(await ia.next() == (try Self.hash(1)))
        #expect(await ib.next() == (try Self.hash(1)))
        // The second subscriber goes away; the first keeps receiving.
        b = nil
        ib = AsyncStream<PaymentHash> { $0.finish() }.makeAsyncIterator()
        for _ in 0..<100 where incoming.subscriberCount > 1 { try await Task.sleep(for: .milliseconds(10)) }
        #expect(incoming.subscriberCount == 1)
        incoming.publish(try Self.hash(2))
        #expect(await ia.next() == (try Self.hash(2)))
        // A late subscriber sees what comes after it subscribed.
        let c = incoming.subscribe()
        incoming.publish(try Self.hash(3))
        var ic = c.makeAsyncIterator()
        #expect(await ic.next() == (try Self.hash(3)))
        #expect(await ia.next() == (try Self.hash(3)))
        incoming.finish()
        #expect(await ia.next() == nil)
        #expect(await ic.next() == nil)
        // After finish, a subscription ends at once.
        var late = incoming.subscribe().makeAsyncIterator()
        #expect(await late.next() == nil)
        _ = b
    }

    @Test("the fake node's balance survives a restart (state file); a payments-only file from before is still read")
    func fakeBalancePersisted() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cashew-fake-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("fake-lightning.json")
        var settings = FakeLightningSettings.instant
        settings.balanceMsat = 1_000_000
        let node = FakeLightningBackend(settings: settings, stateFile: file)
        _ = try await node.createInvoice(amountMsat: 50_000, description: nil, expiry: 60)  // paid at once: +50,000
        let elsewhere = try await FakeLightningBackend(settings: .instant).createInvoice(amountMsat: 20_000, description: nil, expiry: 60)
        _ = try await node.pay(invoice: try Invoice(parsing: elsewhere.bolt11), amountMsat: 20_000, maxFeeMsat: 5000)  // −21,000
        #expect(try await node.balanceMsat() == 1_029_000)
        let restarted = FakeLightningBackend(settings: settings, stateFile: file)
        #expect(try await restarted.balanceMsat() == 1_029_000)
        #expect(try await restarted.paymentStatus(try PaymentHash(bytes: try Invoice(parsing: elsewhere.bolt11).paymentHash)) != .unknown)

        try #"{"00":{"outcome":"paid","resolvesAt":0,"feeMsat":1000,"amountMsat":5000}}"#.write(to: file, atomically: true, encoding: .utf8)
        let old = FakeLightningBackend(settings: settings, stateFile: file)
        #expect(old.state.withLock { $0.payments.count } == 1)
        #expect(try await old.balanceMsat() == 1_000_000)
    }

    @Test("the fake node announces paid invoices to every subscriber from its run loop")
    func fakeNodeAnnounces() async throws {
        var settings = FakeLightningSettings()
        settings.incomingDelay = 0.1
        let node = FakeLightningBackend(settings: settings)
        let first = node.incoming.subscribe()
        let second = node.incoming.subscribe()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await node.run() }
            let invoice = try await node.createInvoice(amountMsat: 5000, description: nil, expiry: 60)
            var i1 = first.makeAsyncIterator()
            var i2 = second.makeAsyncIterator()
            #expect(await i1.next() == invoice.paymentHash)
            #expect(await i2.next() == invoice.paymentHash)
            #expect(try await node.invoiceStatus(invoice.paymentHash) == .paid)
            group.cancelAll()
        }
    }

    @Test("units convert to msat and back rounding in the mint's favour; fiat needs a price")
    func conversion() throws {
        let plain = UnitConversion()
        #expect(try plain.msat(21, .sat) == 21_000)
        #expect(try plain.amount(msat: 21_001, .sat) == 22)
        #expect(try plain.amount(msat: 21_000, .sat) == 21)
        #expect(try plain.msat(7, .msat) == 7)
        #expect(throws: CashuError.self) { try plain.msat(Amount(UInt64.max), .sat) }
        #expect(throws: CashuError.self) { try plain.msat(100, .usd) }
        let priced = UnitConversion(btcPrice: 100_000)
        // 1 cent at $100,000/BTC = 10 sat.
        #expect(try priced.msat(1, .usd) == 10_000)
        #expect(try priced.amount(msat: 10_001, .usd) == 2)
    }

    @Test("fee reserve: the larger of the percentage and the minimum, in integers even at the extremes")
    func feeReserve() {
        #expect(FeeReserveRule(percent: 2, minMsat: 2000).reserveMsat(for: 300_000) == 6000)
        #expect(FeeReserveRule(percent: 2, minMsat: 2000).reserveMsat(for: 10_000) == 2000)
        #expect(FeeReserveRule(percent: 100, minMsat: 0).reserveMsat(for: UInt64.max) == UInt64.max)
        #expect(FeeReserveRule(percent: .nan, minMsat: 5).reserveMsat(for: 1_000_000) == 5)
        #expect(FeeReserveRule(percent: 1000, minMsat: 0).reserveMsat(for: 1000) == 1000)
    }

    @Test("payment hashes are 32 bytes, lowercase hex")
    func paymentHash() throws {
        #expect(try PaymentHash(hex: String(repeating: "AB", count: 32)).hex == String(repeating: "ab", count: 32))
        #expect(throws: PaymentHash.Invalid.self) { try PaymentHash(hex: "abcd") }
        #expect(throws: PaymentHash.Invalid.self) { try PaymentHash(hex: String(repeating: "zz", count: 32)) }
    }
}
