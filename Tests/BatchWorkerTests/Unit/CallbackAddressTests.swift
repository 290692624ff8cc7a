import Foundation
import Testing

@testable import BatchWorker

@Suite("Callback address fence")
struct CallbackAddressTests {
    @Test(
        "IPv4 classification",
        arguments: [
            ("127.0.0.1", AddressClass.loopback), ("127.255.0.9", .loopback), ("10.1.2.3", .private),
            ("172.16.0.1", .private), ("172.31.255.255", .private), ("192.168.1.1", .private),
            ("100.64.0.1", .sharedCGNAT), ("100.127.255.254", .sharedCGNAT), ("169.254.1.1", .linkLocal),
            ("169.254.169.254", .metadata), ("0.0.0.0", .unspecified), ("0.1.2.3", .unspecified),
            ("224.0.0.1", .multicast), ("239.255.255.250", .multicast), ("255.255.255.255", .reserved),
            ("240.0.0.1", .reserved), ("192.0.2.7", .reserved), ("198.18.0.1", .reserved),
        ])
    func ipv4Classes(text: String, expected: AddressClass) throws {
        let address = try #require(IPAddress(text))
        #expect(AddressClass.classify(address) == expected)
    }

    @Test(
        "IPv6 classification, including IPv4 carried inside IPv6",
        arguments: [
            ("::1", AddressClass.loopback), ("::", .unspecified), ("fe80::1", .linkLocal), ("febf::1", .linkLocal),
            ("fc00::1", .uniqueLocal), ("fd12:3456::1", .uniqueLocal), ("fd00:ec2::254", .metadata),
            ("ff02::1", .multicast), ("fec0::1", .private), ("2001:db8::1", .reserved),
            ("::ffff:127.0.0.1", .loopback), ("::ffff:7f00:1", .loopback), ("::ffff:10.0.0.1", .private),
            ("::ffff:169.254.169.254", .metadata), ("::127.0.0.1", .loopback), ("64:ff9b::a9fe:a9fe", .metadata),
            ("2002:c0a8:0101::1", .private), ("[::1]", .loopback),
        ])
    func ipv6Classes(text: String, expected: AddressClass) throws {
        let address = try #require(IPAddress(text))
        #expect(AddressClass.classify(address) == expected)
    }

    @Test(
        "public addresses are not classified",
        arguments: [
            "8.8.8.8", "1.1.1.1", "172.32.0.1", "100.128.0.1", "169.255.0.1", "2606:4700::1111", "::ffff:8.8.8.8",
        ])
    func publicAddresses(text: String) throws {
        #expect(AddressClass.classify(try #require(IPAddress(text))) == nil)
    }

    @Test(
        "only strict address forms parse; shorthand forms go to the resolver",
        arguments: ["127.1", "0x7f000001", "2130706433", "fe80::1%eth0", "1.2.3.4.5", "", "::g", "[::1"])
    func strictParsing(text: String) {
        #expect(IPAddress(text) == nil)
    }

    @Test("canonical text and endpoints")
    func text() throws {
        #expect(try #require(IPAddress("2001:DB8:0:0::1")).description == "2001:db8::1")
        #expect(try #require(IPAddress("::1")).endpoint(port: 80) == "[::1]:80")
        #expect(try #require(IPAddress("10.0.0.1")).endpoint(port: 8080) == "10.0.0.1:8080")
    }

    @Test("allow-list entries: address with port range, CIDR, bracketed IPv6, bare IPv6, host name")
    func allowList() throws {
        let list = try CallbackAllowList(parsing: [
            "127.0.0.1:32768-60999", "10.20.0.0/16", "[fd12::/16]:8443", "fe80::/10", "Hooks.Internal:443", " ",
        ])
        let loopback = try #require(IPAddress("127.0.0.1"))
        #expect(list.permits(host: "127.0.0.1", address: loopback, port: 40000))
        #expect(!list.permits(host: "127.0.0.1", address: loopback, port: 18000))
        #expect(!list.permits(host: "127.0.0.2", address: try #require(IPAddress("127.0.0.2")), port: 40000))
        #expect(list.permits(host: "x", address: try #require(IPAddress("10.20.3.4")), port: 1))
        #expect(!list.permits(host: "x", address: try #require(IPAddress("10.21.3.4")), port: 1))
        #expect(list.permits(host: "x", address: try #require(IPAddress("fd12::9")), port: 8443))
        #expect(!list.permits(host: "x", address: try #require(IPAddress("fd12::9")), port: 443))
        #expect(list.permits(host: "x", address: try #require(IPAddress("fe80::2")), port: 9))
        #expect(list.permits(host: "hooks.internal", address: loopback, port: 443))
        #expect(!list.permits(host: "hooks.internal", address: loopback, port: 80))
    }

    @Test(
        "malformed allow-list entries stop the start",
        arguments: ["127.0.0.1:0", "127.0.0.1:70000", "127.0.0.1:9-8", "10.0.0.0/33", "[::1", "[::1]x", "a b", "h:1:2"])
    func malformedAllowList(entry: String) {
        #expect(throws: CallbackConfigurationError.self) { try CallbackAllowList(parsing: [entry]) }
    }

    @Test("callback URLs: scheme, user info, host, port, size and characters are checked")
    func targets() throws {
        let plain = try CallbackTarget("http://Example.COM/hook?x=1")
        #expect(plain.host == "example.com" && plain.port == 80 && plain.scheme == "http")
        #expect(try CallbackTarget("https://example.com/").port == 443)
        let v6 = try CallbackTarget("http://[::1]:8080/x")
        #expect(v6.host == "::1" && v6.port == 8080)
        for bad in [
            "ftp://example.com/", "file:///etc/passwd", "gopher://127.0.0.1:6379/_", "http://user:pw@example.com/",
            "http://example.com@127.0.0.1/", "/relative", "http:///nohost", "http://exa mple.com/",
            "http://[fe80::1%25eth0]/", "http://example.com:0/", "http://" + String(repeating: "a", count: 2100),
        ] {
            #expect(throws: CallbackError.self, "\(bad)") { try CallbackTarget(bad) }
        }
    }

    @Test("the fence refuses any forbidden address a host resolves to, and pins the first one otherwise")
    func fence() async throws {
        let table: [String: [String]] = [
            "public.example": ["93.184.216.34", "2606:2800:220:1::1"], "mixed.example": ["93.184.216.34", "10.0.0.5"],
            "meta.example": ["169.254.169.254"], "hooks.internal": ["10.9.9.9"],
        ]
        let allowList = try CallbackAllowList(parsing: ["hooks.internal:443", "127.0.0.1:40000"])
        let fence = CallbackFence(allowList: allowList) { host throws(CallbackError) in
            if let literal = IPAddress(host) { return [literal] }
            guard let found = table[host] else { throw .unresolvable(host) }
            return found.compactMap(IPAddress.init)
        }
        #expect(try await fence.address(for: CallbackTarget("http://public.example/")).description == "93.184.216.34")
        await #expect(throws: CallbackError.self) {
            try await fence.address(for: CallbackTarget("http://mixed.example/"))
        }
        await #expect(throws: CallbackError.self) {
            try await fence.address(for: CallbackTarget("http://meta.example/"))
        }
        await #expect(throws: CallbackError.self) {
            try await fence.address(for: CallbackTarget("http://hooks.internal/"))
        }
        #expect(try await fence.address(for: CallbackTarget("https://hooks.internal/")).description == "10.9.9.9")
        #expect(try await fence.address(for: CallbackTarget("http://127.0.0.1:40000/")).description == "127.0.0.1")
        do {
            _ = try await fence.address(
                for: CallbackTarget("http://127.0.0.1:18000/v2/repository/models/simple/unload"))
            Issue.record("the Triton port was let through")
        } catch {
            #expect(!error.isRetryable)
            #expect(error.description.contains("loopback"))
        }
        do {
            _ = try await fence.address(for: CallbackTarget("http://[::ffff:169.254.169.254]/latest"))
            Issue.record("a mapped metadata address was let through")
        } catch {
            #expect(error.description.contains("metadata"))
        }
    }

    @Test("a name whose lookup never returns is given up at the timeout, as unresolvable")
    func lookupTimeout() async throws {
        let release = DispatchSemaphore(value: 0)
        await #expect(throws: CallbackError.unresolvable("hangs.example")) {
            try await HostResolver.addresses(of: "hangs.example", timeout: .milliseconds(50)) { _ in
                _ = release.wait(timeout: .now() + 30)
                return [IPAddress("192.0.2.1")!]
            }
        }
        release.signal()
        let found = try await HostResolver.addresses(of: "answers.example", timeout: .seconds(30)) { _ in
            [IPAddress("192.0.2.7")!]
        }
        #expect(found == [IPAddress("192.0.2.7")!])
    }
}
