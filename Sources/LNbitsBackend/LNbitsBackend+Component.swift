import CashewMintComponents
import CashuMint

extension LNbitsBackend {
    /// LNbits in the registry (`lightning_backend = lnbits`): `lnbits_url`, and the wallet's admin key from the
    /// environment (`CASHEW_LNBITS_ADMIN_KEY`) or a file (`lnbits_admin_key_file`).
    public static let component = PaymentBackendFactory(
        name: "lnbits",
        keys: ["lnbits_url", "lnbits_admin_key", "lnbits_admin_key_file", "lnbits_poll_interval", "lnbits_pay_timeout", "lnbits_request_timeout",
               "lightning_network"],
        secretKeys: ["lnbits_admin_key"]
    ) { context in
        let s = context.settings
        guard let url = s.string("lnbits_url"), url.hasPrefix("http://") || url.hasPrefix("https://") else {
            throw context.invalid("lightning_backend = lnbits needs lnbits_url (http:// or https://)")
        }
        guard let key = try s.secret("lnbits_admin_key") else {
            throw context.invalid("lightning_backend = lnbits needs the wallet's admin key: CASHEW_LNBITS_ADMIN_KEY or lnbits_admin_key_file")
        }
        var settings = Settings(url: url, adminKey: key)
        settings.network = s.string("lightning_network", default: "bc")!
        guard ["bc", "tb", "tbs", "bcrt"].contains(settings.network) else { throw context.invalid("lightning_network must be bc, tb, tbs or bcrt") }
        settings.pollInterval = try s.seconds("lnbits_poll_interval", default: 1, in: 0.1...3600)
        settings.payTimeout = try s.seconds("lnbits_pay_timeout", default: 60, in: 1...3600)
        settings.requestTimeout = try s.seconds("lnbits_request_timeout", default: 5, in: 0.5...600)
        return LNbitsBackend(settings: settings, logger: context.logger)
    }
}
