import GRPCCore
import GRPCNIOTransportHTTP2
import Logging
import ServiceLifecycle

/// A gRPC server (HTTP/2, plaintext: TLS ends in front, as for HTTP) serving the KServe v2
/// inference service and the health service, run as a `Service` beside the HTTP server.
///
/// Calls are balanced per call, not per connection: every `ModelInfer` on one HTTP/2 connection
/// goes through the upstream's routing on its own.
public struct GRPCFrontDoor: Service {
    private let server: GRPCServer<HTTP2ServerTransport.Posix>
    private let logger: Logger

    /// A server on `host:port` (port 0 picks a free one: see ``listeningPort()``) that reads
    /// request messages of at most `maxMessageBytes`.
    public init(
        host: String, port: Int, maxMessageBytes: Int, services: [any RegistrableRPCService], logger: Logger
    ) {
        var config = HTTP2ServerTransport.Posix.Config.defaults
        config.rpc.maxRequestPayloadSize = maxMessageBytes
        let transport = HTTP2ServerTransport.Posix(
            address: .ipv4(host: host, port: port), transportSecurity: .plaintext, config: config)
        self.server = GRPCServer(transport: transport, services: services)
        self.logger = logger
    }

    /// Serves until graceful shutdown, then lets calls in flight finish.
    public func run() async throws {
        try await withGracefulShutdownHandler {
            try await server.serve()
        } onGracefulShutdown: {
            server.beginGracefulShutdown()
        }
    }

    /// The bound port, once the server listens.
    public func listeningPort() async throws -> Int {
        let address = try await server.listeningAddress
        guard let port = address?.ipv4?.port ?? address?.ipv6?.port else {
            throw RPCError(code: .unavailable, message: "the gRPC server has no IP address")
        }
        return port
    }
}
