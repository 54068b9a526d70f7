import CashewEncoding
import CashewNostr
import CashuCrypto
import CashuProtocol
import Foundation
import Secp256k1

/// A payment received for one of this wallet's requests.
public struct RequestPayment: Sendable, Hashable {
    public var requestID: String
    /// What the wallet gained, after the input fee its swap paid.
    public var amount: Amount
    public var unit: CurrencyUnit
    public var mint: String
}

/// A message on the relays that did not pay: not a payment, for a request this wallet did not make, or refused.
public struct RefusedPayment: Sendable, Hashable {
    public var requestID: String?
    public var reason: String
}

/// What a look at the relays found.
public struct RequestInbox: Sendable, Hashable {
    public var paid = [RequestPayment]()
    public var refused = [RefusedPayment]()
}

extension Wallet {
    /// The NUT-18 transport for payments over NIP-17 to this wallet's Nostr key on `relays`.
    public func nostrTransport(relays: [String]) throws -> PaymentRequest.Transport {
        _ = try NostrRelays(relays)
        return PaymentRequest.Transport(
            type: "nostr", target: NIP19.Profile(publicKey: try nostrPublicKey(), relays: relays).encoded, tags: [["n", "17"]])
    }

    /// Records `request` (made with a Nostr transport on `relays`), so that its payments are received even when they
    /// arrive while the wallet is not listening (`checkRequests`).
    public func recordRequest(_ request: PaymentRequest, relays: [String]) async throws {
        guard let id = request.id else { throw WalletError(.invalidInput, "a request paid over Nostr needs an ID") }
        try await store.saveRequest(WalletPaymentRequest(id: id, request: request.encoded, relays: relays, createdAt: Self.now()))
    }

    /// Checks a payment payload against `request` (ID, mint, unit, amount) and receives it; the amount asked is what
    /// the wallet keeps, net of the input fee its swap pays. Throws `invalidInput` when the payload does not pay.
    public func acceptPayment(_ payload: PaymentRequestPayload, for request: PaymentRequest) async throws -> Amount {
        if let id = request.id, payload.id != id { throw WalletError(.invalidInput, "the payload is for another request") }
        if let mints = request.mints, !mints.map({ client($0).url }).contains(client(payload.mint).url) {
            throw WalletError(.invalidInput, "the request asks for tokens of \(mints.joined(separator: ", "))")
        }
        if let unit = request.unit, payload.unit != unit { throw WalletError(.invalidInput, "the request asks for \(unit)") }
        guard let offered = Amount.sum(payload.proofs.map(\.amount)), request.amount.map({ offered >= $0 }) ?? true else {
            throw WalletError(.invalidInput, "the payment is smaller than requested")
        }
        // The unit the proofs' keysets have, not only the one the payload claims.
        return try await receive(
            Token(mint: payload.mint, unit: payload.unit, memo: payload.memo, proofs: payload.proofs), minimum: request.amount, unit: request.unit ?? payload.unit)
    }

    /// Waits on the request's relays until `request` is paid (then the amount received) or `timeout` passes (nil).
    /// Payments for this wallet's other requests that arrive meanwhile are received too. Throws when no relay can be
    /// reached.
    public func waitForPayment(_ request: PaymentRequest, relays: [String], timeout: Duration) async throws -> Amount? {
        guard let id = request.id else { throw WalletError(.invalidInput, "a request paid over Nostr needs an ID") }
        let key = try nostrKey()
        let me = Hex.encode(try key.publicPoint.xOnly)
        let since = try await store.request(id: id)?.createdAt ?? Self.now()
        return try await NostrRelays(relays, timeout: nostrTimeout).listen([NIP17.inbox(me, since: since)], for: timeout) { wrap in
            guard case let .paid(payment) = await handle(wrap, key: key), payment.requestID == id else { return nil }
            return payment.amount
        }
    }

    /// Receives every payment waiting on the relays for this wallet's unpaid requests (each request's own relays,
    /// and `relays`). Payments already handled are not looked at again.
    public func checkRequests(relays extra: [String] = []) async throws -> RequestInbox {
        let open = try await store.requests(open: true)
        // Queries ask for wraps from two days (NIP-59's back-dating) before the oldest open request, or before now
        // for a request made later: anything older that paid nothing is never looked at again.
        let oldest = min(open.map(\.createdAt).min() ?? Self.now(), Self.now())
        try await store.pruneInbox(before: oldest > NIP59.twoDays ? oldest - NIP59.twoDays : 0)
        guard !open.isEmpty else { return RequestInbox() }
        let key = try nostrKey()
        let me = Hex.encode(try key.publicPoint.xOnly)
        let relays = Array(Set(open.flatMap(\.relays) + extra)).sorted()
        let since = open.map(\.createdAt).min()
        var inbox = RequestInbox()
        for wrap in try await NostrRelays(relays, timeout: nostrTimeout).query([NIP17.inbox(me, since: since)]) {
            switch await handle(wrap, key: key) {
            case let .paid(p): inbox.paid.append(p)
            case let .refused(r): inbox.refused.append(r)
            case .skipped: continue
            }
        }
        return inbox
    }

    enum InboxOutcome: Sendable {
        case paid(RequestPayment)
        case refused(RefusedPayment)
        /// Seen before, not for this wallet, or left for a later try (the mint could not be reached).
        case skipped
    }

    /// Opens one gift wrap and, when it pays one of this wallet's requests, receives it. What is final (received,
    /// or refused for a reason a retry would not change) is recorded so that it is handled once.
    func handle(_ wrap: NostrEvent, key: Scalar) async -> InboxOutcome {
        guard (try? await store.inboxHandled(wrap.id)) == false else { return .skipped }
        func final(_ requestID: String?, _ reason: String) async -> InboxOutcome {
            try? await store.recordInbox(wrapID: wrap.id, createdAt: wrap.createdAt, requestID: requestID, outcome: "refused: " + reason, received: nil)
            return .refused(RefusedPayment(requestID: requestID, reason: reason))
        }
        guard let message = try? NIP17.open(wrap, recipient: key) else { return .skipped }
        let payload: PaymentRequestPayload
        do { payload = try JSONDecoder().decode(PaymentRequestPayload.self, from: Data(message.content.utf8)) } catch {
            return await final(nil, "a message that is not a payment (\(String(describing: error).prefix(200)))")
        }
        guard let id = payload.id, let record = try? await store.request(id: id), let request = try? PaymentRequest(decoding: record.request) else {
            return await final(payload.id, "a payment for a request this wallet did not make")
        }
        if record.paidAt != nil, request.singleUse ?? false {
            // Left unreceived: the payer can take it back.
            return await final(id, "the request was paid already")
        }
        do {
            let amount = try await acceptPayment(payload, for: request)
            try? await store.recordInbox(wrapID: wrap.id, createdAt: wrap.createdAt, requestID: id, outcome: "received", received: amount.rawValue)
            return .paid(RequestPayment(requestID: id, amount: amount, unit: payload.unit, mint: client(payload.mint).url))
        } catch let error as WalletError where error.code != .timeout {
            return await final(id, error.message)
        } catch {
            // The mint was not reached, or did not answer: a later look tries again.
            return .skipped
        }
    }

    /// Sends `payload` to the request's Nostr target (an `nprofile` with relays) as a NIP-17 message from a one-time
    /// key, so the payee learns nothing about the payer. Returns the relays that took it; throws when none did.
    public func deliverOverNostr(_ payload: PaymentRequestPayload, target: String) async throws -> [String] {
        let profile: NIP19.Profile
        do { profile = try NIP19.profile(target) } catch { throw WalletError(.invalidInput, "the request's Nostr target is not an nprofile: \(error)") }
        guard !profile.relays.isEmpty else { throw WalletError(.invalidInput, "the request's Nostr target names no relay") }
        let content = String(decoding: try JSONEncoder().encode(payload), as: UTF8.self)
        let wrap = try NIP17.wrap(content, from: Scalar.random(), to: Hex.encode(profile.publicKey), now: Self.now())
        return try await NostrRelays(profile.relays, timeout: nostrTimeout).publish(wrap)
    }
}

