import Foundation
import UserSyncDomain
import UserSyncUseCases

/// What the Auto Sync page shows, in the admin's words.
struct AutoSyncPage {
    struct Policy {
        let id: String
        let name: String
        let group: String
        let primary: String
        let onto: String
        let priority: Int
        let enabled: Bool
        let removesOnLeave: Bool
        let hold: String
        let syncs: String
        let runAction: String
        let stateAction: String
        let deleteAction: String
    }

    struct Run {
        let id: String
        let at: String
        let policy: String
        let trigger: String
        let state: String
        let icon: String
        let summary: String
    }

    struct Held {
        let id: String
        let policy: String
        let at: String
        let reason: String
        let removals: [Removal]
        let more: String?
        let approveAction: String
        let rejectAction: String
    }

    struct Removal {
        let email: String
        let platform: String
    }

    struct Option {
        let value: String
        let label: String
    }

    let policies: [Policy]
    let runs: [Run]
    let held: [Held]
    let groups: [Option]
    let connections: [Option]
    let search: String
    let pickerProblems: [String]
    let noPolicies: Bool
    let hasHeld: Bool
    let noRuns: Bool
    let noGroups: Bool
    let canWrite: Bool

    init(
        policies listed: [AutoSyncPolicies.Overview], runs recent: [AutoSyncRun], held waiting: [AutoSyncRuns.Detail], groups: [DirectoryGroup],
        connections: [PlatformConnection], search: String, pickerProblems: [String], base: String, canWrite: Bool
    ) {
        let named = Dictionary(connections.map { ($0.id, $0.displayName) }) { first, _ in first }
        let policyNames = Dictionary(listed.map { ($0.policy.id, $0.policy.settings.name) }) { first, _ in first }
        let connection = { (id: ConnectionID) in named[id] ?? "a disconnected connection" }
        policies = listed.map { overview in
            let s = overview.policy.settings, id = overview.policy.id
            return Policy(
                id: id.description, name: s.name, group: Self.describe(s.group, connections: named),
                primary: connection(s.primaryConnectionID), onto: s.secondaryConnectionIDs.map(connection).joined(separator: ", "),
                priority: s.priority, enabled: s.enabled, removesOnLeave: s.removesOnLeave, hold: Self.describe(s.removalHold),
                syncs: ConsoleFormat.count(overview.syncs, "sync", "syncs"), runAction: "\(base)/policies/\(id)/run",
                stateAction: "\(base)/policies/\(id)/state", deleteAction: "\(base)/policies/\(id)/delete")
        }
        runs = recent.map { run in
            let c = run.counts
            let parts = [
                (c.primaries, "primary set", "primaries set"), (c.starts, "sync started", "syncs started"),
                (c.handovers, "handed over", "handed over"),
                (c.removals, run.state == .held ? "removal held" : "removal", run.state == .held ? "removals held" : "removals"),
                (c.skips, "skipped", "skipped"), (c.notOnAnyPlatform, "not on any platform yet", "not on any platform yet"),
            ].filter { $0.0 > 0 }.map { ConsoleFormat.count($0.0, $0.1, $0.2) }
            return Run(
                id: run.id.description, at: ConsoleFormat.dateTime(run.createdAt), policy: policyNames[run.policyID] ?? "a deleted policy",
                trigger: run.trigger.rawValue.replacingOccurrences(of: "_", with: " "), state: run.state.rawValue,
                icon: [.held: "pending", .rejected: "failed", .superseded: "failed"][run.state] ?? "synced",
                summary: parts.isEmpty ? "No changes" : parts.joined(separator: ", "))
        }
        held = waiting.map { detail in
            let removals = detail.items.filter { $0.kind == .removal }
            return Held(
                id: detail.run.id.description, policy: policyNames[detail.run.policyID] ?? "a deleted policy",
                at: ConsoleFormat.dateTime(detail.run.createdAt), reason: detail.run.holdReason ?? "",
                removals: removals.map { Removal(email: $0.email ?? $0.person?.description ?? "", platform: $0.connection.map(connection) ?? "") },
                more: detail.run.counts.removals > removals.count
                    ? "and \(ConsoleFormat.count(detail.run.counts.removals - removals.count)) more" : nil,
                approveAction: "\(base)/runs/\(detail.run.id)/approve", rejectAction: "\(base)/runs/\(detail.run.id)/reject")
        }
        self.groups = groups.map { Option(value: Self.value(of: $0), label: Self.describe($0, connections: named)) }
        self.connections = connections.map { Option(value: $0.id.description, label: "\($0.displayName) (\($0.platform.displayName))") }
        self.search = search
        self.pickerProblems = pickerProblems
        noPolicies = listed.isEmpty
        hasHeld = !waiting.isEmpty
        noRuns = recent.isEmpty
        noGroups = groups.isEmpty
        self.canWrite = canWrite
    }

    static func describe(_ group: DirectoryGroup, connections: [ConnectionID: String]) -> String {
        let name = group.displayName ?? group.id
        switch group.source {
        case .entra: return "Entra group “\(name)”" + (group.connectionID.flatMap { connections[$0] }.map { " via \($0)" } ?? "")
        case .scim: return "SCIM group “\(name)”"
        }
    }

    static func describe(_ hold: RemovalHold) -> String {
        let bounds = [hold.overCount.map { "more than \(ConsoleFormat.count($0, "person", "people"))" }, hold.overPercent.map { "more than \($0)%" }]
            .compactMap { $0 }
        return bounds.isEmpty ? "never held" : "held when " + bounds.joined(separator: " or ")
    }

    /// A picked group as one form value: `source|connection|id|name` (the name for display only).
    static func value(of group: DirectoryGroup) -> String {
        [group.source.rawValue, group.connectionID?.description ?? "", group.id, group.displayName ?? ""].joined(separator: "|")
    }

    static func group(from value: String) -> DirectoryGroup? {
        let parts = value.split(separator: "|", maxSplits: 3, omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 4, let source = DirectoryGroup.Source(rawValue: parts[0]), !parts[2].isEmpty else { return nil }
        return DirectoryGroup(
            source: source, connectionID: ConnectionID(parts[1]), id: parts[2], displayName: parts[3].isEmpty ? nil : parts[3])
    }
}
