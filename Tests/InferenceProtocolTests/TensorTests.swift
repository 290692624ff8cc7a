import Foundation
import InferenceProtocol
import Testing

@Suite("Tensors: datatypes, scalars and accessors")
struct TensorTests {
    @Test("element sizes follow the datatype; BYTES has none")
    func elementSizes() {
        let sizes = Dictionary(uniqueKeysWithValues: TensorDatatype.allCases.map { ($0.rawValue, $0.elementByteSize) })
        #expect(
            sizes == [
                "BOOL": 1, "UINT8": 1, "UINT16": 2, "UINT32": 4, "UINT64": 8, "INT8": 1, "INT16": 2, "INT32": 4,
                "INT64": 8, "FP16": 2, "BF16": 2, "FP32": 4, "FP64": 8, "BYTES": nil,
            ])
        #expect(TensorDatatype(rawValue: "fp32") == nil, "wire names are upper case")
    }

    @Test("every scalar type maps to its datatype and reads back what it wrote")
    func scalarRoundTrips() throws {
        func check<T: TensorScalar>(_ values: [T], _ datatype: TensorDatatype) throws {
            let tensor = InferTensor(name: "t", shape: [Int64(values.count)], values: values)
            #expect(tensor.datatype == datatype)
            #expect(tensor.data.count == values.count * datatype.elementByteSize!)
            #expect(try tensor.values(as: T.self) == values)
        }
        try check([true, false], .bool)
        try check([UInt8.max], .uint8)
        try check([UInt16.max], .uint16)
        try check([UInt32.max], .uint32)
        try check([UInt64.max], .uint64)
        try check([Int8.min], .int8)
        try check([Int16.min], .int16)
        try check([Int32.min], .int32)
        try check([Int64.min], .int64)
        try check([Float16(1.5)], .fp16)
        try check([BFloat16(1.5 as Float)], .bf16)
        try check([Float(1.5)], .fp32)
        try check([Double(1.5)], .fp64)
    }

    @Test("data is little-endian whatever the host")
    func littleEndianLayout() {
        let tensor = InferTensor(name: "t", shape: [2], values: [UInt32(0x0102_0304), 0xA0B0_C0D0])
        #expect(Array(tensor.data) == [4, 3, 2, 1, 0xD0, 0xC0, 0xB0, 0xA0])
        let float = InferTensor(name: "f", shape: [1], values: [Float(1)])
        #expect(Array(float.data) == [0, 0, 0x80, 0x3F])
    }

    @Test("any non-zero BOOL byte reads as true")
    func boolBytes() throws {
        let tensor = InferTensor(name: "b", datatype: .bool, shape: [3], data: Data([0, 1, 7]))
        #expect(try tensor.values(as: Bool.self) == [false, true, true])
    }

    @Test("reading as the wrong type or with a bad size throws, naming the tensor")
    func valuesErrors() throws {
        let tensor = InferTensor(name: "INPUT0", shape: [2], values: [Float(1), 2])
        let mismatch = try #require(throws: InferenceProtocolError.self) { try tensor.values(as: Int32.self) }
        #expect(mismatch.code == .datatypeMismatch)
        #expect(mismatch.message == "tensor 'INPUT0' has datatype FP32, not INT32 (Int32)")
        let short = InferTensor(name: "x", datatype: .fp32, shape: [2], data: Data(count: 7))
        let size = try #require(throws: InferenceProtocolError.self) { try short.values(as: Float.self) }
        #expect(size.message == "tensor 'x': shape [2] × 4-byte FP32 needs 8 bytes, data has 7")
        #expect(throws: InferenceProtocolError.self) { try tensor.strings() }
    }

    @Test("Float16 subnormals, the largest finite value and negative zero keep their bits")
    func float16Extremes() throws {
        let values: [Float16] = [
            .leastNonzeroMagnitude, 0x1p-20, .leastNormalMagnitude, .greatestFiniteMagnitude, -0.0,
        ]
        let tensor = InferTensor(name: "h", shape: [5], values: values)
        #expect(try tensor.values(as: Float16.self).map(\.bitPattern) == [0x0001, 0x0010, 0x0400, 0x7BFF, 0x8000])
    }

    @Test("BFloat16 from Float rounds to nearest, ties to even")
    func bfloat16Rounding() {
        #expect(BFloat16(Float(bitPattern: 0x3F80_8000)).bitPattern == 0x3F80, "tie, even stays")
        #expect(BFloat16(Float(bitPattern: 0x3F81_8000)).bitPattern == 0x3F82, "tie, odd rounds up")
        #expect(BFloat16(Float(bitPattern: 0x3F80_8001)).bitPattern == 0x3F81, "above the tie")
        #expect(BFloat16(Float(bitPattern: 0x3F80_7FFF)).bitPattern == 0x3F80, "below the tie")
        #expect(BFloat16(Float(bitPattern: 0xBF80_C000)).bitPattern == 0xBF81, "negative values round by magnitude")
        #expect(BFloat16(Float.greatestFiniteMagnitude).bitPattern == 0x7F80, "rounds up to infinity")
        #expect(BFloat16(Float(bitPattern: 0x0000_8001)).bitPattern == 0x0001, "subnormals round too")
        #expect(BFloat16(Float.nan).isNaN)
        #expect(BFloat16(-Float.nan).isNaN)
        #expect(BFloat16(Float(bitPattern: 0x7F80_0001)).isNaN, "a NaN with only low payload bits stays NaN")
        #expect(BFloat16(Float.pi).floatValue == 3.140625)
        #expect(BFloat16(bitPattern: 0x3F80).floatValue == 1)
    }

    @Test("BFloat16 from Double rounds once, not through a rounded Float")
    func bfloat16FromDouble() {
        // 1 + 2^-8 is the tie between 1 and 1 + 2^-7; a hair above it must round up, although
        // Float(value) rounds to the tie itself and would then round to even (down).
        let aboveTie = 1 + 0x1p-8 + 0x1p-40
        #expect(Float(aboveTie) == 1 + 0x1p-8)
        #expect(BFloat16(aboveTie).bitPattern == 0x3F81)
        #expect(BFloat16(1 + 0x1p-8 - 0x1p-40).bitPattern == 0x3F80)
        #expect(BFloat16(1 + 0x1p-8 as Double).bitPattern == 0x3F80)
        #expect(BFloat16(1e39 as Double).bitPattern == 0x7F80)
        #expect(BFloat16(-1e-50 as Double).bitPattern == 0x8000)
    }

    @Test("BYTES tensors hold length-prefixed elements, including empty and non-UTF-8 ones")
    func bytesElements() throws {
        let elements = [Data(), Data([0xFF, 0x00, 0xFE]), Data("é".utf8)]
        let tensor = InferTensor(name: "b", shape: [3], bytes: elements)
        #expect(Array(tensor.data) == [0, 0, 0, 0, 3, 0, 0, 0, 0xFF, 0, 0xFE, 2, 0, 0, 0, 0xC3, 0xA9])
        #expect(try tensor.byteElements() == elements)
        #expect(try InferTensor(name: "s", shape: [2], strings: ["", "日本"]).strings() == ["", "日本"])
        let wrongCount = InferTensor(name: "b", shape: [2], bytes: elements)
        let error = try #require(throws: InferenceProtocolError.self) { try wrongCount.byteElements() }
        #expect(error.message == "tensor 'b': shape [2] needs 2 BYTES elements, data has 3")
        let truncated = InferTensor(name: "t", datatype: .bytes, shape: [1], data: Data([1, 0]))
        let prefix = try #require(throws: InferenceProtocolError.self) { try truncated.strings() }
        #expect(prefix.message == "tensor 't': BYTES element 0 has a truncated length prefix at byte 0")
    }

    @Test("elementCount is the shape's product, and 0 for invalid shapes")
    func elementCount() {
        #expect(InferTensor(name: "a", datatype: .fp32, shape: [2, 3, 4], data: Data()).elementCount == 24)
        #expect(InferTensor(name: "a", datatype: .fp32, shape: [], data: Data()).elementCount == 1)
        #expect(InferTensor(name: "a", datatype: .fp32, shape: [-1, 3], data: Data()).elementCount == 0)
        #expect(InferTensor(name: "a", datatype: .fp32, shape: [.max, .max], data: Data()).elementCount == 0)
    }

    @Test("parameters decode from Codable JSON by kind and encode back")
    func parameterCodable() throws {
        let json = #"{"a":true,"b":7,"c":0.5,"d":"s"}"#
        let decoded = try JSONDecoder().decode(InferParameters.self, from: Data(json.utf8))
        #expect(decoded == ["a": .bool(true), "b": .int(7), "c": .double(0.5), "d": .string("s")])
        let again = try JSONDecoder().decode(InferParameters.self, from: try JSONEncoder().encode(decoded))
        #expect(again == decoded)
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(InferParameters.self, from: Data(#"{"a":[1]}"#.utf8))
        }
        #expect(InferParameter.double(3).intValue == 3)
        #expect(InferParameter.double(3.5).intValue == nil)
        #expect(InferParameter.string("x").boolValue == nil)
    }
}
