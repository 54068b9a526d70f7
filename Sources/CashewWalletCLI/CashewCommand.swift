import ArgumentParser
import CashewWallet

/// `cashew`: a Cashu wallet on the command line.
@main
struct CashewCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cashew",
        abstract: "A Cashu e-cash wallet: mint, send, receive, pay, restore.",
        discussion: "Global options (--dir, --mint, --unit, --json) may come before or after the command.",
        version: "0.1.0",
        subcommands: [
            MintCommand.self, SendCommand.self, ReceiveCommand.self, PayCommand.self, BalanceCommand.self, HistoryCommand.self,
            InfoCommand.self, MintsCommand.self, RestoreCommand.self, DecodeCommand.self, CheckCommand.self, SeedCommand.self,
            RequestCommand.self, PayRequestCommand.self, PubkeyCommand.self, PreimageCommand.self, SignCommand.self, AuditMintCommand.self,
            ReclaimCommand.self, BackupCommand.self, PoolCommand.self,
        ]
    )

    static func main() async {
        await main(globalOptionsAfterCommand(Array(CommandLine.arguments.dropFirst())))
    }

    /// `cashew --dir D send 5` is read as `cashew send --dir D 5`: the global options are declared on each command,
    /// so those given before the command name are moved after it.
    static func globalOptionsAfterCommand(_ arguments: [String]) -> [String] {
        let valued: Set<String> = ["--dir", "--mint", "--unit"]
        var rest = arguments[...]
        var leading = [String]()
        while let first = rest.first, first.hasPrefix("--") {
            let name = String(first.split(separator: "=", maxSplits: 1)[0])
            guard valued.contains(name) || name == "--json" else { break }
            leading.append(rest.removeFirst())
            if valued.contains(name), !first.contains("="), let value = rest.first {
                leading.append(value)
                rest.removeFirst()
            }
        }
        guard !leading.isEmpty, let command = rest.first else { return arguments }
        var path = [command]
        rest.removeFirst()
        let groups: [String: Set<String>] = [
            "mints": ["add", "list", "default"],
            "pool": ["create", "list", "deposit", "receive", "balance", "history", "propose", "show", "sign", "submit", "refund"],
        ]
        if let subs = groups[command], let sub = rest.first, subs.contains(sub) {
            path.append(sub)
            rest.removeFirst()
        }
        return path + leading + Array(rest)
    }
}
