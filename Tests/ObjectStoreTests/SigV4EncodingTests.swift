import Testing

@testable import ObjectStore

@Suite("SigV4 URI encoding and canonical forms")
struct SigV4EncodingTests {
    @Test("unreserved characters stay, everything else is %XY of its UTF-8 bytes, uppercase hex")
    func encoding() {
        #expect(SigV4Encoding.encode("AZaz09-._~") == "AZaz09-._~")
        #expect(SigV4Encoding.encode("a b") == "a%20b")
        #expect(SigV4Encoding.encode("a+b=c&d") == "a%2Bb%3Dc%26d")
        #expect(SigV4Encoding.encode("*'()!$,;:@") == "%2A%27%28%29%21%24%2C%3B%3A%40")
        #expect(SigV4Encoding.encode("ü") == "%C3%BC")
        #expect(SigV4Encoding.encode("日本") == "%E6%97%A5%E6%9C%AC")
        #expect(SigV4Encoding.encode("😀") == "%F0%9F%98%80")
        #expect(SigV4Encoding.encode("%41") == "%2541")
    }

    @Test("`/` is encoded in query components and kept between object path segments")
    func slashes() {
        #expect(SigV4Encoding.encode("a/b") == "a%2Fb")
        #expect(SigV4Encoding.encode("a/b", keepSlash: true) == "a/b")
        #expect(SigV4Encoding.canonicalPath("/bucket/dir one/ü+x.json") == "/bucket/dir%20one/%C3%BC%2Bx.json")
        #expect(SigV4Encoding.canonicalPath("bucket/key") == "/bucket/key")
        #expect(SigV4Encoding.canonicalPath("/bucket/a//b/../c") == "/bucket/a//b/../c")
    }

    @Test("query parameters sort by encoded name (byte order), then by value; empty values keep `=`")
    func queryOrder() {
        let query = SigV4Encoding.canonicalQuery([
            (name: "prefix", value: "a b/c"),
            (name: "list-type", value: "2"),
            (name: "Zeta", value: "1"),
            (name: "acl", value: ""),
            (name: "key", value: "b"),
            (name: "key", value: "a"),
            (name: "continuation-token", value: "1/2+3=="),
        ])
        #expect(
            query == "Zeta=1&acl=&continuation-token=1%2F2%2B3%3D%3D&key=a&key=b&list-type=2&prefix=a%20b%2Fc")
    }

    @Test("query names are sorted after encoding, so `%` sorts below letters")
    func sortsEncodedNames() {
        #expect(SigV4Encoding.canonicalQuery([(name: "a", value: "1"), (name: "!", value: "2")]) == "%21=2&a=1")
    }

    @Test("header values are trimmed and inner whitespace runs collapse to one space")
    func headerValues() {
        #expect(SigV4Encoding.canonicalHeaderValue("  a   b \t c  ") == "a b c")
        #expect(SigV4Encoding.canonicalHeaderValue("plain") == "plain")
        #expect(SigV4Encoding.canonicalHeaderValue("") == "")
    }

    @Test("repeated header names are joined with `,` in the order given; names are lowercased")
    func repeatedHeaders() {
        let signer = SigV4Signer(accessKeyID: "id", secretAccessKey: "secret", region: "us-east-1")
        let canonical = signer.canonicalRequest(
            SigV4Request(
                method: "get", path: "/k",
                headers: [
                    (name: "X-Amz-Meta-A", value: " one "), (name: "host", value: "h"),
                    (name: "x-amz-meta-a", value: "two"),
                ]))
        #expect(canonical.text.hasPrefix("GET\n/k\n\nhost:h\nx-amz-meta-a:one,two\n\nhost;x-amz-meta-a\n"))
        #expect(canonical.signedHeaders == "host;x-amz-meta-a")
    }

    @Test("SHA-256 and HMAC-SHA256 match the FIPS 180 and RFC 4231 test vectors")
    func hashing() {
        #expect(
            Hashing.hex(Hashing.sha256("abc")) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(Hashing.hex(Hashing.sha256("")) == Hashing.emptySHA256Hex)
        // RFC 4231 test case 2.
        #expect(
            Hashing.hex(Hashing.hmacSHA256(key: Array("Jefe".utf8), message: "what do ya want for nothing?"))
                == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    }
}
