/// NUT-02 input fees.
public enum Fees {
    /// The fee for spending inputs whose keysets charge `feesPPK` (one entry per input, parts per thousand):
    /// `ceil(sum / 1000)`. Nil if the sum overflows.
    public static func inputFee<S: Sequence>(perInputPPK feesPPK: S) -> Amount? where S.Element == UInt64 {
        var sum: UInt64 = 0
        for fee in feesPPK {
            let (v, o) = sum.addingReportingOverflow(fee)
            if o { return nil }
            sum = v
        }
        // ceil without the overflow of sum + 999
        return Amount(sum / 1000 + (sum % 1000 == 0 ? 0 : 1))
    }
}
