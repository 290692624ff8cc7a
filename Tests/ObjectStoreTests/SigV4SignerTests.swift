import Foundation
import TestSupport
import Testing

@testable import ObjectStore

/// AWS's published Signature Version 4 examples for S3 ("Examples of signature calculations"),
/// all signed with the documented example credentials at 2013-05-24T00:00:00Z in us-east-1.
@Suite("SigV4 signer against AWS's worked examples")
struct SigV4SignerTests {
    static let exampleDate = Date(timeIntervalSince1970: 1_369_353_600)
    static let signer = SigV4Signer(
        accessKeyID: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        region: "us-east-1", service: "s3")
    static let host = (name: "host", value: "examplebucket.s3.amazonaws.com")

    @Test("GET Object: canonical request, string to sign, signature and Authorization header")
    func getObject() {
        let request = SigV4Request(
            method: "GET", path: "/test.txt",
            headers: [
                Self.host, (name: "Range", value: "bytes=0-9"),
                (name: "x-amz-content-sha256", value: SigV4Request.emptyPayloadHash),
                (name: "x-amz-date", value: "20130524T000000Z"),
            ])
        let signature = Self.signer.signature(for: request, date: Self.exampleDate)
        #expect(
            signature.canonicalRequest == """
                GET
                /test.txt

                host:examplebucket.s3.amazonaws.com
                range:bytes=0-9
                x-amz-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
                x-amz-date:20130524T000000Z

                host;range;x-amz-content-sha256;x-amz-date
                e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
                """)
        #expect(
            signature.stringToSign == """
                AWS4-HMAC-SHA256
                20130524T000000Z
                20130524/us-east-1/s3/aws4_request
                7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972
                """)
        #expect(signature.signature == "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")
        #expect(
            signature.authorization
                == "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
                + "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,"
                + "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")
    }

    @Test("authorize adds x-amz-date and x-amz-content-sha256 and reproduces the GET Object header")
    func authorizeAddsHeaders() throws {
        let request = SigV4Request(
            method: "GET", path: "/test.txt", headers: [Self.host, (name: "Range", value: "bytes=0-9")])
        let headers = Self.signer.authorize(request, date: Self.exampleDate)
        let value = { (name: String) in headers.first { $0.name.lowercased() == name }?.value }
        #expect(value("x-amz-date") == "20130524T000000Z")
        #expect(value("x-amz-content-sha256") == SigV4Request.emptyPayloadHash)
        #expect(value("x-amz-security-token") == nil)
        let authorization = try #require(value("authorization"))
        #expect(authorization.hasSuffix("Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"))
    }

    @Test("PUT Object: `$` in the key is encoded once, body hash and extra headers are signed")
    func putObject() {
        let body = Data("Welcome to Amazon S3.".utf8)
        let payloadHash = SigV4Request.payloadHash(of: body)
        #expect(payloadHash == "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072")
        let request = SigV4Request(
            method: "PUT", path: "/test$file.text",
            headers: [
                Self.host, (name: "Date", value: "Fri, 24 May 2013 00:00:00 GMT"),
                (name: "x-amz-storage-class", value: "REDUCED_REDUNDANCY"),
            ], payloadHash: payloadHash)
        let headers = Self.signer.authorize(request, date: Self.exampleDate)
        #expect(request.encodedPath == "/test%24file.text")
        #expect(
            headers.last?.value
                == "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
                + "SignedHeaders=date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class,"
                + "Signature=98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd")
        var complete = request
        complete.headers = Array(headers.dropLast())
        let signature = Self.signer.signature(for: complete, date: Self.exampleDate)
        #expect(signature.stringToSign.hasSuffix("9e0e90d9c76de8fa5b200d8c849cd5b8dc7a3be3951ddb7f6a76b4158342019d"))
    }

    @Test("GET Bucket Lifecycle: a query parameter without a value is canonicalized as `lifecycle=`")
    func getLifecycle() {
        let request = SigV4Request(
            method: "GET", path: "/", query: [(name: "lifecycle", value: "")], headers: [Self.host])
        let headers = Self.signer.authorize(request, date: Self.exampleDate)
        #expect(request.encodedQuery == "lifecycle=")
        #expect(
            headers.last?.value.hasSuffix("fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543") == true)
    }

    @Test("GET Bucket (List Objects): query parameters are sorted, whatever order they come in")
    func listObjects() {
        let request = SigV4Request(
            method: "GET", path: "/", query: [(name: "prefix", value: "J"), (name: "max-keys", value: "2")],
            headers: [Self.host])
        var complete = request
        complete.headers = Array(Self.signer.authorize(request, date: Self.exampleDate).dropLast())
        let signature = Self.signer.signature(for: complete, date: Self.exampleDate)
        #expect(
            signature.canonicalRequest.split(separator: "\n", omittingEmptySubsequences: false)[2]
                == "max-keys=2&prefix=J")
        #expect(signature.stringToSign.hasSuffix("df57d21db20da04d7fa30298dd4488ba3a2b47ca3a489c74750e0f1e7df1b9b7"))
        #expect(signature.signature == "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7")
    }

    @Test("signing key derivation and signature match the documented IAM example (2015-08-30)")
    func signingKeyDerivation() {
        let key = SigV4Signer.signingKey(
            secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", dateStamp: "20150830", region: "us-east-1",
            service: "iam")
        #expect(Hashing.hex(key) == "c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9")

        let iam = SigV4Signer(
            accessKeyID: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            region: "us-east-1", service: "iam")
        let request = SigV4Request(
            method: "GET", path: "/",
            query: [(name: "Version", value: "2010-05-08"), (name: "Action", value: "ListUsers")],
            headers: [
                (name: "Content-Type", value: "application/x-www-form-urlencoded; charset=utf-8"),
                (name: "Host", value: "iam.amazonaws.com"), (name: "X-Amz-Date", value: "20150830T123600Z"),
            ])
        let signature = iam.signature(for: request, date: Date(timeIntervalSince1970: 1_440_938_160))
        #expect(signature.stringToSign.hasSuffix("f536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59"))
        #expect(signature.signature == "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7")
    }

    @Test("a session token is sent and signed as x-amz-security-token")
    func sessionToken() throws {
        let signer = SigV4Signer(
            accessKeyID: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "secret", sessionToken: "token/with+chars",
            region: "us-east-1")
        let headers = signer.authorize(
            SigV4Request(method: "GET", path: "/test.txt", headers: [Self.host]), date: Self.exampleDate)
        #expect(headers.first { $0.name == "x-amz-security-token" }?.value == "token/with+chars")
        let authorization = try #require(headers.last?.value)
        #expect(authorization.contains("SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-security-token,"))
    }

    @Test("timestamps are UTC in ISO 8601 basic format")
    func timestamps() {
        let date = Date(timeIntervalSince1970: 1_767_323_045)  // 2026-01-02T03:04:05Z
        #expect(SigV4Signer.timestamp(date) == "20260102T030405Z")
        #expect(SigV4Signer.dateStamp(date) == "20260102")
        #expect(SigV4Signer.timestamp(Self.exampleDate) == "20130524T000000Z")
    }

    @Test("timestamps agree with Foundation's UTC calendar over 5,000 seeded dates, leap days included")
    func timestampsAgreeWithCalendar() {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(secondsFromGMT: 0)!
        var generator = SplitMix64(seed: 2026)
        // 1901…2399, plus the edges of leap days and of the year 2100 (not a leap year).
        var seconds = (0..<5_000).map { _ in Int.random(in: -2_177_452_800...13_569_465_599, using: &generator) }
        seconds += [951_782_399, 951_782_400, 951_868_800, 4_107_542_399, 4_107_542_400, -1, 0, 59, 86_399]
        for second in seconds {
            let date = Date(timeIntervalSince1970: TimeInterval(second))
            let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
            let expected = String(
                format: "%04d%02d%02dT%02d%02d%02dZ", parts.year!, parts.month!, parts.day!, parts.hour!, parts.minute!,
                parts.second!)
            #expect(SigV4Signer.timestamp(date) == expected, "\(second)")
        }
    }

    @Test("the signer's description never shows the secret")
    func descriptionHidesSecret() {
        #expect(!"\(Self.signer)".contains("wJalrXUtnFEMI"))
        #expect("\(Self.signer)".contains("AKIAIOSFODNN7EXAMPLE"))
    }
}
