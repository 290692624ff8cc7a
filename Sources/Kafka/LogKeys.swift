import Logging

/// The metadata keys this module logs with, in one place.
enum LogKeys {
    static let facility = "kafka.facility"
    static let detail = "kafka.detail"
    static let errorName = "kafka.error"
    static let topic = "kafka.topic"
    static let partition = "kafka.partition"
    static let partitions = "kafka.partitions"
    static let inFlight = "kafka.in_flight"
    static let dropped = "kafka.dropped_buffered"
    static let clientID = "kafka.client_id"
    static let groupID = "kafka.group_id"
}
