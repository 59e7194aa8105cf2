import Testing

@testable import UserSyncTestSupport

/// The API benchmark reads wrk's report; a format it misreads would print wrong figures silently.
@Suite("wrk's report, as the API benchmark reads it")
struct WrkReportTests {
    @Test("requests per second, the latency distribution in any unit, and every kind of failure")
    func report() throws {
        let text = """
            Running 10s test @ http://127.0.0.1:8080/
              2 threads and 16 connections
              Thread Stats   Avg      Stdev     Max   +/- Stdev
                Latency    12.95ms    6.10ms  98.12ms   80.00%
              Latency Distribution
                 50%  812.00us
                 75%    1.50ms
                 90%    2.10ms
                 99%    1.02s
              11916 requests in 10.07s, 17.20MB read
              Socket errors: connect 0, read 2, write 0, timeout 3
              Non-2xx or 3xx responses: 4
            Requests/sec:   1182.75
            Transfer/sec:      1.71MB
            """
        let outcome = try #require(Wrk.parse(text))
        #expect(outcome.perSecond == 1182.75)
        #expect(outcome.p50 == 0.812)
        #expect(outcome.p99 == 1020)
        #expect(outcome.requests == 11916)
        #expect(outcome.failed == 9)
        #expect(Wrk.parse("wrk: unable to connect") == nil)
    }
}
