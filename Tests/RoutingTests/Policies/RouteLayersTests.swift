import Routing
import Testing

@Suite("Route layers: the routes file under the shared routes")
struct RouteLayersTests {
    static let file = [
        ModelRoute.single("simple"), ModelRoute(model: "digits", targets: [RouteTarget(version: "1", weight: 1)]),
    ]
    static let canary = ModelRoute(
        model: "digits", targets: [RouteTarget(version: "1", weight: 9), RouteTarget(version: "2", weight: 1)])

    @Test("a shared route replaces the file's route for its model only, and survives a file reload")
    func sharedOverFile() {
        var layers = RouteLayers(file: Self.file)
        #expect(layers.effective.map(\.model) == ["digits", "simple"])
        let applied = layers.setShared([Self.canary], version: 3)
        #expect(applied)
        #expect(layers.effective.first { $0.model == "digits" } == Self.canary)
        #expect(layers.effective.first { $0.model == "simple" } == .single("simple"))
        layers.setFile([ModelRoute.single("digits"), ModelRoute.single("other")])
        #expect(layers.effective.map(\.model) == ["digits", "other"])
        #expect(layers.effective.first { $0.model == "digits" } == Self.canary)
    }

    @Test("the version in force is not applied twice; any other version replaces the shared routes")
    func versions() {
        var layers = RouteLayers(file: Self.file)
        #expect(layers.sharedVersion == 0)
        var outcomes = [layers.setShared([], version: 0)]
        outcomes.append(layers.setShared([Self.canary], version: 5))
        outcomes.append(layers.setShared([], version: 5))
        #expect(outcomes == [false, true, false])
        #expect(layers.shared["digits"] == Self.canary)
        // A store recreated from scratch starts its versions again: its routes are the truth.
        let recreated = layers.setShared([], version: 1)
        #expect(recreated)
        #expect(layers.shared.isEmpty)
        #expect(layers.effective == Self.file.sorted { $0.model < $1.model })
    }
}
