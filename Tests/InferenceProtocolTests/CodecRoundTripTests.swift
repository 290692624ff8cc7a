import Foundation
import InferenceProtocol
import Testing

@Suite("Codec round trips")
struct CodecRoundTripTests {
    @Test("every datatype with extreme values survives JSON", arguments: extremeTensors())
    func jsonRoundTrip(tensor: InferTensor) throws {
        let request = InferRequest(id: "rt", inputs: [tensor])
        let encoded = try InferenceCodec.encodeRequest(request, binaryInputs: false)
        #expect(encoded.jsonHeaderLength == nil)
        #expect(encoded.contentType == "application/json")
        let decoded = try InferenceCodec.decodeRequest(encoded.body, jsonHeaderLength: nil)
        #expect(decoded == request)
        #expect(decoded.inputs[0].data == tensor.data, "bit-exact data for \(tensor.datatype)")
    }

    @Test("every datatype with extreme values survives binary", arguments: extremeTensors())
    func binaryRoundTrip(tensor: InferTensor) throws {
        let request = InferRequest(inputs: [tensor])
        let encoded = try InferenceCodec.encodeRequest(request, binaryInputs: true)
        #expect(encoded.jsonHeaderLength != nil)
        #expect(encoded.contentType == "application/octet-stream")
        let (json, binary) = split(encoded)
        #expect(binary == tensor.data, "the blob is the tensor's binary layout, unchanged")
        #expect(json.contains("\"binary_data_size\":\(tensor.data.count)"))
        #expect(!json.contains("\"data\""))
        let decoded = try InferenceCodec.decodeRequest(encoded.body, jsonHeaderLength: encoded.jsonHeaderLength)
        #expect(decoded == request)
    }

    @Test("extreme integers are written exactly in JSON, never through a Double")
    func exactIntegers() throws {
        let request = InferRequest(inputs: extremeTensors().filter { $0.datatype == .int64 || $0.datatype == .uint64 })
        let (json, _) = split(try InferenceCodec.encodeRequest(request, binaryInputs: false))
        #expect(json.contains("[-9223372036854775808,9223372036854775807,-1,9007199254740993]"))
        #expect(json.contains("[0,18446744073709551615,9007199254740993,9223372036854775808]"))
    }

    @Test("a response with binary and JSON outputs round-trips and keeps its envelope")
    func responseRoundTrip() throws {
        let tensors = extremeTensors()
        let response = InferResponse(
            modelName: "densenet", modelVersion: "3", id: "req-7",
            parameters: ["sequence_end": true, "count": 3, "ratio": 0.25, "note": "ok"], outputs: tensors)
        let binaryNames: Set = ["fp32", "bytes", "bool", "int64"]
        let encoded = try InferenceCodec.encodeResponse(response, binaryOutputs: binaryNames)
        let (json, binary) = split(encoded)
        let expectedBinary = tensors.filter { binaryNames.contains($0.name) }.reduce(Data()) { $0 + $1.data }
        #expect(binary == expectedBinary, "blobs follow the JSON in output order")
        #expect(json.hasPrefix("{\"model_name\":\"densenet\",\"model_version\":\"3\",\"id\":\"req-7\""))
        let decoded = try InferenceCodec.decodeResponse(encoded.body, jsonHeaderLength: encoded.jsonHeaderLength)
        #expect(decoded == response)
    }

    @Test("one request mixes binary and JSON inputs")
    func mixedRequest() throws {
        let tensors = extremeTensors()
        let request = InferRequest(
            id: "mixed", parameters: ["priority": 2],
            inputs: tensors,
            outputs: [InferRequestedOutput(name: "out", binaryData: true, classification: 3)])
        let binaryNames: Set = ["uint8", "fp16", "bytes"]
        let encoded = try InferenceCodec.encodeRequest(request, binaryInputNames: binaryNames)
        let (json, binary) = split(encoded)
        #expect(binary.count == tensors.filter { binaryNames.contains($0.name) }.reduce(0) { $0 + $1.data.count })
        #expect(
            json.contains("\"outputs\":[{\"name\":\"out\",\"parameters\":{\"binary_data\":true,\"classification\":3}}]")
        )
        let decoded = try InferenceCodec.decodeRequest(encoded.body, jsonHeaderLength: encoded.jsonHeaderLength)
        #expect(decoded == request)
        #expect(decoded.outputs[0].binaryData == true)
        #expect(decoded.outputs[0].classification == 3)
    }

    @Test("the JSON form is exactly the KServe v2 wire format")
    func goldenJSON() throws {
        let request = InferRequest(
            id: "r1", parameters: ["priority": 1],
            inputs: [InferTensor(name: "INPUT0", shape: [1, 2], values: [Int32(1), -2])],
            outputs: [InferRequestedOutput(name: "OUTPUT0", binaryData: true)])
        let encoded = try InferenceCodec.encodeRequest(request, binaryInputs: false)
        #expect(
            String(decoding: encoded.body, as: UTF8.self)
                == #"{"id":"r1","parameters":{"priority":1},"inputs":[{"name":"INPUT0","datatype":"INT32","#
                + #""shape":[1,2],"data":[1,-2]}],"outputs":[{"name":"OUTPUT0","parameters":{"binary_data":true}}]}"#)
    }

    @Test("the binary form is the JSON header, then little-endian blobs in tensor order")
    func goldenBinary() throws {
        let request = InferRequest(inputs: [
            InferTensor(name: "A", shape: [2], values: [Int32(1), -2]),
            InferTensor(name: "B", shape: [1], strings: ["hi"]),
        ])
        let encoded = try InferenceCodec.encodeRequest(request, binaryInputs: true)
        let header =
            #"{"inputs":[{"name":"A","datatype":"INT32","shape":[2],"parameters":{"binary_data_size":8}},"#
            + #"{"name":"B","datatype":"BYTES","shape":[1],"parameters":{"binary_data_size":6}}]}"#
        #expect(encoded.jsonHeaderLength == header.utf8.count)
        let expected = Data(header.utf8) + Data([1, 0, 0, 0, 0xFE, 0xFF, 0xFF, 0xFF, 2, 0, 0, 0, 0x68, 0x69])
        #expect(encoded.body == expected)
    }

    @Test("a response encodes as Triton's: model_name first, binary outputs with binary_data_size")
    func goldenResponse() throws {
        let response = InferResponse(
            modelName: "simple", modelVersion: "1",
            outputs: [
                InferTensor(name: "OUTPUT0", shape: [1, 2], values: [Float(0.5), -1.25]),
                InferTensor(name: "OUTPUT1", shape: [1], values: [true]),
            ])
        let encoded = try InferenceCodec.encodeResponse(response, binaryOutputs: ["OUTPUT1"])
        let (json, binary) = split(encoded)
        #expect(
            json == #"{"model_name":"simple","model_version":"1","outputs":[{"name":"OUTPUT0","datatype":"FP32","#
                + #""shape":[1,2],"data":[0.5,-1.25]},{"name":"OUTPUT1","datatype":"BOOL","shape":[1],"#
                + #""parameters":{"binary_data_size":1}}]}"#)
        #expect(binary == Data([1]))
    }

    @Test("Triton's documented binary request, with spaces and keys in any order, decodes")
    func tritonStyleBinaryRequest() throws {
        let json = """
            {
              "model_name" : "mymodel",
              "inputs" : [
                { "name" : "input0", "shape" : [ 2, 2 ], "datatype" : "UINT32",
                  "parameters" : { "binary_data_size" : 16 } },
                { "data" : [ [1.5, 2.5], [3.5, 4.5] ], "shape" : [ 2, 2 ], "datatype" : "FP32", "name" : "input1" }
              ],
              "outputs" : [ { "name" : "output0", "parameters" : { "binary_data" : true } } ]
            }
            """
        let (body, headerLength) = binaryBody(json: json, blobs: [littleEndianBytes([UInt32(1), 2, 3, 4])])
        let request = try InferenceCodec.decodeRequest(body, jsonHeaderLength: headerLength)
        #expect(try request.inputs[0].values(as: UInt32.self) == [1, 2, 3, 4])
        #expect(request.inputs[0].parameters.isEmpty, "binary_data_size is consumed by the codec")
        #expect(try request.inputs[1].values(as: Float.self) == [1.5, 2.5, 3.5, 4.5])
        #expect(request.outputs == [InferRequestedOutput(name: "output0", binaryData: true)])
    }

    @Test("nested data arrays are flattened row-major")
    func nestedData() throws {
        let request = try decodeRequest(
            json: #"{"inputs":[{"name":"x","datatype":"INT16","shape":[2,2,2],"data":[[[1,2],[3,4]],[[5,6],[7,8]]]}]}"#)
        #expect(try request.inputs[0].values(as: Int16.self) == [1, 2, 3, 4, 5, 6, 7, 8])
    }

    @Test("a scalar tensor (shape []) holds one element, in JSON and binary")
    func scalarTensor() throws {
        let request = InferRequest(inputs: [InferTensor(name: "s", shape: [], values: [Double(2.5)])])
        for binary in [false, true] {
            let encoded = try InferenceCodec.encodeRequest(request, binaryInputs: binary)
            #expect(
                try InferenceCodec.decodeRequest(encoded.body, jsonHeaderLength: encoded.jsonHeaderLength) == request)
        }
        #expect(
            try decodeRequest(json: #"{"inputs":[{"name":"s","datatype":"FP64","shape":[],"data":2.5}]}"#) == request)
    }

    @Test("an empty tensor (a zero dimension) round-trips")
    func emptyTensor() throws {
        let request = InferRequest(inputs: [InferTensor(name: "e", shape: [0, 4], values: [Float]())])
        for binary in [false, true] {
            let encoded = try InferenceCodec.encodeRequest(request, binaryInputs: binary)
            #expect(
                try InferenceCodec.decodeRequest(encoded.body, jsonHeaderLength: encoded.jsonHeaderLength) == request)
        }
    }

    @Test("parameters keep their kinds: bool, int, double, string")
    func parameterKinds() throws {
        let request = try decodeRequest(
            json: #"{"parameters":{"a":true,"b":-42,"c":1.5,"d":"x\"y","e":1e2,"f":9223372036854775807},"inputs":[]}"#)
        #expect(request.parameters == ["a": true, "b": -42, "c": 1.5, "d": "x\"y", "e": 100.0, "f": .int(.max)])
        let encoded = try InferenceCodec.encodeRequest(request, binaryInputs: false)
        #expect(try InferenceCodec.decodeRequest(encoded.body, jsonHeaderLength: nil) == request)
    }

    @Test("unknown fields are ignored, so a batch item with extra keys decodes as a request")
    func unknownFields() throws {
        let request = try decodeRequest(
            json: #"{"job_id":"j1","item_id":7,"model":"m","extra":{"deep":[1,{"x":null}]},"#
                + #""inputs":[{"name":"x","datatype":"INT8","shape":[1],"data":[5],"future":[true]}]}"#)
        #expect(try request.inputs[0].values(as: Int8.self) == [5])
    }

    @Test("shared-memory tensors carry no data and keep their region parameters")
    func sharedMemory() throws {
        let request = try decodeRequest(
            json: #"{"inputs":[{"name":"x","datatype":"FP32","shape":[4],"#
                + #""parameters":{"shared_memory_region":"r0","shared_memory_byte_size":16}}]}"#)
        #expect(request.inputs[0].usesSharedMemory)
        #expect(request.inputs[0].data.isEmpty)
        try request.validate()
        let encoded = try InferenceCodec.encodeRequest(request, binaryInputs: true)
        #expect(encoded.jsonHeaderLength == nil, "no blob for a shared-memory tensor")
        #expect(try InferenceCodec.decodeRequest(encoded.body, jsonHeaderLength: nil) == request)
    }

    @Test("binaryOutputNames follows binary_data per output and binary_data_output for the rest")
    func binaryOutputNames() {
        let response = InferResponse(
            modelName: "m",
            outputs: ["a", "b", "c"].map { InferTensor(name: $0, shape: [1], values: [Int8(1)]) })
        var request = InferRequest(inputs: [], outputs: [InferRequestedOutput(name: "a", binaryData: true)])
        #expect(request.binaryOutputNames(in: response) == ["a"])
        request.binaryDataOutput = true
        request.outputs.append(InferRequestedOutput(name: "b", binaryData: false))
        #expect(request.binaryOutputNames(in: response) == ["a", "c"])
    }
}
