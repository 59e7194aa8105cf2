import PostgresNIO
import Testing
import UserSyncTestSupport

@testable import UserSyncPersistence

/// Hot statements are prepared under their type's name, worked out once per type.
@Suite("Hot statements")
struct HotStatementTests {
    struct First: HotStatement {
        static let sql = "SELECT 1"
        func makeBindings() -> PostgresBindings { PostgresBindings() }
    }

    struct Second: HotStatement {
        static let sql = "SELECT 2"
        func makeBindings() -> PostgresBindings { PostgresBindings() }
    }

    @Test("each is named after its type, as PostgresNIO names prepared statements")
    func namedAfterTheirType() {
        #expect(First.name == String(reflecting: First.self))
        #expect(Second.name == String(reflecting: Second.self))
        #expect(First.name != Second.name)
        #expect(SetLocalStatement.name.hasSuffix("SetLocalStatement"))
    }

    @Test("a statement is prepared under its name once, and runs again from the prepared copy")
    func runsUnderItsName() async throws {
        try await withTestDatabase { db in
            try await db.service.withTransaction(logger: db.logger) { connection in
                for _ in 0..<2 {
                    var answers: [Int] = []
                    for try await row in try await connection.execute(Second(), logger: db.logger) { answers.append(try row.decode(Int.self)) }
                    #expect(answers == [2])
                }
                var prepared: [String] = []
                let rows = try await connection.query("SELECT name FROM pg_prepared_statements WHERE statement = 'SELECT 2'", logger: db.logger)
                for try await name in rows.decode(String.self) { prepared.append(name) }
                #expect(prepared == [Second.name])
            }
        }
    }
}
