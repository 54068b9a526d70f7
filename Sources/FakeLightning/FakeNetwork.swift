import CashuMint
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Fake nodes on one machine that pay each other, so that multi-path payments (NUT-15) can be tried end to end:
/// two mints each pay part of an invoice a third node issued.
///
/// The nodes share a directory. Its `network.json`, read and written under an exclusive `flock` on `network.lock`
/// (across processes, and across threads of one), holds the invoices the nodes issued, with their preimages, and the
/// parts (HTLCs) sent for each payment hash. As a receiving node does, the network holds a payment's parts until
/// they add up to the invoice's amount, then settles all of them at once; when they do not within `mppTimeout` of
/// the first part held, it fails every held part (the payers' money never moved). A part for an invoice already
/// settled fails. A hash no node on the network issued is settled the moment its parts add up, with no preimage.
struct FakeNetwork: Sendable {
    let directory: URL
    let mppTimeout: Double

    enum PartState: String, Codable, Sendable {
        case held, settled, failed
    }

    struct Issued: Codable {
        var node: String
        var amountMsat: UInt64
        var preimage: String
        var created: Double
        var settledAt: Double?
    }

    struct Part: Codable {
        var node: String
        var amountMsat: UInt64
        var sentAt: Double
        var state: PartState
    }

    struct PaymentSet: Codable {
        var totalMsat: UInt64
        var parts: [Part]
    }

    struct Registry: Codable {
        var invoices: [String: Issued] = [:]
        var payments: [String: PaymentSet] = [:]
    }

    init(directory: URL, mppTimeout: Double) {
        self.directory = directory
        self.mppTimeout = mppTimeout
    }

    /// Records an invoice a node issued.
    func issue(hash: String, node: String, amountMsat: UInt64, preimage: String, now: Double) throws {
        try update { r in r.invoices[hash] = Issued(node: node, amountMsat: amountMsat, preimage: preimage, created: now) }
    }

    /// Sends a part of `totalMsat` (the invoice's amount) from `node`; returns the part's state right after.
    func send(hash: String, node: String, amountMsat: UInt64, totalMsat: UInt64, now: Double) throws -> PartState {
        try update { r in
            var set = r.payments[hash] ?? PaymentSet(totalMsat: totalMsat, parts: [])
            set.parts.append(Part(node: node, amountMsat: amountMsat, sentAt: now, state: .held))
            r.payments[hash] = set
            resolve(&r, hash, now: now)
            return r.payments[hash]?.parts.last?.state ?? .failed
        }
    }

    /// The state of `node`'s latest part for `hash` (nil: it sent none), with the preimage once settled.
    func state(hash: String, node: String, now: Double) throws -> (state: PartState, preimage: String?)? {
        try update { r in
            resolve(&r, hash, now: now)
            guard let part = r.payments[hash]?.parts.last(where: { $0.node == node }) else { return nil }
            return (part.state, part.state == .settled ? r.invoices[hash]?.preimage : nil)
        }
    }

    /// Marks an invoice paid by a payer outside the network (the node's own `incomingDelay`): parts sent for it
    /// afterwards fail, as a paid invoice's would.
    func settleOutside(hash: String, now: Double) throws {
        try update { r in
            if r.invoices[hash] != nil, r.invoices[hash]?.settledAt == nil { r.invoices[hash]?.settledAt = now }
        }
    }

    /// The hashes of `node`'s invoices that the network settled.
    func settledInvoices(node: String) throws -> [String] {
        try update { r in r.invoices.filter { $0.value.node == node && $0.value.settledAt != nil }.map(\.key) }
    }

    /// Settles or fails the held parts of `hash` as a receiving node would.
    private func resolve(_ r: inout Registry, _ hash: String, now: Double) {
        guard var set = r.payments[hash] else { return }
        let held = set.parts.indices.filter { set.parts[$0].state == .held }
        guard !held.isEmpty else { return }
        let total = r.invoices[hash]?.amountMsat ?? set.totalMsat
        let sum = held.reduce(UInt64(0)) { $0 &+ set.parts[$1].amountMsat }
        let outcome: PartState?
        if r.invoices[hash]?.settledAt != nil {
            outcome = .failed
        } else if sum >= total {
            outcome = .settled
            r.invoices[hash]?.settledAt = now
        } else if let first = held.map({ set.parts[$0].sentAt }).min(), now >= first + mppTimeout {
            outcome = .failed
        } else {
            outcome = nil
        }
        guard let outcome else { return }
        for i in held { set.parts[i].state = outcome }
        r.payments[hash] = set
    }

    /// Reads the registry, lets `body` change it, writes it back (renamed over the old file), all under the lock.
    private func update<T>(_ body: (inout Registry) throws -> T) throws -> T {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let fd = open(directory.appendingPathComponent("network.lock").path, O_CREAT | O_RDWR, 0o644)
        guard fd >= 0 else { throw PaymentBackendError("cannot open the fake network's lock in \(directory.path)") }
        defer { close(fd) }
        guard flock(fd, LOCK_EX) == 0 else { throw PaymentBackendError("cannot lock the fake network in \(directory.path)") }
        defer { flock(fd, LOCK_UN) }
        let file = directory.appendingPathComponent("network.json")
        var registry = (try? Data(contentsOf: file)).flatMap { try? JSONDecoder().decode(Registry.self, from: $0) } ?? Registry()
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let before = try encoder.encode(registry)
        let result = try body(&registry)
        let after = try encoder.encode(registry)
        if after != before { try after.write(to: file, options: .atomic) }
        return result
    }
}

