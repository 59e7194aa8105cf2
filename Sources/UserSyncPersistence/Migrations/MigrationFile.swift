import Crypto
import Foundation

/// One `sql/NNNN_name.sql` file.
public struct MigrationFile: Sendable, Equatable {
    public let name: String
    public let number: Int
    public let sql: String
    /// SHA-256 of the file's bytes, hex.
    public let checksum: String

    public init(name: String, contents: Data) throws(MigrationError) {
        let stem = name.hasSuffix(".sql") ? name.dropLast(4) : ""
        let digits = stem.prefix(while: \.isNumber)
        guard digits.count == 4, stem.dropFirst(4).first == "_", stem.count > 5,
            stem.dropFirst(5).allSatisfy({ ($0.isLetter && $0.isLowercase) || $0.isNumber || $0 == "_" }),
            let number = Int(digits)
        else { throw .badFileName(name) }
        self.name = name
        self.number = number
        self.sql = String(decoding: contents, as: UTF8.self)
        self.checksum = SHA256.hash(data: contents).map { String(format: "%02x", $0) }.joined()
    }

    /// Every migration file of a directory, in order. Numbers must be 0001, 0002, … without gaps
    /// or repeats, so a file added out of order is caught before it is applied.
    public static func load(from directory: URL) throws -> [MigrationFile] {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
            .filter { $0.hasSuffix(".sql") }
            .sorted()
        guard !names.isEmpty else { throw MigrationError.noFiles(directory.path) }
        let files = try names.map { try MigrationFile(name: $0, contents: Data(contentsOf: directory.appendingPathComponent($0))) }
        for (index, file) in files.enumerated() where file.number != index + 1 {
            throw MigrationError.badNumbering(expected: index + 1, found: file.name)
        }
        return files
    }

    /// Finds `sql/`: `explicit` if given; else `./sql`; else a `sql` folder beside the executable
    /// or above it (a build tree or an install prefix).
    public static func locateDirectory(explicit: String?, executablePath: String = CommandLine.arguments[0]) -> URL? {
        if let explicit { return URL(fileURLWithPath: explicit) }
        var candidates = [URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent("sql")]
        var directory = URL(fileURLWithPath: executablePath).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<6 {
            candidates.append(directory.appendingPathComponent("sql"))
            candidates.append(directory.appendingPathComponent("share/usersync/sql"))
            directory = directory.deletingLastPathComponent()
        }
        return candidates.first { FileManager.default.fileExists(atPath: $0.appendingPathComponent("0001_service_role_and_helpers.sql").path) }
    }
}

public enum MigrationError: Error, Sendable, Equatable, CustomStringConvertible {
    case noFiles(String)
    case badFileName(String)
    case badNumbering(expected: Int, found: String)
    /// The database's applied migrations are not a prefix of the files, or a file changed.
    case diverged(String)
    /// `serve`/`work` found migrations still to apply.
    case pending([String])
    case notMigrated
    /// A statement of the file failed; nothing of the run was applied.
    case failed(migration: String, reason: String)

    public var description: String {
        switch self {
        case .noFiles(let path): "no migration files in \(path)"
        case .badFileName(let name): "migration file '\(name)' is not named NNNN_lowercase_name.sql"
        case .badNumbering(let expected, let found):
            "migration files must be numbered without gaps: expected \(String(format: "%04d", expected)), found \(found)"
        case .diverged(let detail): "the database's migrations do not match sql/: \(detail)"
        case .pending(let names):
            "the database has \(names.count) pending migration(s) (\(names.joined(separator: ", "))); run `usersync migrate` first"
        case .notMigrated: "the database has no UserSync schema; run `usersync migrate` first"
        case .failed(let migration, let reason): "migration '\(migration)' failed, nothing was applied: \(reason)"
        }
    }
}
