#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Starts the OS threads that own hiredis connections: blocking I/O stays off Swift's
/// cooperative pool and off the event loops.
enum IOThread {
    /// The closure a new thread runs; the thread takes the retained reference passed to it.
    private final class Body: Sendable {
        let work: @Sendable () -> Void

        init(work: @escaping @Sendable () -> Void) {
            self.work = work
        }
    }

    /// Starts a detached thread that runs `work` and exits; returns 0, or the `pthread_create`
    /// error number when no thread could be started.
    ///
    /// The thread blocks `SIGPIPE`: hiredis writes with plain `write`/`send`, and a write to a
    /// connection the server (or ``RedisConnection/interrupt()``) closed must fail with `EPIPE`,
    /// not end the process.
    static func start(_ work: @escaping @Sendable () -> Void) -> Int32 {
        // One retain travels to the new thread, which balances it; a failed start balances it here.
        let body = Unmanaged.passRetained(Body(work: work))
        #if canImport(Darwin)
            var thread: pthread_t?
        #else
            var thread = pthread_t()
        #endif
        let status = pthread_create(
            &thread, nil,
            { argument in
                #if canImport(Darwin)
                    let body = Unmanaged<Body>.fromOpaque(argument).takeRetainedValue()
                #else
                    let body = Unmanaged<Body>.fromOpaque(argument!).takeRetainedValue()
                #endif
                IOThread.blockBrokenPipeSignal()
                body.work()
                return nil
            }, body.toOpaque())
        guard status == 0 else {
            body.release()
            return status
        }
        #if canImport(Darwin)
            if let thread { pthread_detach(thread) }
        #else
            pthread_detach(thread)
        #endif
        return 0
    }

    /// Blocks `SIGPIPE` for the calling thread only; a broken pipe then makes the write fail with
    /// `EPIPE` and the signal stays pending on this thread, never delivered.
    private static func blockBrokenPipeSignal() {
        var signals = sigset_t()
        sigemptyset(&signals)
        sigaddset(&signals, SIGPIPE)
        pthread_sigmask(SIG_BLOCK, &signals, nil)
    }
}
