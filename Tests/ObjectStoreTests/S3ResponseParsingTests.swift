import InferenceProtocol
import CurlHTTP
import Foundation
import Testing

@testable import ObjectStore

@Suite("S3 XML answers: errors and listings")
struct S3ResponseParsingTests {
    static func errorResponse(status: Int, code: String, message: String) -> UpstreamResponse {
        let xml = """
            <?xml version="1.0" encoding="UTF-8"?>
            <Error><Code>\(code)</Code><Message>\(message)</Message><Resource>/b/k</Resource>\
            <StringToSign>AWS4-HMAC-SHA256 secret-looking-material</StringToSign>\
            <SignatureProvided>0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef</SignatureProvided>\
            <RequestId>1</RequestId></Error>
            """
        return UpstreamResponse(status: status, headers: [], body: Data(xml.utf8))
    }

    @Test("each S3 error code maps to its kind, with a clear message")
    func errorCodes() {
        let cases: [(String, Int, ObjectStoreError.Code)] = [
            ("NoSuchKey", 404, .notFound), ("NoSuchBucket", 404, .bucketMissing),
            ("SignatureDoesNotMatch", 403, .signatureMismatch), ("AccessDenied", 403, .accessDenied),
            ("InvalidAccessKeyId", 403, .accessDenied), ("InternalError", 500, .server),
            ("BucketAlreadyOwnedByYou", 409, .server),
        ]
        for (s3Code, status, kind) in cases {
            let error = ObjectStoreError.from(
                Self.errorResponse(status: status, code: s3Code, message: "m"), bucket: "b", key: "k")
            #expect(error.code == kind, "\(s3Code)")
            #expect(error.s3Code == s3Code)
            #expect(error.status == status)
        }
    }

    @Test("a signature mismatch names the variable to check and echoes nothing from the request")
    func signatureMismatchMessage() {
        let error = ObjectStoreError.from(
            Self.errorResponse(status: 403, code: "SignatureDoesNotMatch", message: "The request signature..."),
            bucket: "b", key: "k")
        #expect(error.name == "signature_mismatch")
        #expect(
            error.description
                == "S3 rejected the request signature (SignatureDoesNotMatch): "
                + "check AWS_SECRET_ACCESS_KEY and the region"
        )
        #expect(!error.description.contains("0123456789abcdef"))
        #expect(!error.description.contains("secret-looking"))
        #expect(!error.isRetryable)
    }

    @Test("5xx and throttling are retryable, client errors are not; bodiless answers use the status")
    func retryabilityAndStatusOnly() {
        #expect(
            ObjectStoreError.from(Self.errorResponse(status: 503, code: "SlowDown", message: ""), bucket: "b", key: nil)
                .isRetryable)
        #expect(
            ObjectStoreError.from(
                Self.errorResponse(status: 400, code: "RequestTimeout", message: ""), bucket: "b", key: nil
            ).isRetryable)
        #expect(
            !ObjectStoreError.from(
                Self.errorResponse(status: 400, code: "InvalidArgument", message: ""), bucket: "b", key: nil
            ).isRetryable)
        let bare = { (status: Int, key: String?) in
            ObjectStoreError.from(UpstreamResponse(status: status, headers: [], body: Data()), bucket: "b", key: key)
        }
        #expect(bare(404, "k").code == .notFound)
        #expect(bare(404, nil).code == .bucketMissing)
        #expect(bare(403, "k").code == .accessDenied)
        #expect(bare(502, "k").code == .server)
        #expect(bare(502, "k").isRetryable)
        #expect(bare(502, "k").description == "S3 answered HTTP 502")
    }

    @Test("a ListObjectsV2 page: keys with entities, sizes, unquoted ETags, continuation token")
    func listPage() throws {
        let xml = """
            <?xml version="1.0" encoding="UTF-8"?>
            <ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>b</Name><Prefix>p/</Prefix>\
            <KeyCount>2</KeyCount><MaxKeys>2</MaxKeys><IsTruncated>true</IsTruncated>\
            <NextContinuationToken>tok/en+1=</NextContinuationToken>\
            <Contents><Key>p/a &amp; b &lt;1&gt; &#252;&#x65E5;.json</Key>\
            <LastModified>2026-01-02T03:04:05.000Z</LastModified>\
            <ETag>&quot;9b2cf535f27731c974343645a3985328&quot;</ETag><Size>5</Size><Owner><ID>x</ID></Owner>\
            <StorageClass>STANDARD</StorageClass></Contents>\
            <Contents><Key>p/empty</Key><ETag>"d41d8cd98f00b204e9800998ecf8427e"</ETag><Size>0</Size></Contents>\
            </ListBucketResult>
            """
        let page = try S3ListPage(xml: xml)
        #expect(page.isTruncated)
        #expect(page.nextContinuationToken == "tok/en+1=")
        #expect(page.objects.map(\.key) == ["p/a & b <1> ü日.json", "p/empty"])
        #expect(page.objects.map(\.size) == [5, 0])
        #expect(page.objects.map(\.etag) == ["9b2cf535f27731c974343645a3985328", "d41d8cd98f00b204e9800998ecf8427e"])
        #expect(page.objects[0].lastModified == "2026-01-02T03:04:05.000Z")
    }

    @Test("the last page has no token; an empty listing has no objects")
    func lastAndEmptyPages() throws {
        let last = try S3ListPage(
            xml:
                "<ListBucketResult><IsTruncated>false</IsTruncated>"
                + "<Contents><Key>k</Key><Size>1</Size></Contents></ListBucketResult>"
        )
        #expect(!last.isTruncated)
        #expect(last.nextContinuationToken == nil)
        #expect(last.objects.count == 1)
        let empty = try S3ListPage(
            xml: "<ListBucketResult><IsTruncated>false</IsTruncated><Prefix/></ListBucketResult>")
        #expect(empty.objects.isEmpty)
    }

    @Test("documents that are not listings, or truncated without a token, are rejected")
    func invalidListings() {
        #expect { try S3ListPage(xml: "<Error><Code>X</Code></Error>") } throws: { error in
            (error as? ObjectStoreError)?.code == .invalidResponse
        }
        #expect {
            try S3ListPage(xml: "<ListBucketResult><IsTruncated>true</IsTruncated></ListBucketResult>")
        } throws: {
            error in (error as? ObjectStoreError)?.code == .invalidResponse
        }
        #expect {
            try S3ListPage(xml: "<ListBucketResult><Contents><Size>1</Size></Contents></ListBucketResult>")
        } throws: {
            error in (error as? ObjectStoreError)?.code == .invalidResponse
        }
    }

    @Test("unknown entities and stray ampersands are kept as written")
    func unescapeEdgeCases() {
        #expect(S3XML.unescape("a & b") == "a & b")
        #expect(S3XML.unescape("&bogus;&amp;amp;") == "&bogus;&amp;")
        #expect(S3XML.unescape("&#xD800;") == "&#xD800;")
    }

    @Test("elements and empty elements come back in document order, however many precede an empty one")
    func elementsInOrder() {
        let xml = (0..<500).map { "<Key>k\($0)</Key>" }.joined() + "<Key/>" + "<Key>last</Key><Key/>"
        let found = S3XML.elements("Key", in: xml[...])
        #expect(found.count == 503)
        #expect(found.prefix(500).map(String.init) == (0..<500).map { "k\($0)" })
        #expect(found.suffix(3).map(String.init) == ["", "last", ""])
        #expect(S3XML.elements("Key", in: "<Key/><Key>a</Key>"[...]).map(String.init) == ["", "a"])
    }
}
