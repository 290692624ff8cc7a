import Foundation
import Hummingbird
import Testing

@testable import RouterApp

@Suite("Router admin token")
struct AdminTokenTests {
    @Test("matches only the exact token, whatever the length of the presented one")
    func matching() throws {
        let token = try #require(AdminToken("0123456789abcdef0123456789abcdef\n"))
        #expect(token.matches("0123456789abcdef0123456789abcdef"))
        #expect(!token.matches("0123456789abcdef0123456789abcdeF"))
        #expect(!token.matches("0123456789abcdef0123456789abcde"))
        #expect(!token.matches("0123456789abcdef0123456789abcdef0"))
        #expect(!token.matches("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"))
        #expect(!token.matches(""))
        #expect(AdminToken("  \n") == nil)
    }

    @Test("the bearer scheme is read case-insensitively; anything else is no credential")
    func bearer() {
        typealias Middleware = AdminAuthMiddleware<BasicRequestContext>
        #expect(Middleware.bearer("Bearer abc") == "abc")
        #expect(Middleware.bearer("bearer  abc") == "abc")
        #expect(Middleware.bearer("Basic abc") == nil)
        #expect(Middleware.bearer("Bearer ") == nil)
        #expect(Middleware.bearer(nil) == nil)
    }

    @Test("outside the local stack an example or short token stops the start; locally it is accepted")
    func examplesRefused() throws {
        for example in ["change-me", "router-admin-token-CHANGE-ME-0000", "example-router-admin-token"] {
            #expect(throws: AdminTokenError.self) {
                _ = try AdminToken.load(value: example, file: nil, platformEnvironment: nil)
            }
            #expect(try AdminToken.load(value: example, file: nil, platformEnvironment: "local") != nil)
        }
        #expect(throws: AdminTokenError.self) {
            _ = try AdminToken.load(value: "short", file: nil, platformEnvironment: "production")
        }
        #expect(try AdminToken.load(value: nil, file: nil, platformEnvironment: nil) == nil)
        #expect(try AdminToken.load(value: "", file: "", platformEnvironment: nil) == nil)
    }

    @Test("the token is read from a file (a mounted Secret) when the variable is unset")
    func fromFile() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("token-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let secret = "f3b1c0de9a8e4d7c6b5a49382716fedc"
        try (secret + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        let token = try #require(try AdminToken.load(value: nil, file: path, platformEnvironment: nil))
        #expect(token.matches(secret))
        let error = #expect(throws: AdminTokenError.self) {
            _ = try AdminToken.load(value: nil, file: path + ".missing", platformEnvironment: nil)
        }
        #expect(error?.description.contains(secret) == false)
    }
}
