import CurlHTTP
import Logging

/// Makes ``S3Client``s that share one transport, so that code assembling an application needs
/// no transport of its own.
public struct S3Connector: Sendable {
    private let transport: CurlHTTPTransport

    /// Creates a connector over `transport`, which its owner shuts down.
    public init(transport: CurlHTTPTransport) {
        self.transport = transport
    }

    /// A client for the store `configuration` names; throws as ``S3Client/init(configuration:transport:logger:clock:)``.
    public func client(configuration: S3Configuration, logger: Logger) throws -> S3Client {
        try S3Client(configuration: configuration, transport: transport, logger: logger)
    }
}
