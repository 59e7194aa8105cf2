import PostgresNIO

extension TestDatabase {
    /// One number from a query run as the superuser.
    public func scalar(_ sql: String) async throws -> Int64 {
        let rows = try await admin.client.query(PostgresQuery(unsafeSQL: sql), logger: logger)
        for try await value in rows.decode(Int64.self) { return value }
        return 0
    }
}

extension TestDatabase {
    /// The text of each row of a one-column query run as the superuser (for a failure's message).
    public func adminRows(_ sql: String) async throws -> [String] {
        let rows = try await admin.client.query(PostgresQuery(unsafeSQL: sql), logger: logger)
        var texts: [String] = []
        for try await text in rows.decode(String?.self) { texts.append(text ?? "NULL") }
        return texts
    }
}
