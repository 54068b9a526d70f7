import CQRencode

/// A QR code symbol (ISO/IEC 18004) made by libqrencode: a square of dark and light modules.
public struct QRCode: Sendable, Hashable {
    /// Modules per side.
    public let size: Int
    /// Row-major, `true` for a dark module.
    public let modules: [Bool]

    /// Why a text could not become one QR code.
    public struct Failure: Error, Sendable, Hashable, CustomStringConvertible {
        public let description: String
    }

    /// Bytes one code holds at error-correction level L (version 40, byte mode).
    public static let capacity = 2953

    /// `text` as one QR code: byte mode, error correction L (the densest: a screen is not a sticker), the smallest
    /// version that holds it. Throws when it does not fit.
    public init(_ text: String) throws {
        guard text.utf8.count <= Self.capacity else {
            throw Failure(description: "\(text.utf8.count) bytes do not fit one QR code (at most \(Self.capacity))")
        }
        let bytes = Array(text.utf8)
        guard let code = bytes.withUnsafeBufferPointer({ QRcode_encodeData(Int32($0.count), $0.baseAddress, 0, QR_ECLEVEL_L) }) else {
            throw Failure(description: "libqrencode could not encode \(bytes.count) bytes")
        }
        defer { QRcode_free(code) }
        let width = Int(code.pointee.width)
        size = width
        // Bit 0 of each byte is the module's colour (1: dark); the other bits are libqrencode's bookkeeping.
        modules = (0..<(width * width)).map { code.pointee.data[$0] & 1 == 1 }
    }

    /// Whether the module at (`x`, `y`) is dark; outside the symbol (the quiet zone) is light.
    public func isDark(x: Int, y: Int) -> Bool {
        guard x >= 0, y >= 0, x < size, y < size else { return false }
        return modules[y * size + x]
    }

    /// The code drawn with Unicode half blocks, two rows of modules per line, with a quiet zone of `margin`
    /// modules. Light modules are drawn (blocks), dark ones left blank: on a terminal's dark background that shows
    /// dark modules on light, as scanners expect.
    public func terminalText(margin: Int = 2) -> String {
        var lines = [String]()
        var y = -margin
        while y < size + margin {
            var line = ""
            for x in -margin..<(size + margin) {
                switch (!isDark(x: x, y: y), !isDark(x: x, y: y + 1)) {
                case (true, true): line += "█"
                case (true, false): line += "▀"
                case (false, true): line += "▄"
                case (false, false): line += " "
                }
            }
            lines.append(line)
            y += 2
        }
        return lines.joined(separator: "\n")
    }

    /// Reads back what `terminalText` drew: light (`true`) and dark pixels, one per module, quiet zone included.
    /// Lines that are not part of a drawing are skipped.
    public static func pixels(fromTerminalText text: String) -> [[Bool]] {
        var rows = [[Bool]]()
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let chars = Array(line)
            guard !chars.isEmpty, chars.allSatisfy({ "█▀▄ ".contains($0) }), chars.contains(where: { $0 != " " }) else { continue }
            rows.append(chars.map { $0 == "█" || $0 == "▀" })
            rows.append(chars.map { $0 == "█" || $0 == "▄" })
        }
        return rows
    }
}
