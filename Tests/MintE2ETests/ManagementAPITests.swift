import CashuCrypto
import CashuProtocol
import Foundation
import TestSupport
import Testing

/// nutshell's own `mint-cli` (from the nutshell venv) managing a running `cashew-mint` through the management API,
/// over mutual TLS and insecure on loopback, with every change checked through `/v1/info` of a second process.
@Suite("Management API driven by nutshell's mint-cli", .enabled(if: Interop.available || Interop.required), .serialized)
struct ManagementAPITests {
    /// The certificates `cashew-mint management certificates` prints the commands for, made by running them.
    static func certificates() async throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cashew-tls-\(UUID().uuidString)").path
        let printed = try await Interop.run(CashewMintProcess.executable, ["management", "certificates", "--dir", dir])
        #expect(printed.status == 0)
        let made = try await Interop.run("/bin/bash", ["-c", printed.stdout])
        guard made.status == 0 else { throw Interop.Failure(description: "the printed openssl commands failed: \(made.stderr)") }
        return dir
    }

    /// `mint-cli` against `port`, with the client certificate from `tls` (insecure when nil).
    struct MintCLI {
        let port: Int
        let tls: String?
        var clientKey = "client_private.pem"
        var clientCert = "client_cert.pem"

        func callAsFunction(_ arguments: String...) async throws -> Interop.Output {
            var args = ["-h", "localhost", "-p", String(port)]
            if let tls { args += ["-ca", tls + "/ca_cert.pem", "-k", tls + "/" + clientKey, "-c", tls + "/" + clientCert] } else { args.append("-i") }
            return try await Interop.run(Interop.venv! + "/bin/mint-cli", args + arguments)
        }
    }

    static func info(_ url: String) async throws -> [String: Any] {
        let (status, body) = try await HTTPJSON.raw(url + "/v1/info")
        #expect(status == 200)
        return try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any] ?? [:]
    }

    /// Polls until `condition` holds on the peer's `/v1/info` (processes reload settings every 2 s).
    static func eventually(_ url: String, within seconds: Double = 10, _ condition: ([String: Any]) -> Bool) async throws -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition(try await info(url)) { return true }
            try await Task.sleep(for: .milliseconds(200))
        }
        return false
    }

    /// A second process on `mint`'s ledger and seed, without the management API.
    static func peer(of mint: CashewMintProcess) async throws -> CashewMintProcess {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cashew-mint-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: mint.dataDir + "/seed", toPath: dir + "/seed")
        return try await CashewMintProcess(dataDir: dir, database: mint.database)
    }

    static func managed(port: Int, tls: String?) -> [String: String] {
        var env = ["CASHEW_MANAGEMENT_PORT": String(port)]
        if let tls {
            env["CASHEW_MANAGEMENT_CA_FILE"] = tls + "/ca_cert.pem"
            env["CASHEW_MANAGEMENT_CERT_FILE"] = tls + "/server_cert.pem"
            env["CASHEW_MANAGEMENT_KEY_FILE"] = tls + "/server_private.pem"
        } else {
            env["CASHEW_MANAGEMENT_INSECURE"] = "true"
        }
        return env
    }

    @Test("mutual TLS: every mint-cli command, seen through /v1/info of a second process; strangers are turned away")
    func mutualTLS() async throws {
        let tls = try await Self.certificates()
        defer { try? FileManager.default.removeItem(atPath: tls) }
        try await withLedger(PostgresTestServer.available ? .postgres : .sqlite) { database in
            let managementPort = try FreePort.find()
            let a = try await CashewMintProcess(database: database, environment: Self.managed(port: managementPort, tls: tls))
            defer { a.stop(); a.removeData() }
            // A second process on the same ledger (PostgreSQL), or the same process when the ledger is SQLite.
            let b = database == nil ? a : try await Self.peer(of: a)
            defer { if b !== a { b.stop(); b.removeData() } }
            let cli = MintCLI(port: managementPort, tls: tls)

            let info = try await cli("get-info")
            #expect(info.stdout.contains("name: \"Cashew mint\""), "\(info.stdout) \(info.stderr)")
            let pubkey = try #require(try await Self.info(a.url)["pubkey"] as? String)
            #expect(info.stdout.contains(pubkey))

            #expect(try await cli("update", "motd", "maintenance at noon").stdout.contains("successfully"))
            #expect(try await cli("update", "description", "a community mint").stderr.isEmpty)
            #expect(try await cli("update", "long-description", "run by the village").stderr.isEmpty)
            #expect(try await cli("update", "name", "Village Mint").stderr.isEmpty)
            #expect(try await cli("update", "url", "add", "https://mint.example.org").stderr.isEmpty)
            #expect(try await cli("update", "url", "add", "http://mintabc.onion").stderr.isEmpty)
            #expect(try await cli("update", "url", "add", "https://mint.example.org").stderr.contains("already listed"))
            #expect(try await cli("update", "url", "add", "not a url").stderr.contains("not an http(s) URL"))
            #expect(try await cli("update", "url", "remove", "http://mintabc.onion").stderr.isEmpty)
            #expect(try await cli("update", "url", "remove", "https://never.example").stderr.contains("no such URL"))
            #expect(try await cli("update", "contact", "add", "email", "op@example.org").stderr.isEmpty)
            #expect(try await cli("update", "contact", "add", "nostr", "npub1operator").stderr.isEmpty)
            #expect(try await cli("update", "contact", "add", "email", "other@example.org").stderr.contains("already set"))
            #expect(try await cli("update", "contact", "remove", "nostr").stderr.isEmpty)
            #expect(try await cli("update", "contact", "remove", "telegram").stderr.contains("no contact method"))
            let seen = try await Self.eventually(b.url) { i in
                i["motd"] as? String == "maintenance at noon" && i["description"] as? String == "a community mint"
                    && i["description_long"] as? String == "run by the village" && i["name"] as? String == "Village Mint"
                    && i["urls"] as? [String] == ["https://mint.example.org"]
                    && (i["contact"] as? [[String: String]]) == [["method": "email", "info": "op@example.org"]]
            }
            let shown = try await Self.info(b.url)
            #expect(seen, "\(shown)")

            // mint-cli's `update icon-url` calls UpdateLongDescription (nutshell 0.21's cli.py), so on any mint it sets the
            // long description; the UpdateIconUrl RPC itself is driven through nutshell's stub in `otherRPCs`.
            #expect(try await cli("update", "icon-url", "https://mint.example.org/icon.png").stderr.isEmpty)
            #expect(try await Self.eventually(b.url) { $0["description_long"] as? String == "https://mint.example.org/icon.png" })

            // Lightning fee: 1.5 % with 3 sat least; a 1000-sat invoice's reserve becomes 15 sat (the default 2 % gives 20).
            #expect(try await cli("update", "lightning-fee", "1.5", "3000").stderr.isEmpty)
            let invoice = try foreignInvoice(sat: 1000)
            var reserve: Amount?
            for _ in 0..<50 {
                let quote = try HTTPJSON.value(try await HTTPJSON.post(
                    MeltQuoteBolt11Response.self, b.url + "/v1/melt/quote/bolt11", MeltQuoteBolt11Request(request: invoice, unit: .sat)))
                reserve = quote.feeReserve
                if reserve == 15 { break }
                try await Task.sleep(for: .milliseconds(200))
            }
            #expect(reserve == 15)

            #expect(try await cli("update", "auth", "10", "5").stderr.contains("no authentication"))

            // Quotes: read through mint-cli.
            let wallet = HTTPWallet(url: b.url)
            let quote = try HTTPJSON.value(try await HTTPJSON.post(
                MintQuoteBolt11Response.self, b.url + "/v1/mint/quote/bolt11", MintQuoteBolt11Request(amount: 64, unit: .sat)))
            let got = try await cli("get", "mint-quote", quote.quote)
            #expect(got.stdout.contains("quote: \"\(quote.quote)\"") && got.stdout.contains("amount: 64"), "\(got.stdout) \(got.stderr)")
            #expect(try await cli("get", "quote-ttl", quote.quote).stdout.contains("Quote expiry: \(quote.expiry ?? 0)"))
            #expect(try await cli("get", "mint-quote", "no-such-quote").stderr.contains("not found"))
            let melt = try HTTPJSON.value(try await HTTPJSON.post(
                MeltQuoteBolt11Response.self, b.url + "/v1/melt/quote/bolt11", MeltQuoteBolt11Request(request: invoice, unit: .sat)))
            let gotMelt = try await cli("get", "melt-quote", melt.quote)
            #expect(gotMelt.stdout.contains("state: \"UNPAID\"") && gotMelt.stdout.contains("fee_reserve: 15"), "\(gotMelt.stdout) \(gotMelt.stderr)")

            // Rotation: the new keyset (fee 100 ppk) is active on the peer within the maintenance interval, and a restart
            // keeps it instead of rotating back to the configured fee.
            let before = try await wallet.keyset().id
            let rotated = try await cli("next-keyset", "sat", "100")
            let newID = try #require(rotated.stdout.split(separator: "'").dropFirst().first.map(String.init), "\(rotated.stdout) \(rotated.stderr)")
            #expect(newID != before.hex)
            var active: KeysetInfo?
            for _ in 0..<60 {
                active = try HTTPJSON.value(try await HTTPJSON.get(KeysetsResponse.self, b.url + "/v1/keysets")).keysets.first { $0.active && $0.unit == .sat }
                if active?.id.hex == newID { break }
                try await Task.sleep(for: .milliseconds(250))
            }
            #expect(active?.id.hex == newID && active?.inputFeePPK == 100)
            let keysets = try await cli("get", "keysets")
            #expect(keysets.stdout.contains(newID) && keysets.stdout.contains(before.hex) && keysets.stdout.contains("input_fee_ppk: 100"))
            #expect(try await cli("get", "keyset", newID).stdout.contains("active: true"))
            #expect(try await cli("get", "keyset", "00ffffffffffffff").stderr.contains("not found"))

            // The changes live in the ledger: a restarted process serves them (and the rotated keyset) unchanged.
            a.stop()
            let restarted = try await a.restarted()
            defer { restarted.stop() }
            let after = try await Self.info(restarted.url)
            #expect(after["motd"] as? String == "maintenance at noon" && after["name"] as? String == "Village Mint")
            let activeAfter = try HTTPJSON.value(try await HTTPJSON.get(KeysetsResponse.self, restarted.url + "/v1/keysets")).keysets.filter { $0.active }
            #expect(activeAfter.map(\.id.hex) == [newID], "\(activeAfter)")
            #expect(!restarted.logs.contains("created keyset"))

            // Only a client with a certificate from the operator's CA gets in: not an insecure one, not one from another CA.
            let stranger = try await Self.certificates()
            defer { try? FileManager.default.removeItem(atPath: stranger) }
            let insecure = try await MintCLI(port: managementPort, tls: nil)("update", "motd", "pwned")
            #expect(!insecure.stderr.isEmpty)
            let foreign = try await Interop.run(Interop.venv! + "/bin/mint-cli", [
                "-h", "localhost", "-p", String(managementPort), "-ca", tls + "/ca_cert.pem",
                "-k", stranger + "/client_private.pem", "-c", stranger + "/client_cert.pem", "update", "motd", "pwned",
            ])
            #expect(!foreign.stderr.isEmpty)
            try await Task.sleep(for: .seconds(3))
            #expect(try await Self.info(b.url)["motd"] as? String == "maintenance at noon")
        }
    }

    @Test("insecure on loopback: quote states change only along the ledger's rules")
    func insecureQuoteStates() async throws {
        let managementPort = try FreePort.find()
        var env = Self.managed(port: managementPort, tls: nil)
        // Invoices stay unpaid until the operator says otherwise; payments never settle by themselves.
        env["CASHEW_FAKE_INCOMING_DELAY"] = "3600"
        env["CASHEW_FAKE_PAYMENT_OUTCOME"] = "pending"
        // Without TLS only on loopback.
        let exposed = try await Interop.run(CashewMintProcess.executable, [
            "serve", "--data-dir", FileManager.default.temporaryDirectory.appendingPathComponent("cashew-\(UUID().uuidString)").path,
            "--set", "management_port=\(managementPort)", "--set", "management_insecure=true", "--set", "management_host=0.0.0.0",
        ])
        #expect(exposed.status != 0 && exposed.stderr.contains("only on a loopback management_host"), "\(exposed.stderr)")
        let mint = try await CashewMintProcess(environment: env)
        defer { mint.stop(); mint.removeData() }
        #expect(mint.logs.contains("without TLS"))
        let cli = MintCLI(port: managementPort, tls: nil)
        #expect(try await cli("update", "name", "Loopback Mint").stderr.isEmpty)
        #expect(try await Self.info(mint.url)["name"] as? String == "Loopback Mint")

        let keyset = try await HTTPWallet(url: mint.url).keyset()
        let quote = try HTTPJSON.value(try await HTTPJSON.post(
            MintQuoteBolt11Response.self, mint.url + "/v1/mint/quote/bolt11", MintQuoteBolt11Request(amount: 100, unit: .sat)))
        func mintState() async throws -> MintQuoteState {
            try HTTPJSON.value(try await HTTPJSON.get(MintQuoteBolt11Response.self, mint.url + "/v1/mint/quote/bolt11/\(quote.quote)")).state
        }
        #expect(try await mintState() == .unpaid)
        #expect(try await cli("update", "mint-quote", quote.quote, "PAID").stderr.isEmpty)
        #expect(try await mintState() == .paid)
        #expect(try await cli("update", "mint-quote", quote.quote, "UNPAID").stderr.isEmpty)
        #expect(try await mintState() == .unpaid)
        #expect(try await cli("update", "mint-quote", quote.quote, "ISSUED").stderr.contains("only by issuing"))
        #expect(try await cli("update", "mint-quote", quote.quote, "PENDING").stderr.contains("no PENDING mint quotes"))
        #expect(try await cli("update", "mint-quote", quote.quote, "PAID").stderr.isEmpty)
        let outputs = try BlindedOutputs(Amount(100).powersOfTwo, keyset: keyset.id)
        let minted = try HTTPJSON.value(try await HTTPJSON.post(
            MintResponse.self, mint.url + "/v1/mint/bolt11", MintRequest(quote: quote.quote, outputs: outputs.messages)))
        let proofs = try outputs.proofs(minted.signatures) { _, a in keyset.keys[a] }
        #expect(try await mintState() == .issued)
        // Issued e-cash exists: no state change may let the quote be issued again.
        #expect(try await cli("update", "mint-quote", quote.quote, "PAID").stderr.contains("is ISSUED"))
        #expect(try await cli("update", "mint-quote", quote.quote, "UNPAID").stderr.contains("is ISSUED"))
        #expect(try await mintState() == .issued)

        // A melt the backend leaves pending: releasing its inputs is refused; marking it paid settles it, keeping the
        // whole fee reserve (2 sat) and returning the rest as change.
        let invoice = try foreignInvoice(sat: 10)
        let meltQuote = try HTTPJSON.value(try await HTTPJSON.post(
            MeltQuoteBolt11Response.self, mint.url + "/v1/melt/quote/bolt11", MeltQuoteBolt11Request(request: invoice, unit: .sat)))
        #expect(meltQuote.feeReserve == 2)
        #expect(try await cli("update", "melt-quote", meltQuote.quote, "PAID").stderr.contains("holds no inputs"))
        let blank = try BlindedOutputs(Array(repeating: 1, count: 8), keyset: keyset.id)
        let melted = try HTTPJSON.value(try await HTTPJSON.post(
            MeltQuoteBolt11Response.self, mint.url + "/v1/melt/bolt11", MeltRequest(quote: meltQuote.quote, inputs: proofs, outputs: blank.messages)))
        #expect(melted.state == .pending)
        let states = { try HTTPJSON.value(try await HTTPJSON.post(CheckStateResponse.self, mint.url + "/v1/checkstate", CheckStateRequest(ys: proofs.map { try $0.y }))).states.map(\.state) }
        #expect(try await cli("update", "melt-quote", meltQuote.quote, "UNPAID").stderr.contains("spend them twice"))
        #expect(try await states().allSatisfy { $0 == .pending })
        #expect(try await cli("update", "melt-quote", meltQuote.quote, "PAID").stderr.isEmpty)
        let paid = try HTTPJSON.value(try await HTTPJSON.get(MeltQuoteBolt11Response.self, mint.url + "/v1/melt/quote/bolt11/\(meltQuote.quote)"))
        #expect(paid.state == .paid)
        #expect(paid.change?.reduce(Amount(0)) { $0.adding($1.amount) ?? $0 } == 88, "\(String(describing: paid.change))")
        #expect(try await states().allSatisfy { $0 == .spent })
        #expect(try await cli("update", "melt-quote", meltQuote.quote, "UNPAID").stderr.contains("is PAID"))
        let got = try await cli("get", "melt-quote", meltQuote.quote)
        #expect(got.stdout.contains("state: \"PAID\"") && got.stdout.contains("fee_paid: 2") && got.stdout.contains("change {"), "\(got.stdout)")
        #expect(try await cli("update", "melt-quote", "no-such-quote", "PAID").stderr.contains("not found"))
        // The ledger adds up (100 issued, 100 redeemed, 88 of change issued): only reconciliation finds anything,
        // and it finds what the operator did: the melt marked PAID that the node never paid, and (unless the fake
        // node's payment arrived before the audit) the mint quote marked PAID before it was paid.
        let audit = try await Interop.run(CashewMintProcess.executable, ["audit", "--json", "--data-dir", mint.dataDir])
        #expect(audit.status == 2, "\(audit.stderr)")
        let findings = ((try? JSONSerialization.jsonObject(with: Data(audit.stdout.utf8)) as? [String: Any])?["findings"] as? [[String: Any]]) ?? []
        #expect(findings.allSatisfy { $0["check"] as? String == "reconciliation" && [meltQuote.quote, quote.quote].contains($0["key"] as? String ?? "") }, "\(findings)")
        #expect(findings.contains { $0["key"] as? String == meltQuote.quote && $0["table"] as? String == "melt_quotes" }, "\(findings)")
    }

    @Test("the RPCs mint-cli has no command for, through nutshell's own generated stub: icon URL, NUT-04/05 settings, quote TTLs")
    func otherRPCs() async throws {
        let managementPort = try FreePort.find()
        let mint = try await CashewMintProcess(environment: Self.managed(port: managementPort, tls: nil))
        defer { mint.stop(); mint.removeData() }
        let script = """
            import grpc, json, sys
            from cashu.mint.management_rpc.protos import management_pb2 as pb, management_pb2_grpc as rpc
            stub = rpc.MintStub(grpc.insecure_channel(sys.argv[1]))
            out = {}
            def call(name, f):
                try:
                    f(); out[name] = "OK"
                except grpc.RpcError as e:
                    out[name] = e.code().name + ": " + e.details()
            call("icon", lambda: stub.UpdateIconUrl(pb.UpdateIconUrlRequest(icon_url="https://mint.example.org/icon.png")))
            call("nut04", lambda: stub.UpdateNut04(pb.UpdateNut04Request(unit="sat", method="bolt11", min_amount=10, max_amount=5000,
                options=pb.MintMethodOptions(description=False))))
            call("nut04_bad", lambda: stub.UpdateNut04(pb.UpdateNut04Request(unit="sat", method="bolt11", min_amount=6000)))
            call("nut04_unit", lambda: stub.UpdateNut04(pb.UpdateNut04Request(unit="eur", method="bolt11", disabled=True)))
            call("nut04_method", lambda: stub.UpdateNut04(pb.UpdateNut04Request(unit="sat", method="bolt12", disabled=True)))
            call("nut05", lambda: stub.UpdateNut05(pb.UpdateNut05Request(unit="sat", method="bolt11", disabled=True)))
            call("ttl", lambda: stub.UpdateQuoteTtl(pb.UpdateQuoteTtlRequest(mint_ttl=120, melt_ttl=60)))
            call("ttl_none", lambda: stub.UpdateQuoteTtl(pb.UpdateQuoteTtlRequest()))
            call("ttl_bad", lambda: stub.UpdateQuoteTtl(pb.UpdateQuoteTtlRequest(mint_ttl=10**12)))
            call("fee_bad", lambda: stub.UpdateLightningFee(pb.UpdateLightningFeeRequest(fee_percent=250.0)))
            call("keyset_bad", lambda: stub.RotateNextKeyset(pb.RotateNextKeysetRequest(unit="sat", input_fee_ppk=10**9)))
            call("keyset_unit", lambda: stub.RotateNextKeyset(pb.RotateNextKeysetRequest(unit="eur")))
            call("keyset_id", lambda: stub.GetKeyset(pb.GetKeysetRequest(id="")))
            print(json.dumps(out))
            """
        let out = try await Interop.python(script, arguments: ["127.0.0.1:\(managementPort)"])
        let results = try #require(try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: String])
        #expect(results["icon"] == "OK" && results["nut04"] == "OK" && results["nut05"] == "OK" && results["ttl"] == "OK", "\(results)")
        #expect(results["nut04_bad"]?.hasPrefix("INVALID_ARGUMENT") == true, "\(results)")
        #expect(results["nut04_unit"]?.hasPrefix("INVALID_ARGUMENT") == true)
        #expect(results["nut04_method"]?.hasPrefix("INVALID_ARGUMENT") == true)
        #expect(results["ttl_none"]?.hasPrefix("INVALID_ARGUMENT") == true)
        #expect(results["ttl_bad"]?.hasPrefix("INVALID_ARGUMENT") == true)
        #expect(results["fee_bad"]?.hasPrefix("INVALID_ARGUMENT") == true)
        #expect(results["keyset_bad"]?.hasPrefix("INVALID_ARGUMENT") == true)
        #expect(results["keyset_unit"]?.hasPrefix("INVALID_ARGUMENT") == true)
        #expect(results["keyset_id"]?.hasPrefix("INVALID_ARGUMENT") == true)

        let info = try await Self.info(mint.url)
        #expect(info["icon_url"] as? String == "https://mint.example.org/icon.png")
        let nuts = try #require(info["nuts"] as? [String: Any])
        let nut04 = try #require(nuts["4"] as? [String: Any])
        let methods = try #require(nut04["methods"] as? [[String: Any]])
        #expect(methods.count == 1 && methods[0]["min_amount"] as? Int == 10 && methods[0]["max_amount"] as? Int == 5000)
        #expect((methods.first?["options"] as? [String: Bool])?["description"] == false)
        let nut05 = try #require(nuts["5"] as? [String: Any])
        #expect(nut05["disabled"] as? Bool == true && (nut05["methods"] as? [Any])?.isEmpty == true)

        // The new limits and TTL apply to quotes; melting is off; descriptions are refused.
        let small = try await HTTPJSON.post(MintQuoteBolt11Response.self, mint.url + "/v1/mint/quote/bolt11", MintQuoteBolt11Request(amount: 5, unit: .sat))
        guard case let .error(e, status) = small else { Issue.record("a 5-sat quote was accepted below min 10"); return }
        #expect(e.code == .amountOutsideLimit && status == 400)
        var described = MintQuoteBolt11Request(amount: 50, unit: .sat)
        described.description = "coffee"
        guard case .error = try await HTTPJSON.post(MintQuoteBolt11Response.self, mint.url + "/v1/mint/quote/bolt11", described) else {
            Issue.record("a description was accepted with options.description = false"); return
        }
        let quote = try HTTPJSON.value(try await HTTPJSON.post(
            MintQuoteBolt11Response.self, mint.url + "/v1/mint/quote/bolt11", MintQuoteBolt11Request(amount: 50, unit: .sat)))
        let now = UInt64(Date().timeIntervalSince1970)
        #expect((now + 100...now + 125).contains(quote.expiry ?? 0), "\(String(describing: quote.expiry)) vs now \(now)")
        let melt = try await HTTPJSON.post(
            MeltQuoteBolt11Response.self, mint.url + "/v1/melt/quote/bolt11", MeltQuoteBolt11Request(request: try foreignInvoice(sat: 10), unit: .sat))
        guard case let .error(meltError, _) = melt else { Issue.record("a melt quote was given while melting is disabled"); return }
        #expect(meltError.detail.contains("disabled"))

        // `cashew-mint settings` lists the overrides and resets them; the running mint follows within seconds.
        let show = try await Interop.run(CashewMintProcess.executable, ["settings", "show", "--data-dir", mint.dataDir])
        #expect(show.stdout.contains("nut05 sat/bolt11") && show.stdout.contains("info.icon_url"), "\(show.stdout) \(show.stderr)")
        let reset = try await Interop.run(CashewMintProcess.executable, ["settings", "reset", "nut05 sat/bolt11", "--data-dir", mint.dataDir])
        #expect(reset.status == 0, "\(reset.stderr)")
        // Within the reload interval (2 s); the bound is generous for a loaded machine, and the mint's log is kept.
        let followed = try await Self.eventually(mint.url, within: 30) { (($0["nuts"] as? [String: Any])?["5"] as? [String: Any])?["disabled"] as? Bool == false }
        #expect(followed, "\(reset.stdout)\n\(mint.logs)")
        let unknown = try await Interop.run(CashewMintProcess.executable, ["settings", "reset", "info.motd", "--data-dir", mint.dataDir])
        #expect(unknown.status != 0 && unknown.stderr.contains("no override info.motd"))
    }
}
