/// Metadata keys of the gateway's log lines, in one place.
enum GatewayLogKey {
    static let requestID = "request.id"
    static let principal = "principal"
    static let method = "http.method"
    static let route = "http.route"
    static let path = "http.path"
    static let status = "http.status"
    static let durationMilliseconds = "duration_ms"
    static let model = "model"
    static let error = "error"
    static let errorCode = "error.code"
    static let upstream = "upstream"
}
