import Secp256k1

/// `POST /v1/checkstate` request (NUT-07): the `Y = hash_to_curve(secret)` of each proof.
public struct CheckStateRequest: Codable, Hashable, Sendable {
    public var ys: [Point]
    public init(ys: [Point]) { self.ys = ys }
    enum CodingKeys: String, CodingKey { case ys = "Ys" }
}

/// `POST /v1/checkstate` response: one entry per `Y`, in request order.
public struct CheckStateResponse: Codable, Hashable, Sendable {
    public var states: [Entry]
    public init(states: [Entry]) { self.states = states }

    /// One proof's state, with the witness it was spent with.
    public struct Entry: Codable, Hashable, Sendable {
        public var y: Point
        public var state: ProofState
        public var witness: String?

        public init(y: Point, state: ProofState, witness: String? = nil) {
            self.y = y
            self.state = state
            self.witness = witness
        }

        enum CodingKeys: String, CodingKey {
            case y = "Y"
            case state, witness
        }
    }
}
