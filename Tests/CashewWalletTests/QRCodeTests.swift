import CashewQR
import CashuProtocol
import Foundation
import TestSupport
import Testing

/// QR codes in the terminal, read back by a real decoder: what `cashew` draws is turned into an image and given to
/// zbar's `zbarimg` (Debian's zbar-tools). NUT-16 animated codes are reassembled from the frames it reads.
@Suite("QR codes in the terminal (read by zbarimg)", .enabled(if: ZBar.path != nil || Interop.required))
struct QRCodeTests {
    static var zbarimg: String? { ZBar.path }

    /// What zbarimg reads in `pixels` (true: light), drawn 4 pixels per module with a 4-module light border.
    static func scan(_ pixels: [[Bool]]) async throws -> String? {
        let scale = 4, border = 4
        let width = (pixels.map(\.count).max() ?? 0) + 2 * border
        let height = pixels.count + 2 * border
        var image = Array("P5\n\(width * scale) \(height * scale)\n255\n".utf8)
        for y in 0..<height {
            var row = [UInt8]()
            for x in 0..<width {
                let py = y - border, px = x - border
                let light = py < 0 || py >= pixels.count || px < 0 || px >= pixels[py].count || pixels[py][px]
                row += [UInt8](repeating: light ? 255 : 0, count: scale)
            }
            for _ in 0..<scale { image += row }
        }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("cashew-qr-\(UUID().uuidString).pgm").path
        FileManager.default.createFile(atPath: path, contents: Data(image))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let out = try await Interop.run(try #require(zbarimg), ["--raw", "-q", path])
        guard out.status == 0 else { return nil }
        return out.stdout.hasSuffix("\n") ? String(out.stdout.dropLast()) : out.stdout
    }

    /// Every drawing in `text` (drawings are separated by lines that are not blocks), read by zbarimg.
    static func scanAll(_ text: String) async throws -> [String] {
        var drawings = [[String]](), current = [String]()
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            if !line.isEmpty, line.allSatisfy({ "█▀▄ ".contains($0) }) { current.append(line) } else if !current.isEmpty {
                drawings.append(current)
                current = []
            }
        }
        if !current.isEmpty { drawings.append(current) }
        var texts = [String]()
        for drawing in drawings {
            if let text = try await scan(QRCode.pixels(fromTerminalText: drawing.joined(separator: "\n"))) { texts.append(text) }
        }
        return texts
    }

    @Test("a drawn code reads back as its text; a text too long for one code is refused")
    func roundTrip() async throws {
        for text in ["hello", "cashuBo2FteBtodHRwOi8vMTI3LjAuMC4xOjMzMzhhdWNzYXQ", String(repeating: "creqA", count: 120)] {
            #expect(try await Self.scanAll(try QRCode(text).terminalText()) == [text])
        }
        #expect(throws: QRCode.Failure.self) { _ = try QRCode(String(repeating: "x", count: QRCode.capacity + 1)) }
    }

    @Test("NUT-16 UR parts: reassembled in any order, a single part, a damaged part refused")
    func uniformResources() throws {
        let payload = (0..<1500).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        let parts = UniformResource.parts(payload, maxFragmentLength: 200)
        #expect(parts.count == 8 && parts.allSatisfy { $0.hasPrefix("ur:bytes/") } && parts[0].hasPrefix("ur:bytes/1-8/"))
        var decoder = UniformResource.Decoder()
        for (i, part) in parts.reversed().enumerated() { #expect(try decoder.receive(part.uppercased()) == (i == parts.count - 1)) }
        #expect(decoder.payload == payload)
        var single = UniformResource.Decoder()
        #expect(try single.receive(try #require(UniformResource.parts([1, 2, 3]).first)) && single.payload == [1, 2, 3])
        // The last byte of its checksum changed.
        try #require(parts.count > 2, "\(parts)")
        var damaged = parts[2]
        let last = String(damaged.suffix(2))
        damaged = String(damaged.dropLast(2))
        damaged += last == "ae" ? "ad" : "ae"
        #expect(damaged != parts[2])
        var other = UniformResource.Decoder()
        #expect(throws: UniformResource.Failure.self) { try other.receive(damaged) }
    }

    @Test("cashew send/request/mint --qr: what is drawn reads back as the token, request or invoice; a large token is an animated code whose frames give the token")
    func cli() async throws {
        try await CashewMintProcess.withScratch("cashew-qr") { mint, dir in
            func cashew(_ args: [String]) async throws -> Interop.Output { try await WalletCLITests.cashew(["--dir", dir, "--mint", mint.url] + args) }
            let minted = try await cashew(["mint", "100", "--qr"])
            #expect(minted.status == 0, "\(minted.stderr)")
            let invoice = try #require(minted.stdout.split(separator: "\n").first { $0.hasPrefix("ln") }.map(String.init))
            #expect(try await Self.scanAll(minted.stderr) == [invoice])

            let sent = try await cashew(["send", "5", "--qr"])
            let token = try #require(sent.stdout.split(separator: "\n").last.map(String.init))
            #expect(try await Self.scanAll(sent.stderr) == [token])

            let request = try await cashew(["request", "21", "--bech32", "--qr"])
            #expect(try await Self.scanAll(request.stderr) == [request.stdout.trimmingCharacters(in: .whitespacesAndNewlines)])

            // A token of many proofs and a long memo: more than one code holds comfortably.
            let big = try await cashew(["send", "63", "--qr", "--memo", String(repeating: "pizza for the whole street ", count: 20)])
            #expect(big.status == 0, "\(big.stderr)")
            let bigToken = try #require(big.stdout.split(separator: "\n").last.map(String.init))
            #expect(big.stderr.contains("Animated QR code (NUT-16)"))
            let frames = try await Self.scanAll(big.stderr)
            #expect(frames.count > 1 && frames.allSatisfy { $0.hasPrefix("UR:BYTES/") })
            var decoder = UniformResource.Decoder()
            for frame in frames { try decoder.receive(frame) }
            #expect(decoder.payload.map { String(decoding: $0, as: UTF8.self) } == bigToken)
            _ = try Token(decoding: bigToken)
        }
    }
}

/// Debian's zbar-tools, which the test command installs.
enum ZBar {
    static let path: String? = ["/usr/bin/zbarimg", "/usr/local/bin/zbarimg"].first { FileManager.default.isExecutableFile(atPath: $0) }
}
