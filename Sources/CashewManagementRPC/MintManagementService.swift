import CashuCrypto
import CashuMint
import CashuProtocol
import GRPCCore
import Logging

/// nutshell's management protocol (`cashu.Mint`, Protos/management.proto) over a running mint. Settings changes go
/// to the ledger (`Mint.updateSettings`), so every process on it applies them; quote states change only along the
/// ledger's rules (`Mint.setMintQuoteState`, `Mint.setMeltQuoteState`).
struct MintManagementService: Cashu_Mint.SimpleServiceProtocol {
    let mint: Mint
    /// `Implementation/x.y.z`, as `/v1/info` gives it.
    let version: String

    // MARK: Info

    func getInfo(request: Cashu_GetInfoRequest, context: ServerContext) async throws -> Cashu_GetInfoResponse {
        let info = mint.info(version: version)
        var r = Cashu_GetInfoResponse()
        if let v = info.name { r.name = v }
        if let v = info.pubkey { r.pubkey = v.hex }
        if let v = info.version { r.version = v }
        if let v = info.description { r.description_p = v }
        if let v = info.descriptionLong { r.longDescription = v }
        r.contact = (info.contact ?? []).map { c in
            var contact = Cashu_InfoContact()
            contact.method = c.method
            contact.info = c.info
            return contact
        }
        if let v = info.motd { r.motd = v }
        if let v = info.iconURL { r.iconURL = v }
        r.urls = info.urls ?? []
        if let v = info.time { r.time = Int64(clamping: v) }
        if let v = info.tosURL { r.tosURL = v }
        return r
    }

    func updateMotd(request: Cashu_UpdateMotdRequest, context: ServerContext) async throws -> Cashu_UpdateResponse {
        try await update { o, _ in o.motd = request.motd }
    }

    func updateShortDescription(request: Cashu_UpdateDescriptionRequest, context: ServerContext) async throws -> Cashu_UpdateResponse {
        try await update { o, _ in o.description = request.description_p }
    }

    func updateLongDescription(request: Cashu_UpdateDescriptionRequest, context: ServerContext) async throws -> Cashu_UpdateResponse {
        try await update { o, _ in o.descriptionLong = request.description_p }
    }

    func updateIconUrl(request: Cashu_UpdateIconUrlRequest, context: ServerContext) async throws -> Cashu_UpdateResponse {
        try await update { o, _ in o.iconURL = request.iconURL }
    }

    func updateName(request: Cashu_UpdateNameRequest, context: ServerContext) async throws -> Cashu_UpdateResponse {
        try await update { o, _ in o.name = request.name }
    }

    func addUrl(request: Cashu_UpdateUrlRequest, context: ServerContext) async throws -> Cashu_UpdateResponse {
        try await update { o, current in
            guard !current.info.urls.contains(request.url) else { throw OperatorError(.alreadyExists, "URL already listed: \(request.url.prefix(80))") }
            o.urls = current.info.urls + [request.url]
        }
    }

    func removeUrl(request: Cashu_UpdateUrlRequest, context: ServerContext) async throws -> Cashu_UpdateResponse {
        try await update { o, current in
            guard current.info.urls.contains(request.url) else { throw OperatorError(.notFound, "no such URL: \(request.url.prefix(80))") }
            o.urls = current.info.urls.filter { $0 != request.url }
        }
    }

    func addContact(request: Cashu_UpdateContactRequest, context: ServerContext) async throws -> Cashu_UpdateResponse {
        try await update { o, current in
            guard !current.info.contact.contains(where: { $0.method == request.method }) else {
                throw OperatorError(.alreadyExists, "contact method \(request.method.prefix(40)) already set; remove it first")
            }
            o.contact = current.info.contact + [MintInfo.Contact(method: request.method, info: request.info)]
        }
    }

    func removeContact(request: Cashu_UpdateContactRequest, context: ServerContext) async throws -> Cashu_UpdateResponse {
        try await update { o, current in
            guard current.info.contact.contains(where: { $0.method == request.method }) else {
                throw OperatorError(.notFound, "no contact method \(request.method.prefix(40))")
            }
            o.contact = current.info.contact.filter { $0.method != request.method }
        }
    }

    // MARK: NUT-04 / NUT-05 settings

    func updateNut04(request: Cashu_UpdateNut04Request, context: ServerContext) async throws -> Cashu_UpdateResponse {
        let change = SettingsOverrides.MethodOverride(
            disabled: request.hasDisabled ? request.disabled : nil, minAmount: request.hasMinAmount ? request.minAmount : nil,
            maxAmount: request.hasMaxAmount ? request.maxAmount : nil, option: request.hasOptions ? request.options.description_p : nil)
        return try await updateMethod(\.mintMethods, key: try methodKey(unit: request.unit, method: request.method), change)
    }

    func updateNut05(request: Cashu_UpdateNut05Request, context: ServerContext) async throws -> Cashu_UpdateResponse {
        let change = SettingsOverrides.MethodOverride(
            disabled: request.hasDisabled ? request.disabled : nil, minAmount: request.hasMinAmount ? request.minAmount : nil,
            maxAmount: request.hasMaxAmount ? request.maxAmount : nil, option: request.hasOptions ? request.options.amountless : nil)
        return try await updateMethod(\.meltMethods, key: try methodKey(unit: request.unit, method: request.method), change)
    }

    /// Merges the fields `change` sets into the method's overrides (NUT-04 or NUT-05, by `methods`).
    func updateMethod(
        _ methods: WritableKeyPath<SettingsOverrides, [String: SettingsOverrides.MethodOverride]?> & Sendable, key: String,
        _ change: SettingsOverrides.MethodOverride
    ) async throws -> Cashu_UpdateResponse {
        try await update { o, _ in
            var all = o[keyPath: methods] ?? [:]
            var m = all[key] ?? .init()
            if let v = change.disabled { m.disabled = v }
            if let v = change.minAmount { m.minAmount = v }
            if let v = change.maxAmount { m.maxAmount = v }
            if let v = change.option { m.option = v }
            all[key] = m
            o[keyPath: methods] = all
        }
    }

    func methodKey(unit: String, method: String) throws -> String {
        guard method == "bolt11" else { throw RPCError(code: .invalidArgument, message: "payment method \(method.prefix(20)) is not supported (bolt11 only)") }
        let u = CurrencyUnit(unit.lowercased())
        guard mint.settings.units.contains(u) else { throw RPCError(code: .invalidArgument, message: "unit \(unit.prefix(20)) is not served") }
        return SettingsOverrides.methodKey(unit: u, method: method)
    }

    func updateQuoteTtl(request: Cashu_UpdateQuoteTtlRequest, context: ServerContext) async throws -> Cashu_UpdateResponse {
        guard request.hasMintTtl || request.hasMeltTtl else { throw RPCError(code: .invalidArgument, message: "No quote ttl was specified") }
        return try await update { o, _ in
            if request.hasMintTtl { o.mintQuoteExpiry = request.mintTtl }
            if request.hasMeltTtl { o.meltQuoteExpiry = request.meltTtl }
        }
    }

    func getQuoteTtl(request: Cashu_GetQuoteTtlRequest, context: ServerContext) async throws -> Cashu_GetQuoteTtlResponse {
        try await mapped {
            var r = Cashu_GetQuoteTtlResponse()
            if let q = try await mint.store.mintQuote(id: request.quoteID) {
                r.expiry = Int64(clamping: q.expiry)
            } else if let q = try await mint.store.meltQuote(id: request.quoteID) {
                r.expiry = Int64(clamping: q.expiry)
            } else {
                throw OperatorError(.notFound, "Quote not found or has no expiry")
            }
            return r
        }
    }

    func updateLightningFee(request: Cashu_UpdateLightningFeeRequest, context: ServerContext) async throws -> Cashu_UpdateResponse {
        guard request.hasFeePercent || request.hasFeeMinReserve else { throw RPCError(code: .invalidArgument, message: "No fee specified") }
        return try await update { o, _ in
            if request.hasFeePercent { o.feePercent = request.feePercent }
            if request.hasFeeMinReserve { o.feeMinReserveMsat = request.feeMinReserve }
        }
    }

    func updateAuthLimits(request: Cashu_UpdateAuthLimitsRequest, context: ServerContext) async throws -> Cashu_UpdateResponse {
        throw RPCError(code: .unimplemented, message: "this mint has no authentication (NUT-21/22), so it has no auth limits")
    }

    // MARK: Quotes

    func getNut04Quote(request: Cashu_GetNut04QuoteRequest, context: ServerContext) async throws -> Cashu_GetNut04QuoteResponse {
        try await mapped {
            guard let q = try await mint.store.mintQuote(id: request.quoteID) else { throw OperatorError(.notFound, "mint quote not found") }
            var p = Cashu_Nut04Quote()
            p.quote = q.id
            p.method = q.method
            p.request = q.request
            p.checkingID = q.paymentHash.hex
            p.unit = q.unit.rawValue
            p.amount = q.amount.rawValue
            p.state = q.state.rawValue
            p.createdTime = Int64(clamping: q.createdAt)
            if let t = q.paidAt { p.paidTime = Int64(clamping: t) }
            p.expiry = Int64(clamping: q.expiry)
            if let k = q.pubkey { p.pubkey = k }
            if let t = q.issuedAt { p.issuedTime = Int64(clamping: t) }
            p.amountPaid = q.state == .unpaid ? 0 : q.amount.rawValue
            p.amountIssued = q.state == .issued ? q.amount.rawValue : 0
            p.updatedAt = Int64(clamping: max(q.createdAt, q.paidAt ?? 0, q.issuedAt ?? 0))
            var r = Cashu_GetNut04QuoteResponse()
            r.quote = p
            return r
        }
    }

    func getNut05Quote(request: Cashu_GetNut05QuoteRequest, context: ServerContext) async throws -> Cashu_GetNut05QuoteResponse {
        try await mapped {
            guard let q = try await mint.store.meltQuote(id: request.quoteID) else { throw OperatorError(.notFound, "melt quote not found") }
            var p = Cashu_Nut05Quote()
            p.quote = q.id
            p.method = q.method
            p.request = q.request
            p.checkingID = q.paymentHash.hex
            p.unit = q.unit.rawValue
            // The protocol's amounts are int32: a larger one is refused rather than reported wrong.
            p.amount = try int32(q.amount, "amount")
            p.feeReserve = try int32(q.feeReserve, "fee_reserve")
            p.feePaid = try int32(q.feePaid ?? 0, "fee_paid")
            p.state = q.state.rawValue
            p.createdTime = Int64(clamping: q.createdAt)
            if let t = q.paidAt { p.paidTime = Int64(clamping: t) }
            if let v = q.paymentPreimage { p.paymentPreimage = v }
            p.expiry = Int64(clamping: q.expiry)
            p.outputs = try (q.blankOutputs ?? []).map { b in
                var m = Cashu_BlindedMessage()
                m.amount = try int32(b.amount, "output amount")
                m.id = b.id.hex
                m.b_ = b.blindedSecret.hex
                return m
            }
            if q.state == .paid {
                let change = try await mint.store.meltChange(quoteID: q.id)
                p.change = try (q.blankOutputs ?? []).compactMap { change[$0.blindedSecret.hex] }.map { s in
                    var c = Cashu_BlindedSignature()
                    c.id = s.keysetID.hex
                    c.amount = try int32(s.amount, "change amount")
                    c.c_ = s.signature
                    var dleq = Cashu_DLEQ()
                    dleq.e = s.dleqE
                    dleq.s = s.dleqS
                    c.dleq = dleq
                    return c
                }
            }
            var r = Cashu_GetNut05QuoteResponse()
            r.quote = p
            return r
        }
    }

    func int32(_ amount: Amount, _ field: String) throws -> Int32 {
        guard let v = Int32(exactly: amount.rawValue) else {
            throw RPCError(code: .outOfRange, message: "\(field) \(amount) does not fit the management protocol's int32 field")
        }
        return v
    }

    func updateNut04Quote(request: Cashu_UpdateQuoteRequest, context: ServerContext) async throws -> Cashu_UpdateResponse {
        guard let state = MintQuoteState(rawValue: request.state.uppercased()) else {
            throw RPCError(code: .invalidArgument, message: "mint quote state must be UNPAID, PAID or ISSUED (this mint has no PENDING mint quotes)")
        }
        return try await mapped {
            try await mint.setMintQuoteState(id: request.quoteID, to: state)
            return Cashu_UpdateResponse()
        }
    }

    func updateNut05Quote(request: Cashu_UpdateQuoteRequest, context: ServerContext) async throws -> Cashu_UpdateResponse {
        guard let state = MeltQuoteState(rawValue: request.state.uppercased()) else {
            throw RPCError(code: .invalidArgument, message: "melt quote state must be UNPAID, PENDING or PAID")
        }
        return try await mapped {
            try await mint.setMeltQuoteState(id: request.quoteID, to: state)
            return Cashu_UpdateResponse()
        }
    }

    // MARK: Keysets

    func rotateNextKeyset(request: Cashu_RotateNextKeysetRequest, context: ServerContext) async throws -> Cashu_RotateNextKeysetResponse {
        try await mapped {
            let record = try await mint.rotateKeyset(
                unit: CurrencyUnit(request.unit.lowercased()),
                inputFeePPK: request.hasInputFeePpk ? request.inputFeePpk : nil,
                maxOrder: request.hasMaxOrder ? Int(request.maxOrder) : nil,
                finalExpiry: request.hasFinalExpiry ? request.finalExpiry : nil)
            var r = Cashu_RotateNextKeysetResponse()
            r.id = record.id.hex
            r.unit = record.unit.rawValue
            r.maxOrder = UInt32(record.amounts.count)
            r.inputFeePpk = record.inputFeePPK
            if let e = record.finalExpiry { r.finalExpiry = e }
            return r
        }
    }

    func getKeyset(request: Cashu_GetKeysetRequest, context: ServerContext) async throws -> Cashu_GetKeysetResponse {
        guard !request.id.isEmpty else { throw RPCError(code: .invalidArgument, message: "Keyset ID is required") }
        return try await mapped {
            guard let record = try await mint.store.keysets().first(where: { $0.id.hex == request.id }) else {
                throw OperatorError(.notFound, "Keyset with ID \(request.id.prefix(80)) not found")
            }
            return keyset(record, totals: try await mint.store.ledgerTotals())
        }
    }

    func getKeysets(request: Cashu_GetKeysetsRequest, context: ServerContext) async throws -> Cashu_GetKeysetsResponse {
        try await mapped {
            let totals = try await mint.store.ledgerTotals()
            var r = Cashu_GetKeysetsResponse()
            r.keysets = try await mint.store.keysets().map { keyset($0, totals: totals) }
            return r
        }
    }

    /// A keyset with its liabilities: `balance` is issued minus redeemed (what its e-cash outstanding is worth),
    /// `fees_paid` its inputs' share of input fees (`input_fee_ppk` per redeemed proof, in whole units).
    func keyset(_ k: KeysetRecord, totals: AuditTotals) -> Cashu_GetKeysetResponse {
        var r = Cashu_GetKeysetResponse()
        r.id = k.id.hex
        r.unit = k.unit.rawValue
        r.active = k.active
        r.derivationPath = k.derivationPath.description
        r.inputFeePpk = k.inputFeePPK
        r.validFrom = String(k.validFrom)
        r.firstSeen = String(k.validFrom)
        r.version = version
        r.amounts = k.amounts.map(\.rawValue)
        let t = totals.keysets[k.id] ?? .init()
        let outstanding = t.issued >= t.redeemed ? Int64(clamping: t.issued - t.redeemed) : -Int64(clamping: t.redeemed - t.issued)
        r.balance = outstanding
        r.feesPaid = Int64(clamping: UInt128(t.redeemedCount) * UInt128(k.inputFeePPK) / 1000)
        if let e = k.finalExpiry { r.finalExpiry = e }
        return r
    }

    // MARK: Errors

    func update(_ change: @escaping (inout SettingsOverrides, MintSettings) throws -> Void) async throws -> Cashu_UpdateResponse {
        try await mapped {
            try await mint.updateSettings(change)
            return Cashu_UpdateResponse()
        }
    }

    /// Runs an RPC's work, answering the mint's refusals with their gRPC status and logging anything unexpected.
    func mapped<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as RPCError {
            throw error
        } catch let error as OperatorError {
            let code: RPCError.Code = switch error.code {
            case .invalidArgument: .invalidArgument
            case .notFound: .notFound
            case .alreadyExists: .alreadyExists
            case .refused: .failedPrecondition
            }
            throw RPCError(code: code, message: error.message)
        } catch let error as MintUnavailableError {
            throw RPCError(code: .unavailable, message: "\(error.error)")
        } catch let error as MintStoreError where error.code == .unavailable {
            throw RPCError(code: .unavailable, message: "ledger unavailable")
        } catch let error as CashuError {
            throw RPCError(code: .failedPrecondition, message: "\(error)")
        } catch {
            mint.logger.error("management request failed", metadata: ["error": "\(error)"])
            throw RPCError(code: .internalError, message: "internal error")
        }
    }
}
