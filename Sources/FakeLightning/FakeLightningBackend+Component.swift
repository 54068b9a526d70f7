import CashewMintComponents
import CashuMint
import Foundation

extension FakeLightningBackend {
    /// The fake node in the registry (`lightning_backend = fake`, the default). It keeps its outgoing payments in
    /// `fake-lightning.json` in the data directory, so that a restarted mint can settle them.
    public static let component = PaymentBackendFactory(
        name: "fake",
        keys: ["fake_incoming_delay", "fake_payment_outcome", "fake_payment_delay", "fake_payment_fee", "fake_btc_price", "fake_balance", "fake_network", "fake_mpp_timeout"]
    ) { context in
        let s = context.settings
        var f = FakeLightningSettings()
        f.incomingDelay = try s.double("fake_incoming_delay", default: 1)
        guard (0...86_400).contains(f.incomingDelay) else { throw context.invalid("fake_incoming_delay must be between 0 and 86400 seconds") }
        guard let outcome = FakeLightningSettings.PaymentOutcome(rawValue: s.string("fake_payment_outcome", default: "paid")!) else {
            throw context.invalid("fake_payment_outcome must be paid, failed or pending")
        }
        f.paymentOutcome = outcome
        f.paymentDelay = try s.double("fake_payment_delay", default: 0)
        guard (0...86_400).contains(f.paymentDelay) else { throw context.invalid("fake_payment_delay must be between 0 and 86400 seconds") }
        f.paymentFeeMsat = try s.uint64("fake_payment_fee", default: 1000)
        f.btcPrice = try s.uint64("fake_btc_price", default: 100_000)
        guard (1...1_000_000_000).contains(f.btcPrice) else { throw context.invalid("fake_btc_price must be between 1 and 1000000000") }
        let balanceSat = try s.uint64("fake_balance", default: 100_000_000)
        guard balanceSat <= 2_100_000_000_000_000 else { throw context.invalid("fake_balance must be at most 21 million BTC in sat") }
        f.balanceMsat = balanceSat * 1000
        if let network = s.string("fake_network", default: nil), !network.isEmpty { f.networkDirectory = network }
        f.mppTimeout = try s.double("fake_mpp_timeout", default: 60)
        guard (1...3600).contains(f.mppTimeout) else { throw context.invalid("fake_mpp_timeout must be between 1 and 3600 seconds") }
        return FakeLightningBackend(settings: f, stateFile: URL(fileURLWithPath: context.dataDir).appendingPathComponent("fake-lightning.json"))
    }
}
