import BatchProtocol
import Foundation
import HTTPTypes
import Hummingbird
import InferenceProtocol
import ObjectStore

/// What the native and OpenAI batch routes share: JSON answers, bounded body reads, and the
/// mapping of object-store failures to HTTP errors.
enum BatchHTTP {
    /// `value` as a JSON answer (`BatchJSON`'s settings).
    static func json(_ value: some Encodable, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) throws
        -> Response
    {
        var headers = headers
        headers[.contentType] = "application/json"
        let body = try BatchJSON.encoder.encode(value)
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
    }

    /// Reads `body` whole, refusing it with 413 and `message` once it passes `limit` bytes.
    static func collect(_ body: RequestBody, limit: Int, message: @autoclosure () -> String) async throws -> Data {
        var data = Data()
        for try await chunk in body {
            guard data.count + chunk.readableBytes <= limit else {
                throw HTTPError(.contentTooLarge, message: message())
            }
            data.append(contentsOf: chunk.readableBytesView)
        }
        return data
    }

    /// Runs an object-store call: a missing object answers 404, any other failure 503.
    @discardableResult
    static func objectStore<T>(_ call: () async throws -> T) async throws -> T {
        do {
            return try await call()
        } catch let error as ObjectStoreError where error.code == .notFound {
            throw InferenceError.notFound("the stored object is missing")
        } catch let error as ObjectStoreError {
            throw InferenceError.unavailable("the object store failed: \(error.code)", retryAfter: .seconds(1))
        }
    }
}
