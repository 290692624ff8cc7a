import InferenceProtocol
import Logging
import Metrics
import PlatformStore
import PostgresClient
import ServiceLifecycle
import Synchronization

/// Applies API-key changes pushed by PostgreSQL to the gateway's key cache, as a `Service`.
///
/// Listens on ``PlatformMigrations/apiKeyChangesChannel`` with a ``PostgresListener`` (its own
/// connection and thread): a key's digest drops that key from the cache at once; `*` (or anything
/// else that is not a digest) and every (re)connection resynchronise the cache, so changes made
/// while nobody listened apply on the next use of each key.
///
/// Metrics: `gateway_api_key_changes_total{event}` (`key`: one key dropped, `resync`: every entry
/// marked for a fresh lookup) and `gateway_api_key_change_listener_connected` (1 while listening).
struct APIKeyChangeListener: Service {
    /// Whether the first resynchronisation has happened.
    private final class State: Sendable {
        let listening = Atomic<Bool>(false)
    }

    private let listener: PostgresListener
    private let keys: CachingAPIKeyStore
    private let logger: Logger
    private let state = State()
    private let keyChanges: Counter
    private let resyncs: Counter
    private let connected: Gauge

    /// Listens with `listener` and applies what it hears to `keys`.
    init(listener: PostgresListener, keys: CachingAPIKeyStore, metricsFactory: any MetricsFactory, logger: Logger) {
        self.listener = listener
        self.keys = keys
        self.logger = logger
        let label = "gateway_api_key_changes_total"
        keyChanges = Counter(label: label, dimensions: [("event", "key")], factory: metricsFactory)
        resyncs = Counter(label: label, dimensions: [("event", "resync")], factory: metricsFactory)
        connected = Gauge(label: "gateway_api_key_change_listener_connected", factory: metricsFactory)
        connected.record(0)
    }

    /// Listens until graceful shutdown.
    func run() async throws {
        await cancelWhenGracefulShutdown { [self] in
            await listener.run { event in handle(event) }
        }
        connected.record(0)
    }

    /// True once the listener has connected and resynchronised the cache at least once.
    var isListening: Bool { state.listening.load(ordering: .acquiring) }

    /// Waits (checking every 20 ms) until ``isListening``, at most `timeout`; returns whether it
    /// is. Called before serving, so the keys the first requests cache are covered by the push.
    func waitUntilListening(timeout: Duration) async throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        while !isListening {
            guard ContinuousClock.now < deadline else { return false }
            try await Task.sleep(for: .milliseconds(20))
        }
        return true
    }

    /// Applies one event; runs on the listener's thread.
    func handle(_ event: PostgresListener.Event) {
        switch event {
        case .notification(_, let payload):
            if let digest = Self.digest(hex: payload) {
                keys.invalidate(digest: digest)
                keyChanges.increment()
            } else {
                keys.resynchronise()
                resyncs.increment()
            }
        case .resynchronise:
            keys.resynchronise()
            resyncs.increment()
            connected.record(1)
            logger.info("gateway.auth.key_cache_resynchronised")
            state.listening.store(true, ordering: .releasing)
        case .connectionLost:
            keys.pushLost()
            connected.record(0)
        }
    }

    /// The 32 bytes of a 64-character hexadecimal digest; nil for anything else.
    static func digest(hex: String) -> [UInt8]? {
        let characters = Array(hex.utf8)
        guard characters.count == 64 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(32)
        for index in stride(from: 0, to: 64, by: 2) {
            guard let high = PercentDecoding.hexValue(characters[index]),
                let low = PercentDecoding.hexValue(characters[index + 1])
            else { return nil }
            bytes.append(high << 4 | low)
        }
        return bytes
    }
}
