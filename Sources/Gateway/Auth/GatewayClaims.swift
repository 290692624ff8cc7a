import Foundation
import JWTKit

/// The claims the gateway reads from a bearer token.
///
/// Only the signature is checked while decoding; ``JWTVerifier`` checks the claims afterwards
/// with its own clock and leeway, so each failure gets its own reason.
struct GatewayClaims: JWTPayload {
    var sub: SubjectClaim?
    var iss: IssuerClaim?
    var aud: AudienceClaim?
    var exp: ExpirationClaim?
    var nbf: NotBeforeClaim?
    var scope: ScopeClaim?

    func verify(using algorithm: some JWTAlgorithm) async throws {}
}

/// The `scope` claim: a space-separated string (RFC 8693) or an array of strings.
struct ScopeClaim: Codable, Sendable, Hashable {
    var names: [String]

    init(names: [String]) {
        self.names = names
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let text = try? container.decode(String.self) {
            names = text.split(separator: " ").map(String.init)
        } else {
            names = try container.decode([String].self)
        }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(names.joined(separator: " "))
    }
}
