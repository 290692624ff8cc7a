import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdTesting
import KServeHTTP
import NIOPosix
import Testing

/// `HTTPServerBuilder.http1OnEventLoop()`: a connection's handlers run on an event loop, also
/// after awaiting work that another thread completes, which is how an upstream call resumes.
@Suite("HTTP connections served on their event loop")
struct EventLoopHTTPServerTests {
    @Test("the handler runs on an event loop, before and after an await resumed by another thread")
    func onEventLoop() async throws {
        #expect(try await Self.placesSeen(server: .http1OnEventLoop()) == "event loop, event loop")
    }

    @Test("control: Hummingbird's default server runs the same handler off the event loops")
    func defaultServer() async throws {
        #expect(try await Self.placesSeen(server: .http1()) == "elsewhere, elsewhere")
    }

    /// Where a handler ran before and after an await that a plain thread resumes.
    private static func placesSeen(server: HTTPServerBuilder) async throws -> String {
        @Sendable func place() -> String {
            MultiThreadedEventLoopGroup.currentEventLoop == nil ? "elsewhere" : "event loop"
        }
        let router = Router()
        router.get("where") { _, _ -> String in
            let before = place()
            await withCheckedContinuation { continuation in
                Thread { continuation.resume() }.start()
            }
            return "\(before), \(place())"
        }
        let application = Application(
            router: router, server: server, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        return try await application.test(.live) { client in
            try await client.execute(uri: "/where", method: .get) { response in
                String(buffer: response.body)
            }
        }
    }
}
