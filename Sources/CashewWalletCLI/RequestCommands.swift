import ArgumentParser
import AsyncHTTPClient
import CashewEncoding
import CashewWallet
import CashuCrypto
import CashuProtocol
import Foundation
import NIOCore
import Secp256k1

/// `cashew request AMOUNT [--listen PORT | --nostr RELAY…]`: a NUT-18 payment request, optionally received over HTTP
/// POST or over Nostr (NIP-17 to the wallet's Nostr key).
struct RequestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "request",
        abstract: "Print a payment request (creqA…, or CREQB1… with --bech32); with --listen, wait for the payment on a local port; with --nostr, wait for it on Nostr relays.")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "Amount in the unit.") var amount: UInt64
    @Option(help: "What the payment is for.") var description: String?
    @Option(help: "Listen for the payment on this port (HTTP POST transport) and exit after receiving it.") var listen: Int?
    @Option(help: "Address to listen on and to put in the request.") var host: String = "127.0.0.1"
    @Flag(help: "Ask for a token locked to this wallet's key (NUT-10 P2PK in the request), so that it is useless to anyone who intercepts it.")
    var locked = false
    @Flag(help: "Print the request as NUT-26 bech32m (CREQB1…, upper case: a denser QR code) instead of creqA.")
    var bech32 = false
    @Flag(help: "Also draw the request as a QR code (on standard error).") var qr = false
    @Option(name: .customLong("nostr"), parsing: .upToNextOption, help: "Ask for the payment over Nostr (NIP-17 to this wallet's key) on these relays (ws:// or wss://), and wait for it there.")
    var relays: [String] = []
    @Flag(help: "With --nostr: print the request and exit; `cashew check --requests` receives the payment later.")
    var noWait = false
    @Option(help: "With --nostr: stop waiting after this many seconds (the payment is then received by `cashew check --requests`).")
    var timeout: UInt64?

    func run() async throws {
        guard amount > 0 else { throw CLIError("the amount must be positive") }
        if !relays.isEmpty, listen != nil { throw CLIError("choose one transport: --listen PORT or --nostr RELAY…") }
        if relays.isEmpty, noWait || timeout != nil { throw CLIError("--no-wait and --timeout go with --nostr") }
        try await WalletSession.run(global) { s in
            let url = try await s.mintURL()
            let id = Hex.encode(SecureRandom.bytes(8))
            let lock = locked ? PaymentRequest.NUT10Option(kind: "P2PK", data: try s.wallet.lockingPublicKey().hex, tags: nil) : nil
            func request(port: Int?) -> PaymentRequest {
                PaymentRequest(
                    id: id, amount: Amount(amount), unit: global.currencyUnit, singleUse: true, mints: [url], description: description,
                    transports: port.map { [.post("http://\(host):\($0)/")] }, nut10: lock)
            }
            func text(_ r: PaymentRequest) throws -> String { bech32 ? try r.bech32Encoded() : r.encoded }
            if !relays.isEmpty {
                try await nostr(s, url: url, request: request(port: nil), text: text)
                return
            }
            guard let listen else {
                let printed = try text(request(port: nil))
                print(printed)
                if qr { try QRTerminal.show(printed) }
                return
            }
            let listener = PaymentRequestListener(request: request(port: listen), wallet: s.wallet)
            let received = try await listener.run(host: host, port: listen) { bound in
                // The request is the last line of standard output before waiting (scripts read it).
                let text = (try? text(request(port: bound))) ?? request(port: bound).encoded
                if !global.json { FileHandle.standardError.write(Data("Waiting for \(amount) \(global.unit) on http://\(host):\(bound)/ …\n".utf8)) }
                FileHandle.standardOutput.write(Data((text + "\n").utf8))  // unbuffered: a script reads it now
                if qr { try? QRTerminal.show(text) }
            }
            let balance = try await s.wallet.balance(mintURL: url, unit: global.currencyUnit)
            if global.json {
                s.printJSON(["received": received.rawValue, "unit": global.unit, "balance": jsonAmount(balance)])
            } else {
                print("Received \(received) \(global.unit). Balance: \(balance) \(global.unit)")
            }
        }
    }
}

extension RequestCommand {
    /// The request over Nostr: recorded, printed, then (unless --no-wait) waited for on the relays.
    func nostr(_ s: WalletSession, url: String, request base: PaymentRequest, text: (PaymentRequest) throws -> String) async throws {
        var request = base
        do { request.transports = [try s.wallet.nostrTransport(relays: relays)] } catch { throw CLIError("\(WalletSession.oneLine(error))") }
        try await s.wallet.recordRequest(request, relays: relays)
        let printed = try text(request)
        FileHandle.standardOutput.write(Data((printed + "\n").utf8))  // unbuffered: a script reads it now
        if qr { try QRTerminal.show(printed) }
        if noWait { return }
        if !global.json { FileHandle.standardError.write(Data("Waiting for \(amount) \(global.unit) on \(relays.joined(separator: ", ")) …\n".utf8)) }
        let received: Amount?
        do {
            received = try await s.wallet.waitForPayment(request, relays: relays, timeout: timeout.map { .seconds($0) } ?? .seconds(365 * 86_400))
        } catch {
            throw CLIError("\(WalletSession.oneLine(error)); the request stays open: `cashew check --requests` receives its payment later")
        }
        guard let received else {
            throw CLIError("no payment within \(timeout ?? 0) s; the request stays open: `cashew check --requests` receives its payment later")
        }
        let balance = try await s.wallet.balance(mintURL: url, unit: global.currencyUnit)
        if global.json {
            s.printJSON(["received": received.rawValue, "unit": global.unit, "balance": jsonAmount(balance)])
        } else {
            print("Received \(received) \(global.unit). Balance: \(balance) \(global.unit)")
        }
    }
}

/// `cashew pay-request CREQ`: pays a NUT-18 request over its Nostr transport (NIP-17), or else over HTTP POST.
struct PayRequestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "pay-request", abstract: "Pay a payment request (creqA… or creqb1…) by posting a token to it.")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The payment request.") var request: String
    @Option(help: "Amount, when the request leaves it open.") var amount: UInt64?

    func run() async throws {
        let parsed: PaymentRequest
        do { parsed = try PaymentRequest.parse(request) } catch {
            throw CLIError("not a payment request: \(error)")
        }
        guard let value = parsed.amount?.rawValue ?? amount, value > 0 else { throw CLIError("the request names no amount: give --amount") }
        if let amount, let asked = parsed.amount?.rawValue, amount != asked { throw CLIError("the request asks for \(asked), not \(amount)") }
        // A locked request (NUT-10: pay to the receiver's key) is paid only with a token carrying that lock.
        var lock: SpendingLock?
        if let option = parsed.nut10 {
            do { lock = try SpendingLock(kind: option.kind, data: option.data, tags: option.tags ?? []) } catch {
                throw CLIError("the request asks for a lock this wallet cannot make: \(error)")
            }
        }
        // Nostr first (neither side needs a reachable port), HTTP POST otherwise.
        let nostrTarget = parsed.transports?.first(where: { $0.type == "nostr" })?.target
        guard let target = nostrTarget ?? parsed.transports?.first(where: { $0.type == "post" })?.target else {
            throw CLIError("the request offers neither a Nostr nor an HTTP POST transport (only \(parsed.transports?.map(\.type).joined(separator: ", ") ?? "none")); send a token by other means")
        }
        let unit = parsed.unit ?? global.currencyUnit
        try await WalletSession.run(global) { s in
            let known = try await s.store.mints().map(\.url)
            let url: String
            if let accepted = parsed.mints?.map({ MintClient(url: $0).url }) {
                let selected = global.mint ?? ProcessInfo.processInfo.environment["CASHEW_MINT_URL"].flatMap { $0.isEmpty ? nil : $0 }
                if let chosen = selected.map({ MintClient(url: $0).url }), known.contains(chosen) || global.mint != nil {
                    guard accepted.contains(chosen) else { throw CLIError("the request accepts only \(accepted.joined(separator: ", "))") }
                    url = chosen
                } else {
                    guard let first = accepted.first(where: known.contains) else {
                        throw CLIError("the request accepts only \(accepted.joined(separator: ", ")), none of which this wallet uses")
                    }
                    url = first
                }
            } else {
                url = try await s.mintURL()
            }
            // The receiver keeps the amount asked: the token also covers the input fee its swap pays.
            let proofs = try await s.wallet.sendNetOfReceiveFee(amount: Amount(value), unit: unit, mintURL: url, memo: parsed.description, lock: lock)
            let payload = PaymentRequestPayload(id: parsed.id, memo: parsed.description, mint: url, unit: unit, proofs: proofs)
            if nostrTarget != nil {
                let relays: [String]
                do { relays = try await s.wallet.deliverOverNostr(payload, target: target) } catch {
                    // Nobody got the token: it comes back into the wallet at once.
                    let back = try? await s.wallet.reclaim(Token(mint: url, unit: unit, memo: parsed.description, proofs: proofs))
                    throw CLIError("could not deliver the payment over Nostr (\(WalletSession.oneLine(error))); "
                        + (back != nil ? "the e-cash was taken back" : "the token is in `cashew history --json`: take it back with `cashew reclaim --all`"))
                }
                if global.json {
                    s.printJSON(["paid": value, "unit": unit.rawValue, "mint": url, "transport": "nostr", "relays": relays])
                } else {
                    print("Paid \(value) \(unit) over Nostr (\(relays.joined(separator: ", ")))")
                }
                return
            }
            var post = HTTPClientRequest(url: target)
            post.method = .POST
            post.headers.add(name: "Content-Type", value: "application/json")
            post.body = .bytes(ByteBuffer(bytes: try JSONEncoder().encode(payload)))
            let status: Int
            let answer: String
            do {
                let response = try await HTTPClient.shared.execute(post, timeout: .seconds(30))
                status = Int(response.status.code)
                answer = String(buffer: try await response.body.collect(upTo: 1 << 16))
            } catch {
                // The proofs are in the token (kept in the history); the receiver can still be given it another way.
                throw CLIError("could not reach \(target) (\(error)); the token is in `cashew history --json`")
            }
            guard (200..<300).contains(status) else {
                throw CLIError("the receiver refused the payment (HTTP \(status): \(answer.prefix(200))); the token is in `cashew history --json`")
            }
            if global.json {
                s.printJSON(["paid": value, "unit": unit.rawValue, "mint": url, "target": target])
            } else {
                print("Paid \(value) \(unit) to \(target)")
            }
        }
    }
}
