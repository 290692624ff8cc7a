import HummingbirdCore
import Logging
import NIOCore

extension HTTPServerBuilder {
    /// HTTP/1.1 whose connections run on the event loop that owns their socket.
    ///
    /// Hummingbird serves each connection in a task on Swift's cooperative pool, so every request
    /// crosses from the event loop to the pool and every response back. Here the connection's task
    /// prefers its channel's event loop as its executor, so reading, handling and writing stay on
    /// one thread, as in an event-loop proxy; only an upstream call that completes elsewhere
    /// (libcurl's thread) wakes the loop to resume. Handlers must not block.
    public static func http1OnEventLoop(configuration: HTTP1Channel.Configuration = .init()) -> HTTPServerBuilder {
        .init { responder in
            EventLoopBoundChannel(inner: HTTP1Channel(responder: responder, configuration: configuration))
        }
    }
}

/// A child channel whose handling task runs on the channel's own event loop.
struct EventLoopBoundChannel<Inner: ServerChildChannel>: ServerChildChannel {
    typealias Value = Inner.Value

    let inner: Inner

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        inner.setup(channel: channel, logger: logger)
    }

    func handle(value: Value, logger: Logger) async {
        let executor = EventLoopTaskExecutor(eventLoop: value.channel.eventLoop)
        await withTaskExecutorPreference(executor) {
            await inner.handle(value: value, logger: logger)
        }
    }
}

/// Runs a task's jobs on one NIO event loop.
final class EventLoopTaskExecutor: TaskExecutor {
    private let eventLoop: any EventLoop

    init(eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        eventLoop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}
