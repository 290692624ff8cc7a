import InferenceProtocol
import CCurl
import Foundation
import Resilience

/// The state of one transfer: its easy handle, its buffers and the continuation to resume.
///
/// `@unchecked Sendable`: after `init` the object is touched only by the transport's loop thread
/// (callbacks, completion); the submitting task only holds a reference to hand to `cancel`.
final class CurlTransfer: @unchecked Sendable {
    let easy: UnsafeMutableRawPointer
    private var requestHeaders: UnsafeMutablePointer<curl_slist>?
    private var connectTo: UnsafeMutablePointer<curl_slist>?
    private var maxResponseBytes = Int.max
    private var exceededLimit = false
    private var requestBody: UnsafeMutableRawBufferPointer?
    private(set) var responseHeaders: [(name: String, value: String)] = []
    private(set) var responseBody = Data()
    private var continuation: CheckedContinuation<UpstreamResponse, any Error>?
    private var isHead = false
    /// Set by the loop thread when a cancel arrives before the transfer was added.
    var cancelRequested = false

    init(easy: UnsafeMutableRawPointer, request: HTTPRequestSpec, connectTimeout: Duration) {
        self.easy = easy
        configure(request, connectTimeout: connectTimeout)
    }

    deinit {
        curl_slist_free_all(requestHeaders)
        curl_slist_free_all(connectTo)
        requestBody?.deallocate()
    }

    func attach(_ continuation: CheckedContinuation<UpstreamResponse, any Error>) {
        self.continuation = continuation
    }

    /// Resumes the waiting task exactly once.
    func complete(_ result: Result<UpstreamResponse, any Error>) {
        guard let continuation else { return }
        self.continuation = nil
        continuation.resume(with: result)
    }

    /// Builds the response or the error for a finished transfer.
    func outcome(_ code: CURLcode) -> Result<UpstreamResponse, any Error> {
        if exceededLimit {
            return .failure(UpstreamError.invalidResponse("the response body exceeds \(maxResponseBytes) bytes"))
        }
        guard code == CURLE_OK else { return .failure(Self.error(for: code, easy: easy)) }
        var status = 0
        _ = ccurl_easy_getinfo_long(easy, CURLINFO_RESPONSE_CODE, &status)
        return .success(UpstreamResponse(status: status, headers: responseHeaders, body: responseBody))
    }

    /// New connections this transfer had to open (0 when it reused a kept-alive one).
    var connectionsOpened: Int {
        var count = 0
        _ = ccurl_easy_getinfo_long(easy, CURLINFO_NUM_CONNECTS, &count)
        return count
    }

    private func configure(_ request: HTTPRequestSpec, connectTimeout: Duration) {
        let userdata = Unmanaged.passUnretained(self).toOpaque()
        _ = ccurl_easy_setopt_pointer(easy, CURLOPT_URL, request.url)
        _ = ccurl_easy_setopt_long(easy, CURLOPT_NOSIGNAL, 1)
        _ = ccurl_easy_setopt_long(easy, CURLOPT_TCP_NODELAY, 1)
        _ = ccurl_easy_setopt_long(easy, CURLOPT_HTTP_VERSION, Int(CURL_HTTP_VERSION_1_1))
        _ = ccurl_easy_setopt_long(easy, CURLOPT_TIMEOUT_MS, Self.milliseconds(request.timeout))
        _ = ccurl_easy_setopt_long(
            easy, CURLOPT_CONNECTTIMEOUT_MS, Self.milliseconds(min(connectTimeout, request.timeout)))
        _ = ccurl_easy_setopt_pointer(easy, CURLOPT_PRIVATE, userdata)
        _ = ccurl_easy_setopt_callback(easy, CURLOPT_WRITEFUNCTION, curlWriteBody)
        _ = ccurl_easy_setopt_pointer(easy, CURLOPT_WRITEDATA, userdata)
        _ = ccurl_easy_setopt_callback(easy, CURLOPT_HEADERFUNCTION, curlWriteHeader)
        _ = ccurl_easy_setopt_pointer(easy, CURLOPT_HEADERDATA, userdata)
        if let target = request.connectTo {
            // An empty host and port match any URL: the connection goes to `target` even if the
            // URL is read differently here than by whoever chose the address.
            connectTo = curl_slist_append(nil, "::\(target)")
            _ = ccurl_easy_setopt_pointer(easy, CURLOPT_CONNECT_TO, connectTo)
            _ = ccurl_easy_setopt_pointer(easy, CURLOPT_PROXY, "")
            _ = ccurl_easy_setopt_pointer(easy, CURLOPT_PROTOCOLS_STR, "http,https")
        }
        if let limit = request.maxResponseBytes { maxResponseBytes = max(0, limit) }

        switch request.method {
        case "GET":
            _ = ccurl_easy_setopt_long(easy, CURLOPT_HTTPGET, 1)
        case "HEAD":
            _ = ccurl_easy_setopt_long(easy, CURLOPT_NOBODY, 1)
            isHead = true
        case _ where request.body == nil && request.method != "POST":
            _ = ccurl_easy_setopt_pointer(easy, CURLOPT_CUSTOMREQUEST, request.method)
        default:
            // libcurl does not copy POSTFIELDS: the buffer lives as long as this transfer.
            let body = request.body ?? Data()
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(body.count, 1), alignment: 1)
            body.copyBytes(to: buffer.bindMemory(to: UInt8.self), count: body.count)
            requestBody = buffer
            _ = ccurl_easy_setopt_off_t(easy, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count))
            _ = ccurl_easy_setopt_pointer(easy, CURLOPT_POSTFIELDS, buffer.baseAddress)
            if request.method != "POST" {
                _ = ccurl_easy_setopt_pointer(easy, CURLOPT_CUSTOMREQUEST, request.method)
            }
        }

        var list: UnsafeMutablePointer<curl_slist>? = curl_slist_append(nil, "Expect:")
        let hasContentType = request.headers.contains { $0.name.isSameHeaderName(as: "Content-Type") }
        if requestBody != nil && !hasContentType {
            // Without this libcurl labels every body application/x-www-form-urlencoded.
            list = curl_slist_append(list, "Content-Type:")
        }
        for header in request.headers {
            list = curl_slist_append(list, "\(header.name): \(header.value)")
        }
        requestHeaders = list
        _ = ccurl_easy_setopt_pointer(easy, CURLOPT_HTTPHEADER, list)
    }

    /// Appends body bytes; false (abort the transfer) past ``HTTPRequestSpec/maxResponseBytes``.
    fileprivate func appendBody(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard bytes.count <= maxResponseBytes - responseBody.count else {
            exceededLimit = true
            return false
        }
        responseBody.append(contentsOf: bytes)
        return true
    }

    fileprivate func appendHeaderLine(_ bytes: UnsafeRawBufferPointer) {
        guard let parsed = HeaderLine(bytes) else { return }
        switch parsed {
        case .statusLine:
            // A new status line (after 100 Continue): only the final response's headers count.
            responseHeaders.removeAll(keepingCapacity: true)
        case .field(let name, let value):
            responseHeaders.append((name: name, value: value))
            if !isHead, name.isSameHeaderName(as: "Content-Length"), let length = Int(value) {
                // A hint only: never reserve more than 64 MiB up front on a server's word.
                responseBody.reserveCapacity(min(length, 64 << 20))
            }
        }
    }

    private static func milliseconds(_ duration: Duration) -> Int {
        max(1, Int(duration.wholeMilliseconds))
    }

    /// The one place a libcurl failure is sorted into "never reached the server" (safe to send
    /// elsewhere) or "may have reached it" (never resent: the server may have run it, or died of it).
    ///
    /// Only failures before any request byte could leave count as never reached: the name did not
    /// resolve, the connection was refused or unreachable, or the connect phase timed out before a
    /// connection existed. Send and receive errors, an empty reply, a reset and any timeout after
    /// connecting all may have reached the server.
    private static func error(for code: CURLcode, easy: UnsafeMutableRawPointer) -> UpstreamError {
        let text = String(cString: curl_easy_strerror(code))
        switch code {
        case CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY:
            return .connectFailed("could not connect: \(text)")
        case CURLE_OPERATION_TIMEDOUT:
            if !mayHaveSent(easy) { return .connectFailed("connect timed out: \(text)") }
            return .timedOut("request timed out: \(text)")
        case CURLE_SEND_ERROR, CURLE_RECV_ERROR, CURLE_GOT_NOTHING, CURLE_PARTIAL_FILE:
            return .connectionLost("connection lost after the request may have been sent: \(text)")
        default:
            return .transport("transfer failed: \(text)")
        }
    }

    /// Whether any part of the request may have left: a connection was made (or reused) or
    /// request bytes were counted. Unknown counts as sent.
    private static func mayHaveSent(_ easy: UnsafeMutableRawPointer) -> Bool {
        var connected: curl_off_t = 0
        var requestBytes = 0
        guard ccurl_easy_getinfo_off_t(easy, CURLINFO_CONNECT_TIME_T, &connected) == CURLE_OK,
            ccurl_easy_getinfo_long(easy, CURLINFO_REQUEST_SIZE, &requestBytes) == CURLE_OK
        else { return true }
        return connected > 0 || requestBytes > 0
    }
}

/// libcurl write callback: appends body bytes to the transfer named by `userdata`.
private func curlWriteBody(
    _ pointer: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ userdata: UnsafeMutableRawPointer?
) -> Int {
    guard let pointer, let userdata else { return 0 }
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(userdata).takeUnretainedValue()
    // Returning fewer bytes than given makes libcurl abort the transfer.
    return transfer.appendBody(UnsafeRawBufferPointer(start: pointer, count: size * count)) ? size * count : 0
}

/// libcurl header callback: records one header line of the transfer named by `userdata`.
private func curlWriteHeader(
    _ pointer: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ userdata: UnsafeMutableRawPointer?
) -> Int {
    guard let pointer, let userdata else { return 0 }
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(userdata).takeUnretainedValue()
    transfer.appendHeaderLine(UnsafeRawBufferPointer(start: pointer, count: size * count))
    return size * count
}
