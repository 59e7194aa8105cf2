import AsyncHTTPClient
import Foundation
import NIOHTTP1
import UserSyncSimulator

/// Speaks Graph's wire format to the simulator with an app token, the way a connector would,
/// and follows delta rounds page by page.
struct GraphDeltaProbe {
    let base: String
    let token: String

    /// An answer: status, headers and the body, read as Graph's typed shapes.
    struct Answer {
        var status: Int
        var headers: HTTPHeaders
        var text: String

        func decode<T: Decodable>(_ type: T.Type = T.self) throws -> T {
            try JSONDecoder().decode(T.self, from: Data(text.utf8))
        }

        var errorCode: String? { (try? decode(GraphError.self))?.error.code }
    }

    /// Graph's error body: `{"error":{"code":…,"message":…}}`.
    struct GraphError: Decodable {
        struct Detail: Decodable { let code: String }
        let error: Detail
    }

    /// A page of a Graph collection: `value` and its links. A link is either a string or absent
    /// (a null link fails to decode).
    struct Page<Item: Decodable>: Decodable {
        enum CodingKeys: String, CodingKey {
            case value
            case nextLink = "@odata.nextLink"
            case deltaLink = "@odata.deltaLink"
        }

        let value: [Item]
        let nextLink: String?
        let deltaLink: String?

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            value = try container.decode([Item].self, forKey: .value)
            nextLink = container.contains(.nextLink) ? try container.decode(String.self, forKey: .nextLink) : nil
            deltaLink = container.contains(.deltaLink) ? try container.decode(String.self, forKey: .deltaLink) : nil
        }
    }

    /// A group as a delta query reports it, with `members@delta` when members are selected.
    struct DeltaGroup: Decodable {
        struct Member: Decodable {
            struct Removed: Decodable { let reason: String }
            enum CodingKeys: String, CodingKey {
                case id
                case removed = "@removed"
            }

            let id: String
            let removed: Removed?
        }

        enum CodingKeys: String, CodingKey {
            case id, displayName
            case members = "members@delta"
        }

        let id: String
        let displayName: String?
        let members: [Member]?
    }

    /// The names of an object's fields, whatever their values.
    struct Keys: Decodable {
        struct Name: CodingKey {
            let stringValue: String
            var intValue: Int? { nil }
            init(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
        }

        let keys: Set<String>
        init(from decoder: any Decoder) throws { keys = Set(try decoder.container(keyedBy: Name.self).allKeys.map(\.stringValue)) }
    }

    /// An OAuth 2.0 token response (RFC 6749 §5.1).
    struct Token: Decodable {
        enum CodingKeys: String, CodingKey { case accessToken = "access_token" }
        let accessToken: String
    }

    /// A round followed to its delta link, with the members it reported merged per group.
    struct Round {
        var pages: [Page<DeltaGroup>] = []
        var deltaLink = ""
        /// Group id → user ids reported as members.
        var added: [String: Set<String>] = [:]
        /// Group id → user id → `@removed.reason`.
        var removed: [String: [String: String]] = [:]
        /// Group id → display name as reported.
        var names: [String: String] = [:]
        /// Group id → how many pages it appeared on.
        var appearances: [String: Int] = [:]
    }

    /// Gets a client-credentials token for the organization's Entra app.
    static func connect(_ base: String, _ credentials: SimCredentials.Teams) async throws -> GraphDeltaProbe {
        var request = HTTPClientRequest(url: "\(base)/login/\(credentials.tenantID)/oauth2/v2.0/token")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.body = .bytes(
            .init(
                string: "grant_type=client_credentials&client_id=\(credentials.clientID)&client_secret=\(credentials.clientSecret)"
                    + "&scope=https%3A%2F%2Fgraph.microsoft.com%2F.default"))
        let body = try await HTTPClient.shared.execute(request, timeout: .seconds(30)).body.collect(upTo: 1 << 16)
        return GraphDeltaProbe(base: base, token: try JSONDecoder().decode(Token.self, from: Data(body.readableBytesView)).accessToken)
    }

    static func escape(_ value: String) -> String {
        value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? value
    }

    /// The first request of a delta query for `groups`.
    func deltaURL(_ groups: [String], select: String? = "displayName,members", extra: String = "") -> String {
        var url = "\(base)/graph/v1.0/groups/delta?$filter=" + Self.escape(groups.map { "id eq '\($0)'" }.joined(separator: " or "))
        if let select { url += "&$select=" + Self.escape(select) }
        return url + extra
    }

    func get(_ url: String) async throws -> Answer {
        var request = HTTPClientRequest(url: url)
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 1 << 24)
        return Answer(status: Int(response.status.code), headers: response.headers, text: String(buffer: body))
    }

    /// Follows `url` through its next links to the page carrying the delta link. Fails on any
    /// answer but 200, or a page with both links or neither.
    func round(_ url: String, between: (Int) async throws -> Void = { _ in }) async throws -> Round {
        var round = Round()
        var next = url
        while true {
            let page = try await get(next)
            guard page.status == 200 else { throw Failure.status(page.status, page.text) }
            let groups = try page.decode(Page<DeltaGroup>.self)
            round.pages.append(groups)
            for group in groups.value {
                round.appearances[group.id, default: 0] += 1
                if let name = group.displayName { round.names[group.id] = name }
                for member in group.members ?? [] {
                    if let removed = member.removed {
                        round.removed[group.id, default: [:]][member.id] = removed.reason
                    } else {
                        round.added[group.id, default: []].insert(member.id)
                    }
                }
            }
            switch (groups.nextLink, groups.deltaLink) {
            case (let link?, nil):
                try await between(round.pages.count)
                next = link
            case (nil, let link?):
                round.deltaLink = link
                return round
            default:
                throw Failure.links(page.text)
            }
        }
    }

    enum Failure: Error {
        case status(Int, String)
        case links(String)
    }
}
