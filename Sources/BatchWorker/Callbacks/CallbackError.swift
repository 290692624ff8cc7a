/// Why one callback attempt did not deliver, and whether trying again could help.
///
/// The ``description`` is stored on the job's callback status: it names the problem (the
/// refused address class, the receiver's HTTP status) and never a secret or a response body.
struct CallbackError: Error, Sendable, Hashable, CustomStringConvertible {
    private enum Code: String, Sendable, Hashable {
        case invalidURL = "invalid_url"
        case refused
        case unresolvable
        case noAnswer = "no_answer"
        case status
        case redirect
        case oversizedResponse = "oversized_response"
    }

    private let code: Code
    private let httpStatus: Int?
    let description: String

    private init(_ code: Code, _ description: String, httpStatus: Int? = nil) {
        self.code = code
        self.description = description
        self.httpStatus = httpStatus
    }

    /// The URL is not an absolute `http`/`https` URL this worker will call.
    static func invalidURL(_ why: String) -> Self { Self(.invalidURL, "invalid callback_url: \(why)") }

    /// The address fence refused the host.
    static func refused(_ why: String) -> Self { Self(.refused, "refused: \(why)") }

    /// The host name did not resolve (may be temporary).
    static func unresolvable(_ host: String) -> Self { Self(.unresolvable, "the host \(host) did not resolve") }

    /// No response: connect failure, timeout, connection lost.
    static func noAnswer(_ why: String) -> Self { Self(.noAnswer, "no answer: \(why)") }

    /// The receiver answered with a status that is not 2xx or 3xx.
    static func status(_ status: Int) -> Self {
        Self(.status, "the receiver answered HTTP \(status)", httpStatus: status)
    }

    /// The receiver answered with a redirect, which is never followed.
    static func redirect(_ status: Int) -> Self {
        Self(.redirect, "the receiver answered HTTP \(status) (redirects are not followed)")
    }

    /// The response body passed the size cap; reading was aborted.
    static func oversizedResponse(_ limit: Int) -> Self {
        Self(.oversizedResponse, "the response exceeded \(limit) bytes and was not read")
    }

    /// A short label-safe name for metrics.
    var name: String { code.rawValue }

    /// True when trying again can help: no answer, a name that did not resolve, or HTTP 408,
    /// 429 or 5xx. A refusal, a bad URL, a redirect, an oversized answer and any other status
    /// are final.
    var isRetryable: Bool {
        switch code {
        case .unresolvable, .noAnswer: return true
        case .status: return httpStatus.map { $0 == 408 || $0 == 429 || $0 >= 500 } ?? false
        case .invalidURL, .refused, .redirect, .oversizedResponse: return false
        }
    }
}
