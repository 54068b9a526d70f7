import CashuCrypto
import CashuProtocol
import Foundation
import TestSupport
import Testing

/// Business metrics on their own listener: the money from the ledger's running totals (the same in every process on
/// the ledger, and the same as the audit), events counted per process, and a Grafana dashboard that uses exactly
/// these names.
@Suite("Business metrics on the metrics listener", .serialized)
struct MetricsTests {
    /// One scrape: samples by metric name, with their labels.
    struct Scrape {
        struct Sample {
            let labels: [String: String]
            let value: Double
        }

        var samples: [String: [Sample]] = [:]
        var types: [String: String] = [:]

        init(_ text: String) {
            for line in text.split(separator: "\n") {
                if line.hasPrefix("# TYPE ") {
                    let parts = line.split(separator: " ")
                    if parts.count >= 4 { types[String(parts[2])] = String(parts[3]) }
                    continue
                }
                guard !line.hasPrefix("#"), let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else { continue }
                let series = line[..<space]
                var name = String(series), labels = [String: String]()
                if let brace = series.firstIndex(of: "{") {
                    name = String(series[..<brace])
                    let labelsStart = series.index(after: brace)
                    let body = series[labelsStart..<max(labelsStart, series.lastIndex(of: "}") ?? series.endIndex)]
                    for pair in body.split(separator: ",") {
                        let kv = pair.split(separator: "=", maxSplits: 1)
                        if kv.count == 2 { labels[String(kv[0])] = String(kv[1]).trimmingCharacters(in: CharacterSet(charactersIn: "\"")) }
                    }
                }
                samples[name, default: []].append(Sample(labels: labels, value: value))
            }
        }

        func sum(_ name: String, _ filter: [String: String] = [:]) -> Double {
            (samples[name] ?? []).filter { s in filter.allSatisfy { s.labels[$0.key] == $0.value } }.reduce(0) { $0 + $1.value }
        }
    }

    static func scrape(_ port: Int) async throws -> Scrape {
        let (status, body) = try await HTTPJSON.raw("http://127.0.0.1:\(port)/metrics")
        #expect(status == 200)
        return Scrape(body)
    }

    @Test("money from the ledger, the same through every process and as the audit; events, latency, pool and backend; not on the API port")
    func businessMetrics() async throws {
        try await withLedger(PostgresTestServer.available ? .postgres : .sqlite) { database in
            let (portA, portB) = (try FreePort.find(), try FreePort.find())
            let env = ["CASHEW_SOLVENCY_CHECK_INTERVAL": "1"]
            let a = try await CashewMintProcess(database: database, environment: env.merging(["CASHEW_METRICS_PORT": String(portA)]) { $1 })
            defer { a.stop(); a.removeData() }
            var b: CashewMintProcess?
            if database != nil {
                let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cashew-mint-\(UUID().uuidString)").path
                try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
                try FileManager.default.copyItem(atPath: a.dataDir + "/seed", toPath: dir + "/seed")
                b = try await CashewMintProcess(dataDir: dir, database: database, environment: env.merging(["CASHEW_METRICS_PORT": String(portB)]) { $1 })
            }
            defer { b?.stop(); b?.removeData() }

            // Not on the public API.
            #expect(try await HTTPJSON.raw(a.url + "/metrics").status == 404)

            let wallet = HTTPWallet(url: a.url)
            let keyset = try await wallet.keyset()
            let proofs = try await wallet.mint(100)
            let outputs = try BlindedOutputs(Amount(100).powersOfTwo, keyset: keyset.id)
            _ = try HTTPJSON.value(try await HTTPJSON.post(SwapResponse.self, (b ?? a).url + "/v1/swap", SwapRequest(inputs: proofs, outputs: outputs.messages)))
            let quote = try HTTPJSON.value(try await HTTPJSON.post(
                MeltQuoteBolt11Response.self, a.url + "/v1/melt/quote/bolt11", MeltQuoteBolt11Request(request: try foreignInvoice(sat: 10), unit: .sat)))
            let more = try await wallet.mint(16)
            let melted = try HTTPJSON.value(try await HTTPJSON.post(MeltQuoteBolt11Response.self, a.url + "/v1/melt/bolt11", MeltRequest(quote: quote.quote, inputs: more)))
            #expect(melted.state == .paid)
            try await Task.sleep(for: .seconds(2))

            let sa = try await Self.scrape(portA)
            let audit = try await Interop.run(CashewMintProcess.executable, ["audit", "--json", "--data-dir", a.dataDir] + (database.map { ["--database", $0] } ?? []))
            #expect(audit.status == 0, "\(audit.stderr)")
            let units = try #require((try JSONSerialization.jsonObject(with: Data(audit.stdout.utf8)) as? [String: Any])?["units"] as? [[String: Any]])
            let sat = try #require(units.first { $0["unit"] as? String == "sat" })
            // issued 100 + 16 (mints) + 100 (swap); redeemed 100 (swap) + 16 (melt); outstanding 100.
            #expect(sa.sum("cashew_ecash_issued", ["unit": "sat"]) == 216 && (sat["issued"] as? Int) == 216)
            #expect(sa.sum("cashew_ecash_redeemed", ["unit": "sat"]) == 116 && (sat["redeemed"] as? Int) == 116)
            #expect(sa.sum("cashew_ecash_outstanding", ["unit": "sat"]) == 100 && (sat["outstanding"] as? Int) == 100)
            #expect(sa.sum("cashew_ecash_pending") == 0 && sa.sum("cashew_melts_pending") == 0)
            #expect(sa.sum("cashew_proofs_issued") > 0 && sa.sum("cashew_ledger_up") == 1)
            #expect(sa.samples["cashew_fees_collected"] != nil)
            #expect(sa.sum("cashew_mint_quotes_total", ["outcome": "issued"]) == 2)
            #expect(sa.sum("cashew_mint_quotes_total", ["outcome": "created"]) == 2)
            #expect(sa.sum("cashew_melt_quotes_total", ["outcome": "paid"]) == 1)
            #expect(sa.samples["cashew_melt_duration_seconds_count"] != nil || sa.samples["cashew_melt_duration_seconds_bucket"] != nil, "\(sa.samples.keys.sorted())")
            #expect(sa.sum("cashew_backend_up", ["backend": "fake"]) == 1)
            #expect(sa.sum("cashew_backend_balance_msat", ["backend": "fake"]) > 0 && sa.sum("cashew_backend_solvent", ["backend": "fake"]) == 1)
            // By route pattern: no quote ID ever becomes a label.
            let routes = Set((sa.samples["http_server_request_duration_bucket"] ?? []).compactMap { $0.labels["http_route"] })
            #expect(routes.contains("/v1/mint/{method}") && routes.contains("/v1/mint/quote/{method}/{quote}"), "\(routes) \(sa.samples["http_server_request_duration_bucket"]?.first?.labels ?? [:])")
            #expect(!routes.contains { $0.contains(quote.quote) })
            if let b {
                // The other process exports the same money, though it handled other requests.
                let sb = try await Self.scrape(portB)
                for name in ["cashew_ecash_issued", "cashew_ecash_redeemed", "cashew_ecash_outstanding", "cashew_fees_collected"] {
                    #expect(sb.sum(name) == sa.sum(name), "\(name)")
                }
                #expect(sb.sum("cashew_mint_quotes_total", ["outcome": "issued"]) == 0)
                #expect(sb.sum("cashew_ledger_connections", ["state": "maximum"]) > 0)
                _ = b.isRunning
            }

            // The dashboard uses only metrics the mint exports.
            let dashboard = try String(contentsOfFile: Interop.packageRoot + "/Specs/grafana-dashboard.json", encoding: .utf8)
            let object = try #require(try JSONSerialization.jsonObject(with: Data(dashboard.utf8)) as? [String: Any])
            let panels = try #require(object["panels"] as? [[String: Any]])
            let expressions = panels.flatMap { ($0["targets"] as? [[String: Any]] ?? []).compactMap { $0["expr"] as? String } }
            #expect(expressions.count >= 10)
            let regex = try NSRegularExpression(pattern: "(cashew_[a-z_]+|http_server_request_duration_[a-z]+)")
            var names = Set<String>()
            for e in expressions {
                for m in regex.matches(in: e, range: NSRange(e.startIndex..., in: e)) { names.insert(String(e[Range(m.range, in: e)!])) }
            }
            let exported = Set(sa.samples.keys)
            for name in names.sorted() { #expect(exported.contains(name), "the dashboard uses \(name), which the mint does not export") }
        }
    }
}
