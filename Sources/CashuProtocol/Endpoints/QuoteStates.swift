/// A mint quote's state (NUT-04, NUT-23): unpaid, paid, issued.
public enum MintQuoteState: String, Codable, Hashable, Sendable, CaseIterable {
    case unpaid = "UNPAID"
    case paid = "PAID"
    case issued = "ISSUED"
}

/// A melt quote's state (NUT-05): unpaid, pending, paid.
public enum MeltQuoteState: String, Codable, Hashable, Sendable, CaseIterable {
    case unpaid = "UNPAID"
    case pending = "PENDING"
    case paid = "PAID"
}

/// A proof's state (NUT-07).
public enum ProofState: String, Codable, Hashable, Sendable, CaseIterable {
    case unspent = "UNSPENT"
    case pending = "PENDING"
    case spent = "SPENT"
}
