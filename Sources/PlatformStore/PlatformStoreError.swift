/// An error from a repository that is not a database failure: a bad argument or a missing row.
///
/// Database failures surface as `PostgresError`. The ``description`` names the problem, never a
/// key, a secret or a stored value.
public struct PlatformStoreError: Error, Sendable, Hashable, CustomStringConvertible {
    private enum Code: String, Sendable, Hashable {
        case invalidArgument = "invalid_argument"
        case jobNotFound = "job_not_found"
    }

    private let code: Code
    private let detail: String

    private init(_ code: Code, _ detail: String) {
        self.code = code
        self.detail = detail
    }

    /// An argument the repository cannot store (a non-final item status, a negative count, …).
    public static func invalidArgument(_ detail: String) -> PlatformStoreError { .init(.invalidArgument, detail) }

    /// An item arrived for a job that was never created; call `createJob` or `ensureJob` first.
    public static let jobNotFound = PlatformStoreError(.jobNotFound, "the batch job does not exist")

    /// A short, label-safe name for metrics (`invalid_argument`, `job_not_found`).
    public var name: String { code.rawValue }

    /// True when the error is ``jobNotFound``.
    public var isJobNotFound: Bool { code == .jobNotFound }

    public var description: String { "\(code.rawValue): \(detail)" }
}
