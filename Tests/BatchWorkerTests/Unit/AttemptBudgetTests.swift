import BatchProtocol
import CurlHTTP
import InferenceProtocol
import PostgresClient
import Testing

@testable import BatchWorker

@Suite("Attempt budgets, stored text and bounded model labels")
struct AttemptBudgetTests {
    @Test("a step retries under its budget, then asks about the dependency; an outage starts the count over")
    func budget() {
        var budget = AttemptBudget(maxAttempts: 3)
        #expect(budget.failed() == .retry)
        #expect(budget.failed() == .retry)
        #expect(budget.failed() == .checkDependency)
        budget.dependencyDown()
        #expect(budget.failed() == .retry)
        #expect(budget.failed() == .retry)
        #expect(budget.failed() == .checkDependency)
        #expect(budget.totalFailures == 6)
        var single = AttemptBudget(maxAttempts: 0)
        #expect(single.maxAttempts == 1)
        #expect(single.failed() == .checkDependency)
    }

    @Test("failures to reach the dependency never spend the item's budget; at the budget they report it down")
    func unreachable() {
        var budget = AttemptBudget(maxAttempts: 3)
        #expect(budget.failed() == .retry)
        #expect(budget.failed() == .retry)
        // A restart: refused connections, then "the database system is starting up".
        #expect(budget.failed(reachable: false) == .retry)
        #expect(budget.failed(reachable: false) == .retry)
        #expect(budget.failed(reachable: false) == .unreachable)
        budget.dependencyDown()
        #expect(budget.failed(reachable: false) == .retry)
        #expect(budget.failed() == .retry, "the earlier answered failures were forgiven with the outage")
        #expect(budget.failed() == .retry)
        #expect(budget.failed() == .checkDependency)
        #expect(budget.totalFailures == 9)
    }

    @Test("a refused connection is unreachable; an answered error, a timeout or a data error is not")
    func unreachableErrors() {
        #expect(FailureKind.isUnreachable(UpstreamError.connectFailed("refused")))
        #expect(!FailureKind.isUnreachable(UpstreamError.timedOut("slow")))
        #expect(!FailureKind.isUnreachable(UpstreamError.httpStatus(503, message: "busy")))
        #expect(!FailureKind.isUnreachable(BatchWorkerError.invalidItem("bad")))
    }

    @Test("the worker's default budget is 5 attempts and the setting cannot go below 1")
    func defaults() {
        #expect(BatchWorkerConfiguration(bucket: "b").maxAttempts == 5)
        #expect(BatchWorkerConfiguration(bucket: "b", maxAttempts: 0).maxAttempts == 1)
    }

    @Test("text for PostgreSQL loses NUL and control characters, keeps tab, newline and non-ASCII, and is cut once")
    func sanitised() {
        #expect(
            PostgresText.sanitized("input 'IN\u{0}PUT0'\u{1B}[31m", limit: 100) == "input 'IN\u{FFFD}PUT0'\u{FFFD}[31m")
        #expect(PostgresText.sanitized("a\tb\nc é 模型 \u{7F}\u{85}", limit: 100) == "a\tb\nc é 模型 \u{FFFD}\u{FFFD}")
        let long = String(repeating: "x", count: 2500)
        let cut = PostgresText.sanitized(long, limit: 2000)
        #expect(cut.unicodeScalars.count == 2000 && cut.hasSuffix("\u{2026}"))
        #expect(PostgresText.sanitized(String(repeating: "y", count: 2000), limit: 2000).hasSuffix("y"))
        #expect(PostgresText.sanitized(utf8: [0x61, 0xFF, 0x00, 0x62], limit: 10) == "a\u{FFFD}\u{FFFD}b")
        #expect(!PostgresText.sanitized(utf8: [0xC3, 0x28, 0x00], limit: 10).unicodeScalars.contains("\u{0}"))
    }

    @Test("metric labels name only models the router described; everything else is 'other'")
    func labels() {
        let models = KnownModels()
        #expect(models.label("simple") == "other")
        models.learned(ModelKey(model: "simple", version: nil))
        #expect(models.label("simple") == "simple")
        #expect(models.label("simple\u{0}x") == "other")
        for index in 0..<(KnownModels.maxModels + 50) {
            models.learned(ModelKey(model: "model-\(index)", version: nil))
        }
        #expect(models.label("model-\(KnownModels.maxModels + 10)") == "other")
        let request = InferRequest(inputs: [InferTensor(name: "INPUT0", shape: [1], values: [Int32(1)])])
        models.succeeded(request, key: ModelKey(model: "unknown", version: nil))
        #expect(models.canary(for: ModelKey(model: "unknown", version: nil)) == nil)
        models.succeeded(request, key: ModelKey(model: "simple", version: nil))
        #expect(models.canary(for: ModelKey(model: "simple", version: nil)) == request)
    }
}
