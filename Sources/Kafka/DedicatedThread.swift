#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Starts OS threads for work that must stay off Swift's cooperative pool: librdkafka poll loops
/// and blocking librdkafka calls.
enum DedicatedThread {
    /// The closure a new thread runs; the thread takes the retained reference passed to it.
    private final class Body: Sendable {
        let name: String
        let work: @Sendable () -> Void

        init(name: String, work: @escaping @Sendable () -> Void) {
            self.name = name
            self.work = work
        }
    }

    /// Starts a detached thread that runs `work` and exits; `name` appears in errors.
    static func start(name: String, _ work: @escaping @Sendable () -> Void) throws(KafkaError) {
        // One retain travels to the new thread, which balances it; a failed start balances it here.
        let body = Unmanaged.passRetained(Body(name: name, work: work))
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
            throw .configuration("cannot start a thread (error \(status))")
        }
        #if canImport(Darwin)
            if let thread { pthread_detach(thread) }
        #else
            pthread_detach(thread)
        #endif
    }

    /// Runs one blocking `work` on a new thread and returns its result without blocking the caller.
    static func run<Result: Sendable>(
        name: String, _ work: @escaping @Sendable () -> Result
    ) async throws(KafkaError) -> Result {
        do {
            return try await withCheckedThrowingContinuation { continuation in
                do {
                    try start(name: name) { continuation.resume(returning: work()) }
                } catch {
                    continuation.resume(throwing: error)
                }
            }
        } catch let error as KafkaError {
            throw error
        } catch {
            throw .configuration("\(error)")
        }
    }
}
