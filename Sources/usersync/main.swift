import UserSyncCLI

await UserSyncCommand.runFromCommandLine()
