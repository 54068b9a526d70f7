import ArgumentParser

/// `cashew-bench`: benchmarks that print figures. Run in release mode: `swift run -c release cashew-bench crypto`.
@main
struct CashewBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cashew-bench",
        abstract: "Cashew benchmarks (build with -c release).",
        subcommands: [CryptoBench.self, SwapBench.self, CodecBench.self, MintCoreBench.self, AuditBench.self]
    )
}
