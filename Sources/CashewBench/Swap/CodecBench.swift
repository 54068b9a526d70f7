import ArgumentParser
import CashewEncoding
import CashuCrypto
import CashuProtocol
import Foundation
import Secp256k1

/// `cashew-bench codec`: how fast the mint reads a 2-in/2-out swap request and writes its response.
struct CodecBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "codec", abstract: "JSON decoding and encoding rates of swap requests and responses.")

    @Option(help: "Seconds per measurement.") var seconds: Double = 1

    func run() throws {
        let keyset = try KeysetID(hex: "01" + Hex.encode(SecureRandom.bytes(32)))
        let inputs = try (0..<2).map { _ in
            Proof(amount: 1, id: keyset, secret: Hex.encode(SecureRandom.bytes(32)), signature: try Scalar.random().publicPoint)
        }
        let outputs = try BenchOutputs(count: 2, keyset: keyset)
        let request = SwapRequest(inputs: inputs, outputs: outputs.messages)
        let requestBytes = try JSONEncoder().encode(request)
        let response = SwapResponse(signatures: try outputs.messages.map {
            BlindSignature(amount: 1, id: keyset, blindSignature: $0.blindedSecret, dleq: BlindSignatureDLEQ(e: .random(), s: .random()))
        })
        let meter = RateMeter(budget: .milliseconds(Int(seconds * 1000)))
        let decode = try meter.rate("decode") { n in
            var ok = 0
            for _ in 0..<n where (try? JSONDecoder().decode(SwapRequest.self, from: requestBytes)) != nil { ok += 1 }
            return ok
        }
        let encode = try meter.rate("encode") { n in
            var ok = 0
            for _ in 0..<n where (try? JSONEncoder().encode(response)) != nil { ok += 1 }
            return ok
        }
        let fastDecode = try meter.rate("fast decode") { n in
            var ok = 0
            for _ in 0..<n where requestBytes.withUnsafeBytes({ SwapRequest(fastJSON: $0) }) != nil { ok += 1 }
            return ok
        }
        let fastEncode = try meter.rate("fast encode") { n in
            var ok = 0
            for _ in 0..<n {
                var out = [UInt8]()
                response.fastJSON(into: &out)
                if !out.isEmpty { ok += 1 }
            }
            return ok
        }
        print("swap_request_decode: \(Int(decode.rounded())) ops/s (\(requestBytes.count) bytes, JSONDecoder)")
        print("swap_response_encode: \(Int(encode.rounded())) ops/s (JSONEncoder)")
        print("swap_request_decode_fast: \(Int(fastDecode.rounded())) ops/s")
        print("swap_response_encode_fast: \(Int(fastEncode.rounded())) ops/s")
    }
}
