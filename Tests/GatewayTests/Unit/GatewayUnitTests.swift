import Foundation
import InferenceProtocol
import Testing

@testable import Gateway

@Suite("Gateway pure logic")
struct GatewayUnitTests {
    @Test("route templates map to scopes; health, metrics and the document are open")
    func accessPolicy() {
        #expect(AccessPolicy.requiredScope(forRoute: "/healthz") == nil)
        #expect(AccessPolicy.requiredScope(forRoute: "/v2/health/ready") == nil)
        #expect(AccessPolicy.requiredScope(forRoute: "/v2/models/{model}/infer") == .infer)
        #expect(AccessPolicy.requiredScope(forRoute: "/v1/models/{model}/classify") == .infer)
        #expect(AccessPolicy.requiredScope(forRoute: "/v1/batches/{id}") == .batch)
        #expect(AccessPolicy.requiredScope(forRoute: "/admin/keys") == .admin)
    }

    @Test("scopes parse from space- or comma-separated lists; admin grants everything")
    func scopes() {
        #expect(Scope.parse(["infer batch"]) == [.infer, .batch])
        #expect(Scope.parse(["infer,admin", "bogus"]) == [.infer, .admin])
        let admin = Principal(name: "ops", method: .jwt, scopes: [.admin])
        #expect(admin.allows(.infer) && admin.allows(.batch))
        let reader = Principal(name: "app", method: .apiKey, scopes: [.infer])
        #expect(reader.allows(.infer) && !reader.allows(.batch))
        #expect(reader.rateLimitIdentity == "key:app")
        #expect(admin.rateLimitIdentity == "jwt:ops")
    }

    @Test("content types: batch takes JSON or JSON Lines; classify takes images and multipart")
    func contentTypes() {
        #expect(ContentPolicyMiddleware.acceptsJSON(nil))
        #expect(ContentPolicyMiddleware.acceptsJSON("application/json"))
        #expect(!ContentPolicyMiddleware.acceptsJSON("text/plain"))
        #expect(ContentPolicyMiddleware.acceptsJSONLines("application/x-ndjson"))
        #expect(ContentPolicyMiddleware.acceptsImage("image/jpeg"))
        #expect(ContentPolicyMiddleware.acceptsImage("multipart/form-data"))
        #expect(!ContentPolicyMiddleware.acceptsImage("application/x-www-form-urlencoded"))
    }

    @Test("a token's alg is read from its header before any key is chosen")
    func tokenAlgorithm() throws {
        let header = Data(#"{"alg":"RS256","typ":"JWT"}"#.utf8).base64EncodedString()
            .replacingOccurrences(of: "=", with: "")
        #expect(try JWTVerifier.algorithm(of: header + ".e30.sig") == "RS256")
        #expect(throws: InferenceError.self) { try JWTVerifier.algorithm(of: "only.two") }
        #expect(throws: InferenceError.self) { try JWTVerifier.algorithm(of: "%%%.e30.") }
    }

    @Test("a weak HS256 secret or an unreadable key file stops the gateway from starting")
    func verifierConfiguration() async throws {
        var weak = JWTSettings()
        weak.hs256Secret = "short"
        await #expect(throws: GatewayConfigurationError.self) { _ = try await JWTVerifier(settings: weak) }
        var missingFile = JWTSettings()
        missingFile.rs256PublicKeyFile = "/nonexistent/key.pem"
        await #expect(throws: GatewayConfigurationError.self) { _ = try await JWTVerifier(settings: missingFile) }
        var badPEM = JWTSettings()
        badPEM.es256PublicKeyPEM = "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----"
        await #expect(throws: GatewayConfigurationError.self) { _ = try await JWTVerifier(settings: badPEM) }
    }

    @Test("an upstream 429 or a full Triton queue becomes 429 with Retry-After")
    func overloadContract() {
        let queueFull = UpstreamErrors.overloadAware(
            .init(status: 503, headers: [], body: Data(#"{"error":"Exceeds maximum queue size"}"#.utf8)))
        #expect(queueFull.status == 429 && queueFull.header("Retry-After") == "1")
        let withRetry = UpstreamErrors.overloadAware(.init(status: 429, headers: [("Retry-After", "4")], body: Data()))
        #expect(withRetry.header("Retry-After") == "4")
        let plain = UpstreamErrors.overloadAware(.init(status: 500, headers: [], body: Data("boom".utf8)))
        #expect(plain.status == 500)
        #expect(InferenceError(answer: withRetry).httpStatus == 429)
        #expect(InferenceError(answer: withRetry).retryAfterHeaderValue == "4")
    }

    @Test("client request ids are kept only when short and printable")
    func requestIDs() {
        #expect(RequestID.accepted("abc-123") == "abc-123")
        #expect(RequestID.accepted("") == nil)
        #expect(RequestID.accepted("has space") == nil)
        #expect(RequestID.accepted(String(repeating: "a", count: 129)) == nil)
    }
}
