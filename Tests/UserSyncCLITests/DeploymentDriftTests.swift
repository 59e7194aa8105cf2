import Foundation
import Testing
import UserSyncCLI
import UserSyncTestSupport

/// No Docker engine runs here, so these hold docker/ and the README to the CLI instead: every
/// service runs a real subcommand, every variable set is one UserSync reads, every variable
/// UserSync reads is documented.
@Suite struct DeploymentDriftTests {
    struct ComposeService {
        var name: String
        var command: [String] = []
        var environment: [String] = []
        var image: String?
        var builds = false
    }

    static func file(_ path: String) throws -> String {
        try String(contentsOf: TestEnvironment.repositoryRoot.appendingPathComponent(path), encoding: .utf8)
    }

    /// Reads the plain-YAML subset compose.yaml keeps to (see its header).
    static func services() throws -> [ComposeService] {
        var services: [ComposeService] = []
        var inServices = false, section = ""
        for raw in try file("docker/compose.yaml").split(separator: "\n") {
            let line = String(raw)
            if line.trimmingCharacters(in: .whitespaces).hasPrefix("#") || line.trimmingCharacters(in: .whitespaces).isEmpty { continue }
            let indent = line.prefix(while: { $0 == " " }).count
            let text = line.trimmingCharacters(in: .whitespaces)
            if indent == 0 {
                inServices = text == "services:"
                continue
            }
            guard inServices else { continue }
            if indent == 2 {
                services.append(ComposeService(name: String(text.dropLast())))
                continue
            }
            if indent == 4 {
                let (key, value) = Self.split(text)
                section = key
                switch key {
                case "command": services[services.count - 1].command = Self.inlineList(value)
                case "image": services[services.count - 1].image = value
                case "build": services[services.count - 1].builds = true
                default: break
                }
            } else if indent == 6, section == "environment" {
                services[services.count - 1].environment.append(Self.split(text).0)
            }
        }
        return services
    }

    static func split(_ text: String) -> (String, String) {
        guard let colon = text.firstIndex(of: ":") else { return (text, "") }
        return (String(text[..<colon]), text[text.index(after: colon)...].trimmingCharacters(in: .whitespaces))
    }

    static func inlineList(_ value: String) -> [String] {
        value.trimmingCharacters(in: CharacterSet(charactersIn: "[]")).split(separator: ",")
            .map { $0.trimmingCharacters(in: CharacterSet(charactersIn: " \"'")) }
    }

    /// The README's configuration table: each variable and the commands its second column says
    /// read it (`all`, or command names; a parenthesis qualifies a command, e.g. migrate's fallback).
    static func readmeReaders() throws -> [String: Set<String>] {
        var readers: [String: Set<String>] = [:]
        for line in try file("README.md").split(separator: "\n") where line.hasPrefix("| `") {
            let cells = line.split(separator: "|", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count > 3 else { continue }
            let variable = cells[1].trimmingCharacters(in: CharacterSet(charactersIn: "`"))
            let words = cells[2].replacingOccurrences(of: "(", with: " ").replacingOccurrences(of: ")", with: " ")
                .split(whereSeparator: { !$0.isLetter }).map(String.init)
            readers[variable] = Set(words)
        }
        return readers
    }

    static var subcommands: Set<String> {
        Set(UserSyncCommand.configuration.subcommands.compactMap { $0.configuration.commandName })
    }

    static var variables: Set<String> { Set(ConfigurationKey.allCases.map(\.rawValue)) }

    static let simulatorImage = "usersync-simulator:local"

    @Test func theSimulatorRunsOnlyInTheDemoProfileWithItsOwnImage() throws {
        let compose = try Self.file("docker/compose.yaml")
        let simulator = try #require(try Self.services().first { $0.name == "simulator" })
        #expect(simulator.image == Self.simulatorImage)
        #expect(simulator.command.contains("--org"))
        #expect(compose.contains("profiles: [\"demo\"]"))
        let dockerfile = try Self.file("docker/Dockerfile")
        #expect(!dockerfile.contains("usersync-simulator"), "the production image never contains the simulator")
    }

    @Test func composeRunsRealSubcommandsWithKnownVariables() throws {
        let usersync = try Self.services().filter { $0.image == "usersync:local" || ($0.builds && $0.image != Self.simulatorImage) }
        #expect(Set(usersync.map(\.name)).isSuperset(of: ["migrate", "serve", "work"]))
        let readBy = try Self.readmeReaders()
        #expect(Set(readBy.keys).isSuperset(of: Self.variables), "the README's configuration table lists every variable")
        for service in usersync {
            let subcommand = try #require(service.command.first, "\(service.name) has no command")
            #expect(Self.subcommands.contains(subcommand), "\(service.name) runs `usersync \(subcommand)`, which does not exist")
            let unknown = Set(service.environment).subtracting(Self.variables)
            #expect(unknown.isEmpty, "\(service.name) sets variables usersync does not read: \(unknown.sorted())")
            // And each is one its own subcommand reads, by the README's configuration table.
            let ignored = service.environment.filter { variable in
                let readers = readBy[variable] ?? []
                return !readers.contains("all") && !readers.contains(subcommand)
            }
            #expect(ignored.isEmpty, "\(service.name) (`usersync \(subcommand)`) sets variables that command does not read: \(ignored.sorted())")
        }
        let postgres = try #require(try Self.services().first { $0.name == "postgres" })
        #expect(postgres.image?.hasPrefix("postgres:15") == true)
    }

    @Test func theDockerfileSetsOnlyKnownVariablesAndShipsTheMigrations() throws {
        let dockerfile = try Self.file("docker/Dockerfile")
        let setVariables = dockerfile.split(separator: "\n")
            .compactMap { line -> String? in
                let text = line.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "ENV ", with: "")
                guard let equals = text.firstIndex(of: "="), text.hasPrefix("USERSYNC_") || text.hasPrefix("DATABASE_") else { return nil }
                return String(text[..<equals])
            }
        #expect(!setVariables.isEmpty)
        #expect(Set(setVariables).isSubset(of: Self.variables), "\(setVariables)")
        #expect(dockerfile.contains("COPY sql /app/sql"))
        #expect(dockerfile.contains("USER usersync"))
    }

    @Test func theReadmeDocumentsEveryVariableAndItsCommands() throws {
        let readme = try Self.file("README.md")
        for key in ConfigurationKey.allCases {
            #expect(readme.contains("`\(key.rawValue)`"), "README does not document \(key.rawValue)")
        }
        let lines = readme.split(separator: "\n").map(String.init)
        let commands = lines.filter { $0.hasPrefix("./scripts/") }
        #expect(commands.prefix(2) == ["./scripts/demo", "./scripts/test"], "the README must start with the run and test commands")
        #expect(try Self.file(".ci/run").contains("./scripts/test"))
    }
}
