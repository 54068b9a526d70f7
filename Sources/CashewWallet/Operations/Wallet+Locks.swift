import CashuCrypto
import CashuProtocol
import Foundation
import Secp256k1

extension Wallet {
    /// The BIP-32 path of the wallet's P2PK key. It is the path nutshell uses, so one seed phrase gives the same
    /// receiving key in both wallets.
    public static let lockingKeyPath = "m/129372'/0'/0'/0'"

    /// The private key that unlocks tokens sent to this wallet (NUT-11 `data`/`pubkeys`/`refund`, NUT-28 blinded).
    public func lockingKey() throws -> Scalar {
        try ExtendedPrivateKey(seed: seed).derive(DerivationPath(parsing: Self.lockingKeyPath)).privateKey
    }

    /// Where the wallet's Nostr key comes from: NIP-06's path (account 0), so that the seed phrase restores it.
    public static let nostrKeyPath = "m/44'/1237'/0'/0/0"

    /// The wallet's Nostr secret key (payment requests over Nostr are sent to its public key).
    public func nostrKey() throws -> Scalar {
        try ExtendedPrivateKey(seed: seed).derive(DerivationPath(parsing: Self.nostrKeyPath)).privateKey
    }

    /// The wallet's Nostr public key, x-only (32 bytes).
    public func nostrPublicKey() throws -> [UInt8] { try nostrKey().publicPoint.xOnly }

    /// The public key to lock tokens to this wallet (`cashew pubkey`).
    public func lockingPublicKey() throws -> Point { try lockingKey().publicPoint }

    /// What this wallet can unlock with: its own key and the given HTLC preimages.
    func spendingKeys(preimages: [[UInt8]]) throws -> SpendingKeys {
        SpendingKeys(privateKeys: [try lockingKey()], preimages: preimages)
    }

    /// Refuses to lock ecash at a mint that does not say it enforces the lock: NUT-10 warns that such a mint treats
    /// locked proofs as anyone-can-spend.
    func requireLockSupport(_ lock: SpendingLock, client: MintClient) async throws {
        let info = try await client.info()
        let needed = lock.isHTLC ? [10, 11, 14] : [10, 11]
        for nut in needed where !info.supports(nut: nut) {
            throw WalletError(.unsupported, "\(client.url) does not advertise NUT-\(nut), so it would not enforce the lock")
        }
    }

    /// Adds the witnesses `inputs` need (our key, known preimages) and checks that the mint will accept them, before
    /// anything is sent: a token we cannot unlock is refused here, with the reason, and nothing changes.
    func unlock(_ inputs: [Proof], outputs: [BlindedMessage], quoteID: String? = nil, preimages: [[UInt8]]) throws -> [Proof] {
        let now = Date().timeIntervalSince1970
        let hasConditions = inputs.contains { (try? WellKnownSecret.parse($0.secret)) != nil || $0.p2pkEphemeralKey != nil }
        guard hasConditions else { return inputs }
        let signed = try spendingKeys(preimages: preimages).sign(inputs: inputs, outputs: outputs, quoteID: quoteID, now: now)
        do {
            try SpendingConditionVerifier.verify(inputs: signed, outputs: outputs, quoteID: quoteID, now: now)
        } catch let error as CashuError {
            throw WalletError(.locked, "the token is locked and this wallet cannot unlock it (\(error.detail))")
        }
        return signed
    }
}

extension Wallet {
    /// Adds this wallet's signatures to a token's locked proofs (SIG_INPUTS multisig), for the next signer or the
    /// receiver to complete; NUT-28 ephemeral keys stay on the proofs for them. SIG_ALL tokens cannot be co-signed
    /// ahead: their signature covers the receiver's swap.
    public func cosign(_ token: Token) throws -> Token {
        let conditions = try token.proofs.map { try WellKnownSecret.parse($0.secret).flatMap { try SpendingCondition($0) } }
        if conditions.contains(where: { $0?.signatureFlag == .sigAll }) {
            throw WalletError(.invalidInput, "SIG_ALL locks are signed over the receiver's whole swap; they cannot be co-signed in advance")
        }
        var signed = try spendingKeys(preimages: []).sign(inputs: token.proofs, outputs: [], now: Date().timeIntervalSince1970)
        for i in signed.indices { signed[i].p2pkEphemeralKey = token.proofs[i].p2pkEphemeralKey }
        guard signed.map(\.witness) != token.proofs.map(\.witness) else {
            throw WalletError(.locked, "no lock in the token names this wallet's key")
        }
        return Token(mint: token.mint, unit: token.unit, memo: token.memo, proofs: signed)
    }
}
