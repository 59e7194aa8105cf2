import Foundation

/// Many rows handed to one statement as a JSON array, read back with `jsonb_to_recordset`: the
/// way to write a batch whose columns may be null (Postgres arrays of optionals do not bind).
enum JSONRecordset {
    /// Dates to the millisecond in ISO 8601, bytes in base64 (`decode(x, 'base64')` in SQL).
    static func encode(_ rows: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true)))
        }
        encoder.dataEncodingStrategy = .base64
        return String(decoding: try encoder.encode(rows), as: UTF8.self)
    }
}
