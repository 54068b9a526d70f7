import CashewBenchBaseline
import CashewEncoding
import CashuCrypto
import Secp256k1

/// The inputs both implementations work on: a mint key, secrets, their blinded messages and valid proofs.
struct CryptoFixture {
    let key: Scalar
    let publicKey: Point
    let secrets: [String]
    let blinded: [Point]
    let proofSignatures: [Point]
    let blindSignatures: [Point]
    let proofs: [DLEQProof]

    init(count: Int) throws {
        key = Scalar.random()
        publicKey = try key.publicPoint
        var secrets = [String]()
        var blinded = [Point]()
        var proofSignatures = [Point]()
        var blindSignatures = [Point]()
        var proofs = [DLEQProof]()
        for _ in 0..<count {
            let secret = Hex.encode(SecureRandom.bytes(32))
            let r = Scalar.random()
            let b = try BDHKE.blind(secret: secret, r: r)
            let (c, proof) = try DLEQ.sign(b, key: key, publicKey: publicKey)
            secrets.append(secret)
            blinded.append(b)
            blindSignatures.append(c)
            proofs.append(proof)
            proofSignatures.append(try BDHKE.unblind(c, r: r, mintKey: publicKey))
        }
        self.secrets = secrets
        self.blinded = blinded
        self.proofSignatures = proofSignatures
        self.blindSignatures = blindSignatures
        self.proofs = proofs
    }

    /// The C baseline over the same items; checks that it computes the same signatures and DLEQ proofs.
    func makeBaseline() throws -> OpaquePointer {
        let secretBytes = secrets.flatMap { Array($0.utf8) }
        let blindedBytes = blinded.flatMap(\.compressed)
        let signatureBytes = proofSignatures.flatMap(\.compressed)
        let baseline = secretBytes.withUnsafeBufferPointer { s in
            s.withMemoryRebound(to: CChar.self) { chars in
                key.withUnsafeBytes { k in
                    cashew_baseline_create(
                        secrets.count, chars.baseAddress, k.baseAddress!.assumingMemoryBound(to: UInt8.self),
                        blindedBytes, signatureBytes)
                }
            }
        }
        guard let baseline else { throw BenchError("the C baseline rejected the fixture") }
        for i in 0..<min(secrets.count, 8) {
            var c = [UInt8](repeating: 0, count: 33)
            var e = [UInt8](repeating: 0, count: 32)
            var s = [UInt8](repeating: 0, count: 32)
            guard cashew_baseline_dleq_of(baseline, i, &c, &e, &s) == 1,
                  c == blindSignatures[i].compressed, e == proofs[i].e.bytes, s == proofs[i].s.bytes
            else { throw BenchError("the C baseline and the Swift code disagree on item \(i)") }
        }
        return baseline
    }
}
