import CashewMintComponents
import CashuMint
import Foundation

extension CLNBackend {
    /// Core Lightning in the registry (`lightning_backend = cln`): `cln_url`, `cln_cert_file`, and the rune from a
    /// file (`cln_rune_file`) or the environment (`CASHEW_CLN_RUNE`).
    public static let component = PaymentBackendFactory(
        name: "cln",
        keys: ["cln_url", "cln_rune", "cln_rune_file", "cln_cert_file", "cln_request_timeout", "cln_pay_timeout", "cln_health_interval", "lightning_network"],
        secretKeys: ["cln_rune"]
    ) { context in
        let s = context.settings
        guard let url = s.string("cln_url"), url.hasPrefix("https://") || url.hasPrefix("http://") else {
            throw context.invalid("lightning_backend = cln needs cln_url (https://host:port of clnrest)")
        }
        guard let rune = try s.secret("cln_rune") else {
            throw context.invalid("lightning_backend = cln needs a rune: cln_rune_file, or CASHEW_CLN_RUNE")
        }
        var settings = Settings(url: url, rune: rune)
        settings.certificateFile = s.string("cln_cert_file")
        if let file = settings.certificateFile, !FileManager.default.isReadableFile(atPath: file) {
            throw context.invalid("cln_cert_file \(file) cannot be read")
        }
        settings.network = s.string("lightning_network", default: "bc")!
        guard ["bc", "tb", "tbs", "bcrt"].contains(settings.network) else { throw context.invalid("lightning_network must be bc, tb, tbs or bcrt") }
        settings.requestTimeout = try s.seconds("cln_request_timeout", default: 10, in: 0.5...600)
        settings.payTimeout = try s.seconds("cln_pay_timeout", default: 60, in: 1...3600)
        settings.healthInterval = try s.seconds("cln_health_interval", default: 5, in: 0.1...3600)
        do {
            return try CLNBackend(settings: settings, logger: context.logger)
        } catch {
            throw context.invalid("cln: \(error)")
        }
    }
}
