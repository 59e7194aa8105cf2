import Foundation
import UserSyncDomain

/// Entra group membership through Graph delta queries (platform-apis.md §2.6): the group delta
/// filtered to one group id with `members` selected; a round follows `@odata.nextLink` to the
/// `@odata.deltaLink`, merging the group's slices of `members@delta` across pages.
extension TeamsConnector: DirectoryGroupFollowing {
    public func groupDelta(groupID: String, from link: String?) async throws(PlatformFailure) -> DirectoryGroupDelta {
        guard let link else { return try await deltaRound(groupID, from: nil) }
        do {
            return try await deltaRound(groupID, from: link)
        } catch  where error.httpStatus == 410 || error.platformCode == "syncStateNotFound" {
            // The token expired (or Graph reset the state): start again from the whole membership.
            var full = try await deltaRound(groupID, from: nil)
            full.resynced = true
            return full
        }
    }

    private func deltaRound(_ groupID: String, from link: String?) async throws(PlatformFailure) -> DirectoryGroupDelta {
        let endpoint = "groups.delta"
        var url =
            link
            ?? FormEncoding.url(
                "\(endpoints.api)/groups/delta",
                [("$filter", "id eq '\(groupID.replacingOccurrences(of: "'", with: "''"))'"), ("$select", "displayName,members")])
        var delta = DirectoryGroupDelta(
            groupID: groupID, displayName: nil, isFull: link == nil, resynced: false, added: [], removed: [], nextLink: "")
        if link != nil { try endpoints.requireOwn(url, platform: .teams, endpoint: endpoint) }
        // A bound on pages so that a platform that never ends a round cannot keep a job forever.
        for _ in 0..<100_000 {
            let page = try await graph(url, endpoint: endpoint, as: GraphDeltaPage.self)
            for group in page.value where group.id == groupID {
                delta.displayName = group.displayName ?? delta.displayName
                for member in group.members ?? [] where member.isUser {
                    if member.removed != nil {
                        delta.added.remove(member.id)
                        delta.removed.insert(member.id)
                    } else {
                        delta.removed.remove(member.id)
                        delta.added.insert(member.id)
                    }
                }
            }
            if let next = page.nextLink {
                try endpoints.requireOwn(next, platform: .teams, endpoint: endpoint)
                url = next
            } else if let last = page.deltaLink {
                try endpoints.requireOwn(last, platform: .teams, endpoint: endpoint)
                delta.nextLink = last
                return delta
            } else {
                break
            }
        }
        throw PlatformFailure(.malformedResponse, platform: .teams, message: "Graph ended a delta round without an @odata.deltaLink")
    }
}

/// A page of `GET /groups/delta`.
struct GraphDeltaPage: Decodable {
    struct Group: Decodable {
        var id: String
        var displayName: String?
        var members: [Member]?

        enum CodingKeys: String, CodingKey {
            case id, displayName
            case members = "members@delta"
        }
    }

    struct Member: Decodable {
        struct Removed: Decodable { var reason: String? }
        var id: String
        var odataType: String?
        var removed: Removed?

        /// Users only: nested groups and other objects are not followed (delta does not report
        /// changes inside child groups).
        var isUser: Bool { odataType == nil || odataType == "#microsoft.graph.user" }

        enum CodingKeys: String, CodingKey {
            case id
            case odataType = "@odata.type"
            case removed = "@removed"
        }
    }

    var value: [Group]
    var nextLink: String?
    var deltaLink: String?

    enum CodingKeys: String, CodingKey {
        case value
        case nextLink = "@odata.nextLink"
        case deltaLink = "@odata.deltaLink"
    }
}
