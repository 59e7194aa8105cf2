import AsyncHTTPClient
import Foundation
import NIOCore

/// The series of a Prometheus text page, by name and label values (`jobs_started_relay.deliver`).
struct MetricsSample: Sendable {
    let values: [String: Double]

    /// Reads `url`; series for which `keep` is false are left out. Empty when unreachable.
    static func read(_ url: String, keep: @Sendable (String) -> Bool) async -> MetricsSample {
        guard let response = try? await HTTPClient.shared.execute(HTTPClientRequest(url: url), timeout: .seconds(10)),
            let body = try? await response.body.collect(upTo: 16 << 20)
        else { return MetricsSample(values: [:]) }
        var values: [String: Double] = [:]
        for line in String(buffer: body).split(separator: "\n") where !line.hasPrefix("#") && keep(String(line)) {
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else { continue }
            let series = line[..<space]
            let name = series.prefix { $0 != "{" }.replacing("usersync_", with: "").replacing("_total", with: "")
            let labels = series.split(separator: "\"").enumerated().filter { $0.offset % 2 == 1 }.map { String($0.element) }
            values[([String(name)] + labels).joined(separator: "_").replacing(".", with: "_")] = value
        }
        return MetricsSample(values: values)
    }

    /// `<prefix><series>` grown since `earlier`, for the series that grew.
    func since(_ earlier: MetricsSample, prefix: String) -> [String: Double] {
        var grown: [String: Double] = [:]
        for (series, value) in values where value != earlier.values[series] ?? 0 { grown[prefix + series] = value - (earlier.values[series] ?? 0) }
        return grown
    }
}
