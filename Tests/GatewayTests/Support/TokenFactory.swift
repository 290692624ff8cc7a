import Foundation
import JWTKit
import TestSupport

/// Signs test tokens: HS256 with the fixture's secret (or any other), RS256 with a key made by
/// `openssl` for this run, ES256 with a fresh P-256 key, and hand-made unsigned ones.
struct TokenFactory {
    struct Claims: JWTPayload {
        var sub: SubjectClaim?
        var iss: IssuerClaim?
        var aud: AudienceClaim?
        var exp: ExpirationClaim?
        var nbf: NotBeforeClaim?
        var scope: String?

        func verify(using algorithm: some JWTAlgorithm) async throws {}
    }

    /// Standard claims: valid for an hour from now, for the fixture's issuer and audience.
    static func claims(
        subject: String = "user-" + UUID().uuidString.prefix(8).lowercased(), scope: String? = "infer",
        expiresIn: TimeInterval = 3600, notBefore: Date? = nil,
        audience: String = GatewayFixture.audience, issuer: String = GatewayFixture.issuer
    ) -> Claims {
        Claims(
            sub: SubjectClaim(value: subject), iss: IssuerClaim(value: issuer), aud: AudienceClaim(value: [audience]),
            exp: ExpirationClaim(value: Date().addingTimeInterval(expiresIn)),
            nbf: notBefore.map { NotBeforeClaim(value: $0) }, scope: scope)
    }

    /// An HS256 token signed with `secret` (default the fixture's).
    static func hs256(_ claims: Claims, secret: String = GatewayFixture.hs256Secret) async throws -> String {
        let keys = await JWTKeyCollection().add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256)
        return try await keys.sign(claims)
    }

    /// An RS256 token signed with `privateKeyPEM`.
    static func rs256(_ claims: Claims, privateKeyPEM: String) async throws -> String {
        let keys = await JWTKeyCollection().add(
            rsa: try Insecure.RSA.PrivateKey(pem: privateKeyPEM), digestAlgorithm: .sha256)
        return try await keys.sign(claims)
    }

    /// An ES256 token signed with `key`.
    static func es256(_ claims: Claims, key: ES256PrivateKey) async throws -> String {
        let keys = await JWTKeyCollection().add(ecdsa: key)
        return try await keys.sign(claims)
    }

    /// An unsigned token (`alg: none`, empty signature).
    static func unsigned(_ claims: Claims) throws -> String {
        let header = base64URL(Data(#"{"alg":"none","typ":"JWT"}"#.utf8))
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .secondsSince1970
        return header + "." + base64URL(try encoder.encode(claims)) + "."
    }

    /// A 2048-bit RSA key pair made by `openssl` (private PEM, public PEM).
    static func rsaKeyPair() async throws -> (privateKey: String, publicKey: String) {
        let generated = try await ProcessRunner.run("/usr/bin/openssl", ["genrsa", "2048"])
        guard generated.status == 0 else { throw KeyGenerationFailed(output: generated.errorOutput) }
        let key = try Insecure.RSA.PrivateKey(pem: generated.output)
        return (generated.output, key.publicKey.pemRepresentation)
    }

    struct KeyGenerationFailed: Error { let output: String }

    static func base64URL(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
