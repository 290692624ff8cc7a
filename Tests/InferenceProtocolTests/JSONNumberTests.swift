import Foundation
import InferenceProtocol
import TestSupport
import Testing

/// Decoding JSON numbers must give the correctly rounded value of each datatype, as the standard library's
/// correctly rounded parsers do.
@Suite("JSON numbers convert exactly")
struct JSONNumberTests {
    private func decode(_ datatype: TensorDatatype, _ texts: [String]) throws -> InferTensor {
        let json =
            #"{"inputs":[{"name":"x","datatype":"\#(datatype)","shape":[\#(texts.count)],"data":["#
            + texts.joined(separator: ",") + "]}]}"
        return try decodeRequest(json: json).inputs[0]
    }

    /// Random decimal numbers: 1 to 25 digits, a decimal point anywhere, an exponent in `exponents`.
    private func randomDecimals(count: Int, exponents: ClosedRange<Int>, seed: UInt64) -> [String] {
        var generator = SplitMix64(seed: seed)
        return (0..<count).map { _ in
            let digitCount = Int.random(in: 1...25, using: &generator)
            var digits = (0..<digitCount).map { _ in String(Int.random(in: 0...9, using: &generator)) }.joined()
            digits = String(digits.drop { $0 == "0" })
            if digits.isEmpty { digits = "1" }
            let point = Int.random(in: 0...digits.count, using: &generator)
            var text = point == digits.count ? digits : String(digits.prefix(point)) + "." + digits.dropFirst(point)
            if text.hasPrefix(".") { text = "0" + text }
            if Bool.random(using: &generator) { text = "-" + text }
            if Bool.random(using: &generator) { text += "e\(Int.random(in: exponents, using: &generator))" }
            return text
        }
    }

    @Test("FP32 matches Float(String) for random decimals, fast and slow paths")
    func fp32Random() throws {
        let texts = randomDecimals(count: 20_000, exponents: -40...30, seed: 1).filter { Float($0)!.isFinite }
        let values = try decode(.fp32, texts).values(as: Float.self)
        for (text, value) in zip(texts, values) {
            #expect(value.bitPattern == Float(text)!.bitPattern, "\(text)")
        }
    }

    @Test("FP64 matches Double(String) for random decimals")
    func fp64Random() throws {
        let texts = randomDecimals(count: 20_000, exponents: -300...280, seed: 2).filter { Double($0)!.isFinite }
        let values = try decode(.fp64, texts).values(as: Double.self)
        for (text, value) in zip(texts, values) {
            #expect(value.bitPattern == Double(text)!.bitPattern, "\(text)")
        }
    }

    @Test("FP16 matches Float16(String) for random decimals, subnormals included")
    func fp16Random() throws {
        let texts = randomDecimals(count: 20_000, exponents: -9...3, seed: 3).filter { Float16($0)!.isFinite }
        let values = try decode(.fp16, texts).values(as: Float16.self)
        for (text, value) in zip(texts, values) {
            #expect(value.bitPattern == Float16(text)!.bitPattern, "\(text)")
        }
    }

    @Test("the shortest printed form of every FP32 test value reads back bit-exactly")
    func fp32ShortestForm() throws {
        var generator = SplitMix64(seed: 4)
        let floats = (0..<20_000).map { _ in Float(bitPattern: UInt32.random(in: 0...0x7F7F_FFFF, using: &generator)) }
        let tensor = InferTensor(name: "x", shape: [Int64(floats.count)], values: floats)
        let encoded = try InferenceCodec.encodeRequest(InferRequest(inputs: [tensor]), binaryInputs: false)
        let decoded = try InferenceCodec.decodeRequest(encoded.body, jsonHeaderLength: nil)
        #expect(decoded.inputs[0].data == tensor.data)
    }

    @Test("every FP16 and BF16 bit pattern round-trips through JSON")
    func allHalfPatterns() throws {
        let finiteHalf = (0...UInt16.max).map { Float16(bitPattern: $0) }.filter(\.isFinite)
        let half = InferTensor(name: "h", shape: [Int64(finiteHalf.count)], values: finiteHalf)
        let finiteBrain = (0...UInt16.max).map { BFloat16(bitPattern: $0) }.filter(\.isFinite)
        let brain = InferTensor(name: "b", shape: [Int64(finiteBrain.count)], values: finiteBrain)
        let request = InferRequest(inputs: [half, brain])
        let encoded = try InferenceCodec.encodeRequest(request, binaryInputs: false)
        #expect(try InferenceCodec.decodeRequest(encoded.body, jsonHeaderLength: nil) == request)
    }

    @Test("decimals whose nearest Double is exactly a tie of the narrower type still round correctly")
    func doubleRoundingTraps() throws {
        // Each decimal's nearest Double is the midpoint of two FP32 (or BF16) values, while the decimal itself
        // lies to one side: converting through the rounded Double would pick the wrong neighbour.
        let singles = [
            "3.817306309938431e-01", "3.924094200134277e+01", "1.958624366670847e-02", "1.680829282850027e-02",
            "4.682558501372114e-04", "5.611284017562866e+00", "8.748757187277079e-03",
        ]
        let decodedSingles = try decode(.fp32, singles).values(as: Float.self)
        #expect(decodedSingles.map(\.bitPattern) == singles.map { Float($0)!.bitPattern })
        #expect(decodedSingles.map(\.bitPattern) != singles.map { Float(Double($0)!).bitPattern })
        let brains = [
            "4.783272743225098e-06", "5.328655242919922e-05", "8.702278137207031e-05", "8.988380432128906e-05",
        ]
        let decodedBrains = try decode(.bf16, brains).values(as: BFloat16.self)
        #expect(decodedBrains.map(\.bitPattern) == [0x36A1, 0x3860, 0x38B6, 0x38BC])
    }

    @Test("BF16 ties round to even; a decimal just past a tie rounds away from it")
    func bf16Ties() throws {
        let values = try decode(
            .bf16, ["1.00390625", "1.01171875", "1.0039062500001", "1.0039062499999", "-1.00390625"]
        )
        .values(as: BFloat16.self)
        #expect(values.map(\.bitPattern) == [0x3F80, 0x3F82, 0x3F81, 0x3F80, 0xBF80])
    }

    @Test("integers, fractions and exponents in the forms JSON allows")
    func forms() throws {
        let values = try decode(
            .fp64, ["0", "-0", "1E2", "1e+2", "1.5e-3", "0.000001", "123456789012345678901234567890"]
        )
        .values(as: Double.self)
        #expect(
            values.map(\.bitPattern)
                == [0.0, -0.0, 100, 100, 0.0015, 0.000001, 1.2345678901234568e29].map(\.bitPattern))
        #expect(try decode(.fp32, ["1e-50", "-1e-50"]).values(as: Float.self).map(\.bitPattern) == [0, 0x8000_0000])
        #expect(try decode(.int64, [" 7 ", "-0"]).values(as: Int64.self) == [7, 0])
    }

    @Test("integer datatypes refuse fractions and exponents")
    func integersAreStrict() {
        for text in ["1.0", "1e2", "+1", ".5", "-"] {
            #expect(throws: InferenceProtocolError.self, "\(text)") { try decode(.int32, [text]) }
        }
    }
}
