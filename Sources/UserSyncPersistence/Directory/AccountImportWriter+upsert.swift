import Logging
import PostgresNIO
import UserSyncDomain

extension AccountImportWriter {
    /// Writes one page of users. With `onlyStagedMembers`, users who are not members of the run's
    /// selected teams are left out. Every user kept is recorded as seen by the run; only users that
    /// are new or whose data changed are written, with a new `updated_at` and this run's change
    /// marker — an unchanged page writes no account at all. The page (and the `skippedBots` it
    /// held) is added to the run's live counts in the same statement.
    @discardableResult
    public func upsert(
        _ rows: [Row], skippedBots: Int, onlyStagedMembers: Bool, target: Target, on db: PostgresConnection, logger: Logger
    ) async throws -> PageResult {
        // The one plan for every organization (see ``PageStatement``).
        try await db.run(SetLocalStatement(setting: "plan_cache_mode", value: "force_generic_plan"), logger: logger)
        let result = try await db.execute(
            PageStatement(rows: rows, skippedBots: skippedBots, onlyStagedMembers: onlyStagedMembers, target: target), logger: logger)
        var page = PageResult()
        for try await (written, withoutEmail, added, updated, reactivated, deactivated) in result.decode(
            (Int32, Int32, Int32, Int32, Int32, Int32).self)
        {
            page = PageResult(
                written: Int(written), added: Int(added), updated: Int(updated), reactivated: Int(reactivated),
                deactivated: Int(deactivated), withoutEmail: Int(withoutEmail))
        }
        return page
    }
}
