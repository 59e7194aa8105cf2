import Foundation
import NIOHTTP1

enum RetryAfter {
    static let maxWait: TimeInterval = 86_400

    /// Reads `Retry-After` as delta-seconds or as a date (RFC 9110 HTTP-date; Zoom's daily limits
    /// send an ISO 8601 timestamp). Returns nil when absent or unreadable.
    static func parse(_ headers: HTTPHeaders, now: Date = Date()) -> Date? {
        guard let raw = headers.first(name: "Retry-After")?.trimmingCharacters(in: .whitespaces), !raw.isEmpty
        else { return nil }
        let date: Date
        if let seconds = Double(raw) {
            guard seconds.isFinite, seconds >= 0 else { return nil }
            date = now.addingTimeInterval(seconds)
        } else if let parsed = httpDate(raw) ?? ISO8601DateFormatter().date(from: raw) {
            date = max(parsed, now)
        } else {
            return nil
        }
        // A platform never legitimately asks for more than a day (Zoom's daily limits reset sooner).
        return min(date, now.addingTimeInterval(maxWait))
    }

    private static func httpDate(_ raw: String) -> Date? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        return formatter.date(from: raw)
    }
}
