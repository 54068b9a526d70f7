import CashewEncoding
import CashewMintServer
import CashewConfig
import CashewFiles
import CashewMintComponents
import CashuCrypto
import Foundation

/// Finds the mint's seed: `CASHEW_SEED` (or the `seed` setting), else the seed file (`CASHEW_SEED_FILE`, default
/// `<data dir>/seed`), else (for `serve` only) a new 24-word mnemonic written to the default seed file with mode
/// 0600. The seed is never logged or stored in the database.
struct SeedLoader {
    let settings: MintServerSettings

    /// The master key, and whether a new seed was generated (and where). Only `serve` generates one
    /// (`generateIfMissing`): an operator command on the wrong data directory must not silently create a new mint.
    func load(generateIfMissing: Bool = false) throws -> (master: ExtendedPrivateKey, generatedAt: String?) {
        if let text = settings.seed {
            return (try Self.master(from: text, origin: "the seed setting (CASHEW_SEED)"), nil)
        }
        let path = settings.seedFile
        if FileManager.default.fileExists(atPath: path) {
            let text: String
            do { text = try String(contentsOfFile: path, encoding: .utf8) } catch { throw CLIError("cannot read seed file \(path)") }
            return (try Self.master(from: text, origin: "seed file \(path)"), nil)
        }
        guard settings.seedFileIsDefault else { throw CLIError("seed file \(path) does not exist") }
        guard generateIfMissing else {
            throw CLIError("no seed at \(path): set CASHEW_SEED or CASHEW_SEED_FILE, or run `cashew-mint serve` once to create one")
        }
        let mnemonic = try Mnemonic.generate(wordCount: 24)
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        switch SecretFile.create(path, contents: mnemonic.phrase + "\n") {
        case .created:
            return (try ExtendedPrivateKey(seed: mnemonic.seed()), path)
        case .exists:
            // Another process created it first: use that seed, never replace it.
            return try load(generateIfMissing: false)
        case let .failed(errno):
            throw CLIError("cannot write seed file \(path): \(String(cString: strerror(errno)))")
        }
    }

    /// A seed given as hex (16 to 64 bytes) or as a BIP-39 mnemonic.
    static func master(from text: String, origin: String) throws -> ExtendedPrivateKey {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if let bytes = Hex.decode(trimmed), (16...64).contains(bytes.count) {
            return try ExtendedPrivateKey(seed: bytes)
        }
        if trimmed.contains(" ") {
            do { return try ExtendedPrivateKey(seed: Mnemonic(phrase: trimmed).seed()) } catch { throw CLIError("\(origin): \(error)") }
        }
        throw CLIError("\(origin) is neither 16 to 64 bytes of hex nor a BIP-39 mnemonic")
    }
}

/// A one-line error for the command line.
struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

extension CLIError {
    /// Runs `body`, turning a component's or a setting's error into a one-line `CLIError`.
    static func lines<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as ComponentError {
            throw CLIError(error.description)
        } catch let error as LayeredSettings.SettingError {
            throw CLIError(error.description)
        }
    }
}
