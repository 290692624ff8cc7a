import BatchProtocol
import InferenceProtocol
import Kafka
import ObjectStore
import PlatformStore
import PostgresClient

/// How the pipeline treats a failure.
enum FailureKind: Sendable, Equatable {
    /// A dependency is down or overloaded: retry the same work later, never drop it.
    case transient
    /// The item itself is at fault: record it failed with this reason and dead-letter it.
    case permanent(String)
    /// The worker is stopping.
    case cancelled

    /// Classifies an error from inference, S3, PostgreSQL or Kafka.
    ///
    /// Client errors of the model (4xx other than 408 and 429) are the item's fault; server
    /// errors, throttling, timeouts and lost connections are transient. PostgreSQL data errors
    /// (SQLSTATE classes 22 and 23, see `PostgresError.isDataError`) and a Kafka record too large
    /// for the broker are the item's fault too; other storage and broker failures are transient,
    /// so a broken dependency stops progress instead of losing items. A transient failure that
    /// follows one item for its whole attempt budget is judged by ``BatchWorker`` (item or
    /// dependency), not here.
    static func of(_ error: any Error) -> FailureKind {
        switch error {
        case is CancellationError:
            return .cancelled
        case let error as BatchWorkerError:
            return .permanent(error.reason)
        case let error as UpstreamError:
            if error.isCancellation { return .cancelled }
            if let status = error.status { return of(status: status, message: error.message) }
            if error.isKind(of: .invalidResponse("")) { return .permanent(error.message) }
            return .transient
        case let error as InferenceError:
            switch error.code {
            case .badRequest, .notFound, .forbidden, .unauthenticated:
                return .permanent(error.message)
            case .upstream:
                return of(status: error.httpStatus, message: error.message)
            default:
                return .transient
            }
        case let error as InferenceProtocolError:
            return .permanent(error.message)
        case let error as ObjectStoreError:
            return error.code == .invalidArgument ? .permanent(error.description) : .transient
        case let error as PlatformStoreError:
            return error.isJobNotFound ? .transient : .permanent(error.description)
        case let error as PostgresError:
            return error.isDataError ? .permanent("PostgreSQL refused the item's data: \(error.message)") : .transient
        case let error as KafkaError:
            if error.code == .configuration || isTooLarge(error) { return .permanent(error.reason) }
            return .transient
        default:
            return .transient
        }
    }

    /// True when `error` says the dependency could not be reached at all: a refused or failed
    /// connection (HTTP, S3 or PostgreSQL, a database still starting up included). Such a
    /// failure is never the item's, whatever the dependency's health check says a moment later.
    static func isUnreachable(_ error: any Error) -> Bool {
        switch error {
        case let error as UpstreamError: error.isSafeToRetry
        case let error as ObjectStoreError: error.underlying?.isSafeToRetry ?? false
        case let error as PostgresError: error.code == .connectionFailed
        default: false
        }
    }

    /// librdkafka's `RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE` (10), from the client or the broker.
    private static func isTooLarge(_ error: KafkaError) -> Bool {
        error.rdKafkaErrorCode == 10
    }

    private static func of(status: Int, message: String) -> FailureKind {
        switch status {
        case 408, 429, 500...599: .transient
        case 400...499: .permanent(message)
        default: .transient
        }
    }
}
