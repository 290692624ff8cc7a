import Foundation
import InferenceProtocol
import Testing

@Suite("Malformed bodies are refused with clear messages")
struct MalformedInputTests {
    static let header =
        #"{"inputs":[{"name":"x","datatype":"FP32","shape":[2,2],"parameters":{"binary_data_size":16}}]}"#

    private func decodeFailure(
        _ body: Data, headerLength: Int?, sourceLocation: SourceLocation = #_sourceLocation
    ) -> InferenceProtocolError? {
        #expect(throws: InferenceProtocolError.self, sourceLocation: sourceLocation) {
            try InferenceCodec.decodeRequest(body, jsonHeaderLength: headerLength)
        }
    }

    private func jsonFailure(_ json: String, sourceLocation: SourceLocation = #_sourceLocation)
        -> InferenceProtocolError?
    {
        decodeFailure(Data(json.utf8), headerLength: nil, sourceLocation: sourceLocation)
    }

    @Test("a truncated binary part names both sizes")
    func truncatedBinary() throws {
        let (body, length) = binaryBody(json: Self.header, blobs: [Array(repeating: 0, count: 12)])
        let error = try #require(decodeFailure(body, headerLength: length))
        #expect(error.code == .binarySizeMismatch)
        #expect(error.message.contains("ends early"))
        #expect(error.message.contains("16 bytes but 12 bytes"))
    }

    @Test("extra bytes after the declared blobs are refused")
    func extraBinary() throws {
        let (body, length) = binaryBody(json: Self.header, blobs: [Array(repeating: 0, count: 20)])
        let error = try #require(decodeFailure(body, headerLength: length))
        #expect(error.code == .binarySizeMismatch)
        #expect(error.message.contains("extra bytes"))
    }

    @Test("a header length larger than the body is refused")
    func headerTooLong() throws {
        let (body, _) = binaryBody(json: Self.header, blobs: [Array(repeating: 0, count: 16)])
        let error = try #require(decodeFailure(body, headerLength: body.count + 1))
        #expect(error.code == .binarySizeMismatch)
        #expect(
            error.message
                == "Inference-Header-Content-Length is \(body.count + 1) but the body has only \(body.count) bytes")
        #expect(decodeFailure(body, headerLength: -1)?.code == .binarySizeMismatch)
    }

    @Test("a header length cutting the JSON short is malformed JSON")
    func headerTooShort() throws {
        let (body, length) = binaryBody(json: Self.header, blobs: [Array(repeating: 0, count: 16)])
        let error = try #require(decodeFailure(body, headerLength: length - 3))
        #expect(error.code == .malformedJSON)
    }

    @Test("a blob whose size disagrees with shape × element size is refused, naming the tensor")
    func wrongBlobSize() throws {
        let json = #"{"inputs":[{"name":"x","datatype":"FP32","shape":[2,2],"parameters":{"binary_data_size":12}}]}"#
        let (body, length) = binaryBody(json: json, blobs: [Array(repeating: 0, count: 12)])
        let error = try #require(decodeFailure(body, headerLength: length))
        #expect(error.code == .binarySizeMismatch)
        #expect(error.message == "input 'x': binary_data_size is 12 bytes but shape [2,2] of FP32 needs 16 bytes")
    }

    @Test("binary_data_size without the header length, or with data, or not an integer, is refused")
    func binarySizeMisuse() throws {
        #expect(jsonFailure(Self.header)?.code == .binarySizeMismatch)
        let both =
            #"{"inputs":[{"name":"x","datatype":"INT8","shape":[1],"data":[1],"parameters":{"binary_data_size":1}}]}"#
        #expect(jsonFailure(both)?.message.contains("both 'data' and a binary_data_size") == true)
        let fraction = #"{"inputs":[{"name":"x","datatype":"INT8","shape":[1],"parameters":{"binary_data_size":1.5}}]}"#
        #expect(jsonFailure(fraction)?.code == .invalidField)
    }

    @Test("a BYTES blob whose length prefix overruns is refused")
    func bytesOverrun() throws {
        let json = #"{"inputs":[{"name":"s","datatype":"BYTES","shape":[1],"parameters":{"binary_data_size":6}}]}"#
        let (body, length) = binaryBody(json: json, blobs: [[9, 0, 0, 0, 0x61, 0x62]])
        let error = try #require(decodeFailure(body, headerLength: length))
        #expect(error.code == .invalidTensor)
        #expect(error.message == "input 's': BYTES element 0 declares 9 bytes but only 2 remain")
    }

    @Test("an unknown datatype lists the known ones")
    func unknownDatatype() throws {
        let error = try #require(jsonFailure(#"{"inputs":[{"name":"x","datatype":"FP8","shape":[1],"data":[1]}]}"#))
        #expect(error.code == .unknownDatatype)
        #expect(error.message.hasPrefix("input 'x' has unknown datatype 'FP8'; expected one of BOOL, UINT8"))
        #expect(error.byteOffset == 34, "the offset of the datatype's value")
    }

    @Test("a negative dimension is refused")
    func negativeDimension() throws {
        let error = try #require(jsonFailure(#"{"inputs":[{"name":"x","datatype":"INT8","shape":[-1,2],"data":[]}]}"#))
        #expect(error.code == .invalidTensor)
        #expect(error.message == "input 'x': shape [-1,2] has a negative dimension")
    }

    @Test("JSON data whose count disagrees with the shape is refused")
    func countMismatch() throws {
        let error = try #require(jsonFailure(#"{"inputs":[{"name":"x","datatype":"INT32","shape":[3],"data":[1,2]}]}"#))
        #expect(error.message == "input 'x': shape [3] × 4-byte INT32 needs 12 bytes, data has 8")
    }

    @Test(
        "invalid JSON reports the byte offset and the field",
        arguments: [
            (#"{"inputs":[{"name":"x","datatype":"INT8","shape":[1],"data":[1,]}]}"#, 63, "inputs[0].data"),
            (#"{"inputs":[{"name":"x" "datatype":"INT8"}]}"#, 23, "inputs[0].name"),
            (#"{"inputs":[{"name":"x","datatype":"INT8","shape":[1],"data":[01]}]}"#, 62, "inputs[0].data"),
            (#"{"inputs":[]} trailing"#, 14, ""),
            (#"{"id":"unterminated"#, 19, "id"),
            (#"{"inputs":[{"name":"x","datatype":"FP32","shape":[1],"data":[1.]}]}"#, 63, "inputs[0].data"),
        ])
    func invalidJSON(json: String, offset: Int, path: String) throws {
        let error = try #require(jsonFailure(json))
        #expect(error.code == .malformedJSON)
        #expect(error.byteOffset == offset)
        #expect(error.message.hasPrefix("malformed JSON at byte \(offset)"))
        if !path.isEmpty { #expect(error.message.contains("(in \(path))")) }
    }

    @Test(
        "wrong JSON types name the field",
        arguments: [
            (#"{"inputs":{}}"#, "field 'inputs' must be an array"),
            (
                #"{"inputs":[{"name":"x","datatype":"INT8","shape":[1.5],"data":[1]}]}"#,
                "field 'inputs[0].shape' must be an integer"
            ),
            (
                #"{"inputs":[{"name":"x","datatype":"INT8","shape":[1],"data":["a"]}]}"#,
                "field 'inputs[0].data' must be an integer"
            ),
            (
                #"{"inputs":[{"name":"x","datatype":"BOOL","shape":[1],"data":[1]}]}"#,
                "field 'inputs[0].data' must be true or false"
            ),
            (
                #"{"inputs":[{"name":"x","datatype":"BYTES","shape":[1],"data":[1]}]}"#,
                "field 'inputs[0].data' must hold strings"
            ),
            (#"{"inputs":[{"datatype":"INT8","shape":[1],"data":[1]}]}"#, "field 'inputs[0].name' is missing"),
            (#"{"inputs":[{"name":"x","datatype":"INT8","data":[1]}]}"#, "field 'inputs[0].shape' is missing"),
            (#"{"inputs":[{"name":"x","datatype":"INT8","shape":[1]}]}"#, "has neither 'data' nor a binary_data_size"),
            (#"{"id":"x"}"#, "field 'inputs' is missing"),
            (#"{"parameters":{"p":[1]},"inputs":[]}"#, "field 'parameters.p' must be a boolean, a number or a string"),
        ])
    func wrongTypes(json: String, message: String) throws {
        let error = try #require(jsonFailure(json))
        #expect(error.message.contains(message), "\(error.message)")
    }

    @Test("integers out of their datatype's range are refused, naming the value")
    func integerRange() throws {
        let cases: [(String, String)] = [
            ("UINT8", "256"), ("UINT8", "-1"), ("INT8", "128"), ("INT8", "-129"), ("UINT16", "65536"),
            ("INT32", "2147483648"), ("UINT32", "4294967296"), ("INT64", "9223372036854775808"),
            ("UINT64", "18446744073709551616"), ("INT64", "-9223372036854775809"),
        ]
        for (datatype, value) in cases {
            let json = #"{"inputs":[{"name":"x","datatype":"\#(datatype)","shape":[1],"data":[\#(value)]}]}"#
            let error = try #require(jsonFailure(json), "\(datatype) \(value)")
            #expect(error.code == .invalidTensor)
            #expect(
                error.message
                    == "input 'x': value \(value) is out of range for \(datatype) (byte \(json.utf8.count - 4 - value.utf8.count))"
            )
        }
    }

    @Test(
        "floats beyond their datatype's range are refused",
        arguments: [
            ("FP16", "65520"), ("FP32", "3.5e38"), ("FP64", "1e309"), ("BF16", "3.4e38"),
        ])
    func floatRange(datatype: String, value: String) throws {
        let json = #"{"inputs":[{"name":"x","datatype":"\#(datatype)","shape":[1],"data":[\#(value)]}]}"#
        let error = try #require(jsonFailure(json))
        #expect(error.message.hasPrefix("input 'x': value \(value) is out of range for \(datatype) (byte "))
    }

    @Test(
        "ragged nested data is refused even when the count matches",
        arguments: [
            #"[[1,2],[3]]"#, #"[1,[2,3]]"#, #"[[1],2,3]"#, #"[[[1,2]],[[3],[4]]]"#, #"[[],[1,2,3]]"#,
        ])
    func raggedData(data: String) throws {
        let json = #"{"inputs":[{"name":"x","datatype":"INT32","shape":[3],"data":\#(data)}]}"#
        let error = try #require(jsonFailure(json))
        #expect(error.code == .invalidTensor)
        #expect(error.message.hasPrefix("input 'x': 'data' is a ragged nested array"), "\(error.message)")
    }

    @Test("deep nesting is refused instead of exhausting the stack")
    func deepNesting() throws {
        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        #expect(jsonFailure(#"{"inputs":[],"x":\#(deep)}"#)?.message.contains("nesting deeper") == true)
        #expect(
            jsonFailure(#"{"inputs":[{"name":"x","datatype":"INT8","shape":[0],"data":\#(deep)}]}"#)?.message.contains(
                "nesting deeper") == true)
    }

    @Test("lone surrogates and bad escapes in strings are refused")
    func badStrings() throws {
        #expect(jsonFailure(#"{"id":"\ud800","inputs":[]}"#)?.code == .malformedJSON)
        #expect(jsonFailure(#"{"id":"\x","inputs":[]}"#)?.code == .malformedJSON)
        #expect(jsonFailure("{\"id\":\"a\u{01}b\",\"inputs\":[]}")?.message.contains("control character") == true)
        let request = try decodeRequest(json: #"{"id":"\ud83c\udf89 \u00e9\n","inputs":[]}"#)
        #expect(request.id == "🎉 é\n")
    }

    @Test("a response without model_name is refused; decodeResponse checks blobs like requests")
    func badResponse() throws {
        #expect(throws: InferenceProtocolError.self) {
            try InferenceCodec.decodeResponse(Data(#"{"outputs":[]}"#.utf8), jsonHeaderLength: nil)
        }
        let json =
            #"{"model_name":"m","outputs":[{"name":"o","datatype":"INT64","shape":[2],"parameters":{"binary_data_size":8}}]}"#
        let (body, length) = binaryBody(json: json, blobs: [Array(repeating: 0, count: 8)])
        let error = try #require(throws: InferenceProtocolError.self) {
            try InferenceCodec.decodeResponse(body, jsonHeaderLength: length)
        }
        #expect(error.message == "output 'o': binary_data_size is 8 bytes but shape [2] of INT64 needs 16 bytes")
    }

    @Test("responses are read leniently: null ids and versions, non-scalar parameters dropped")
    func lenientResponse() throws {
        let json =
            #"{"model_name":"m","model_version":null,"id":null,"parameters":{"a":1,"trace":{"x":[1]},"n":null},"#
            + #""outputs":[{"name":"o","datatype":"INT8","shape":[1],"parameters":{"extra":[2]},"data":[3]}]}"#
        let response = try InferenceCodec.decodeResponse(Data(json.utf8), jsonHeaderLength: nil)
        #expect(response.modelVersion == nil && response.id == nil)
        #expect(response.parameters == ["a": 1])
        #expect(response.outputs[0].parameters.isEmpty)
        #expect(try response.outputs[0].values(as: Int8.self) == [3])
    }

    @Test("an empty or non-object body is refused")
    func emptyBody() throws {
        #expect(
            decodeFailure(Data(), headerLength: nil)?.message == "malformed JSON at byte 0: unexpected end of input")
        #expect(jsonFailure("[]")?.message == "the body must be an object (byte 0)")
        #expect(jsonFailure("  ")?.code == .malformedJSON)
    }

    @Test("values that JSON cannot carry make JSON encoding fail, binary encoding succeed")
    func notRepresentable() throws {
        let tensors = [
            InferTensor(name: "nan", shape: [2], values: [Float(1), .nan]),
            InferTensor(name: "inf", shape: [1], values: [Double.infinity]),
            InferTensor(name: "half", shape: [1], values: [Float16.infinity]),
            InferTensor(name: "raw", shape: [1], bytes: [Data([0xFF, 0xFE])]),
        ]
        for tensor in tensors {
            let request = InferRequest(inputs: [tensor])
            let error = try #require(throws: InferenceProtocolError.self) {
                try InferenceCodec.encodeRequest(request, binaryInputs: false)
            }
            #expect(error.code == .notRepresentableInJSON)
            #expect(error.message.contains("input '\(tensor.name)'"))
            #expect(error.message.contains("binary data"))
            let encoded = try InferenceCodec.encodeRequest(request, binaryInputs: true)
            let decoded = try InferenceCodec.decodeRequest(encoded.body, jsonHeaderLength: encoded.jsonHeaderLength)
            #expect(decoded.inputs[0].data == tensor.data)
        }
        let parameter = InferRequest(parameters: ["x": .double(.nan)], inputs: [])
        #expect(throws: InferenceProtocolError.self) {
            try InferenceCodec.encodeRequest(parameter, binaryInputs: false)
        }
    }

    @Test("encoding refuses a tensor whose data disagrees with its shape")
    func encodeChecksLayout() throws {
        let tensor = InferTensor(name: "x", datatype: .fp32, shape: [3], data: Data(count: 8))
        let error = try #require(throws: InferenceProtocolError.self) {
            try InferenceCodec.encodeRequest(InferRequest(inputs: [tensor]), binaryInputs: true)
        }
        #expect(error.message == "input 'x': shape [3] × 4-byte FP32 needs 12 bytes, data has 8")
    }
}
