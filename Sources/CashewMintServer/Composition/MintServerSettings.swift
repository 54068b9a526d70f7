import CashewConfig
import CashewManagementRPC
import CashewMintComponents
import CashuCrypto
import CashuMint
import CashuProtocol
import Foundation
import Logging

/// The settings of `cashew-mint` that are not a component's own, resolved from flags, `CASHEW_*` environment
/// variables and the TOML file. Each store and payment backend reads its own keys (`MintComponents`). The keys
/// are documented in Specs/configuration.md.
public struct MintServerSettings: Sendable {
    public var host: String
    public var port: Int
    public var dataDir: String
    public var database: String
    /// How long a graceful stop may take before the mint exits anyway.
    public var shutdownTimeout: Duration
    /// HTTP connection limits and timeouts.
    public var http: HTTPLimits
    /// Per-client rate limits, requests in flight and connections per client.
    public var requestLimits: RequestLimitSettings
    public var seed: String?
    public var seedFile: String
    public var seedFileIsDefault: Bool
    public var mint: MintSettings
    /// Units served by another backend than `lightningBackend` (`unit_backends`, `unit:backend` entries).
    public var unitBackends: [CurrencyUnit: String] = [:]
    /// The registry name of the payment backend (`lightning_backend`).
    public var lightningBackend: String
    public var maxBodySize: Int
    public var logLevel: Logger.Level
    public var logFormat: String
    public var metrics: Bool
    /// Where `/metrics` is served (`metrics_host`, `metrics_port`); nil: not served.
    public var metricsListener: (host: String, port: Int)?
    /// How often the solvency watchdog compares the backend's balance with the e-cash outstanding (zero: never).
    public var solvencyCheckInterval: Duration
    /// The management API (nutshell's gRPC protocol), when `management_port` is set.
    public var management: ManagementSettings?
    /// How often every process re-reads the settings that the management API keeps in the ledger.
    public var settingsReloadInterval: Duration
    /// How often an epoch of the ledger is closed (and once more at shutdown).
    public var epochInterval: Duration
    /// Seconds between proof-of-liabilities epochs (`liabilities_interval`); nil when it is 0 (none are published).
    public var liabilitiesInterval: Duration?
    /// Liabilities epochs from a keyset's first to its declared deactivation (`liabilities_keyset_epochs`).
    public var liabilitiesKeysetEpochs: UInt64
    /// NUT-17 websocket bounds (nil: `websocket = false`, no `/v1/ws`).
    public var subscriptions: SubscriptionLimits?
    /// Where `/audit` looks for the last published audit report.
    public var auditReport: String
    /// Everything resolved, for the components to read their own keys from.
    public let layered: LayeredSettings

    /// The mint's own keys.
    static let ownKeys: Set<String> = [
        "host", "port", "data_dir", "database", "shutdown_timeout", "http_idle_timeout", "http_header_timeout", "http_body_timeout",
        "http_max_connections", "seed", "seed_file", "units", "input_fee_ppk", "denominations",
        "keyset_id_version", "max_inputs", "max_outputs", "max_secret_length", "max_body_size", "mint_quote_expiry", "melt_quote_expiry",
        "mint_min_amount", "mint_max_amount", "melt_min_amount", "melt_max_amount", "minting_disabled", "melting_disabled",
        "require_quote_pubkey", "lightning_backend", "lightning_fee_percent", "lightning_reserve_fee_min", "log_level", "log_format", "metrics",
        "quote_check_interval", "melt_resend_after", "solvency_check_interval", "solvency_tolerance", "max_balance", "unit_backends", "response_cache_ttl", "websocket", "ws_connections_per_client", "ws_subscriptions_per_connection", "ws_filters_per_subscription", "ws_filters_per_connection", "ws_filters_per_client", "ws_filters_per_process", "ws_idle_timeout", "ws_ping_interval", "ws_max_message_size", "ws_poll_interval",
        "management_port", "management_host", "management_ca_file", "management_cert_file", "management_key_file", "management_insecure",
        "settings_reload_interval", "epoch_interval", "liabilities_interval", "liabilities_keyset_epochs", "audit_report", "metrics_host", "metrics_port", "rate_limit", "rate_limit_reads", "rate_limit_read_burst", "rate_limit_writes", "rate_limit_write_burst",
        "trusted_proxies", "forwarded_header", "rate_limit_exempt", "max_requests_in_flight", "max_client_requests_in_flight", "max_client_connections",
        "info.name", "info.description", "info.description_long", "info.motd", "info.icon_url", "info.urls", "info.tos_url", "info.contact",
    ]

    /// Every key a setting may have: the mint's own and every registered component's.
    public static var keys: Set<String> {
        MintComponents.stores.reduce(MintComponents.backends.reduce(ownKeys) { $0.union($1.keys) }) { $0.union($1.keys) }
    }

    public init(_ s: LayeredSettings) throws {
        typealias CLIError = LayeredSettings.SettingError
        layered = s
        for key in s.unknownFileKeys(known: Self.keys) { throw CLIError("unknown config key \(key)") }
        for key in MintComponents.backends.flatMap(\.secretKeys) { try s.checkSecretPlacement(key) }
        host = s.string("host", default: "127.0.0.1")!
        port = try s.int("port", default: 3338)
        guard (0...65535).contains(port) else { throw CLIError("port must be between 0 and 65535") }
        dataDir = s.string("data_dir", default: Self.defaultDataDir())!
        database = s.string("database", default: (dataDir as NSString).appendingPathComponent("mint.sqlite3"))!
        shutdownTimeout = try s.seconds("shutdown_timeout", default: 10, in: 1...3600)
        http = HTTPLimits(
            idleTimeout: try s.seconds("http_idle_timeout", default: 60, in: 1...86_400),
            headerTimeout: try s.seconds("http_header_timeout", default: 10, in: 1...3600),
            bodyTimeout: try s.seconds("http_body_timeout", default: 30, in: 1...3600),
            maxConnections: try s.int("http_max_connections", default: HTTPLimits.defaultMaxConnections()))
        guard (1...1_000_000).contains(http.maxConnections) else { throw CLIError("http_max_connections must be between 1 and 1000000") }
        seed = s.string("seed")
        let defaultSeedFile = (dataDir as NSString).appendingPathComponent("seed")
        seedFile = s.string("seed_file", default: defaultSeedFile)!
        seedFileIsDefault = s.string("seed_file") == nil

        var m = MintSettings()
        m.units = s.list("units", default: ["sat"]).map { CurrencyUnit($0) }
        guard !m.units.isEmpty else { throw CLIError("units must name at least one unit") }
        m.inputFeePPK = try s.uint64("input_fee_ppk", default: 0)
        guard m.inputFeePPK <= Self.maxInputFeePPK else { throw CLIError("input_fee_ppk must be at most \(Self.maxInputFeePPK)") }
        m.denominations = try s.int("denominations", default: 64)
        guard (1...64).contains(m.denominations) else { throw CLIError("denominations must be between 1 and 64") }
        switch s.string("keyset_id_version", default: "2")! {
        case "1", "v1", "00": m.keysetIDVersion = .v1
        case "2", "v2", "01": m.keysetIDVersion = .v2
        case let other: throw CLIError("keyset_id_version must be 1 or 2, not \(other.prefix(20))")
        }
        m.maxInputs = try s.int("max_inputs", default: 1000)
        m.maxOutputs = try s.int("max_outputs", default: 1000)
        m.maxSecretLength = try s.int("max_secret_length", default: 1024)
        guard m.maxInputs >= 1, m.maxOutputs >= 1 else { throw CLIError("max_inputs and max_outputs must be at least 1") }
        guard m.maxSecretLength >= 64 else { throw CLIError("max_secret_length must be at least 64 bytes") }
        m.mintQuoteExpiry = try s.uint64("mint_quote_expiry", default: 3600)
        m.meltQuoteExpiry = try s.uint64("melt_quote_expiry", default: 3600)
        // Added to the clock: a year at most (an unbounded value made every quote request overflow).
        guard (1...31_536_000).contains(m.mintQuoteExpiry), (1...31_536_000).contains(m.meltQuoteExpiry) else {
            throw CLIError("mint_quote_expiry and melt_quote_expiry must be between 1 and 31536000 seconds")
        }
        m.mintMinAmount = Amount(try s.uint64("mint_min_amount", default: 1))
        m.mintMaxAmount = Amount(try s.uint64("mint_max_amount", default: 1 << 62))
        m.meltMinAmount = Amount(try s.uint64("melt_min_amount", default: 1))
        m.meltMaxAmount = Amount(try s.uint64("melt_max_amount", default: 1 << 62))
        m.mintingDisabled = try s.bool("minting_disabled", default: false)
        m.meltingDisabled = try s.bool("melting_disabled", default: false)
        m.requireQuotePubkey = try s.bool("require_quote_pubkey", default: false)
        m.quoteCheckInterval = try s.seconds("quote_check_interval", default: 10, in: 0...3600)
        m.meltResendAfter = try s.seconds("melt_resend_after", default: 120, in: 0...86_400)
        m.info.name = s.string("info.name", default: "Cashew mint")
        m.info.description = s.string("info.description")
        m.info.descriptionLong = s.string("info.description_long")
        m.info.motd = s.string("info.motd")
        m.info.iconURL = s.string("info.icon_url")
        m.info.tosURL = s.string("info.tos_url")
        m.info.urls = s.list("info.urls", default: [])
        m.info.contact = try s.list("info.contact", default: []).map { entry in
            guard let colon = entry.firstIndex(of: ":") else { throw CLIError("info.contact entries are method:info, e.g. email:op@example.com") }
            return MintInfo.Contact(method: String(entry[..<colon]), info: String(entry[entry.index(after: colon)...]))
        }
        var fees = FeeReserveRule()
        fees.percent = try s.double("lightning_fee_percent", default: 2)
        guard (0...100).contains(fees.percent) else { throw CLIError("lightning_fee_percent must be between 0 and 100") }
        fees.minMsat = try s.uint64("lightning_reserve_fee_min", default: 2000)
        m.feeReserve = fees
        let tolerance = try s.uint64("solvency_tolerance", default: 1000)
        guard tolerance <= 2_100_000_000_000_000 else { throw CLIError("solvency_tolerance must be at most 21 million BTC in sat") }
        m.solvencyToleranceMsat = tolerance * 1000
        m.responseCacheTTL = try s.uint64("response_cache_ttl", default: 604_800)
        guard m.responseCacheTTL <= 31_536_000 else { throw CLIError("response_cache_ttl must be at most 31536000 seconds (0 turns NUT-19 off)") }
        for entry in s.list("max_balance", default: []) {
            let parts = entry.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, !parts[0].isEmpty, let cap = UInt64(parts[1]) else {
                throw CLIError("max_balance entries are unit:amount, e.g. sat:1000000, not \(entry.prefix(40))")
            }
            m.maxBalance[CurrencyUnit(parts[0])] = Amount(cap)
        }
        solvencyCheckInterval = try s.seconds("solvency_check_interval", default: 60, in: 0...86_400)
        mint = m

        lightningBackend = s.string("lightning_backend", default: "fake")!
        guard MintComponents.backend(named: lightningBackend) != nil else {
            throw CLIError("lightning_backend must be one of \(MintComponents.backends.map(\.name).joined(separator: ", ")), not \(lightningBackend.prefix(20))")
        }
        for entry in s.list("unit_backends", default: []) {
            let parts = entry.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                throw CLIError("unit_backends entries are unit:backend, e.g. usd:fake, not \(entry.prefix(40))")
            }
            let unit = CurrencyUnit(parts[0].lowercased())
            guard m.units.contains(unit) else { throw CLIError("unit_backends names unit \(unit.rawValue.prefix(20)), which is not in units") }
            guard MintComponents.backend(named: parts[1]) != nil else {
                throw CLIError("unit_backends: \(parts[1].prefix(20)) is not a payment backend (\(MintComponents.backends.map(\.name).joined(separator: ", ")))")
            }
            guard unitBackends[unit] == nil else { throw CLIError("unit_backends names unit \(unit.rawValue.prefix(20)) twice") }
            unitBackends[unit] = parts[1]
        }

        maxBodySize = try s.int("max_body_size", default: 1 << 20)
        guard maxBodySize >= 4096 else { throw CLIError("max_body_size must be at least 4096 bytes") }
        guard let level = Logger.Level(rawValue: s.string("log_level", default: "info")!) else {
            throw CLIError("log_level must be trace, debug, info, notice, warning, error or critical")
        }
        logLevel = level
        logFormat = s.string("log_format", default: "text")!
        guard ["text", "json"].contains(logFormat) else { throw CLIError("log_format must be text or json") }
        metrics = try s.bool("metrics", default: true)
        if s.string("metrics_port") != nil {
            let port = try s.int("metrics_port", default: 9090)
            guard (0...65535).contains(port) else { throw CLIError("metrics_port must be between 0 and 65535") }
            guard metrics else { throw CLIError("metrics_port is set but metrics = false") }
            metricsListener = (s.string("metrics_host", default: "127.0.0.1")!, port)
        } else if s.string("metrics_host") != nil {
            throw CLIError("metrics_host is set but metrics_port is not: /metrics is served only on its own port")
        }
        settingsReloadInterval = try s.seconds("settings_reload_interval", default: 2, in: 1...3600)
        epochInterval = try s.seconds("epoch_interval", default: 60, in: 1...86400)
        let liabilities = try s.seconds("liabilities_interval", default: 86400, in: 0...31_622_400)
        liabilitiesInterval = liabilities == .zero ? nil : liabilities
        let lifetime = try s.int("liabilities_keyset_epochs", default: 365)
        guard (2...1_000_000).contains(lifetime) else { throw CLIError("liabilities_keyset_epochs must be between 2 and 1000000") }
        liabilitiesKeysetEpochs = UInt64(lifetime)
        if try s.bool("websocket", default: true) {
            var w = SubscriptionLimits()
            func count(_ key: String, _ value: Int, _ range: ClosedRange<Int>) throws -> Int {
                let v = try s.int(key, default: value)
                guard range.contains(v) else { throw CLIError("\(key) must be between \(range.lowerBound) and \(range.upperBound)") }
                return v
            }
            w.connectionsPerClient = try count("ws_connections_per_client", w.connectionsPerClient, 1...10_000)
            w.subscriptionsPerConnection = try count("ws_subscriptions_per_connection", w.subscriptionsPerConnection, 1...10_000)
            w.filtersPerSubscription = try count("ws_filters_per_subscription", w.filtersPerSubscription, 1...10_000)
            w.filtersPerConnection = try count("ws_filters_per_connection", w.filtersPerConnection, 1...100_000)
            w.filtersPerClient = try count("ws_filters_per_client", w.filtersPerClient, 1...1_000_000)
            w.filtersPerProcess = try count("ws_filters_per_process", w.filtersPerProcess, 1...1_000_000)
            w.maxMessageSize = try count("ws_max_message_size", w.maxMessageSize, 1024...(16 << 20))
            w.idleTimeout = try s.seconds("ws_idle_timeout", default: 120, in: 1...86_400)
            w.pingInterval = try s.seconds("ws_ping_interval", default: 60, in: 5...3600)
            let poll = try count("ws_poll_interval", 500, 50...60_000)
            w.pollInterval = .milliseconds(poll)
            subscriptions = w
        }
        mint.webSockets = subscriptions != nil
        auditReport = s.string("audit_report", default: (dataDir as NSString).appendingPathComponent("audit-report.json"))!
        requestLimits = try Self.requestLimits(s)
        management = try Self.management(s)
    }

    /// Rate limits and request limits; every count must be positive (a limit of zero would refuse everyone).
    static func requestLimits(_ s: LayeredSettings) throws -> RequestLimitSettings {
        typealias CLIError = LayeredSettings.SettingError
        var r = RequestLimitSettings()
        r.enabled = try s.bool("rate_limit", default: true)
        func count(_ key: String, _ value: Int) throws -> Int {
            let v = try s.int(key, default: value)
            guard (1...10_000_000).contains(v) else { throw CLIError("\(key) must be between 1 and 10000000") }
            return v
        }
        r.readsPerMinute = try count("rate_limit_reads", r.readsPerMinute)
        r.readBurst = try count("rate_limit_read_burst", r.readBurst)
        r.writesPerMinute = try count("rate_limit_writes", r.writesPerMinute)
        r.writeBurst = try count("rate_limit_write_burst", r.writeBurst)
        r.maxInFlight = try count("max_requests_in_flight", r.maxInFlight)
        r.maxInFlightPerClient = try count("max_client_requests_in_flight", r.maxInFlightPerClient)
        r.maxConnectionsPerClient = try count("max_client_connections", r.maxConnectionsPerClient)
        func ranges(_ key: String, _ value: [IPRange]) throws -> [IPRange] {
            guard s.string(key) != nil else { return value }
            return try s.list(key, default: []).map { text in
                guard let range = IPRange(text.trimmingCharacters(in: .whitespaces)) else {
                    throw CLIError("\(key): \(text.prefix(60)) is not an IP address or CIDR range")
                }
                return range
            }
        }
        r.trustedProxies = try ranges("trusted_proxies", r.trustedProxies)
        let header = s.string("forwarded_header", default: "x-forwarded-for")!.lowercased()
        guard let h = ClientAddressResolver.Header(rawValue: header) else { throw CLIError("forwarded_header must be x-forwarded-for or forwarded") }
        r.forwardedHeader = h
        r.exempt = try ranges("rate_limit_exempt", r.exempt)
        return r
    }

    /// The management API's settings: off without `management_port`; mutual TLS needs the three files, and no TLS
    /// only with `management_insecure = true`.
    static func management(_ s: LayeredSettings) throws -> ManagementSettings? {
        typealias CLIError = LayeredSettings.SettingError
        let files = ["management_ca_file", "management_cert_file", "management_key_file"]
        guard s.string("management_port") != nil else {
            for key in files + ["management_insecure", "management_host"] where s.string(key) != nil {
                throw CLIError("\(key) is set but management_port is not: the management API is off")
            }
            return nil
        }
        let port = try s.int("management_port", default: 8086)
        guard (0...65535).contains(port) else { throw CLIError("management_port must be between 0 and 65535") }
        let host = s.string("management_host", default: "127.0.0.1")!
        if try s.bool("management_insecure", default: false) {
            for key in files where s.string(key) != nil { throw CLIError("\(key) is set, but management_insecure = true turns TLS off: choose one") }
            // Without TLS anyone who reaches the port can mark quotes paid: only on this machine.
            guard ["127.0.0.1", "::1", "localhost"].contains(host) || host.hasPrefix("127.") else {
                throw CLIError("management_insecure = true is allowed only on a loopback management_host, not \(host.prefix(40))")
            }
            return ManagementSettings(host: host, port: port, tls: nil)
        }
        let paths = try files.map { key -> String in
            guard let path = s.string(key), !path.isEmpty else {
                throw CLIError("\(key) is required for the management API's mutual TLS (or set management_insecure = true); `cashew-mint management certificates` shows how to make them")
            }
            guard FileManager.default.isReadableFile(atPath: path) else { throw CLIError("\(key): cannot read \(path.prefix(200))") }
            return path
        }
        return ManagementSettings(host: host, port: port, tls: .init(caFile: paths[0], certFile: paths[1], keyFile: paths[2]))
    }

    /// The largest input fee a keyset may have, in parts per thousand per input (100 units per input).
    public static let maxInputFeePPK = MintSettings.maxInputFeePPK

    /// `$XDG_DATA_HOME/cashew-mint`, else `~/.local/share/cashew-mint`.
    public static func defaultDataDir() -> String {
        let env = ProcessInfo.processInfo.environment
        if let xdg = env["XDG_DATA_HOME"], !xdg.isEmpty { return xdg + "/cashew-mint" }
        return (env["HOME"] ?? ".") + "/.local/share/cashew-mint"
    }

    /// A component's view of these settings.
    public func context(logger: Logger, readOnly: Bool = false) -> ComponentContext {
        ComponentContext(settings: layered, dataDir: dataDir, database: database, logger: logger, readOnly: readOnly)
    }
}
