import CashuCrypto
import CashuProtocol
import Foundation
import TestSupport
import Testing

@testable import CashewWallet

/// Retired and expired keysets in the wallet: proofs of an inactive keyset move to the active one on the next
/// operation, paying their input fee; proofs of an expired keyset are never sent.
@Suite("Wallet and retired keysets", .serialized)
struct WalletKeysetMoveTests {
    static func rotate(_ mint: CashewMintProcess, _ extra: [String] = []) async throws {
        let rotated = try await Interop.run(CashewMintProcess.executable, ["keysets", "rotate", "--unit", "sat", "--data-dir", mint.dataDir] + extra)
        #expect(rotated.status == 0, "\(rotated.stderr)")
    }

    /// Waits until the running mint lists `count` keysets with exactly one active (it reloads keysets every 5 s).
    static func waitForKeysets(_ wallet: Wallet, _ url: String, count: Int) async throws {
        for _ in 0..<100 {
            let keysets = try await wallet.client(url).keysets().keysets
            if keysets.count == count, keysets.filter(\.active).count == 1 { return }
            try await Task.sleep(for: .milliseconds(200))
        }
        Issue.record("the mint did not pick up the rotation")
    }

    @Test("after a rotation, a send first moves the retired keyset's proofs to the active keyset, paying their 100 ppk input fee")
    func moveOnNextOperation() async throws {
        let mint = try await CashewMintProcess(environment: ["CASHEW_INPUT_FEE_PPK": "100"])
        defer {
            _ = mint.stop()
            mint.removeData()
        }
        try await WalletMeltRestoreTests.withStores(2) { stores in
            let wallet = try Wallet(store: stores[0], mnemonic: try Mnemonic.generate(wordCount: 12))
            try await WalletMeltRestoreTests.mint(wallet, 64, at: mint.url)
            let old = try #require(try await stores[0].keysets(mintURL: mint.url).first { $0.active })
            let held = try await stores[0].proofs(mintURL: mint.url, unit: .sat).map(\.proof)
            #expect(held.allSatisfy { $0.id == old.id })
            try await Self.rotate(mint, ["--input-fee-ppk", "0"])
            try await Self.waitForKeysets(wallet, mint.url, count: 2)

            let token = try await wallet.send(amount: 10, mintURL: mint.url)
            let moveFee = Amount(UInt64((held.count * 100 + 999) / 1000))
            let keysets = try await stores[0].keysets(mintURL: mint.url)
            let active = try #require(keysets.first { $0.active })
            #expect(active.id != old.id && !(keysets.first { $0.id == old.id }?.active ?? true))
            // Everything the wallet holds, and the token, is of the active keyset now.
            #expect(try await stores[0].proofs(mintURL: mint.url, unit: .sat).allSatisfy { $0.proof.id == active.id })
            #expect(token.proofs.allSatisfy { $0.id == active.id })
            let move = try #require(try await stores[0].history().first { $0.kind == "keyset_move" })
            #expect(move.fee == moveFee && move.amount.rawValue == 64 - moveFee.rawValue)
            // 64 less the move's fee less the 10 sent (the new keyset takes no fee).
            #expect(try await wallet.balance(mintURL: mint.url) == UInt128(64 - moveFee.rawValue - 10))
            let other = try Wallet(store: stores[1], mnemonic: try Mnemonic.generate(wordCount: 12))
            #expect(try await other.receive(token) == 10)
            // Nothing left to move.
            #expect(try await wallet.moveInactiveProofs(mintURL: mint.url) == nil)
        }
    }

    @Test("proofs of a keyset past its final expiry are never sent, not even as an offline token; they are not moved either")
    func expiredNeverSent() async throws {
        let mint = try await CashewMintProcess()
        defer {
            _ = mint.stop()
            mint.removeData()
        }
        try await WalletMeltRestoreTests.withStores(1) { stores in
            let wallet = try Wallet(store: stores[0], mnemonic: try Mnemonic.generate(wordCount: 12))
            // The active keyset expires in a few seconds; the wallet's proofs are all of it.
            let expiry = UInt64(Date().timeIntervalSince1970) + 8
            try await Self.rotate(mint, ["--final-expiry", "\(expiry)"])
            try await Self.waitForKeysets(wallet, mint.url, count: 2)
            try await WalletMeltRestoreTests.mint(wallet, 16, at: mint.url)
            let expiring = try #require(try await stores[0].keysets(mintURL: mint.url).first { $0.active })
            let held = try await stores[0].proofs(mintURL: mint.url, unit: .sat).count
            #expect(expiring.finalExpiry == expiry)
            while UInt64(Date().timeIntervalSince1970) <= expiry { try await Task.sleep(for: .milliseconds(250)) }
            // 16 is held in proofs that add up exactly: before, the offline path made a token of them.
            await #expect(throws: WalletError.self) { _ = try await wallet.send(amount: 16, mintURL: mint.url) }
            await #expect(throws: WalletError.self) { _ = try await wallet.send(amount: 8, mintURL: mint.url) }
            #expect(try await wallet.moveInactiveProofs(mintURL: mint.url) == nil)
            #expect(try await stores[0].proofs(mintURL: mint.url, unit: .sat).count == held)
        }
    }

    @Test("cashew balance warns about e-cash on a keyset expiring within --expiry-warning days (default 30), on standard error; --json lists it")
    func balanceWarnsBeforeExpiry() async throws {
        try await CashewMintProcess.withScratch("cashew-expiry") { mint, dir in
            let expiry = UInt64(Date().timeIntervalSince1970) + 10 * 86_400
            try await Self.rotate(mint, ["--final-expiry", "\(expiry)"])
            try await WalletMeltRestoreTests.withStores(1) { stores in
                try await Self.waitForKeysets(try Wallet(store: stores[0], mnemonic: try Mnemonic.generate(wordCount: 12)), mint.url, count: 2)
            }
            let minted = try await WalletCLITests.cashew(["--dir", dir, "--mint", mint.url, "mint", "16"])
            #expect(minted.status == 0, "\(minted.stderr)")
            let warned = try await WalletCLITests.cashew(["--dir", dir, "--mint", mint.url, "balance"])
            #expect(warned.status == 0)
            #expect(warned.stderr.contains("Warning: 16 sat at \(mint.url)") && warned.stderr.contains("in 10 days"), "\(warned.stderr)")
            #expect(!warned.stdout.contains("Warning"))
            let quiet = try await WalletCLITests.cashew(["--dir", dir, "--mint", mint.url, "balance", "--expiry-warning", "9"])
            #expect(quiet.status == 0 && !quiet.stderr.contains("Warning"), "\(quiet.stderr)")
            let json = try await WalletCLITests.cashew(["--dir", dir, "--mint", mint.url, "balance", "--json"])
            let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
            let expiring = try #require(object["expiring"] as? [[String: Any]])
            #expect(expiring.count == 1)
            #expect(expiring.first?["amount"] as? Int == 16 && expiring.first?["final_expiry"] as? Int == Int(expiry))
            #expect(expiring.first?["expired"] as? Bool == false && expiring.first?["active"] as? Bool == true)
            let bad = try await WalletCLITests.cashew(["--dir", dir, "balance", "--expiry-warning", "-1"])
            #expect(bad.status != 0)
        }
    }
}
