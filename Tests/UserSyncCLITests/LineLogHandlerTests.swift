import Logging
import Synchronization
import Testing

@testable import UserSyncCLI

@Suite struct LineLogHandlerTests {
    final class Lines: TextOutputStream, Sendable {
        let written = Mutex<[String]>([])
        func write(_ string: String) { written.withLock { $0.append(string) } }
    }

    struct Stream: TextOutputStream, Sendable {
        let lines: Lines
        mutating func write(_ string: String) { lines.write(string) }
    }

    @Test func aLineCarriesTheLoggersMetadataAndTheLinesOwnWhichWins() {
        let lines = Lines()
        var logger = Logger(label: "usersync") { label in
            LineLogHandler(writingWith: StreamLogHandler(label: label, stream: Stream(lines: lines), metadataProvider: nil))
        }
        logger[metadataKey: "request_id"] = "r1"
        logger[metadataKey: "org_id"] = "o1"
        logger[metadataKey: "org_id"] = "o2"
        logger.info("request", metadata: ["status": "200", "request_id": "explicit"])
        logger.debug("not written at info")
        logger[metadataKey: "org_id"] = nil
        logger.warning("plain")
        let written = lines.written.withLock { $0 }
        #expect(written.count == 2)
        #expect(
            written.first?.hasSuffix(" info usersync: org_id=o2 request_id=explicit status=200 [UserSyncCLITests] request\n") == true,
            "\(written)")
        #expect(written.last?.hasSuffix(" warning usersync: request_id=r1 [UserSyncCLITests] plain\n") == true, "\(written)")
    }
}
