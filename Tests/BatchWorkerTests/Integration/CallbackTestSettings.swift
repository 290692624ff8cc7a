import BatchWorker
import CurlHTTP
import TestSupport

/// The callback settings the stack's worker runs with, so an in-process delivery service and the
/// stack's own (both drain the shared outbox) sign and fence alike.
enum CallbackTestSettings {
    /// `CALLBACK_SIGNING_SECRET` of the stack, or the local stack's default.
    static var secret: String {
        StackEnvironment.current.values["CALLBACK_SIGNING_SECRET"] ?? "local-development-only-callback-secret"
    }

    /// `BATCH_CALLBACK_ALLOW` of the stack, or the local stack's default: loopback on the
    /// ephemeral ports test receivers bind, which no server of the stack uses.
    static var allowList: [String] {
        let text = StackEnvironment.current.values["BATCH_CALLBACK_ALLOW"] ?? "127.0.0.1:32768-60999"
        return text.split(separator: ",").map(String.init)
    }

    /// The delivery configuration: the stack's secret and allow-list, default budget and timeouts.
    static var configuration: CallbackDeliveryConfiguration {
        CallbackDeliveryConfiguration(signingSecret: secret, allowList: allowList)
    }

    /// A delivery service draining the fixture's outbox through `transport`.
    static func deliveryService(fixture: BatchFixture, transport: CurlHTTPTransport) throws -> CallbackDeliveryService {
        try CallbackDeliveryService(
            configuration: configuration, outbox: fixture.store.callbackOutbox, transport: transport,
            logger: BatchFixture.logger)
    }
}
