import ArgumentParser
import CashewFiles
import CashewWallet
import CashuCrypto
import CashuProtocol
import Foundation

/// Options every `cashew` command takes.
struct GlobalOptions: ParsableArguments {
    @Option(help: "Wallet directory (CASHEW_WALLET_DIR; default ~/.cashew).") var dir: String?
    @Option(help: "Mint URL (CASHEW_MINT_URL; default: the wallet's default mint).") var mint: String?
    @Option(help: "Unit.") var unit: String = "sat"
    @Flag(help: "Machine-readable JSON output.") var json = false

    var walletDirectory: String {
        if let dir { return dir }
        if let env = ProcessInfo.processInfo.environment["CASHEW_WALLET_DIR"], !env.isEmpty { return env }
        return (ProcessInfo.processInfo.environment["HOME"] ?? ".") + "/.cashew"
    }

    var currencyUnit: CurrencyUnit { CurrencyUnit(unit) }
}

/// An amount for JSON output: a number while JSON readers keep it exact (up to 2^53), else a decimal string.
func jsonAmount(_ value: UInt128) -> Any { value <= UInt128(1 << 53) ? UInt64(value) : String(value) }

/// A token given on the command line (cashuA/cashuB, surrounding whitespace ignored), or a one-line error.
func parseToken(_ text: String) throws -> Token {
    do { return try Token(decoding: text.trimmingCharacters(in: .whitespacesAndNewlines)) } catch { throw CLIError("not a Cashu token: \(error)") }
}

/// A one-line error for the command line.
struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// The open wallet of a command: its directory, database and seed.
struct WalletSession {
    let options: GlobalOptions
    let store: WalletStore
    let wallet: Wallet
    let mnemonic: Mnemonic

    /// Opens the wallet in the options' directory, creating it (with a new seed phrase, shown once on standard
    /// error) on first use. `mnemonic` replaces the seed of a new wallet (restore).
    static func open(_ options: GlobalOptions, mnemonic given: Mnemonic? = nil) async throws -> WalletSession {
        let dir = options.walletDirectory
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let seedPath = dir + "/mnemonic"
        var mnemonic: Mnemonic
        var created = false
        if let existing = try readSeed(seedPath) {
            mnemonic = existing
        } else {
            // The seed phrase is the user's only backup: written as the mint writes its seed (exclusively, 0600,
            // synced), and if another `cashew` created the wallet a moment ago, its phrase is the one.
            mnemonic = try given ?? Mnemonic.generate(wordCount: 12)
            switch SecretFile.create(seedPath, contents: mnemonic.phrase + "\n") {
            case .created: created = true
            case .exists: mnemonic = try readSeed(seedPath) ?? mnemonic
            case let .failed(code): throw CLIError("cannot write \(seedPath): \(String(cString: strerror(code)))")
            }
        }
        if let given, given.phrase != mnemonic.phrase {
            throw CLIError("\(dir) already holds a wallet with another seed phrase; restore into an empty --dir")
        }
        if created, given == nil {
            FileHandle.standardError.write(Data("""
                New wallet in \(dir). Its seed phrase (write it down; `cashew seed` shows it again):
                  \(mnemonic.phrase)

                """.utf8))
        }
        // A slow relay (over Tor, or a loaded machine) may be given longer than the default 10 s.
        var nostrTimeout: Duration?
        if let text = ProcessInfo.processInfo.environment["CASHEW_NOSTR_TIMEOUT"], !text.isEmpty {
            guard let seconds = UInt64(text), (1...3600).contains(seconds) else { throw CLIError("CASHEW_NOSTR_TIMEOUT is 1 to 3600 seconds") }
            nostrTimeout = .seconds(seconds)
        }
        let store = try await WalletStore.open(path: dir + "/wallet.sqlite3")
        var wallet = try Wallet(store: store, mnemonic: mnemonic)
        if let nostrTimeout { wallet.nostrTimeout = nostrTimeout }
        return WalletSession(options: options, store: store, wallet: wallet, mnemonic: mnemonic)
    }

    /// The seed phrase in `path`, nil if there is none.
    static func readSeed(_ path: String) throws -> Mnemonic? {
        let text: String?
        do { text = try SecretFile.read(path) } catch { throw CLIError("cannot read \(path): \(error)") }
        guard let text else { return nil }
        do { return try Mnemonic(phrase: text.trimmingCharacters(in: .whitespacesAndNewlines)) } catch {
            throw CLIError("the seed phrase in \(path) is not valid: \(error)")
        }
    }

    /// The mint to use: `--mint`/`CASHEW_MINT_URL` (added if new), else the wallet's default. Operations a crash or
    /// a lost answer left open at this mint are settled first (resumed or rolled back from the mint's records).
    func mintURL() async throws -> String {
        let url: String
        if let given = options.mint ?? ProcessInfo.processInfo.environment["CASHEW_MINT_URL"].flatMap({ $0.isEmpty ? nil : $0 }) {
            url = MintClient(url: given).url
            if !(try await store.mints().contains { $0.url == url }) { try await wallet.refresh(mintURL: url) }
        } else {
            guard let known = try await store.mints().first(where: \.isDefault)?.url else {
                throw CLIError("no mint: give --mint URL (or CASHEW_MINT_URL), or add one with `cashew mints add URL`")
            }
            url = known
        }
        if try await store.openOperations().contains(where: { $0.mintURL == url }) {
            for r in try await wallet.recover(mintURL: url) where r.outcome != .stillPending {
                FileHandle.standardError.write(Data("interrupted \(r.kind.rawValue) \(r.id): \(r.outcome.rawValue)\(r.error.map { " (\($0))" } ?? "")\n".utf8))
            }
        }
        // Sent tokens whose `--reclaim-after` has passed: what nobody received comes back. A failure (the mint
        // unreachable) leaves them scheduled and does not stop the command.
        do {
            let back = try await wallet.reclaimDue(mintURL: url)
            if back.reclaimed > 0 {
                FileHandle.standardError.write(Data("took back \(back.reclaimed) from sent tokens nobody received in time\n".utf8))
            }
        } catch {
            FileHandle.standardError.write(Data("could not take back due tokens yet: \(Self.oneLine(error))\n".utf8))
        }
        return url
    }

    func close() async { try? await store.close() }

    /// Runs `body` with the session and closes it; wallet and mint errors become one-line messages.
    static func run(_ options: GlobalOptions, mnemonic: Mnemonic? = nil, _ body: (WalletSession) async throws -> Void) async throws {
        let session = try await open(options, mnemonic: mnemonic)
        do {
            try await body(session)
        } catch {
            await session.close()
            throw Self.oneLine(error)
        }
        await session.close()
    }

    static func oneLine(_ error: any Error) -> any Error {
        switch error {
        case let e as CLIError: e
        case let e as WalletError: CLIError(e.message)
        case let e as MintClientError: CLIError(e.description)
        case let e as WalletStoreError: CLIError(e.description)
        case is CancellationError, is ExitCode: error
        case let e as ValidationError: e
        default: CLIError("\(error)")
        }
    }

    /// Prints `value` as one line of JSON; `flush` writes it at once (a line a script must see before the command
    /// goes on waiting).
    func printJSON(_ value: [String: Any], flush: Bool = false) {
        guard let data = try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .withoutEscapingSlashes]) else { return }
        if flush {
            FileHandle.standardOutput.write(data + Data("\n".utf8))
        } else {
            print(String(decoding: data, as: UTF8.self))
        }
    }
}
