import Foundation
import Synchronization

/// Collects finished log lines and writes them to a file descriptor in batches, so a busy server
/// pays an append under a lock per line instead of a `write(2)` per line.
///
/// A thread of its own writes what has gathered `interval` (20 ms by default) after the first line
/// of a batch arrived, and sleeps while nothing is queued (an idle process does not wake); a batch that
/// reaches `maximumBuffered` bytes is written at once by the caller that filled it, so memory stays
/// bounded when the output is slower than the logging. Lines keep their order. ``flush()`` writes
/// everything now; the process flushes at exit, and error lines are flushed as they are logged
/// (see ``JSONLogHandler``), so what explains a crash is not left in the buffer.
public final class BatchedLogWriter: Sendable {
    /// The writer for standard error that the platform's JSON logging uses.
    public static let standardError = BatchedLogWriter(descriptor: STDERR_FILENO)

    private let descriptor: Int32
    private let interval: Duration
    private let maximumBuffered: Int
    private let pending = Mutex<[UInt8]>([])
    /// Held while a batch is taken and written, so batches reach the descriptor in order.
    private let writing = Mutex<Void>(())
    private let started = Atomic<Bool>(false)
    /// Signalled when a line lands in an empty buffer: the writer thread's cue to start a batch.
    private let batchStarted = DispatchSemaphore(value: 0)

    /// A writer for `descriptor`, writing every `interval` or when `maximumBuffered` bytes wait.
    public init(descriptor: Int32, interval: Duration = .milliseconds(20), maximumBuffered: Int = 1 << 20) {
        self.descriptor = descriptor
        self.interval = interval
        self.maximumBuffered = maximumBuffered
    }

    /// Queues one line (its bytes as given, newline included).
    public func append(_ line: String) {
        startIfNeeded()
        let (first, full) = pending.withLock { buffer in
            let first = buffer.isEmpty
            buffer.append(contentsOf: line.utf8)
            return (first, buffer.count >= maximumBuffered)
        }
        if full {
            flush()
        } else if first {
            batchStarted.signal()
        }
    }

    /// Writes every queued line now.
    public func flush() {
        writing.withLock { _ in
            let batch = pending.withLock { buffer -> [UInt8] in
                defer { buffer.removeAll(keepingCapacity: true) }
                return buffer
            }
            Self.writeAll(batch, to: descriptor)
        }
    }

    private func startIfNeeded() {
        guard !started.exchange(true, ordering: .acquiringAndReleasing) else { return }
        if self === Self.standardError { atexit { BatchedLogWriter.standardError.flush() } }
        let thread = Thread { [self] in
            let (seconds, attoseconds) = interval.components
            let micros = max(1000, seconds * 1_000_000 + attoseconds / 1_000_000_000_000)
            while true {
                batchStarted.wait()
                usleep(useconds_t(micros))
                flush()
            }
        }
        thread.name = "log-writer"
        thread.start()
    }

    /// Writes all of `bytes`, retrying short writes and interruptions; gives up on other errors
    /// (a closed descriptor must not stop the process).
    private static func writeAll(_ bytes: [UInt8], to descriptor: Int32) {
        guard !bytes.isEmpty else { return }
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let written = write(descriptor, raw.baseAddress! + offset, raw.count - offset)
                if written > 0 {
                    offset += written
                } else if written < 0 && errno == EINTR {
                    continue
                } else {
                    return
                }
            }
        }
    }
}
