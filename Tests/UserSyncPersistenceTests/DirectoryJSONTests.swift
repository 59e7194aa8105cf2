import Foundation
import PostgresNIO
import Testing
import UserSyncTestSupport

@testable import UserSyncPersistence

/// The reader of `people_directory`'s JSON columns against what PostgreSQL itself writes (the
/// parser itself: UserSyncDomainTests' JSONValueTests).
@Suite struct DirectoryJSONTests {
    typealias Value = DirectoryJSON.Value

    @Test func readsWhatPostgreSQLWritesForTrickyText() async throws {
        try await withTestDatabase { db in
            let rows = try await db.admin.client.query(
                """
                SELECT json_build_array('quote " backslash \\ slash / tab' || chr(9) || 'line' || chr(10) || 'bell' || chr(7),
                                        'é 漢字 😀', extract(epoch FROM timestamptz '2026-12-03 19:09:02.123456+00'), true, false, NULL,
                                        ARRAY['a', 'b'], json_build_object('k', 1))::text,
                       json_agg(x)::text, json_object_agg(x, ARRAY[x])::text
                FROM generate_series(1, 3) AS x
                """, logger: db.logger)
            for try await (array, aggregate, object) in rows.decode((String, String, String).self) {
                #expect(
                    try Value.parse(array)
                        == .array([
                            .string("quote \" backslash \\ slash / tab\tline\nbell\u{7}"), .string("é 漢字 😀"), .number(1_796_324_942.123456),
                            .bool(true), .bool(false), .null, .array([.string("a"), .string("b")]), .object(["k": .number(1)]),
                        ]))
                #expect(try Value.parse(aggregate) == .array([.number(1), .number(2), .number(3)]))
                #expect(try Value.parse(object) == .object(["1": .array([.number(1)]), "2": .array([.number(2)]), "3": .array([.number(3)])]))
            }
        }
    }
}
