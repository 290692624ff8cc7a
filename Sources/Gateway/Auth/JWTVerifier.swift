import Foundation
import InferenceProtocol
import JWTKit

/// Verifies bearer JWTs: signature with the key of the token's own algorithm, then `exp`, `nbf`,
/// `iss`, `aud` and `sub`, and reads the `scope` claim.
///
/// Each algorithm has its own key collection holding only keys of that algorithm, and a token's
/// `alg` must be on the allow-list: `none` is never accepted and an HS256 token is never checked
/// against an RSA or EC public key. Failure reasons name the claim, never the token.
public struct JWTVerifier: Sendable {
    private let keys: [String: JWTKeyCollection]
    private let issuer: String?
    private let audience: String?
    private let leeway: Duration
    private let now: @Sendable () -> Date

    /// Builds the key collections from `settings`.
    ///
    /// - Throws: ``GatewayConfigurationError`` when a key cannot be read or parsed, or an HS256
    ///   secret is shorter than 32 bytes.
    public init(settings: JWTSettings, now: @escaping @Sendable () -> Date = { Date() }) async throws {
        var keys: [String: JWTKeyCollection] = [:]
        let allowed = settings.algorithms.subtracting(["NONE"])
        if let secret = settings.hs256Secret, allowed.contains("HS256") {
            guard secret.utf8.count >= 32 else {
                throw GatewayConfigurationError("the HS256 secret must be at least 32 bytes")
            }
            keys["HS256"] = await JWTKeyCollection().add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256)
        }
        if let pem = try Self.pem(text: settings.rs256PublicKeyPEM, file: settings.rs256PublicKeyFile, name: "RS256"),
            allowed.contains("RS256")
        {
            do {
                let key = try Insecure.RSA.PublicKey(pem: pem)
                keys["RS256"] = await JWTKeyCollection().add(rsa: key, digestAlgorithm: .sha256)
            } catch {
                throw GatewayConfigurationError("the RS256 public key is not a valid RSA public key in PEM")
            }
        }
        if let pem = try Self.pem(text: settings.es256PublicKeyPEM, file: settings.es256PublicKeyFile, name: "ES256"),
            allowed.contains("ES256")
        {
            do {
                keys["ES256"] = await JWTKeyCollection().add(ecdsa: try ES256PublicKey(pem: pem))
            } catch {
                throw GatewayConfigurationError("the ES256 public key is not a valid P-256 public key in PEM")
            }
        }
        self.keys = keys
        self.issuer = settings.issuer
        self.audience = settings.audience
        self.leeway = settings.leeway
        self.now = now
    }

    /// The algorithms for which a key is configured and allowed.
    public var algorithms: [String] { keys.keys.sorted() }

    /// The principal a token proves, or `unauthenticated` saying why not.
    public func verify(_ token: String) async throws(InferenceError) -> Principal {
        let algorithm = try Self.algorithm(of: token)
        guard algorithm != "none", algorithm.uppercased() != "NONE" else {
            throw .unauthenticated("unsigned tokens (alg none) are not accepted")
        }
        guard let collection = keys[algorithm] else {
            throw .unauthenticated("token algorithm \(algorithm.prefix(16)) is not accepted")
        }
        let claims: GatewayClaims
        do {
            claims = try await collection.verify(token, as: GatewayClaims.self)
        } catch let error as JWTError where error.errorType == .signatureVerificationFailed {
            throw .unauthenticated("token signature does not verify")
        } catch {
            throw .unauthenticated("token is malformed")
        }
        return try principal(from: claims)
    }

    private func principal(from claims: GatewayClaims) throws(InferenceError) -> Principal {
        let current = now()
        let slack = TimeInterval(leeway.components.seconds)
        guard let expiry = claims.exp?.value else { throw .unauthenticated("token has no exp claim") }
        guard current.timeIntervalSince(expiry) <= slack else { throw .unauthenticated("token has expired") }
        if let notBefore = claims.nbf?.value, notBefore.timeIntervalSince(current) > slack {
            throw .unauthenticated("token is not valid yet (nbf)")
        }
        guard let issuer, claims.iss?.value == issuer else { throw .unauthenticated("token issuer is not accepted") }
        guard let audience, claims.aud?.value.contains(audience) == true else {
            throw .unauthenticated("token audience does not include this gateway")
        }
        guard let subject = claims.sub?.value, !subject.isEmpty else {
            throw .unauthenticated("token has no sub claim")
        }
        return Principal(name: subject, method: .jwt, scopes: Scope.parse(claims.scope?.names ?? []))
    }

    /// The `alg` of a token's header, read before any key is chosen.
    static func algorithm(of token: String) throws(InferenceError) -> String {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let header = Base64URL.decode(parts[0]),
            let object = try? JSONSerialization.jsonObject(with: header) as? [String: Any],
            let algorithm = object["alg"] as? String
        else {
            throw .unauthenticated("token is malformed")
        }
        return algorithm
    }

    private static func pem(text: String?, file: String?, name: String) throws -> String? {
        if let text { return text }
        guard let file else { return nil }
        do {
            return try String(contentsOfFile: file, encoding: .utf8)
        } catch {
            throw GatewayConfigurationError("cannot read the \(name) public key file \(file)")
        }
    }
}

/// Base64url without padding, as JWTs use it.
enum Base64URL {
    static func decode(_ text: Substring) -> Data? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        return Data(base64Encoded: base64)
    }
}
