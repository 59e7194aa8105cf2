import Foundation

/// How the console writes times and numbers: UTC, so every admin reads the same thing.
enum ConsoleFormat {
    static func dateTime(_ date: Date?) -> String {
        guard let date else { return "" }
        return date.formatted(Date.FormatStyle(date: .abbreviated, time: .shortened, timeZone: TimeZone(identifier: "UTC")!)) + " UTC"
    }

    static func iso(_ date: Date?) -> String {
        guard let date else { return "" }
        return date.formatted(.iso8601)
    }

    static func count(_ value: Int) -> String { value.formatted(.number) }

    /// "1 person", "2 people"…
    static func count(_ value: Int, _ one: String, _ many: String) -> String { "\(count(value)) \(value == 1 ? one : many)" }
}
