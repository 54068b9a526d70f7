import CashuCrypto
import CashuProtocol
import Logging
import Synchronization

/// What the last solvency check found: each backend's balance against the e-cash of the units it serves.
public struct SolvencyCheck: Sendable, Hashable {
    /// One backend's part.
    public struct Backend: Sendable, Hashable {
        public var name: String
        /// What it holds, in msat.
        public var balanceMsat: UInt64
        /// Outstanding e-cash plus the inputs of pending melts of its units, converted to msat (saturating).
        public var liabilitiesMsat: UInt64
        public var solvent: Bool
    }

    /// What the payment backends hold together, in msat (saturating).
    public var balanceMsat: UInt64
    /// Outstanding e-cash plus the inputs of pending melts, all units converted to msat (saturating).
    public var liabilitiesMsat: UInt64
    /// Outstanding plus pending, per unit.
    public var owed: [CurrencyUnit: UInt128]
    /// Per backend.
    public var backends: [Backend]
    /// Whether every backend's balance (with the tolerance) covers the liabilities of its units.
    public var solvent: Bool
}

/// The watchdog's verdict, shared by the requests of one process: while it is not solvent, minting is paused.
public final class SolvencyState: Sendable {
    let state = Mutex<SolvencyCheck?>(nil)

    public init() {}

    /// The last check (nil before the first).
    public var last: SolvencyCheck? { state.withLock { $0 } }

    /// Why minting is paused, or nil.
    var pausedReason: String? {
        state.withLock { check in
            guard let check, let short = check.backends.first(where: { !$0.solvent }) else { return nil }
            return "the Lightning backend (\(short.name)) holds \(short.balanceMsat / 1000) sat, less than the \(short.liabilitiesMsat / 1000) sat of e-cash outstanding"
        }
    }

    func record(_ check: SolvencyCheck) { state.withLock { $0 = check } }
}

extension Mint {
    /// Compares the backend's balance with the e-cash outstanding plus pending melts, per the ledger, and records
    /// the verdict: while the balance (plus `solvencyToleranceMsat`) is short, new mint quotes are refused (20003);
    /// swaps and melts go on. Returns the check.
    @discardableResult
    public func checkSolvency() async throws -> SolvencyCheck {
        let totals = try await ledger { try await store.ledgerTotals() }
        let report = AuditReport(totals: totals, keysets: try await ledger { try await store.keysets() }, generatedAt: clock.now())
        var owed = [CurrencyUnit: UInt128]()
        var parts = [SolvencyCheck.Backend]()
        for (position, backend) in backends.all.enumerated() {
            let balance = try await backend.balanceMsat()
            // Each unit counts against the backend that serves it; units no backend takes (keysets of a unit no longer
            // offered) are not backed by any.
            let served = Set(report.units.map { CurrencyUnit($0.unit) }.filter { backends.units(of: position, among: [$0]) == [$0] && backend.units.contains($0) })
            let measured = report.liabilitiesMsat(of: served, conversion: backend.conversion)
            owed.merge(measured.owed) { _, new in new }
            let liabilities = UInt64(clamping: measured.msat)
            let (covered, overflow) = balance.addingReportingOverflow(settings.solvencyToleranceMsat)
            parts.append(.init(name: backend.name, balanceMsat: balance, liabilitiesMsat: liabilities, solvent: overflow || covered >= liabilities))
        }
        let saturatingSum = { (values: [UInt64]) in values.reduce(UInt64(0)) { a, b in let (s, o) = a.addingReportingOverflow(b); return o ? .max : s } }
        let check = SolvencyCheck(
            balanceMsat: saturatingSum(parts.map(\.balanceMsat)), liabilitiesMsat: saturatingSum(parts.map(\.liabilitiesMsat)), owed: owed,
            backends: parts, solvent: parts.allSatisfy(\.solvent))
        let wasSolvent = solvency.last?.solvent ?? true
        solvency.record(check)
        let detail: Logger.Metadata = [
            "backends": "\(parts.map { "\($0.name): \($0.balanceMsat) msat held, \($0.liabilitiesMsat) msat owed" }.joined(separator: "; "))",
        ]
        if wasSolvent && !check.solvent {
            logger.critical("minting paused: the Lightning backend holds less than the e-cash outstanding", metadata: detail)
        } else if !wasSolvent && check.solvent {
            logger.notice("minting resumed: the Lightning backend covers the e-cash outstanding again", metadata: detail)
        }
        return check
    }

    /// Refuses a mint quote while minting is paused, or when it would take the unit's outstanding e-cash above
    /// `maxBalance` (nutshell's `mint_max_balance`, per unit here).
    func checkIssuance(amount: Amount, unit: CurrencyUnit) async throws {
        if let reason = solvency.pausedReason {
            throw CashuError(.mintingDisabled, "minting is paused: \(reason)")
        }
        guard let cap = settings.maxBalance[unit] else { return }
        let owed = try await issuance.outstanding(unit: unit) { try await outstandingByUnit() }
        guard owed + UInt128(amount.rawValue) <= UInt128(cap.rawValue) else {
            throw CashuError(.notAllowed, "Mint has reached maximum balance.")
        }
    }

    /// Issued minus redeemed and pending, per unit, from the ledger's sums.
    func outstandingByUnit() async throws -> [CurrencyUnit: UInt128] {
        let totals = try await ledger { try await store.ledgerTotals() }
        var owed = [CurrencyUnit: UInt128]()
        for record in try await ledger({ try await store.keysets() }) {
            let t = totals.keysets[record.id] ?? AuditTotals.Keyset()
            let spent = t.redeemed + t.pending
            owed[record.unit, default: 0] += spent > t.issued ? 0 : t.issued - spent
        }
        return owed
    }
}

/// The outstanding e-cash per unit that `max_balance` checks against, from the ledger's running totals: read at most
/// every `maxAge` however many quotes arrive, one request refreshing them while the others use the last sums (a
/// cap that may lag by seconds, never a query per request).
public final class IssuanceTotals: Sendable {
    struct Cached {
        var owed: [CurrencyUnit: UInt128]
        var at: ContinuousClock.Instant
    }

    let state = Mutex<(cached: Cached?, refreshing: Bool)>((nil, false))
    let maxAge: Duration

    public init(maxAge: Duration = .seconds(2)) { self.maxAge = maxAge }

    func outstanding(unit: CurrencyUnit, read: () async throws -> [CurrencyUnit: UInt128]) async throws -> UInt128 {
        let now = ContinuousClock.now
        let (cached, refresh) = state.withLock { s -> (Cached?, Bool) in
            if let c = s.cached, now - c.at < maxAge { return (c, false) }
            if s.cached != nil && s.refreshing { return (s.cached, false) }
            s.refreshing = true
            return (s.cached, true)
        }
        guard refresh else { return cached?.owed[unit] ?? 0 }
        do {
            let owed = try await read()
            state.withLock { $0 = (Cached(owed: owed, at: .now), false) }
            return owed[unit] ?? 0
        } catch {
            state.withLock { $0.refreshing = false }
            throw error
        }
    }
}
