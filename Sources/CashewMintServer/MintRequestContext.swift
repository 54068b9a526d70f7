import Hummingbird
import NIOCore

/// The mint's request context: Hummingbird's basic one plus the peer's address (for per-client limits).
public struct MintRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let remoteAddress: SocketAddress?

    public init(source: Source) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }
}
