import Foundation
import Logging
import UserSyncPersistence
import UserSyncSecrets

/// Reads typed settings from the environment (over an optional `.env` file), collecting every
/// problem so one start-up names all of them, each by its variable and never with a secret value.
public struct EnvironmentReader {
    let values: [String: String]
    private(set) var problems: [String] = []

    public init(values: [String: String]) {
        self.values = values
    }

    /// The process environment over the `.env` file at `path` (when it exists). Variables set in
    /// the environment win.
    public static func load(envFile path: String?, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> EnvironmentReader {
        var values: [String: String] = [:]
        let file = path ?? ".env"
        if FileManager.default.fileExists(atPath: file) {
            values = try DotEnv.parse(String(contentsOfFile: file, encoding: .utf8), file: file)
        } else if path != nil {
            throw ConfigurationError(problems: ["the env file \(file) does not exist"])
        }
        values.merge(environment) { _, process in process }
        return EnvironmentReader(values: values)
    }

    func raw(_ key: ConfigurationKey) -> String? {
        values[key.rawValue].flatMap { $0.isEmpty ? nil : $0 }
    }

    mutating func problem(_ key: ConfigurationKey, _ message: String) {
        problems.append("\(key.rawValue) \(message)")
    }

    mutating func string(_ key: ConfigurationKey, default value: String? = nil, hint: String = "") -> String? {
        if let found = raw(key) { return found }
        if value == nil { problem(key, "is required\(hint.isEmpty ? "" : " (\(hint))")") }
        return value
    }

    mutating func integer(_ key: ConfigurationKey, default value: Int, range: ClosedRange<Int>) -> Int {
        guard let text = raw(key) else { return value }
        guard let number = Int(text), range.contains(number) else {
            problem(key, "must be an integer from \(range.lowerBound) to \(range.upperBound)")
            return value
        }
        return number
    }

    mutating func boolean(_ key: ConfigurationKey, default value: Bool) -> Bool {
        guard let raw = raw(key) else { return value }
        switch raw.lowercased() {
        case "true", "1", "yes": return true
        case "false", "0", "no": return false
        default:
            problem(key, "must be true or false")
            return value
        }
    }

    mutating func databaseURL(_ key: ConfigurationKey, fallback: ConfigurationKey? = nil) -> DatabaseURL? {
        guard let text = raw(key) ?? fallback.flatMap(raw) else {
            problem(key, "is required (postgres://user:password@host:5432/database)")
            return nil
        }
        do {
            return try DatabaseURL(text)
        } catch {
            problem(raw(key) == nil ? fallback ?? key : key, error.description)
            return nil
        }
    }

    /// Fails with every problem found so far.
    func validate() throws {
        if !problems.isEmpty { throw ConfigurationError(problems: problems) }
    }
}

public struct ConfigurationError: Error, CustomStringConvertible {
    public let problems: [String]
    public var description: String {
        "invalid configuration:\n" + problems.map { "  - \($0)" }.joined(separator: "\n")
    }
}

/// `KEY=value` lines; `#` comments; optional `export`; single or double quotes around a value.
enum DotEnv {
    static func parse(_ text: String, file: String) throws -> [String: String] {
        var values: [String: String] = [:]
        for (number, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            var line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.hasPrefix("export ") { line = String(line.dropFirst(7)) }
            guard let equals = line.firstIndex(of: "=") else {
                throw ConfigurationError(problems: ["\(file) line \(number + 1) is not KEY=value"])
            }
            let key = line[..<equals].trimmingCharacters(in: .whitespaces)
            var value = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            if value.count >= 2, let first = value.first, first == "\"" || first == "'", value.last == first {
                value = String(value.dropFirst().dropLast())
            }
            values[key] = value
        }
        return values
    }
}
