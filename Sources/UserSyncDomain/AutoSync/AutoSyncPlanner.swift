import Foundation

/// Turns directory membership into what one policy's run changes (DESIGN.md §2, "Auto Sync is
/// plan, then act"): primaries to set, syncs to start, syncs to remove. Pure: the caller reads
/// the state, the planner decides, the caller applies.
///
/// The rules:
/// - A member is matched to a person by normalized email. An active member with no person yet
///   is "not on any platform yet" and is picked up by a later run once an import brings them.
///   A member disabled in the directory counts as having left.
/// - **Primary.** Of the enabled policies whose group holds a person, the one with the lowest
///   priority number governs their primary (ties: the older policy, then the smaller id). It
///   sets its primary connection when the person has an active account there, no sync onto it,
///   and no primary an admin chose by hand, unless the policy overrides admins' choices.
/// - **Syncs.** Every policy whose group holds a person syncs them onto each of its secondary
///   connections that is not their primary. A sync that already exists is left as it is; one
///   an admin started stays the admin's.
/// - **Leaving.** A sync the policy made, of a person it no longer wants there (they left the
///   group, were disabled, or the policy no longer names that connection), passes to another
///   enabled policy that wants it; otherwise it is removed when the policy removes on leave,
///   and kept when it does not.
/// - **Off.** A disabled policy plans nothing: no additions, no removals.
/// - **Hold.** Removals wait for approval when the policy's ``RemovalHold`` says so; additions
///   are never held.
public enum AutoSyncPlanner {
    /// A member of a policy's group as the directory last said.
    public struct Member: Sendable, Equatable {
        public var externalID: String
        /// Normalized (``EmailAddress/normalize(_:)``); nil when the directory gave none.
        public var email: String?
        public var active: Bool

        public init(externalID: String, email: String?, active: Bool) {
            self.externalID = externalID
            self.email = email
            self.active = active
        }
    }

    /// What the planner needs to know of a person.
    public struct PersonState: Sendable, Equatable {
        public var id: PersonID
        /// Normalized.
        public var email: String
        public var primary: ConnectionID?
        public var primarySource: PrimaryResolution.Source?
        /// Connections (not disconnected) the person has an active account on.
        public var activeConnections: Set<ConnectionID>
        public var syncs: [ConnectionID: ExistingSync]

        public init(
            id: PersonID, email: String, primary: ConnectionID?, primarySource: PrimaryResolution.Source?,
            activeConnections: Set<ConnectionID>, syncs: [ConnectionID: ExistingSync]
        ) {
            self.id = id
            self.email = email
            self.primary = primary
            self.primarySource = primarySource
            self.activeConnections = activeConnections
            self.syncs = syncs
        }
    }

    public struct ExistingSync: Sendable, Equatable {
        public var id: SyncID
        /// The policy that made it and keeps it; nil for a sync an admin started.
        public var policy: AutoSyncPolicyID?

        public init(id: SyncID, policy: AutoSyncPolicyID?) {
            self.id = id
            self.policy = policy
        }
    }

    public struct Plan: Sendable, Equatable {
        public struct PrimaryChange: Sendable, Equatable {
            public var person: PersonID
            public var connection: ConnectionID

            public init(person: PersonID, connection: ConnectionID) {
                self.person = person
                self.connection = connection
            }
        }

        public struct Start: Sendable, Equatable {
            public var person: PersonID
            public var connection: ConnectionID

            public init(person: PersonID, connection: ConnectionID) {
                self.person = person
                self.connection = connection
            }
        }

        /// A sync whose keeping passes from the planned policy to another one that wants it.
        public struct Handover: Sendable, Equatable {
            public var sync: SyncID
            public var person: PersonID
            public var to: AutoSyncPolicyID

            public init(sync: SyncID, person: PersonID, to: AutoSyncPolicyID) {
                self.sync = sync
                self.person = person
                self.to = to
            }
        }

        public struct Removal: Sendable, Equatable {
            public var sync: SyncID
            public var person: PersonID
            public var connection: ConnectionID

            public init(sync: SyncID, person: PersonID, connection: ConnectionID) {
                self.sync = sync
                self.person = person
                self.connection = connection
            }
        }

        /// Something the policy wanted for a person and cannot do, with a stable reason code.
        public struct Skip: Sendable, Equatable {
            public var person: PersonID
            public var connection: ConnectionID
            public var reason: Reason

            public init(person: PersonID, connection: ConnectionID, reason: Reason) {
                self.person = person
                self.connection = connection
                self.reason = reason
            }

            public enum Reason: String, Sendable {
                /// No active account on the policy's primary connection.
                case notOnPrimaryPlatform = "not_on_primary_platform"
                /// An admin chose another primary, and the policy does not override it.
                case adminChosePrimary = "admin_chose_primary"
                /// The person already has a sync onto the policy's primary connection.
                case syncOnPrimary = "sync_on_primary"
                /// Another policy with a lower priority number governs the person's primary.
                case governedByAnotherPolicy = "governed_by_another_policy"
                /// No primary, so nothing to sync from.
                case noPrimary = "no_primary"
                /// The secondary connection is the person's primary.
                case secondaryIsPrimary = "secondary_is_primary"
                /// The secondary connection is not connected (a later run picks the person up).
                case connectionNotConnected = "connection_not_connected"
            }
        }

        public var primaries: [PrimaryChange] = []
        public var starts: [Start] = []
        public var handovers: [Handover] = []
        public var removals: [Removal] = []
        public var skips: [Skip] = []
        /// Active members matched to no person.
        public var notOnAnyPlatform: [Member] = []
        /// People the policy syncs before the run (the base of its hold's percentage).
        public var syncedBefore = 0
        /// Why the removals wait for approval; nil when they are applied with the rest.
        public var holdReason: String?
        /// False when the group's membership has never been read (a new Entra group before its
        /// first poll, a SCIM group the identity provider has not pushed): nothing is planned.
        public var membershipKnown = true

        public init() {}

        public var isEmpty: Bool { primaries.isEmpty && starts.isEmpty && handovers.isEmpty && removals.isEmpty }
    }

    /// The plan of `policy`'s run. `policies` are the organization's policies (the planned one
    /// among them), `members` their groups' members by policy (none for a group whose membership
    /// was never read), `people` everyone the members
    /// name and everyone with a sync a policy made, `connected` the connections syncs can be
    /// started onto now (nil: all).
    public static func plan(
        _ policy: AutoSyncPolicy, policies: [AutoSyncPolicy], members: [AutoSyncPolicyID: [Member]], people: [PersonState],
        connected: Set<ConnectionID>? = nil
    ) -> Plan {
        var plan = Plan()
        // Unknown is not empty: planning from no members would remove everyone the policy syncs.
        guard members[policy.id] != nil else {
            plan.membershipKnown = false
            return plan
        }
        let enabled = policies.filter { $0.settings.enabled && $0.id != policy.id } + (policy.settings.enabled ? [policy] : [])
        let ranked = enabled.sorted {
            ($0.settings.priority, $0.createdAt, $0.id.description) < ($1.settings.priority, $1.createdAt, $1.id.description)
        }
        let activeEmails = Dictionary(
            uniqueKeysWithValues: enabled.map { policy in
                (policy.id, Set((members[policy.id] ?? []).filter(\.active).compactMap(\.email)))
            })
        let peopleByEmail = Dictionary(people.map { ($0.email, $0) }) { first, _ in first }
        func wants(_ policy: AutoSyncPolicy, _ person: PersonState, on connection: ConnectionID) -> Bool {
            activeEmails[policy.id]?.contains(person.email) == true && policy.settings.secondaryConnectionIDs.contains(connection)
        }

        // Members: primaries and starts.
        let settings = policy.settings
        var seen = Set<String>()
        for member in members[policy.id] ?? [] where member.active {
            guard let email = member.email, let person = peopleByEmail[email] else {
                if member.email.map({ seen.insert($0).inserted }) ?? true { plan.notOnAnyPlatform.append(member) }
                continue
            }
            guard seen.insert(email).inserted, policy.settings.enabled else { continue }
            var primary = person.primary
            let governing = ranked.first { activeEmails[$0.id]?.contains(email) == true }
            let wanted = settings.primaryConnectionID
            if person.primary != wanted {
                let reason: Plan.Skip.Reason? =
                    governing?.id != policy.id
                    ? .governedByAnotherPolicy
                    : !person.activeConnections.contains(wanted)
                        ? .notOnPrimaryPlatform
                        : person.syncs[wanted] != nil
                            ? .syncOnPrimary
                            : person.primarySource == .admin && person.primary != nil && !settings.overridesAdminPrimary
                                ? .adminChosePrimary
                                : nil
                if let reason {
                    plan.skips.append(.init(person: person.id, connection: wanted, reason: reason))
                } else {
                    plan.primaries.append(.init(person: person.id, connection: wanted))
                    primary = wanted
                }
            }
            for connection in settings.secondaryConnectionIDs where person.syncs[connection] == nil {
                if primary == nil {
                    plan.skips.append(.init(person: person.id, connection: connection, reason: .noPrimary))
                } else if primary == connection {
                    plan.skips.append(.init(person: person.id, connection: connection, reason: .secondaryIsPrimary))
                } else if let connected, !connected.contains(connection) {
                    plan.skips.append(.init(person: person.id, connection: connection, reason: .connectionNotConnected))
                } else {
                    plan.starts.append(.init(person: person.id, connection: connection))
                }
            }
        }

        // Leavers: the policy's own syncs it no longer wants. A disabled policy removes nothing:
        // switching a policy off is not a way to unsync its group.
        var removed = Set<PersonID>()
        for person in people {
            let kept = person.syncs.filter { $0.value.policy == policy.id }
            if !kept.isEmpty { plan.syncedBefore += 1 }
            guard settings.enabled else { continue }
            for (connection, sync) in kept.sorted(by: { $0.key.description < $1.key.description })
            where !wants(policy, person, on: connection) {
                if let heir = ranked.first(where: { $0.id != policy.id && wants($0, person, on: connection) }) {
                    plan.handovers.append(.init(sync: sync.id, person: person.id, to: heir.id))
                } else if settings.removesOnLeave {
                    plan.removals.append(.init(sync: sync.id, person: person.id, connection: connection))
                    removed.insert(person.id)
                }
            }
        }
        plan.holdReason = settings.removalHold.reason(removing: removed.count, of: plan.syncedBefore)
        return plan
    }
}
