import Foundation
import Logging
import UserSyncConnectors
import UserSyncDomain

extension ConnectCenter {
    /// One page of the directory groups a connection's platform holds, live (Auto Sync's group
    /// picker): Entra groups through a Microsoft Teams connection, those whose name starts with
    /// `prefix` when given. The cursor is sealed like the teams listing's.
    public func directoryGroups(
        _ id: ConnectionID, organization: OrganizationID, startingWith prefix: String?, cursor: String?, logger: Logger
    ) async throws -> (groups: [PlatformDirectoryGroup], next: String?) {
        let page = try await livePage(
            id, organization: organization, cursor: cursor, logger: logger,
            check: { connection in
                guard connection.platform == .teams else {
                    throw DomainError.invalid(
                        "connection_id", "not_a_teams_connection",
                        "Directory groups are Entra groups, read through Microsoft Graph: name a Microsoft Teams connection, not \(connection.platform.displayName)."
                    )
                }
            }
        ) { connector throws(PlatformFailure) in
            guard let directory = connector as? any DirectoryGroupListing else {
                throw PlatformFailure(.notSupported, platform: connector.platform, message: "This platform lists no directory groups.")
            }
            return directory.directoryGroups(startingWith: prefix)
        }
        return (page.items, page.next)
    }
}
