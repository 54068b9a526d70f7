#if canImport(Glibc)
import Glibc
#endif

/// Files that hold a secret someone's money depends on (a mint's seed, a wallet's seed phrase): created once, by
/// one process, mode 0600 from the first byte, complete or not at all, and on disk before anyone is told.
public enum SecretFile {
    /// What `create` did.
    public enum Outcome: Equatable, Sendable {
        /// This call created the file with the contents.
        case created
        /// The file already existed (perhaps created a moment ago by another process): it was left as it was.
        case exists
        /// Creating it failed with this `errno`; nothing was left behind.
        case failed(Int32)
    }

    /// Creates `path` with `contents` unless it exists. The contents go to a private temporary file first (mode
    /// 0600, synced), which is then linked to `path` — `link` fails if `path` exists, so a concurrent reader never
    /// sees a partly written file and two processes racing never both win — and the directory is synced so that
    /// the new name survives a crash.
    public static func create(_ path: String, contents: String) -> Outcome {
        let temporary = path + ".tmp-\(getpid())-\(UInt64.random(in: 0...UInt64.max))"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard fd >= 0 else { return .failed(errno) }
        let bytes = Array(contents.utf8)
        var written = 0
        while written < bytes.count {
            let n = bytes[written...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            guard n > 0 else { break }
            written += n
        }
        let synced = written == bytes.count && fsync(fd) == 0
        let writeError = errno
        close(fd)
        defer { unlink(temporary) }
        guard synced else { return .failed(writeError) }
        guard link(temporary, path) == 0 else { return errno == EEXIST ? .exists : .failed(errno) }
        syncDirectory(of: path)
        return .created
    }

    /// Reads a secret file (nil if it does not exist).
    public static func read(_ path: String) throws -> String? {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else {
            if errno == ENOENT { return nil }
            throw ReadError(errno: errno)
        }
        defer { close(fd) }
        var bytes = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 { throw ReadError(errno: errno) }
            if n == 0 { break }
            bytes += buffer[0..<n]
            if bytes.count > 1 << 20 { throw ReadError(errno: EFBIG) }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// A secret file could not be read.
    public struct ReadError: Error, CustomStringConvertible {
        public let errno: Int32
        public var description: String { String(cString: strerror(errno)) }
    }

    /// Syncs the directory holding `path`, so that a name just linked into it is durable.
    static func syncDirectory(of path: String) {
        let directory = path.contains("/") ? String(path[..<path.lastIndex(of: "/")!]) : "."
        let fd = open(directory.isEmpty ? "/" : directory, O_RDONLY | O_DIRECTORY)
        guard fd >= 0 else { return }
        fsync(fd)
        close(fd)
    }
}
