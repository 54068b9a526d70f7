import Bolt11
import CashuCrypto
import CashuMint
import CashuProtocol

/// A payment backend as the auditor sees it (built from the mint's settings by `cashew-mint audit`): its
/// balance, and, when it can list them, its payments.
public struct AuditBackend: Sendable {
    public var name: String
    /// The units this backend serves for the mint.
    public var units: Set<CurrencyUnit>
    public var conversion: UnitConversion
    /// Settlements in flight may leave the balance this much short (the mint's `solvency_tolerance`).
    public var toleranceMsat: UInt64
    public var balanceMsat: @Sendable () async throws -> UInt64
    /// Nil when the backend cannot list its payments: reconciliation is skipped for it.
    public var payments: (@Sendable () async throws -> [BackendPayment])?

    public init(_ backend: any PaymentBackend, units: Set<CurrencyUnit>, toleranceMsat: UInt64) {
        self.name = backend.name
        self.units = units
        self.conversion = backend.conversion
        self.toleranceMsat = toleranceMsat
        self.balanceMsat = { try await backend.balanceMsat() }
        if let history = backend as? any PaymentHistory {
            self.payments = { try await history.payments() }
        } else {
            self.payments = nil
        }
    }
}

/// The quotes the reconciliation needs, gathered while the quote scans run (only when a backend is given).
struct QuoteBook: Sendable {
    /// PAID and ISSUED mint quotes, by payment hash.
    var mint = [String: MintQuoteRecord]()
    /// PENDING and PAID melt quotes, by payment hash (several quotes may name one invoice; one at most is PAID).
    var melt = [String: [MeltQuoteRecord]]()
    /// Quotes settled before the ledger's history began (imported): paid through another backend, not reconciled.
    var imported: UInt64 = 0
}

extension LedgerAuditor {
    /// Checks 5 and 6 (Specs/audit.md): each backend's payments against the quotes, and its balance against the
    /// liabilities of its units.
    func checkBackends(_ book: QuoteBook, liabilities: AuditReport, into t: inout AuditTally) async {
        if !options.backends.isEmpty { t.unverifiable[.reconciliation, default: 0] += book.imported }
        for problem in options.backendProblems {
            t.add(.reconciliation, .info, "backend", problem.name, "not checked: \(problem.reason)")
        }
        for backend in options.backends {
            await checkSolvency(backend, liabilities: liabilities, into: &t)
            guard let list = backend.payments else { continue }
            let payments: [BackendPayment]
            do {
                payments = try await list()
            } catch {
                t.add(.reconciliation, .error, "backend", backend.name, "the backend's payments could not be listed: \(error)")
                continue
            }
            reconcile(backend, payments: payments, book: book, into: &t)
        }
    }

    func checkSolvency(_ backend: AuditBackend, liabilities: AuditReport, into t: inout AuditTally) async {
        t.checked[.solvency, default: 0] += 1
        let balance: UInt64
        do {
            balance = try await backend.balanceMsat()
        } catch {
            t.add(.solvency, .error, "backend", backend.name, "the backend's balance could not be read: \(error)")
            return
        }
        let owed = liabilities.liabilitiesMsat(of: backend.units, conversion: backend.conversion).msat
        if UInt128(balance) + UInt128(backend.toleranceMsat) < owed {
            t.add(
                .solvency, .critical, "backend", backend.name,
                "the backend holds \(balance) msat, less than the \(owed) msat of e-cash outstanding and pending melts of \(backend.units.map(\.rawValue).sorted().joined(separator: ", "))",
                amount: (owed - UInt128(balance)) / 1000, direction: .usersLost)
        }
    }

    func reconcile(_ backend: AuditBackend, payments: [BackendPayment], book: QuoteBook, into t: inout AuditTally) {
        var incoming = [String: BackendPayment](), outgoing = [String: BackendPayment]()
        for p in payments {
            switch p.direction {
            case .incoming: if p.status == .succeeded || incoming[p.paymentHash.hex] == nil { incoming[p.paymentHash.hex] = p }
            case .outgoing: if p.status == .succeeded || outgoing[p.paymentHash.hex] == nil { outgoing[p.paymentHash.hex] = p }
            }
        }
        // Internal settlements: a melt paid by marking one of this mint's own quotes paid, with no payment at all.
        func internalMelt(_ hash: String) -> MeltQuoteRecord? {
            book.melt[hash]?.first { $0.state == .paid && $0.paymentPreimage == nil && ($0.feePaid ?? 0) == 0 && book.mint[hash] != nil }
        }
        for (hash, quote) in book.mint.sorted(by: { $0.key < $1.key }) where backend.units.contains(quote.unit) {
            t.checked[.reconciliation, default: 0] += 1
            if internalMelt(hash) != nil { continue }
            let due = (try? Invoice(parsing: quote.request))?.amountMsat ?? (try? backend.conversion.msat(quote.amount, quote.unit)) ?? 0
            guard let payment = incoming[hash], payment.status == .succeeded else {
                t.add(
                    .reconciliation, .critical, "mint_quotes", quote.id,
                    "quote is \(quote.state.rawValue) but the backend has no settled incoming payment for it", amount: UInt128(quote.amount.rawValue),
                    direction: .mintLost)
                continue
            }
            if payment.amountMsat < due {
                t.add(.reconciliation, .critical, "mint_quotes", quote.id, "the backend received \(payment.amountMsat) msat for an invoice of \(due) msat", direction: .mintLost)
            }
        }
        for (hash, quotes) in book.melt.sorted(by: { $0.key < $1.key }) {
            for quote in quotes where quote.state == .paid && backend.units.contains(quote.unit) {
                t.checked[.reconciliation, default: 0] += 1
                if quote.paymentPreimage == nil, (quote.feePaid ?? 0) == 0, outgoing[hash] == nil {
                    if book.mint[hash] == nil {
                        t.add(.reconciliation, .error, "melt_quotes", quote.id, "settled internally, but this mint has no quote for the invoice")
                    }
                    continue
                }
                guard let payment = outgoing[hash], payment.status == .succeeded else {
                    t.add(
                        .reconciliation, .critical, "melt_quotes", quote.id, "melt is PAID but the backend has no succeeded outgoing payment for it",
                        amount: UInt128(quote.amount.rawValue), direction: .usersLost)
                    continue
                }
                if let fee = try? backend.conversion.amount(msat: payment.feeMsat, quote.unit), min(fee, quote.feeReserve) != (quote.feePaid ?? 0) {
                    t.add(.reconciliation, .error, "melt_quotes", quote.id, "recorded fee \((quote.feePaid ?? 0).rawValue), the backend charged \(payment.feeMsat) msat")
                }
            }
        }
        for (hash, payment) in outgoing.sorted(by: { $0.key < $1.key }) where payment.status != .failed {
            t.checked[.reconciliation, default: 0] += 1
            if book.melt[hash]?.isEmpty == false { continue }
            t.add(
                .reconciliation, .critical, "backend", hash,
                "the backend paid \(payment.amountMsat) msat (+\(payment.feeMsat) fee) for an invoice no melt of this mint asked for", direction: .mintLost)
        }
    }
}
