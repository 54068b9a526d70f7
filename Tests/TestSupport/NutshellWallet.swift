import Foundation

/// nutshell's wallet CLI (`cashu`) against a `cashew-mint` process: each named wallet lives in the mint's data
/// directory, so it goes when the mint's data does.
public enum NutshellWallet {
    /// Runs `cashu -y -w name args…` against `mint`.
    public static func run(_ mint: CashewMintProcess, _ name: String, _ args: [String]) async throws -> Interop.Output {
        let dir = mint.dataDir + "/wallets"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return try await Interop.run(
            Interop.venv! + "/bin/cashu", ["-y", "-w", name] + args,
            environment: ["CASHU_DIR": dir, "MINT_URL": mint.url, "HOME": dir, "DEBUG": "FALSE"], currentDirectory: dir)
    }

    /// The balance a `cashu` command printed ("Balance: N sat").
    public static func balance(_ out: Interop.Output) -> Int? {
        guard let r = out.stdout.range(of: "Balance: [0-9]+", options: .regularExpression) else { return nil }
        return Int(out.stdout[r].dropFirst("Balance: ".count))
    }
}
