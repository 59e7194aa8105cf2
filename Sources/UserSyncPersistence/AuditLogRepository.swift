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
        let details = String(decoding: try JSONEncoder().encode(entry.details), as: UTF8.self)
        try await connection.query(
            """
            INSERT INTO audit_log (org_id, actor_kind, actor_id, action, target_type, target_id, details, request_id)
            VALUES (\(organization.rawValue), \(actor.kind), \(actor.id), \(entry.action), \(entry.targetType),
                    \(entry.targetID), \(details)::jsonb, \(requestID))
            """, logger: logger)
    }
}
