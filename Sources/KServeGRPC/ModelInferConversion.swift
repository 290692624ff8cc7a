import Foundation
import InferenceProtocol

/// Moves a gRPC `ModelInfer` call to a KServe v2 HTTP body with binary tensors and back.
///
/// `raw_input_contents` become the binary part as they are (one copy, no per-element work); typed
/// `contents` are laid out in Triton's binary form; every output is asked for as binary data and
/// comes back in `raw_output_contents`, as Triton's own gRPC endpoint answers.
public enum ModelInferConversion {
    /// The HTTP body for `request`; throws `badRequest` naming what does not fit.
    public static func body(for request: Inference_ModelInferRequest) throws(InferenceError) -> EncodedBody {
        let raw = request.rawInputContents
        guard raw.isEmpty || raw.count == request.inputs.count else {
            throw .badRequest(
                "raw_input_contents has \(raw.count) entries for \(request.inputs.count) inputs: send one per input")
        }
        var inputs: [InferTensor] = []
        inputs.reserveCapacity(request.inputs.count)
        for (index, input) in request.inputs.enumerated() {
            guard let datatype = TensorDatatype(rawValue: input.datatype) else {
                throw .badRequest("input '\(input.name)' has an unknown datatype '\(input.datatype.prefix(32))'")
            }
            let parameters = try inferParameters(input.parameters, of: "input '\(input.name)'")
            let data: Data
            if !raw.isEmpty {
                guard !input.hasContents else {
                    throw .badRequest(
                        "input '\(input.name)' has contents while raw_input_contents is used: send one or the other")
                }
                data = raw[index]
            } else {
                data = try TypedContents.binaryData(of: input.contents, datatype: datatype, input: input.name)
            }
            inputs.append(
                InferTensor(
                    name: input.name, datatype: datatype, shape: input.shape, data: data, parameters: parameters))
        }
        var outputs: [InferRequestedOutput] = []
        for output in request.outputs {
            var parameters = try inferParameters(output.parameters, of: "output '\(output.name)'")
            parameters[InferRequestedOutput.binaryDataKey] = .bool(true)
            outputs.append(InferRequestedOutput(name: output.name, parameters: parameters))
        }
        var parameters = try inferParameters(request.parameters, of: "the request")
        parameters[InferRequest.binaryDataOutputKey] = .bool(true)
        let body = InferRequest(
            id: request.id.isEmpty ? nil : request.id, parameters: parameters, inputs: inputs, outputs: outputs)
        do {
            return try InferenceCodec.encodeRequest(body, binaryInputs: true)
        } catch let error as InferenceProtocolError {
            throw InferenceError(error)
        } catch {
            throw .badRequest("the request could not be encoded: \(error)")
        }
    }

    /// The gRPC answer for an upstream's successful HTTP answer.
    public static func response(from answer: UpstreamResponse) throws(InferenceError) -> Inference_ModelInferResponse {
        let decoded: InferResponse
        do {
            let length = try InferenceHeaderLength.parse(headers: answer.headers, bodyCount: answer.body.count)
            decoded = try InferenceCodec.decodeResponse(answer.body, jsonHeaderLength: length)
        } catch {
            throw .upstream(status: 502, message: "the upstream's inference answer could not be read: \(error)")
        }
        var response = Inference_ModelInferResponse()
        response.modelName = decoded.modelName
        response.modelVersion = decoded.modelVersion ?? ""
        response.id = decoded.id ?? ""
        response.parameters = grpcParameters(decoded.parameters)
        response.outputs = decoded.outputs.map { output in
            var tensor = Inference_ModelInferResponse.InferOutputTensor()
            tensor.name = output.name
            tensor.datatype = output.datatype.rawValue
            tensor.shape = output.shape
            tensor.parameters = grpcParameters(output.parameters)
            return tensor
        }
        response.rawOutputContents = decoded.outputs.map(\.data)
        return response
    }

    /// gRPC parameters as KServe v2 JSON parameters; a `uint64` above `Int64.max` does not fit.
    static func inferParameters(
        _ parameters: [String: Inference_InferParameter], of owner: String
    ) throws(InferenceError) -> InferParameters {
        var converted: InferParameters = [:]
        for (key, value) in parameters {
            switch value.parameterChoice {
            case .boolParam(let flag): converted[key] = .bool(flag)
            case .int64Param(let number): converted[key] = .int(number)
            case .stringParam(let text): converted[key] = .string(text)
            case .doubleParam(let number): converted[key] = .double(number)
            case .uint64Param(let number):
                guard let number = Int64(exactly: number) else {
                    throw .badRequest("parameter '\(key)' of \(owner) is above the largest supported value")
                }
                converted[key] = .int(number)
            case nil:
                throw .badRequest("parameter '\(key)' of \(owner) has no value")
            }
        }
        return converted
    }

    /// KServe v2 JSON parameters as gRPC parameters.
    static func grpcParameters(_ parameters: InferParameters) -> [String: Inference_InferParameter] {
        parameters.mapValues { value in
            var parameter = Inference_InferParameter()
            switch value {
            case .bool(let flag): parameter.boolParam = flag
            case .int(let number): parameter.int64Param = number
            case .double(let number): parameter.doubleParam = number
            case .string(let text): parameter.stringParam = text
            }
            return parameter
        }
    }
}
