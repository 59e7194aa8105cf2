import Logging
import PostgresNIO
import Synchronization

/// A statement whose text never changes and that runs on most requests: PostgreSQL parses and
/// plans it once per pooled connection (a named prepared statement) and afterwards only binds
/// and executes it. Parsing and planning an unnamed statement cost as much as running these
/// (0.2 ms of the 0.5 ms of a person's read). Statements whose text varies with a request's
/// filter stay unnamed: a generic plan cannot use a cursor that may be absent as an index
/// condition. docs/scaling.md says what this asks of a connection pooler and of migrations.
package protocol HotStatement: PostgresPreparedStatement where Row == PostgresRow {}

extension HotStatement {
    package func decodeRow(_ row: PostgresRow) throws -> PostgresRow { row }

    /// The name it is prepared under: its type's, as PostgresNIO names it by default, but worked
    /// out once per type. The default reflects the type on every execution, which cost `serve`
    /// and `work` about 1 % of their CPU in the relay benchmark (perf).
    package static var name: String { PreparedNames.shared.name(of: Self.self) }
}

/// Every hot statement type's name, reflected once.
final class PreparedNames: Sendable {
    static let shared = PreparedNames()
    private let names = Mutex<[ObjectIdentifier: String]>([:])

    func name(of type: Any.Type) -> String {
        names.withLock { names in
            if let name = names[ObjectIdentifier(type)] { return name }
            let name = String(reflecting: type)
            names[ObjectIdentifier(type)] = name
            return name
        }
    }
}

/// The values a hot statement binds, in order (`$1`, `$2`, …).
package func bindings(_ values: any PostgresDynamicTypeEncodable...) -> PostgresBindings { bindings(values) }

package func bindings(_ values: [any PostgresDynamicTypeEncodable]) -> PostgresBindings {
    var bindings = PostgresBindings(capacity: values.count)
    for value in values { bindings.append(value) }
    return bindings
}

/// Switches the transaction to generic plans, answering the mode it had.
struct GenericPlansStatement: HotStatement {
    static let sql = "SELECT current_setting('plan_cache_mode'), set_config('plan_cache_mode', 'force_generic_plan', true)"

    func makeBindings() -> PostgresBindings { PostgresBindings() }
}

/// Sets a setting for the rest of the transaction (`set_config(…, true)`): the scope of every
/// tenant transaction.
struct SetLocalStatement: HotStatement {
    static let sql = "SELECT set_config($1, $2, true)"
    let setting: String
    let value: String

    func makeBindings() -> PostgresBindings { bindings(setting, value) }
}

extension PostgresConnection {
    /// Runs `body`'s prepared statements on their generic plans, within a transaction. A generic
    /// plan estimates `org_id = $1` at an average organization whatever the statistics say of
    /// this one, so a lookup by a key after `org_id` keeps its index condition (docs/scaling.md).
    package func withGenericPlans<Result>(
        logger: Logger, isolation: isolated (any Actor)? = #isolation, _ body: () async throws -> Result
    ) async throws -> Result {
        var prior = "auto"
        for try await (mode, _) in try await execute(GenericPlansStatement(), logger: logger).decode((String, String).self) { prior = mode }
        let result = try await body()
        try await run(SetLocalStatement(setting: "plan_cache_mode", value: prior), logger: logger)
        return result
    }

    /// Runs a hot statement whose rows, if any, are not needed, to its end: an error it meets is
    /// thrown here.
    package func run(_ statement: some HotStatement, logger: Logger) async throws {
        for try await _ in try await execute(statement, logger: logger) {}
    }

    /// Runs a statement whose rows are not needed to its end. A `query` whose rows are never read
    /// returns at its first row and drops an error that comes after it (a lock wait ended as a
    /// deadlock): the transaction is then aborted, and its COMMIT a silent rollback.
    package func run(_ query: PostgresQuery, logger: Logger) async throws {
        for try await _ in try await self.query(query, logger: logger) {}
    }
}
