import CashewEncoding
import CashuCrypto
import Foundation

/// Finds the mint's seed: `CASHEW_SEED` (or the `seed` setting), else the seed file (`CASHEW_SEED_FILE`, default
/// `<data dir>/seed`), else a new 24-word mnemonic written to the default seed file with mode 0600. The seed is
/// never logged or stored in the database.
struct SeedLoader {
    let settings: MintCLISettings

    /// The master key, and whether a new seed was generated (and where).
    func load() throws -> (master: ExtendedPrivateKey, generatedAt: String?) {
        if let text = settings.seed {
            return (try Self.master(from: text, origin: "CASHEW_SEED"), nil)
        }
        let path = settings.seedFile
        if FileManager.default.fileExists(atPath: path) {
            let text: String
            do { text = try String(contentsOfFile: path, encoding: .utf8) } catch { throw CLIError("cannot read seed file \(path)") }
            return (try Self.master(from: text, origin: "seed file \(path)"), nil)
        }
        guard settings.seedFileIsDefault else { throw CLIError("seed file \(path) does not exist") }
        let mnemonic = try Mnemonic.generate(wordCount: 24)
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        guard FileManager.default.createFile(atPath: path, contents: Data((mnemonic.phrase + "\n").utf8), attributes: [.posixPermissions: 0o600]) else {
            throw CLIError("cannot write seed file \(path)")
        }
        return (try ExtendedPrivateKey(seed: mnemonic.seed()), path)
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
