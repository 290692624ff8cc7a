import Foundation
import ObjectStore

/// Signs job callbacks so a receiver can tell they come from this platform and are fresh.
///
/// The signature is HMAC-SHA256, under the shared secret, of the ASCII decimal Unix timestamp,
/// a `.`, and the exact body bytes; it is sent as `X-Callback-Signature: v1=<lowercase hex>`
/// beside `X-Callback-Timestamp: <timestamp>`. A receiver recomputes it, compares in constant
/// time, and refuses a timestamp too far from its own clock (a replay).
public struct CallbackSigner: Sendable {
    /// The header carrying the Unix time (seconds) the callback was signed at.
    public static let timestampHeader = "X-Callback-Timestamp"
    /// The header carrying `v1=<hex HMAC-SHA256>`.
    public static let signatureHeader = "X-Callback-Signature"
    /// The signature scheme's prefix in ``signatureHeader``.
    public static let version = "v1"

    private let key: [UInt8]

    /// A signer with `secret` (its UTF-8 bytes are the HMAC key).
    public init(secret: String) {
        key = Array(secret.utf8)
    }

    /// The ``signatureHeader`` value for `body` signed at `timestamp`.
    public func signature(timestamp: Int64, body: Data) -> String {
        let message = Array("\(timestamp).".utf8) + Array(body)
        return "\(Self.version)=" + Hashing.hex(Hashing.hmacSHA256(key: key, message: message))
    }

    /// True when `signature` is this signer's for `body` at `timestamp`, and `timestamp` is
    /// within `tolerance` of `now` (either side): what a receiver should check.
    public func verify(
        signature: String, timestamp: Int64, body: Data, now: Date = Date(), tolerance: Duration = .seconds(300)
    ) -> Bool {
        let age = abs(now.timeIntervalSince1970 - Double(timestamp))
        guard age <= Double(tolerance.components.seconds) else { return false }
        let expected = Array(self.signature(timestamp: timestamp, body: body).utf8)
        let given = Array(signature.utf8)
        guard expected.count == given.count else { return false }
        // Constant time: every byte is compared whatever the first difference.
        return zip(expected, given).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
