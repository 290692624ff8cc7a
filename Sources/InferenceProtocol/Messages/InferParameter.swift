/// One value of a KServe v2 `parameters` object: a boolean, an integer, a floating-point number or a string.
///
/// JSON numbers written without a fraction or exponent decode as `.int`, the others as `.double`.
public enum InferParameter: Sendable, Hashable {
    /// `true` or `false`.
    case bool(Bool)
    /// An integer; 64 bits, so large values round-trip exactly.
    case int(Int64)
    /// A floating-point number; must be finite to be written as JSON.
    case double(Double)
    /// A string.
    case string(String)

    /// The boolean, if this is `.bool`.
    public var boolValue: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    /// The integer, if this is `.int`, or a `.double` with an integral value that fits.
    public var intValue: Int64? {
        switch self {
        case .int(let value): return value
        case .double(let value): return Int64(exactly: value)
        default: return nil
        }
    }

    /// The number, if this is `.int` or `.double`.
    public var doubleValue: Double? {
        switch self {
        case .int(let value): return Double(value)
        case .double(let value): return value
        default: return nil
        }
    }

    /// The string, if this is `.string`.
    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }
}

/// A KServe v2 `parameters` object: names to values.
public typealias InferParameters = [String: InferParameter]

extension InferParameter: Codable {
    /// Decodes a JSON boolean, integer, number or string; anything else is a type mismatch.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Int64.self) {
            self = .int(value)
        } else if let value = try? container.decode(Double.self) {
            self = .double(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else {
            throw DecodingError.typeMismatch(
                InferParameter.self,
                .init(
                    codingPath: decoder.codingPath,
                    debugDescription: "a parameter must be a boolean, a number or a string"))
        }
    }

    /// Encodes the bare value.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .bool(let value): try container.encode(value)
        case .int(let value): try container.encode(value)
        case .double(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        }
    }
}

extension InferParameter: CustomStringConvertible {
    /// The value as JSON would show it (strings quoted).
    public var description: String {
        switch self {
        case .bool(let value): "\(value)"
        case .int(let value): "\(value)"
        case .double(let value): "\(value)"
        case .string(let value): "\"\(value)\""
        }
    }
}

extension InferParameter: ExpressibleByBooleanLiteral {
    /// `.bool(value)`.
    public init(booleanLiteral value: Bool) {
        self = .bool(value)
    }
}

extension InferParameter: ExpressibleByIntegerLiteral {
    /// `.int(value)`.
    public init(integerLiteral value: Int64) {
        self = .int(value)
    }
}

extension InferParameter: ExpressibleByFloatLiteral {
    /// `.double(value)`.
    public init(floatLiteral value: Double) {
        self = .double(value)
    }
}

extension InferParameter: ExpressibleByStringLiteral {
    /// `.string(value)`.
    public init(stringLiteral value: String) {
        self = .string(value)
    }
}
