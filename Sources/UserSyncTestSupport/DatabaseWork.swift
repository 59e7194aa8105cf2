import Foundation
import PostgresNIO

/// The work PostgreSQL did in a benchmark's database so far, as its cumulative statistics count
/// it: transactions, buffer pages touched, rows written, and the write-ahead log (the throwaway
/// server holds nothing else). Every session counts, autovacuum's and the benchmark's own reads
/// included. Unlike CPU seconds, which this machine's neighbours move by a third from one run to
/// the next, these counts hardly depend on the machine's speed, so two runs compare by what they
/// asked of the database.
public struct DatabaseWork: Sendable {
    public let counts: [String: Double]

    /// Backends report their counts when a transaction ends at least a second after their last
    /// report, or once they have been idle that long: a sample waits that long first, so that a
    /// phase's last second is counted in it and not in the next.
    public static let reportDelay = Duration.milliseconds(1500)

    /// The counts so far, after ``reportDelay``.
    public static func now(_ db: TestDatabase) async throws -> DatabaseWork {
        try await Task.sleep(for: reportDelay)
        let rows = try await db.admin.client.query(
            """
            SELECT (d.xact_commit + d.xact_rollback)::float8, (d.blks_hit + d.blks_read)::float8,
                   (d.tup_inserted + d.tup_updated + d.tup_deleted)::float8, w.wal_records::float8, w.wal_bytes::float8
            FROM pg_stat_database d, pg_stat_wal w WHERE d.datname = current_database()
            """, logger: db.logger)
        for try await (transactions, buffers, rows, walRecords, walBytes) in rows.decode((Double, Double, Double, Double, Double).self) {
            return DatabaseWork(counts: [
                "transactions": transactions, "buffer_pages": buffers, "rows_written": rows, "wal_records": walRecords, "wal_bytes": walBytes,
            ])
        }
        throw BenchmarkFailure("pg_stat_database has no row for the benchmark's database")
    }

    /// `db_<count>_per_<unit>` since `earlier`, for `units` units of work (messages, syncs).
    public func since(_ earlier: DatabaseWork, per units: Int, unit: String) -> [String: Double] {
        Dictionary(
            uniqueKeysWithValues: counts.compactMap { name, now in
                earlier.counts[name].map { ("db_\(name)_per_\(unit)", (now - $0) / Double(max(units, 1))) }
            })
    }
}
