import Foundation
import Logging
import PostgresNIO
import UserSyncDomain

/// The tenant registry. Reads work without a tenant scope; writes run inside the new or affected
/// organization's scope so their audit entries land in the same transaction.
public struct OrganizationRepository: Sendable {
    public init() {}

    static let columns = "id, slug, name, created_at, updated_at"

    public func insert(_ organization: Organization, on connection: PostgresConnection, logger: Logger) async throws {
        do {
            try await connection.query(
                """
                INSERT INTO organizations (id, slug, name, created_at, updated_at)
                VALUES (\(organization.id.rawValue), \(organization.slug.rawValue), \(organization.name),
                        \(organization.createdAt), \(organization.updatedAt))
                """, logger: logger)
        } catch  where PostgresFailure.sqlState(error) == PostgresFailure.uniqueViolation {
            throw DomainError.conflict(
                code: "slug_taken", message: "An organization with slug '\(organization.slug)' already exists.")
        }
    }

    /// Looks an organization up by slug or by id.
    public func find(_ reference: String, on connection: PostgresConnection, logger: Logger) async throws -> Organization? {
        let rows: PostgresRowSequence
        if let id = OrganizationID(reference) {
            rows = try await connection.query(
                "SELECT \(unescaped: Self.columns) FROM organizations WHERE id = \(id.rawValue)", logger: logger)
        } else {
            rows = try await connection.query(
                "SELECT \(unescaped: Self.columns) FROM organizations WHERE slug = \(reference)", logger: logger)
        }
        return try await Self.decode(rows).first
    }

    /// Organizations ordered by slug, after `cursor` (a slug) when given.
    public func list(after cursor: String?, limit: Int, on connection: PostgresConnection, logger: Logger) async throws -> [Organization] {
        let rows = try await connection.query(
            """
            SELECT \(unescaped: Self.columns) FROM organizations
            WHERE \(cursor == nil) OR slug > \(cursor ?? "")
            ORDER BY slug LIMIT \(limit)
            """, logger: logger)
        return try await Self.decode(rows)
    }

    public func rename(_ id: OrganizationID, to name: String, on connection: PostgresConnection, logger: Logger) async throws -> Organization {
        let rows = try await connection.query(
            """
            UPDATE organizations SET name = \(name) WHERE id = \(id.rawValue)
            RETURNING \(unescaped: Self.columns)
            """, logger: logger)
        guard let organization = try await Self.decode(rows).first else { throw DomainError.notFound(resource: "organization") }
        return organization
    }

    /// Deletes the organization and, by cascade, every row it owns (import staging, which has no
    /// foreign keys, explicitly). Runs in the organization's scope.
    public func delete(_ id: OrganizationID, on connection: PostgresConnection, logger: Logger) async throws {
        for staging in ["import_team_members", "import_seen_accounts"] {
            try await connection.query("DELETE FROM \(unescaped: staging) WHERE org_id = \(id.rawValue)", logger: logger)
        }
        let rows = try await connection.query(
            "DELETE FROM organizations WHERE id = \(id.rawValue) RETURNING id", logger: logger)
        var deleted = false
        for try await _ in rows { deleted = true }
        guard deleted else { throw DomainError.notFound(resource: "organization") }
    }

    static func decode(_ rows: PostgresRowSequence) async throws -> [Organization] {
        var result: [Organization] = []
        for try await (id, slug, name, createdAt, updatedAt) in rows.decode((UUID, String, String, Date, Date).self) {
            result.append(
                Organization(
                    id: OrganizationID(id), slug: try Slug(validating: slug), name: name,
                    createdAt: createdAt, updatedAt: updatedAt))
        }
        return result
    }
}
