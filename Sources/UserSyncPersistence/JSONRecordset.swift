import Foundation
import UserSyncDomain

/// Many rows handed to one statement as a JSON array, read back with `jsonb_to_recordset`: the
/// way to write a batch whose columns may be null (Postgres arrays of optionals do not bind).
enum JSONRecordset {
    /// Written by hand rather than by `JSONEncoder`, which took 5.6 % of the worker's `perf`
    /// samples in a bulk sync for the status changes and audit entries. Rows write dates to the
    /// millisecond in ISO 8601 and bytes in base64 (`decode(x, 'base64')` in SQL).
    static func encode<Row: JSONWritable>(_ rows: [Row]) -> String {
        var json = JSONWriter(capacity: 256 * rows.count)
        json.array(rows) { $0.value($1) }
        return String(decoding: json.bytes, as: UTF8.self)
    }
}
