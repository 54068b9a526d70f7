import CashewMintComponents
import CashuMint
import Foundation

extension LNDBackend {
    /// LND in the registry (`lightning_backend = lnd`): `lnd_url`, `lnd_cert_file`, and the macaroon from a file
    /// (`lnd_macaroon_file`, binary as `lncli` writes it, or hex) or the environment (`CASHEW_LND_MACAROON`, hex).
    public static let component = PaymentBackendFactory(
        name: "lnd",
        keys: ["lnd_url", "lnd_macaroon", "lnd_macaroon_file", "lnd_cert_file", "lnd_request_timeout", "lnd_pay_timeout", "lnd_health_interval",
               "lightning_network"],
        secretKeys: ["lnd_macaroon"]
    ) { context in
        let s = context.settings
        guard let url = s.string("lnd_url"), url.hasPrefix("https://") || url.hasPrefix("http://") else {
            throw context.invalid("lightning_backend = lnd needs lnd_url (https://host:port of LND's REST API)")
        }
        if let text = s.environmentValue("lnd_macaroon"), !isHex(text) {
            throw context.invalid("CASHEW_LND_MACAROON must be the macaroon in hex (a binary macaroon goes in lnd_macaroon_file)")
        }
        guard let macaroon = try macaroonHex(s.secretBytes("lnd_macaroon")) else {
            throw context.invalid("lightning_backend = lnd needs a macaroon: lnd_macaroon_file, or CASHEW_LND_MACAROON (hex)")
        }
        var settings = Settings(url: url, macaroonHex: macaroon)
        settings.certificateFile = s.string("lnd_cert_file")
        if let file = settings.certificateFile, !FileManager.default.isReadableFile(atPath: file) {
            throw context.invalid("lnd_cert_file \(file) cannot be read")
        }
        settings.network = s.string("lightning_network", default: "bc")!
        guard ["bc", "tb", "tbs", "bcrt"].contains(settings.network) else { throw context.invalid("lightning_network must be bc, tb, tbs or bcrt") }
        settings.requestTimeout = try s.seconds("lnd_request_timeout", default: 10, in: 0.5...600)
        settings.payTimeout = try s.seconds("lnd_pay_timeout", default: 60, in: 1...3600)
        settings.healthInterval = try s.seconds("lnd_health_interval", default: 5, in: 0.1...3600)
        do {
            return try LNDBackend(settings: settings, logger: context.logger)
        } catch {
            throw context.invalid("lnd: \(error)")
        }
    }

    static func isHex(_ text: String) -> Bool {
        let t = text.trimmingCharacters(in: .whitespacesAndNewlines)
        return !t.isEmpty && t.count % 2 == 0 && t.allSatisfy(\.isHexDigit)
    }

    /// A macaroon given as hex text, or as the binary file `lncli` writes: hex.
    static func macaroonHex(_ value: [UInt8]?) -> String? {
        guard let value, !value.isEmpty else { return nil }
        let text = String(decoding: value, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        if isHex(text) { return text.lowercased() }
        return value.map { String(format: "%02x", $0) }.joined()
    }
}
