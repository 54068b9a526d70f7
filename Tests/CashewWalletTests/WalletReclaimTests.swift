import CashuProtocol
import Foundation
import TestSupport
import Testing

/// `cashew reclaim`: sent tokens nobody received come back; received ones are marked spent; locked ones stay.
@Suite("cashew reclaim")
struct WalletReclaimTests {
    static func json(_ out: Interop.Output) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(out.stdout.utf8)) as? [String: Any], "\(out.stdout)\n\(out.stderr)")
    }

    @Test("a token not received is taken back (then worthless to its holder); --all takes back the rest, counts received and locked ones")
    func reclaims() async throws {
        try await CashewMintProcess.with { mint in
            let root = FileManager.default.temporaryDirectory.appendingPathComponent("cashew-reclaim-\(UUID().uuidString)").path
            defer { try? FileManager.default.removeItem(atPath: root) }
            let (alice, bob) = (root + "/alice", root + "/bob")
            func cashew(_ dir: String, _ args: [String]) async throws -> Interop.Output { try await WalletCLITests.cashew(["--dir", dir, "--mint", mint.url] + args) }
            func token(_ out: Interop.Output) throws -> String { try #require(out.stdout.split(separator: "\n").last.map(String.init), "\(out.stderr)") }
            #expect(try await cashew(alice, ["mint", "200"]).status == 0)
            let bobKey = try await cashew(bob, ["pubkey"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            let t1 = try await token(try cashew(alice, ["send", "40"]))
            let t2 = try await token(try cashew(alice, ["send", "30"]))
            let t3 = try await token(try cashew(alice, ["send", "20", "--lock", bobKey]))
            let t4 = try await token(try cashew(alice, ["send", "10"]))
            #expect(try await WalletCLITests.balance(alice, mint.url) == 100)
            #expect(try await cashew(bob, ["receive", t2]).status == 0)

            let back = try await Self.json(try cashew(alice, ["reclaim", t1, "--json"]))
            #expect(back["reclaimed"] as? Int == 40 && back["received"] as? Int == 0, "\(back)")
            #expect(try await WalletCLITests.balance(alice, mint.url) == 140)
            // What Bob holds of it is spent now.
            let late = try await cashew(bob, ["receive", t1])
            #expect(late.status != 0 && late.stderr.contains("11001"), "\(late.stderr)")
            // Again: nothing left to take back; its proofs count as received (by ourselves).
            let again = try await Self.json(try cashew(alice, ["reclaim", t1, "--json"]))
            #expect(again["reclaimed"] as? Int == 0 && (again["received"] as? Int ?? 0) > 0, "\(again)")

            // --all: t4 comes back, t2 was received, t3 is Bob's by its lock.
            let all = try await Self.json(try cashew(alice, ["reclaim", "--all", "--json"]))
            #expect(all["reclaimed"] as? Int == 10, "\(all)")
            #expect((all["received"] as? Int ?? 0) > 0 && (all["locked"] as? Int ?? 0) > 0, "\(all)")
            #expect(try await WalletCLITests.balance(alice, mint.url) == 150)
            #expect(try await cashew(bob, ["receive", t3]).status == 0)
            #expect(try await cashew(bob, ["receive", t4]).status != 0)
            // Nothing pending is left to take back.
            let none = try await Self.json(try cashew(alice, ["reclaim", "--all", "--json"]))
            #expect(none["reclaimed"] as? Int == 0 && none["locked"] as? Int == 0, "\(none)")
            let bad = try await cashew(alice, ["reclaim"])
            #expect(bad.status != 0 && bad.stderr.contains("--all"))
        }
    }

    @Test("send --reclaim-after: a token nobody received comes back on a later command at the mint once due; a received one does not; bad durations are refused")
    func reclaimAfter() async throws {
        try await CashewMintProcess.with { mint in
            let root = FileManager.default.temporaryDirectory.appendingPathComponent("cashew-reclaim-after-\(UUID().uuidString)").path
            defer { try? FileManager.default.removeItem(atPath: root) }
            let (alice, bob) = (root + "/alice", root + "/bob")
            func cashew(_ dir: String, _ args: [String]) async throws -> Interop.Output { try await WalletCLITests.cashew(["--dir", dir, "--mint", mint.url] + args) }
            #expect(try await cashew(alice, ["mint", "100"]).status == 0)
            // Due 10 s after the send: a starved test process may reach the first check only after that, in which
            // case that check takes it back already (and only then).
            let sentAt = Date()
            let kept = try await cashew(alice, ["send", "30", "--reclaim-after", "10s"])
            #expect(kept.status == 0, "\(kept.stderr)")
            let given = try #require(try await cashew(alice, ["send", "20", "--reclaim-after", "2"]).stdout.split(separator: "\n").last.map(String.init))
            #expect(try await cashew(bob, ["receive", given]).status == 0)
            // Not due yet: a command at the mint takes nothing back.
            let early = try await cashew(alice, ["check"])
            let tookEarly = early.stderr.contains("took back")
            #expect(!tookEarly || Date().timeIntervalSince(sentAt) >= 10, "\(early.stderr)")
            if !tookEarly {
                #expect(try await WalletCLITests.balance(alice, mint.url) == 50)
                let wait = 10.5 - Date().timeIntervalSince(sentAt)
                if wait > 0 { try await Task.sleep(for: .milliseconds(Int(wait * 1000))) }
                let due = try await cashew(alice, ["check"])
                #expect(due.status == 0 && due.stderr.contains("took back 30"), "\(due.stderr)")
            } else {
                #expect(early.stderr.contains("took back 30"), "\(early.stderr)")
            }
            #expect(try await WalletCLITests.balance(alice, mint.url) == 80)
            // Done once: the next command takes nothing more.
            #expect(!(try await cashew(alice, ["check"]).stderr.contains("took back")))
            for bad in ["0", "-5", "10y", "forever"] {
                let out = try await cashew(alice, ["send", "1", "--reclaim-after", bad])
                #expect(out.status != 0 && out.stderr.contains("--reclaim-after"), "\(bad): \(out.stderr)")
            }
            #expect(try await WalletCLITests.balance(alice, mint.url) == 80)
        }
    }
}
