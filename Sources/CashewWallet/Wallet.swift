import AsyncHTTPClient
import CashewEncoding
import CashuCrypto
import CashuProtocol
import Foundation
import Secp256k1

/// A Cashu wallet: proofs in a `WalletStore`, outputs derived from one BIP-39 seed (NUT-13), any number of mints.
///
/// Every operation that talks to a mint is journaled first (its inputs reserved, its outputs' counter range
/// recorded), then sent, then settled in one transaction; what is left open by a crash or a lost answer can be
/// settled later from the mint's own records (NUT-07 states, NUT-09 restore).
public struct Wallet: Sendable {
    public let store: WalletStore
    let seed: [UInt8]
    let http: HTTPClient
    /// How long a Nostr relay gets to take an event or answer a query (payment requests over Nostr, backups).
    public var nostrTimeout: Duration = .seconds(10)

    /// A wallet over `store` whose outputs derive from `seed` (the 64-byte BIP-39 seed).
    public init(store: WalletStore, seed: [UInt8], httpClient: HTTPClient = .shared) {
        self.store = store
        self.seed = seed
        self.http = httpClient
    }

    /// A wallet from a BIP-39 phrase.
    public init(store: WalletStore, mnemonic: Mnemonic, httpClient: HTTPClient = .shared) throws {
        self.init(store: store, seed: mnemonic.seed(), httpClient: httpClient)
    }

    public func client(_ mintURL: String) -> MintClient { MintClient(url: mintURL, httpClient: http) }

    static func now() -> UInt64 { UInt64(Date().timeIntervalSince1970) }

    // MARK: Mints and keysets

    /// Adds a mint (if new), stores its info and every keyset whose ID matches its keys; returns the keysets.
    @discardableResult
    public func refresh(mintURL: String) async throws -> [WalletKeyset] {
        let client = client(mintURL)
        try await store.addMint(client.url)
        let info = try await client.info()
        try await store.setMintInfo(client.url, info: String(decoding: try JSONEncoder().encode(info), as: UTF8.self))
        return try await refreshKeysets(client)
    }

    /// Brings the stored keysets in line with the mint's list: new ones fetched and verified, active flags and
    /// fees updated (a keyset the mint retired stops being used for new outputs but still redeems).
    func refreshKeysets(_ client: MintClient) async throws -> [WalletKeyset] {
        try await store.addMint(client.url)
        let known = Dictionary(try await store.keysets(mintURL: client.url).map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        for info in try await client.keysets().keysets {
            if let stored = known[info.id] {
                // The active flag changes on rotation; a final expiry may be set later (the mint's list is the truth).
                let expiry = info.finalExpiry ?? stored.finalExpiry
                guard stored.active != info.active || stored.finalExpiry != expiry else { continue }
                try await store.saveKeyset(
                    KeysetKeysEntry(id: info.id, unit: info.unit, active: info.active, inputFeePPK: stored.inputFeePPK, finalExpiry: expiry, keys: stored.keys),
                    mintURL: client.url)
            } else {
                for entry in try await client.keys(info.id).keysets where entry.id == info.id {
                    var e = entry
                    e.active = info.active
                    try await store.saveKeyset(e, mintURL: client.url)
                }
            }
        }
        return try await store.keysets(mintURL: client.url)
    }

    /// The active keyset of `unit` with the lowest input fee.
    func activeKeyset(_ mintURL: String, unit: CurrencyUnit) async throws -> WalletKeyset {
        // One cheap request per operation: a rotation at the mint is seen before outputs go to a retired keyset.
        let keysets = try await refreshKeysets(client(mintURL))
        guard let keyset = keysets.filter({ $0.active && $0.unit == unit }).min(by: { $0.inputFeePPK < $1.inputFeePPK }) else {
            throw WalletError(.unsupported, "\(mintURL) has no active keyset for \(unit)")
        }
        return keyset
    }

    /// Outputs for `amounts` in `keyset`, with their NUT-13 counters reserved.
    func prepare(_ amounts: [Amount], keyset: WalletKeyset) async throws -> PreparedOutputs {
        let start = try await store.reserveCounter(keyset.id, count: UInt32(amounts.count))
        return try PreparedOutputs(amounts: amounts, keyset: keyset, counterStart: start, seed: seed)
    }

    /// The proofs the wallet may spend at a mint: those of keysets past their final expiry are left out (the mint
    /// refuses them with 12003, and a token of them would be worthless to its receiver).
    func spendable(_ proofs: [Proof], keysets: [WalletKeyset], now: UInt64 = Wallet.now()) -> [Proof] {
        let expired = Set(keysets.filter { $0.finalExpiry.map { $0 <= now } ?? false }.map(\.id))
        return expired.isEmpty ? proofs : proofs.filter { !expired.contains($0.id) }
    }

    /// Proofs taken largest first until they cover `target` plus their own input fee (NUT-02); the caller checks
    /// that `total` reached `target + fee` (else there is not enough).
    func selectInputs(_ available: [Proof], covering target: Amount, keysets: [WalletKeyset]) throws -> (proofs: [Proof], total: Amount, fee: Amount) {
        var selected = [Proof]()
        var total = Amount(0)
        for proof in available.sorted(by: { $0.amount > $1.amount }) {
            if let needed = target.adding(try inputFee(selected, keysets: keysets)), total >= needed { break }
            selected.append(proof)
            total = total.adding(proof.amount) ?? total
        }
        return (selected, total, try inputFee(selected, keysets: keysets))
    }

    /// The mint's NUT-07 state of each proof, in order, asked 100 at a time.
    func proofStates<C: Collection>(_ proofs: C, client: MintClient) async throws -> [ProofState] where C.Element == Proof {
        try await states(of: try proofs.map { try $0.y }, client: client)
    }

    /// The mint's NUT-07 state of each Y (`hash_to_curve` of a secret), in order, asked 100 at a time.
    func states(of ys: [Point], client: MintClient) async throws -> [ProofState] {
        var states = [ProofState]()
        for chunk in ys.chunks(of: 100) {
            let answer = try await client.checkState(CheckStateRequest(ys: Array(chunk)))
            guard answer.states.count == chunk.count else { throw WalletError(.protocolViolation, "checkstate answered a different number of states") }
            states += answer.states.map(\.state)
        }
        return states
    }

    /// `proofs` with their full keyset IDs (a V4 token carries short ones), each of a keyset and amount of the mint,
    /// and its DLEQ proof checked offline (NUT-12): when present, or always when `requireDLEQ`.
    func checkedProofs(_ proofs: [Proof], keysets: [WalletKeyset], mintURL: String, requireDLEQ: Bool = false) throws -> [Proof] {
        try proofs.map { proof in
            var p = proof
            p.id = try proof.id.resolve(among: keysets.map(\.id))
            guard let keyset = keysets.first(where: { $0.id == p.id }), let key = keyset.keys[p.amount] else {
                throw WalletError(.invalidInput, "the token's keyset \(proof.id) or amount \(proof.amount) is not one of \(mintURL)'s")
            }
            guard let dleq = p.dleq else {
                if requireDLEQ { throw WalletError(.invalidInput, "a proof without a DLEQ proof (NUT-12): it may not have been issued by \(mintURL)") }
                return p
            }
            guard DLEQ.verify(dleq.proof, blindingFactor: dleq.r, secret: p.secret, signature: p.signature, publicKey: key) else {
                throw WalletError(.invalidInput, "a proof's DLEQ does not verify: the token was not issued by \(mintURL)")
            }
            return p
        }
    }

    /// The input fee (NUT-02) of spending `proofs`.
    func inputFee(_ proofs: [Proof], keysets: [WalletKeyset]) throws -> Amount {
        let byID = Dictionary(keysets.map { ($0.id, $0.inputFeePPK) }, uniquingKeysWith: { a, _ in a })
        guard let fee = Fees.inputFee(perInputPPK: proofs.map { byID[$0.id] ?? 0 }) else { throw WalletError(.invalidInput, "fees overflow") }
        return fee
    }

    // MARK: Balance

    public func balance(mintURL: String, unit: CurrencyUnit = .sat) async throws -> UInt128 {
        try await store.balance(mintURL: MintClient(url: mintURL).url, unit: unit)
    }

    /// Closes an operation the mint refused: each held input takes the state the mint reports (NUT-07): spent ones
    /// are marked spent, pending ones stay pending, and only those the mint calls unspent are released.
    func closeRefused(_ operationID: String, client: MintClient) async throws {
        let held = try await store.proofs(operationID: operationID)
        if !held.isEmpty, let states = try? await client.checkState(CheckStateRequest(ys: held.map { try $0.proof.y })), states.states.count == held.count {
            let spent = zip(held, states.states).filter { $0.1.state == .spent }.map(\.0.y)
            let pending = zip(held, states.states).filter { $0.1.state == .pending }.map(\.0.y)
            try await store.transition(spent, from: [.reserved, .pending], to: .spent, operationID: nil)
            try await store.transition(pending, from: [.reserved, .pending], to: .pending, operationID: nil)
        }
        try await store.finishOperation(operationID, state: .failed, inputsTo: .unspent, mintURL: client.url)
    }

    // MARK: Journal

    struct Journal: Codable, Sendable {
        var quote: String?
        var outputs: [OutputsJournal]
        var token: String?
        /// A locked send's outputs (their secrets are random, so the seed cannot give them back).
        var locked: LockedOutputsJournal? = nil
        var memo: String? = nil
    }

    static func json(_ journal: Journal) throws -> String { String(decoding: try JSONEncoder().encode(journal), as: UTF8.self) }
}
