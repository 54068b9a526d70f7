import CashuCrypto
import CashuProtocol
import Secp256k1

extension Mint {
    /// `POST /v1/checkstate` (NUT-07): each `Y`'s state, with the witness it was spent with, in request order.
    public func checkState(_ request: CheckStateRequest) async throws -> CheckStateResponse {
        try checkCounts(inputs: request.ys.count, outputs: 0)
        let keys = request.ys.map(\.hex)
        let known = try await ledger { try await store.proofStates(ys: keys) }
        return CheckStateResponse(states: zip(request.ys, keys).map { y, key in
            guard let entry = known[key] else { return .init(y: y, state: .unspent) }
            return .init(y: y, state: entry.state, witness: entry.witness)
        })
    }

    /// `POST /v1/restore` (NUT-09): the signatures this mint issued on any of the outputs, with those outputs exactly
    /// as the request gave them (wallets send amount 0 and match what comes back against what they sent, as
    /// nutshell's and cdk's mints answer); the signatures carry the amounts and keysets they were issued with.
    public func restore(_ request: RestoreRequest) async throws -> RestoreResponse {
        try checkCounts(inputs: 0, outputs: request.outputs.count)
        let keys = request.outputs.map(\.blindedSecret.hex)
        let found = try await ledger { try await store.signatures(blindedMessages: keys) }
        var outputs = [BlindedMessage]()
        var signatures = [BlindSignature]()
        for (output, key) in zip(request.outputs, keys) {
            guard let record = found[key] else { continue }
            outputs.append(output)
            signatures.append(try record.blindSignature)
        }
        return RestoreResponse(outputs: outputs, signatures: signatures)
    }
}
