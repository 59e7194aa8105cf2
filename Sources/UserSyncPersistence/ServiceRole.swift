import Logging
import PostgresNIO

/// The database role `serve` and `work` connect as must not be able to step around row-level
/// security: not a superuser, no BYPASSRLS, owner of no table (neither itself nor through a role
/// it is granted, such as the schema owner), and a member of `usersync_app`.
public enum ServiceRole {
    public struct Violation: Error, Sendable, CustomStringConvertible {
        public let role: String
        public let reasons: [String]
        public var description: String {
            "the database role '\(role)' \(reasons.joined(separator: "; ")). Connect as a login role that is only granted "
                + "usersync_app (see README, \"Database roles\")"
        }
    }

    public static func verify(_ database: Database, logger: Logger) async throws {
        let rows = try await database.client.query(
            """
            SELECT r.rolname, r.rolsuper, r.rolbypassrls,
                   (SELECT count(*) FROM pg_class c
                     WHERE pg_has_role(r.oid, c.relowner, 'USAGE') AND c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p')),
                   pg_has_role(r.oid, 'usersync_app', 'USAGE')
            FROM pg_roles r WHERE r.rolname = current_user
            """, logger: logger)
        for try await (role, superuser, bypass, owned, member) in rows.decode((String, Bool, Bool, Int64, Bool).self) {
            var reasons: [String] = []
            if superuser { reasons.append("is a superuser, which bypasses row-level security") }
            if bypass { reasons.append("has BYPASSRLS") }
            if owned > 0 { reasons.append("owns \(owned) table(s), itself or through a role it is granted") }
            if !member { reasons.append("is not granted usersync_app, so it cannot use the schema") }
            if !reasons.isEmpty { throw Violation(role: role, reasons: reasons) }
        }
    }
}
