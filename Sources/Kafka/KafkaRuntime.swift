import CRdkafka

/// Facts about the librdkafka library loaded at run time (which may differ from the headers the
/// module was built against: `LD_LIBRARY_PATH` picks the shared object).
public enum KafkaRuntime {
    /// The loaded library's version string, e.g. `"2.16.0"`.
    public static var version: String { String(cString: rd_kafka_version_str()) }

    /// The loaded library's version as `(major, minor, patch)`.
    public static var versionComponents: (major: Int, minor: Int, patch: Int) {
        let packed = UInt32(bitPattern: rd_kafka_version())
        return (Int(packed >> 24 & 0xFF), Int(packed >> 16 & 0xFF), Int(packed >> 8 & 0xFF))
    }

    /// True when the loaded library is at least `major.minor`.
    ///
    /// Tansu needs 2.16 or later: older releases cannot parse its ApiVersions reply and fail
    /// every request with "Read underflow".
    public static func isAtLeast(major: Int, minor: Int) -> Bool {
        let loaded = versionComponents
        return (loaded.major, loaded.minor) >= (major, minor)
    }

    /// The version the module's headers declare (the build-time library).
    public static var headerVersion: String {
        let packed = UInt32(RD_KAFKA_VERSION)
        return "\(packed >> 24 & 0xFF).\(packed >> 16 & 0xFF).\(packed >> 8 & 0xFF)"
    }
}
