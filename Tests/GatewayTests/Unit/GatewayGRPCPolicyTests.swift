import Testing

@testable import Gateway

@Suite("The gateway's gRPC admission")
struct GatewayGRPCPolicyTests {
    @Test(
        "failed authentications are charged to the address in the gRPC peer",
        arguments: [
            ("ipv4:127.0.0.1:50312", "127.0.0.1"), ("ipv6:[::1]:50312", "::1"),
            ("unix:/tmp/socket", "unix:/tmp/socket"),
            ("10.0.0.7", "10.0.0.7"),
        ])
    func clientAddress(peer: String, address: String) {
        #expect(GatewayGRPCPolicy.clientAddress(peer: peer) == address)
    }

    @Test("model names in gRPC fields pass the same check as path segments, without percent-decoding")
    func modelNames() throws {
        #expect(try ModelName(decoded: "digits").value == "digits")
        #expect(throws: (any Error).self) { try ModelName(decoded: "%64igits") }
        #expect(throws: (any Error).self) { try ModelName(decoded: "../simple") }
    }
}
