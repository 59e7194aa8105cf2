import PostgresNIO

extension TestDatabase {
    /// One number from a query run as the superuser.
    public func scalar(_ sql: String) async throws -> Int64 {
        let rows = try await admin.client.query(PostgresQuery(unsafeSQL: sql), logger: logger)
        for try await value in rows.decode(Int64.self) { return value }
        return 0
    }
}
