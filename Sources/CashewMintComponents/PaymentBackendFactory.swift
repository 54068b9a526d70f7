import CashuMint

/// How the composition root builds a payment backend chosen by `lightning_backend`: one value per backend, listed
/// once in the registry (`MintComponents.backends`).
public struct PaymentBackendFactory: Sendable {
    /// The value of `lightning_backend` that selects it.
    public let name: String
    /// The settings keys it reads (beyond the mint's own), so that the configuration file may use them.
    public let keys: Set<String>
    /// Those of its keys that are secrets: refused as flags or in the configuration file, whichever backend runs.
    public let secretKeys: Set<String>
    /// Builds the backend from its settings. Connects nothing: `run()` does, as a service of the mint.
    public let make: @Sendable (ComponentContext) throws -> any PaymentBackend

    public init(
        name: String, keys: Set<String>, secretKeys: Set<String> = [], make: @escaping @Sendable (ComponentContext) throws -> any PaymentBackend
    ) {
        self.name = name
        self.keys = keys
        self.secretKeys = secretKeys
        self.make = make
    }
}
