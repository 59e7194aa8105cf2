/// Which platform a person lives on (DESIGN.md §1, "People and matching").
///
/// A person on one platform has it as primary by default. A person on several has none until an
/// admin chooses one; an admin's choice stands while the person still has an active account
/// there, as does a primary an Auto Sync policy set. Only active accounts on connections that are not disconnected count. A person with no
/// active account keeps an admin's choice (for when they come back) and loses a default.
///
/// The import applies the same rule to a whole organization in one SQL statement
/// (`PeopleMatcher`); a test holds the two to each other.
public struct PrimaryResolution: Sendable, Equatable {
    public enum Source: String, Sendable, Codable {
        /// The only platform the person is on.
        case `default`
        /// An admin chose it.
        case admin
        /// An Auto Sync policy set it (``AutoSyncPlanner``).
        case autoSync = "auto_sync"

        /// A choice (an admin's or a policy's) stands while the person keeps an active account
        /// there; a default follows the accounts.
        public var isChoice: Bool { self != .default }
    }

    public var primary: ConnectionID?
    public var source: Source?
    public var needsChoice: Bool

    public init(primary: ConnectionID?, source: Source?, needsChoice: Bool) {
        self.primary = primary
        self.source = source
        self.needsChoice = needsChoice
    }

    public static func resolve(
        current: ConnectionID?, currentSource: Source?, activeConnections: Set<ConnectionID>
    ) -> PrimaryResolution {
        if let currentSource, currentSource.isChoice, let current, activeConnections.contains(current) || activeConnections.isEmpty {
            return PrimaryResolution(primary: current, source: currentSource, needsChoice: false)
        }
        if activeConnections.count == 1 {
            return PrimaryResolution(primary: activeConnections.first, source: .default, needsChoice: false)
        }
        return PrimaryResolution(primary: nil, source: nil, needsChoice: activeConnections.count > 1)
    }
}
