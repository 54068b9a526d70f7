import CashuCrypto
import CashuProtocol
import Foundation

/// What the operator may change while the mint runs (the management API). Settings go to the ledger
/// (`LiveSettings`), so every process applies them; quote states change only along the ledger's own rules.
extension Mint {
    /// Re-reads the setting overrides from the ledger (another process may have changed them).
    public func reloadSettings() async throws {
        if try await ledger({ try await live.reload(from: store) }) {
            logger.notice("settings changed through the management API", metadata: ["overridden": "\(live.overrides.overrides.overriddenKeys.joined(separator: ","))"])
        }
    }

    /// Changes the setting overrides: `change` gets the stored overrides and the settings they give, and the result
    /// must pass `validate(_:)`. Saved in the ledger, in force here at once and in other processes within seconds.
    public func updateSettings(_ change: (inout SettingsOverrides, MintSettings) throws -> Void) async throws {
        let base = live.base
        try await ledger {
            try await live.update(in: store, now: clock.now(), validate: Self.validate) { overrides in
                try change(&overrides, overrides.applied(to: base))
            }
        }
    }

    /// The limits a setting changed at run time must keep (the same as the configuration's).
    public static func validate(_ s: MintSettings) throws {
        func bad(_ message: String) -> OperatorError { OperatorError(.invalidArgument, message) }
        guard (1...31_536_000).contains(s.mintQuoteExpiry), (1...31_536_000).contains(s.meltQuoteExpiry) else {
            throw bad("quote TTLs must be between 1 and 31536000 seconds")
        }
        guard s.feeReserve.percent.isFinite, (0...100).contains(s.feeReserve.percent) else { throw bad("fee_percent must be between 0 and 100") }
        for (unit, _) in s.mintMethods {
            let m = s.mint(unit)
            guard m.min >= 1, m.min <= m.max else { throw bad("NUT-04 \(unit): min_amount must be at least 1 and at most max_amount") }
        }
        for (unit, _) in s.meltMethods {
            let m = s.melt(unit)
            guard m.min >= 1, m.min <= m.max else { throw bad("NUT-05 \(unit): min_amount must be at least 1 and at most max_amount") }
        }
        for (unit, policy) in s.unitKeysets {
            guard policy.inputFeePPK <= MintSettings.maxInputFeePPK else { throw bad("\(unit): input_fee_ppk must be at most \(MintSettings.maxInputFeePPK)") }
            guard (1...64).contains(policy.denominations) else { throw bad("\(unit): max_order must be between 1 and 64") }
        }
        let i = s.info
        for text in [i.name, i.description, i.motd, i.iconURL].compactMap({ $0 }) where text.utf8.count > 4096 {
            throw bad("a name, description, motd or icon URL may be at most 4096 bytes")
        }
        guard (i.descriptionLong?.utf8.count ?? 0) <= 65_536 else { throw bad("the long description may be at most 65536 bytes") }
        guard i.urls.count <= 64, i.contact.count <= 64 else { throw bad("at most 64 URLs and 64 contacts") }
        for url in i.urls + [i.iconURL].compactMap({ $0 }) where !Self.isHTTPURL(url) {
            throw bad("not an http(s) URL: \(url.prefix(80))")
        }
        for c in i.contact where c.method.isEmpty || c.method.utf8.count > 256 || c.info.utf8.count > 4096 {
            throw bad("a contact needs a method (at most 256 bytes) and info (at most 4096 bytes)")
        }
    }

    static func isHTTPURL(_ text: String) -> Bool {
        guard text.utf8.count <= 2048, let url = URL(string: text), let scheme = url.scheme?.lowercased(), let host = url.host, !host.isEmpty else { return false }
        return scheme == "http" || scheme == "https"
    }

    /// Sets a mint quote's state as the operator asks, along the ledger's rules: UNPAID → PAID (a payment the
    /// backend did not report) and PAID → UNPAID (undoing that) only. ISSUED is reached only by issuing e-cash
    /// and never left, so that nothing is issued twice.
    public func setMintQuoteState(id: String, to state: MintQuoteState) async throws {
        guard let quote = try await ledger({ try await store.mintQuote(id: id) }) else { throw OperatorError(.notFound, "mint quote \(id.prefix(64)) not found") }
        guard quote.state != state else { return }
        let changed: Bool
        switch (quote.state, state) {
        case (.unpaid, .paid): changed = try await ledger { try await store.markMintQuotePaid(id: id, at: clock.now()) }
        case (.paid, .unpaid): changed = try await ledger { try await store.markMintQuoteUnpaid(id: id) }
        case (.issued, _):
            throw OperatorError(.refused, "mint quote \(id.prefix(64)) is ISSUED: its e-cash exists, and changing its state would let it be issued again")
        case (_, .issued):
            throw OperatorError(.refused, "a mint quote becomes ISSUED only by issuing its e-cash (POST /v1/mint/bolt11)")
        default:
            throw OperatorError(.refused, "mint quote \(id.prefix(64)) cannot go from \(quote.state.rawValue) to \(state.rawValue)")
        }
        guard changed else { throw OperatorError(.refused, "mint quote \(id.prefix(64)) changed meanwhile; read it again") }
        if state == .paid { MintMetrics.mintQuote(quote.unit, "paid") }
        logger.notice("mint quote state set by the operator", metadata: ["quote": "\(Redacted(id))", "from": "\(quote.state.rawValue)", "to": "\(state.rawValue)"])
    }

    /// Sets a melt quote's state as the operator asks, along the ledger's rules. Only PENDING → PAID is allowed: the
    /// operator knows the payment went out. The backend is asked first: a payment it reports failed is refused (the
    /// maintenance pass releases those inputs), one it reports paid settles with its real fee, and otherwise the
    /// melt settles with the whole fee reserve kept (no change above the reserve is lost). Releasing a pending melt's
    /// inputs (→ UNPAID) is refused: if the payment went out after all, they would be spent twice.
    public func setMeltQuoteState(id: String, to state: MeltQuoteState) async throws {
        guard let quote = try await ledger({ try await store.meltQuote(id: id) }) else { throw OperatorError(.notFound, "melt quote \(id.prefix(64)) not found") }
        guard quote.state != state else { return }
        switch (quote.state, state) {
        case (.pending, .paid):
            break
        case (.pending, .unpaid):
            throw OperatorError(.refused, """
                melt quote \(id.prefix(64)) is PENDING: releasing its inputs could spend them twice if the payment went out. \
                The mint releases them itself once the Lightning backend reports the payment failed.
                """)
        case (.paid, _):
            throw OperatorError(.refused, "melt quote \(id.prefix(64)) is PAID: its inputs are spent, and changing its state would release them")
        default:
            throw OperatorError(.refused, "melt quote \(id.prefix(64)) cannot go from \(quote.state.rawValue) to \(state.rawValue): it holds no inputs")
        }
        if let own = try await ledger({ try await store.mintQuote(paymentHash: quote.paymentHash) }) {
            // Paying one of this mint's own invoices: settled in the ledger, never on Lightning.
            try await settleInternally(quote, mintQuote: own)
        } else {
            let backend = backend(for: quote.unit)
            let status = try? await backend.paymentStatus(quote.paymentHash)
            switch status {
            case .failed?:
                throw OperatorError(.refused, "the Lightning backend reports melt quote \(id.prefix(64))'s payment failed; the mint will release its inputs")
            case .paid?:
                try await settle(quote, status!, attempt: quote.paymentAttemptAt)
            default:
                let reserveMsat = (try? backend.conversion.msat(quote.feeReserve, quote.unit)) ?? UInt64.max
                try await settle(quote, .paid(feeMsat: reserveMsat, preimage: nil), attempt: quote.paymentAttemptAt)
            }
        }
        guard try await ledger({ try await store.meltQuote(id: id) })?.state == .paid else {
            throw OperatorError(.refused, "melt quote \(id.prefix(64)) could not be settled; read it again")
        }
        logger.notice("melt quote marked PAID by the operator", metadata: ["quote": "\(Redacted(id))"])
    }

    /// Rotates `unit` to a new keyset with the given input fee and `maxOrder` denominations (the unit's current
    /// ones where nil), which then also apply after a restart (they are kept with the settings overrides).
    @discardableResult
    public func rotateKeyset(unit: CurrencyUnit, inputFeePPK: UInt64?, maxOrder: Int?, finalExpiry: UInt64?) async throws -> KeysetRecord {
        guard settings.units.contains(unit) else {
            throw OperatorError(.invalidArgument, "unit \(unit.rawValue.prefix(20)) is not served (units: \(settings.units.map(\.rawValue).joined(separator: ",")))")
        }
        if let finalExpiry, finalExpiry <= clock.now() { throw OperatorError(.invalidArgument, "final_expiry is in the past") }
        let record = try await ledger { try await keysetLedger.rotateKeepingPolicy(unit: unit, inputFeePPK: inputFeePPK, denominations: maxOrder, finalExpiry: finalExpiry) }
        logger.notice("keyset rotated by the operator", metadata: ["unit": "\(unit)", "keyset": "\(record.id)", "fee_ppk": "\(record.inputFeePPK)"])
        return record
    }
}
