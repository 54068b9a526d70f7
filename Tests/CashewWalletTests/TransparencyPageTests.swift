import CashewWallet
import CashuProtocol
import Foundation
import TestSupport
import Testing

/// The transparency page (`/audit` and `audit --publish`) in headless Chromium from Debian's packages.
@Suite("Audit: the transparency page in Chromium", .serialized)
struct TransparencyPageTests {
    static let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first { FileManager.default.isExecutableFile(atPath: $0) }

    static func chrome(_ args: [String]) async throws -> Interop.Output {
        let executable = try #require(chromium, "Chromium is not installed (the test command installs Debian's chromium)")
        let profile = FileManager.default.temporaryDirectory.appendingPathComponent("cashew-chromium-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: profile) }
        return try await Interop.run(
            executable, ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--user-data-dir=\(profile)"] + args)
    }

    @Test("/audit shows the outstanding e-cash plot, the last audit, the epoch commitments and how to verify; the published static page too")
    func page() async throws {
        let mint = try await CashewMintProcess(environment: ["CASHEW_EPOCH_INTERVAL": "1"])
        defer {
            mint.stop()
            mint.removeData()
        }
        let url = mint.url
        var outstanding = 0
        try await WalletLockTests.withWallets(funded: 400, at: url) { alice, bob, _ in
            #expect(try await bob.receive(try await alice.send(amount: 64, mintURL: url)) == 64)
            let quote = try await alice.meltQuote(invoice: try WalletMeltRestoreTests.invoice(sat: 50), mintURL: url)
            #expect(try await alice.melt(quote, mintURL: url).state == .paid)
            outstanding = Int(try await alice.balance(mintURL: url) + (try await bob.balance(mintURL: url)))
        }
        try await Task.sleep(for: .seconds(2.5))
        let closed = try await Interop.run(CashewMintProcess.executable, ["liabilities", "close", "--data-dir", mint.dataDir])
        #expect(closed.status == 0, "\(closed.stderr)")
        let audit = try await Interop.run(
            CashewMintProcess.executable, ["audit", "--json", "--full", "--state", mint.dataDir + "/auditor.json", "--publish", mint.dataDir, "--data-dir", mint.dataDir])
        #expect(audit.status == 0, "\(audit.stdout) \(audit.stderr)")
        #expect(FileManager.default.fileExists(atPath: mint.dataDir + "/audit.html"))

        let epochs = try HTTPJSON.value(await HTTPJSON.get(EpochsResponse.self, url + "/v1/epochs")).epochs
        let info = try await HTTPJSON.raw(url + "/v1/info")
        let pubkey = try #require((try JSONSerialization.jsonObject(with: Data(info.body.utf8)) as? [String: Any])?["pubkey"] as? String)

        for target in [url + "/audit", "file://" + mint.dataDir + "/audit.html"] {
            let dom = try await Self.chrome(["--dump-dom", target])
            #expect(dom.status == 0, "\(dom.stderr.suffix(500))")
            let html = dom.stdout
            #expect(html.contains("id=\"audit-status\" class=\"clean\">Clean: no findings."), "\(target): \(html.prefix(3000))")
            #expect(html.contains(pubkey), "\(target)")
            #expect(html.contains("<svg class=\"plot\""), "\(target)")
            // The plot ends at what the wallets hold: the e-cash outstanding after the last epoch.
            #expect(html.contains("<strong>\(outstanding) sat</strong> outstanding"), "\(target): expected \(outstanding)")
            // The most recent commitment, as /v1/epochs publishes it (the page lists the last 20).
            if let last = epochs.last { #expect(html.contains(last.commitment), "\(target)") }
            #expect(html.contains("How to verify") && html.contains("cashew audit-mint"))
            // The newest liabilities epoch (the mint closed the first at start; the command above the second), whose
            // keysets' outstanding sums add up to the same figure.
            #expect(html.contains("Liabilities epoch 2, closed"), "\(target)")
            let cells = html.components(separatedBy: "<table id=\"liability-keysets\">").last?.components(separatedBy: "</table>").first ?? ""
            let sums = cells.components(separatedBy: "</tr>").compactMap { row -> Int? in
                let tds = row.components(separatedBy: "<td>").dropFirst()
                return tds.count >= 4 ? Int(tds[tds.startIndex + 3].components(separatedBy: "</td>")[0]) : nil
            }
            #expect(sums.reduce(0, +) == outstanding, "\(target): \(cells)")
        }
        let shot = mint.dataDir + "/audit.png"
        let screenshot = try await Self.chrome(["--screenshot=\(shot)", "--window-size=1100,1600", url + "/audit"])
        #expect(screenshot.status == 0, "\(screenshot.stderr.suffix(500))")
        let png = try Data(contentsOf: URL(fileURLWithPath: shot))
        #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]) && png.count > 10_000, "\(png.count) bytes")
        // To look at it: CASHEW_KEEP_SCREENSHOT=/path/page.png
        if let keep = ProcessInfo.processInfo.environment["CASHEW_KEEP_SCREENSHOT"] { try? png.write(to: URL(fileURLWithPath: keep)) }
    }
}
