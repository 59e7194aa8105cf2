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
        let connection = try await overview(organization, id, logger: logger).connection
        guard !connection.isDisconnected else {
            throw DomainError.conflict(code: "connection_disconnected", message: "This connection is disconnected.")
        }
        guard connection.platform == .teams else {
            throw DomainError.invalid(
                "connection_id", "not_a_teams_connection",
                "Directory groups are Entra groups, read through Microsoft Graph: name a Microsoft Teams connection, not \(connection.platform.displayName).")
        }
        let platformCursor = try cursor.map { try access.openCursor($0, organization: organization, connection: id) }
        let page = try await calling(connection, logger: logger) { connector async throws(PlatformFailure) in
            guard let directory = connector as? any DirectoryGroupListing else {
                throw PlatformFailure(.notSupported, platform: connection.platform, message: "This platform lists no directory groups.")
            }
            return try await directory.directoryGroups(startingWith: prefix).page(at: platformCursor)
        }
        return (page.items, try page.next.map { try access.sealCursor($0, organization: organization, connection: id) })
    }
}
