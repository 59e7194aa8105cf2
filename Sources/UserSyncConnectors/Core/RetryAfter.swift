import Foundation
import NIOHTTP1

enum RetryAfter {
    /// Reads `Retry-After` as delta-seconds or as a date (RFC 9110 HTTP-date; Zoom's daily limits
    /// send an ISO 8601 timestamp). Returns nil when absent or unreadable.
    static func parse(_ headers: HTTPHeaders, now: Date = Date()) -> Date? {
        guard let raw = headers.first(name: "Retry-After")?.trimmingCharacters(in: .whitespaces), !raw.isEmpty
        else { return nil }
        if let seconds = Double(raw), seconds >= 0 { return now.addingTimeInterval(seconds) }
        if let date = httpDate(raw) ?? ISO8601DateFormatter().date(from: raw) { return max(date, now) }
        return nil
    }

    private static func httpDate(_ raw: String) -> Date? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        return formatter.date(from: raw)
    }
}
