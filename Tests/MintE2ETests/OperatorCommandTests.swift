import CashuCrypto
import CashuProtocol
import Foundation
import TestSupport
import Testing

/// The operator's side of `cashew-mint`: a TOML config with environment overrides, SIGTERM, migrate, keysets
/// list and rotate, audit; bad settings give one-line errors.
@Suite("cashew-mint operator commands", .serialized)
struct OperatorCommandTests {
    func cli(_ args: [String], env: [String: String] = [:]) async throws -> Interop.Output {
        try await Interop.run(CashewMintProcess.executable, args, environment: env)
    }

    @Test("config file, environment over file, graceful stop, migrate, keysets, rotation picked up")
    func commands() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cashew-op-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let config = dir + "/mint.toml"
        try """
            units = ["sat", "usd"]
            input_fee_ppk = 100
            [info]
            name = "from the file"
            motd = "hello"
            """.write(toFile: config, atomically: true, encoding: .utf8)
        let env = ["CASHEW_CONFIG": config, "CASHEW_INFO_NAME": "from the environment"]
        let mint = try await CashewMintProcess(dataDir: dir, environment: env)
        let info = try HTTPJSON.value(try await HTTPJSON.get(MintInfo.self, mint.url + "/v1/info"))
        #expect(info.name == "from the environment" && info.motd == "hello")
        let keysets = try HTTPJSON.value(try await HTTPJSON.get(KeysetsResponse.self, mint.url + "/v1/keysets")).keysets
        #expect(Set(keysets.map(\.unit)) == [.sat, .usd] && keysets.allSatisfy { $0.inputFeePPK == 100 && $0.active })
        #expect(mint.logs.contains("generated a new mint seed in \(dir)/seed"))
        let seed = try String(contentsOfFile: dir + "/seed", encoding: .utf8)
        #expect(!mint.logs.contains(seed.trimmingCharacters(in: .whitespacesAndNewlines)))

        // The running mint picks up a rotation done by the operator command.
        let rotated = try await cli(["keysets", "rotate", "--unit", "sat", "--data-dir", dir], env: env)
        #expect(rotated.status == 0, "\(rotated.stderr)")
        var newActive: KeysetInfo?
        for _ in 0..<100 where newActive == nil {
            try await Task.sleep(for: .milliseconds(200))
            let now = try HTTPJSON.value(try await HTTPJSON.get(KeysetsResponse.self, mint.url + "/v1/keysets")).keysets
            newActive = now.first { $0.unit == .sat && $0.active && !keysets.map(\.id).contains($0.id) }
        }
        #expect(newActive != nil)
        #expect(mint.stop() == 0, "graceful stop exits 0:\n\(mint.logs)")

        let migrate = try await cli(["migrate", "--data-dir", dir], env: env)
        #expect(migrate.status == 0 && migrate.stdout.contains("up to date"))
        let list = try await cli(["keysets", "list", "--json", "--data-dir", dir], env: env)
        let rows = try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]] ?? []
        #expect(rows.count == 3 && rows.filter { $0["active"] as? Bool == true }.count == 2)
        let audit = try await cli(["audit", "--data-dir", dir], env: env)
        #expect(audit.status == 0 && audit.stdout.contains("outstanding 0"), "\(audit.stdout)\(audit.stderr)")
        // Operator commands build no payment backend: a backend they could not build (no URL, no key) is no bar.
        var lnbitsEnv = env
        lnbitsEnv["CASHEW_LIGHTNING_BACKEND"] = "lnbits"
        for command in [["audit"], ["keysets", "list"], ["migrate"]] {
            let out = try await cli(command + ["--data-dir", dir], env: lnbitsEnv)
            #expect(out.status == 0, "\(command): \(out.stderr)")
        }
    }

    @Test("bad settings are one-line errors with a non-zero exit", arguments: [
        (["serve", "--port", "70000"], "port"),
        (["serve", "--set", "units="], "units"),
        (["serve", "--set", "max_inputs=many"], "max_inputs"),
        (["serve", "--set", "lightning_backend=lnd"], "lightning_backend"),
        (["serve", "--config", "/nonexistent/cashew.toml"], "config"),
        (["serve", "--set", "seed=not a seed"], "seed"),
        (["serve", "--set", "max_input=5"], "unknown setting max_input"),
        (["serve", "--set", "fake_btc_price=0"], "fake_btc_price"),
        (["serve", "--set", "fake_payment_delay=1e12"], "fake_payment_delay"),
        // A store's own setting is checked by that store, before anything is created.
        (["serve", "--set", "database_pool_size=0", "--database", "postgres://cashew@127.0.0.1:1/none"], "database_pool_size"),
        // A backend's own settings are checked by that backend; secrets never come from flags or the config file.
        (["serve", "--set", "lightning_backend=lnbits"], "lnbits_url"),
        (["serve", "--set", "lightning_backend=lnbits", "--set", "lnbits_url=http://127.0.0.1:1"], "CASHEW_LNBITS_ADMIN_KEY"),
        (["serve", "--set", "lightning_backend=lnbits", "--set", "lnbits_url=http://127.0.0.1:1", "--set", "lnbits_admin_key=k"], "secret"),
        (["serve", "--set", "lightning_backend=lnbits", "--set", "lnbits_url=http://127.0.0.1:1", "--set", "lnbits_admin_key_file=/nonexistent"], "cannot read"),
        (["serve", "--set", "lightning_backend=lnd", "--set", "lnd_url=https://127.0.0.1:1", "--set", "lnd_macaroon=0201"], "secret"),
        (["serve", "--set", "lightning_backend=cln", "--set", "cln_url=https://127.0.0.1:1"], "CASHEW_CLN_RUNE"),
        // One backend per unit: each entry names a configured unit and a registered backend, whose settings it checks.
        (["serve", "--set", "units=sat,usd", "--set", "unit_backends=usd:nope"], "not a payment backend"),
        (["serve", "--set", "units=sat,usd", "--set", "unit_backends=eur:fake"], "not in units"),
        (["serve", "--set", "units=sat,usd", "--set", "unit_backends=usd"], "unit:backend"),
        (["serve", "--set", "units=sat,usd", "--set", "unit_backends=usd:lnd"], "lnd_url"),
        // Operator commands never create a seed: on the wrong data directory they would audit a different mint.
        (["audit"], "no ledger"),
        (["keysets", "rotate"], "no seed"),
    ])
    func badSettings(_ args: [String], _ mention: String) async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cashew-bad-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let out = try await cli(args + ["--data-dir", dir])
        #expect(out.status != 0)
        let errorLines = out.stderr.split(separator: "\n").filter { $0.hasPrefix("Error:") }
        #expect(errorLines.count == 1 && errorLines[0].lowercased().contains(mention.lowercased()), "\(out.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/seed"))
    }
}
