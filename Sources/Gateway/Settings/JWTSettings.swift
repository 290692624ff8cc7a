import Configuration
import Foundation

/// JWT verification settings: keys under `gateway.auth.jwt.` (falling back to `jwt.`, so
/// `JWT_ISSUER`, `JWT_AUDIENCE` and `JWT_HS256_SECRET` work as they are).
///
/// A token is accepted only when its `alg` is in ``algorithms`` and a key of that algorithm is
/// configured; it is then verified with that key alone, so an HMAC token can never be checked
/// against an RSA public key (the classic algorithm-confusion attack).
public struct JWTSettings: Sendable {
    /// The required `iss`. Nil accepts no token at all.
    public var issuer: String?
    /// The audience that `aud` must contain. Nil accepts no token at all.
    public var audience: String?
    /// The shared HS256 secret (`hs256_secret`); at least 32 bytes.
    public var hs256Secret: String?
    /// An RS256 public key, PEM text (`rs256_public_key`).
    public var rs256PublicKeyPEM: String?
    /// A file holding an RS256 public key in PEM (`rs256_public_key_file`); read at start.
    public var rs256PublicKeyFile: String?
    /// An ES256 (P-256) public key, PEM text (`es256_public_key`).
    public var es256PublicKeyPEM: String?
    /// A file holding an ES256 public key in PEM (`es256_public_key_file`); read at start.
    public var es256PublicKeyFile: String?
    /// The algorithms accepted (`algorithms`, comma-separated). Default HS256, RS256, ES256;
    /// `none` is never accepted, whatever this says.
    public var algorithms: Set<String> = ["HS256", "RS256", "ES256"]
    /// Clock skew tolerated for `exp` and `nbf`. Default 30 s (`leeway_seconds`).
    public var leeway: Duration = .seconds(30)

    /// No keys: every token is refused.
    public init() {}

    /// Reads the settings from `config`, each key falling back to `fallback`.
    public init(config: ConfigReader, fallback: ConfigReader) {
        func read(_ key: String) -> String? {
            let value = config.string(forKey: ConfigKey(key)) ?? fallback.string(forKey: ConfigKey(key))
            return value?.isEmpty == false ? value : nil
        }
        issuer = read("issuer")
        audience = read("audience")
        hs256Secret = read("hs256_secret")
        rs256PublicKeyPEM = read("rs256_public_key")
        rs256PublicKeyFile = read("rs256_public_key_file")
        es256PublicKeyPEM = read("es256_public_key")
        es256PublicKeyFile = read("es256_public_key_file")
        if let list = read("algorithms") {
            algorithms = Set(list.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).uppercased() })
        }
        leeway = .seconds(config.int(forKey: "leeway_seconds", default: 30))
    }
}
