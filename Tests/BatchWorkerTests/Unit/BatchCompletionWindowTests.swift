import BatchProtocol
import Foundation
import PlatformStore
import Testing

@testable import BatchWorker

@Suite("Completion windows and expiry")
struct BatchCompletionWindowTests {
    @Test("windows are whole seconds, minutes or hours up to 168h; anything else is refused with the form")
    func parse() throws {
        #expect(try BatchCompletionWindow.parse("90s") == .seconds(90))
        #expect(try BatchCompletionWindow.parse("30m") == .seconds(1800))
        #expect(try BatchCompletionWindow.parse("24h") == .seconds(86_400))
        #expect(try BatchCompletionWindow.parse("168h") == .seconds(604_800))
        for bad in ["", "h", "0s", "-5m", "1.5h", "24", "24H", "2d", "169h", "99999999999h", " 24h"] {
            #expect(throws: BatchWorkerError.self, "\(bad)") { try BatchCompletionWindow.parse(bad) }
        }
        do {
            _ = try BatchCompletionWindow.parse("1w")
        } catch {
            #expect(error.reason.contains("e.g. 90s, 30m, 24h"))
        }
    }

    @Test("the worker's expired code is the one the store completes jobs as expired by")
    func sharedCode() {
        #expect(BatchWorkerError.expired("").name == BatchItem.expiredErrorCode)
        #expect(BatchWorker.expiredCode == BatchItem.expiredErrorCode)
    }

    @Test("a group waits until the last of its items' deadlines; an item without one waits as long as it takes")
    func latestDeadline() {
        let early = Date(timeIntervalSince1970: 1_800_000_000)
        let late = early.addingTimeInterval(30)
        #expect(BatchWorker.latest([early, late, early]) == late)
        #expect(BatchWorker.latest([early, nil]) == nil)
        #expect(BatchWorker.latest([]) == nil)
    }

    @Test("a job's items expire at its deadline, and at once when the job is expired")
    func contextExpiry() {
        let deadline = Date(timeIntervalSince1970: 1_800_000_000)
        let context = JobContext(status: .running, outputPrefix: nil, callbackURL: nil, expiresAt: deadline)
        #expect(!context.hasExpired(at: deadline.addingTimeInterval(-0.001)))
        #expect(context.hasExpired(at: deadline))
        #expect(
            !JobContext(status: .running, outputPrefix: nil, callbackURL: nil, expiresAt: nil).hasExpired(at: deadline))
        #expect(
            JobContext(status: .expired, outputPrefix: nil, callbackURL: nil, expiresAt: nil).hasExpired(at: deadline))
    }
}
