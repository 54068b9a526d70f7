import CashewQR
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Draws a token, request or invoice as QR code(s) on standard error (standard output keeps the text, for scripts).
///
/// Text up to `staticLimit` bytes is one code. Longer text is a NUT-16 animated code: UR parts (`ur:bytes/N-M/…`),
/// each drawn in turn, cycling until a key is pressed when standard error and standard input are a terminal;
/// otherwise every part is drawn once, one after another.
enum QRTerminal {
    static let staticLimit = 700
    static let fragmentLength = 200

    static func show(_ text: String) throws {
        if text.utf8.count <= staticLimit {
            write(try QRCode(text).terminalText() + "\n")
            return
        }
        let frames = try UniformResource.parts(Array(text.utf8), maxFragmentLength: fragmentLength).map { try QRCode($0.uppercased()).terminalText() }
        guard isatty(2) == 1, isatty(0) == 1 else {
            write("Animated QR code (NUT-16): \(frames.count) parts\n")
            for frame in frames { write(frame + "\n\n") }
            return
        }
        animate(frames)
    }

    static func write(_ s: String) { FileHandle.standardError.write(Data(s.utf8)) }

    /// Cycles the frames in place until a key is pressed (the terminal is put in non-canonical mode meanwhile).
    static func animate(_ frames: [String]) {
        var saved = termios()
        tcgetattr(0, &saved)
        var raw = saved
        raw.c_lflag &= ~tcflag_t(ICANON | ECHO)
        tcsetattr(0, TCSANOW, &raw)
        defer { tcsetattr(0, TCSANOW, &saved) }
        write("Animated QR code (NUT-16), \(frames.count) parts: press any key to stop.\n")
        let height = frames.map { $0.split(separator: "\n", omittingEmptySubsequences: false).count }.max() ?? 0
        var i = 0
        while true {
            if i > 0 { write("\u{1B}[\(height)A") }
            write(frames[i % frames.count] + "\n")
            i += 1
            var fds = pollfd(fd: 0, events: Int16(POLLIN), revents: 0)
            if poll(&fds, 1, 400) > 0 {
                var byte: UInt8 = 0
                _ = read(0, &byte, 1)
                return
            }
        }
    }
}
