import CSecp256k1

/// The one libsecp256k1 context the process shares.
///
/// libsecp256k1 allows concurrent use of a context by every function that takes it as `const`, which is all
/// we call after creation; randomization (side-channel blinding) happens once, before the context is published.
@usableFromInline
final class Context: @unchecked Sendable {
    @usableFromInline let raw: OpaquePointer

    @usableFromInline static let shared = Context()

    private init() {
        guard let ctx = secp256k1_context_create(UInt32(SECP256K1_CONTEXT_NONE)) else {
            fatalError("secp256k1_context_create failed")
        }
        var seed = SecureRandom.bytes32()
        let ok = withUnsafeBytes(of: &seed) { buf in
            secp256k1_context_randomize(ctx, buf.baseAddress!.assumingMemoryBound(to: UInt8.self))
        }
        precondition(ok == 1, "secp256k1_context_randomize failed")
        raw = ctx
    }
}
