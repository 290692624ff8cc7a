import Kafka
import Logging
import Testing

@Suite("Kafka configuration and errors")
struct KafkaConfigurationTests {
    @Test("a comma-separated broker list is split and trimmed")
    func brokerList() {
        let configuration = KafkaConfiguration(brokers: " a:1, b:2 ,,", groupID: "g")
        #expect(configuration.bootstrapServers == ["a:1", "b:2"])
        #expect(configuration.groupID == "g")
    }

    @Test("an unknown librdkafka property is a configuration error carrying librdkafka's text")
    func unknownProperty() {
        var configuration = KafkaConfiguration(bootstrapServers: ["127.0.0.1:1"])
        configuration.properties = ["no.such.property": "1"]
        let error = #expect(throws: KafkaError.self) {
            _ = try KafkaProducer(configuration: configuration, logger: KafkaFixture.quietLogger)
        }
        #expect(error?.code == .configuration)
        #expect(error?.name == "configuration")
        #expect(error?.description.contains("no.such.property") == true, "\(String(describing: error))")
    }

    @Test("a consumer needs a group id and at least one topic")
    func consumerRequirements() {
        let noGroup = KafkaConfiguration(bootstrapServers: ["127.0.0.1:1"])
        #expect(throws: KafkaError.self) {
            _ = try KafkaConsumer(configuration: noGroup, topics: ["t"], logger: KafkaFixture.quietLogger)
        }
        let withGroup = KafkaConfiguration(bootstrapServers: ["127.0.0.1:1"], groupID: "g")
        #expect(throws: KafkaError.self) {
            _ = try KafkaConsumer(configuration: withGroup, topics: [], logger: KafkaFixture.quietLogger)
        }
    }

    @Test("an explicit property overrides a default, and the defaults are the documented ones")
    func defaults() throws {
        #expect(KafkaConfiguration.producerDefaults["acks"] == "all")
        #expect(KafkaConfiguration.producerDefaults["enable.idempotence"] == "true")
        #expect(KafkaConfiguration.consumerDefaults["enable.auto.commit"] == "false")
        #expect(KafkaConfiguration.consumerDefaults["auto.offset.reset"] == "earliest")
        var configuration = KafkaConfiguration(bootstrapServers: ["127.0.0.1:1"], groupID: "g")
        // With the default idempotence, librdkafka refuses acks=1: the override reached it.
        configuration.properties = ["acks": "1"]
        let error = #expect(throws: KafkaError.self) {
            _ = try KafkaProducer(configuration: configuration, logger: KafkaFixture.quietLogger)
        }
        #expect(error?.reason.contains("enable.idempotence") == true, "\(String(describing: error))")
        configuration.properties = ["acks": "1", "enable.idempotence": "false"]
        _ = try KafkaProducer(configuration: configuration, logger: KafkaFixture.quietLogger)
        configuration.properties = ["partition.assignment.strategy": "roundrobin"]
        _ = try KafkaConsumer(configuration: configuration, topics: ["t"], logger: KafkaFixture.quietLogger)
    }

    @Test("error names are short and label-safe")
    func errorNames() {
        let errors: [KafkaError] = [
            .configuration("x"), .brokerUnreachable("x"), .produceFailed("x"), .commitFailed("x"), .timeout("x"),
            .shutdown(),
        ]
        let names = errors.map(\.name)
        #expect(
            names == ["configuration", "broker_unreachable", "produce_failed", "commit_failed", "timeout", "shutdown"])
        #expect(names.allSatisfy { $0.allSatisfy { $0.isLowercase || $0 == "_" } })
    }
}
