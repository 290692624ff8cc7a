import Kafka
import TestSupport
import Testing

@Suite("librdkafka at run time")
struct KafkaRuntimeTests {
    @Test(
        "the library on RDKAFKA_LIBRARY_PATH (2.16 or later) is the one loaded",
        .enabled(
            if: StackEnvironment.current.values["RDKAFKA_LIBRARY_PATH"] != nil,
            "RDKAFKA_LIBRARY_PATH not set: the build-time library is used"))
    func loadedVersion() {
        #expect(
            KafkaRuntime.isAtLeast(major: 2, minor: 16),
            """
            librdkafka \(KafkaRuntime.version) is loaded, but Tansu needs 2.16 or later: run the tests with \
            LD_LIBRARY_PATH=$RDKAFKA_LIBRARY_PATH (built against \(KafkaRuntime.headerVersion))
            """)
    }

    @Test("the version string and the packed version agree")
    func versionFormats() {
        let (major, minor, patch) = KafkaRuntime.versionComponents
        #expect(KafkaRuntime.version.hasPrefix("\(major).\(minor).\(patch)"))
        #expect(major >= 2)
    }
}
