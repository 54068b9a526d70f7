extension Array {
    /// The array in consecutive slices of at most `size` elements: how stores bound a query's parameters and writers
    /// bound a statement's rows.
    public func chunks(of size: Int) -> [ArraySlice<Element>] {
        precondition(size > 0, "chunks need a positive size")
        return stride(from: 0, to: count, by: size).map { self[$0..<Swift.min($0 + size, count)] }
    }
}
