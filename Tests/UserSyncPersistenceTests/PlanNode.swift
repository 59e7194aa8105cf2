import Foundation
import NIOCore
import PostgresNIO

/// What EXPLAIN (ANALYZE, FORMAT JSON) says of one plan node and those under it.
struct PlanNode: Decodable {
    let nodeType: String
    let actualRows: Double
    let actualLoops: Double
    let relationName: String?
    let indexName: String?
    let rowsRemovedByFilter: Double?
    let plans: [PlanNode]?

    enum CodingKeys: String, CodingKey {
        case nodeType = "Node Type", actualRows = "Actual Rows", actualLoops = "Actual Loops", relationName = "Relation Name"
        case indexName = "Index Name", rowsRemovedByFilter = "Rows Removed by Filter", plans = "Plans"
    }

    var all: [PlanNode] { [self] + (plans ?? []).flatMap(\.all) }

    /// Every node of the plans an EXPLAIN (ANALYZE, FORMAT JSON) answered.
    static func all(in rows: PostgresRowSequence) async throws -> [PlanNode] {
        struct Explained: Decodable {
            let plan: PlanNode
            enum CodingKeys: String, CodingKey { case plan = "Plan" }
        }
        var explained: [Explained] = []
        for try await json in rows.decode(ByteBuffer.self) { explained += try JSONDecoder().decode([Explained].self, from: Data(buffer: json)) }
        return explained.flatMap(\.plan.all)
    }
}
