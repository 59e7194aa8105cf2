import Foundation
import Hummingbird

extension GraphSimulator {
    // MARK: Directory

    func organization(_ token: SimToken) throws -> SimReply {
        let organization = try state.store.withLock { store in
            guard let organization = store.organizations[token.organization] else { throw SimError.unauthorized(.revoked) }
            return organization.credentials.teams
        }
        return SimHTTP.json(
            ["value": .array([.object(["id": .string(organization.tenantID), "displayName": .string(organization.tenantName)])])]
                as [String: AnyCodable])
    }

    /// Reads `$skiptoken` of a Graph listing, or the start.
    func position(_ query: [String: String], token: SimToken, listing: String) throws -> CursorCodec.Position {
        guard let skip = query["$skiptoken"] else { return .init(organization: token.organization, listing: listing, offset: 0) }
        do {
            return try state.cursors.decode(skip, organization: token.organization, listing: listing)
        } catch .expired {
            throw SimError.badRequest(
                code: "Directory_ExpiredPageToken",
                message: "The specified page token value has expired and can no longer be included in your request.")
        } catch {
            throw SimError.badRequest(code: "Request_BadRequest", message: "Invalid value specified for property 'skiptoken'.")
        }
    }

    func nextLink(_ request: Request, _ query: [String: String], _ position: CursorCodec.Position) -> String {
        var kept = query.filter { $0.key != "$skiptoken" }.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        kept.append(("$skiptoken", state.cursors.encode(position)))
        let text = kept.map { "\($0.0.hasPrefix("$") ? $0.0 : SimHTTP.escape($0.0))=\(SimHTTP.escape($0.1))" }.joined(separator: "&")
        return "\(http.baseURL(request))\(request.uri.path)?\(text)"
    }

    func users(_ request: Request, _ token: SimToken) throws -> SimReply {
        let query = SimHTTP.query(request)
        let top = Int(query["$top"] ?? "100") ?? 0
        guard (1...999).contains(top) else {
            throw SimError.badRequest(
                code: "Request_UnsupportedQuery", message: "Invalid page size specified: '\(top)'. Must be between 1 and 999 inclusive.")
        }
        let start = try position(query, token: token, listing: "graph.users")
        let selected = query["$select"].map { Set($0.split(separator: ",").map { String($0) }) } ?? Set(Self.defaultFields)
        let (tenantDomain, directory) = state.store.withLock {
            ($0.organizations[token.organization]?.domain ?? "", $0.organizations[token.organization]?.directory(.teams) ?? SimPlatformDirectory())
        }
        // Graph may answer a page with no items while more follow: the second page is first served empty.
        if start.offset > 0 && start.flag == 0 && start.offset <= top {
            var again = start
            again.flag = 1
            return SimHTTP.json(GraphPage(context: "users", value: [GraphWireUser](), nextLink: nextLink(request, query, again)))
        }
        let (accounts, next) = directory.page(from: start.offset, limit: top)
        let users = accounts.map { GraphWireUser(account: $0, domain: tenantDomain, selected: selected) }
        let link = next.map { nextLink(request, query, .init(organization: token.organization, listing: "graph.users", offset: $0)) }
        return SimHTTP.json(GraphPage(context: "users", value: users, nextLink: link))
    }

    func deleteUser(_ context: BasicRequestContext, _ token: SimToken) throws -> SimReply {
        let id = SimHTTP.param(context, "id") ?? ""
        let deleted =
            state.withOrganization(token.organization) { organization -> Bool in
                guard let index = organization.directories[.teams]?.accountIndex[id],
                    organization.directories[.teams]?.accounts[index].removed == false
                else { return false }
                // A deleted user leaves its groups, as the group delta query then reports.
                organization.setTeamsAccountRemoved(index, removed: true)
                return true
            } ?? false
        guard deleted else {
            throw SimError.notFound(
                code: "Request_ResourceNotFound",
                message: "Resource '\(id)' does not exist or one of its queried reference-property objects are not present.")
        }
        state.store.withLock { store in
            for index in store.invitations.indices where store.invitations[index].userID == id { store.invitations[index].deleted = true }
        }
        return SimReply(status: .noContent, headers: [:], body: .init())
    }

    func teams(_ request: Request, _ token: SimToken) throws -> SimReply {
        let query = SimHTTP.query(request)
        let top = min(max(Int(query["$top"] ?? "100") ?? 100, 1), 999)
        let start = try position(query, token: token, listing: "graph.teams")
        let teams = state.store.withLock { $0.organizations[token.organization]?.directory(.teams).teams } ?? []
        let slice = teams.dropFirst(start.offset).prefix(top)
        let value: [AnyCodable] = slice.map {
            .object(["id": .string($0.id), "displayName": .string($0.name), "description": .string($0.description)])
        }
        let end = start.offset + slice.count
        let link = end < teams.count ? nextLink(request, query, .init(organization: token.organization, listing: "graph.teams", offset: end)) : nil
        return SimHTTP.json(GraphPage(context: "teams", value: value, nextLink: link))
    }

    /// Entra groups: every team is a Microsoft 365 group with the same id. Supports `$top`,
    /// paging, and `$filter=startswith(displayName,'…')` (case-insensitive, as Graph compares).
    func groups(_ request: Request, _ token: SimToken) throws -> SimReply {
        let query = SimHTTP.query(request)
        let top = min(max(Int(query["$top"] ?? "100") ?? 100, 1), 999)
        var prefix: String?
        if let filter = query["$filter"] {
            let opening = "startswith(displayName,'"
            guard filter.hasPrefix(opening), filter.hasSuffix("')") else {
                throw SimError.badRequest(
                    code: "Request_UnsupportedQuery", message: "Unsupported or invalid query filter clause specified for property 'displayName'.")
            }
            prefix = String(filter.dropFirst(opening.count).dropLast(2)).replacingOccurrences(of: "''", with: "'").lowercased()
        }
        let listing = "graph.groups.\(prefix ?? "")"
        let start = try position(query, token: token, listing: listing)
        let groups = (state.store.withLock { $0.organizations[token.organization]?.directory(.teams).teams } ?? [])
            .filter { prefix.map($0.name.lowercased().hasPrefix) ?? true }
        let slice = groups.dropFirst(start.offset).prefix(top)
        let value: [AnyCodable] = slice.map {
            .object(["id": .string($0.id), "displayName": .string($0.name), "description": .string($0.description), "securityEnabled": .bool(false)])
        }
        let end = start.offset + slice.count
        let link = end < groups.count ? nextLink(request, query, .init(organization: token.organization, listing: listing, offset: end)) : nil
        return SimHTTP.json(GraphPage(context: "groups", value: value, nextLink: link))
    }

    func members(_ request: Request, _ context: BasicRequestContext, _ token: SimToken) throws -> SimReply {
        let query = SimHTTP.query(request)
        let teamID = SimHTTP.param(context, "id") ?? ""
        let listing = "graph.members.\(teamID)"
        let start = try position(query, token: token, listing: listing)
        let directory = state.store.withLock { $0.organizations[token.organization]?.directory(.teams) } ?? SimPlatformDirectory()
        guard let teamIndex = directory.teamIndex[teamID] else {
            throw SimError.notFound(code: "NotFound", message: "No team found with Group Id \(teamID)")
        }
        let members = directory.teams[teamIndex].members.map { directory.accounts[$0] }.filter { !$0.removed }
        let slice = members.dropFirst(start.offset).prefix(Self.membersPageSize)
        let value: [AnyCodable] = slice.map { account in
            .object([
                "@odata.type": "#microsoft.graph.aadUserConversationMember",
                "id": .string(Data("\(teamID)#\(account.id)".utf8).base64EncodedString()),
                "roles": .array(account.guest ? [.string("guest")] : []), "displayName": .string(account.displayName),
                "userId": .string(account.id),
                "email": .optional(account.mailIsNull ? nil : account.primaryEmail?.trimmingCharacters(in: .whitespaces)),
            ])
        }
        let end = start.offset + slice.count
        let link = end < members.count ? nextLink(request, query, .init(organization: token.organization, listing: listing, offset: end)) : nil
        return SimHTTP.json(GraphPage(context: "teams('\(teamID)')/members", value: value, nextLink: link))
    }
}
