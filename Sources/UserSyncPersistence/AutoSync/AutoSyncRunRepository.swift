import Foundation
import Logging
import PostgresNIO
import UserSyncDomain

/// Auto Sync runs and their plans, and what applying a plan writes besides syncs. Every method
/// runs on a connection already scoped to `organization`.
public struct AutoSyncRunRepository: Sendable {
    public init() {}

    /// Records a run and its plan's lines.
    public func insert(
        _ organization: OrganizationID, _ run: AutoSyncRun, items: [AutoSyncRun.Item], on db: PostgresConnection, logger: Logger
    ) async throws {
        let org = organization.rawValue, c = run.counts
        try await db.query(
            """
            INSERT INTO auto_sync_runs (org_id, id, policy_id, trigger, state, primaries, starts, handovers, removals, skips,
                not_on_any_platform, synced_before, hold_reason, created_at)
            VALUES (\(org), \(run.id.rawValue), \(run.policyID.rawValue), \(run.trigger.rawValue), \(run.state.rawValue), \(c.primaries),
                    \(c.starts), \(c.handovers), \(c.removals), \(c.skips), \(c.notOnAnyPlatform), \(run.syncedBefore), \(run.holdReason),
                    \(run.createdAt))
            """, logger: logger)
        guard !items.isEmpty else { return }
        var positions: [AutoSyncRun.Item.Kind: Int] = [:]
        let position = items.map { item in
            defer { positions[item.kind, default: 0] += 1 }
            return positions[item.kind, default: 0]
        }
        // Arrays of optional values go as text, '' for none.
        func text(_ values: [String?]) -> [String] { values.map { $0 ?? "" } }
        try await db.query(
            """
            INSERT INTO auto_sync_run_items (org_id, run_id, kind, position, person_id, connection_id, sync_id, to_policy_id, detail,
                external_id, email)
            SELECT \(org), \(run.id.rawValue), i.kind, i.position, NULLIF(i.person, '')::uuid, NULLIF(i.connection, '')::uuid,
                   NULLIF(i.sync, '')::uuid, NULLIF(i.to_policy, '')::uuid, NULLIF(i.detail, ''), NULLIF(i.external_id, ''), NULLIF(i.email, '')
            FROM unnest(\(items.map(\.kind.rawValue))::text[], \(position)::integer[], \(text(items.map { $0.person?.description }))::text[],
                        \(text(items.map { $0.connection?.description }))::text[], \(text(items.map { $0.sync?.description }))::text[],
                        \(text(items.map { $0.toPolicy?.description }))::text[], \(text(items.map(\.detail)))::text[],
                        \(text(items.map(\.externalID)))::text[], \(text(items.map(\.email)))::text[])
                 AS i(kind, position, person, connection, sync, to_policy, detail, external_id, email)
            """, logger: logger)
    }

    public func get(
        _ organization: OrganizationID, _ id: AutoSyncRunID, forUpdate: Bool = false, on db: PostgresConnection, logger: Logger
    ) async throws -> AutoSyncRun {
        let rows = try await db.query(
            """
            SELECT \(unescaped: Self.columns) FROM auto_sync_runs
            WHERE org_id = \(organization.rawValue) AND id = \(id.rawValue) \(unescaped: forUpdate ? "FOR UPDATE" : "")
            """, logger: logger)
        guard let run = try await Self.decode(rows).first else { throw DomainError.notFound(resource: "auto_sync_run") }
        return run
    }

    /// Runs newest first: of one policy or all, in one state or any, older than a cursor's run.
    public func list(
        _ organization: OrganizationID, policy: AutoSyncPolicyID?, state: AutoSyncRun.State?, before: (Date, AutoSyncRunID)?, limit: Int,
        on db: PostgresConnection, logger: Logger
    ) async throws -> [AutoSyncRun] {
        try await Self.decode(
            db.query(
                """
                SELECT \(unescaped: Self.columns) FROM auto_sync_runs
                WHERE org_id = \(organization.rawValue)
                  AND (\(policy?.rawValue)::uuid IS NULL OR policy_id = \(policy?.rawValue))
                  AND (\(state?.rawValue)::text IS NULL OR state = \(state?.rawValue))
                  AND (\(before?.0)::timestamptz IS NULL OR (created_at, id) < (\(before?.0), \(before?.1.rawValue)))
                ORDER BY created_at DESC, id DESC
                LIMIT \(limit)
                """, logger: logger))
    }

    /// The run of `policy` that waits for a decision, if any.
    public func held(_ organization: OrganizationID, policy: AutoSyncPolicyID, on db: PostgresConnection, logger: Logger) async throws -> AutoSyncRun?
    {
        try await Self.decode(
            db.query(
                """
                SELECT \(unescaped: Self.columns) FROM auto_sync_runs
                WHERE org_id = \(organization.rawValue) AND policy_id = \(policy.rawValue) AND state = 'held' FOR UPDATE
                """, logger: logger)
        ).first
    }

    /// Stores a run's new state and decision.
    public func update(_ organization: OrganizationID, _ run: AutoSyncRun, on db: PostgresConnection, logger: Logger) async throws {
        try await db.query(
            """
            UPDATE auto_sync_runs SET state = \(run.state.rawValue), decided_by = \(run.decidedBy), decided_at = \(run.decidedAt)
            WHERE org_id = \(organization.rawValue) AND id = \(run.id.rawValue)
            """, logger: logger)
    }

    /// The first `limit` lines of each kind of a run's plan.
    public func items(
        _ organization: OrganizationID, run: AutoSyncRunID, limit: Int, kinds: [AutoSyncRun.Item.Kind] = AutoSyncRun.Item.Kind.allCases,
        on db: PostgresConnection, logger: Logger
    ) async throws -> [AutoSyncRun.Item] {
        let rows = try await db.query(
            """
            SELECT kind, person_id, email, connection_id, sync_id, to_policy_id, detail, external_id
            FROM auto_sync_run_items
            WHERE org_id = \(organization.rawValue) AND run_id = \(run.rawValue) AND kind = ANY(\(kinds.map(\.rawValue))::text[])
              AND position < \(limit)
            ORDER BY kind, position
            """, logger: logger)
        var items: [AutoSyncRun.Item] = []
        for try await (kind, person, email, connection, sync, to, detail, external) in rows.decode(
            (String, UUID?, String?, UUID?, UUID?, UUID?, String?, String?).self)
        {
            guard let kind = AutoSyncRun.Item.Kind(rawValue: kind) else { continue }
            items.append(
                .init(
                    kind: kind, person: person.map(PersonID.init), email: email, connection: connection.map(ConnectionID.init),
                    sync: sync.map(SyncID.init), toPolicy: to.map(AutoSyncPolicyID.init), detail: detail, externalID: external))
        }
        return items
    }

    /// How many lines of each kind have each detail (starts by expectation, skips by reason).
    public func tallies(
        _ organization: OrganizationID, run: AutoSyncRunID, on db: PostgresConnection, logger: Logger
    ) async throws -> [AutoSyncRun.Item.Kind: [String: Int]] {
        let rows = try await db.query(
            """
            SELECT kind, detail, count(*) FROM auto_sync_run_items
            WHERE org_id = \(organization.rawValue) AND run_id = \(run.rawValue) AND detail IS NOT NULL
            GROUP BY kind, detail
            """, logger: logger)
        var tallies: [AutoSyncRun.Item.Kind: [String: Int]] = [:]
        for try await (kind, detail, count) in rows.decode((String, String, Int64).self) {
            guard let kind = AutoSyncRun.Item.Kind(rawValue: kind) else { continue }
            tallies[kind, default: [:]][detail] = Int(count)
        }
        return tallies
    }

    // MARK: Applying a plan

    /// Sets primaries a policy chose. A primary stays an Auto Sync choice while the person keeps
    /// an active account there (``PrimaryResolution``).
    public func setPrimaries(
        _ organization: OrganizationID, _ changes: [AutoSyncPlanner.Plan.PrimaryChange], by policy: AutoSyncPolicyID, at now: Date,
        on db: PostgresConnection, logger: Logger
    ) async throws {
        guard !changes.isEmpty else { return }
        try await PeopleMatcher.lockPeople(organization, on: db, logger: logger)
        try await db.query(
            """
            UPDATE people p SET primary_connection_id = c.connection_id, primary_source = 'auto_sync',
                primary_chosen_by = \(AuditActor.autoSync(policy).label), primary_chosen_at = \(now), needs_primary_choice = false
            FROM unnest(\(changes.map(\.person.rawValue))::uuid[], \(changes.map(\.connection.rawValue))::uuid[]) AS c(person_id, connection_id)
            WHERE p.org_id = \(organization.rawValue) AND p.id = c.person_id
            """, logger: logger)
    }

    /// Passes the keeping of syncs from `policy` to the policies the plan names.
    public func handOver(
        _ organization: OrganizationID, _ handovers: [AutoSyncPlanner.Plan.Handover], from policy: AutoSyncPolicyID,
        on db: PostgresConnection, logger: Logger
    ) async throws {
        guard !handovers.isEmpty else { return }
        try await db.query(
            """
            UPDATE syncs s SET auto_sync_policy_id = h.to_policy
            FROM unnest(\(handovers.map(\.sync.rawValue))::uuid[], \(handovers.map(\.to.rawValue))::uuid[]) AS h(sync_id, to_policy)
            WHERE s.org_id = \(organization.rawValue) AND s.id = h.sync_id AND s.auto_sync_policy_id = \(policy.rawValue)
            """, logger: logger)
    }

    /// Lets go of syncs the policy keeps: they stay, kept from then on as if an admin had started
    /// them (a rejected removal). Returns how many it let go of.
    public func release(
        _ organization: OrganizationID, _ syncs: [SyncID], from policy: AutoSyncPolicyID, on db: PostgresConnection, logger: Logger
    ) async throws -> Int {
        let rows = try await db.query(
            """
            WITH released AS (
                UPDATE syncs SET auto_sync_policy_id = NULL
                WHERE org_id = \(organization.rawValue) AND id = ANY(\(syncs.map(\.rawValue))::uuid[]) AND auto_sync_policy_id = \(policy.rawValue)
                RETURNING id)
            SELECT count(*) FROM released
            """, logger: logger)
        for try await count in rows.decode(Int64.self) { return Int(count) }
        return 0
    }

    // MARK: Run requests

    /// Marks policies as wanting a run (their membership changed). Returns those that had no
    /// request waiting already: only they need a job, since a waiting request's job (or, for one
    /// a finishing job missed, the scheduler's sweep) serves the new mark too.
    @discardableResult
    public func requestRuns(
        _ organization: OrganizationID, _ policies: [AutoSyncPolicyID], on db: PostgresConnection, logger: Logger
    ) async throws -> [AutoSyncPolicyID] {
        var fresh: [AutoSyncPolicyID] = []
        for try await id in try await db.execute(
            RequestRunsStatement(organization: organization.rawValue, policies: policies.map(\.rawValue)), logger: logger
        )
        .decode(UUID.self) {
            fresh.append(AutoSyncPolicyID(id))
        }
        return fresh
    }

    /// CTE `marked`, to follow CTEs that end in `changed`: when `changed` has a row, marks the
    /// policies (a `uuid[]` parameter) as wanting a run and returns each one's id and whether a
    /// request was already waiting. The policies' rows are locked before they are read, so a run
    /// that ends meanwhile is seen. One definition for ``requestRuns(_:_:on:logger:)`` and the
    /// statements that change a group's membership and ask for runs in the same round trip.
    static func markingRuns(organization: String, policies: String) -> String {
        """
        , marked AS (
            UPDATE auto_sync_policies p SET run_requested_at = clock_timestamp()
            FROM (SELECT id, run_requested_at > coalesce(run_done_through, '-infinity') AS waiting FROM auto_sync_policies
                  WHERE org_id = \(organization) AND id = ANY(\(policies)::uuid[]) AND EXISTS (SELECT 1 FROM changed)
                  FOR UPDATE) b
            WHERE p.org_id = \(organization) AND p.id = b.id
            RETURNING p.id, coalesce(b.waiting, false) AS waiting
        )

        """
    }

    struct RequestRunsStatement: HotStatement {
        static let sql =
            "WITH changed AS (SELECT 1)" + markingRuns(organization: "$1", policies: "$2")
            + "SELECT id FROM marked WHERE NOT waiting ORDER BY id"
        let organization: UUID
        let policies: [UUID]

        func makeBindings() -> PostgresBindings { bindings(organization, policies) }
    }

    /// When the policy's latest run request was made.
    public func runRequest(_ organization: OrganizationID, _ policy: AutoSyncPolicyID, on db: PostgresConnection, logger: Logger) async throws
        -> Date?
    {
        let rows = try await db.query(
            "SELECT run_requested_at FROM auto_sync_policies WHERE org_id = \(organization.rawValue) AND id = \(policy.rawValue)", logger: logger)
        for try await at in rows.decode(Date?.self) { return at }
        return nil
    }

    /// Records that a run saw every request up to `through`.
    public func markRun(_ organization: OrganizationID, _ policy: AutoSyncPolicyID, through: Date?, on db: PostgresConnection, logger: Logger)
        async throws
    {
        try await db.query(
            """
            UPDATE auto_sync_policies SET run_done_through = greatest(run_done_through, \(through))
            WHERE org_id = \(organization.rawValue) AND id = \(policy.rawValue)
            """, logger: logger)
    }

    static let columns = """
        id, policy_id, trigger, state, primaries, starts, handovers, removals, skips, not_on_any_platform, synced_before, hold_reason,
        decided_by, decided_at, created_at
        """

    static func decode(_ rows: PostgresRowSequence) async throws -> [AutoSyncRun] {
        var runs: [AutoSyncRun] = []
        for try await row in rows {
            let r = row.makeRandomAccess()
            var counts = AutoSyncRun.Counts()
            counts.primaries = try r[4].decode(Int.self)
            counts.starts = try r[5].decode(Int.self)
            counts.handovers = try r[6].decode(Int.self)
            counts.removals = try r[7].decode(Int.self)
            counts.skips = try r[8].decode(Int.self)
            counts.notOnAnyPlatform = try r[9].decode(Int.self)
            runs.append(
                AutoSyncRun(
                    id: AutoSyncRunID(try r[0].decode(UUID.self)), policyID: AutoSyncPolicyID(try r[1].decode(UUID.self)),
                    trigger: AutoSyncRun.Trigger(rawValue: try r[2].decode(String.self)) ?? .manual,
                    state: AutoSyncRun.State(rawValue: try r[3].decode(String.self)) ?? .applied, counts: counts,
                    syncedBefore: try r[10].decode(Int.self), holdReason: try r[11].decode(String?.self), decidedBy: try r[12].decode(String?.self),
                    decidedAt: try r[13].decode(Date?.self), createdAt: try r[14].decode(Date.self)))
        }
        return runs
    }
}
