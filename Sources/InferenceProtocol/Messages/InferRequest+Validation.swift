extension InferRequest {
    /// Checks the request on its own: every input has a name, a valid shape and exactly the data its shape
    /// and datatype describe (BYTES length prefixes included); input names and requested output names are
    /// unique and non-empty.
    ///
    /// Throws an `InferenceProtocolError` naming the tensor and what is wrong.
    public func validate() throws {
        var seenInputs: Set<String> = []
        for (position, input) in inputs.enumerated() {
            guard !input.name.isEmpty else {
                throw InferenceProtocolError.validation("input \(position) has an empty name")
            }
            guard seenInputs.insert(input.name).inserted else {
                throw InferenceProtocolError.validation("input '\(input.name)' appears more than once")
            }
            try input.checkLayout(label: "input '\(input.name)'")
        }
        var seenOutputs: Set<String> = []
        for (position, output) in outputs.enumerated() {
            guard !output.name.isEmpty else {
                throw InferenceProtocolError.validation("requested output \(position) has an empty name")
            }
            guard seenOutputs.insert(output.name).inserted else {
                throw InferenceProtocolError.validation("output '\(output.name)' is requested more than once")
            }
            if let parameter = output.parameters[InferRequestedOutput.classificationKey] {
                guard let count = parameter.intValue, count > 0 else {
                    throw InferenceProtocolError.validation(
                        "output '\(output.name)': classification must be a positive integer, got \(parameter)")
                }
            }
        }
    }

    /// Checks the request on its own (`validate()`), then against the model's metadata: every input the
    /// model takes is present (except those in `optionalInputs`), no input is unknown, datatypes match, each
    /// shape fits the model's (where the model says -1, any size fits), and requested outputs exist.
    ///
    /// Model metadata does not say which inputs are optional; pass them when the model config marks some.
    public func validate(against model: ModelMetadata, optionalInputs: Set<String> = []) throws {
        try validate()
        for input in inputs {
            guard let expected = model.input(named: input.name) else {
                let known = model.inputs.map { "'\($0.name)'" }.joined(separator: ", ")
                throw InferenceProtocolError.validation(
                    "input '\(input.name)' is not an input of model '\(model.name)' (it takes \(known))")
            }
            guard expected.datatype == input.datatype.rawValue else {
                throw InferenceProtocolError.validation(
                    "input '\(input.name)': expected datatype \(expected.datatype), got \(input.datatype)")
            }
            guard expected.accepts(shape: input.shape) else {
                throw InferenceProtocolError.validation(
                    "input '\(input.name)': shape \(InferTensor.describe(input.shape)) does not match model shape "
                        + InferTensor.describe(expected.shape))
            }
        }
        let present = Set(inputs.map(\.name))
        for expected in model.inputs where !present.contains(expected.name) && !optionalInputs.contains(expected.name) {
            throw InferenceProtocolError.validation(
                "input '\(expected.name)' is required by model '\(model.name)' but missing")
        }
        for output in outputs where model.output(named: output.name) == nil {
            let known = model.outputs.map { "'\($0.name)'" }.joined(separator: ", ")
            throw InferenceProtocolError.validation(
                "requested output '\(output.name)' is not an output of model '\(model.name)' (it has \(known))")
        }
    }
}
