import Foundation
import Logging
import PostgresNIO
import UserSyncDomain

/// The append-only audit log. Entries are written in the transaction of the change they record.
public struct AuditLogRepository: Sendable {
    public init() {}

    public struct Entry: Sendable {
        public var action: String
        public var targetType: String?
        public var targetID: String?
        public var details: [String: String]

        public init(action: String, targetType: String? = nil, targetID: String? = nil, details: [String: String] = [:]) {
            self.action = action
            self.targetType = targetType
            self.targetID = targetID
            self.details = details
        }
    }

    public func append(
        _ entry: Entry, organization: OrganizationID, actor: AuditActor, requestID: String?,
        on connection: PostgresConnection, logger: Logger
    ) async throws {
        try await append([entry], organization: organization, actor: actor, requestID: requestID, on: connection, logger: logger)
    }

    /// Appends many entries by one actor in one statement.
    public func append(
        _ entries: [Entry], organization: OrganizationID, actor: AuditActor, requestID: String?,
        on connection: PostgresConnection, logger: Logger
    ) async throws {
        guard !entries.isEmpty else { return }
        let rows = JSONRecordset.encode(
            entries.map { Row(action: $0.action, target_type: $0.targetType, target_id: $0.targetID, details: $0.details) })
        try await connection.query(
            """
            INSERT INTO audit_log (org_id, actor_kind, actor_id, action, target_type, target_id, details, request_id)
            SELECT \(organization.rawValue), \(actor.kind), \(actor.id), t.action, t.target_type, t.target_id, t.details, \(requestID)
            FROM ROWS FROM (jsonb_to_recordset(\(rows)::jsonb) AS (action text, target_type text, target_id text, details jsonb))
                 WITH ORDINALITY AS t(action, target_type, target_id, details, n)
            ORDER BY t.n
            """, logger: logger)
    }

    private struct Row: JSONWritable {
        var action: String
        var target_type: String?
        var target_id: String?
        var details: [String: String]

        func write(to json: inout JSONWriter) {
            json.object {
                $0.member("action", action)
                $0.member("target_type", target_type)
                $0.member("target_id", target_id)
                $0.key("details")
                $0.object { object in
                    for (key, value) in details {
                        object.key(key)
                        object.value(value)
                    }
                }
            }
        }
    }
}

extension AuditLogRepository {
    public typealias Record = AuditEntry
    public typealias Filter = AuditQuery

    /// Entries matching `filter`, newest first.
    public func list(_ organization: OrganizationID, _ filter: Filter, on connection: PostgresConnection, logger: Logger) async throws -> [Record] {
        let action = filter.action.map { $0.hasSuffix("*") ? String($0.dropLast()) : $0 }
        let prefix = filter.action?.hasSuffix("*") ?? false
        let rows = try await connection.query(
            """
            SELECT id, at, actor_kind, actor_id, action, target_type, target_id, details::text, request_id FROM audit_log
            WHERE org_id = \(organization.rawValue)
              AND (\(action)::text IS NULL OR (\(prefix) AND starts_with(action, \(action))) OR (NOT \(prefix) AND action = \(action)))
              AND (\(filter.actorKind)::text IS NULL OR actor_kind = \(filter.actorKind))
              AND (\(filter.actorID)::text IS NULL OR actor_id = \(filter.actorID))
              AND (\(filter.targetType)::text IS NULL OR target_type = \(filter.targetType))
              AND (\(filter.targetID)::text IS NULL OR target_id = \(filter.targetID))
              AND (\(filter.since)::timestamptz IS NULL OR at >= \(filter.since))
              AND (\(filter.until)::timestamptz IS NULL OR at < \(filter.until))
              AND (\(filter.before)::bigint IS NULL OR id < \(filter.before))
            ORDER BY id DESC LIMIT \(filter.limit)
            """, logger: logger)
        var result: [Record] = []
        for try await r in rows.decode((Int64, Date, String, String?, String, String?, String?, String, String?).self) {
            let details = (try? JSONDecoder().decode([String: String].self, from: Data(r.7.utf8))) ?? [:]
            result.append(
                Record(
                    id: r.0, at: r.1, actorKind: r.2, actorID: r.3, action: r.4, targetType: r.5, targetID: r.6, details: details, requestID: r.8))
        }
        return result
    }
}
