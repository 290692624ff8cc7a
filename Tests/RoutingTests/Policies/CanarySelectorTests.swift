import Resilience
import Routing
import Testing

@Suite struct CanarySelectorTests {
    let canary = ModelRoute(
        model: "resnet50",
        targets: [RouteTarget(version: "1", weight: 90), RouteTarget(version: "2", weight: 10)])

    @Test func weightedPicksFollowTheWeightsWithinOnePoint() throws {
        let selector = try CanarySelector(route: canary)
        var rng = SeededGenerator(seed: 2024)
        var canaryPicks = 0
        for _ in 0..<100_000 where selector.weightedTarget(using: &rng).version == "2" {
            canaryPicks += 1
        }
        #expect((9_000...11_000).contains(canaryPicks))
    }

    @Test func zeroWeightTargetGetsNoRandomTraffic() throws {
        let route = ModelRoute(
            model: "bert", targets: [RouteTarget(version: "1", weight: 1), RouteTarget(version: "2", weight: 0)])
        let selector = try CanarySelector(route: route)
        var rng = SeededGenerator(seed: 1)
        for _ in 0..<10_000 {
            #expect(selector.weightedTarget(using: &rng).version == "1")
            #expect(selector.target(stickyKey: "user-\(rng.next())").version == "1")
        }
    }

    @Test func stickyKeyAlwaysLandsOnTheSameVersion() throws {
        let selector = try CanarySelector(route: canary)
        let again = try CanarySelector(route: canary)
        var rng = SeededGenerator(seed: 1)
        for index in 0..<1_000 {
            let key = "session-\(index)"
            let version = selector.target(stickyKey: key).version
            #expect(selector.target(stickyKey: key).version == version)
            #expect(again.target(stickyKey: key).version == version)
            #expect(try selector.select(stickyKey: key, using: &rng).version == version)
        }
    }

    @Test func stickyKeysSpreadNearTheWeights() throws {
        let selector = try CanarySelector(route: canary)
        let keys = 50_000
        let onCanary = (0..<keys).filter { selector.target(stickyKey: "user-\($0)").version == "2" }.count
        #expect((4_500...5_500).contains(onCanary))
    }

    @Test func growingTheCanaryOnlyMovesKeysOntoIt() throws {
        let before = try CanarySelector(route: canary)
        var grown = canary
        grown.targets[0].weight = 80
        grown.targets[1].weight = 20
        let after = try CanarySelector(route: grown)
        var moved = 0
        for index in 0..<20_000 {
            let key = "user-\(index)"
            let old = before.target(stickyKey: key).version
            let new = after.target(stickyKey: key).version
            // Nobody already on the canary is sent back to the stable version.
            if old == "2" { #expect(new == "2") }
            if old != new { moved += 1 }
        }
        #expect((1_600...2_400).contains(moved))
    }

    @Test func pinnedVersionWinsOverStickyAndWeights() throws {
        let route = ModelRoute(
            model: "resnet50",
            targets: [RouteTarget(version: "1", weight: 100), RouteTarget(version: "3", weight: 0)])
        let selector = try CanarySelector(route: route)
        var rng = SeededGenerator(seed: 1)
        // Weight 0 hides a version from traffic but a client may still pin it.
        #expect(try selector.select(pinnedVersion: "3", stickyKey: "user-1", using: &rng).version == "3")
    }

    @Test func pinningAnUnroutedVersionIsAnErrorNamingTheModel() throws {
        let selector = try CanarySelector(route: canary)
        let error = #expect(throws: UnroutedVersionError.self) {
            try selector.target(pinnedTo: "7")
        }
        #expect(error?.model == "resnet50")
        #expect(error?.routedVersions == ["1", "2"])
        #expect(error?.description == "model \"resnet50\": version \"7\" is not routed; routed versions: \"1\", \"2\"")
    }

    @Test func routeWithoutVersionsLetsPinsThrough() throws {
        let selector = try CanarySelector(route: .single("densenet"))
        let target = try selector.target(pinnedTo: "4")
        #expect(target.version == nil)
    }

    @Test func invalidRouteIsRefused() {
        #expect(throws: RouteValidationError.self) {
            try CanarySelector(route: ModelRoute(model: "m", targets: []))
        }
    }

    @Test func stableHashMatchesPublishedFNVValues() {
        #expect(StableHash.fnv1a64("") == 0xCBF2_9CE4_8422_2325)
        #expect(StableHash.fnv1a64("a") == 0xAF63_DC4C_8601_EC8C)
        #expect(StableHash.fnv1a64("foobar") == 0x8594_4171_F739_67E8)
        #expect(StableHash.bucket("user-42", count: 100) == StableHash.bucket("user-42", count: 100))
    }
}
