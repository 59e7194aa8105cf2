import Testing

@testable import UserSyncCLI

/// Which commands take SwiftNIO's event loops as their executor (`USERSYNC_EVENT_LOOP_EXECUTOR`).
@Suite struct EventLoopExecutorTests {
    @Test(
        arguments: [
            ("work", nil, true), ("serve", nil, false), ("migrate", nil, false), (nil, nil, false),
            ("serve", "all", true), ("work", "all", true), ("work", "off", false), ("serve", "work", false), ("work", "work", true),
        ] as [(String?, String?, Bool)])
    func whoRunsOnTheEventLoops(subcommand: String?, setting: String?, takesOver: Bool) {
        #expect(UserSyncCommand.eventLoopExecutor(for: subcommand, setting: setting) == takesOver)
    }
}
