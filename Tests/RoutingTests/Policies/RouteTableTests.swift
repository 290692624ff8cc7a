import Foundation
import Routing
import Testing

@Suite struct RouteTableTests {
    func validationError(_ route: ModelRoute) -> RouteValidationError? {
        #expect(throws: RouteValidationError.self) { try route.validate() }
    }

    @Test func negativeWeightNamesModelAndTarget() {
        let route = ModelRoute(
            model: "resnet50", targets: [RouteTarget(version: "1", weight: 90), RouteTarget(version: "2", weight: -5)])
        let error = validationError(route)
        #expect(error?.code == .negativeWeight)
        #expect(error?.targetIndex == 1)
        #expect(
            error?.description
                == "model \"resnet50\", target 1 (version \"2\"): weight -5 is negative; weights must be 0 or more")
    }

    @Test func duplicateVersionNamesBothTargets() {
        let route = ModelRoute(
            model: "bert", targets: [RouteTarget(version: "2", weight: 1), RouteTarget(version: "2", weight: 1)])
        let error = validationError(route)
        #expect(error?.code == .duplicateVersion)
        #expect(error?.code.name == "duplicate_version")
        #expect(
            error?.description
                == "model \"bert\", target 1 (version \"2\"): duplicates target 0; each version may appear once")
    }

    @Test func twoUnversionedTargetsAreDuplicates() {
        let route = ModelRoute(model: "bert", targets: [RouteTarget(weight: 1), RouteTarget(weight: 2)])
        #expect(validationError(route)?.description.contains("target 1 (the unversioned target)") == true)
    }

    @Test func zeroTotalWeightIsRefused() {
        let route = ModelRoute(
            model: "bert", targets: [RouteTarget(version: "1", weight: 0), RouteTarget(version: "2", weight: 0)])
        let error = validationError(route)
        #expect(error?.code == .zeroTotalWeight)
        #expect(error?.description == "model \"bert\": every target has weight 0; at least one must be positive")
    }

    @Test func otherProblemsHaveTheirOwnCodes() {
        let cases: [(ModelRoute, RouteValidationError.Code)] = [
            (ModelRoute(model: "", targets: [RouteTarget(weight: 1)]), .invalidModelName),
            (ModelRoute(model: "a/b", targets: [RouteTarget(weight: 1)]), .invalidModelName),
            (ModelRoute(model: "m", targets: []), .noTargets),
            (ModelRoute(model: "m", targets: [RouteTarget(version: "", weight: 1)]), .invalidVersion),
            (ModelRoute(model: "m", targets: [RouteTarget(weight: ModelRoute.maxWeight + 1)]), .weightTooLarge),
            (ModelRoute(model: "m", targets: [RouteTarget(weight: 1, backends: [])]), .emptyBackends),
        ]
        for (route, code) in cases {
            let error = validationError(route)
            #expect(error?.code == code)
            #expect(error?.model == route.model)
        }
    }

    @Test func validRouteWithBackendsPasses() throws {
        let route = ModelRoute(
            model: "resnet50",
            targets: [
                RouteTarget(version: "1", weight: 95),
                RouteTarget(version: "2", weight: 5, backends: ["triton-c"]),
            ],
            strategy: .leastOutstanding)
        try route.validate()
        let table = try RouteTable(routes: [route])
        #expect(table.route(for: "resnet50") == route)
        #expect(table.route(for: "bert") == nil)
    }

    @Test func tableRefusesTwoRoutesForOneModel() {
        let error = #expect(throws: RouteValidationError.self) {
            try RouteTable(routes: [.single("bert"), .single("resnet50"), .single("bert")])
        }
        #expect(error?.code == .duplicateModel)
        #expect(error?.model == "bert")
    }

    @Test func replaceSwapsEverythingOrNothing() throws {
        var table = try RouteTable(routes: [.single("bert"), .single("resnet50")])
        #expect(table.version == 0)
        let bad = ModelRoute(model: "resnet50", targets: [RouteTarget(version: "1", weight: -1)])
        #expect(throws: RouteValidationError.self) {
            try table.replace(with: [.single("densenet"), bad])
        }
        #expect(table.models == ["bert", "resnet50"])
        #expect(table.version == 0)
        let version = try table.replace(with: [.single("densenet")])
        #expect(version == 1)
        #expect(table.models == ["densenet"])
        #expect(table.selector(for: "densenet") != nil)
    }

    @Test func staleVersionIsAConflictAndChangesNothing() throws {
        var table = try RouteTable(routes: [.single("bert")])
        try table.upsert(.single("resnet50"), expectedVersion: 0)
        let conflict = #expect(throws: RouteTable.VersionConflict.self) {
            try table.upsert(.single("densenet"), expectedVersion: 0)
        }
        #expect(conflict?.actual == 1)
        #expect(table.models == ["bert", "resnet50"])
    }

    @Test func upsertChangesCanaryWeightsAndRemoveDropsARoute() throws {
        var table = try RouteTable(routes: [.single("bert")])
        let canary = ModelRoute(
            model: "bert", targets: [RouteTarget(version: "1", weight: 50), RouteTarget(version: "2", weight: 50)])
        #expect(try table.upsert(canary) == 1)
        #expect(table.route(for: "bert")?.targets.count == 2)
        #expect(try table.remove(model: "bert", expectedVersion: 1) == 2)
        #expect(try table.remove(model: "bert") == nil)
        #expect(table.isEmpty)
        #expect(table.version == 2)
    }
}

@Suite struct ModelRouteCodingTests {
    @Test func decodesAdminJSONWithDefaultStrategy() throws {
        let json = """
            {"model": "resnet50", "targets": [
              {"version": "1", "weight": 90},
              {"version": "2", "weight": 10, "backends": ["triton-c:8000"]}]}
            """
        let route = try JSONDecoder().decode(ModelRoute.self, from: Data(json.utf8))
        #expect(route.strategy == .roundRobin)
        #expect(route.targets[1] == RouteTarget(version: "2", weight: 10, backends: ["triton-c:8000"]))
        let weighted = try JSONDecoder().decode(
            ModelRoute.self, from: Data(#"{"model": "m", "targets": [{"weight": 1}], "strategy": "weighted"}"#.utf8))
        #expect(weighted.strategy == .weighted)
        #expect(weighted.targets == [RouteTarget(weight: 1)])
    }
}
