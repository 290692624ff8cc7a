import Foundation
import InferenceProtocol
import Testing

@Suite("Metadata types decode Triton's JSON")
struct MetadataTests {
    @Test("server metadata")
    func server() throws {
        let json = #"{"name":"triton","version":"2.50.0","extensions":["classification","binary_tensor_data"]}"#
        let metadata = try JSONDecoder().decode(ServerMetadata.self, from: Data(json.utf8))
        #expect(
            metadata
                == ServerMetadata(
                    name: "triton", version: "2.50.0", extensions: ["classification", "binary_tensor_data"]))
        #expect(metadata.supports("binary_tensor_data"))
        #expect(!metadata.supports("sequence"))
    }

    @Test("model metadata keeps odd datatypes raw and tolerates missing lists")
    func model() throws {
        let json = """
            {"name":"simple","versions":["1","2"],"platform":"tensorflow_graphdef",
             "inputs":[{"name":"INPUT0","datatype":"INT32","shape":[-1,16]}],
             "outputs":[{"name":"OUTPUT0","datatype":"TYPE_STRANGE","shape":[-1,16]}]}
            """
        let metadata = try JSONDecoder().decode(ModelMetadata.self, from: Data(json.utf8))
        #expect(metadata.versions == ["1", "2"])
        #expect(metadata.input(named: "INPUT0")?.knownDatatype == .int32)
        #expect(metadata.output(named: "OUTPUT0")?.datatype == "TYPE_STRANGE")
        #expect(metadata.output(named: "OUTPUT0")?.knownDatatype == nil)
        let sparse = try JSONDecoder().decode(ModelMetadata.self, from: Data(#"{"name":"e"}"#.utf8))
        #expect(sparse == ModelMetadata(name: "e", platform: "", inputs: [], outputs: []))
        let again = try JSONDecoder().decode(ModelMetadata.self, from: try JSONEncoder().encode(metadata))
        #expect(again == metadata)
    }

    @Test("repository index entries, loaded or not")
    func repository() throws {
        let json =
            #"[{"name":"simple","version":"1","state":"READY"},{"name":"broken","state":"UNAVAILABLE","reason":"bad config"},{"name":"idle"}]"#
        let models = try JSONDecoder().decode([RepositoryModel].self, from: Data(json.utf8))
        #expect(models.map(\.isReady) == [true, false, false])
        #expect(models[1].reason == "bad config")
        #expect(models[2] == RepositoryModel(name: "idle"))
    }

    @Test("readiness encodes with KServe names")
    func readiness() throws {
        let json = try JSONEncoder().encode(ModelReadiness(name: "m", version: "1", ready: true))
        let decoded = try JSONDecoder().decode(ModelReadiness.self, from: json)
        #expect(decoded.ready && decoded.name == "m" && decoded.version == "1")
    }
}
