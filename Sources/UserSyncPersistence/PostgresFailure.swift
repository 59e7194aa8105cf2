import PostgresNIO
import UserSyncDomain

/// Translates PostgreSQL errors at the persistence boundary, by SQLSTATE.
enum PostgresFailure {
    static let uniqueViolation = "23505"
    static let foreignKeyViolation = "23503"
    static let checkViolation = "23514"
    static let insufficientPrivilege = "42501"
    static let undefinedTable = "42P01"
    /// Text PostgreSQL cannot store: a NUL character (22021) or an untranslatable one (22P05).
    static let characterNotInRepertoire = "22021"
    static let untranslatableCharacter = "22P05"

    static let serializationFailure = "40001"
    static let deadlockDetected = "40P01"

    static func sqlState(_ error: any Error) -> String? {
        (error as? PSQLError)?.serverInfo?[.sqlState]
    }

    static func constraint(_ error: any Error) -> String? {
        (error as? PSQLError)?.serverInfo?[.constraintName]
    }

    /// Unique and foreign-key violations that reach here unhandled by a repository become
    /// conflicts, check violations invalid input, and text the database cannot store a bad
    /// request (the client sent it); a deadlock or serialization failure a ``ConcurrentChange``;
    /// anything else stays as it is (a logged 500 at the API).
    static func translate(_ error: any Error) -> any Error {
        switch sqlState(error) {
        case uniqueViolation?:
            DomainError.conflict(code: "already_exists", message: "A resource with the same identity already exists.")
        case checkViolation?:
            DomainError.invalid(
                constraint(error) ?? "body", "constraint_violated", "The change breaks a rule of the stored data (\(constraint(error) ?? "a check"))."
            )
        case characterNotInRepertoire?, untranslatableCharacter?:
            DomainError.badReference(code: "invalid_text", message: "The request contains a character that cannot be stored (such as NUL).")
        case serializationFailure?, deadlockDetected?:
            ConcurrentChange(describeFailure(error))
        case foreignKeyViolation?:
            DomainError.conflict(code: "referenced_resource_missing", message: "A resource this change refers to does not exist.")
        default:
            error
        }
    }
}

/// A transaction's COMMIT was answered with a rollback: one of its statements failed unseen.
public struct TransactionRolledBack: Error, CustomStringConvertible {
    public var description: String { "the transaction was rolled back at its commit: one of its statements had failed" }
}

/// What went wrong, for logs and a job's last error: PostgresNIO describes every `PSQLError` with
/// one generic sentence (so that no query or value reaches a user by accident), which leaves an
/// operator blind. This names the client-side code, or the server's SQLSTATE and message (server
/// messages name objects, not values), and describes any other error as it describes itself.
public func describeFailure(_ error: any Error) -> String {
    guard let error = error as? PSQLError else { return String(describing: error) }
    if let info = error.serverInfo {
        return "PostgreSQL \(info[.severity] ?? "error") \(info[.sqlState] ?? "?"): \(info[.message] ?? "(no message)")"
    }
    let underlying = error.underlying.map { " (\(describeFailure($0)))" } ?? ""
    return "PostgreSQL client error \(error.code)\(underlying)"
}
