import ArgumentParser
import CashewEncoding
import CashewWallet
import CashuProtocol
import Foundation
import Secp256k1

/// The lock options of `cashew send`: NUT-11 P2PK, NUT-14 HTLC, NUT-28 blinded keys.
struct LockOptions: ParsableArguments {
    @Option(name: .customLong("lock"), help: "Lock to this public key (hex; nutshell's P2PK:KEY / P2BK:KEY forms too). Repeat for multisig.")
    var keys: [String] = []
    @Option(help: "HTLC: lock to the SHA-256 hash (hex) of a preimage (see `cashew preimage`); --lock keys must also sign.")
    var hashlock: String?
    @Option(name: .customLong("n-sigs"), help: "How many of the --lock keys must sign (default 1).") var nSigs: Int?
    @Option(help: "Unix time after which the refund keys can spend.") var locktime: UInt64?
    @Option(help: "Seconds from now after which the refund keys can spend (instead of --locktime).") var timelock: UInt64?
    @Option(name: .customLong("refund"), help: "Refund key after the locktime (default: this wallet's key). Repeatable.")
    var refundKeys: [String] = []
    @Option(name: .customLong("n-sigs-refund"), help: "How many refund keys must sign (default 1).") var nSigsRefund: Int?
    @Flag(name: .customLong("sig-all"), help: "SIG_ALL: the receiver's signature covers the whole swap (inputs and outputs).") var sigAll = false
    @Flag(help: "NUT-28: blind the keys so that the mint cannot see whom the token is for (the receiver's wallet must support NUT-28).")
    var p2bk = false

    var isLocked: Bool { !keys.isEmpty || hashlock != nil }

    /// The lock these options describe, nil when there is none. `ownKey` is the default refund key.
    func lock(ownKey: @autoclosure () throws -> Point) throws -> SpendingLock? {
        guard isLocked else {
            if nSigs != nil || locktime != nil || timelock != nil || !refundKeys.isEmpty || nSigsRefund != nil || sigAll || p2bk {
                throw CLIError("lock options need --lock KEY or --hashlock HASH")
            }
            return nil
        }
        var blinded = p2bk
        var flag: SpendingCondition.SignatureFlag = sigAll ? .sigAll : .sigInputs
        let main = try keys.map { text -> Point in
            let (key, prefixBlinded, prefixSigAll) = try Self.parseKey(text)
            blinded = blinded || prefixBlinded
            if prefixSigAll { flag = .sigAll }
            return key
        }
        var kind = SpendingLock.Kind.p2pk
        if let hashlock {
            guard hashlock.utf8.count == 64, let hash = Hex.decode(hashlock) else { throw CLIError("--hashlock is a 32-byte SHA-256 hash in hex") }
            kind = .htlc(hash: hash)
        }
        if locktime != nil, timelock != nil { throw CLIError("give --locktime or --timelock, not both") }
        if let timelock, timelock > 100 * 365 * 86_400 { throw CLIError("--timelock is at most a hundred years (in seconds)") }
        let until = locktime ?? timelock.map { UInt64(Date().timeIntervalSince1970) + $0 }
        guard until != nil || (refundKeys.isEmpty && nSigsRefund == nil) else { throw CLIError("refund keys need --locktime or --timelock") }
        var refund = try refundKeys.map { try Self.parseKey($0).key }
        if until != nil, refund.isEmpty { refund = [try ownKey()] }
        let lock = SpendingLock(
            kind: kind, keys: main, requiredSignatures: nSigs, locktime: until, refundKeys: refund, requiredRefundSignatures: nSigsRefund,
            signatureFlag: flag, blinded: blinded)
        do { try lock.validate() } catch { throw CLIError("invalid lock: \(error)") }
        return lock
    }

    /// A public key as hex (33-byte compressed, or 32-byte x-only taken with even Y as NUT-28 says), optionally in
    /// nutshell's lock form `P2PK:KEY`, `P2BK:KEY`, `P2PK-SIGALL:KEY`, `P2BK-SIGALL:KEY`.
    static func parseKey(_ text: String) throws -> (key: Point, blinded: Bool, sigAll: Bool) {
        var hex = Substring(text.trimmingCharacters(in: .whitespaces))
        var blinded = false, sigAll = false
        if let colon = hex.firstIndex(of: ":") {
            switch hex[..<colon].uppercased() {
            case "P2PK": break
            case "P2BK": blinded = true
            case "P2PK-SIGALL": sigAll = true
            case "P2BK-SIGALL": blinded = true; sigAll = true
            case let other: throw CLIError("unknown lock form \(other.prefix(20)): (use a hex key, P2PK:KEY or P2BK:KEY)")
            }
            hex = hex[hex.index(after: colon)...]
        }
        if hex.utf8.count == 64 { hex = "02" + hex }
        guard hex.utf8.count == 66, let key = try? Point(hex: hex) else { throw CLIError("not a compressed public key: \(text.prefix(80))") }
        return (key, blinded, sigAll)
    }
}

/// `cashew pubkey`: the key to lock tokens to this wallet.
struct PubkeyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pubkey", abstract: "Print this wallet's public key: others lock tokens to it with `send --lock KEY` (P2PK, NUT-11).")
    @OptionGroup var global: GlobalOptions
    @Flag(help: "Print the wallet's Nostr key instead (npub; payment requests over Nostr reach it).") var nostr = false

    func run() async throws {
        try await WalletSession.run(global) { s in
            if nostr {
                let key = try s.wallet.nostrPublicKey()
                let npub = NIP19.Profile(publicKey: key).encoded
                if global.json { s.printJSON(["npub": npub, "pubkey": Hex.encode(key), "path": Wallet.nostrKeyPath]) } else { print(npub) }
                return
            }
            let key = try s.wallet.lockingPublicKey().hex
            if global.json { s.printJSON(["pubkey": key, "path": Wallet.lockingKeyPath]) } else { print(key) }
        }
    }
}

/// `cashew preimage`: a new HTLC preimage and its hash lock.
struct PreimageCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "preimage", abstract: "Make a random HTLC preimage and its hash: `send --hashlock HASH` locks, `receive --preimage P` unlocks (NUT-14).")
    @Flag(help: "Print JSON.") var json = false

    func run() async throws {
        let (preimage, hash) = SpendingLock.newPreimage()
        if json {
            let data = try JSONSerialization.data(withJSONObject: ["preimage": Hex.encode(preimage), "hash": Hex.encode(hash)], options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        } else {
            print("preimage: \(Hex.encode(preimage))")
            print("hash:     \(Hex.encode(hash))")
        }
    }
}

/// `cashew sign TOKEN`: co-signs a multisig-locked token.
struct SignCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sign", abstract: "Add this wallet's signatures to a multisig-locked token (SIG_INPUTS) and print it for the next signer.")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The token.") var token: String
    @Flag(help: "Print a V3 (cashuA) token instead of V4 (cashuB).") var legacy = false

    func run() async throws {
        let parsed = try parseToken(token)
        try await WalletSession.run(global) { s in
            let text = try s.wallet.cosign(parsed).serialized(legacy ? .v3 : .v4)
            if global.json { s.printJSON(["token": text]) } else { print(text) }
        }
    }
}
