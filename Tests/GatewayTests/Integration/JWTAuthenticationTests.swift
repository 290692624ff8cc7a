import Foundation
import Gateway
import JWTKit
import TestSupport
import Testing

@Suite(
    "JWT authentication through the gateway", .serialized, .timeLimit(.minutes(3)),
    .enabled(if: StackEnvironment.current.values["ROUTER_URL"] != nil, "ROUTER_URL not set: run `make up` first"))
struct JWTAuthenticationTests {
    @Test("each token case gets the right status, and the reason never echoes the token")
    func tokenCases() async throws {
        let rsa = try await TokenFactory.rsaKeyPair()
        let ecKey = ES256PrivateKey()
        var settings = try GatewayFixture.stackSettings()
        settings.jwt.rs256PublicKeyPEM = rsa.publicKey
        settings.jwt.es256PublicKeyPEM = ecKey.publicKey.pemRepresentation

        typealias Case = (name: String, token: String?, status: Int, reason: String)
        let claims = TokenFactory.claims()
        let cases: [Case] = [
            ("valid HS256", try await TokenFactory.hs256(claims), 200, ""),
            ("valid RS256", try await TokenFactory.rs256(claims, privateKeyPEM: rsa.privateKey), 200, ""),
            ("valid ES256", try await TokenFactory.es256(claims, key: ecKey), 200, ""),
            ("expired", try await TokenFactory.hs256(TokenFactory.claims(expiresIn: -3600)), 401, "expired"),
            (
                "not yet valid",
                try await TokenFactory.hs256(TokenFactory.claims(notBefore: Date().addingTimeInterval(3600))),
                401, "not valid yet"
            ),
            (
                "wrong signature", try await TokenFactory.hs256(claims, secret: String(repeating: "x", count: 48)), 401,
                "signature"
            ),
            ("alg none", try TokenFactory.unsigned(claims), 401, "alg none"),
            (
                "HS256 signed with the RSA public key (algorithm confusion)",
                try await TokenFactory.hs256(claims, secret: rsa.publicKey), 401, "signature"
            ),
            (
                "wrong audience", try await TokenFactory.hs256(TokenFactory.claims(audience: "someone-else")), 401,
                "audience"
            ),
            (
                "wrong issuer", try await TokenFactory.hs256(TokenFactory.claims(issuer: "https://evil.example")), 401,
                "issuer"
            ),
            ("missing scope", try await TokenFactory.hs256(TokenFactory.claims(scope: "batch")), 403, "'infer' scope"),
            ("no scope claim", try await TokenFactory.hs256(TokenFactory.claims(scope: nil)), 403, "'infer' scope"),
            ("admin implies infer", try await TokenFactory.hs256(TokenFactory.claims(scope: "admin")), 200, ""),
            ("garbage token", "not.a.jwt", 401, "malformed"),
            ("no credentials", nil, 401, "credentials required"),
        ]
        try await GatewayFixture.with(settings) { gateway in
            for testCase in cases {
                let headers = testCase.token.map(Requests.bearer) ?? []
                let answer = try await gateway.send("GET", "/v2/models/simple", headers: headers)
                #expect(answer.status == testCase.status, "\(testCase.name): \(answer.status) \(answer.text)")
                if testCase.status != 200 {
                    #expect(answer.errorMessage.contains(testCase.reason), "\(testCase.name): \(answer.errorMessage)")
                    if let token = testCase.token { #expect(!answer.text.contains(token)) }
                }
                if testCase.status == 401 {
                    #expect(answer.header("WWW-Authenticate")?.hasPrefix("Bearer") == true, "\(testCase.name)")
                }
            }
        }
    }

    @Test("with only an RS256 key configured, an HS256 token signed with that public key is refused")
    func confusionWithoutHMACKey() async throws {
        let rsa = try await TokenFactory.rsaKeyPair()
        var settings = try GatewayFixture.stackSettings()
        settings.jwt.hs256Secret = nil
        settings.jwt.rs256PublicKeyPEM = rsa.publicKey
        let claims = TokenFactory.claims()
        let forged = try await TokenFactory.hs256(claims, secret: rsa.publicKey)
        let genuine = try await TokenFactory.rs256(claims, privateKeyPEM: rsa.privateKey)
        try await GatewayFixture.with(settings) { gateway in
            let refused = try await gateway.send("GET", "/v2/models/simple", headers: Requests.bearer(forged))
            #expect(refused.status == 401)
            #expect(refused.errorMessage.contains("HS256 is not accepted"), "\(refused.errorMessage)")
            let accepted = try await gateway.send("GET", "/v2/models/simple", headers: Requests.bearer(genuine))
            #expect(accepted.status == 200)
        }
    }

    @Test("health, readiness, metrics and the OpenAPI document need no credentials")
    func openRoutes() async throws {
        try await GatewayFixture.with(try GatewayFixture.stackSettings()) { gateway in
            for path in ["/healthz", "/readyz", "/metrics", "/openapi.yaml", "/v2/health/live", "/v2/health/ready"] {
                let answer = try await gateway.send("GET", path)
                #expect(answer.status == 200, "\(path): \(answer.status) \(answer.text)")
            }
            for path in ["/v2", "/v2/models/simple", "/v1/models"] {
                let answer = try await gateway.send("GET", path)
                #expect(answer.status == 401, "\(path) must need credentials: \(answer.status)")
            }
        }
    }
}
