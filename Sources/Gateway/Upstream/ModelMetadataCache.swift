import Foundation
import InferenceProtocol
import Synchronization
import TritonClient

/// Model metadata from the upstream, cached per model and version for a fixed time, for checking
/// requests before they are forwarded.
///
/// Concurrent misses for the same model may each fetch; the last answer wins. Unknown models are
/// not cached, so a model loaded later is found at once.
public final class ModelMetadataCache: Sendable {
    private struct Key: Hashable {
        var model: String
        var version: String?
    }

    private struct Entry {
        var metadata: ModelMetadata
        var expires: ContinuousClock.Instant
    }

    private let upstream: any KServeUpstream
    private let ttl: Duration
    private let entries = Mutex<[Key: Entry]>([:])
    private let known = Mutex<Set<String>>([])

    /// A cache over `upstream` keeping each answer for `ttl`.
    public init(upstream: any KServeUpstream, ttl: Duration) {
        self.upstream = upstream
        self.ttl = ttl
    }

    /// The metadata of `model` (at `version`, or the default version).
    ///
    /// - Throws: `notFound` for a model or version the upstream does not know; other platform
    ///   errors when the upstream cannot answer.
    public func metadata(model: String, version: String?) async throws -> ModelMetadata {
        let key = Key(model: model, version: version)
        let now = ContinuousClock.now
        if let entry = entries.withLock({ $0[key] }), entry.expires > now {
            return entry.metadata
        }
        let answer: UpstreamResponse
        do {
            answer = try await upstream.forward(
                UpstreamRequest(
                    method: "GET", path: KServePath.modelPath(model, version: version),
                    deadline: now + .seconds(10)))
        } catch {
            throw UpstreamErrors.map(error)
        }
        guard answer.status == 200 else {
            let text = answer.errorText
            if answer.status == 404 || text.lowercased().contains("unknown model") {
                throw InferenceError.notFound(text)
            }
            throw InferenceError(answer: answer)
        }
        guard let metadata = try? JSONDecoder().decode(ModelMetadata.self, from: answer.body) else {
            throw InferenceError.upstream(status: 502, message: "the upstream sent unreadable metadata for '\(model)'")
        }
        entries.withLock { $0[key] = Entry(metadata: metadata, expires: ContinuousClock.now + ttl) }
        known.withLock { _ = $0.insert(model) }
        return metadata
    }

    /// Whether `model` was ever found upstream (a bounded set, safe as a metrics label).
    public func isKnown(_ model: String) -> Bool {
        known.withLock { $0.contains(model) }
    }
}
