import Testing

@testable import Gateway

@Suite("Access-log durations")
struct AccessLogDurationTests {
    @Test("milliseconds with three decimals, truncated to the microsecond")
    func milliseconds() {
        #expect(ObservationMiddleware.milliseconds(.zero) == "0.000")
        #expect(ObservationMiddleware.milliseconds(.microseconds(7)) == "0.007")
        #expect(ObservationMiddleware.milliseconds(.microseconds(12_345)) == "12.345")
        #expect(ObservationMiddleware.milliseconds(.nanoseconds(1_000_999)) == "1.000")
        #expect(ObservationMiddleware.milliseconds(.seconds(3)) == "3000.000")
        #expect(ObservationMiddleware.milliseconds(.milliseconds(-5)) == "0.000")
    }
}
