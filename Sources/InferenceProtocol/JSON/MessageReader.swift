import Foundation

/// Reads the JSON part of KServe v2 inference requests and responses.
///
/// Tensors sent as binary data come back with empty `data` and their `binary_data_size`; the codec then
/// attaches the blobs. Unknown fields are skipped, so a v2 request embedded in a larger JSON document
/// (e.g. a batch item) reads as well.
enum MessageReader {
    /// A tensor read from JSON, and the size of its binary blob when its data follows the JSON.
    struct TensorEntry {
        var tensor: InferTensor
        var binarySize: Int?
    }

    /// Reads an inference request's JSON.
    static func readRequest(_ json: UnsafeRawBufferPointer) throws -> (InferRequest, [TensorEntry]) {
        var extras: [String: InferParameter] = [:]
        return try readRequest(json, capturing: [], into: &extras)
    }

    /// Reads a request's JSON and the top-level fields named in `fields` that hold a boolean, a
    /// number or a string (into `extras`; `null` leaves a field out, any other value throws).
    static func readRequest(
        _ json: UnsafeRawBufferPointer, capturing fields: Set<String>, into extras: inout [String: InferParameter]
    ) throws -> (InferRequest, [TensorEntry]) {
        var scanner = JSONScanner(json)
        var id: String?
        var parameters: InferParameters = [:]
        var inputs: [TensorEntry]?
        var outputs: [InferRequestedOutput] = []
        try scanner.beginObject()
        var first = true
        while let key = try scanner.nextKey(first: &first) {
            scanner.path = key
            switch key {
            case "id": id = try scanner.readOptionalString()
            case "parameters": parameters = try scanner.readParameters()
            case "inputs": inputs = try readTensors(&scanner, field: "inputs", role: "input")
            case "outputs": outputs = try readRequestedOutputs(&scanner)
            case _ where fields.contains(key):
                if let value = try scanner.readScalar() { extras[key] = value }
            default: try scanner.skipValue()
            }
        }
        scanner.path = ""
        try scanner.expectEnd()
        guard let inputs else { throw InferenceProtocolError.invalidField("inputs", "is missing from the request") }
        let request = InferRequest(id: id, parameters: parameters, inputs: inputs.map(\.tensor), outputs: outputs)
        return (request, inputs)
    }

    /// Reads an inference response's JSON.
    static func readResponse(_ json: UnsafeRawBufferPointer) throws -> (InferResponse, [TensorEntry]) {
        var scanner = JSONScanner(json)
        var modelName: String?
        var modelVersion: String?
        var id: String?
        var parameters: InferParameters = [:]
        var outputs: [TensorEntry] = []
        try scanner.beginObject()
        var first = true
        while let key = try scanner.nextKey(first: &first) {
            scanner.path = key
            switch key {
            case "model_name": modelName = try scanner.readString()
            case "model_version": modelVersion = try scanner.readOptionalString()
            case "id": id = try scanner.readOptionalString()
            case "parameters": parameters = try scanner.readParameters(strict: false)
            case "outputs": outputs = try readTensors(&scanner, field: "outputs", role: "output")
            default: try scanner.skipValue()
            }
        }
        scanner.path = ""
        try scanner.expectEnd()
        guard let modelName else {
            throw InferenceProtocolError.invalidField("model_name", "is missing from the response")
        }
        let response = InferResponse(
            modelName: modelName, modelVersion: modelVersion, id: id, parameters: parameters,
            outputs: outputs.map(\.tensor))
        return (response, outputs)
    }

    private static func readTensors(_ scanner: inout JSONScanner, field: String, role: String) throws -> [TensorEntry] {
        var entries: [TensorEntry] = []
        try scanner.beginArray()
        var first = true
        while try scanner.nextElement(first: &first) {
            entries.append(try readTensor(&scanner, path: "\(field)[\(entries.count)]", role: role))
        }
        return entries
    }

    private static func readTensor(_ scanner: inout JSONScanner, path: String, role: String) throws -> TensorEntry {
        scanner.path = path
        let objectStart = scanner.position
        try scanner.beginObject()
        var name: String?
        var datatypeName: String?
        var datatypeOffset = 0
        var shape: [Int64]?
        var parameters: InferParameters = [:]
        var data: Data?
        var deferredDataOffset: Int?
        var first = true
        while let key = try scanner.nextKey(first: &first) {
            scanner.path = "\(path).\(key)"
            switch key {
            case "name": name = try scanner.readString()
            case "datatype":
                scanner.skipWhitespace()
                datatypeOffset = scanner.position
                datatypeName = try scanner.readString()
            case "shape": shape = try readShape(&scanner)
            case "parameters": parameters = try scanner.readParameters(strict: role == "input")
            case "data":
                let label = "\(role) '\(name ?? path)'"
                if let datatypeName, let datatype = TensorDatatype(rawValue: datatypeName), let shape {
                    let count = InferTensor.elementCount(of: shape)
                    data = try TensorDataReader.read(&scanner, datatype: datatype, expectedCount: count, label: label)
                } else {
                    // The datatype comes later: remember where the data is and read it once it is known.
                    scanner.skipWhitespace()
                    deferredDataOffset = scanner.position
                    try scanner.skipValue()
                }
            default: try scanner.skipValue()
            }
        }
        guard let name else { throw InferenceProtocolError.invalidField(path + ".name", "is missing", at: objectStart) }
        let label = "\(role) '\(name)'"
        guard let datatypeName else {
            throw InferenceProtocolError.invalidField(path + ".datatype", "is missing", at: objectStart)
        }
        guard let datatype = TensorDatatype(rawValue: datatypeName) else {
            let known = TensorDatatype.allCases.map(\.rawValue).joined(separator: ", ")
            throw InferenceProtocolError(
                .unknownDatatype, "\(label) has unknown datatype '\(datatypeName)'; expected one of \(known)",
                byteOffset: datatypeOffset)
        }
        guard let shape else {
            throw InferenceProtocolError.invalidField(path + ".shape", "is missing", at: objectStart)
        }
        if let offset = deferredDataOffset {
            var dataScanner = JSONScanner(scanner.bytes, position: offset)
            dataScanner.path = path + ".data"
            let count = InferTensor.elementCount(of: shape)
            data = try TensorDataReader.read(&dataScanner, datatype: datatype, expectedCount: count, label: label)
        }
        var binarySize: Int?
        if let sizeParameter = parameters.removeValue(forKey: "binary_data_size") {
            guard case .int(let size) = sizeParameter, size >= 0, let size = Int(exactly: size) else {
                throw InferenceProtocolError.invalidField(
                    path + ".parameters.binary_data_size", "must be a non-negative integer", at: objectStart)
            }
            guard data == nil else {
                throw InferenceProtocolError.invalidField(
                    path, "has both 'data' and a binary_data_size parameter; send one or the other", at: objectStart)
            }
            binarySize = size
        }
        let tensor = InferTensor(
            name: name, datatype: datatype, shape: shape, data: data ?? Data(), parameters: parameters)
        if data == nil && binarySize == nil && !tensor.usesSharedMemory {
            throw InferenceProtocolError.invalidField(
                path, "(\(label)) has neither 'data' nor a binary_data_size parameter", at: objectStart)
        }
        return TensorEntry(tensor: tensor, binarySize: binarySize)
    }

    private static func readShape(_ scanner: inout JSONScanner) throws -> [Int64] {
        var shape: [Int64] = []
        try scanner.beginArray()
        var first = true
        while try scanner.nextElement(first: &first) {
            shape.append(try scanner.readInt64())
        }
        return shape
    }

    private static func readRequestedOutputs(_ scanner: inout JSONScanner) throws -> [InferRequestedOutput] {
        var outputs: [InferRequestedOutput] = []
        try scanner.beginArray()
        var first = true
        while try scanner.nextElement(first: &first) {
            let path = "outputs[\(outputs.count)]"
            scanner.path = path
            let objectStart = scanner.position
            try scanner.beginObject()
            var name: String?
            var parameters: InferParameters = [:]
            var firstKey = true
            while let key = try scanner.nextKey(first: &firstKey) {
                scanner.path = "\(path).\(key)"
                switch key {
                case "name": name = try scanner.readString()
                case "parameters": parameters = try scanner.readParameters()
                default: try scanner.skipValue()
                }
            }
            guard let name else {
                throw InferenceProtocolError.invalidField(path + ".name", "is missing", at: objectStart)
            }
            outputs.append(InferRequestedOutput(name: name, parameters: parameters))
        }
        return outputs
    }
}

extension JSONScanner {
    /// Reads a `parameters` object (or `null`, read as empty): booleans, integers, numbers and strings.
    ///
    /// Other values (objects, arrays, `null`) throw when `strict`, and are dropped otherwise: requests are
    /// held to the protocol, responses from a server are read leniently.
    mutating func readParameters(strict: Bool = true) throws -> InferParameters {
        if try readNull() { return [:] }
        let base = path
        var parameters: InferParameters = [:]
        try beginObject()
        var first = true
        while let key = try nextKey(first: &first) {
            path = "\(base).\(key)"
            if Self.startsScalar(peek()) {
                parameters[key] = try readScalar()
            } else if strict {
                throw wrongType("must be a boolean, a number or a string")
            } else {
                try skipValue()
            }
        }
        path = base
        return parameters
    }

    /// Reads a boolean, a number or a string; `null` is nil; anything else throws.
    mutating func readScalar() throws -> InferParameter? {
        switch peek() ?? 0 {
        case UInt8(ascii: "t"), UInt8(ascii: "f"):
            return .bool(try readBool())
        case UInt8(ascii: "\""):
            return .string(try readString())
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            let number = try readNumber()
            if number.isInteger, let value = Int64(text(of: number.range)) { return .int(value) }
            return .double(number.doubleValue(in: self).value)
        case UInt8(ascii: "n"):
            try readLiteral("null")
            return nil
        default:
            throw wrongType("must be a boolean, a number or a string")
        }
    }

    private static func startsScalar(_ byte: UInt8?) -> Bool {
        switch byte ?? 0 {
        case UInt8(ascii: "t"), UInt8(ascii: "f"), UInt8(ascii: "\""), UInt8(ascii: "-"),
            UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        default: false
        }
    }

    /// Reads a string, or `null` as nil.
    mutating func readOptionalString() throws -> String? {
        try readNull() ? nil : try readString()
    }

    /// Consumes `null` if it is next.
    mutating func readNull() throws -> Bool {
        guard peek() == UInt8(ascii: "n") else { return false }
        try readLiteral("null")
        return true
    }
}
