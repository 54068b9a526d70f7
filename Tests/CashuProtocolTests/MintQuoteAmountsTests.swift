import CashuCrypto
import CashuProtocol
import Foundation
import Testing

/// NUT-04's `amount_paid`, `amount_issued` and `updated_at` in mint quote responses, as a wallet reads them: the
/// state follows the amounts when they are there (NUT-04 deprecates `state`), and stays readable without them.
@Suite("NUT-04 quote amounts")
struct MintQuoteAmountsTests {
    static func decode(_ json: String) throws -> MintQuoteBolt11Response {
        try JSONDecoder().decode(MintQuoteBolt11Response.self, from: Data(json.utf8))
    }

    @Test("the state from the amounts; without them, from state; amounts that cannot be are refused")
    func reading() throws {
        let base = #""quote":"q","request":"lnbc1","unit":"sat","amount":10"#
        for (paid, issued, state) in [(0, 0, MintQuoteState.unpaid), (10, 0, .paid), (10, 10, .issued), (20, 10, .paid)] {
            let q = try Self.decode("{\(base),\"amount_paid\":\(paid),\"amount_issued\":\(issued),\"updated_at\":5}")
            #expect(q.state == state && q.amountPaid == Amount(UInt64(paid)) && q.updatedAt == 5, "\(paid)/\(issued)")
        }
        // A stale or contradicting deprecated `state` loses to the amounts.
        #expect(try Self.decode("{\(base),\"state\":\"UNPAID\",\"amount_paid\":10,\"amount_issued\":10}").state == .issued)
        // Older mints: `state` alone.
        let old = try Self.decode("{\(base),\"state\":\"PAID\"}")
        #expect(old.state == .paid && old.amountPaid == nil && old.updatedAt == nil)
        #expect(throws: DecodingError.self) { try Self.decode("{\(base),\"amount_paid\":1,\"amount_issued\":2}") }
        #expect(throws: DecodingError.self) { try Self.decode("{\(base)}") }
        // Written back with the NUT's names, and without them when unknown.
        let text = String(decoding: try JSONEncoder().encode(try Self.decode("{\(base),\"state\":\"PAID\",\"amount_paid\":10,\"amount_issued\":0,\"updated_at\":7}")), as: UTF8.self)
        #expect(text.contains(#""amount_paid":10"#) && text.contains(#""amount_issued":0"#) && text.contains(#""updated_at":7"#), "\(text)")
        #expect(!String(decoding: try JSONEncoder().encode(old), as: UTF8.self).contains("amount_paid"))
    }
}
