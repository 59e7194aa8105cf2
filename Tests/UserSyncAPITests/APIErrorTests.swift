import Logging
import Testing
import UserSyncDomain

@testable import UserSyncAPI

/// Errors that are nobody's mistake still say what to do.
@Suite struct APIErrorTests {
    @Test("work a concurrent change undid is a 503 to send again, with Retry-After, not a 500")
    func concurrentChangeIsRetryable() {
        let error = APIError.from(ConcurrentChange("PostgreSQL ERROR 40P01: deadlock detected"), logger: Logger(label: "test"))
        #expect(error.status == .serviceUnavailable)
        #expect(error.code == "concurrent_change")
        #expect(error.headers[.retryAfter] == "1")
        #expect(!error.detail.contains("40P01"), "the database's words stay in the log")
    }
}
