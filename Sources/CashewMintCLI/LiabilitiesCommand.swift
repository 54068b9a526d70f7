import ArgumentParser
import CashewEncoding
import CashuCrypto
import CashuMint
import CashewMintServer
import Foundation
import Logging

/// `cashew-mint liabilities close`: closes a proof-of-liabilities epoch now (Specs/audit.md), beside the running
/// mints' own schedule (`liabilities_interval`).
struct LiabilitiesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "liabilities", abstract: "Proof of liabilities: close an epoch now.", subcommands: [Close.self], defaultSubcommand: Close.self)

    struct Close: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Close the ledger's waiting epochs and a liabilities epoch, signed with the mint's key.",
            discussion: "Running mint processes may stay up: the ledger records each epoch once.")
        @OptionGroup var common: CommonOptions
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let settings = try common.resolve()
            LogSetup.bootstrap(level: .warning, format: settings.logFormat)
            let logger = Logger(label: "cashew-mint")
            let (master, _) = try SeedLoader(settings: settings).load()
            let grace = settings.epochInterval * 2 + settings.settingsReloadInterval
            let record = try await CLIError.lines {
                try await MintRuntime.withLedger(settings, logger: logger) { store, _ in
                    // The backend is built (for the mint's shape) but never started: closing an epoch pays nothing.
                    let mint = try Mint(store: store, backends: try MintRuntime.makeBackends(settings, logger: logger), master: master, settings: settings.mint, logger: logger)
                    try await mint.reloadKeysets()
                    return try await mint.closeLiabilityEpoch(lifetime: settings.liabilitiesKeysetEpochs, grace: UInt64(grace.components.seconds) + 1)
                }
            }
            guard let record else { throw CLIError("another process closed the epoch at the same time; run again to close the next") }
            if json {
                let keysets = record.keysets.map { k -> [String: Any] in
                    ["keyset_id": k.keyset.id, "unit": k.keyset.unit, "issued_size": k.keyset.issuedSize, "spent_size": k.keyset.spentSize,
                     "outstanding": Int64(clamping: k.keyset.outstanding), "active": k.keyset.active, "deactivation_epoch": k.keyset.deactivationEpoch]
                }
                let value: [String: Any] = [
                    "epoch": record.epoch, "through_epoch": record.throughEpoch, "closed_at": record.closedAt,
                    "global_digest": Hex.encode(record.globalDigest), "keysets": keysets,
                ]
                print(String(decoding: try JSONSerialization.data(withJSONObject: value, options: [.sortedKeys]), as: UTF8.self))
            } else {
                print("liabilities epoch \(record.epoch) closed (ledger epochs through \(record.throughEpoch)); global digest \(Hex.encode(record.globalDigest))")
                for k in record.keysets.map(\.keyset) {
                    print("  \(k.id)  \(k.unit)  issued \(k.issuedSize) (\(k.issuedRoot.sum))  spent \(k.spentSize) (\(k.spentRoot.sum))  outstanding \(k.outstanding)  \(k.active ? "active" : "locked")  deactivation \(k.deactivationEpoch)")
                }
            }
        }
    }
}
