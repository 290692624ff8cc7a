import Foundation
import InferenceProtocol

/// Lays the typed `contents` of a gRPC input out in Triton's binary form.
///
/// Each datatype reads its own field (`INT8`/`INT16`/`INT32` read `int_contents`, `UINT8`/`UINT16`/
/// `UINT32` `uint_contents`, and so on, as Triton does); a value that does not fit the datatype is
/// refused, not truncated. `FP16` and `BF16` have no typed field and need `raw_input_contents`.
enum TypedContents {
    static func binaryData(
        of contents: Inference_InferTensorContents, datatype: TensorDatatype, input: String
    ) throws(InferenceError) -> Data {
        switch datatype {
        case .bool: return data(contents.boolContents)
        case .int8: return data(try narrowed(contents.intContents, to: Int8.self, input: input))
        case .int16: return data(try narrowed(contents.intContents, to: Int16.self, input: input))
        case .int32: return data(contents.intContents)
        case .int64: return data(contents.int64Contents)
        case .uint8: return data(try narrowed(contents.uintContents, to: UInt8.self, input: input))
        case .uint16: return data(try narrowed(contents.uintContents, to: UInt16.self, input: input))
        case .uint32: return data(contents.uintContents)
        case .uint64: return data(contents.uint64Contents)
        case .fp32: return data(contents.fp32Contents)
        case .fp64: return data(contents.fp64Contents)
        case .bytes: return InferTensor(name: input, shape: [], bytes: contents.bytesContents).data
        case .fp16, .bf16:
            throw .badRequest(
                "input '\(input)' is \(datatype.rawValue), which has no typed contents: send it in raw_input_contents")
        }
    }

    private static func data<T: TensorScalar>(_ values: [T]) -> Data {
        InferTensor(name: "", shape: [Int64(values.count)], values: values).data
    }

    private static func narrowed<Wide: BinaryInteger, Narrow: FixedWidthInteger & TensorScalar>(
        _ values: [Wide], to type: Narrow.Type, input: String
    ) throws(InferenceError) -> [Narrow] {
        var narrowed: [Narrow] = []
        narrowed.reserveCapacity(values.count)
        for value in values {
            guard let fitted = Narrow(exactly: value) else {
                throw .badRequest(
                    "input '\(input)' holds \(value), which does not fit \(Narrow.tensorDatatype.rawValue)")
            }
            narrowed.append(fitted)
        }
        return narrowed
    }
}
