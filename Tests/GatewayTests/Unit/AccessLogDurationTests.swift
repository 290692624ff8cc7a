import InferenceProtocol
import Testing

@Suite("Access-log durations")
struct AccessLogDurationTests {
    @Test("milliseconds with three decimals, truncated to the microsecond")
    func milliseconds() {
        #expect(Duration.zero.millisecondsText == "0.000")
        #expect(Duration.microseconds(7).millisecondsText == "0.007")
        #expect(Duration.microseconds(12_345).millisecondsText == "12.345")
        #expect(Duration.nanoseconds(1_000_999).millisecondsText == "1.000")
        #expect(Duration.seconds(3).millisecondsText == "3000.000")
        #expect(Duration.milliseconds(-5).millisecondsText == "0.000")
    }
}
