import Foundation
import PostgresNIO
import UserSyncDomain

extension ScimGroupRecord {
    /// The columns ``init(_:from:)`` reads, in its order.
    static let columns = "group_id, display_name, idp_external_id, version, created_at, updated_at"
    static let columnCount = 6

    init(_ row: PostgresRandomAccessRow, from start: Int = 0) throws {
        func cell<Value: PostgresDecodable>(_ index: Int, _: Value.Type = Value.self) throws -> Value {
            try row[start + index].decode(Value.self)
        }
        self.init(
            id: try cell(0), displayName: try cell(1, String?.self) ?? "", externalId: try cell(2), version: try cell(3),
            createdAt: try cell(4), updatedAt: try cell(5))
    }

    static func decode(_ rows: PostgresRowSequence) async throws -> [ScimGroupRecord] {
        var records: [ScimGroupRecord] = []
        for try await row in rows { records.append(try ScimGroupRecord(row.makeRandomAccess())) }
        return records
    }
}
