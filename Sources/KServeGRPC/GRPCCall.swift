import GRPCCore
import InferenceProtocol

/// One gRPC call as the admission policy sees it, before anything goes upstream.
public struct GRPCCall: Sendable {
    /// The method's name, e.g. `ModelInfer`.
    public var method: String
    /// The model the call names, if any.
    public var model: String?
    /// The request's ASCII metadata (names lower-case), e.g. `x-api-key`, `authorization`.
    public var metadata: [(name: String, value: String)]
    /// The client's address as the transport reports it.
    public var peer: String

    /// Creates a call description.
    public init(method: String, model: String?, metadata: [(name: String, value: String)], peer: String) {
        self.method = method
        self.model = model
        self.metadata = metadata
        self.peer = peer
    }

    /// The first value of a metadata entry, by lower-case name.
    public func value(_ name: String) -> String? {
        metadata.first { $0.name == name }?.value
    }

    /// Whether the call only asks if the server is up (`ServerLive`, `ServerReady`), which is
    /// open like the HTTP health routes.
    public var isHealthProbe: Bool { method == "ServerLive" || method == "ServerReady" }

    static func metadataPairs(_ metadata: Metadata) -> [(name: String, value: String)] {
        var pairs: [(name: String, value: String)] = []
        for (key, value) in metadata {
            if case .string(let text) = value { pairs.append((name: key.lowercased(), value: text)) }
        }
        return pairs
    }
}

/// Admission of gRPC calls: the gateway's authentication, scopes and rate limits; none on the
/// router, which is internal.
public protocol GRPCCallPolicy: Sendable {
    /// Lets `call` through and returns the principal it was admitted as (nil when the policy does
    /// not authenticate, or for an open call), or throws the ``InferenceError`` that refuses it.
    func admit(_ call: GRPCCall) async throws -> String?
}

/// Admits every call (the router's surface).
public struct AdmitAllCalls: GRPCCallPolicy {
    /// Creates the policy.
    public init() {}

    public func admit(_ call: GRPCCall) async throws -> String? { nil }
}
