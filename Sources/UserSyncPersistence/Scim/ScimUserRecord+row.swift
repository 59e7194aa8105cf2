import Foundation
import PostgresNIO
import UserSyncDomain

extension ScimUserRecord {
    /// The columns ``init(_:)`` reads, in its order. The one kept address is the first entry of
    /// `emails` as sent (`email_normalized` is its lower-cased form, or the userName's).
    static let columns = """
        external_id, user_name, idp_external_id, active, display_name, given_name, family_name, formatted_name,
        emails->0->>'value', version, created_at, updated_at
        """
    static let columnCount = 12

    /// Reads ``columns`` starting at column `start` of `row`.
    init(_ row: PostgresRandomAccessRow, from start: Int = 0) throws {
        func cell<Value: PostgresDecodable>(_ index: Int, _: Value.Type = Value.self) throws -> Value {
            try row[start + index].decode(Value.self)
        }
        var attributes = ScimUserInput(userName: try cell(1, String?.self) ?? "")
        attributes.externalId = try cell(2)
        attributes.active = try cell(3, Bool.self)
        attributes.displayName = try cell(4)
        attributes.name = ScimUserInput.Name(givenName: try cell(5), familyName: try cell(6), formatted: try cell(7))
        attributes.email = try cell(8)
        self.init(id: try cell(0), attributes: attributes, version: try cell(9), createdAt: try cell(10), updatedAt: try cell(11))
    }

    static func decode(_ rows: PostgresRowSequence) async throws -> [ScimUserRecord] {
        var records: [ScimUserRecord] = []
        for try await row in rows { records.append(try ScimUserRecord(row.makeRandomAccess())) }
        return records
    }
}
