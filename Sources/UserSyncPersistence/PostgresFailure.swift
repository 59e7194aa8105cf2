import PostgresNIO
import UserSyncDomain

/// Translates PostgreSQL errors at the persistence boundary, by SQLSTATE.
enum PostgresFailure {
    static let uniqueViolation = "23505"
    static let foreignKeyViolation = "23503"
    static let checkViolation = "23514"
    static let insufficientPrivilege = "42501"
    static let undefinedTable = "42P01"

    static func sqlState(_ error: any Error) -> String? {
        (error as? PSQLError)?.serverInfo?[.sqlState]
    }

    static func constraint(_ error: any Error) -> String? {
        (error as? PSQLError)?.serverInfo?[.constraintName]
    }

    /// Constraint violations that reach here unhandled by a repository become conflicts; anything
    /// else stays as it is (and becomes a logged 500 at the API).
    static func translate(_ error: any Error) -> any Error {
        switch sqlState(error) {
        case uniqueViolation?:
            DomainError.conflict(code: "already_exists", message: "A resource with the same identity already exists.")
        case foreignKeyViolation?:
            DomainError.conflict(code: "referenced_resource_missing", message: "A resource this change refers to does not exist.")
        default:
            error
        }
    }
}
