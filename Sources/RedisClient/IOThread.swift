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

    /// Starts a detached thread that runs `work` and exits. Returns 0, or the `pthread_create`
    /// error number when no thread could be started.
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
}
