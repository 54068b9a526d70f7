import CashuCrypto
import CashuProtocol
import Foundation
import Secp256k1
import Testing

@Suite("Quote responses as real mints send them")
struct QuoteDecodingTests {
    @Test("nutshell's quote check (`\"pubkey\": \"\"`, `\"expiry\": null`, extra fields) reads as a quote without a key")
    func nutshellQuoteCheck() throws {
        let json = #"{"quote":"q","request":"lnbc1","amount":10,"unit":"sat","method":"bolt11","amount_paid":10,"amount_issued":0,"updated_at":1,"state":"PAID","expiry":null,"pubkey":""}"#
        let quote = try JSONDecoder().decode(MintQuoteBolt11Response.self, from: Data(json.utf8))
        #expect(quote.pubkey == nil && quote.expiry == nil && quote.state == .paid && quote.amount == 10)
        let key = try Scalar.random().publicPoint
        let locked = try JSONDecoder().decode(MintQuoteBolt11Response.self, from: Data(json.replacingOccurrences(of: #""pubkey":"""#, with: #""pubkey":"\#(key.hex)""#).utf8))
        #expect(locked.pubkey == key)
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(MintQuoteBolt11Response.self, from: Data(json.replacingOccurrences(of: #""pubkey":"""#, with: #""pubkey":"02ff""#).utf8))
        }
        // Round trip of our own encoding.
        let ours = MintQuoteBolt11Response(quote: "q", request: "r", amount: 5, unit: .sat, state: .unpaid, expiry: 9, pubkey: key, method: "bolt11")
        #expect(try JSONDecoder().decode(MintQuoteBolt11Response.self, from: JSONEncoder().encode(ours)) == ours)
    }
}
