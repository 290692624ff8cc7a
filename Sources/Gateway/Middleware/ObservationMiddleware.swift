import HTTPTypes
import Hummingbird
import InferenceProtocol
import KServeHTTP
import Logging

/// The outermost middleware: gives every request an id (the client's `x-request-id` when it is
/// sane, a new UUID otherwise) that is echoed, forwarded upstream and put in every log line;
/// turns any error into a KServe v2 error answer; adds the rate-limit headers; writes one JSON
/// access-log line and the RED metrics per request.
struct ObservationMiddleware: RouterMiddleware {
    typealias Context = GatewayRequestContext

    let metrics: GatewayMetrics
    let models: ModelMetadataCache
    let accessLogger: Logger

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let start = ContinuousClock.now
        let requestID = RequestID.resolve(request.headers[KServeHeaders.requestID])
        var head = request.head
        head.headerFields[KServeHeaders.requestID] = requestID
        let request = Request(head: head, body: request.body)
        var context = context
        context.logger[metadataKey: GatewayLogKey.requestID] = .string(requestID)

        var response: Response
        do {
            response = try await next(request, context)
        } catch {
            response = ErrorResponses.response(for: error, logger: context.logger)
        }
        for field in context.exchange.rateLimitHeaders {
            if let name = HTTPField.Name(field.name) { response.headers[name] = field.value }
        }
        response.headers[KServeHeaders.requestID] = requestID

        let route = context.endpointPath ?? "NotFound"
        // The decoded name when the path named a valid one; a raw segment is never a label.
        let model = context.exchange.model
        let modelLabel =
            model.map { models.isKnown($0) ? $0 : "other" } ?? (context.parameters.get("model") == nil ? "" : "other")
        let duration = ContinuousClock.now - start
        metrics.record(
            route: route, method: request.method.rawValue, status: response.status.code, model: modelLabel,
            duration: duration)
        var metadata: Logger.Metadata = [
            GatewayLogKey.method: .string(request.method.rawValue),
            GatewayLogKey.route: .string(route),
            GatewayLogKey.status: .stringConvertible(response.status.code),
            GatewayLogKey.durationMilliseconds: .string(duration.millisecondsText),
            GatewayLogKey.requestID: .string(requestID),
        ]
        if let model { metadata[GatewayLogKey.model] = .string(String(model.prefix(128))) }
        if let principal = context.exchange.principal { metadata[GatewayLogKey.principal] = .string(principal) }
        accessLogger.info("gateway.access", metadata: metadata)
        return response
    }
}
