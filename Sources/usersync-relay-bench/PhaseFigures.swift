import Foundation

/// When the ledger stored a message's event, and when the attempt that delivered it started.
struct LedgerTimes: Sendable {
    let received: Date
    let delivered: Date?
}

/// The figures of one phase, from what the simulator holds and the ledger's times.
struct PhaseFigures {
    let tags: [Tag]
    let observed: Observed
    /// By the message's id on the platform it was written on.
    let ledger: [String: LedgerTimes]

    /// Written and never delivered.
    var missing: [Tag] { tags.filter { observed.written[$0] != nil && observed.delivered[$0] == nil } }

    func report(_ name: String) -> [String: Double] {
        var latencies: [Double] = [], toStored: [Double] = [], toAttempt: [Double] = [], attemptToInbox: [Double] = []
        var written = 0, delivered = 0, duplicates = 0
        var firstWritten = Date.distantFuture, lastWritten = Date.distantPast, lastDelivered = Date.distantPast
        // Each direction of each conversation, in the order its messages arrived.
        var streams: [Int: [(order: Int, number: Int)]] = [:]
        for tag in tags {
            guard let source = observed.written[tag] else { continue }
            written += 1
            firstWritten = min(firstWritten, source.at)
            lastWritten = max(lastWritten, source.at)
            guard let arrivals = observed.delivered[tag], let first = arrivals.first else { continue }
            delivered += 1
            duplicates += arrivals.count - 1
            lastDelivered = max(lastDelivered, first.at)
            latencies.append(first.at.timeIntervalSince(source.at) * 1_000)
            streams[tag.conversation * 2 + (tag.fromSlack ? 1 : 0), default: []] += arrivals.map { ($0.order, tag.number) }
            if let times = ledger[source.id] {
                toStored.append(times.received.timeIntervalSince(source.at) * 1_000)
                if let attempt = times.delivered {
                    toAttempt.append(attempt.timeIntervalSince(times.received) * 1_000)
                    attemptToInbox.append(first.at.timeIntervalSince(attempt) * 1_000)
                }
            }
        }
        var outOfOrder = 0
        for stream in streams.values {
            var highest = Int.min
            for arrival in stream.sorted(by: { $0.order < $1.order }) {
                if arrival.number < highest { outOfOrder += 1 }
                highest = max(highest, arrival.number)
            }
        }
        let seconds = delivered > 0 ? lastDelivered.timeIntervalSince(firstWritten) : 0
        let writing = lastWritten.timeIntervalSince(firstWritten)
        var report: [String: Double] = [
            "written": Double(written), "delivered": Double(delivered), "not_delivered": Double(written - delivered),
            "duplicates": Double(duplicates), "out_of_order": Double(outOfOrder),
            "seconds_first_written_to_last_delivered": seconds, "seconds_writing": max(0, writing),
            "written_per_second": writing > 0 ? (Double(written) / writing).rounded() : -1,
            "delivered_per_second": seconds > 0 ? (Double(delivered) / seconds).rounded() : -1,
            "ledger_matched": Double(toStored.count),
        ]
        report.merge(Self.percentiles(latencies, "latency_ms", [("p50", 0.5), ("p95", 0.95), ("p99", 0.99)])) { $1 }
        // Where the time went, by the ledger's clock (the same machine's): the event's trip to
        // `serve` and its storing, the wait for the worker, and the delivery attempt itself.
        let stages = [("event_to_stored_ms", toStored), ("stored_to_attempt_ms", toAttempt), ("attempt_to_inbox_ms", attemptToInbox)]
        for (stage, values) in stages { report.merge(Self.percentiles(values, "stage_\(stage)", [("p50", 0.5), ("p99", 0.99)])) { $1 } }
        return Dictionary(uniqueKeysWithValues: report.map { ("\(name)_\($0.key)", $0.value) })
    }

    /// `<name>_<label>` for each percentile, and `<name>_max`; -1 when there are no values.
    static func percentiles(_ values: [Double], _ name: String, _ wanted: [(String, Double)]) -> [String: Double] {
        let sorted = values.sorted()
        var figures = ["\(name)_max": sorted.last ?? -1]
        for (label, p) in wanted { figures["\(name)_\(label)"] = sorted.isEmpty ? -1 : sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))] }
        return figures
    }
}
