import CivilCalendar
import Foundation

/// AWS Signature Version 4 (`AWS4-HMAC-SHA256`) for request headers.
///
/// Pure: no I/O and no clock; the signing time is always passed in. The secret never appears in
/// ``description`` or in any returned value other than the derived signature.
public struct SigV4Signer: Sendable, CustomStringConvertible {
    /// The signing algorithm's name as it appears in the string to sign and `Authorization`.
    public static let algorithm = "AWS4-HMAC-SHA256"

    /// The access key ID named in the credential scope.
    public let accessKeyID: String
    private let secretAccessKey: String
    private let sessionToken: String?
    /// The region in the credential scope, e.g. `us-east-1`.
    public let region: String
    /// The service in the credential scope, e.g. `s3`.
    public let service: String

    /// Creates a signer for one set of credentials, region and service.
    ///
    /// With a `sessionToken` (temporary credentials), ``authorize(_:date:)`` adds and signs
    /// `x-amz-security-token`.
    public init(
        accessKeyID: String, secretAccessKey: String, sessionToken: String? = nil, region: String,
        service: String = "s3"
    ) {
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
        self.region = region
        self.service = service
    }

    public var description: String {
        "SigV4Signer(accessKeyID: \(accessKeyID), region: \(region), service: \(service))"
    }

    /// The headers to send: `request.headers` plus `x-amz-date`, `x-amz-content-sha256`,
    /// `x-amz-security-token` when there is a session token, and `Authorization`.
    ///
    /// `request.headers` must already hold `host`; any of the added headers it holds are replaced.
    public func authorize(_ request: SigV4Request, date: Date) -> [(name: String, value: String)] {
        let replaced: Set<String> = ["authorization", "x-amz-date", "x-amz-content-sha256", "x-amz-security-token"]
        var complete = request
        complete.headers = request.headers.filter { !replaced.contains($0.name.lowercased()) }
        complete.headers.append((name: "x-amz-date", value: Self.timestamp(date)))
        complete.headers.append((name: "x-amz-content-sha256", value: request.payloadHash))
        if let sessionToken {
            complete.headers.append((name: "x-amz-security-token", value: sessionToken))
        }
        let signature = signature(for: complete, date: date)
        return complete.headers + [(name: "Authorization", value: signature.authorization)]
    }

    /// Signs exactly the headers in `request` (it must already hold `x-amz-date` for S3).
    public func signature(for request: SigV4Request, date: Date) -> SigV4Signature {
        let canonical = canonicalRequest(request)
        let toSign = stringToSign(canonicalRequest: canonical.text, date: date)
        let key = Self.signingKey(
            secretAccessKey: secretAccessKey, dateStamp: Self.dateStamp(date), region: region, service: service)
        let signature = Hashing.hex(Hashing.hmacSHA256(key: key, message: toSign))
        let authorization =
            "\(Self.algorithm) Credential=\(accessKeyID)/\(credentialScope(date)),"
            + "SignedHeaders=\(canonical.signedHeaders),Signature=\(signature)"
        return SigV4Signature(
            canonicalRequest: canonical.text, stringToSign: toSign, signedHeaders: canonical.signedHeaders,
            signature: signature, authorization: authorization)
    }

    /// The canonical request and its signed-header list.
    ///
    /// Header names are lowercased and sorted; values of repeated names are joined with `,` in
    /// the order given; values are trimmed and inner runs of spaces collapsed.
    public func canonicalRequest(_ request: SigV4Request) -> (text: String, signedHeaders: String) {
        var merged: [String: [String]] = [:]
        for header in request.headers {
            merged[header.name.lowercased(), default: []].append(SigV4Encoding.canonicalHeaderValue(header.value))
        }
        let sorted = merged.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
        let canonicalHeaders = sorted.map { "\($0.key):\($0.value.joined(separator: ","))\n" }.joined()
        let signedHeaders = sorted.map(\.key).joined(separator: ";")
        let text = [
            request.method.uppercased(),
            request.encodedPath,
            request.encodedQuery,
            canonicalHeaders,
            signedHeaders,
            request.payloadHash,
        ].joined(separator: "\n")
        return (text, signedHeaders)
    }

    /// The string to sign: algorithm, timestamp, credential scope, hex SHA-256 of the canonical request.
    public func stringToSign(canonicalRequest: String, date: Date) -> String {
        [
            Self.algorithm,
            Self.timestamp(date),
            credentialScope(date),
            Hashing.hex(Hashing.sha256(canonicalRequest)),
        ].joined(separator: "\n")
    }

    /// `yyyymmdd/region/service/aws4_request`.
    public func credentialScope(_ date: Date) -> String {
        "\(Self.dateStamp(date))/\(region)/\(service)/aws4_request"
    }

    /// The signing key: HMAC chain of `AWS4` + secret over date stamp, region, service, `aws4_request`.
    ///
    /// Internal: the key is as sensitive as the secret itself.
    static func signingKey(secretAccessKey: String, dateStamp: String, region: String, service: String) -> [UInt8] {
        let dateKey = Hashing.hmacSHA256(key: Array("AWS4\(secretAccessKey)".utf8), message: dateStamp)
        let regionKey = Hashing.hmacSHA256(key: dateKey, message: region)
        let serviceKey = Hashing.hmacSHA256(key: regionKey, message: service)
        return Hashing.hmacSHA256(key: serviceKey, message: "aws4_request")
    }

    /// The ISO 8601 basic UTC timestamp used in `x-amz-date`, e.g. `20130524T000000Z`.
    public static func timestamp(_ date: Date) -> String {
        let parts = utcParts(date)
        return "\(dayText(parts))T\(pad(parts.hour, 2))\(pad(parts.minute, 2))\(pad(parts.second, 2))Z"
    }

    /// The UTC date in the credential scope, e.g. `20130524`.
    public static func dateStamp(_ date: Date) -> String {
        dayText(utcParts(date))
    }

    private static func dayText(_ parts: (year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int))
        -> String
    {
        "\(pad(parts.year, 4))\(pad(parts.month, 2))\(pad(parts.day, 2))"
    }

    private static func utcParts(_ date: Date) -> (
        year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int
    ) {
        let seconds = Int64(date.timeIntervalSince1970.rounded(.down))
        let (days, secondOfDay) = CivilCalendar.floorDivide(seconds, 86_400)
        let (year, month, day) = CivilCalendar.date(daysSinceEpoch: days)
        return (
            Int(year), Int(month), Int(day), Int(secondOfDay / 3_600), Int(secondOfDay % 3_600 / 60),
            Int(secondOfDay % 60)
        )
    }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}
